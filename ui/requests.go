package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// The request list is bounded, since anyone can write in direct mode: a
// flood of messages or of senders would otherwise grow memory and the
// requests window without end. Every message is in the history all the
// same (the core stores it before answering), so accepting a sender later
// still shows the whole conversation.
const (
	maxRequestMsgs    = 20  // newest messages kept per sender
	maxRequestSenders = 100 // senders listed; the oldest request goes first
)

// requestStore keeps messages from addresses not in the roster until the
// user accepts, ignores or blocks the sender.
type requestStore struct {
	order   []identity.ID
	msgs    map[identity.ID][]sipclient.MessageReceived
	count   map[identity.ID]int // messages per sender, kept or not
	dropped int                 // senders taken off the list to bound it
}

func newRequestStore() *requestStore {
	return &requestStore{msgs: map[identity.ID][]sipclient.MessageReceived{}, count: map[identity.ID]int{}}
}

func (r *requestStore) add(key identity.ID, m sipclient.MessageReceived) {
	if _, ok := r.msgs[key]; !ok {
		if len(r.order) >= maxRequestSenders {
			r.drop(r.order[0])
			r.dropped++
		}
		r.order = append(r.order, key)
	}
	r.count[key]++
	kept := append(r.msgs[key], m)
	r.msgs[key] = kept[max(0, len(kept)-maxRequestMsgs):]
}

func (r *requestStore) drop(key identity.ID) []sipclient.MessageReceived {
	m := r.msgs[key]
	delete(r.msgs, key)
	delete(r.count, key)
	for i, k := range r.order {
		if k == key {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
	return m
}

// receive routes an incoming message: contacts get their chat; strangers
// land in message requests. The core drops blocked senders' messages,
// asking the same book; one that was already on its way when the user
// chose Block is dropped here.
func (a *App) receive(m sipclient.MessageReceived) bool {
	key := m.Peer
	if a.book.SenderBlocked(key) {
		return false
	}
	if c := a.contacts[key]; c != nil {
		a.chats.incoming(c, m)
		return true
	}
	a.requests.add(key, m)
	a.updateRequestsButton()
	if !a.inFront {
		title := "Message request"
		if m.ContentType == sipclient.ContentTypeMissedCall {
			title = "Missed call"
		}
		a.notify(title, "From "+m.From+" (not in your contacts)", noticeRequests)
	}
	return false
}

func (a *App) updateRequestsButton() {
	a.updateTray()
	n := len(a.requests.order)
	if n == 0 {
		a.reqBtn.Hide()
		return
	}
	a.reqBtn.SetText("Message requests (" + itoa(n) + ")")
	a.reqBtn.Show()
}

// showRequests lists strangers' messages with the full address, since a
// display name proves nothing in direct mode.
func (a *App) showRequests() {
	box := container.NewVBox()
	if n := a.requests.dropped; n > 0 {
		box.Add(wrapLabel(itoa(n) + " older requests were taken off this list to keep it short; their messages are in your history (Search all messages)."))
	}
	keys := &dialogKeys{}
	var d *keyDialog
	for _, key := range a.requests.order {
		card, _ := a.requestCard(key, keys, func() { d.Hide(); a.showRequestsIfAny() })
		box.Add(card)
	}
	d = newKeyDialog("Message requests", "", "Close", container.NewVScroll(box), keys, nil, nil, a.win)
	d.Resize(fyne.NewSize(420, 400))
	// Close has focus, not the first sender's Accept: the dialog may come
	// from a notification's click, and one Enter must not let a stranger
	// in. Tab reaches Accept.
	d.showFocused(nil)
}

func (a *App) showRequestsIfAny() {
	if len(a.requests.order) > 0 {
		a.showRequests()
	}
}

// requestCard is one sender's messages with Accept, Ignore and Block;
// it returns Accept too, the dialog's first field.
func (a *App) requestCard(key identity.ID, keys *dialogKeys, done func()) (fyne.CanvasObject, *keyButton) {
	msgs := a.requests.msgs[key]
	head := widget.NewLabelWithStyle(msgs[len(msgs)-1].From, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Wrapping = fyne.TextWrapBreak // the full address, which proves who it is: broken, never cut
	lines := container.NewVBox(head)
	if name := oneLine(msgs[0].FromName, nameRunes); name != "" {
		lines.Add(wrapLabel("calls themselves “" + name + "”"))
	}
	if earlier := a.requests.count[key] - len(msgs); earlier > 0 {
		lines.Add(wrapLabel("… " + itoa(earlier) + " earlier messages (in the chat once you accept)"))
	}
	for _, m := range msgs {
		text := breakLongParagraphs(m.Text)
		if m.ContentType == sipclient.ContentTypeMissedCall {
			text = "Missed call"
		}
		t := widget.NewLabel(clock(m.At) + "  " + text)
		t.Wrapping = fyne.TextWrapWord
		lines.Add(t)
	}
	accept := newKeyButton("Accept", func() { a.acceptRequest(key); done() }, keys)
	ignore := newKeyButton("Ignore", func() { a.requests.drop(key); a.updateRequestsButton(); done() }, keys)
	block := newKeyButton("Block", func() { a.blockSender(key); done() }, keys)
	lines.Add(container.NewHBox(accept, ignore, block))
	return widget.NewCard("", "", lines), accept
}

// acceptRequest adds the sender as a contact and moves their messages into
// a chat.
func (a *App) acceptRequest(key identity.ID) {
	msgs := a.requests.drop(key)
	a.updateRequestsButton()
	newest := msgs[len(msgs)-1]
	c, err := a.book.Add(account.Contact{URI: newest.From, Name: oneLine(newest.FromName, nameRunes)})
	switch {
	case errors.Is(err, account.ErrDuplicate):
		c, _ = a.book.Contact(key)
	case errors.Is(err, account.ErrNotSaved):
		a.bookSaved(err)
	case err != nil:
		a.showProblemDetail("The contact could not be added.", err.Error())
		return
	}
	cs := a.contacts[c.ID]
	if cs == nil {
		cs = a.addContactState(c)
		a.subscribe(c.URI)
	}
	for _, m := range msgs {
		a.chats.incoming(cs, m)
	}
	a.chats.flush()
	a.refreshRoster()
}

func (a *App) blockSender(key identity.ID) {
	a.requests.drop(key)
	a.updateRequestsButton()
	a.bookSaved(a.book.Block(key)) // the core drops their next messages
}
