package cpim

import (
	"fmt"
	"strings"
)

// Address is the value of a From, To or cc header: an optional formal
// name and a URI.
type Address struct {
	Name string // display name, quotes and escapes removed
	URI  string // without the angle brackets
}

// ParseAddress reads `Name <uri>`, `"Name" <uri>`, `"Name"<uri>` or
// `<uri>`; a bare URI without brackets is accepted too.
func ParseAddress(s string) (Address, error) {
	s = strings.TrimSpace(s)
	lt := strings.LastIndexByte(s, '<')
	if lt < 0 {
		if s == "" || strings.ContainsAny(s, " \t\">") {
			return Address{}, fmt.Errorf("%w: address %q", ErrMalformed, s)
		}
		return Address{URI: s}, nil
	}
	if !strings.HasSuffix(s, ">") || lt+2 > len(s)-1 {
		return Address{}, fmt.Errorf("%w: address %q", ErrMalformed, s)
	}
	name, err := unquoteName(strings.TrimSpace(s[:lt]))
	if err != nil {
		return Address{}, fmt.Errorf("%w: address %q: %v", ErrMalformed, s, err)
	}
	return Address{Name: name, URI: strings.TrimSpace(s[lt+1 : len(s)-1])}, nil
}

// unquoteName undoes a quoted formal name; an unquoted one is kept as is.
func unquoteName(s string) (string, error) {
	if !strings.HasPrefix(s, `"`) {
		return s, nil
	}
	if len(s) < 2 || !strings.HasSuffix(s, `"`) {
		return "", fmt.Errorf("unbalanced quotes")
	}
	return Unescape(s[1 : len(s)-1]), nil
}

// String writes the address by the RFC's grammar: a name of plain tokens
// as is (`MR SANDERS <im:piglet@...>`), any other name as a quoted string
// directly followed by the URI (`"Ann O'Nym"<sip:...>`), as Linphone does.
func (a Address) String() string {
	if a.Name == "" {
		return "<" + a.URI + ">"
	}
	if isTokenPhrase(a.Name) {
		return a.Name + " <" + a.URI + ">"
	}
	return quote(a.Name) + "<" + a.URI + ">"
}

// isTokenPhrase reports whether s is tokens separated by single spaces.
func isTokenPhrase(s string) bool {
	for w := range strings.SplitSeq(s, " ") {
		if !isToken(w) {
			return false
		}
	}
	return true
}
