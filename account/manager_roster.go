package account

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/digest"
	"github.com/parley-im/parley/sipclient/xcap"
)

// startRoster keeps the book in step with a's contact list at its XCAP
// server while a runs (ServerRoster), when a has an XCAP root and the
// manager a book. With a buddy list the first sync runs before this
// returns (bounded), so the list at the server holds the contacts before
// the account's client subscribes to it. It returns what stops it.
// Caller holds an op.
func (m *Manager) startRoster(a Account, password string) (stop func()) {
	if a.XCAPRoot == "" || m.cfg.Book == nil {
		return func() {}
	}
	done, err := m.begin()
	if err != nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(m.ctx)
	r := m.newServerRoster(a, password)
	if a.BuddyList != "" {
		first, cancelFirst := context.WithTimeout(ctx, firstSyncBound)
		if _, err := r.Sync(first); err != nil {
			m.log.Warn("first sync of the contact list", "account", a.ID, "error", err) // Run tries again
		}
		cancelFirst()
	}
	finished := make(chan struct{})
	go func() {
		defer done()
		defer close(finished)
		r.Run(ctx)
	}()
	return func() {
		cancel()
		<-finished
	}
}

// firstSyncBound bounds the sync an account with a buddy list waits for
// before it starts.
const firstSyncBound = 10 * time.Second

func (m *Manager) newServerRoster(a Account, password string) *ServerRoster {
	hc := &http.Client{Transport: &http.Transport{Proxy: nil,
		TLSClientConfig: &tls.Config{RootCAs: m.cfg.RootCAs, InsecureSkipVerify: !a.VerifyTLS}}} //nolint:gosec // the user's choice, per account
	sc := a.ServerConfig(password, nil)
	xc := xcap.New(a.XCAPRoot, sc.AOR, digest.Credentials{Username: a.AuthUser(), Password: password}, hc, 0)
	base := ""
	if p := m.cfg.Book.Path(); p != "" {
		base = filepath.Join(filepath.Dir(p), rosterBaseName(a))
	}
	return NewServerRoster(RosterConfig{Book: m.cfg.Book, XCAP: xc, BasePath: base, AOR: a.AOR,
		BuddyList: a.BuddyList, Emit: m.rosterEvent, Log: m.log})
}

// rosterEvent follows what a sync changed in the book: contacts another
// device added are watched, those it removed no longer; then the UI is
// told.
func (m *Manager) rosterEvent(e sipclient.Event) {
	if ev, ok := e.(sipclient.RosterSynced); ok {
		for _, id := range ev.Added {
			if c, ok := m.cfg.Book.Contact(id); ok {
				if err := m.Subscribe(m.ctx, c.URI); err != nil {
					m.log.Warn("watching a contact from the server's list", "contact", id, "error", err)
				}
			}
		}
		for _, id := range ev.Removed {
			_ = m.Unsubscribe(m.ctx, id) // ErrNotFound: it was not watched
		}
	}
	m.events.push(e)
}

// rosterBaseName names the file of what the book and the account's server
// list last agreed on. It is per server and address: a list agreed with
// another XCAP root, or for the address the account had before, says
// nothing of this one's (merged against it, its contacts would read as
// removed there).
func rosterBaseName(a Account) string {
	sum := sha256.Sum256([]byte(a.XCAPRoot + "\n" + a.AOR))
	return "roster-server-" + a.ID + "-" + hex.EncodeToString(sum[:6]) + ".json"
}
