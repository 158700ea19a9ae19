package ui

import (
	"image/color"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

// pressKey types k into c as the desktop driver does: to the focused
// widget, or to the canvas when nothing has focus.
func pressKey(c fyne.Canvas, k fyne.KeyName) {
	ev := &fyne.KeyEvent{Name: k}
	if f := c.Focused(); f != nil {
		f.TypedKey(ev)
		return
	}
	if h := c.OnTypedKey(); h != nil {
		h(ev)
	}
}

// focusedEntry is the entry with the focus in c, or fails t.
func focusedEntry(t *testing.T, c fyne.Canvas) *keyEntry {
	t.Helper()
	e, ok := c.Focused().(*keyEntry)
	if !ok {
		t.Fatalf("focus on %T, want a field", c.Focused())
	}
	return e
}

// Add contact from the keyboard: Ctrl+N opens it with the address
// focused, Enter adds only a valid address, Escape closes without adding.
func TestAddContactByKeyboard(t *testing.T) {
	a, _, _ := newTestApp(t)
	c := a.win.Canvas()
	a.filter.TypedShortcut(shortcutAdd)
	if topOverlay(a.win) == nil {
		t.Fatal("Ctrl+N opened no dialog")
	}
	test.Type(focusedEntry(t, c), "not an address")
	pressKey(c, fyne.KeyReturn)
	if topOverlay(a.win) == nil || len(a.contacts) != 3 {
		t.Fatalf("Enter on an invalid address closed the dialog or added: %d contacts", len(a.contacts))
	}
	focusedEntry(t, c).SetText("sip:gauss@goettingen.de")
	c.FocusNext() // Name
	test.Type(focusedEntry(t, c), "Gauss")
	pressKey(c, fyne.KeyReturn)
	if topOverlay(a.win) != nil {
		t.Fatal("Enter on a valid form left the dialog open")
	}
	if g := a.contacts[pid("sip:gauss@goettingen.de")]; g == nil || g.Name != "Gauss" {
		t.Fatalf("contact not added: %v", g)
	}

	a.showAddContact()
	test.Type(focusedEntry(t, c), "sip:riemann@goettingen.de")
	pressKey(c, fyne.KeyEscape)
	if topOverlay(a.win) != nil || a.contacts[pid("sip:riemann@goettingen.de")] != nil {
		t.Error("Escape did not close the dialog, or added the contact")
	}
}

// Edit contact focuses the address; Enter saves; Escape from a button
// cancels, and so does Escape with nothing focused.
func TestEditContactByKeyboard(t *testing.T) {
	a, _, _ := newTestApp(t)
	c := a.win.Canvas()
	euler := a.contacts[pid(euler)]
	a.showEditContact(euler)
	if e := focusedEntry(t, c); e.Text != euler.URI {
		t.Fatalf("focus on %q, want the address", e.Text)
	}
	c.FocusNext()
	focusedEntry(t, c).SetText("Leonhard Euler")
	pressKey(c, fyne.KeyReturn)
	if topOverlay(a.win) != nil || euler.Name != "Leonhard Euler" {
		t.Fatalf("Enter did not save: dialog %v, name %q", topOverlay(a.win) != nil, euler.Name)
	}
	a.showEditContact(euler)
	focusedEntry(t, c).SetText("sip:someone@else.org")
	c.Unfocus()
	pressKey(c, fyne.KeyEscape)
	if topOverlay(a.win) != nil || a.contacts[pid("sip:someone@else.org")] != nil {
		t.Error("Escape with nothing focused did not cancel")
	}
}

// A confirmation has its confirm button focused: Escape keeps the
// contact, Enter removes it.
func TestConfirmationByKeyboard(t *testing.T) {
	a, _, _ := newTestApp(t)
	c := a.win.Canvas()
	euler := a.contacts[pid(euler)]
	a.confirmRemove(euler)
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Remove" {
		t.Fatalf("focus on %v, want Remove", c.Focused())
	}
	pressKey(c, fyne.KeyEscape)
	if topOverlay(a.win) != nil || a.contacts[pid(euler.URI)] == nil {
		t.Fatal("Escape did not cancel")
	}
	a.confirmRemove(euler)
	pressKey(c, fyne.KeyReturn)
	if topOverlay(a.win) != nil || a.contacts[pid(euler.URI)] != nil {
		t.Error("Enter did not remove")
	}
}

// Accounts: Add account… has the focus; Enter opens the form with the
// address focused; Enter saves a valid form; Escape goes back from the
// form and closes the window from the list.
func TestAccountsByKeyboard(t *testing.T) {
	svc := &fakeAccounts{}
	a, w := openAccounts(t, svc)
	c := w.win.Canvas()
	if c.Focused() != w.addBtn {
		t.Fatalf("focus on %v, want Add account…", c.Focused())
	}
	pressKey(c, fyne.KeyReturn)
	if w.form == nil || c.Focused() != w.form.aor {
		t.Fatalf("Enter on Add account…: form %v, focus %v", w.form != nil, c.Focused())
	}
	test.Type(w.form.aor, "sip:alice@parley.test")
	c.FocusNext() // Display name
	pressKey(c, fyne.KeyReturn)
	if len(svc.saves) != 1 || w.form != nil {
		t.Fatalf("Enter did not save: %d saves", len(svc.saves))
	}
	pressKey(c, fyne.KeyReturn) // Add account… has the focus again
	test.Type(w.form.aor, "no address")
	pressKey(c, fyne.KeyReturn)
	if len(svc.saves) != 1 || w.form == nil {
		t.Fatalf("Enter saved an invalid form: %d saves", len(svc.saves))
	}
	pressKey(c, fyne.KeyEscape)
	if w.form != nil || !shows(w.win, "alice@parley.test") {
		t.Fatalf("Escape did not go back to the list: %q", shownTexts(w.win))
	}
	pressKey(c, fyne.KeyEscape)
	if a.accts.win != nil {
		t.Error("Escape did not close the account settings")
	}
}

// Message requests and Privacy open with their first control focused
// and close on Escape.
func TestRequestsAndPrivacyByKeyboard(t *testing.T) {
	a, _, _ := newTestApp(t)
	c := a.win.Canvas()
	stranger := "sip:mallory@evil.example"
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{Peer: pid(stranger), From: stranger, Text: "hi", At: time.Now()}})
	// Close has focus: one Enter (the dialog may come from a notification)
	// lets no stranger in; Tab reaches the first sender's Accept.
	a.showRequests()
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Close" {
		t.Fatalf("requests: focus on %v, want Close", c.Focused())
	}
	pressKey(c, fyne.KeyReturn)
	if a.contacts[pid(stranger)] != nil || topOverlay(a.win) != nil {
		t.Fatal("Enter did not just close the requests")
	}
	a.showRequests()
	for range 10 {
		if b, ok := c.Focused().(*keyButton); ok && b.Text == "Accept" {
			break
		}
		c.FocusNext()
	}
	pressKey(c, fyne.KeyReturn) // Accept
	if a.contacts[pid(stranger)] == nil || topOverlay(a.win) != nil {
		t.Fatal("Enter on Accept, reached with Tab, did not accept")
	}

	a.showPrivacy()
	if ch, ok := c.Focused().(*keyCheck); !ok || ch.Text != "Send typing notifications" {
		t.Fatalf("privacy: focus on %v", c.Focused())
	}
	pressKey(c, fyne.KeyEscape)
	if topOverlay(a.win) != nil {
		t.Error("Escape left Privacy open")
	}
}

// Enter on a roster row opens that contact's chat: Tab reaches the list,
// the arrows move, and the focused row is outlined.
func TestRosterEnterOpensChat(t *testing.T) {
	a, _, _ := newTestApp(t)
	c := a.win.Canvas()
	c.Focus(a.list)
	pressKey(c, fyne.KeyReturn) // row 0 is a group header: nothing opens
	if len(a.chats.convs) > 0 {
		t.Fatal("Enter on a header opened a chat")
	}
	pressKey(c, fyne.KeyDown)
	want := a.rows[1].contact
	if want == nil {
		t.Fatalf("row 1 is not a contact: %+v", a.rows[1])
	}
	if got := outlinedRows(a); len(got) != 1 || got[0] != want.displayName() {
		t.Errorf("outlined rows %q, want %q", got, want.displayName())
	}
	pressKey(c, fyne.KeyReturn)
	if a.chats.convs[want.ID] == nil {
		t.Fatalf("Enter did not open %s's chat", want.displayName())
	}
	c.Unfocus()
	if got := outlinedRows(a); len(got) != 0 {
		t.Errorf("rows outlined without focus: %q", got)
	}
}

// outlinedRows names the roster rows drawn with the focus outline.
func outlinedRows(a *App) []string {
	var out []string
	for _, o := range test.LaidOutObjects(a.list) {
		if it, ok := o.(*rosterItem); ok && it.ring.Visible() {
			out = append(out, it.name.Text)
		}
	}
	return out
}

// Tab goes through the main window as it reads: status menu, note,
// filter, the list, then the buttons below.
func TestTabFollowsVisualOrder(t *testing.T) {
	a, _, _ := newTestApp(t)
	c := a.win.Canvas()
	c.Unfocus()
	var order []fyne.Focusable
	for range 40 { // bounded: the window has fewer controls
		c.FocusNext()
		f := c.Focused()
		if f == nil || (len(order) > 0 && f == order[0]) {
			break
		}
		order = append(order, f)
	}
	pos := func(want fyne.Focusable) int {
		for i, f := range order {
			if f == want {
				return i
			}
		}
		t.Fatalf("Tab never reaches %T", want)
		return -1
	}
	add := func() fyne.Focusable {
		for _, f := range order {
			if b, ok := f.(*widget.Button); ok && b.Text == "Add contact…" {
				return b
			}
		}
		t.Fatal("Tab never reaches Add contact…")
		return nil
	}()
	steps := []int{pos(a.status), pos(a.note), pos(a.filter), pos(a.list), pos(add)}
	for i := 1; i < len(steps); i++ {
		if steps[i] <= steps[i-1] {
			t.Fatalf("Tab order (status, note, filter, list, Add contact) at %v of %d stops", steps, len(order))
		}
	}
}

// The focus mark is plain to see on both themes: a focused button
// differs from a plain one by at least 1.5:1, and the roster's outline
// from the background by at least 3:1 (WCAG's contrast for controls).
func TestFocusVisibleOnBothThemes(t *testing.T) {
	th := focusTheme{theme.DefaultTheme()}
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		button := th.Color(theme.ColorNameButton, v)
		focused := over(th.Color(theme.ColorNameFocus, v), button)
		fyneFocused := over(theme.DefaultTheme().Color(theme.ColorNameFocus, v), button)
		r, ring := contrast(focused, button), contrast(th.Color(theme.ColorNamePrimary, v), th.Color(theme.ColorNameBackground, v))
		t.Logf("variant %d: focused button %.2f:1 (Fyne's own focus colour: %.2f:1), roster outline %.2f:1", v, r, contrast(fyneFocused, button), ring)
		if r < 1.5 {
			t.Errorf("variant %d: a focused button differs by %.2f:1", v, r)
		}
		if ring < 3 {
			t.Errorf("variant %d: the roster outline stands out by %.2f:1", v, ring)
		}
	}
}

// over is c drawn over an opaque bg.
func over(c, bg color.Color) color.Color {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	b := color.NRGBAModel.Convert(bg).(color.NRGBA)
	mix := func(x, y uint8) uint8 { return uint8((int(x)*int(n.A) + int(y)*(255-int(n.A))) / 255) }
	return color.NRGBA{R: mix(n.R, b.R), G: mix(n.G, b.G), B: mix(n.B, b.B), A: 255}
}

// A presence request from the keyboard: Allow has the focus and Enter
// allows; Escape decides nothing, the question waits in Privacy, and
// Answer… there asks it again.
func TestPresenceRequestByKeyboard(t *testing.T) {
	a, core, _ := newTestApp(t)
	c := a.win.Canvas()
	pending := func(uri string) sipclient.Event {
		return sipclient.WatcherChanged{Peer: pid(uri), URI: uri, State: sipclient.WatcherPending}
	}
	a.applyBatch([]sipclient.Event{pending("sip:eve@x.org"), pending("sip:trudy@x.org")})
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Allow" {
		t.Fatalf("focus on %v, want Allow", c.Focused())
	}
	pressKey(c, fyne.KeyEscape) // eve: put off
	if _, decided := core.decisions["sip:eve@x.org"]; decided || a.book.WatcherDecision(pid("sip:eve@x.org")) != sipclient.Ask {
		t.Fatalf("Escape decided for the user: %v", core.decisions)
	}
	if top := topOverlay(a.win); top == nil || !onScreen(top, "sip:trudy@x.org wants to see") {
		t.Fatal("the next question is not on screen after Escape")
	}
	pressKey(c, fyne.KeyReturn) // trudy: Allow
	if core.decisions["sip:trudy@x.org"] != sipclient.Allow || topOverlay(a.win) != nil {
		t.Fatalf("Enter did not allow: %v", core.decisions)
	}
	a.applyBatch([]sipclient.Event{pending("sip:eve@x.org")}) // a refresh: not asked again at once
	if topOverlay(a.win) != nil {
		t.Fatal("a put-off question came back by itself")
	}
	a.showPrivacy()
	if !onScreen(topOverlay(a.win), "Waiting for your answer") {
		t.Fatalf("Privacy does not offer the put-off question: %q", textsOnScreen(topOverlay(a.win)))
	}
	tapButton(t, topOverlay(a.win), "Answer…")
	q := topOverlay(a.win)
	if !onScreen(q, "sip:eve@x.org wants to see") {
		t.Fatalf("Answer… did not ask again: %q", textsOnScreen(q))
	}
	tapButton(t, q, "Block")
	if core.decisions["sip:eve@x.org"] != sipclient.Block {
		t.Errorf("Block not applied: %v", core.decisions)
	}
}

// Details, Presence details and the delete confirmation: the keyboard
// reaches them at once; Escape closes without acting.
func TestInfoDialogsByKeyboard(t *testing.T) {
	a, _, _ := newTestApp(t)
	c := a.win.Canvas()
	showDetail("503 raw detail", a.win)
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Close" {
		t.Fatalf("Details: focus on %v, want Close", c.Focused())
	}
	pressKey(c, fyne.KeyEscape)
	if topOverlay(a.win) != nil {
		t.Fatal("Escape left Details open")
	}
	a.showDiagnostics(a.contacts[pid(euler)])
	if b, ok := c.Focused().(*keyButton); !ok || b.Text != "Close" {
		t.Fatalf("Presence details: focus on %v, want Close", c.Focused())
	}
	pressKey(c, fyne.KeyReturn)
	if topOverlay(a.win) != nil {
		t.Fatal("Enter on Close left Presence details open")
	}
	a.openSIPLink("sip:stranger@127.0.0.1", a.win) // a link in a message to a stranger
	if top := topOverlay(a.win); top == nil || !onScreen(top, "is not in your contacts") {
		t.Fatal("no dialog for a stranger's link")
	}
	pressKey(c, fyne.KeyEscape)
	if topOverlay(a.win) != nil {
		t.Error("Escape left Not in your contacts open")
	}
}

// Changing a contact's address to one already in the contacts is refused
// in the form, and the contact edited is still there.
func TestEditContactToExistingKeepsOld(t *testing.T) {
	a, _, _ := newTestApp(t)
	e := a.contacts[pid(euler)]
	a.showEditContact(e)
	c := a.win.Canvas()
	focusedEntry(t, c).SetText(laplace)
	pressKey(c, fyne.KeyReturn)
	if topOverlay(a.win) == nil {
		t.Fatal("the form closed on an address already in the contacts")
	}
	if _, ok := a.book.Contact(pid(euler)); !ok || a.contacts[pid(euler)] == nil {
		t.Error("the contact being edited was removed")
	}
	if !strings.Contains(strings.Join(textsOnScreen(topOverlay(a.win)), " "), "already in your contacts") {
		t.Errorf("no reason shown: %q", textsOnScreen(topOverlay(a.win)))
	}
}

// Writing a contact's address otherwise (a transport) keeps them watched:
// the old watch ends before the new one starts, in that order.
func TestEditContactTransportKeepsWatch(t *testing.T) {
	a, core, _ := newTestApp(t)
	e := a.contacts[pid(euler)]
	a.showEditContact(e)
	c := a.win.Canvas()
	focusedEntry(t, c).SetText(euler + ";transport=tcp")
	pressKey(c, fyne.KeyReturn)
	if topOverlay(a.win) != nil {
		t.Fatal("the form stayed open")
	}
	core.mu.Lock()
	calls := slices.Clone(core.watchCalls)
	core.mu.Unlock()
	n := len(calls)
	if n < 2 || calls[n-2] != "-"+pid(euler).String() || calls[n-1] != "+"+euler+";transport=tcp" {
		t.Errorf("watch calls %q: want the old ended, then the new started", calls)
	}
	if got, ok := a.book.Contact(pid(euler)); !ok || got.URI != euler+";transport=tcp" || a.contacts[pid(euler)] == nil {
		t.Errorf("book has %+v", got)
	}
}
