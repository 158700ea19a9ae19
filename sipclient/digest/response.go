package digest

import (
	"fmt"
	"strings"
)

// answer is everything one Authorization value is computed from.
type answer struct {
	ch     Challenge
	alg    algorithm
	qop    string
	nc     uint32
	cnonce string
}

// response computes the request-digest of RFC 2617 section 3.2.2.1, with
// the hash of RFC 7616.
func (a answer) response(method, uri string, body []byte, cred Credentials) string {
	ha1 := a.alg.sum(cred.Username, a.ch.Realm, cred.Password)
	if a.alg.sess {
		ha1 = a.alg.sum(ha1, a.ch.Nonce, a.cnonce)
	}
	ha2 := a.alg.sum(method, uri)
	if a.qop == "auth-int" {
		ha2 = a.alg.sum(method, uri, a.alg.sum(string(body)))
	}
	if a.qop == "" {
		return a.alg.sum(ha1, a.ch.Nonce, ha2)
	}
	return a.alg.sum(ha1, a.ch.Nonce, a.ncString(), a.cnonce, a.qop, ha2)
}

func (a answer) ncString() string { return fmt.Sprintf("%08x", a.nc) }

// header renders the credentials, in the parameter order of RFC 3261's
// examples.
func (a answer) header(method, uri string, body []byte, cred Credentials) string {
	user := cred.Username
	if a.ch.UserHash {
		user = a.alg.sum(cred.Username, a.ch.Realm)
	}
	var b strings.Builder
	b.WriteString("Digest username=" + quote(user))
	b.WriteString(", realm=" + quote(a.ch.Realm))
	b.WriteString(", nonce=" + quote(a.ch.Nonce))
	b.WriteString(", uri=" + quote(uri))
	b.WriteString(", response=" + quote(a.response(method, uri, body, cred)))
	if a.ch.Algorithm != "" {
		b.WriteString(", algorithm=" + a.alg.name)
	}
	if a.qop != "" {
		b.WriteString(", cnonce=" + quote(a.cnonce))
		b.WriteString(", qop=" + a.qop + ", nc=" + a.ncString())
	}
	if a.ch.Opaque != "" {
		b.WriteString(", opaque=" + quote(a.ch.Opaque))
	}
	if a.ch.UserHash {
		b.WriteString(", userhash=true")
	}
	return b.String()
}

// quote renders s as a quoted-string, escaping '"' and '\'.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}
