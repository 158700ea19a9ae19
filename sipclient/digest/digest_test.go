package digest

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// RFC 7616 section 3.9.1: the server offers SHA-256 and MD5.
const (
	rfc7616SHA256 = `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
	rfc7616MD5    = `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`
	rfc7616Cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
)

var mufasa = Credentials{Username: "Mufasa", Password: "Circle of Life"}

// fixed makes a session with a known cnonce, as the RFC examples need.
func fixed(t *testing.T, header, cnonce string) *Session {
	t.Helper()
	ch, err := ParseChallenge(header)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSession(ch)
	if err != nil {
		t.Fatal(err)
	}
	s.cnonce = func() string { return cnonce }
	return s
}

// params reads an Authorization value back into a map.
func params(t testing.TB, auth string) map[string]string {
	t.Helper()
	raw, err := splitChallenges(auth)
	if err != nil || len(raw) != 1 || raw[0].scheme != "Digest" {
		t.Fatalf("unreadable Authorization %q: %v", auth, err)
	}
	m := map[string]string{}
	for _, p := range raw[0].params {
		m[p.name] = p.value
	}
	return m
}

func TestRFC7616Examples(t *testing.T) {
	for _, tc := range []struct{ header, alg, response string }{
		{rfc7616MD5, "MD5", "8ca523f5e9506fed4657c9700eebdbec"},
		{rfc7616SHA256, "SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
	} {
		t.Run(tc.alg, func(t *testing.T) {
			auth, err := fixed(t, tc.header, rfc7616Cnonce).Authorize("GET", "/dir/index.html", mufasa)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]string{
				"username": "Mufasa", "realm": "http-auth@example.org", "uri": "/dir/index.html",
				"algorithm": tc.alg, "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
				"nc": "00000001", "cnonce": rfc7616Cnonce, "qop": "auth", "response": tc.response,
				"opaque": "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS",
			}
			if got := params(t, auth); !reflect.DeepEqual(got, want) {
				t.Errorf("Authorization\n got %v\nwant %v", got, want)
			}
		})
	}
}

// RFC 2617 section 3.5: no algorithm in the challenge, so none in the
// answer; note "Circle Of Life" there.
func TestRFC2617Example(t *testing.T) {
	s := fixed(t, `Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`, "0a4f113b")
	auth, err := s.Authorize("GET", "/dir/index.html", Credentials{"Mufasa", "Circle Of Life"})
	if err != nil {
		t.Fatal(err)
	}
	want := `Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", qop=auth, nc=00000001, opaque="5ccc069c403ebaf9f0171e9517f40e41"`
	if auth != want {
		t.Errorf("Authorization\n got %s\nwant %s", auth, want)
	}
}

// verifier is a registrar's side of digest, written apart from the client
// code so the two check each other.
type verifier struct {
	realm, nonce, algorithm, qop string
	users                        map[string]string
	lastNC                       uint64
}

func (v *verifier) challenge() string {
	c := fmt.Sprintf(`Digest realm=%q, nonce=%q`, v.realm, v.nonce)
	if v.algorithm != "" {
		c += ", algorithm=" + v.algorithm
	}
	if v.qop != "" {
		c += fmt.Sprintf(`, qop=%q`, v.qop)
	}
	return c
}

func (v *verifier) verify(t *testing.T, method, requestURI string, body []byte, auth string) error {
	t.Helper()
	p := params(t, auth)
	if p["uri"] != requestURI || p["realm"] != v.realm || p["nonce"] != v.nonce {
		return fmt.Errorf("uri/realm/nonce mismatch: %v", p)
	}
	pw, ok := v.users[p["username"]]
	if !ok {
		return fmt.Errorf("unknown user %q", p["username"])
	}
	h := map[string]func() hash.Hash{"": md5.New, "md5": md5.New, "md5-sess": md5.New, "sha-256": sha256.New,
		"sha-256-sess": sha256.New, "sha-512-256": sha512.New512_256, "sha-512-256-sess": sha512.New512_256}[strings.ToLower(p["algorithm"])]
	H := func(s string) string { x := h(); x.Write([]byte(s)); return hex.EncodeToString(x.Sum(nil)) }
	ha1 := H(p["username"] + ":" + v.realm + ":" + pw)
	if strings.HasSuffix(strings.ToLower(p["algorithm"]), "-sess") {
		ha1 = H(ha1 + ":" + v.nonce + ":" + p["cnonce"])
	}
	ha2 := H(method + ":" + requestURI)
	if p["qop"] == "auth-int" {
		ha2 = H(method + ":" + requestURI + ":" + H(string(body)))
	}
	want := H(ha1 + ":" + v.nonce + ":" + ha2)
	if p["qop"] != "" {
		nc, err := strconv.ParseUint(p["nc"], 16, 32)
		if err != nil || len(p["nc"]) != 8 || nc <= v.lastNC {
			return fmt.Errorf("bad nc %q after %d", p["nc"], v.lastNC)
		}
		v.lastNC = nc
		want = H(ha1 + ":" + v.nonce + ":" + p["nc"] + ":" + p["cnonce"] + ":" + p["qop"] + ":" + ha2)
	}
	if p["response"] != want {
		return errors.New("wrong response")
	}
	return nil
}

// TestRoundTrip: every algorithm and qop against the verifier, with a SIP
// Request-URI whose parameters must be hashed as sent.
func TestRoundTrip(t *testing.T) {
	const ruri = "sip:registrar.example.com;transport=tcp;lr"
	body := []byte("<presence/>")
	for _, alg := range []string{"", "MD5", "md5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess"} {
		for _, qop := range []string{"", "auth", "auth-int", "auth-int,auth"} {
			t.Run(alg+"/"+qop, func(t *testing.T) {
				v := &verifier{realm: "example.com", nonce: "n0nce", algorithm: alg, qop: qop, users: map[string]string{"alice": "s3cret"}}
				ch, err := ParseChallenge(v.challenge())
				if err != nil {
					t.Fatal(err)
				}
				s, err := NewSession(ch)
				if err != nil {
					t.Fatal(err)
				}
				for range 3 {
					auth, err := s.AuthorizeBody("PUBLISH", ruri, body, Credentials{"alice", "s3cret"})
					if err != nil {
						t.Fatal(err)
					}
					if err := v.verify(t, "PUBLISH", ruri, body, auth); err != nil {
						t.Fatalf("%v: %s", err, auth)
					}
					if !strings.Contains(auth, `uri="`+ruri+`"`) {
						t.Errorf("Request-URI not sent as given: %s", auth)
					}
				}
				auth, _ := s.Authorize("PUBLISH", ruri, Credentials{"alice", "wrong"})
				if v.verify(t, "PUBLISH", ruri, body, auth) == nil {
					t.Error("verifier accepted a wrong password")
				}
			})
		}
	}
}

func TestNonceCount(t *testing.T) {
	s := fixed(t, `Digest realm="r", nonce="a", qop="auth"`, "c")
	for want := 1; want <= 3; want++ {
		auth, _ := s.Authorize("REGISTER", "sip:r", mufasa)
		if got := params(t, auth)["nc"]; got != fmt.Sprintf("%08x", want) {
			t.Fatalf("nc = %s, want %d", got, want)
		}
	}
	s.NextNonce("b")
	auth, _ := s.Authorize("REGISTER", "sip:r", mufasa)
	if p := params(t, auth); p["nc"] != "00000001" || p["nonce"] != "b" {
		t.Errorf("after nextnonce: %v", p)
	}
}

func TestStale(t *testing.T) {
	v := &verifier{realm: "example.com", nonce: "old", algorithm: "SHA-256", qop: "auth", users: map[string]string{"alice": "pw"}}
	ch, _ := ParseChallenge(v.challenge())
	s, _ := NewSession(ch)
	for range 2 {
		s.Authorize("REGISTER", "sip:example.com", Credentials{"alice", "pw"})
	}
	v.nonce, v.lastNC = "new", 0
	stale, err := ParseChallenge(v.challenge() + ", stale=TRUE")
	if err != nil || !stale.Stale {
		t.Fatalf("stale=TRUE not read: %+v %v", stale, err)
	}
	if err := s.Renew(stale); err != nil {
		t.Fatal(err)
	}
	auth, _ := s.Authorize("REGISTER", "sip:example.com", Credentials{"alice", "pw"})
	if err := v.verify(t, "REGISTER", "sip:example.com", nil, auth); err != nil || params(t, auth)["nc"] != "00000001" {
		t.Errorf("after stale renew: %v %s", err, auth)
	}
	fresh, _ := ParseChallenge(v.challenge())
	if err := s.Renew(fresh); !errors.Is(err, ErrRejected) {
		t.Errorf("Renew without stale = %v, want ErrRejected", err)
	}
}

func TestUsernameQuoting(t *testing.T) {
	v := &verifier{realm: `a "quoted" realm`, nonce: "n", qop: "auth", users: map[string]string{`Mu"fa\sa`: "pw"}}
	ch, err := ParseChallenge(`Digest realm="a \"quoted\" realm", nonce="n", qop=auth`)
	if err != nil || ch.Realm != v.realm {
		t.Fatalf("escaped realm: %q %v", ch.Realm, err)
	}
	s, _ := NewSession(ch)
	auth, err := s.Authorize("MESSAGE", "sip:bob@example.com", Credentials{`Mu"fa\sa`, "pw"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(auth, `username="Mu\"fa\\sa"`) {
		t.Errorf("username not escaped: %s", auth)
	}
	if err := v.verify(t, "MESSAGE", "sip:bob@example.com", nil, auth); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"bob\r\nVia: x", "a\x00b"} {
		if _, err := s.Authorize("MESSAGE", "sip:bob@example.com", Credentials{bad, "pw"}); !errors.Is(err, ErrBadInput) {
			t.Errorf("username %q: %v, want ErrBadInput", bad, err)
		}
	}
}

func TestUserHash(t *testing.T) {
	s := fixed(t, `Digest realm="api@example.org", nonce="n", qop=auth, algorithm=SHA-256, userhash=true`, "c")
	auth, _ := s.Authorize("GET", "/doe.json", Credentials{"J\u00e4s\u00f8n Doe", "Secret, or not?"})
	p := params(t, auth)
	// RFC 7616 section 3.9.2's hashed username for this user and realm.
	if p["username"] != "5a1a8a47df5c298551b9b42ba9b05835174a5bd7d511ff7fe9191d8e946fc4e7" || p["userhash"] != "true" {
		t.Errorf("userhash: %v", p)
	}
}

func TestBest(t *testing.T) {
	both := rfc7616MD5 + ", " + rfc7616SHA256
	for _, tc := range []struct {
		name    string
		headers []string
		alg     string
		err     error
	}{
		{"one value, MD5 first", []string{both}, "SHA-256", nil},
		{"two header fields", []string{rfc7616MD5, rfc7616SHA256}, "SHA-256", nil},
		{"sha-512-256 wins", []string{`Digest realm="r", nonce="n", algorithm=SHA-256`, `Digest realm="r", nonce="n", algorithm=SHA-512-256`}, "SHA-512-256", nil},
		{"other schemes skipped", []string{`Basic realm="r", Negotiate abc==, Digest realm="r", nonce="n"`}, "", nil},
		{"unknown algorithm", []string{`Digest realm="r", nonce="n", algorithm=AKAv1-MD5`}, "", ErrUnsupportedAlgorithm},
		{"unknown qop", []string{`Digest realm="r", nonce="n", qop="auth-conf"`}, "", ErrUnsupportedQOP},
		{"unknown skipped", []string{`Digest realm="r", nonce="n", algorithm=SHA-1, Digest realm="r", nonce="n", algorithm=MD5`}, "MD5", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chs, err := ParseChallenges(tc.headers...)
			if err != nil {
				t.Fatal(err)
			}
			ch, err := Best(chs)
			if !errors.Is(err, tc.err) || (err == nil && ch.Algorithm != tc.alg) {
				t.Errorf("Best = %q, %v; want %q, %v", ch.Algorithm, err, tc.alg, tc.err)
			}
		})
	}
}

func TestMalformed(t *testing.T) {
	for _, h := range []string{
		"", "Digest", `Digest realm="x"`, `Digest nonce="n"`, `Digest realm="x, nonce="n"`,
		`Digest realm="x" nonce="n"`, `realm="x", nonce="n"`, `Digest realm="x", realm="y", nonce="n"`,
		`Digest realm=, nonce=n`, "Digest realm=\"a\r\nb\", nonce=n", `Basic realm="x"`, `Digest realm="x", nonce=""`,
		`Digest realm="x", nonce="n\`, `Digest realm=a"b, nonce=n`, `Digest =x`, `Digest realm="x", nonce="n", @`,
	} {
		if _, err := ParseChallenge(h); !errors.Is(err, ErrMalformedChallenge) {
			t.Errorf("ParseChallenge(%q) = %v, want ErrMalformedChallenge", h, err)
		}
	}
	if _, err := NewSession(Challenge{Realm: "r\r\nX: y", Nonce: "n"}); !errors.Is(err, ErrMalformedChallenge) {
		t.Errorf("control characters in a hand-made challenge: %v", err)
	}
}

func TestLenientValues(t *testing.T) {
	ch, err := ParseChallenge("digest  REALM=example.com ,\tnonce=abc/+==,qop=auth,ALGORITHM=\"sha-256\", domain=\"sip:example.com\", extra=1")
	want := Challenge{Realm: "example.com", Nonce: "abc/+==", QOP: []string{"auth"}, Algorithm: "sha-256", Domain: "sip:example.com"}
	if err != nil || !reflect.DeepEqual(ch, want) {
		t.Errorf("got %+v, %v; want %+v", ch, err, want)
	}
}

// TestSecretsNotPrinted: the password and the response stay out of every
// printable form.
func TestSecretsNotPrinted(t *testing.T) {
	cred := Credentials{"alice", "hunter2-secret"}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("login", "cred", cred)
	for _, s := range []string{fmt.Sprint(cred), fmt.Sprintf("%+v %#v %s", cred, cred, cred), buf.String()} {
		if strings.Contains(s, cred.Password) || !strings.Contains(s, "alice") {
			t.Errorf("printed credentials: %s", s)
		}
	}
	s := fixed(t, rfc7616SHA256, "c")
	auth, _ := s.Authorize("GET", "/", cred)
	resp := params(t, auth)["response"]
	_, err := s.Authorize("GET", "/", Credentials{"a\nb", cred.Password})
	if err == nil || strings.Contains(err.Error(), cred.Password) || strings.Contains(fmt.Sprintf("%+v", s), resp) {
		t.Errorf("secret in error or session: %v", err)
	}
}

// render writes a challenge back as a header value, for the fuzz
// round trip.
func render(ch Challenge) string {
	s := "Digest realm=" + quote(ch.Realm) + ", nonce=" + quote(ch.Nonce)
	for _, kv := range [][2]string{{"opaque", ch.Opaque}, {"algorithm", ch.Algorithm}, {"domain", ch.Domain}} {
		if kv[1] != "" {
			s += ", " + kv[0] + "=" + quote(kv[1])
		}
	}
	if ch.QOP != nil {
		s += ", qop=" + quote(strings.Join(ch.QOP, ","))
	}
	if ch.Stale {
		s += ", stale=true"
	}
	if ch.UserHash {
		s += ", userhash=true"
	}
	return s
}

func FuzzParseChallenge(f *testing.F) {
	for _, s := range []string{rfc7616MD5, rfc7616MD5 + ", " + rfc7616SHA256, `Digest realm="a \"b\"", nonce=x, stale=true`,
		`Basic realm="r", Negotiate abc==, Digest realm="r", nonce="n", qop="auth-int"`, `Digest realm="x" nonce="n"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		chs, err := ParseChallenges(h)
		if err != nil {
			return
		}
		for _, ch := range chs {
			again, err := ParseChallenges(render(ch))
			if err != nil || len(again) != 1 || !reflect.DeepEqual(again[0], ch) {
				t.Fatalf("round trip of %q: %+v -> %+v, %v", h, ch, again, err)
			}
			if s, err := NewSession(ch); err == nil {
				auth, err := s.Authorize("REGISTER", "sip:x", Credentials{"u", "p"})
				if err != nil || len(params(t, auth)) < 5 {
					t.Fatalf("Authorize(%+v) = %q, %v", ch, auth, err)
				}
			}
		}
	})
}
