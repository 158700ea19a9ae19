package kamailio

// Client-side digest (RFC 3261 §22, RFC 7616 with qop=auth, RFC 8760
// for SHA-256 in SIP), written from the RFCs, not from Kamailio.

import (
	"fmt"
	"strings"
	"testing"
)

// challengeParams parses `Digest k="v", k=v, ...`.
func challengeParams(h string) map[string]string {
	out := map[string]string{}
	rest, ok := strings.CutPrefix(strings.TrimSpace(h), "Digest ")
	if !ok {
		return out
	}
	for rest != "" {
		rest = strings.TrimLeft(rest, " ,")
		k, v, found := strings.Cut(rest, "=")
		if !found {
			break
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if strings.HasPrefix(v, `"`) {
			end := strings.IndexByte(v[1:], '"')
			if end < 0 {
				break
			}
			out[k], rest = v[1:1+end], v[2+end:]
			continue
		}
		val, tail, _ := strings.Cut(v, ",")
		out[k], rest = strings.TrimSpace(val), tail
	}
	return out
}

// digestResponse answers a challenge for method and uri.
func digestResponse(challenge, method, uri, user, pass string) string {
	p := challengeParams(challenge)
	algo := MD5
	if strings.EqualFold(p["algorithm"], SHA256) {
		algo = SHA256
	}
	ha1 := HA1(algo, user, p["realm"], pass)
	ha2 := hexHash(algo, method+":"+uri)
	h := fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s"`, user, p["realm"], p["nonce"], uri)
	if qopAuth(p["qop"]) {
		cnonce, nc := randHex(8), "00000001"
		resp := hexHash(algo, ha1+":"+p["nonce"]+":"+nc+":"+cnonce+":auth:"+ha2)
		h += fmt.Sprintf(`, response="%s", cnonce="%s", nc=%s, qop=auth`, resp, cnonce, nc)
	} else {
		h += fmt.Sprintf(`, response="%s"`, hexHash(algo, ha1+":"+p["nonce"]+":"+ha2))
	}
	if p["algorithm"] != "" {
		h += ", algorithm=" + p["algorithm"]
	}
	if p["opaque"] != "" {
		h += fmt.Sprintf(`, opaque="%s"`, p["opaque"])
	}
	return h
}

func qopAuth(qop string) bool {
	for _, q := range strings.Split(qop, ",") {
		if strings.TrimSpace(q) == "auth" {
			return true
		}
	}
	return false
}

// RFC 7616 §3.9.1 example (HTTP, but the same arithmetic): SHA-256 and MD5
// responses for Mufasa.
func TestDigestRFC7616Example(t *testing.T) {
	const nonce, cnonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
	ha2 := func(algo string) string { return hexHash(algo, "GET:/dir/index.html") }
	for algo, want := range map[string]string{
		MD5:    "8ca523f5e9506fed4657c9700eebdbec",
		SHA256: "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	} {
		ha1 := HA1(algo, "Mufasa", "http-auth@example.org", "Circle of Life")
		got := hexHash(algo, ha1+":"+nonce+":00000001:"+cnonce+":auth:"+ha2(algo))
		if got != want {
			t.Errorf("%s response = %s, want %s", algo, got, want)
		}
	}
}
