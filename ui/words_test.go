package ui

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
)

// rawMarks are pieces of library and protocol text that must never reach
// a label's main line.
var rawMarks = []string{"transcation", "transaction", "dial tcp", "dial udp", "<nil>", "err=", "x509", "sipclient:",
	"lookup", "no such host", "deadline exceeded", "i/o timeout", "Transport<", "connect:", "refused:"}

func rawIn(s string) string {
	for _, m := range rawMarks {
		if strings.Contains(strings.ToLower(s), strings.ToLower(m)) {
			return m
		}
	}
	return ""
}

// closedPortDial is a real refused connection: a dial to a port on
// 127.0.0.1 nothing listens on.
func closedPortDial(t *testing.T) error {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		t.Fatal("dial to a closed port went through")
	}
	return err
}

// rawFailures are the texts the core's events and the history carry, as
// they were seen on screen (sipgo's typo included), and real errors.
func rawFailures(t *testing.T) []error {
	errs := []error{
		closedPortDial(t),
		errors.New("MESSAGE to 127.0.0.1: client transcation failed to request connection: Transport<TCP> dial err=dial tcp <nil>->127.0.0.1:5090: connect: connection refused"),
		errors.New(`cannot reach the server: fail to lookup SRV for "example.org": lookup _sip._udp.example.org on 127.0.0.53:53: no such host`),
		errors.New(`REGISTER to example.org: SRV resolving failed for "sip.example.org"`),
		errors.New("the server's TLS certificate is not trusted: tls: failed to verify certificate: x509: certificate signed by unknown authority"),
		errors.New("tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time 2026-12-07T03:00:00Z is after 2026-01-01T00:00:00Z"),
		errors.New("x509: certificate is valid for sip.example.org, not example.com"),
		errors.New("SUBSCRIBE to 10.0.0.9: dial udp <nil>->10.0.0.9:5060: connect: network is unreachable"),
		errors.New("read tcp 127.0.0.1:5060->127.0.0.1:5090: i/o timeout"),
		fmt.Errorf("OPTIONS to x: %w", sipclient.ErrNoResponse),
		errors.New("context deadline exceeded"),
		sipclient.ErrClosed, sipclient.ErrInvalidURI, sipclient.ErrBodyTooLarge, sipclient.ErrWrongPassword, sipclient.ErrAuthFailed,
		&sipclient.ResponseError{Method: "REGISTER", Code: 401, Reason: "Unauthorized", Err: sipclient.ErrWrongPassword},
	}
	for _, code := range []int{400, 403, 404, 405, 408, 410, 413, 415, 416, 480, 481, 484, 486, 488, 500, 501, 503, 504, 513, 600, 603, 604, 606} {
		errs = append(errs, &sipclient.ResponseError{Method: "MESSAGE", Code: code, Reason: "Reason Phrase"})
	}
	return errs
}

// Every known failure, from an error or from an event's code and text,
// reaches the user as words: never the library's text, never "something
// went wrong" for a failure Parley knows.
func TestEveryFailureInWords(t *testing.T) {
	parties := []party{peerParty("Bob"), serverParty("example.org")}
	for _, err := range rawFailures(t) {
		var re *sipclient.ResponseError
		code, reason := 503, err.Error()
		if errors.As(err, &re) {
			code, reason = re.Code, re.Reason
		}
		for _, f := range []failure.Failure{failure.Of(err), failure.FromStatus(code, reason), failure.FromStatus(0, err.Error())} {
			for _, p := range parties {
				w := failureWords(f, p)
				if m := rawIn(w); m != "" {
					t.Errorf("%q reads %q (%q is raw)", err, w, m)
				}
				if f.Kind == failure.Unknown {
					t.Errorf("%q not classified: %q", err, w)
				}
				if strings.Contains(w, "Reason Phrase") {
					t.Errorf("%q: the reason phrase is on the main line: %q", err, w)
				}
			}
		}
	}
	if w := failureWords(failure.FromStatus(503, "MESSAGE to 127.0.0.1: client transcation failed to request connection: Transport<TCP> dial err=dial tcp <nil>->127.0.0.1:5090: connect: connection refused"), peerParty("Bob")); w != "Bob's Parley is not running or not reachable. Try again when they are online." {
		t.Errorf("the message to a peer that quit reads %q", w)
	}
	if w := failureWords(failure.FromStatus(0, `fail to lookup SRV for "example.org": lookup _sip._udp.example.org: no such host`), serverParty("example.org")); w != "example.org has no SIP server. Check the address." {
		t.Errorf("SRV failure reads %q", w)
	}
}

// Fed every raw text at once, the main window, a chat, the accounts
// window, Test connection and Presence details show none of it.
func TestNoRawTextOnScreen(t *testing.T) {
	const raw = "MESSAGE to 127.0.0.1: client transcation failed to request connection: Transport<TCP> dial err=dial tcp <nil>->127.0.0.1:5090: connect: connection refused"
	const srv = `cannot reach the server: fail to lookup SRV for "parley.test": lookup _sip._udp.parley.test on 127.0.0.53:53: no such host`
	acc := account.NewAccount("alice", alice)
	svc := &fakeAccounts{accounts: []account.Account{acc}, testErr: errors.New(raw)}
	a, w := openAccounts(t, svc)
	a.subscribe(poisson)
	conv := chatWithSentMessage(a)
	a.applyBatch([]sipclient.Event{
		sipclient.MessageStatus{ID: sent(1), Peer: pid(poisson), Status: sipclient.MsgFailed, Code: 503, Reason: raw, RetryAt: time.Now().Add(33 * time.Second)},
		sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegFailed, Reason: srv, RetryIn: 33 * time.Second},
		sipclient.PublicationChanged{AOR: alice, State: sipclient.PubFailed, Reason: raw},
		sipclient.SubscriptionChanged{Peer: pid(poisson), URI: poisson, State: sipclient.SubFailed, Reason: raw},
		sipclient.Diagnostic{What: sipclient.WhatHistory, Detail: "history is unavailable: open /x: input/output error"},
	})
	f := addAccount(t, w, alice, "pw")
	test.Tap(f.test)
	screens := map[string][]string{
		"main":             shownTexts(a.win),
		"chat":             shownTexts(a.chats.win),
		"accounts":         shownTexts(w.win),
		"presence details": {strings.SplitN(strings.SplitAfter(diagnosticsText(a.contacts[pid(poisson)], time.Now()), "Why: ")[1], "\n", 2)[0]},
	}
	for name, texts := range screens {
		for _, s := range texts {
			if m := rawIn(s); m != "" {
				t.Errorf("%s shows %q (%q is raw)", name, s, m)
			}
		}
	}
	if !onScreen(windowContent(a.chats.win), "Poisson's Parley is not running or not reachable") {
		t.Errorf("chat: %q", screens["chat"])
	}
	if !onScreen(windowContent(a.win), "parley.test has no SIP server") {
		t.Errorf("main: %q", screens["main"])
	}
	if !shows(w.win, "Test failed: The server parley.test is not accepting connections") {
		t.Errorf("accounts: %q", screens["accounts"])
	}
	// The raw text is one click away: Details under the failed message.
	fl := conv.lines[len(conv.lines)-1].row.fail
	if fl == nil || !fl.details.Visible() {
		t.Fatal("no Details under the failed message")
	}
	test.Tap(fl.details)
	if !onScreen(topOverlay(a.chats.win), "transcation") {
		t.Errorf("Details does not show the raw text: %q", textsOnScreen(topOverlay(a.chats.win)))
	}
	if d := diagnosticsText(a.contacts[pid(poisson)], time.Now()); !strings.Contains(d, "Details: "+raw) {
		t.Errorf("the raw text is not one click away in Presence details:\n%s", d)
	}
}

// The account line's "tries again in" counts down, stops when the retry
// is due, and the line goes when the account is disabled.
func TestRegistrationCountsDown(t *testing.T) {
	acc := account.NewAccount("alice", alice)
	svc := &fakeAccounts{accounts: []account.Account{acc}}
	a, w := openAccounts(t, svc)
	now := time.Now()
	a.now = func() time.Time { return now }
	var tick func()
	stopped := false
	a.accts.reg.every = func(_ time.Duration, f func()) func() { tick = f; return func() { stopped = true } }
	a.applyBatch([]sipclient.Event{sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegFailed, Code: 503, Reason: "Service Unavailable", RetryIn: 33 * time.Second}})
	if !shows(a.win, "Parley tries again in 33 s.") || tick == nil {
		t.Fatalf("no countdown: %q", shownTexts(a.win))
	}
	now = now.Add(10 * time.Second)
	tick()
	if !shows(a.win, "Parley tries again in 23 s.") || !shows(w.win, "Parley tries again in 23 s.") {
		t.Errorf("not counted down: main %q, accounts %q", shownTexts(a.win), shownTexts(w.win))
	}
	now = now.Add(30 * time.Second)
	tick()
	if shows(a.win, "tries again in") || !stopped {
		t.Errorf("countdown past its end (stopped %v): %q", stopped, shownTexts(a.win))
	}
	acc.Enabled = false
	svc.accounts = []account.Account{acc}
	w.reload()
	if shows(a.win, "alice@parley.test") {
		t.Errorf("a disabled account keeps its line: %q", shownTexts(a.win))
	}
}

// chatWithSentMessage adds Poisson as a contact, opens the chat and sends
// "Are you there?", the message the fake core names sent(1).
func chatWithSentMessage(a *App) *conversation {
	c, _ := a.book.Add(account.Contact{URI: poisson, Name: "Poisson"})
	a.addContactState(c)
	a.refreshRoster()
	a.openChat(a.contacts[pid(poisson)])
	conv := a.chats.convs[pid(poisson)]
	test.Type(conv.entry, "Are you there?")
	conv.entry.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	return conv
}
