package sipclient

import (
	"errors"
	"fmt"
	"sync"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/sipclient/digest"
)

// authKey names one digest session: a realm, as registrar (401) or as
// proxy (407).
type authKey struct {
	proxy bool
	realm string
}

// authenticator answers the server's digest challenges (RFC 3261 22,
// RFC 7616: MD5 and SHA-256, qop=auth). Proxy sessions are reused
// up front on later requests, so a thousand SUBSCRIBEs cost no thousand
// extra round trips.
type authenticator struct {
	cred     digest.Credentials
	mu       sync.Mutex
	sessions map[authKey]*digest.Session
}

func newAuthenticator(user, password string) *authenticator {
	return &authenticator{cred: digest.Credentials{Username: user, Password: password},
		sessions: map[authKey]*digest.Session{}}
}

func authHeaders(proxy bool) (challenge, answer string) {
	if proxy {
		return "Proxy-Authenticate", "Proxy-Authorization"
	}
	return "WWW-Authenticate", "Authorization"
}

// preauthorize answers up front, from a session a previous challenge
// started: Proxy-Authorization for anything through the server, and
// Authorization for a REGISTER (a refresh then costs one round trip).
func (a *authenticator) preauthorize(req *sip.Request) {
	a.preauthorizeKind(req, true)
	if req.Method == sip.REGISTER {
		a.preauthorizeKind(req, false)
	}
}

func (a *authenticator) preauthorizeKind(req *sip.Request, proxy bool) {
	_, ansName := authHeaders(proxy)
	a.mu.Lock()
	var s *digest.Session
	for k, v := range a.sessions {
		if k.proxy == proxy {
			s = v
			break
		}
	}
	a.mu.Unlock()
	if s == nil || req.GetHeader(ansName) != nil {
		return
	}
	if v, err := s.AuthorizeBody(string(req.Method), req.Recipient.String(), req.Body(), a.cred); err == nil {
		req.AppendHeader(sip.NewHeader(ansName, v))
	}
}

// answer prepares req to be sent again with the answer to res's
// challenge. retried says req already answered a challenge of this kind
// in this exchange: then only stale=true lets it try again, anything else
// means the password is wrong.
func (a *authenticator) answer(req *sip.Request, res *sip.Response, retried bool) error {
	proxy := res.StatusCode == 407
	chName, ansName := authHeaders(proxy)
	var values []string
	for _, h := range res.GetHeaders(chName) {
		values = append(values, h.Value())
	}
	ch, err := bestChallenge(values)
	if err != nil {
		return err
	}
	s, err := a.session(authKey{proxy, ch.Realm}, ch, retried)
	if err != nil {
		return err
	}
	v, err := s.AuthorizeBody(string(req.Method), req.Recipient.String(), req.Body(), a.cred)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	for req.RemoveHeader(ansName) {
	}
	req.AppendHeader(sip.NewHeader(ansName, v))
	return nil
}

func (a *authenticator) session(k authKey, ch digest.Challenge, retried bool) (*digest.Session, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if s := a.sessions[k]; s != nil && retried {
		if err := s.Renew(ch); err != nil {
			delete(a.sessions, k)
			if errors.Is(err, digest.ErrRejected) {
				return nil, ErrWrongPassword
			}
			return nil, fmt.Errorf("%w: %w", ErrAuthFailed, err)
		}
		return s, nil
	}
	s, err := digest.NewSession(ch)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	a.sessions[k] = s
	return s, nil
}

// bestChallenge reads the challenge headers of a 401 or 407 (SIP or
// HTTP) and picks the strongest one we can answer.
func bestChallenge(values []string) (digest.Challenge, error) {
	chs, err := digest.ParseChallenges(values...)
	if err == nil {
		var ch digest.Challenge
		if ch, err = digest.Best(chs); err == nil {
			return ch, nil
		}
	}
	return digest.Challenge{}, fmt.Errorf("%w: %w", ErrAuthFailed, err)
}

// forget drops every session, e.g. after the server restarted.
func (a *authenticator) forget() {
	a.mu.Lock()
	defer a.mu.Unlock()
	clear(a.sessions)
}

// prepareResend makes req a new transaction: no Via (the client adds a
// fresh one with a new branch) and the next CSeq (RFC 3261 8.1.3.5).
func prepareResend(req *sip.Request) {
	for req.RemoveHeader("Via") {
	}
	if cs := req.CSeq(); cs != nil {
		cs.SeqNo++
	}
}
