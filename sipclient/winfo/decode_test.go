package winfo

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// RFC 3858 section 5: one active and one pending watcher of a presentity.
func TestDecodeRFC3858Example(t *testing.T) {
	want := &Document{Version: 0, State: StateFull, Lists: []WatcherList{{
		Resource: "sip:professor@example.net", Package: "presence",
		Watchers: []Watcher{
			{ID: "8ajksjda7s", URI: "sip:userA@example.net", Status: StatusActive,
				Event: EventApproved, DurationSubscribed: 509},
			{ID: "hh8juja87s997-ass7", URI: "sip:userB@example.org", DisplayName: "Mr. Subscriber",
				Status: StatusPending, Event: EventSubscribe},
		},
	}}}
	if got := decodeFile(t, "rfc3858-example.xml"); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// The NOTIFY body of RFC 3857's example: A waits for B's authorization.
func TestDecodeRFC3857Pending(t *testing.T) {
	doc := decodeFile(t, "rfc3857-pending.xml")
	want := []Watcher{{ID: "7768a77s", URI: "sip:A@example.com", Status: StatusPending, Event: EventSubscribe}}
	if got := doc.Pending(); !reflect.DeepEqual(got, want) {
		t.Errorf("pending %+v", got)
	}
	if doc.Lists[0].Resource != "sip:B@example.com" {
		t.Errorf("resource %q", doc.Lists[0].Resource)
	}
}

// Kamailio's presence module: a Call-ID as the watcher id, event always
// "subscribe", no optional attributes, no indentation.
func TestDecodeKamailio(t *testing.T) {
	const callID = "4b1e2c3d5f60718293a4b5c6d7e8f901@192.0.2.10"
	bob := Watcher{ID: callID, URI: "sip:bob@parley.test", Status: StatusPending, Event: EventSubscribe}
	full := decodeFile(t, "kamailio-full-pending.xml")
	if full.Version != 0 || full.State != StateFull || len(full.Lists) != 1 ||
		full.Lists[0].Resource != "sip:alice@parley.test" || full.Lists[0].Package != "presence" ||
		!reflect.DeepEqual(full.Pending(), []Watcher{bob}) {
		t.Errorf("full: %+v", full)
	}
	partial := decodeFile(t, "kamailio-partial-active.xml")
	bob.Status = StatusActive
	if partial.Version != 1 || partial.State != StatePartial ||
		!reflect.DeepEqual(partial.Lists[0].Watchers, []Watcher{bob}) || partial.Pending() != nil {
		t.Errorf("partial: %+v", partial)
	}
	empty := decodeFile(t, "kamailio-full-empty.xml")
	if len(empty.Lists) != 1 || empty.Lists[0].Watchers != nil {
		t.Errorf("empty: %+v", empty)
	}
}

// Prefixes, comments, CDATA, foreign elements and attributes, entity
// references and unreadable optional numbers.
func TestDecodePrefixedWithExtensions(t *testing.T) {
	doc := decodeFile(t, "prefixed-extensions.xml")
	want := &Document{Version: 12, State: StatePartial, Lists: []WatcherList{
		{Resource: "sip:carol@parley.test", Package: "presence", Watchers: []Watcher{
			{ID: "w1", URI: "sip:dan@parley.test", DisplayName: `Dan & "Co"`,
				Status: StatusWaiting, Event: EventTimeout},
			{ID: "w2", URI: "sip:eve@parley.test", Status: StatusTerminated, Event: EventRejected},
		}},
		{Resource: "sip:carol@parley.test", Package: "presence.winfo", Watchers: []Watcher{
			{ID: "w3", URI: "sip:carol@parley.test", Status: StatusActive, Event: EventApproved},
		}},
	}}
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("got  %+v\nwant %+v", doc, want)
	}
}

func TestDecodeLenientFields(t *testing.T) {
	doc := mustDecode(t, `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version=" 007 " state=" full ">
 <watcher-list resource="sip:a@b" package="presence">
  <watcher id="1" status="active" event="refreshed" expiration="18446744073709551616">sip:c@d</watcher>
  <watcher id="2" status="pending" duration-subscribed="-5" expiration=" 60 ">sip:e@f</watcher>
 </watcher-list>
 <watcher id="stray" status="pending">sip:not-in-a-list@x</watcher>
</watcherinfo>`)
	want := []Watcher{
		{ID: "1", URI: "sip:c@d", Status: StatusActive, Event: "refreshed"},
		{ID: "2", URI: "sip:e@f", Status: StatusPending, Expiration: 60},
	}
	if doc.Version != 7 || doc.State != StateFull || !reflect.DeepEqual(doc.Lists[0].Watchers, want) {
		t.Errorf("got %+v", doc)
	}
}

func TestDecodeErrors(t *testing.T) {
	const head = `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="3" state="full">`
	const ok = head + `</watcherinfo>`
	list := func(watcher string) string {
		return head + `<watcher-list resource="sip:a@b" package="presence">` + watcher + `</watcher-list></watcherinfo>`
	}
	tests := []struct {
		name string
		body string
		want error
	}{
		{"empty", "", ErrMalformed},
		{"blank", " \r\n", ErrMalformed},
		{"garbage", "\x00\xffSIP/2.0 200 OK", ErrMalformed},
		{"not XML", "pending", ErrMalformed},
		{"unclosed", head, ErrMalformed},
		{"mismatched", head + `<watcher-list></watcher></watcherinfo>`, ErrMalformed},
		{"undefined entity", list(`<watcher id="1" status="pending">&bob;</watcher>`), ErrMalformed},
		{"doctype", `<!DOCTYPE watcherinfo>` + ok, ErrMalformed},
		{"billion laughs", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
			`<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>` + list(`<watcher id="1" status="pending">&lol2;</watcher>`), ErrMalformed},
		{"directive inside", head + `<!ENTITY x "y"></watcherinfo>`, ErrMalformed},
		{"two roots", ok + ok, ErrMalformed},
		{"trailing text", ok + "junk", ErrMalformed},
		{"deep nesting", strings.Repeat("<a>", 5000) + strings.Repeat("</a>", 5000), ErrMalformed},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?>` + ok, ErrMalformed},
		{"no namespace", `<watcherinfo version="0" state="full"/>`, ErrMalformed},
		{"wrong namespace", `<watcherinfo xmlns="urn:ietf:params:xml:ns:pidf" version="0" state="full"/>`, ErrMalformed},
		{"wrong root", `<presence xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full"/>`, ErrMalformed},
		{"pidf body", `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b"/>`, ErrMalformed},
		{"missing version", `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" state="full"/>`, ErrMalformed},
		{"empty version", `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="" state="full"/>`, ErrMalformed},
		{"negative version", `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="-1" state="full"/>`, ErrMalformed},
		{"word version", `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="one" state="full"/>`, ErrMalformed},
		{"huge version", `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="99999999999999999999" state="full"/>`, ErrMalformed},
		{"missing state", `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0"/>`, ErrMalformed},
		{"bad state", `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="Full"/>`, ErrMalformed},
		{"prefixed attribute", `<w:watcherinfo xmlns:w="urn:ietf:params:xml:ns:watcherinfo" version="0" w:state="full"/>`, ErrMalformed},
		{"list without resource", head + `<watcher-list package="presence"/></watcherinfo>`, ErrMalformed},
		{"list without package", head + `<watcher-list resource="sip:a@b"/></watcherinfo>`, ErrMalformed},
		{"missing status", list(`<watcher id="1" event="subscribe">sip:c@d</watcher>`), ErrMalformed},
		{"unknown status", list(`<watcher id="1" status="blocked">sip:c@d</watcher>`), ErrMalformed},
		{"missing id", list(`<watcher status="pending">sip:c@d</watcher>`), ErrMalformed},
		{"missing URI", list(`<watcher id="1" status="pending"> </watcher>`), ErrMalformed},
		{"oversize", head + strings.Repeat(" ", MaxBodySize) + "</watcherinfo>", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Decode([]byte(tt.body))
			if !errors.Is(err, tt.want) || doc != nil {
				t.Errorf("got (%+v, %v), want %v", doc, err, tt.want)
			}
		})
	}
}

// Errors name what was wrong, so a log line is enough to debug a peer.
func TestDecodeErrorMessages(t *testing.T) {
	for body, want := range map[string]string{
		`<watcherinfo xmlns="urn:example" version="0" state="full"/>`:                                    `namespace "urn:example"`,
		`<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="x" state="full"/>`:             `version "x"`,
		`<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1"/>`:                          `state ""`,
		`<!DOCTYPE x><watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full"/>`: "DTD",
		`<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="1" state="full">` +
			`<watcher-list resource="sip:a@b" package="presence"><watcher id="k" status="gone">sip:c@d</watcher>` +
			`</watcher-list></watcherinfo>`: `watcher "k" has status "gone" (in list "sip:a@b")`,
	} {
		_, err := Decode([]byte(body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to mention %s", err, want)
		}
	}
}

// A body exactly at the limit is still read.
func TestDecodeAtSizeLimit(t *testing.T) {
	head := `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">`
	tail := `</watcherinfo>`
	body := head + strings.Repeat(" ", MaxBodySize-len(head)-len(tail)) + tail
	if _, err := Decode([]byte(body)); err != nil {
		t.Fatal(err)
	}
}

func TestPending(t *testing.T) {
	doc := &Document{State: StateFull, Lists: []WatcherList{
		{Resource: "sip:a@b", Package: "presence", Watchers: []Watcher{
			{ID: "1", Status: StatusActive}, {ID: "2", Status: StatusPending}, {ID: "3", Status: StatusWaiting},
		}},
		{Resource: "sip:a@b", Package: "message-summary", Watchers: []Watcher{{ID: "4", Status: StatusPending}}},
	}}
	got := doc.Pending()
	if len(got) != 2 || got[0].ID != "2" || got[1].ID != "4" {
		t.Errorf("pending %+v", got)
	}
	if (*Document)(nil).Pending() != nil || (&Document{}).Pending() != nil {
		t.Error("empty documents have pending watchers")
	}
}

func BenchmarkDecode(b *testing.B) {
	body := readTestdata(b, "rfc3858-example.xml")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
