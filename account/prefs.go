package account

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/parley-im/parley/sipclient"
)

// PrefsFile is where the user's own status and note are kept.
const PrefsFile = "prefs.json"

// prefsFile is prefs.json.
type prefsFile struct {
	Status string `json:"status,omitempty"`
	Note   string `json:"note,omitempty"`
	// AwayAfter is the auto-away threshold in seconds, 0 for never;
	// absent: the default.
	AwayAfter *int64 `json:"awayAfterSeconds,omitempty"`
}

// Prefs are the user's own settings kept across restarts: the status and
// note they chose, and when auto-away begins. Its methods are safe for
// concurrent use.
type Prefs struct {
	path string // "" keeps changes in memory only
	mu   sync.Mutex
	p    sipclient.Presence
	away *int64 // seconds; nil: the default
}

// OpenPrefs reads the preferences saved in dir; a missing file gives the
// defaults (Available, no note). A damaged file gives the defaults kept
// in memory, so the file is never overwritten: the user may repair it.
func OpenPrefs(dir string) (*Prefs, error) {
	path := filepath.Join(dir, PrefsFile)
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Prefs{path: path}, nil
	}
	if err != nil {
		return &Prefs{}, fmt.Errorf("account: read preferences: %w", err)
	}
	var f prefsFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return &Prefs{}, fmt.Errorf("account: preferences file %s is damaged: %w", path, err)
	}
	p := sipclient.Presence{Status: sipclient.Status(f.Status), Note: f.Note}
	if !known(p.Status) {
		p.Status = sipclient.StatusAvailable
	}
	return &Prefs{path: path, p: p, away: f.AwayAfter}, nil
}

// known tells whether s is a status the user can choose.
func known(s sipclient.Status) bool {
	switch s {
	case sipclient.StatusAvailable, sipclient.StatusAway, sipclient.StatusBusy,
		sipclient.StatusDND, sipclient.StatusOnThePhone, sipclient.StatusOffline:
		return true
	}
	return false
}

// Presence is the status and note the user last chose.
func (p *Prefs) Presence() sipclient.Presence {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.p
}

// SetPresence remembers the user's status and note and saves them.
func (p *Prefs) SetPresence(pr sipclient.Presence) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	pr = sipclient.Presence{Status: pr.Status, Note: pr.Note} // the user's choice only
	if p.p == pr {
		return nil
	}
	p.p = pr
	return p.saveLocked()
}

// AwayAfter is the auto-away threshold the user chose (0: never), and
// whether they chose one.
func (p *Prefs) AwayAfter() (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.away == nil {
		return 0, false
	}
	return time.Duration(*p.away) * time.Second, true
}

// SetAwayAfter remembers the auto-away threshold (0: never) and saves it.
func (p *Prefs) SetAwayAfter(d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := int64(max(d, 0) / time.Second)
	if p.away != nil && *p.away == s {
		return nil
	}
	p.away = &s
	return p.saveLocked()
}

// saveLocked writes the file; caller holds p.mu.
func (p *Prefs) saveLocked() error {
	if p.path == "" {
		return nil
	}
	b, err := json.MarshalIndent(prefsFile{Status: string(p.p.Status), Note: p.p.Note, AwayAfter: p.away}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(p.path, append(b, '\n')); err != nil {
		return fmt.Errorf("account: save preferences: %w", err)
	}
	return nil
}
