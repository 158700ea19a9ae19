package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/parley-im/parley/sipclient"
)

// Contact is one person in the roster.
type Contact struct {
	URI   string `json:"uri"` // address of record, sip:user@host[:port]
	Name  string `json:"name,omitempty"`
	Group string `json:"group,omitempty"`
}

// Roster is the user's saved contacts and remembered decisions.
type Roster struct {
	Contacts []Contact `json:"contacts"`
	// Watchers maps an address to "allow" or "block": the user's answer
	// when that address asked to see their presence.
	Watchers map[string]string `json:"watchers,omitempty"`
	// BlockedSenders get no chat window and no notification.
	BlockedSenders []string `json:"blocked_senders,omitempty"`

	path string
}

// ErrDuplicate is returned when adding a contact that is already there.
var ErrDuplicate = errors.New("account: contact already in the roster")

const rosterFile = "roster.json"

// LoadRoster reads the roster from dir; a missing file is an empty roster.
func LoadRoster(dir string) (*Roster, error) {
	r := &Roster{path: filepath.Join(dir, rosterFile), Watchers: map[string]string{}}
	b, err := os.ReadFile(r.path)
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("account: read roster: %w", err)
	}
	if err := json.Unmarshal(b, r); err != nil {
		return r, fmt.Errorf("account: roster %s is damaged: %w", r.path, err)
	}
	if r.Watchers == nil {
		r.Watchers = map[string]string{}
	}
	// Entries saved before host names were lower-cased are keys again.
	for i, b := range r.BlockedSenders {
		r.BlockedSenders[i] = Key(b)
	}
	return r, nil
}

// Save writes the roster atomically (temp file and rename), so a crash
// never leaves half a roster.
func (r *Roster) Save() error {
	if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
		return fmt.Errorf("account: save roster: %w", err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := r.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("account: save roster: %w", err)
	}
	if err := os.Rename(tmp, r.path); err != nil {
		return fmt.Errorf("account: save roster: %w", err)
	}
	return nil
}

// NormalizeAddress validates what a user typed as a contact address and
// returns it as an address of record, or an error that says what is wrong.
func NormalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("enter an address such as sip:alice@example.com")
	}
	u, err := sipclient.ParseURI(s)
	if err != nil {
		return "", fmt.Errorf("%q is not a SIP address: use the form sip:user@host", s)
	}
	if u.User == "" {
		return "", fmt.Errorf("%q has no user part: use the form sip:user@%s", s, u.Host)
	}
	aor := u.Scheme + ":" + u.User + "@" + u.Host
	if u.Port > 0 {
		aor += fmt.Sprintf(":%d", u.Port)
	}
	if t, ok := u.UriParams.Get("transport"); ok && t != "" {
		aor += ";transport=" + strings.ToLower(t)
	}
	return aor, nil
}

// Add validates and adds a contact.
func (r *Roster) Add(c Contact) (Contact, error) {
	aor, err := NormalizeAddress(c.URI)
	if err != nil {
		return c, err
	}
	c.URI, c.Name, c.Group = aor, strings.TrimSpace(c.Name), strings.TrimSpace(c.Group)
	if r.Find(aor) >= 0 {
		return c, ErrDuplicate
	}
	r.Contacts = append(r.Contacts, c)
	return c, nil
}

// Find returns the index of the contact with that address, or -1.
func (r *Roster) Find(uri string) int {
	key := Key(uri)
	return slices.IndexFunc(r.Contacts, func(c Contact) bool { return Key(c.URI) == key })
}

// Remove drops a contact; it reports whether it was there.
func (r *Roster) Remove(uri string) bool {
	i := r.Find(uri)
	if i < 0 {
		return false
	}
	r.Contacts = slices.Delete(r.Contacts, i, i+1)
	return true
}

// Key is the comparison key of an address: what the SIP core reports as
// a contact's URI (scheme, user, host, port; no parameters).
func Key(uri string) string {
	k, err := sipclient.AddressOfRecord(uri)
	if err != nil {
		return strings.TrimSpace(uri)
	}
	return k
}

// IsBlockedSender reports whether messages from uri are to be dropped.
func (r *Roster) IsBlockedSender(uri string) bool {
	return slices.Contains(r.BlockedSenders, Key(uri))
}

// BlockSender remembers never to show messages from uri.
func (r *Roster) BlockSender(uri string) {
	if !r.IsBlockedSender(uri) {
		r.BlockedSenders = append(r.BlockedSenders, Key(uri))
	}
}

// UnblockSender forgets a block on uri (however the address is spelled).
func (r *Roster) UnblockSender(uri string) {
	r.BlockedSenders = slices.DeleteFunc(r.BlockedSenders, func(b string) bool { return b == Key(uri) })
}

// Path is the file the roster is saved to.
func (r *Roster) Path() string { return r.path }
