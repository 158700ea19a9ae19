package account

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

// Contact is one person in the contact book.
type Contact struct {
	// ID is who the contact is: the key everywhere. It is made from URI
	// when the book takes the contact in; the file keeps only URI.
	ID identity.ID `json:"-"`
	// URI is the address to reach them as the user gave it, which may
	// say how (sips:, ;transport=tcp): sip:user@host[:port][;transport=x].
	URI   string `json:"uri"`
	Name  string `json:"name,omitempty"`
	Group string `json:"group,omitempty"`
}

// ErrDuplicate is returned when adding someone already in the book.
var ErrDuplicate = errors.New("account: contact already in the contact book")

// ErrNoContact is returned for a change to someone not in the book.
var ErrNoContact = errors.New("account: no such contact")

// ErrNotSaved is matched by the error of a change that was made, and
// holds for this session, but could not be written to disk.
var ErrNotSaved = errors.New("account: contact book not saved")

// Book is the user's contact book: contacts and their groups, the senders
// the user blocked, and the user's answers about who may watch their
// presence. It is the one copy of all of that: the UI calls its methods,
// the SIP core reads it (it is a sipclient.Book), and every change is
// saved at once, atomically, to roster.json. It is safe for concurrent
// use.
type Book struct {
	mu       sync.RWMutex
	path     string // "" keeps the book in memory (parley-cli without --roster)
	contacts []Contact
	index    map[identity.ID]int // into contacts
	watchers map[identity.ID]sipclient.Decision
	blocked  map[identity.ID]bool
	stranger sipclient.Decision
	kept     keptEntries // read from the file but unusable: written back as they were

	observers bookObservers // told of the user's changes (book_sync.go)
}

var _ sipclient.Book = (*Book)(nil)

// NewMemoryBook is a book that is never saved. stranger is what to do
// with a watcher nobody answered for: Ask, or Allow for open presence.
func NewMemoryBook(stranger sipclient.Decision) *Book {
	return &Book{index: map[identity.ID]int{}, watchers: map[identity.ID]sipclient.Decision{},
		blocked: map[identity.ID]bool{}, stranger: stranger}
}

// Contacts returns the contacts in the order they were added.
func (b *Book) Contacts() []Contact {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return slices.Clone(b.contacts)
}

// Contact returns the contact who is id.
func (b *Book) Contact(id identity.ID) (Contact, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if i, ok := b.index[id]; ok {
		return b.contacts[i], true
	}
	return Contact{}, false
}

// NewContact checks what the user typed as a contact's address, name and
// group, and returns the contact, or an error that says in words what is
// wrong with the address.
func NewContact(address, name, group string) (Contact, error) {
	uri, err := NormalizeAddress(address)
	if err != nil {
		return Contact{}, err
	}
	id, err := identity.Parse(uri)
	if err != nil {
		return Contact{}, fmt.Errorf("%q is not a SIP address: use the form sip:user@host", address)
	}
	return Contact{ID: id, URI: uri, Name: strings.TrimSpace(name), Group: strings.TrimSpace(group)}, nil
}

// Add adds a contact (see NewContact) and saves the book. Adding someone
// is wanting their messages, so a block on them is lifted. The contact is
// added even when saving fails; the error says the book is not on disk.
func (b *Book) Add(c Contact) (Contact, error) {
	c, err := NewContact(c.URI, c.Name, c.Group)
	if err != nil {
		return c, err
	}
	defer b.notify() // after the unlock below
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.index[c.ID]; ok {
		return c, ErrDuplicate
	}
	b.index[c.ID] = len(b.contacts)
	b.contacts = append(b.contacts, c)
	delete(b.blocked, c.ID)
	return c, b.saveLocked()
}

// Update sets a contact's name and group and saves the book.
func (b *Book) Update(id identity.ID, name, group string) (Contact, error) {
	defer b.notify() // after the unlock below
	b.mu.Lock()
	defer b.mu.Unlock()
	i, ok := b.index[id]
	if !ok {
		return Contact{}, ErrNoContact
	}
	b.contacts[i].Name, b.contacts[i].Group = strings.TrimSpace(name), strings.TrimSpace(group)
	return b.contacts[i], b.saveLocked()
}

// Remove drops a contact and saves the book.
func (b *Book) Remove(id identity.ID) error {
	defer b.notify() // after the unlock below
	b.mu.Lock()
	defer b.mu.Unlock()
	i, ok := b.index[id]
	if !ok {
		return ErrNoContact
	}
	b.contacts = slices.Delete(b.contacts, i, i+1)
	b.reindexLocked()
	return b.saveLocked()
}

// Block silences a sender for good: the core answers their messages but
// neither stores nor shows them. Saved at once.
func (b *Book) Block(id identity.ID) error {
	return b.change(func() { b.blocked[id] = true })
}

// Unblock lets a sender's messages through again. Saved at once.
func (b *Book) Unblock(id identity.ID) error {
	return b.change(func() { delete(b.blocked, id) })
}

// Blocked lists the blocked senders, sorted.
func (b *Book) Blocked() []identity.ID {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]identity.ID, 0, len(b.blocked))
	for id := range b.blocked {
		out = append(out, id)
	}
	slices.SortFunc(out, func(x, y identity.ID) int { return strings.Compare(x.String(), y.String()) })
	return out
}

// AnswerWatcher remembers the user's answer about who may see their
// presence: Allow, or Block (they see the user offline). Saved at once.
// The core asks the book for every new subscription; tell it too
// (Client.AuthorizeWatcher) for the subscriptions already there.
func (b *Book) AnswerWatcher(id identity.ID, d sipclient.Decision) error {
	if d == sipclient.Ask {
		return b.change(func() { delete(b.watchers, id) })
	}
	return b.change(func() { b.watchers[id] = d })
}

// WatcherAnswers returns the remembered answers about watchers.
func (b *Book) WatcherAnswers() map[identity.ID]sipclient.Decision {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make(map[identity.ID]sipclient.Decision, len(b.watchers))
	for id, d := range b.watchers {
		out[id] = d
	}
	return out
}

// WatcherDecision is the sipclient.Book check: a remembered answer wins,
// then contacts may watch, then the answer for strangers.
func (b *Book) WatcherDecision(id identity.ID) sipclient.Decision {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if d, ok := b.watchers[id]; ok {
		return d
	}
	if _, ok := b.index[id]; ok {
		return sipclient.Allow
	}
	return b.stranger
}

// SenderBlocked is the sipclient.Book check for a blocked sender.
func (b *Book) SenderBlocked(id identity.ID) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.blocked[id]
}

// IsContact is the sipclient.Book check for a contact.
func (b *Book) IsContact(id identity.ID) bool {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, ok := b.index[id]
	return ok
}

// Path is the file the book is saved to; "" for a book in memory.
func (b *Book) Path() string { return b.path }

// change applies f under the lock and saves.
func (b *Book) change(f func()) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	f()
	return b.saveLocked()
}

func (b *Book) reindexLocked() {
	clear(b.index)
	for i, c := range b.contacts {
		b.index[c.ID] = i
	}
}

// StrangerPerSender is how many messages a minute the app stores from each
// stranger (a sender not in the book); ten times as many from all of them
// together. A person types far less; a flood beyond gets 503 with
// Retry-After and is sent again later. Contacts are never limited.
const StrangerPerSender = 30

// StrangerLimit is the core option that bounds strangers' messages to
// perSender a minute each and ten times that from all of them, asking the
// book who is a contact.
func StrangerLimit(perSender int) sipclient.Option {
	return sipclient.WithStrangerLimit(perSender, 10*perSender)
}
