package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/identity"

	"modernc.org/sqlite"
)

func TestOpenSettings(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()
	for _, tc := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"user_version", fmt.Sprint(len(migrations))},
	} {
		var got string
		if err := s.w.QueryRowContext(ctx, "PRAGMA "+tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("PRAGMA %s = %s, want %s", tc.pragma, got, tc.want)
		}
	}
	var fts5 bool
	if err := s.r.QueryRowContext(ctx, "SELECT sqlite_compileoption_used('ENABLE_FTS5')").Scan(&fts5); err != nil || !fts5 {
		t.Errorf("FTS5 compiled in: %v, %v", fts5, err)
	}
}

func TestReopenIsIdempotent(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	id, _, err := s.AddIncoming(ctx, incoming(bob, "before reopen", "c1", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	for range 2 {
		s, err = Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := schemaVersion(ctx, s.r); err != nil || v != len(migrations) {
			t.Fatalf("version %d, %v", v, err)
		}
		if m, err := s.Get(ctx, id); err != nil || m.Text != "before reopen" {
			t.Fatalf("Get = %+v, %v", m, err)
		}
		if hits, err := s.Search(ctx, "reopen", identity.ID{}, 10); err != nil || len(hits) != 1 {
			t.Fatalf("Search = %v, %v", hits, err)
		}
		s.Close()
	}
}

// insertV1SQL is the insert of schema versions 1 to 3, for files written
// by those builds.
const insertV1SQL = `INSERT INTO messages (peer, peer_uri, direction, at, text,
	content_type, call_id, from_tag, cseq, state, code, reason, attempts,
	next_attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// TestMigrateFromVersion1 upgrades a file written by a build that had only
// the first migration, and checks that its messages become searchable.
func TestMigrateFromVersion1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db := rawFile(t, path, 1)
	m := incoming(bob, "written by version one", "c1", 1)
	m.Direction, m.State = In, StateReceived
	insertOld(t, db, m)
	db.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	hits, err := s.Search(ctx, "version one", identity.ID{}, 10)
	if err != nil || len(hits) != 1 {
		t.Fatalf("Search after upgrade = %v, %v", hits, err)
	}
}

func TestNewerSchemaIsUnavailable(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if _, err := s.w.ExecContext(ctx, "PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err := Open(ctx, path)
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Open = %v, want ErrUnavailable about a newer schema", err)
	}
}

// TestOpenUnavailable covers files that cannot be opened. Tests run as
// root, for whom chmod does not make a directory read-only, so the cases
// use places no permission bit governs.
func TestOpenUnavailable(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.db")
	junk := strings.Repeat("this is a text file, not an SQLite database\n", 200)
	if err := os.WriteFile(corrupt, []byte(junk), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, reason string }{
		// procfs refuses to create files, root or not.
		{"unwritable dir", "/proc/parley-history.db", "unable to open database file"},
		{"missing dir", filepath.Join(dir, "no", "such", "dir", "h.db"), "unable to open database file"},
		{"directory", dir, "unable to open database file"},
		{"corrupt file", corrupt, "file is not a database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			checkUnavailable(t, err, tt.reason)
		})
	}
}

func checkUnavailable(t *testing.T, err error, reason string) {
	t.Helper()
	var ue *UnavailableError
	var se *sqlite.Error
	switch {
	case !errors.Is(err, ErrUnavailable) || !errors.As(err, &ue):
		t.Fatalf("err = %v (%T), want ErrUnavailable", err, err)
	case !errors.As(err, &se):
		t.Errorf("err = %v does not carry the *sqlite.Error cause", err)
	case !strings.HasPrefix(err.Error(), "history is unavailable: ") || !strings.Contains(err.Error(), reason):
		t.Errorf("message %q, want prefix 'history is unavailable: ' and %q", err, reason)
	}
	t.Logf("%v", err)
}

// TestReadOnlyFile opens an existing history with SQLite's mode=ro: reads
// work, writes fail the way they would on a read-only file system.
func TestReadOnlyFile(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	id, _, err := s.AddIncoming(ctx, incoming(bob, "hello", "c1", 1))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(ctx, path, WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if _, err := ro.Get(ctx, id); err != nil {
		t.Fatalf("Get on read-only store: %v", err)
	}
	_, _, err = ro.AddIncoming(ctx, incoming(bob, "again", "c2", 1))
	checkUnavailable(t, err, "readonly")
}

// TestDiskFull makes SQLite hit its page limit, which is reported exactly
// as a full disk (SQLITE_FULL).
func TestDiskFull(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	var pages int
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	// s.w is a single connection, so the limit applies to every write.
	if _, err := s.w.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.AddIncoming(ctx, incoming(bob, strings.Repeat("x", 64<<10), "c1", 1))
	checkUnavailable(t, err, "full")
	_, err = s.AddOutgoing(ctx, Message{PeerURI: bob, Text: strings.Repeat("y", 64<<10)})
	checkUnavailable(t, err, "full")
}

func TestClosedStore(t *testing.T) {
	s, _ := openTemp(t)
	s.Close()
	if _, err := s.Get(context.Background(), 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("Get after Close = %v, want ErrClosed", err)
	}
	if _, _, err := s.AddIncoming(context.Background(), incoming(bob, "x", "c", 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("AddIncoming after Close = %v, want ErrClosed", err)
	}
}

func TestOpenMemory(t *testing.T) {
	ctx := context.Background()
	s, err := OpenMemory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id, _, err := s.AddIncoming(ctx, incoming(bob, "memory only", "c1", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, dup, _ := s.AddIncoming(ctx, incoming(bob, "memory only", "c1", 1)); !dup {
		t.Error("duplicate not detected")
	}
	if hits, err := s.Search(ctx, "memo", pid(bob), 5); err != nil || len(hits) != 1 || hits[0].ID != id {
		t.Fatalf("Search = %v, %v", hits, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

const crashEnv = "HISTORY_TEST_CRASH_CHILD"

// crashChild runs in a child process: it stores two messages and kills
// itself without closing, as a crash would.
func crashChild(path string) {
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	in, _, err1 := s.AddIncoming(ctx, incoming(bob, "acknowledged", "crash-1", 1))
	out, err2 := s.AddOutgoing(ctx, Message{PeerURI: bob, Text: "queued"})
	if err := errors.Join(err1, err2); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("%d %d\n", in, out)
	os.Stdout.Sync()
	p, _ := os.FindProcess(os.Getpid())
	p.Kill()
	select {}
}

// TestDurableWithoutClose kills a process right after AddIncoming and
// AddOutgoing return and checks that both messages survive. (It proves
// nothing stays buffered in the process; surviving power loss is
// synchronous=FULL's job and cannot be tested here.)
func TestDurableWithoutClose(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Exited() {
		t.Fatalf("child: %v (want killed); stdout %q", err, out)
	}
	var in, queued int64
	if _, err := fmt.Sscan(string(out), &in, &queued); err != nil {
		t.Fatalf("child output %q: %v", out, err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Logf("no WAL left behind: %v", err)
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if m, err := s.Get(ctx, in); err != nil || m.Text != "acknowledged" {
		t.Errorf("incoming after crash: %+v, %v", m, err)
	}
	due, err := s.Due(ctx, t0, 10)
	if err != nil || len(due) != 1 || due[0].ID != queued {
		t.Errorf("Due after crash = %+v, %v; want message %d", due, err, queued)
	}
	// Killed before the writer indexed them: the search catches up.
	if hits, err := s.Search(ctx, "acknowledged", identity.ID{}, 10); err != nil || len(hits) != 1 || hits[0].ID != in {
		t.Errorf("search after crash = %+v, %v; want message %d", hits, err, in)
	}
}
