package account

import (
	"errors"
	"fmt"
	"strings"

	"github.com/parley-im/parley/sipclient"
)

// NormalizeAddress checks what a user typed as a contact's address and
// returns it as the address to reach them: scheme, user, host, port, and
// the transport when one is named (sip:bob@10.0.0.2:5062;transport=tcp).
// Scheme and host are written in lower case. The error says in words what
// is wrong. Who the address names is identity.Parse's to say, not this.
func NormalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("enter an address such as sip:alice@example.com")
	}
	u, err := sipclient.ParseURI(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a SIP address: use the form sip:user@host", s)
	}
	if u.User == "" {
		return "", fmt.Errorf("%q has no user part: use the form sip:user@%s", s, u.Host)
	}
	addr := strings.ToLower(u.Scheme) + ":" + u.User + "@" + strings.ToLower(u.Host)
	if u.Port > 0 {
		addr += fmt.Sprintf(":%d", u.Port)
	}
	if t, ok := u.UriParams.Get("transport"); ok && t != "" {
		addr += ";transport=" + strings.ToLower(t)
	}
	return addr, nil
}
