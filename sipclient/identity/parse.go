package identity

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// canonical returns the text of an identity: see [Parse] for the rules.
func canonical(s string) (string, error) {
	return canonicalPeer(s)
}

func canonicalPeer(s string) (string, error) {
	addr, err := addrSpec(strings.TrimSpace(s))
	if err != nil {
		return "", err
	}
	scheme, rest, ok := strings.Cut(addr, ":")
	if !ok {
		return "", fmt.Errorf("no scheme")
	}
	// Keys are always sip:, so 5060 must go for sips too, or the key of
	// sips:x:5060 would not be a fixed point.
	defPorts := []string{"5060"}
	switch strings.ToLower(scheme) {
	case "sip":
	case "sips":
		defPorts = append(defPorts, "5061")
	default:
		return "", fmt.Errorf("scheme %q is not sip or sips", scheme)
	}
	// A user part cannot contain a literal '@' (RFC 3261 25.1), so the
	// first one ends it.
	user, hostport, hasUser := strings.Cut(rest, "@")
	if !hasUser {
		user, hostport = "", rest
	}
	host, err := canonicalHostPort(hostport, defPorts)
	if err != nil {
		return "", err
	}
	if !hasUser {
		return "sip:" + host, nil
	}
	user, _, _ = strings.Cut(user, ":") // drop the password
	if user, err = canonicalUser(user); err != nil {
		return "", err
	}
	return "sip:" + user + "@" + host, nil
}

// addrSpec strips a display name and angle brackets, if any.
func addrSpec(s string) (string, error) {
	if s == "" {
		return "", fmt.Errorf("empty")
	}
	rest := s
	if strings.HasPrefix(rest, `"`) {
		end := quotedEnd(rest)
		if end < 0 {
			return "", fmt.Errorf("unterminated display name")
		}
		rest = rest[end+1:]
	}
	lt := strings.IndexByte(rest, '<')
	if lt < 0 {
		if rest != s {
			return "", fmt.Errorf("display name without <uri>")
		}
		return s, nil // bare addr-spec
	}
	gt := strings.IndexByte(rest[lt:], '>')
	if gt < 0 {
		return "", fmt.Errorf("missing '>'")
	}
	return strings.TrimSpace(rest[lt+1 : lt+gt]), nil
}

// quotedEnd returns the index of the quote closing the quoted string that
// s starts with, honouring backslash escapes, or -1.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// canonicalHostPort canonicalizes what follows the '@' up to the first
// parameter or header.
func canonicalHostPort(hp string, defPorts []string) (string, error) {
	if i := strings.IndexAny(hp, ";?"); i >= 0 {
		hp = hp[:i]
	}
	host, port, err := splitHostPort(hp)
	if err != nil {
		return "", err
	}
	if port != "" {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || n == 0 || port[0] == '+' {
			return "", fmt.Errorf("bad port %q", port)
		}
		port = strconv.FormatUint(n, 10) // 05060 is 5060
		if slices.Contains(defPorts, port) {
			port = ""
		}
	}
	if port != "" {
		host += ":" + port
	}
	return host, nil
}

// splitHostPort separates and canonicalizes the host; port is "" if absent.
func splitHostPort(hp string) (host, port string, err error) {
	if strings.HasPrefix(hp, "[") {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", "", fmt.Errorf("unterminated IPv6 reference")
		}
		ip, err := netip.ParseAddr(hp[1:end])
		if err != nil || !ip.Is6() || ip.Zone() != "" {
			return "", "", fmt.Errorf("bad IPv6 reference %q", hp[:end+1])
		}
		host, hp = "["+ip.String()+"]", hp[end+1:]
	} else {
		name, _, _ := strings.Cut(hp, ":")
		if !validHostname(name) {
			return "", "", fmt.Errorf("bad host %q", name)
		}
		host, hp = strings.ToLower(name), hp[len(name):]
	}
	switch {
	case hp == "":
		return host, "", nil
	case hp[0] == ':' && len(hp) > 1:
		return host, hp[1:], nil
	}
	return "", "", fmt.Errorf("unexpected %q after host", hp)
}

// validHostname accepts host names and IPv4 addresses. Underscores are
// allowed because internal DNS names use them, though RFC 3261 does not.
func validHostname(h string) bool {
	if h == "" || h[0] == '.' || h[0] == '-' {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !isAlnum(c) && c != '-' && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// canonicalUser decodes escapes of unreserved characters, upper-cases the
// hex of the others, escapes non-ASCII bytes and rejects what cannot be
// part of a URI at all.
func canonicalUser(u string) (string, error) {
	if u == "" {
		return "", fmt.Errorf("empty user part")
	}
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '%':
			if i+2 >= len(u) || !isHex(u[i+1]) || !isHex(u[i+2]) {
				return "", fmt.Errorf("bad escape in user part")
			}
			d := unhex(u[i+1])<<4 | unhex(u[i+2])
			i += 2
			if isUnreserved(d) {
				b.WriteByte(d)
			} else {
				fmt.Fprintf(&b, "%%%02X", d)
			}
		case c >= 0x80 || c == '#':
			// Not allowed raw; escaping makes both spellings one key.
			fmt.Fprintf(&b, "%%%02X", c)
		case c <= ' ' || c == 0x7f || strings.IndexByte(`"<>[]\`+"`{}|^", c) >= 0:
			return "", fmt.Errorf("character %q not allowed in user part", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// isUnreserved is RFC 3261's unreserved: alphanum / mark.
func isUnreserved(c byte) bool {
	return isAlnum(c) || strings.IndexByte("-_.!~*'()", c) >= 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
