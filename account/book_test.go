package account

import (
	"errors"
	"fmt"
	"github.com/parley-im/parley/internal/idtest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/parley-im/parley/sipclient"
)

func TestNormalizeAddress(t *testing.T) {
	good := map[string]string{
		"sip:alice@example.com":                   "sip:alice@example.com",
		"alice@example.com":                       "sip:alice@example.com",
		" <sip:bob@127.0.0.1:5070;transport=TCP>": "sip:bob@127.0.0.1:5070;transport=tcp",
		"Bob <sip:bob@host>":                      "sip:bob@host",
	}
	for in, want := range good {
		got, err := NormalizeAddress(in)
		if err != nil || got != want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := map[string]string{
		"":                     "enter an address",
		"alice":                "not a SIP address",
		"http://x.org":         "not a SIP address",
		"sip:example.com":      "no user part",
		"sip:a@b\r\nVia: evil": "not a SIP address",
	}
	for in, want := range bad {
		if _, err := NormalizeAddress(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NormalizeAddress(%q) error = %v, want it to say %q", in, err, want)
		}
	}
}

// pid is the identity of an address the test knows to be valid.
var pid = idtest.ID

func TestBookSaveLoad(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBook(dir, sipclient.Ask)
	if err != nil || len(b.Contacts()) != 0 {
		t.Fatalf("fresh book: %v %v", b.Contacts(), err)
	}
	bob, err := b.Add(Contact{URI: "sip:bob@Example.com;transport=tcp", Name: " Bob ", Group: "Work"})
	if err != nil || bob.ID != pid("sip:bob@example.com") || bob.URI != "sip:bob@example.com;transport=tcp" || bob.Name != "Bob" {
		t.Fatalf("Add = %+v, %v", bob, err)
	}
	if _, err := b.Add(Contact{URI: "<sips:bob@example.com:5061;transport=udp>"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("adding the same person again: %v", err)
	}
	if err := b.AnswerWatcher(pid("sip:eve@example.com"), sipclient.Block); err != nil {
		t.Fatal(err)
	}
	if err := b.Block(pid("sip:spam@example.com;transport=tcp")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(filepath.Join(dir, "roster.json"))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("book file mode %v", st.Mode().Perm())
	}
	// Each change is on disk already: a second book reads it all.
	b2, err := OpenBook(dir, sipclient.Ask)
	if err != nil {
		t.Fatal(err)
	}
	if c := b2.Contacts(); len(c) != 1 || c[0] != bob {
		t.Errorf("reloaded contacts %+v, want %+v", c, bob)
	}
	if b2.WatcherDecision(pid("sip:eve@EXAMPLE.com:5060")) != sipclient.Block || !b2.SenderBlocked(pid("sip:spam@example.com")) {
		t.Errorf("reloaded answers %v, blocks %v", b2.WatcherAnswers(), b2.Blocked())
	}
	if _, err := b2.Update(bob.ID, "Robert", "Friends"); err != nil {
		t.Fatal(err)
	}
	if c, _ := b2.Contact(pid("sip:bob@example.com")); c.Name != "Robert" || c.Group != "Friends" {
		t.Errorf("after Update: %+v", c)
	}
	if err := b2.Remove(bob.ID); err != nil || !errors.Is(b2.Remove(bob.ID), ErrNoContact) {
		t.Errorf("Remove: %v", err)
	}
	if b3, _ := OpenBook(dir, sipclient.Ask); len(b3.Contacts()) != 0 {
		t.Errorf("removed contact still saved: %+v", b3.Contacts())
	}
}

func TestDamagedBookSaysSo(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "roster.json"), []byte("{not json"), 0o600)
	if _, err := OpenBook(dir, sipclient.Ask); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged book: %v", err)
	}
}

func TestConfigDirXDG(t *testing.T) {
	t.Setenv("PARLEY_CONFIG_DIR", "")
	t.Setenv("XDG_CONFIG_HOME", "/tmp/xdgtest")
	if d, _ := ConfigDir(); d != "/tmp/xdgtest/parley" {
		t.Errorf("ConfigDir = %q", d)
	}
	t.Setenv("PARLEY_CONFIG_DIR", "/tmp/override")
	if d, _ := ConfigDir(); d != "/tmp/override" {
		t.Errorf("override: %q", d)
	}
}

// The core asks the book; its answers follow every spelling of an address
// and every change at once, with no copy to keep in step.
func TestBookIsTheCorePolicy(t *testing.T) {
	b := NewMemoryBook(sipclient.Ask)
	if err := b.Block(pid("sip:Mallory@Evil.Example")); err != nil {
		t.Fatal(err)
	}
	if !b.SenderBlocked(pid("<sip:Mallory@evil.example:5060;transport=tcp>")) || b.SenderBlocked(pid("sip:bob@example.test")) {
		t.Errorf("blocked: %v", b.Blocked())
	}
	if b.WatcherDecision(pid("sip:bob@example.test")) != sipclient.Ask {
		t.Error("a stranger watching is not asked about")
	}
	if _, err := b.Add(Contact{URI: "sip:bob@example.test;transport=tcp"}); err != nil {
		t.Fatal(err)
	}
	if !b.IsContact(pid("sip:bob@EXAMPLE.test")) || b.WatcherDecision(pid("sips:bob@example.test")) != sipclient.Allow {
		t.Error("a contact is not a contact, or may not watch")
	}
	if err := b.AnswerWatcher(pid("sip:bob@example.test"), sipclient.Block); err != nil {
		t.Fatal(err)
	}
	if b.WatcherDecision(pid("sip:bob@example.test")) != sipclient.Block {
		t.Error("the user's answer does not win over being a contact")
	}
	// Adding a blocked sender lifts the block: adding is wanting their messages.
	if _, err := b.Add(Contact{URI: "sip:Mallory@evil.example"}); err != nil || b.SenderBlocked(pid("sip:Mallory@evil.example")) {
		t.Errorf("block not lifted by adding: %v", err)
	}
}

// The core asks the book from its own goroutines while the UI changes it:
// run both at once under the race detector, and check every change was
// saved whole.
func TestBookConcurrentUse(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBook(dir, sipclient.Ask)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				id := pid(fmt.Sprintf("sip:u%d-%d@example.test", w, i))
				if _, err := b.Add(Contact{URI: id.String()}); err != nil {
					t.Error(err)
				}
				_ = b.Block(pid(fmt.Sprintf("sip:spam%d-%d@example.test", w, i)))
				_ = b.WatcherDecision(id)
				_ = b.SenderBlocked(id)
				_ = b.IsContact(id)
			}
		}()
	}
	wg.Wait()
	saved, err := OpenBook(dir, sipclient.Ask)
	if err != nil || len(saved.Contacts()) != 100 || len(saved.Blocked()) != 100 {
		t.Errorf("saved: %d contacts, %d blocked, %v", len(saved.Contacts()), len(saved.Blocked()), err)
	}
}
