package account

import (
	"slices"
	"sync"

	"github.com/parley-im/parley/sipclient/identity"
)

// bookObservers are told when the user changed the contacts.
type bookObservers struct {
	mu sync.Mutex
	fs map[int]func()
	n  int
}

// OnContactsChanged registers f, called after every Add, Update and
// Remove (outside the book's lock, on the caller's goroutine: f must not
// block). Changes the server roster applies are not reported. The
// returned func unregisters f.
func (b *Book) OnContactsChanged(f func()) (cancel func()) {
	o := &b.observers
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fs == nil {
		o.fs = map[int]func(){}
	}
	o.n++
	id := o.n
	o.fs[id] = f
	return func() {
		o.mu.Lock()
		defer o.mu.Unlock()
		delete(o.fs, id)
	}
}

func (b *Book) notify() {
	o := &b.observers
	o.mu.Lock()
	fs := make([]func(), 0, len(o.fs))
	for _, f := range o.fs {
		fs = append(fs, f)
	}
	o.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// roster is the book's contacts by who they are.
func (b *Book) roster() roster {
	b.mu.RLock()
	defer b.mu.RUnlock()
	r := make(roster, len(b.contacts))
	for _, c := range b.contacts {
		r[c.ID] = c
	}
	return r
}

// applyRemote changes the contacts from what they were (from, the
// snapshot a sync merged) to what it decided (want), and saves. Contacts
// the user added or changed meanwhile are left alone. Observers are not
// told: the change came from the server.
func (b *Book) applyRemote(from, want roster) (added, removed []identity.ID, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	kept := b.contacts[:0]
	for _, c := range b.contacts {
		f, was := from[c.ID]
		w, ok := want[c.ID]
		switch {
		case was && !ok:
			removed = append(removed, c.ID)
			continue
		case was && f.Name == c.Name && f.Group == c.Group:
			c.Name, c.Group = w.Name, w.Group
		}
		kept = append(kept, c)
	}
	b.contacts = slices.Clip(kept)
	b.reindexLocked()
	for _, c := range want.sorted() {
		if _, ok := b.index[c.ID]; ok {
			continue
		}
		if _, was := from[c.ID]; was {
			continue // the user removed it meanwhile
		}
		b.index[c.ID] = len(b.contacts)
		b.contacts = append(b.contacts, c)
		delete(b.blocked, c.ID)
		added = append(added, c.ID)
	}
	if len(added)+len(removed) == 0 && !changedNames(from, want) {
		return nil, nil, nil
	}
	return added, removed, b.saveLocked()
}

func changedNames(from, want roster) bool {
	for id, w := range want {
		if f, ok := from[id]; ok && (f.Name != w.Name || f.Group != w.Group) {
			return true
		}
	}
	return false
}
