package sipclient

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/sipclient/digest"
	"github.com/parley-im/parley/sipclient/resourcelists"
	"github.com/parley-im/parley/sipclient/xcap"
)

const buddyList = "sip:alice-buddies@parley.test"

// rosterUsers are alice and n contacts c0001..cNNNN, with passwords.
func rosterUsers(n int) (map[string]string, []string) {
	users := map[string]string{"alice": kamUsers["alice"]}
	uris := make([]string, n)
	for i := range n {
		name := fmt.Sprintf("c%04d", i+1)
		users[name] = "pw-" + name
		uris[i] = "sip:" + name + "@parley.test"
	}
	return users, uris
}

// publishAll PUBLISHes every contact's presence (open, with a note) from
// one TCP connection, answering each 407: a bounded number of requests,
// 2 per contact.
func publishAll(t testing.TB, srv *kamailio.Server, users map[string]string, uris []string) {
	t.Helper()
	rc := dialRaw(t, srv.TCPAddr())
	local := rc.conn.LocalAddr().String()
	for _, uri := range uris {
		user := strings.TrimSuffix(strings.TrimPrefix(uri, "sip:"), "@parley.test")
		body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="` + uri +
			`"><tuple id="t1"><status><basic>open</basic></status></tuple><note>` + user + ` is here</note></presence>`
		auth := ""
		for attempt := range 2 {
			rc.write(publishRequest(local, uri, auth, body, attempt+1))
			res, ok := parse(t, rc.read()).(*sip.Response)
			if !ok {
				t.Fatal("PUBLISH: a request came back")
			}
			code := res.StartLine()
			if strings.Contains(code, " 200 ") {
				break
			}
			if !strings.Contains(code, " 407 ") || attempt == 1 {
				t.Fatalf("PUBLISH %s: %s", uri, code)
			}
			chs, err := digest.ParseChallenges(headerValue(res, "Proxy-Authenticate"))
			if err != nil {
				t.Fatal(err)
			}
			best, _ := digest.Best(chs)
			s, err := digest.NewSession(best)
			if err != nil {
				t.Fatal(err)
			}
			if auth, err = s.AuthorizeBody("PUBLISH", uri, []byte(body), digest.Credentials{Username: user, Password: users[user]}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func publishRequest(local, uri, auth, body string, cseq int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "PUBLISH %s SIP/2.0\r\nVia: SIP/2.0/TCP %s;branch=z9hG4bK%d%d\r\nMax-Forwards: 70\r\n", uri, local, time.Now().UnixNano(), cseq)
	fmt.Fprintf(&b, "From: <%s>;tag=pub\r\nTo: <%s>\r\nCall-ID: pub-%s\r\nCSeq: %d PUBLISH\r\n", uri, uri, uri, cseq)
	if auth != "" {
		b.WriteString("Proxy-Authorization: " + auth + "\r\n")
	}
	fmt.Fprintf(&b, "Event: presence\r\nExpires: 3600\r\nContent-Type: application/pidf+xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
	return []byte(b.String())
}

// putBuddyList stores alice's rls-services document: buddyList holds uris.
func putBuddyList(t testing.TB, srv *kamailio.Server, uris []string) {
	t.Helper()
	doc, err := resourcelists.EncodeServices(resourcelists.Service{URI: buddyList, Resources: uris, Packages: []string{"presence"}})
	if err != nil {
		t.Fatal(err)
	}
	xc := xcap.New(srv.XCAPRoot(), "sip:alice@parley.test", digest.Credentials{Username: "alice", Password: kamUsers["alice"]}, nil, 0)
	if _, err := xc.Update(context.Background(), xc.URL("rls-services", "index"), resourcelists.ServicesContentType,
		func([]byte) ([]byte, error) { return doc, nil }); err != nil {
		t.Fatal(err)
	}
}

var notifyCSeq = regexp.MustCompile(`(?mi)^CSeq:\s*\d+ NOTIFY\r?$`)

// listWire counts what the trace shows a client send and receive.
type listWire struct {
	mu         sync.Mutex
	subscribes int             // presence SUBSCRIBE requests sent (not presence.winfo)
	dialogs    map[string]bool // their Call-IDs: a 407 resend is the same subscription
	notifies   int             // NOTIFY requests received
	bytes      int             // every message, both ways
}

func (w *listWire) Write(p []byte) (int, error) {
	s := string(p)
	head, msg, _ := strings.Cut(s, "\n")
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bytes += len(msg) - 1 // the trace ends each message with a newline
	switch {
	case strings.Contains(head, " send ") && strings.HasPrefix(msg, "SUBSCRIBE ") && strings.Contains(msg, "\r\nEvent: presence\r\n"):
		w.subscribes++
		if w.dialogs == nil {
			w.dialogs = map[string]bool{}
		}
		for _, line := range strings.Split(msg, "\r\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Call-ID") {
				w.dialogs[strings.TrimSpace(v)] = true
			}
		}
	case strings.Contains(head, " recv "):
		w.notifies += len(notifyCSeq.FindAllStringIndex(msg, -1)) // a read may hold several messages
	}
	return len(p), nil
}

func (w *listWire) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.subscribes, w.notifies, w.bytes, w.dialogs = 0, 0, 0, nil
}

// get returns the SUBSCRIBE dialogs started, the SUBSCRIBE requests and
// NOTIFYs, and the bytes both ways.
func (w *listWire) get() (dialogs, subscribes, notifies, bytes int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.dialogs), w.subscribes, w.notifies, w.bytes
}

// waitAllOpen waits (bounded) until every uri's presence was seen open.
func waitAllOpen(t testing.TB, r *recorder, uris []string, bound time.Duration) {
	t.Helper()
	want := map[string]bool{}
	for _, u := range uris {
		want[u] = true
	}
	deadline := time.Now().Add(bound)
	for {
		r.mu.Lock()
		seen := map[string]bool{}
		for _, e := range r.events {
			if p, ok := e.(PresenceChanged); ok && p.Basic == BasicOpen && want[p.URI] {
				seen[p.URI] = true
			}
		}
		r.mu.Unlock()
		if len(seen) == len(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d contacts known after %v", len(seen), len(want), bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cpuTicks is the CPU time (user + system, clock ticks) of every process
// in the process group pgid: the Kamailio server and its children.
func cpuTicks(pgid int) int {
	total := 0
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:]) // state ppid pgrp ... utime(12) stime(13)
		if len(f) < 13 || f[2] != strconv.Itoa(pgid) {
			continue
		}
		u, _ := strconv.Atoi(f[11])
		st, _ := strconv.Atoi(f[12])
		total += u + st
	}
	return total
}
