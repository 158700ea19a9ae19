package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/failure"
)

// party is who a failure concerns, as the sentence names them: a contact
// ("Bob") or the user's server.
type party struct {
	name   string // "Bob", "example.org"
	server bool
}

func peerParty(name string) party   { return party{name: name} }
func serverParty(name string) party { return party{name: name, server: true} }

// failureWords is the one place a failure becomes a sentence: what
// happened and what the user can do. It never contains the raw text.
func failureWords(f failure.Failure, p party) string {
	who, whose := p.name, p.name+"'s Parley"
	if p.server {
		who, whose = "the server "+p.name, "the server "+p.name
		if p.name == "" {
			who, whose = "the server", "the server"
		}
	}
	switch f.Kind {
	case failure.Refused:
		if p.server {
			return capital(whose) + " is not accepting connections. Check the server address and port."
		}
		return whose + " is not running or not reachable. Try again when they are online."
	case failure.Unreachable:
		return capital(who) + " cannot be reached. Check your network connection."
	case failure.NoAnswer:
		return capital(whose) + " did not answer. Check your network connection, or try again later."
	case failure.NoServer:
		if f.Host != "" {
			return f.Host + " has no SIP server. Check the address."
		}
		return "The address's domain has no SIP server. Check the address."
	case failure.Certificate:
		if !p.server {
			return p.name + "'s certificate is not trusted: " + certWords(f.Cert) + ". Check their address."
		}
		return "The certificate of " + strings.TrimPrefix(who, "the server ") + " is not trusted: " + certWords(f.Cert) + ". Check the server address, or ask its administrator."
	case failure.WrongPassword:
		return "Wrong user name or password. Check both."
	case failure.AuthFailed:
		return "Parley cannot answer the server's sign-in challenge. Ask the server's administrator which methods it takes."
	case failure.NoSuchUser:
		return "There is no such user. Check the address."
	case failure.Forbidden:
		return "The server does not allow this. Check your account's settings."
	case failure.Declined:
		return capital(who) + " declined."
	case failure.NotOnline:
		return capital(who) + " is not online. Try again later."
	case failure.Busy:
		return capital(who) + " is busy. Try again later."
	case failure.Unavailable:
		return "The service is unavailable for a while. Try again later."
	case failure.Unsupported:
		return capital(whose) + " cannot take this kind of message."
	case failure.TooLarge:
		return "It is too large to send. Send a shorter message."
	case failure.BadAddress:
		return "The address is not valid. Check it."
	case failure.Closed:
		return "Parley was shutting down. Try again."
	case failure.Refusal:
		return "It was refused (code " + itoa(f.Code) + "). See Details."
	case failure.ServerError:
		if !p.server {
			return whose + " or their server had a problem (code " + itoa(f.Code) + "). Try again later."
		}
		return capital(who) + " had a problem (code " + itoa(f.Code) + "). Try again later."
	case failure.Rejected:
		return capital(who) + " refused it (code " + itoa(f.Code) + ")."
	}
	return "Something went wrong. See Details."
}

func certWords(c failure.CertProblem) string {
	switch c {
	case failure.CertExpired:
		return "it has expired or is not yet valid"
	case failure.CertUnknownIssuer:
		return "it is signed by an authority this computer does not trust"
	case failure.CertWrongName:
		return "it was issued for another name"
	}
	return "it does not check out"
}

// failureWrapWidth is the narrowest a failure's words ask to be.
const failureWrapWidth = 200

// failureLine is a failure shown in words, word-wrapped, with the raw
// detail one click away behind Details.
type failureLine struct {
	words   *wrappedLabel
	details *widget.Button
	detail  string
	box     *fyne.Container
}

func newFailureLine(win func() fyne.Window) *failureLine {
	fl := &failureLine{words: wrapLabel("")}
	fl.words.minWidth = failureWrapWidth // leaves room for Details in a narrow window
	fl.words.Importance = widget.DangerImportance
	fl.details = widget.NewButton("Details", func() { showDetail(fl.detail, win()) })
	fl.details.Importance = widget.LowImportance
	fl.box = container.NewBorder(nil, nil, nil, fl.details, fl.words)
	return fl
}

// set shows words, and detail behind Details when there is one.
func (fl *failureLine) set(words, detail string) {
	fl.words.SetText(words)
	fl.detail = detail
	fl.details.Hidden = detail == "" || detail == words
	fl.box.Refresh()
}

// showDetail shows the raw text of a failure, selectable to copy.
func showDetail(detail string, win fyne.Window) {
	if win == nil {
		return
	}
	e := widget.NewMultiLineEntry()
	e.SetText(detail)
	e.Wrapping = fyne.TextWrapBreak
	showClosable("Details", e, fyne.NewSize(400, 220), win)
}

// capital starts s with a capital letter.
func capital(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// subscriptionProblem is why a contact's status is not known, in words.
func subscriptionProblem(ev sipclient.SubscriptionChanged, name string) string {
	switch {
	case ev.State == sipclient.SubFailed && (ev.Code == 403 || ev.Code == 603):
		return capital(name) + " does not let you see their status."
	case ev.State == sipclient.SubFailed:
		return failureWords(failure.FromStatus(ev.Code, ev.Reason), peerParty(name))
	case ev.State == sipclient.SubTerminated && ev.Reason == "rejected":
		return capital(name) + " does not let you see their status."
	case ev.State == sipclient.SubTerminated && ev.Reason != "":
		return capital(name) + " stopped sharing their status."
	case ev.State == sipclient.SubPending:
		return "Waiting for " + name + " to let you see their status."
	}
	return ""
}

// subscriptionDetail is the core's text behind subscriptionProblem.
func subscriptionDetail(ev sipclient.SubscriptionChanged) string {
	if ev.State != sipclient.SubFailed && ev.State != sipclient.SubTerminated {
		return ""
	}
	return failure.FromStatus(ev.Code, ev.Reason).Detail
}

// diagnosticWords says in words what a diagnostic is about; its Detail is
// the core's text, kept for Details.
func diagnosticWords(ev sipclient.Diagnostic) string {
	switch ev.What {
	case sipclient.WhatHistory:
		return "Your message history cannot be written now; messages are kept in memory until Parley quits."
	case sipclient.WhatPresenceRules:
		return "The server did not store who may see your status; people may be asked again."
	case sipclient.WhatWatcherList:
		return "The server's list of who watches your status could not be read."
	case sipclient.WhatRoster:
		return "Your contacts could not be synchronised with the server; they are kept here and sent again at the next change."
	case "presence document":
		return "Their status could not be read."
	case "notify":
		return "Your status could not be sent to them."
	case "message":
		return "A message from them could not be taken."
	case "oversize MESSAGE":
		return "They sent a message too large to take."
	case "call":
		return "A call from them could not be taken."
	}
	return "Something went wrong with " + ev.What + ". See Details."
}

// showFailure tells a failure in a dialog: words, and the raw detail
// behind Details.
func showFailure(win fyne.Window, title, words, detail string) {
	fl := newFailureLine(func() fyne.Window { return win })
	fl.set(words, detail)
	showClosable(title, fl.box, fyne.NewSize(360, 0), win)
}
