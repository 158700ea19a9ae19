package account

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/identity"
	"github.com/parley-im/parley/sipclient/resourcelists"
	"github.com/parley-im/parley/sipclient/xcap"
)

// ServerRoster keeps the contact book and an account's contact list at
// its XCAP server (RFC 4826 resource-lists) in step. Each sync is a
// three-way merge (merge3) of the book, the server's document and what
// both held after the last sync (the base, kept in a file beside the
// book), written back with If-Match: a 412 means another device wrote
// meanwhile, and the merge runs again on what it wrote, so its change is
// kept. The first sync of an account merges as a union. Every change the
// user makes to the book starts a sync (write-through).
type ServerRoster struct {
	book     *Book
	xc       *xcap.Client
	url      string
	basePath string // "" keeps the base in memory
	aor      string
	emit     func(sipclient.Event)
	log      *slog.Logger
	after    func(ctx context.Context, r roster) // after each sync, e.g. the RLS document
	poll     time.Duration

	mu   sync.Mutex // one sync at a time; guards base
	base roster
	kick chan struct{}
}

// RosterConfig is what a ServerRoster works with.
type RosterConfig struct {
	Book     *Book
	XCAP     *xcap.Client
	BasePath string // file of the base; "" keeps it in memory
	AOR      string // the account, for events
	// BuddyList, when set, is a resource list URI: after each sync its
	// service in the user's rls-services document lists every contact.
	BuddyList string
	// PollEvery is how often Run reads the list again for other devices'
	// changes (default DefaultRosterPoll).
	PollEvery time.Duration
	Emit      func(sipclient.Event)
	Log       *slog.Logger
}

// DefaultRosterPoll is how often the contact list at the server is read
// again: another device's change shows here within it (one GET; nothing
// is written unless something changed).
const DefaultRosterPoll = 5 * time.Minute

// NewServerRoster reads the base and returns the roster, not yet
// running: see Run.
func NewServerRoster(cfg RosterConfig) *ServerRoster {
	r := &ServerRoster{book: cfg.Book, xc: cfg.XCAP, url: cfg.XCAP.URL("resource-lists", "index"),
		basePath: cfg.BasePath, aor: cfg.AOR, emit: cfg.Emit, log: cfg.Log, kick: make(chan struct{}, 1), poll: cfg.PollEvery}
	if r.poll <= 0 {
		r.poll = DefaultRosterPoll
	}
	if r.emit == nil {
		r.emit = func(sipclient.Event) {}
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	r.base = readBase(cfg.BasePath, r.log)
	if cfg.BuddyList != "" {
		r.after = func(ctx context.Context, contacts roster) { r.writeServices(ctx, cfg.BuddyList, contacts) }
	}
	return r
}

// Run syncs at once, after every change to the book, and every poll
// period, until ctx ends.
func (r *ServerRoster) Run(ctx context.Context) {
	cancel := r.book.OnContactsChanged(r.Kick)
	defer cancel()
	tick := time.NewTicker(r.poll)
	defer tick.Stop()
	r.Kick()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			r.Kick()
		case <-r.kick:
			if _, err := r.Sync(ctx); err != nil && ctx.Err() == nil {
				r.log.Warn("contact list at the server", "account", r.aor, "error", err)
				r.emit(sipclient.Diagnostic{What: sipclient.WhatRoster, URI: r.aor,
					Detail: "the contact list at the server could not be synchronised: " + err.Error()})
			}
		}
	}
}

// Kick asks Run for a sync; kicks while one is waiting are one.
func (r *ServerRoster) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Sync merges the book with the server's list once, and announces what
// changed in the book (RosterSynced).
func (r *ServerRoster) Sync(ctx context.Context) (sipclient.RosterSynced, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var local roster
	var res mergeResult
	_, err := r.xc.Update(ctx, r.url, resourcelists.ContentType, func(cur []byte) ([]byte, error) {
		var d resourcelists.Document
		if cur != nil {
			var err error
			if d, err = resourcelists.Decode(cur); err != nil {
				return nil, err // never overwrite what we cannot read
			}
		}
		server := rosterOf(d)
		local = r.book.roster()
		base := r.base
		if len(server) == 0 {
			// No document (404), or an empty one: a server that lost or
			// reset the list, not another device that removed every
			// contact. Merging against the last agreed list would delete
			// the whole book; a union keeps it and writes it back.
			base = roster{}
		}
		res = merge3(base, local, server)
		if cur != nil && sameRoster(server, res.result) {
			return cur, nil
		}
		applyRoster(&d, server, res.result)
		return resourcelists.Encode(d)
	})
	if errors.Is(err, xcap.ErrUnauthorized) {
		err = fmt.Errorf("%w: %w", err, sipclient.ErrWrongPassword)
	}
	if err != nil {
		return sipclient.RosterSynced{}, err
	}
	ev := sipclient.RosterSynced{AOR: r.aor, Conflicts: res.conflicts}
	ev.Added, ev.Removed, err = r.book.applyRemote(local, res.result)
	r.base = res.result
	if werr := writeBase(r.basePath, res.result); werr != nil {
		r.log.Warn("contact list base not saved", "error", werr)
	}
	if len(ev.Added)+len(ev.Removed)+len(ev.Conflicts) > 0 || err != nil {
		r.emit(ev)
	}
	if r.after != nil {
		r.after(ctx, res.result)
	}
	return ev, err
}

func sameRoster(a, b roster) bool {
	if len(a) != len(b) {
		return false
	}
	for id, x := range a {
		y, ok := b[id]
		if !ok || x.Name != y.Name || x.Group != y.Group {
			return false
		}
	}
	return true
}

// readBase reads the base file; a missing or damaged one is an empty
// base, which makes the next sync a union: nothing is lost.
func readBase(path string, log *slog.Logger) roster {
	r := roster{}
	if path == "" {
		return r
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) {
			log.Warn("contact list base", "error", err)
		}
		return r
	}
	var cs []Contact
	if err := json.Unmarshal(data, &cs); err != nil {
		log.Warn("contact list base damaged: merging as on a first sign-in", "path", path, "error", err)
		return r
	}
	for _, c := range cs {
		if id, err := identity.Parse(c.URI); err == nil {
			c.ID = id
			r[id] = c
		}
	}
	return r
}

func writeBase(path string, r roster) error {
	if path == "" {
		return nil
	}
	data, err := json.MarshalIndent(r.sorted(), "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(data, '\n'))
}

// writeServices makes the buddy list's service in the user's
// rls-services document hold every contact, keeping the other services
// (read-modify-write with If-Match, as the roster). A failure is
// reported; the list subscription then holds the contacts it held.
func (r *ServerRoster) writeServices(ctx context.Context, list string, contacts roster) {
	svc := resourcelists.Service{URI: list, Packages: []string{"presence"}}
	for _, c := range contacts.sorted() {
		svc.Resources = append(svc.Resources, c.ID.String())
	}
	url := r.xc.URL("rls-services", "index")
	_, err := r.xc.Update(ctx, url, resourcelists.ServicesContentType, func(cur []byte) ([]byte, error) {
		return resourcelists.MergeServices(cur, svc)
	})
	if err != nil && ctx.Err() == nil {
		r.log.Warn("buddy list at the server", "account", r.aor, "error", err)
		r.emit(sipclient.Diagnostic{What: sipclient.WhatRoster, URI: r.aor,
			Detail: "the buddy list at the server could not be written: " + err.Error()})
	}
}
