package failure

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/parley-im/parley/sipclient"
)

// closedPort is a TCP port on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// sipgoRefused is what sipgo returns for a MESSAGE to a peer that quit:
// "client transcation failed to request connection: ... dial tcp ...".
func sipgoRefused(t *testing.T) error {
	t.Helper()
	ua, err := sipgo.NewUA()
	if err != nil {
		t.Fatal(err)
	}
	defer ua.Close()
	c, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	params := sip.NewParams()
	params.Add("transport", "tcp")
	req := sip.NewRequest(sip.MESSAGE, sip.Uri{User: "bob", Host: "127.0.0.1", Port: closedPort(t), UriParams: params})
	req.SetTransport("TCP")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Do(ctx, req, sipgo.ClientRequestBuild)
	if err == nil {
		t.Fatal("a MESSAGE to a closed port went through")
	}
	t.Logf("sipgo: %v", err)
	return fmt.Errorf("MESSAGE to 127.0.0.1: %w", err)
}

// certErrors are real verification failures of a self-signed certificate:
// unknown issuer, expired, issued for another name.
func certErrors(t *testing.T) (unknown, expired, wrongName error) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	make := func(notAfter time.Time) *x509.Certificate {
		tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sip.example.org"},
			DNSNames: []string{"sip.example.org"}, NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: notAfter,
			IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
		der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	good, old := make(time.Now().Add(time.Hour)), make(time.Now().Add(-time.Hour))
	_, unknown = good.Verify(x509.VerifyOptions{DNSName: "sip.example.org", Roots: x509.NewCertPool()})
	pool := x509.NewCertPool()
	pool.AddCert(old)
	_, expired = old.Verify(x509.VerifyOptions{DNSName: "sip.example.org", Roots: pool})
	wrongName = good.VerifyHostname("example.com")
	return unknown, expired, wrongName
}

// Known is every failure Parley is known to meet, made for real where it
// is cheap, with the class it must get.
type known struct {
	name string
	err  error
	want Kind
}

func knownErrors(t *testing.T) []known {
	_, dialErr := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", closedPort(t)), time.Second)
	unknown, expired, wrongName := certErrors(t)
	dns := &net.DNSError{Err: "no such host", Name: "_sip._udp.example.org", IsNotFound: true}
	ks := []known{
		{"dial a closed port", dialErr, Refused},
		{"sipgo to a closed port", sipgoRefused(t), Refused},
		{"SRV lookup", fmt.Errorf("fail to lookup SRV for %q: %w", "example.org", dns), NoServer},
		{"no such host", &net.DNSError{Err: "no such host", Name: "nothere.example", IsNotFound: true}, NoServer},
		{"unknown authority", unknown, Certificate},
		{"expired", expired, Certificate},
		{"wrong name", wrongName, Certificate},
		{"deadline", fmt.Errorf("REGISTER to x: %w", context.DeadlineExceeded), NoAnswer},
		{"no response", fmt.Errorf("MESSAGE to x: %w", sipclient.ErrNoResponse), NoAnswer},
		{"transaction timeout", sip.ErrTransactionTimeout, NoAnswer},
		{"closed", sipclient.ErrClosed, Closed},
		{"invalid URI", sipclient.ErrInvalidURI, BadAddress},
		{"body too large", sipclient.ErrBodyTooLarge, TooLarge},
		{"too large for UDP, TCP refused", fmt.Errorf("MESSAGE to 127.0.0.1: %w: %w", sipclient.ErrTooLargeForUDP, sipgoRefused(t)), TooLarge},
		{"wrong password", &sipclient.ResponseError{Method: "REGISTER", Code: 401, Reason: "Unauthorized", Err: sipclient.ErrWrongPassword}, WrongPassword},
		{"auth failed", &sipclient.ResponseError{Method: "REGISTER", Code: 407, Reason: "Proxy Authentication Required", Err: sipclient.ErrAuthFailed}, AuthFailed},
		{"unreachable", &net.OpError{Op: "dial", Net: "udp", Err: errors.New("connect: network is unreachable")}, Unreachable},
	}
	for code, want := range map[int]Kind{
		400: Refusal, 403: Forbidden, 404: NoSuchUser, 408: NoAnswer, 410: NotOnline, 413: TooLarge, 415: Unsupported,
		416: BadAddress, 480: NotOnline, 484: BadAddress, 486: Busy, 488: Unsupported, 500: ServerError, 503: Unavailable,
		504: ServerError, 513: TooLarge, 600: Busy, 603: Declined, 604: NoSuchUser, 606: Unsupported, 699: Rejected,
	} {
		ks = append(ks, known{fmt.Sprint(code), &sipclient.ResponseError{Method: "MESSAGE", Code: code, Reason: "Some Reason"}, want})
	}
	return ks
}

func TestKnownErrorsClassified(t *testing.T) {
	for _, k := range knownErrors(t) {
		if got := Of(k.err); got.Kind != k.want {
			t.Errorf("%s: Of(%q) = %v, want %v", k.name, k.err, got.Kind, k.want)
		}
		if got := Of(k.err); got.Detail != k.err.Error() {
			t.Errorf("%s: detail %q lost", k.name, got.Detail)
		}
		// What events and the history keep: a code and the text.
		code := 503 // the outbox's code for a send that never got an answer
		var re *sipclient.ResponseError
		reason := k.err.Error()
		if errors.As(k.err, &re) {
			code, reason = re.Code, re.Reason
			if re.Err != nil {
				reason = re.Err.Error()
			}
		}
		if got := FromStatus(code, reason); got.Kind != k.want {
			t.Errorf("%s: FromStatus(%d, %q) = %v, want %v", k.name, code, reason, got.Kind, k.want)
		}
	}
}

func TestDetails(t *testing.T) {
	f := Of(fmt.Errorf("fail to lookup SRV for %q: %w", "example.org", &net.DNSError{Err: "no such host", Name: "_sip._tcp.example.org"}))
	if f.Host != "example.org" {
		t.Errorf("host %q", f.Host)
	}
	if f := FromStatus(0, `fail to lookup SRV for "example.org": lookup _sip._udp.example.org on 127.0.0.53:53: no such host`); f.Kind != NoServer || f.Host != "example.org" {
		t.Errorf("SRV text: %+v", f)
	}
	_, expired, wrong := certErrors(t)
	if Of(expired).Cert != CertExpired || Of(wrong).Cert != CertWrongName || FromStatus(0, expired.Error()).Cert != CertExpired {
		t.Errorf("cert problems: %v %v", Of(expired).Cert, Of(wrong).Cert)
	}
	if f := FromStatus(0, "403 Forbidden"); f.Code != 403 || f.Kind != Forbidden || f.Detail != "403 Forbidden" {
		t.Errorf("registration's words: %+v", f)
	}
	if f := FromStatus(480, "Temporarily Unavailable"); f.Detail != "480 Temporarily Unavailable" {
		t.Errorf("detail %q", f.Detail)
	}
}
