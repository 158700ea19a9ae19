package sipclient

import (
	"context"
	"strconv"
	"testing"

	"github.com/emiago/sipgo/sip"
)

// testPublisher publishes alice@parley.test's presence for 600 s through
// a fake seam that answers with answer.
func testPublisher(t *testing.T, answer func(*sip.Request) *sip.Response) (*publisher, *fakeSeam) {
	f := &fakeSeam{answer: answer}
	aor := sip.Uri{Scheme: "sip", User: "alice", Host: "parley.test"}
	here := func() Presence { return Presence{Status: StatusAvailable, Note: "here"} }
	p := newPublisher(context.Background(), f, aor, "sip:alice@127.0.0.1:5062", here, 600)
	t.Cleanup(func() { p.stop(context.Background()) }) // and its refresh timer with it
	return p, f
}

// accepting answers every PUBLISH with 200 and a new entity tag: e1, e2...
func accepting() func(*sip.Request) *sip.Response {
	n := 0
	return func(req *sip.Request) *sip.Response {
		n++
		return reply(req, 200, "OK", "SIP-ETag", "e"+strconv.Itoa(n), "Expires", "600")
	}
}

// checkPublish fails unless req carries SIP-If-Match ifMatch ("" for
// none) and a document or not.
func checkPublish(t *testing.T, what string, req *sip.Request, ifMatch string, document bool) {
	t.Helper()
	got := headerValue(req, "SIP-If-Match")
	if got != ifMatch || (len(req.Body()) > 0) != document {
		t.Errorf("%s: SIP-If-Match %q and a %d-byte body, want %q and a document %v", what, got, len(req.Body()), ifMatch, document)
	}
}

// The first PUBLISH carries a document and no SIP-If-Match, whatever it
// was asked for; a refresh carries the entity tag and no body; a
// modification carries both.
func TestPublisherRefreshAndModify(t *testing.T) {
	p, f := testPublisher(t, accepting())
	ctx := context.Background()
	p.publish(ctx, pubRefresh)
	p.publish(ctx, pubRefresh)
	p.publish(ctx, pubModify)
	sent := f.requests()
	if len(sent) != 3 {
		t.Fatalf("%d PUBLISHes, want 3", len(sent))
	}
	checkPublish(t, "initial", sent[0], "", true)
	checkPublish(t, "refresh", sent[1], "e1", false)
	checkPublish(t, "modify", sent[2], "e2", true)
	if ct := sent[2].ContentType(); ct == nil || ct.Value() != "application/pidf+xml" {
		t.Errorf("modify Content-Type %v, want application/pidf+xml", ct)
	}
}

// A 412 means the server forgot our document: the publisher starts over
// at once, without SIP-If-Match and with the whole document.
func TestPublisherStartsOverAfter412(t *testing.T) {
	p, f := testPublisher(t, func(req *sip.Request) *sip.Response {
		if headerValue(req, "SIP-If-Match") == "old" {
			return reply(req, 412, "Conditional Request Failed")
		}
		return reply(req, 200, "OK", "SIP-ETag", "new")
	})
	p.etag = "old"
	p.publish(context.Background(), pubRefresh)
	sent := f.requests()
	if len(sent) != 2 {
		t.Fatalf("%d PUBLISHes, want 2", len(sent))
	}
	checkPublish(t, "after 412", sent[1], "", true)
	if ev, _ := lastEvent(t, f).(PublicationChanged); p.etag != "new" || ev.State != PubPublished || len(f.emitted()) != 1 {
		t.Errorf("entity tag %q, events %+v: want new, published and nothing else", p.etag, f.emitted())
	}
}

// A 423 is asked again at once for the server's Min-Expires.
func TestPublisherAsksMinExpiresAfter423(t *testing.T) {
	p, f := testPublisher(t, func(req *sip.Request) *sip.Response {
		if headerValue(req, "Expires") == "600" {
			return reply(req, 423, "Interval Too Brief", "Min-Expires", "3600")
		}
		return reply(req, 200, "OK", "SIP-ETag", "e1")
	})
	p.publish(context.Background(), pubInitial)
	sent := f.requests()
	if len(sent) != 2 || headerValue(sent[1], "Expires") != "3600" {
		t.Fatalf("%d PUBLISHes, the last for %q s: want 2, the last for 3600", len(sent), headerValue(sent[len(sent)-1], "Expires"))
	}
	if ev, _ := lastEvent(t, f).(PublicationChanged); ev.State != PubPublished || ev.Expires != 3600 {
		t.Errorf("last event %+v, want published for 3600 s", ev)
	}
}

// A server without PUBLISH (405, 489, 501) is told once, then never
// asked again, nor asked to remove anything.
func TestPublisherGivesUpWhereUnsupported(t *testing.T) {
	p, f := testPublisher(t, func(req *sip.Request) *sip.Response {
		return reply(req, 489, "Bad Event")
	})
	ctx := context.Background()
	p.publish(ctx, pubInitial)
	p.publish(ctx, pubModify)
	p.stop(ctx)
	if ev, _ := lastEvent(t, f).(PublicationChanged); len(f.requests()) != 1 || ev.State != PubUnsupported || ev.Code != 489 {
		t.Errorf("%d PUBLISHes, events %+v: want 1, unsupported (489)", len(f.requests()), f.emitted())
	}
}

// stop removes the document: Expires 0, its entity tag, no body.
func TestPublisherStopRemoves(t *testing.T) {
	p, f := testPublisher(t, accepting())
	ctx := context.Background()
	p.publish(ctx, pubInitial)
	p.stop(ctx)
	sent := f.requests()
	last := sent[len(sent)-1]
	checkPublish(t, "removal", last, "e1", false)
	if headerValue(last, "Expires") != "0" {
		t.Errorf("removal Expires %q, want 0", headerValue(last, "Expires"))
	}
	if ev, _ := lastEvent(t, f).(PublicationChanged); ev.State != PubRemoved || ev.Reason != "" {
		t.Errorf("last event %+v, want removed", ev)
	}
	p.post(pubModify) // after stop: nothing
}
