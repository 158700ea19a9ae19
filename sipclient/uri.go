package sipclient

import (
	"fmt"
	"slices"
	"strings"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/identity"
)

// ParseURI parses a user-supplied SIP address: a bare URI, a name-addr
// ("Bob <sip:bob@host>") or one without a scheme ("bob@host"). It refuses
// anything that could inject header lines.
func ParseURI(s string) (sip.Uri, error) {
	var u sip.Uri
	s = strings.TrimSpace(s)
	if s == "" {
		return u, fmt.Errorf("%w: empty address", ErrInvalidURI)
	}
	if strings.ContainsAny(s, "\r\n\x00") {
		return u, fmt.Errorf("%w: control characters in %q", ErrInvalidURI, s)
	}
	if i := strings.IndexByte(s, '<'); i >= 0 {
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return u, fmt.Errorf("%w: missing '>' in %q", ErrInvalidURI, s)
		}
		s = s[i+1 : i+j]
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "sip:") && !strings.HasPrefix(lower, "sips:") {
		user, _, hasAt := strings.Cut(s, "@")
		if !hasAt || strings.Contains(user, ":") {
			return u, fmt.Errorf("%w: %q is not a sip: or sips: address", ErrInvalidURI, s)
		}
		s = "sip:" + s
	}
	if strings.ContainsAny(s, " \t\"<>") {
		return u, fmt.Errorf("%w: spaces or quotes in %q", ErrInvalidURI, s)
	}
	if err := sip.ParseUri(s, &u); err != nil {
		return u, fmt.Errorf("%w: %q: %v", ErrInvalidURI, s, err)
	}
	if u.Host == "" {
		return u, fmt.Errorf("%w: %q has no host", ErrInvalidURI, s)
	}
	// sipgo makes room for five parameters; a watched contact's URI is
	// kept as long as it is watched, so it keeps only what it has.
	u.UriParams, u.Headers = slices.Clip(u.UriParams), slices.Clip(u.Headers)
	return u, nil
}

// AddressOfRecord parses a user-supplied address and returns it exactly as
// the core names that contact in its events: scheme, user, host and port.
func AddressOfRecord(s string) (string, error) {
	u, err := ParseURI(s)
	if err != nil {
		return "", err
	}
	return aorString(u), nil
}

// aorString renders a URI as an address of record: scheme, user, host and
// port, without parameters or headers. Scheme and host compare without
// case (RFC 3261 19.1.4), so they are written in lower case: a peer that
// writes its domain in capitals is still the contact in the roster. The
// user part keeps its case, which does matter.
func aorString(u sip.Uri) string {
	a := sip.Uri{Scheme: strings.ToLower(u.Scheme), User: u.User, Host: strings.ToLower(u.Host), Port: u.Port}
	if a.Scheme == "" {
		a.Scheme = "sip"
	}
	return a.String()
}

// uriTransport returns the transport a URI asks for (";transport=tcp"), or
// def when it names none.
func uriTransport(u sip.Uri, def string) string {
	if u.UriParams != nil {
		if t, ok := u.UriParams.Get("transport"); ok && t != "" {
			return strings.ToUpper(t)
		}
	}
	if u.Scheme == "sips" {
		return "TLS"
	}
	return strings.ToUpper(def)
}

// peerOf is the identity a URI on the wire names.
func peerOf(u sip.Uri) (identity.ID, error) {
	return identity.Parse(aorString(u))
}

// parseTarget reads uri, as the user or the UI gave it, into the request
// target and the person it names.
func parseTarget(uri string) (sip.Uri, identity.ID, error) {
	target, err := ParseURI(uri)
	if err != nil {
		return target, identity.ID{}, err
	}
	peer, err := peerOf(target)
	return target, peer, err
}
