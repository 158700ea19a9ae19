package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
)

const rosterFile = "roster.json"

// bookFile is roster.json. It is the format of the release before
// identities, read and written unchanged, so either release opens the
// other's file.
type bookFile struct {
	Contacts []Contact `json:"contacts"`
	// Watchers maps an address to "allow" or "block": the user's answer
	// when that address asked to see their presence.
	Watchers map[string]string `json:"watchers,omitempty"`
	// BlockedSenders get no chat window and no notification.
	BlockedSenders []string `json:"blocked_senders,omitempty"`
}

// keptEntries are entries of the file that name no identity: the book
// cannot use them, but writes them back so nothing the user had is lost.
type keptEntries struct {
	contacts []Contact
	watchers map[string]string
	blocked  []string
}

// OpenBook reads the contact book saved in dir (a missing file is an
// empty book). stranger is what to do with a watcher nobody answered for.
//
// A file written before identities may name one person twice (sip:bob@x
// and sip:bob@x:5060, or sips:carol@y and sip:carol@y); those entries are
// merged: a contact keeps the first address and name and group that were
// set, and when two watcher answers disagree, block wins. A file that
// changed this way is saved at once, after a copy of the original is kept
// beside it as roster.json.v1.
//
// A file that cannot be read or is damaged gives an empty book kept in
// memory, so the file is never overwritten: the user may repair it.
func OpenBook(dir string, stranger sipclient.Decision) (*Book, error) {
	path := filepath.Join(dir, rosterFile)
	b, raw, changed, err := readBook(path, stranger)
	if err != nil {
		return b, fmt.Errorf("%w; contacts you add now are kept until Parley quits", err)
	}
	b.path = path
	if changed {
		err = b.migrate(raw)
	}
	return b, err
}

// ReadBook reads a contact book file into a book kept in memory: changes
// to it are never saved, so the file stays as its owner wrote it
// (parley-cli --roster reads the app's book this way).
func ReadBook(path string, stranger sipclient.Decision) (*Book, error) {
	b, _, _, err := readBook(path, stranger)
	return b, err
}

func readBook(path string, stranger sipclient.Decision) (b *Book, raw []byte, changed bool, err error) {
	b = NewMemoryBook(stranger)
	raw, err = os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return b, nil, false, nil
	}
	if err != nil {
		return b, nil, false, fmt.Errorf("account: read contact book: %w", err)
	}
	var f bookFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return b, nil, false, fmt.Errorf("account: contact book %s is damaged: %w", path, err)
	}
	return b, raw, b.load(f), nil
}

// load takes the file's entries in; it reports whether any was not
// already in the form the book writes.
func (b *Book) load(f bookFile) (changed bool) {
	for _, c := range f.Contacts {
		id, err := identity.Parse(c.URI)
		if err != nil {
			b.kept.contacts = append(b.kept.contacts, c)
			continue
		}
		c.ID = id
		if i, dup := b.index[id]; dup {
			b.contacts[i] = mergeContacts(b.contacts[i], c)
			changed = true
			continue
		}
		b.index[id] = len(b.contacts)
		b.contacts = append(b.contacts, c)
	}
	for addr, word := range f.Watchers {
		id, err := identity.Parse(addr)
		if err != nil {
			if b.kept.watchers == nil {
				b.kept.watchers = map[string]string{}
			}
			b.kept.watchers[addr] = word
			continue
		}
		d := decisionOf(word)
		if prev, ok := b.watchers[id]; ok && prev == sipclient.Block {
			d = sipclient.Block
		}
		b.watchers[id] = d
		changed = changed || id.String() != addr || wordOf(d) != word
	}
	for _, addr := range f.BlockedSenders {
		id, err := identity.Parse(addr)
		if err != nil {
			b.kept.blocked = append(b.kept.blocked, addr)
			continue
		}
		changed = changed || b.blocked[id] || id.String() != addr
		b.blocked[id] = true
	}
	return changed
}

// mergeContacts folds a second entry for one person into the first.
func mergeContacts(first, second Contact) Contact {
	if first.Name == "" {
		first.Name = second.Name
	}
	if first.Group == "" {
		first.Group = second.Group
	}
	return first
}

// migrate keeps the original file as roster.json.v1 (once) and saves the
// merged book in its place.
func (b *Book) migrate(original []byte) error {
	backup := b.path + ".v1"
	if _, err := os.Stat(backup); errors.Is(err, os.ErrNotExist) {
		if err := writeFileAtomic(backup, original); err != nil {
			return fmt.Errorf("account: keep a copy of the contact book: %w", err)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.saveLocked()
}

func decisionOf(word string) sipclient.Decision {
	if word == "block" {
		return sipclient.Block
	}
	return sipclient.Allow
}

func wordOf(d sipclient.Decision) string {
	if d == sipclient.Block {
		return "block"
	}
	return "allow"
}

// saveLocked writes the book atomically (a temporary file, synced, then
// renamed), so a crash never leaves half a book. Caller holds b.mu.
func (b *Book) saveLocked() error {
	if b.path == "" {
		return nil
	}
	f := bookFile{Contacts: append(slices.Clone(b.contacts), b.kept.contacts...), Watchers: map[string]string{}}
	for id, d := range b.watchers {
		f.Watchers[id.String()] = wordOf(d)
	}
	for addr, word := range b.kept.watchers {
		f.Watchers[addr] = word
	}
	for id := range b.blocked {
		f.BlockedSenders = append(f.BlockedSenders, id.String())
	}
	slices.Sort(f.BlockedSenders)
	f.BlockedSenders = append(f.BlockedSenders, b.kept.blocked...)
	data, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(b.path, append(data, '\n')); err != nil {
		return fmt.Errorf("%w: %w", ErrNotSaved, err)
	}
	return nil
}
