package account_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"github.com/parley-im/parley/internal/idtest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/internal/keyringtest"
	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
)

var kamUsers = map[string]string{"alice": "alice-secret", "bob": "bob-secret"}

// recorder collects a stream of events so tests can wait for one.
type recorder struct {
	mu     sync.Mutex
	cond   *sync.Cond
	events []sipclient.Event
	closed bool
}

func record(ch <-chan sipclient.Event) *recorder {
	r := &recorder{}
	r.cond = sync.NewCond(&r.mu)
	go func() {
		for e := range ch {
			r.mu.Lock()
			r.events = append(r.events, e)
			r.cond.Broadcast()
			r.mu.Unlock()
		}
		r.mu.Lock()
		r.closed = true
		r.cond.Broadcast()
		r.mu.Unlock()
	}()
	return r
}

// wait returns the first event from index from on that matches, and its
// index, or fails after 15 s.
func (r *recorder) waitFrom(t testing.TB, from int, what string, match func(sipclient.Event) bool) (sipclient.Event, int) {
	t.Helper()
	timedOut := false
	deadline := time.AfterFunc(15*time.Second, func() {
		r.mu.Lock()
		timedOut = true
		r.cond.Broadcast()
		r.mu.Unlock()
	})
	defer deadline.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := from; ; {
		for ; i < len(r.events); i++ {
			if match(r.events[i]) {
				return r.events[i], i
			}
		}
		if r.closed || timedOut {
			t.Fatalf("no %s event; got %s", what, r.dumpLocked())
		}
		r.cond.Wait()
	}
}

func (r *recorder) wait(t testing.TB, what string, match func(sipclient.Event) bool) sipclient.Event {
	t.Helper()
	e, _ := r.waitFrom(t, 0, what, match)
	return e
}

func (r *recorder) count(match func(sipclient.Event) bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if match(e) {
			n++
		}
	}
	return n
}

// waitClosed fails unless the stream ends within d.
func (r *recorder) waitClosed(t testing.TB, d time.Duration) {
	t.Helper()
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		r.mu.Lock()
		closed := r.closed
		r.mu.Unlock()
		if closed {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the event stream was not closed within %v", d)
}

func (r *recorder) dumpLocked() string {
	var b strings.Builder
	for _, e := range r.events {
		fmt.Fprintf(&b, "\n  %T %+v", e, e)
	}
	return b.String()
}

func isReg(aor string, state sipclient.RegistrationState) func(sipclient.Event) bool {
	return func(e sipclient.Event) bool {
		r, ok := e.(sipclient.RegistrationChanged)
		return ok && r.AOR == aor && r.State == state
	}
}

func isMsg(text string) func(sipclient.Event) bool {
	return func(e sipclient.Event) bool {
		m, ok := e.(sipclient.MessageReceived)
		return ok && m.Text == text
	}
}

func isStatus(id sipclient.MessageID, status history.State) func(sipclient.Event) bool {
	return func(e sipclient.Event) bool {
		s, ok := e.(sipclient.MessageStatus)
		return ok && s.ID == id && s.Status == status
	}
}

// fakeKeyring is a PasswordStore whose failures a test chooses.
type fakeKeyring struct {
	mu        sync.Mutex
	passwords map[string]string
	getErr    error // returned by Get, after delay
	setErr    error
	delErr    error // returned by Delete (a locked keyring)
	delay     time.Duration
	deleted   []string
}

func newFakeKeyring() *fakeKeyring { return &fakeKeyring{passwords: map[string]string{}} }

func (k *fakeKeyring) Set(ctx context.Context, id, pw string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.setErr != nil {
		return fmt.Errorf("account %q: save password: %w", id, k.setErr)
	}
	k.passwords[id] = pw
	return nil
}

func (k *fakeKeyring) Get(ctx context.Context, id string) (string, error) {
	select {
	case <-time.After(k.delay):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.getErr != nil {
		return "", fmt.Errorf("account %q: read password: %w", id, k.getErr)
	}
	pw, ok := k.passwords[id]
	if !ok {
		return "", fmt.Errorf("account %q: read password: %w", id, account.ErrNotFound)
	}
	return pw, nil
}

func (k *fakeKeyring) Delete(ctx context.Context, id string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.deleted = append(k.deleted, id)
	if k.delErr != nil {
		return fmt.Errorf("account %q: delete password: %w", id, k.delErr)
	}
	if _, ok := k.passwords[id]; !ok {
		return fmt.Errorf("account %q: delete password: %w", id, account.ErrNotFound)
	}
	delete(k.passwords, id)
	return nil
}

// testOptions make failures and retries quick.
func testOptions() []sipclient.Option {
	return []sipclient.Option{sipclient.WithRetry(200*time.Millisecond, 2*time.Second),
		sipclient.WithRequestTimeout(5 * time.Second), sipclient.WithOutboxBackoff(300 * time.Millisecond)}
}

// newManager starts a Manager on 127.0.0.1 with a history file of its
// own, in a fresh config dir; cfg fills in the rest.
func newManager(t *testing.T, srv *kamailio.Server, cfg account.ManagerConfig) (*account.Manager, *recorder) {
	t.Helper()
	tmp := t.TempDir()
	store, err := history.Open(context.Background(), filepath.Join(tmp, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() }) // registered first: runs after the Manager closes
	cfg.Direct = sipclient.Config{ListenAddr: "127.0.0.1:0", User: "me"}
	cfg.Options = append(testOptions(), cfg.Options...)
	cfg.Store = store
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(tmp, "config")
	}
	if srv != nil {
		cfg.RootCAs = caPool(t, srv)
	}
	m, err := account.NewManager(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, record(m.Events())
}

// aliceAccount is alice at the test server over TCP.
func aliceAccount(srv *kamailio.Server) account.Account {
	a := account.NewAccount("work", "sip:alice@"+srv.Domain())
	a.Registrar = "sip:" + srv.TCPAddr() + ";transport=tcp"
	a.Transport = account.TransportTCP
	a.RegisterInterval = 300
	return a
}

func caPool(t testing.TB, srv *kamailio.Server) *x509.CertPool {
	pool, err := srv.CAPool()
	if err != nil {
		t.Fatal(err)
	}
	return pool
}

// serverPeer is a plain client registered at srv as user.
func serverPeer(t *testing.T, srv *kamailio.Server, user string) (*sipclient.Client, *recorder) {
	t.Helper()
	sc := &sipclient.ServerConfig{AOR: "sip:" + user + "@" + srv.Domain(), Registrar: "sip:" + srv.UDPAddr(),
		Password: kamUsers[user], Expires: 300}
	c, err := sipclient.New(sipclient.Config{ListenAddr: "127.0.0.1:0", User: user, Server: sc}, testOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rec := record(c.Events())
	rec.wait(t, user+" registered", isReg(sc.AOR, sipclient.RegRegistered))
	return c, rec
}

// directPeer is a plain peer-to-peer client on loopback.
func directPeer(t *testing.T, user string) (*sipclient.Client, *recorder) {
	t.Helper()
	c, err := sipclient.New(sipclient.Config{ListenAddr: "127.0.0.1:0", User: user}, testOptions()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, record(c.Events())
}

// assertNoPassword fails if any file under dir holds one of passwords.
func assertNoPassword(t *testing.T, dir string, passwords ...string) {
	t.Helper()
	read, holding, err := keyringtest.FilesHolding(dir, passwords...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range holding {
		t.Errorf("%s holds a password", f)
	}
	if len(read) == 0 {
		t.Errorf("no file under %s: nothing was checked", dir)
	}
}

// pid is the identity of an address the test knows to be valid.
var pid = idtest.ID
