package digest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
)

// Credentials are what the user typed. String, GoString and LogValue hide
// the password, so printing or logging them is safe.
type Credentials struct {
	Username string
	Password string
}

func (c Credentials) String() string {
	return fmt.Sprintf("{Username:%q Password:<redacted>}", c.Username)
}

// GoString keeps %#v from printing the password.
func (c Credentials) GoString() string { return "digest.Credentials" + c.String() }

// LogValue keeps log/slog from printing the password.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", "<redacted>"))
}

// Session answers one challenge, for as many requests as the server lets
// its nonce live, counting nc. It is safe for concurrent use.
type Session struct {
	mu     sync.Mutex
	ch     Challenge
	alg    algorithm
	qop    string
	nc     uint32
	cnonce func() string
}

// NewSession starts answering ch; it fails with ErrUnsupportedAlgorithm or
// ErrUnsupportedQOP if ch offers nothing we implement.
func NewSession(ch Challenge) (*Session, error) {
	s := &Session{cnonce: randomCnonce}
	if err := s.set(ch); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Session) set(ch Challenge) error {
	if hasControl(ch.Realm + ch.Nonce + ch.Opaque) {
		return fmt.Errorf("%w: control characters", ErrMalformedChallenge)
	}
	if ch.Nonce == "" {
		return fmt.Errorf("%w: no nonce", ErrMalformedChallenge)
	}
	alg, err := lookupAlgorithm(ch.Algorithm)
	if err != nil {
		return err
	}
	qop, err := chooseQOP(ch.QOP)
	if err != nil {
		return err
	}
	if ch.Nonce != s.ch.Nonce || ch.Realm != s.ch.Realm {
		s.nc = 0
	}
	s.ch, s.alg, s.qop = ch, alg, qop
	return nil
}

// Challenge returns the challenge the session answers.
func (s *Session) Challenge() Challenge {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ch
}

// Renew takes the challenge of a 401 or 407 that answered a request this
// session authorized. With stale=true (the nonce expired, the password
// was right) the session moves to the new nonce and the caller retries.
// Without it the server refused the credentials: ErrRejected, and the
// caller must not retry with the same password.
func (s *Session) Renew(ch Challenge) error {
	if !ch.Stale {
		return ErrRejected
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.set(ch)
}

// NextNonce switches to the nonce a server announced in
// Authentication-Info (nextnonce), restarting nc.
func (s *Session) NextNonce(nonce string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if nonce != "" && nonce != s.ch.Nonce {
		s.ch.Nonce, s.nc = nonce, 0
	}
}

// Authorize returns the value of the Authorization (or
// Proxy-Authorization) header for a request without a body. uri is the
// Request-URI exactly as sent, parameters included.
func (s *Session) Authorize(method, uri string, cred Credentials) (string, error) {
	return s.AuthorizeBody(method, uri, nil, cred)
}

// AuthorizeBody is Authorize for a request with a body; the body matters
// only when the server offers qop=auth-int and not qop=auth.
func (s *Session) AuthorizeBody(method, uri string, body []byte, cred Credentials) (string, error) {
	if err := checkInput(method, uri, cred.Username); err != nil {
		return "", err
	}
	s.mu.Lock()
	s.nc++
	a := answer{ch: s.ch, alg: s.alg, qop: s.qop, nc: s.nc}
	s.mu.Unlock()
	if a.qop != "" {
		a.cnonce = s.cnonce()
	}
	return a.header(method, uri, body, cred), nil
}

func checkInput(method, uri, user string) error {
	if method == "" || strings.ContainsAny(method, " \t\r\n") {
		return fmt.Errorf("%w: method %q", ErrBadInput, method)
	}
	if uri == "" || hasControl(uri) {
		return fmt.Errorf("%w: request URI %q", ErrBadInput, uri)
	}
	if hasControl(user) {
		return fmt.Errorf("%w: control characters in the username", ErrBadInput)
	}
	return nil
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if isControl(s[i]) {
			return true
		}
	}
	return false
}

func randomCnonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}
