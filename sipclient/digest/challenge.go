package digest

import (
	"errors"
	"fmt"
	"strings"
)

// Errors, for errors.Is.
var (
	// ErrMalformedChallenge: the header value is not a digest challenge
	// we can read (bad syntax, no nonce, not the Digest scheme).
	ErrMalformedChallenge = errors.New("digest: malformed challenge")
	// ErrUnsupportedAlgorithm: no offered algorithm is one we implement.
	ErrUnsupportedAlgorithm = errors.New("digest: unsupported algorithm")
	// ErrUnsupportedQOP: the challenge offers only qop values we do not
	// implement.
	ErrUnsupportedQOP = errors.New("digest: unsupported qop")
	// ErrRejected: the server challenged again without stale=true after
	// we answered its nonce, so it refused the username or password.
	ErrRejected = errors.New("digest: the server rejected the username or password")
	// ErrBadInput: a username, URI or method that cannot go in a header
	// (control characters, empty method).
	ErrBadInput = errors.New("digest: invalid input")
)

// Challenge is one Digest challenge from a WWW-Authenticate or
// Proxy-Authenticate header.
type Challenge struct {
	Realm     string
	Nonce     string
	Opaque    string
	Algorithm string   // as the server spelled it; "" means MD5
	QOP       []string // offered qop values, lower case; nil for the legacy form
	Stale     bool
	UserHash  bool // RFC 7616: the server wants the username hashed
	Domain    string
}

// ParseChallenge reads a header value holding one Digest challenge. If the
// value lists several challenges it returns the best supported one (see
// Best); use ParseChallenges to see them all.
func ParseChallenge(headerValue string) (Challenge, error) {
	chs, err := ParseChallenges(headerValue)
	if err != nil {
		return Challenge{}, err
	}
	return Best(chs)
}

// ParseChallenges reads every challenge in the given header values (each
// value may itself list several, comma separated). Challenges of other
// schemes are skipped; it fails if no Digest challenge remains or one is
// malformed.
func ParseChallenges(headerValues ...string) ([]Challenge, error) {
	var out []Challenge
	for _, v := range headerValues {
		raw, err := splitChallenges(v)
		if err != nil {
			return nil, err
		}
		for _, r := range raw {
			if !strings.EqualFold(r.scheme, "Digest") {
				continue
			}
			ch, err := fromParams(r.params)
			if err != nil {
				return nil, err
			}
			out = append(out, ch)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no Digest challenge", ErrMalformedChallenge)
	}
	return out, nil
}

// Best picks the strongest challenge with an algorithm and qop we support:
// SHA-512-256 over SHA-256 over MD5, plain over -sess; ties keep header
// order.
func Best(chs []Challenge) (Challenge, error) {
	best, bestRank := -1, 0
	var lastErr error = ErrUnsupportedAlgorithm
	for i, ch := range chs {
		a, err := lookupAlgorithm(ch.Algorithm)
		if err == nil {
			_, err = chooseQOP(ch.QOP)
		}
		if err != nil {
			lastErr = err
			continue
		}
		if best < 0 || a.rank > bestRank {
			best, bestRank = i, a.rank
		}
	}
	if best < 0 {
		return Challenge{}, lastErr
	}
	return chs[best], nil
}

func fromParams(params []param) (Challenge, error) {
	var ch Challenge
	seen := map[string]bool{}
	for _, p := range params {
		if seen[p.name] {
			return ch, fmt.Errorf("%w: %s given twice", ErrMalformedChallenge, p.name)
		}
		seen[p.name] = true
		setParam(&ch, p)
	}
	if !seen["nonce"] || ch.Nonce == "" {
		return ch, fmt.Errorf("%w: no nonce", ErrMalformedChallenge)
	}
	if !seen["realm"] {
		return ch, fmt.Errorf("%w: no realm", ErrMalformedChallenge)
	}
	return ch, nil
}

func setParam(ch *Challenge, p param) {
	switch p.name {
	case "realm":
		ch.Realm = p.value
	case "nonce":
		ch.Nonce = p.value
	case "opaque":
		ch.Opaque = p.value
	case "algorithm":
		ch.Algorithm = p.value
	case "domain":
		ch.Domain = p.value
	case "stale":
		ch.Stale = strings.EqualFold(p.value, "true")
	case "userhash":
		ch.UserHash = strings.EqualFold(p.value, "true")
	case "qop":
		ch.QOP = splitQOP(p.value)
	}
}

func splitQOP(v string) []string {
	qops := []string{}
	for q := range strings.SplitSeq(v, ",") {
		if q = strings.ToLower(strings.TrimSpace(q)); q != "" {
			qops = append(qops, q)
		}
	}
	return qops
}
