package xcap

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/sipclient/digest"
)

var users = map[string]string{"alice": "alice-secret", "bob": "bob-secret"}

const ctype = "application/resource-lists+xml"

func doc(entries ...string) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"><list name="Contacts">`)
	for _, e := range entries {
		b.WriteString(`<entry uri="` + e + `"/>`)
	}
	b.WriteString("</list></resource-lists>\n")
	return []byte(b.String())
}

func newClient(s *kamailio.Server, user, pass string) *Client {
	return New(s.XCAPRoot(), "sip:"+user+"@"+s.Domain(), digest.Credentials{Username: user, Password: pass}, nil, 0)
}

// TestGetPutETags against Kamailio's XCAP server: a missing document is
// ErrNotFound; Put with no ETag creates it once; a stale ETag is
// ErrChanged; the ETag Put returns is the one Get sees.
func TestGetPutETags(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: users, XCAPLists: true})
	ctx := context.Background()
	c := newClient(s, "alice", users["alice"])
	url := c.URL("resource-lists", "index")
	if _, err := c.Get(ctx, url); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get before any Put: %v, want ErrNotFound", err)
	}
	etag, err := c.Put(ctx, url, ctype, doc("sip:bob@parley.test"), "")
	if err != nil || etag == "" {
		t.Fatalf("create: %q %v", etag, err)
	}
	if _, err := c.Put(ctx, url, ctype, doc("sip:carol@parley.test"), ""); !errors.Is(err, ErrChanged) {
		t.Errorf("second create: %v, want ErrChanged", err)
	}
	got, err := c.Get(ctx, url)
	if err != nil || got.ETag != etag || string(got.Body) != string(doc("sip:bob@parley.test")) {
		t.Errorf("Get: %q %v\n%s", got.ETag, err, got.Body)
	}
	next, err := c.Put(ctx, url, ctype, doc("sip:bob@parley.test", "sip:carol@parley.test"), etag)
	if err != nil || next == etag {
		t.Errorf("Put with the current ETag: %q %v", next, err)
	}
	if _, err := c.Put(ctx, url, ctype, doc(), etag); !errors.Is(err, ErrChanged) {
		t.Errorf("Put with the old ETag: %v, want ErrChanged", err)
	}
	if _, err := newClient(s, "alice", "wrong").Get(ctx, url); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong password: %v, want ErrUnauthorized", err)
	}
	var se *StatusError
	if _, err := newClient(s, "bob", users["bob"]).Get(ctx, url); !errors.As(err, &se) || se.StatusCode() != 403 {
		t.Errorf("bob reads alice's document: %v, want a 403 StatusError", err)
	}
}

// TestUpdateConflict: two devices of one user change the document at
// once; the second one's write meets 412, re-reads and applies its change
// to what the first wrote: both changes are in the stored document.
func TestUpdateConflict(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: users, XCAPLists: true})
	ctx := context.Background()
	laptop := newClient(s, "alice", users["alice"])
	phone := newClient(s, "alice", users["alice"])
	url := laptop.URL("resource-lists", "index")
	if _, err := laptop.Put(ctx, url, ctype, doc("sip:bob@parley.test", "sip:carol@parley.test"), ""); err != nil {
		t.Fatal(err)
	}
	calls := 0
	// The laptop adds dave; between its read and its write the phone
	// removes carol.
	got, err := laptop.Update(ctx, url, ctype, func(cur []byte) ([]byte, error) {
		calls++
		if calls == 1 {
			if _, err := phone.Update(ctx, url, ctype, func(cur []byte) ([]byte, error) {
				return []byte(strings.Replace(string(cur), `<entry uri="sip:carol@parley.test"/>`, "", 1)), nil
			}); err != nil {
				t.Fatalf("phone: %v", err)
			}
		}
		return []byte(strings.Replace(string(cur), "</list>", `<entry uri="sip:dave@parley.test"/></list>`, 1)), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := phone.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	want := string(doc("sip:bob@parley.test", "sip:dave@parley.test"))
	if calls != 2 || string(stored.Body) != want || stored.ETag != got.ETag {
		t.Errorf("after %d attempts, stored (ETag %s, Update said %s):\n%s\nwant:\n%s", calls, stored.ETag, got.ETag, stored.Body, want)
	}
}

// TestUpdateBounded: a document that changes before every write gives
// up after MaxAttempts with ErrChanged.
func TestUpdateBounded(t *testing.T) {
	s := kamailio.Start(t, kamailio.Options{Users: users, XCAPLists: true})
	ctx := context.Background()
	c := newClient(s, "alice", users["alice"])
	other := newClient(s, "alice", users["alice"])
	url := c.URL("resource-lists", "index")
	calls := 0
	_, err := c.Update(ctx, url, ctype, func(cur []byte) ([]byte, error) {
		calls++
		d, _ := other.Get(ctx, url)
		if _, err := other.Put(ctx, url, ctype, doc("sip:x"+strings.Repeat("y", calls)+"@parley.test"), d.ETag); err != nil {
			t.Fatal(err)
		}
		return doc("sip:bob@parley.test"), nil
	})
	if !errors.Is(err, ErrChanged) || calls != MaxAttempts {
		t.Errorf("Update: %v after %d attempts, want ErrChanged after %d", err, calls, MaxAttempts)
	}
}
