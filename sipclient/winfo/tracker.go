package winfo

import (
	"fmt"
	"slices"
	"sync"
)

// Tracker keeps the watcher state of one presence.winfo subscription by
// applying its NOTIFY bodies in version order (RFC 3858 section 4): a full
// document replaces the state, a partial one updates watchers by id, and
// terminated watchers are dropped once reported. The zero value is ready to
// use and safe for concurrent use. Apply refuses (with ErrInvalid)
// documents that Encode would refuse, and compares strings as they are, so
// it expects documents as Decode returns them (trimmed).
//
// Versions restart at 0 with every new subscription dialog; call Reset when
// starting one, or use a new Tracker.
type Tracker struct {
	mu      sync.Mutex
	known   bool // a full document has been applied since the last Reset
	synced  bool // and no gap has been seen since the last full document
	version int
	lists   []WatcherList // without terminated watchers
}

// key names a watcher across lists.
type key struct{ resource, pkg, id string }

// Apply applies d and returns the watchers whose status changed, in
// document order: new and updated watchers as d has them, and, for a full
// document, watchers it no longer lists, as terminated with no event. A
// watcher that was unknown and arrives terminated is no change.
//
// A repeat of the last applied version changes nothing. A partial document
// that skips a version, any document older than the last, and a partial
// document before the first full one fail with ErrVersionGap and leave the
// state as it was; the caller should refresh the subscription. Until a full
// document arrives, partial ones keep failing, and the full document is
// then accepted whatever its version.
func (t *Tracker) Apply(d *Document) ([]Watcher, error) {
	if err := check(d); err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	ok, err := t.inOrder(d)
	if !ok {
		return nil, err
	}
	old := t.lists
	if d.State == StateFull {
		t.lists = nil
	} else {
		t.lists = cloneLists(old) // merge must not touch what old shares
	}
	last := make(map[key]Watcher)
	for _, l := range d.Lists {
		t.merge(l, last)
	}
	t.version, t.known, t.synced = d.Version, true, true
	return t.diff(d, old, last), nil
}

// inOrder decides whether d is next in line. It returns false with a nil
// error for a repeat, false with ErrVersionGap when sync is lost.
func (t *Tracker) inOrder(d *Document) (bool, error) {
	full := d.State == StateFull
	switch {
	case !t.synced && full:
		return true, nil
	case !t.synced:
		return false, fmt.Errorf("%w: partial version %d without a full state to apply it to",
			ErrVersionGap, d.Version)
	case d.Version == t.version:
		return false, nil
	case d.Version > t.version && (full || d.Version-t.version == 1):
		return true, nil
	}
	t.synced = false
	return false, fmt.Errorf("%w: version %d (%s) after %d", ErrVersionGap, d.Version, d.State, t.version)
}

// merge applies one list of a document: watchers replace those with the
// same id or are appended; terminated ones are removed. Each watcher is
// recorded in last, later duplicates winning.
func (t *Tracker) merge(l WatcherList, last map[key]Watcher) {
	i := slices.IndexFunc(t.lists, func(have WatcherList) bool {
		return have.Resource == l.Resource && have.Package == l.Package
	})
	if i < 0 {
		t.lists = append(t.lists, WatcherList{Resource: l.Resource, Package: l.Package})
		i = len(t.lists) - 1
	}
	dst := &t.lists[i]
	for _, w := range l.Watchers {
		last[key{l.Resource, l.Package, w.ID}] = w
		j := slices.IndexFunc(dst.Watchers, func(have Watcher) bool { return have.ID == w.ID })
		switch {
		case w.Status == StatusTerminated && j >= 0:
			dst.Watchers = slices.Delete(dst.Watchers, j, j+1)
		case w.Status == StatusTerminated:
		case j >= 0:
			dst.Watchers[j] = w
		default:
			dst.Watchers = append(dst.Watchers, w)
		}
	}
}

// diff lists the watchers whose status differs between old and the current
// state; a watcher absent from a state counts as terminated.
func (t *Tracker) diff(d *Document, old []WatcherList, last map[key]Watcher) []Watcher {
	before, after := index(old), index(t.lists)
	var changed []Watcher
	seen := make(map[key]bool)
	for _, l := range d.Lists {
		for _, w := range l.Watchers {
			k := key{l.Resource, l.Package, w.ID}
			if seen[k] {
				continue
			}
			seen[k] = true
			now, ok := after[k]
			if !ok {
				now = last[k]
			}
			if statusIn(before, k) != now.Status {
				changed = append(changed, now)
			}
		}
	}
	if d.State == StateFull {
		changed = append(changed, vanished(old, after, seen)...)
	}
	return changed
}

// vanished returns the watchers of old that a full document left out, as
// terminated.
func vanished(old []WatcherList, after map[key]Watcher, seen map[key]bool) []Watcher {
	var out []Watcher
	for _, l := range old {
		for _, w := range l.Watchers {
			k := key{l.Resource, l.Package, w.ID}
			if _, ok := after[k]; !ok && !seen[k] {
				w.Status, w.Event = StatusTerminated, ""
				out = append(out, w)
			}
		}
	}
	return out
}

// State returns a copy of the tracked state as a full document carrying
// the last applied version, or nil before the first full document. After
// ErrVersionGap it still shows the last state known.
func (t *Tracker) State() *Document {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.known {
		return nil
	}
	return &Document{Version: t.version, State: StateFull, Lists: cloneLists(t.lists)}
}

// Reset forgets all state, for a new subscription dialog.
func (t *Tracker) Reset() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.known, t.synced, t.version, t.lists = false, false, 0, nil
}

func index(lists []WatcherList) map[key]Watcher {
	m := make(map[key]Watcher)
	for _, l := range lists {
		for _, w := range l.Watchers {
			m[key{l.Resource, l.Package, w.ID}] = w
		}
	}
	return m
}

func statusIn(m map[key]Watcher, k key) string {
	if w, ok := m[k]; ok {
		return w.Status
	}
	return StatusTerminated
}

func cloneLists(lists []WatcherList) []WatcherList {
	if len(lists) == 0 {
		return nil
	}
	out := make([]WatcherList, len(lists))
	for i, l := range lists {
		out[i] = WatcherList{Resource: l.Resource, Package: l.Package, Watchers: slices.Clone(l.Watchers)}
	}
	return out
}
