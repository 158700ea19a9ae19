package sipclient

import (
	"strconv"
	"strings"
)

// subState is a parsed Subscription-State header (RFC 6665 8.2.3).
type subState struct {
	state      SubscriptionState // active, pending, terminated (lower case)
	reason     string
	expires    int // -1 when absent
	retryAfter int // -1 when absent
}

func parseSubState(v string) (subState, bool) {
	s := subState{expires: -1, retryAfter: -1}
	parts := strings.Split(v, ";")
	s.state = SubscriptionState(strings.ToLower(strings.TrimSpace(parts[0])))
	if s.state == "" {
		return s, false
	}
	for _, p := range parts[1:] {
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		k, val = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(val)
		switch k {
		case "reason":
			s.reason = strings.ToLower(val)
		case "expires":
			s.expires = atoiOr(val, -1)
		case "retry-after":
			s.retryAfter = atoiOr(val, -1)
		}
	}
	return s, true
}

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}

// retryPolicy says, for a terminated subscription, whether and when to
// subscribe again (RFC 6665 4.1.3).
func (s subState) retryPolicy() (retry bool, immediately bool) {
	switch s.reason {
	case "rejected", "noresource", "invariant":
		return false, false
	case "deactivated", "timeout", "":
		return true, true
	default: // probation, giveup and unknown reasons: after a while
		return true, false
	}
}

// eventPackage returns the package name of an Event header value
// ("presence;id=1" -> "presence").
func eventPackage(v string) string {
	name, _, _ := strings.Cut(v, ";")
	return strings.ToLower(strings.TrimSpace(name))
}
