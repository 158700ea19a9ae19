package winfo

import (
	"errors"
	"math"
	"reflect"
	"sync"
	"testing"
)

const alice = "sip:alice@parley.test"

// winfo builds a document with one presence list for alice.
func winfo(version int, state string, ws ...Watcher) *Document {
	return &Document{Version: version, State: state,
		Lists: []WatcherList{{Resource: alice, Package: "presence", Watchers: ws}}}
}

func watcher(id, status, event string) Watcher {
	return Watcher{ID: id, URI: "sip:" + id + "@parley.test", Status: status, Event: event}
}

// apply applies d and checks the changed watchers.
func apply(t *testing.T, tr *Tracker, d *Document, want ...Watcher) {
	t.Helper()
	got, err := tr.Apply(d)
	if err != nil {
		t.Fatalf("Apply(version %d %s): %v", d.Version, d.State, err)
	}
	if !reflect.DeepEqual(got, want) && (len(got) != 0 || len(want) != 0) {
		t.Errorf("Apply(version %d %s) changed\n %+v\nwant\n %+v", d.Version, d.State, got, want)
	}
}

func wantGap(t *testing.T, tr *Tracker, d *Document) {
	t.Helper()
	got, err := tr.Apply(d)
	if !errors.Is(err, ErrVersionGap) || got != nil {
		t.Errorf("Apply(version %d %s) = (%+v, %v), want ErrVersionGap", d.Version, d.State, got, err)
	}
}

func wantState(t *testing.T, tr *Tracker, want *Document) {
	t.Helper()
	if got := tr.State(); !reflect.DeepEqual(got, want) {
		t.Errorf("state\n %+v\nwant\n %+v", got, want)
	}
}

// Kamailio's sequence: a full document with bob pending, then a partial
// one when alice authorizes him.
func TestTrackerFullThenPartial(t *testing.T) {
	var tr Tracker
	wantState(t, &tr, nil)
	full := decodeFile(t, "kamailio-full-pending.xml")
	apply(t, &tr, full, full.Lists[0].Watchers[0])
	if p := tr.State().Pending(); len(p) != 1 || p[0].URI != "sip:bob@parley.test" {
		t.Errorf("pending %+v", p)
	}
	partial := decodeFile(t, "kamailio-partial-active.xml")
	apply(t, &tr, partial, partial.Lists[0].Watchers[0])
	st := tr.State()
	if st.Version != 1 || st.State != StateFull || st.Pending() != nil ||
		!reflect.DeepEqual(st.Lists, partial.Lists) {
		t.Errorf("state %+v", st)
	}
}

func TestTrackerPartialMerges(t *testing.T) {
	var tr Tracker
	bob, carol := watcher("bob", StatusActive, EventApproved), watcher("carol", StatusPending, EventSubscribe)
	apply(t, &tr, winfo(3, StateFull, bob, carol), bob, carol)

	// carol's expiry changes but not her status; dan arrives; a second list
	// appears.
	carol2 := carol
	carol2.Expiration = 30
	dan := watcher("dan", StatusPending, EventSubscribe)
	d := winfo(4, StatePartial, carol2, dan)
	mwi := WatcherList{Resource: alice, Package: "message-summary", Watchers: []Watcher{bob}}
	d.Lists = append(d.Lists, mwi)
	apply(t, &tr, d, dan, bob)

	want := winfo(4, StateFull, bob, carol2, dan)
	want.Lists = append(want.Lists, mwi)
	wantState(t, &tr, want)
}

// Terminated watchers are reported once and dropped; one never seen before
// is no change.
func TestTrackerTerminated(t *testing.T) {
	var tr Tracker
	bob, carol := watcher("bob", StatusPending, EventSubscribe), watcher("carol", StatusActive, EventApproved)
	apply(t, &tr, winfo(0, StateFull, bob, carol), bob, carol)
	gone := watcher("bob", StatusTerminated, EventRejected)
	apply(t, &tr, winfo(1, StatePartial, gone, watcher("eve", StatusTerminated, EventTimeout)), gone)
	wantState(t, &tr, winfo(1, StateFull, carol))

	// A full document that leaves carol out ends her subscription too.
	dan := watcher("dan", StatusWaiting, EventTimeout)
	carolGone := carol
	carolGone.Status, carolGone.Event = StatusTerminated, ""
	apply(t, &tr, winfo(2, StateFull, dan), dan, carolGone)
	wantState(t, &tr, winfo(2, StateFull, dan))
}

// Within one document a later entry for the same id wins, and is reported
// once.
func TestTrackerDuplicateIDs(t *testing.T) {
	var tr Tracker
	first, second := watcher("bob", StatusPending, EventSubscribe), watcher("bob", StatusActive, EventApproved)
	apply(t, &tr, winfo(0, StateFull, first, second), second)
	wantState(t, &tr, winfo(0, StateFull, second))
}

func TestTrackerRepeatIgnored(t *testing.T) {
	var tr Tracker
	bob := watcher("bob", StatusPending, EventSubscribe)
	apply(t, &tr, winfo(5, StateFull, bob), bob)
	apply(t, &tr, winfo(5, StateFull)) // same version: not applied, bob stays
	apply(t, &tr, winfo(5, StatePartial, watcher("bob", StatusActive, EventApproved)))
	wantState(t, &tr, winfo(5, StateFull, bob))
}

func TestTrackerVersionGap(t *testing.T) {
	var tr Tracker
	bob := watcher("bob", StatusPending, EventSubscribe)
	apply(t, &tr, winfo(0, StateFull, bob), bob)
	wantGap(t, &tr, winfo(2, StatePartial, watcher("carol", StatusPending, EventSubscribe)))
	wantState(t, &tr, winfo(0, StateFull, bob)) // untouched

	// Partial documents keep failing until the refresh brings full state,
	// which is then compared with the last state known.
	wantGap(t, &tr, winfo(3, StatePartial))
	wantGap(t, &tr, winfo(0, StatePartial))
	active := watcher("bob", StatusActive, EventApproved)
	apply(t, &tr, winfo(4, StateFull, active), active)
	apply(t, &tr, winfo(5, StatePartial))
	wantState(t, &tr, winfo(5, StateFull, active))
}

// A full document may skip versions: it carries the whole state.
func TestTrackerFullSkips(t *testing.T) {
	var tr Tracker
	apply(t, &tr, winfo(0, StateFull))
	bob := watcher("bob", StatusPending, EventSubscribe)
	apply(t, &tr, winfo(7, StateFull, bob), bob)
	wantState(t, &tr, winfo(7, StateFull, bob))
}

func TestTrackerOutOfOrder(t *testing.T) {
	var tr Tracker
	bob := watcher("bob", StatusPending, EventSubscribe)
	apply(t, &tr, winfo(0, StateFull))
	apply(t, &tr, winfo(1, StatePartial, bob), bob)
	apply(t, &tr, winfo(2, StatePartial))
	wantGap(t, &tr, winfo(1, StatePartial, watcher("bob", StatusActive, EventApproved)))
	wantState(t, &tr, winfo(2, StateFull, bob))

	// The refresh brings full state; after it an older full document is
	// refused too, and the next full one is accepted even if the server
	// restarted its count.
	apply(t, &tr, winfo(3, StateFull, bob))
	wantGap(t, &tr, winfo(1, StateFull))
	wantState(t, &tr, winfo(3, StateFull, bob))
	apply(t, &tr, winfo(0, StateFull, bob))
	wantState(t, &tr, winfo(0, StateFull, bob))
}

func TestTrackerPartialFirst(t *testing.T) {
	var tr Tracker
	wantGap(t, &tr, winfo(0, StatePartial, watcher("bob", StatusPending, EventSubscribe)))
	wantState(t, &tr, nil)
}

func TestTrackerReset(t *testing.T) {
	var tr Tracker
	bob := watcher("bob", StatusPending, EventSubscribe)
	apply(t, &tr, winfo(9, StateFull, bob), bob)
	tr.Reset()
	wantState(t, &tr, nil)
	wantGap(t, &tr, winfo(10, StatePartial))
	apply(t, &tr, winfo(0, StateFull, bob), bob) // a new dialog counts from 0
}

func TestTrackerLargeVersions(t *testing.T) {
	var tr Tracker
	apply(t, &tr, winfo(math.MaxInt-1, StateFull))
	apply(t, &tr, winfo(math.MaxInt, StatePartial))
	wantGap(t, &tr, winfo(0, StatePartial))
}

func TestTrackerInvalid(t *testing.T) {
	var tr Tracker
	for name, d := range map[string]*Document{
		"nil":        nil,
		"no state":   {Version: 1},
		"bad status": winfo(0, StateFull, watcher("bob", "blocked", EventSubscribe)),
	} {
		if _, err := tr.Apply(d); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	wantState(t, &tr, nil)
}

// The tracker shares no memory with the documents going in or coming out.
func TestTrackerCopies(t *testing.T) {
	var tr Tracker
	bob := watcher("bob", StatusPending, EventSubscribe)
	in := winfo(0, StateFull, bob)
	apply(t, &tr, in, bob)
	in.Lists[0].Watchers[0].Status = StatusActive
	out := tr.State()
	out.Lists[0].Watchers[0].URI = "sip:mallory@x"
	apply(t, &tr, winfo(1, StatePartial, watcher("carol", StatusActive, EventApproved)),
		watcher("carol", StatusActive, EventApproved))
	wantState(t, &tr, winfo(1, StateFull, bob, watcher("carol", StatusActive, EventApproved)))
	if out.Lists[0].Watchers[0].URI != "sip:mallory@x" || len(out.Lists[0].Watchers) != 1 {
		t.Errorf("earlier snapshot changed: %+v", out)
	}
}

func TestTrackerConcurrent(t *testing.T) {
	var tr Tracker
	apply(t, &tr, winfo(0, StateFull))
	var wg sync.WaitGroup
	for i := 1; i <= 50; i++ {
		wg.Go(func() { _ = tr.State().Pending() })
		if _, err := tr.Apply(winfo(i, StatePartial, watcher("w", StatusPending, EventSubscribe))); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if st := tr.State(); st.Version != 50 || len(st.Pending()) != 1 {
		t.Errorf("state %+v", st)
	}
}
