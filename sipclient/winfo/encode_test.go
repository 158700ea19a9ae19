package winfo

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeGolden(t *testing.T) {
	got, err := Encode(decodeFile(t, "rfc3858-example.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := readTestdata(t, "expected-rfc3858.xml"); !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Every golden file survives Encode and Decode unchanged.
func TestEncodeRoundTrip(t *testing.T) {
	for _, name := range []string{
		"rfc3858-example.xml", "rfc3857-pending.xml", "kamailio-full-pending.xml",
		"kamailio-partial-active.xml", "kamailio-full-empty.xml", "prefixed-extensions.xml",
	} {
		doc := decodeFile(t, name)
		body, err := Encode(doc)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, err := Decode(body)
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, body)
		}
		if !reflect.DeepEqual(again, doc) {
			t.Errorf("%s:\nsent %+v\ngot  %+v", name, doc, again)
		}
	}
}

func TestEncodeEmptyList(t *testing.T) {
	d := &Document{Version: 4, State: StatePartial, Lists: []WatcherList{{Resource: "sip:a@b", Package: "presence"}}}
	got, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>
<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="4" state="partial">
 <watcher-list resource="sip:a@b" package="presence"/>
</watcherinfo>
`
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Text that looks like markup stays text, in every field.
func TestEncodeInjection(t *testing.T) {
	const evil = `"/><watcher id="x" status="active">sip:mallory@x</watcher><y a='&amp;`
	w := Watcher{ID: "1" + evil, URI: "sip:a@b</watcher>" + evil, DisplayName: "Bob\n\t" + evil,
		Status: StatusPending, Event: "subscribe" + evil}
	d := &Document{State: StateFull, Lists: []WatcherList{{Resource: "sip:r@b" + evil, Package: "presence" + evil,
		Watchers: []Watcher{w}}}}
	body, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(body)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if !reflect.DeepEqual(got, d) {
		t.Errorf("injected:\n%s\n%+v", body, got)
	}
}

func TestEncodeTrims(t *testing.T) {
	d := &Document{State: StateFull, Lists: []WatcherList{{Resource: " sip:a@b ", Package: "presence\n",
		Watchers: []Watcher{{ID: " 1", URI: "\tsip:c@d ", Status: " active", DisplayName: "  ", Event: " "}}}}}
	body, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(body, []byte(`<watcher-list resource="sip:a@b" package="presence">`)) ||
		!bytes.Contains(body, []byte(`<watcher id="1" status="active">sip:c@d</watcher>`)) {
		t.Errorf("not trimmed:\n%s", body)
	}
}

func TestEncodeInvalid(t *testing.T) {
	list := func(w Watcher) *Document {
		return &Document{State: StateFull, Lists: []WatcherList{{Resource: "sip:a@b", Package: "presence",
			Watchers: []Watcher{w}}}}
	}
	for name, d := range map[string]*Document{
		"nil":              nil,
		"no state":         {},
		"bad state":        {State: "complete"},
		"negative version": {State: StateFull, Version: -1},
		"no resource":      {State: StateFull, Lists: []WatcherList{{Package: "presence"}}},
		"no package":       {State: StateFull, Lists: []WatcherList{{Resource: "sip:a@b", Package: " "}}},
		"no id":            list(Watcher{URI: "sip:c@d", Status: StatusPending}),
		"no URI":           list(Watcher{ID: "1", Status: StatusPending}),
		"no status":        list(Watcher{ID: "1", URI: "sip:c@d"}),
		"bad status":       list(Watcher{ID: "1", URI: "sip:c@d", Status: "Pending"}),
	} {
		if _, err := Encode(d); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	d := &Document{State: StateFull, Lists: []WatcherList{{Resource: "sip:a@b", Package: "presence"}}}
	for i := range 20 {
		d.Lists[0].Watchers = append(d.Lists[0].Watchers, Watcher{ID: strings.Repeat("x", i+1),
			URI: "sip:w@example.com", Status: StatusActive, Event: EventApproved, Expiration: 3600})
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(d); err != nil {
			b.Fatal(err)
		}
	}
}
