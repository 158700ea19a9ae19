// Package failure sorts what went wrong with a SIP request into the few
// classes a user can act on: nothing listens at the address, no answer,
// the domain has no SIP server, the certificate is not trusted, a
// refusal by status code. The UI words each class; the raw text stays in
// Detail for the Details view and the log.
//
// Errors are read with errors.Is and errors.As where the core still has
// them (Of). Events and the history keep only a status code and a reason
// string; FromStatus reads those, falling back on the texts the standard
// library and sipgo are known to write.
package failure

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/emiago/sipgo/sip"

	"github.com/parley-im/parley/sipclient"
)

// Kind is a class of failure the user can act on.
type Kind int

// The kinds of failure.
const (
	Unknown       Kind = iota
	Refused            // nothing listens at the address (connection refused)
	Unreachable        // no route, network down, connection lost
	NoAnswer           // no answer in time
	NoServer           // the domain does not resolve or has no SIP server
	Certificate        // the TLS certificate is not trusted
	WrongPassword      // the digest answer was refused
	AuthFailed         // a challenge Parley cannot answer
	NoSuchUser         // 404, 604
	Forbidden          // 403
	Declined           // 603
	NotOnline          // 480, 410
	Busy               // 486, 600
	Unavailable        // 503: overloaded or down for a while
	Unsupported        // 415, 488, 606: the peer cannot take this content
	TooLarge           // 413, 513, or the body limit
	BadAddress         // an address Parley or the server cannot use (416, 484)
	Closed             // Parley was shutting down
	Refusal            // another 4xx
	ServerError        // another 5xx
	Rejected           // another 6xx
)

// Failure is one classified failure.
type Failure struct {
	Kind   Kind
	Code   int    // the SIP status code, when an answer came
	Host   string // the name that has no SIP server (NoServer)
	Cert   CertProblem
	Detail string // the raw text, never the main line
}

// CertProblem says what is wrong with a certificate.
type CertProblem int

// Certificate problems.
const (
	CertOther         CertProblem = iota
	CertExpired                   // expired or not yet valid
	CertUnknownIssuer             // signed by an authority not trusted here
	CertWrongName                 // issued for another name
)

// Of classifies err; a nil err is the zero Failure.
func Of(err error) Failure {
	if err == nil {
		return Failure{}
	}
	f := Failure{Detail: err.Error()}
	var (
		re   *sipclient.ResponseError
		dns  *net.DNSError
		ua   x509.UnknownAuthorityError
		inv  x509.CertificateInvalidError
		host x509.HostnameError
		cve  *tls.CertificateVerificationError
		nerr net.Error
	)
	switch {
	case errors.Is(err, sipclient.ErrWrongPassword):
		f.Kind = WrongPassword
	case errors.Is(err, sipclient.ErrAuthFailed):
		f.Kind = AuthFailed
	case errors.As(err, &re):
		f.Code = re.Code
		f.Kind = byCode(re.Code)
	case errors.Is(err, sipclient.ErrClosed):
		f.Kind = Closed
	case errors.Is(err, sipclient.ErrInvalidURI):
		f.Kind = BadAddress
	case errors.Is(err, sipclient.ErrBodyTooLarge):
		f.Kind = TooLarge
	case errors.Is(err, sipclient.ErrNoResponse), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, sip.ErrTransactionTimeout):
		f.Kind = NoAnswer
	case errors.Is(err, syscall.ECONNREFUSED):
		f.Kind = Refused
	case errors.As(err, &dns):
		f.Kind, f.Host = NoServer, domainOf(dns.Name)
		if dns.IsTimeout {
			f.Kind, f.Host = NoAnswer, ""
		}
	case errors.As(err, &ua):
		f.Kind, f.Cert = Certificate, CertUnknownIssuer
	case errors.As(err, &inv):
		f.Kind, f.Cert = Certificate, CertOther
		if inv.Reason == x509.Expired {
			f.Cert = CertExpired
		}
	case errors.As(err, &host):
		f.Kind, f.Cert = Certificate, CertWrongName
	case errors.As(err, &cve):
		f.Kind, f.Cert = Certificate, certFromText(strings.ToLower(err.Error()))
	case errors.As(err, &nerr) && nerr.Timeout():
		f.Kind = NoAnswer
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		f.Kind = Unreachable
	default:
		return fromText(0, err.Error())
	}
	return f
}

// FromStatus classifies what an event or the history kept: a status code
// (0 for none) and the reason, a reason phrase or an error's text.
func FromStatus(code int, reason string) Failure {
	return fromText(code, reason)
}

// fromText classifies by the texts the standard library, sipgo and the
// core write, then by the status code.
func fromText(code int, reason string) Failure {
	f := Failure{Code: code, Detail: strings.TrimSpace(reason)}
	if code != 0 && f.Detail != "" && !strings.HasPrefix(f.Detail, strconv.Itoa(code)) {
		f.Detail = strconv.Itoa(code) + " " + f.Detail
	}
	s := strings.ToLower(reason)
	if code == 0 {
		code = leadingCode(s) // "403 Forbidden", as registration words it
		if i := strings.Index(s, "refused: "); code == 0 && i >= 0 {
			code = leadingCode(s[i+len("refused: "):]) // a ResponseError's text
		}
		f.Code = code
	}
	has := func(subs ...string) bool {
		for _, sub := range subs {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case s == "":
	case has(sipclient.ErrWrongPassword.Error(), "wrong password"):
		f.Kind = WrongPassword
		return f
	case has(sipclient.ErrAuthFailed.Error()):
		f.Kind = AuthFailed
		return f
	case has("client is closed"):
		f.Kind = Closed
		return f
	case has(strings.ToLower(sipclient.ErrTooLargeForUDP.Error())): // before its "connection refused"
		f.Kind = TooLarge
		return f
	case has("connection refused"):
		f.Kind = Refused
		return f
	case has("x509:", "certificate", "tls: "):
		f.Kind, f.Cert = Certificate, certFromText(s)
		return f
	case has("no such host", "lookup srv", "srv resolving", "server misbehaving", "no sip server"):
		f.Kind, f.Host = NoServer, hostFromText(reason)
		return f
	case has("i/o timeout", "deadline exceeded", "no answer", "timed out", "transaction timeout", "timer b"):
		f.Kind = NoAnswer
		return f
	case has("network is unreachable", "no route to host", "connection reset", "broken pipe",
		"dial ", "transcation", "transaction", "connection lost", "eof", "cannot reach"):
		f.Kind = Unreachable
		return f
	case has(strings.ToLower(sipclient.ErrInvalidURI.Error())):
		f.Kind = BadAddress
		return f
	case has(strings.ToLower(sipclient.ErrBodyTooLarge.Error())):
		f.Kind = TooLarge
		return f
	}
	f.Kind = byCode(code)
	return f
}

// byCode is the class of a SIP final answer.
func byCode(code int) Kind {
	switch code {
	case 0:
		return Unknown
	case 404, 604:
		return NoSuchUser
	case 403:
		return Forbidden
	case 603:
		return Declined
	case 480, 410:
		return NotOnline
	case 486, 600:
		return Busy
	case 503:
		return Unavailable
	case 408:
		return NoAnswer
	case 415, 488, 606:
		return Unsupported
	case 413, 513:
		return TooLarge
	case 416, 484:
		return BadAddress
	}
	switch {
	case code >= 400 && code < 500:
		return Refusal
	case code >= 500 && code < 600:
		return ServerError
	case code >= 600 && code < 700:
		return Rejected
	}
	return Unknown
}

func certFromText(s string) CertProblem {
	switch {
	case strings.Contains(s, "expired"), strings.Contains(s, "not yet valid"):
		return CertExpired
	case strings.Contains(s, "unknown authority"):
		return CertUnknownIssuer
	case strings.Contains(s, "valid for"), strings.Contains(s, "not valid for any names"):
		return CertWrongName
	}
	return CertOther
}

// leadingCode reads "403 forbidden" as 403.
func leadingCode(s string) int {
	if len(s) < 3 {
		return 0
	}
	n, err := strconv.Atoi(s[:3])
	if err != nil || n < 100 || n > 699 || (len(s) > 3 && s[3] != ' ') {
		return 0
	}
	return n
}

// hostFromText finds the domain in `lookup SRV for "example.org"` or
// `lookup example.org on 127.0.0.53:53: no such host`.
func hostFromText(s string) string {
	if i := strings.Index(s, `for "`); i >= 0 {
		rest := s[i+5:]
		if j := strings.IndexByte(rest, '"'); j > 0 {
			return domainOf(rest[:j])
		}
	}
	if i := strings.Index(s, "lookup "); i >= 0 {
		f := strings.Fields(s[i+7:])
		if len(f) > 0 && !strings.EqualFold(f[0], "srv") {
			return domainOf(strings.TrimSuffix(f[0], ":"))
		}
	}
	return ""
}

// domainOf drops the service labels of an SRV name: _sip._udp.example.org
// is example.org.
func domainOf(name string) string {
	name = strings.TrimSuffix(name, ".")
	for strings.HasPrefix(name, "_") {
		i := strings.IndexByte(name, '.')
		if i < 0 {
			return ""
		}
		name = name[i+1:]
	}
	return name
}
