package ui

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/account"
)

// contactForm is the add/edit contact form. It validates as the user types
// and says in words what is wrong with the address.
type contactForm struct {
	uri, name, group *keyEntry
	problem          *widget.Label
	content          fyne.CanvasObject
	keys             *dialogKeys // Enter saves, Escape cancels
}

func newContactForm(c account.Contact) *contactForm {
	keys := &dialogKeys{}
	f := &contactForm{uri: newKeyEntry(keys), name: newKeyEntry(keys), group: newKeyEntry(keys), problem: widget.NewLabel(""), keys: keys}
	f.uri.SetPlaceHolder("sip:alice@example.com")
	f.uri.SetText(c.URI)
	f.name.SetText(c.Name)
	f.group.SetText(c.Group)
	f.problem.Importance = widget.DangerImportance
	f.problem.Wrapping = fyne.TextWrapWord
	f.uri.OnChanged = func(string) { f.check() }
	form := widget.NewForm(
		widget.NewFormItem("Address", f.uri),
		widget.NewFormItem("Name", f.name),
		widget.NewFormItem("Group", f.group),
	)
	f.content = container.NewVBox(form, f.problem)
	return f
}

// check validates the address and shows the reason; it returns the
// contact when valid.
func (f *contactForm) check() (account.Contact, error) {
	c, err := account.NewContact(f.uri.Text, f.name.Text, f.group.Text)
	if err != nil {
		f.problem.SetText(err.Error())
		return c, err
	}
	f.problem.SetText("")
	return c, nil
}

func (a *App) showAddContact() { a.addContactDialog(account.Contact{}, "", nil) }

// addContactDialog offers to add c (empty: a blank form), with intro
// above the form when given; then runs with the contact added.
func (a *App) addContactDialog(c account.Contact, intro string, then func(*contactState)) {
	f := newContactForm(c)
	content := f.content
	if intro != "" {
		content = container.NewVBox(wrapLabel(intro), f.content)
	}
	d := newKeyDialog("Add contact", "Add", "Cancel", content, f.keys, func() bool {
		if a.addContact(f) != nil {
			return false
		}
		if added, _ := f.check(); then != nil && a.contacts[added.ID] != nil {
			then(a.contacts[added.ID])
		}
		return true
	}, nil, a.win)
	d.Resize(fyne.NewSize(360, 220))
	d.showFocused(f.uri)
}

// addContact adds the form's contact to the roster, saves it and starts
// watching it. Errors are shown in the form.
func (a *App) addContact(f *contactForm) error {
	c, err := a.addToBook(f)
	if err != nil {
		return err
	}
	a.subscribe(c.URI)
	a.refreshRoster()
	return nil
}

// readdressContact gives c the form's address, the same person written
// otherwise: the book and the roster take it, and the watch moves in
// order (the old one ended, then the new one), off the Fyne thread. Were
// the two left to race, the new watch could be a no-op beside the old one
// that then ends, leaving the contact unwatched.
func (a *App) readdressContact(c *contactState, f *contactForm) bool {
	if err := a.book.Remove(c.ID); err != nil && !errors.Is(err, account.ErrNoContact) {
		a.bookSaved(err)
	}
	delete(a.contacts, c.ID)
	added, err := a.addToBook(f)
	if err != nil { // the old one goes back: the form says why
		if old, err := a.book.Add(c.Contact); err == nil || errors.Is(err, account.ErrNotSaved) {
			a.addContactState(old)
		}
		a.refreshRoster()
		return false
	}
	a.bg(func() {
		_ = a.core.Unsubscribe(a.ctx, c.ID) // ErrNotFound: it was not watched
		if err := a.core.Subscribe(a.ctx, added.URI); err != nil {
			fyne.Do(func() { a.watchFailed(added.URI, err) })
		}
	})
	a.refreshRoster()
	return true
}

// addToBook adds the form's contact to the book and the roster's state.
func (a *App) addToBook(f *contactForm) (account.Contact, error) {
	c, err := f.check()
	if err != nil {
		return c, err
	}
	c, err = a.book.Add(c) // also lifts a block: adding is wanting their messages
	if errors.Is(err, account.ErrDuplicate) {
		f.problem.SetText(c.URI + " is already in your contacts")
		return c, err
	}
	if err != nil && !errors.Is(err, account.ErrNotSaved) {
		f.problem.SetText(err.Error())
		return c, err
	}
	a.bookSaved(err)
	a.addContactState(c)
	return c, nil
}

func (a *App) showEditContact(c *contactState) {
	f := newContactForm(c.Contact)
	d := newKeyDialog("Edit contact", "Save", "Cancel", f.content, f.keys, func() bool { return a.saveContact(c, f) }, nil, a.win)
	d.Resize(fyne.NewSize(360, 220))
	d.showFocused(f.uri)
}

// saveContact applies the edit form to c; false keeps the form open,
// saying what is wrong.
func (a *App) saveContact(c *contactState, f *contactForm) bool {
	nc, err := f.check()
	if err != nil {
		return false
	}
	if nc.ID != c.ID {
		// Another person: the new one goes in first, so a refusal (already
		// a contact) leaves the old one where it was.
		if a.addContact(f) != nil {
			return false
		}
		a.removeContact(c)
		return true
	}
	if nc.URI != c.URI { // the same person written otherwise (a transport)
		return a.readdressContact(c, f)
	}
	updated, err := a.book.Update(c.ID, nc.Name, nc.Group)
	a.bookSaved(err)
	c.Name, c.Group = updated.Name, updated.Group
	a.refreshRoster()
	return true
}

func (a *App) confirmRemove(c *contactState) {
	showConfirm("Remove contact", "Remove "+c.displayName()+" ("+c.ID.String()+") from your contacts?", "Remove",
		func() { a.removeContact(c) }, a.win)
}

func (a *App) removeContact(c *contactState) {
	if err := a.book.Remove(c.ID); !errors.Is(err, account.ErrNoContact) {
		a.bookSaved(err)
	}
	delete(a.contacts, c.ID)
	go a.core.Unsubscribe(a.ctx, c.ID) // network: off the Fyne thread
	a.refreshRoster()
}
