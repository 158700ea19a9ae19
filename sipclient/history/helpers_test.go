package history

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/idtest"
)

const (
	bob   = "sip:bob@example.test"
	alice = "sip:alice@example.test"
)

var t0 = time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path) // does not return
	}
	code := m.Run()
	removeFixtures()
	os.Exit(code)
}

// openTemp opens a fresh store in t's temporary directory.
func openTemp(tb testing.TB, opts ...Option) (*Store, string) {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "history.db")
	s, err := Open(context.Background(), path, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, path
}

func incoming(peer, text, callID string, cseq uint32) Message {
	return Message{PeerURI: peer, Text: text, CallID: callID, FromTag: "tag-" + callID, CSeq: cseq, At: t0}
}

// fixture is a database file with a large generated history, built once
// per test binary because building it is the slow part.
type fixture struct {
	once sync.Once
	path string
	err  error
	dur  time.Duration
}

var (
	fixtures   sync.Map // int (message count) -> *fixture
	fixtureDir string
	fixtureMu  sync.Mutex
)

// Fixture content: bob has n messages, alice the 10 newest-but-interleaved
// ones; "zebracorn" is in every 10,000th message and "quokka" in one.
const (
	rareWord   = "zebracorn"
	uniqueWord = "quokka"
	aliceCount = 10
)

// bigFixture returns the path of a database holding n messages for bob
// plus aliceCount for alice, and how long filling it took.
func bigFixture(tb testing.TB, n int) (string, time.Duration) {
	tb.Helper()
	v, _ := fixtures.LoadOrStore(n, &fixture{})
	f := v.(*fixture)
	f.once.Do(func() { f.path, f.dur, f.err = buildFixture(n) })
	if f.err != nil {
		tb.Fatal(f.err)
	}
	return f.path, f.dur
}

func buildFixture(n int) (string, time.Duration, error) {
	fixtureMu.Lock()
	if fixtureDir == "" {
		dir, err := os.MkdirTemp("", "history-fixture-")
		if err != nil {
			fixtureMu.Unlock()
			return "", 0, err
		}
		fixtureDir = dir
	}
	path := filepath.Join(fixtureDir, fmt.Sprintf("history-%d.db", n))
	fixtureMu.Unlock()
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		return "", 0, err
	}
	defer s.Close()
	start := time.Now()
	if err := fill(ctx, s, n); err != nil {
		return "", 0, err
	}
	return path, time.Since(start), nil
}

func removeFixtures() {
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
}

// fill inserts the fixture's messages in transactions of 100,000, with the
// same statement AddIncoming uses, then indexes them as the writer would.
func fill(ctx context.Context, s *Store, n int) error {
	const batch = 100_000
	g := newTextGen()
	for done := 0; done < n; done += batch {
		tx, err := s.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		stmt, err := tx.PrepareContext(ctx, insertSQL)
		if err != nil {
			tx.Rollback()
			return err
		}
		for i := done; i < min(done+batch, n); i++ {
			m := fixtureMessage(g, i, n)
			if _, err := stmt.ExecContext(ctx, insertArgs(m)...); err != nil {
				tx.Rollback()
				return err
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	if err := s.indexAll(ctx); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

func fixtureMessage(g *textGen, i, n int) Message {
	peer, dir, state := bob, In, StateReceived
	if i%2 == 1 {
		dir, state = Out, StateSent
	}
	text := g.sentence()
	if i%10_000 == 5_000 {
		text += " " + rareWord
	}
	if i == n/2+7 {
		text += " " + uniqueWord
	}
	m := Message{Peer: pid(peer), PeerURI: peer, Direction: dir, State: state,
		At: t0.Add(time.Duration(i) * time.Second), Text: text, ContentType: "text/plain",
		CallID: fmt.Sprintf("call-%d@host.example.test", i), FromTag: "ft", CSeq: 1}
	// Alice's messages are spread through the second half of the file.
	if i >= n/2 && (i-n/2)%((n/2)/aliceCount) == 0 && (i-n/2)/((n/2)/aliceCount) < aliceCount {
		m.Peer, m.PeerURI = pid(alice), alice
	}
	return m
}

// textGen makes chat-like sentences from a fixed vocabulary with a skewed
// (Zipf) word distribution, as natural language has.
type textGen struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	words []string
}

func newTextGen() *textGen {
	r := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "de", "ba", "po", "fe", "gu", "hi", "ja", "wo"}
	words := []string{"the", "and", "you", "meeting", "tomorrow", "lunch", "ok", "thanks", "call", "later"}
	for len(words) < 5000 {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		words = append(words, b.String())
	}
	return &textGen{r: r, zipf: rand.NewZipf(r, 1.1, 2, uint64(len(words)-1)), words: words}
}

func (g *textGen) sentence() string {
	n := 3 + g.r.IntN(12)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = g.words[g.zipf.Uint64()]
	}
	return strings.Join(parts, " ")
}

func fileSize(tb testing.TB, path string) int64 {
	tb.Helper()
	var total int64
	for _, p := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(p); err == nil {
			total += fi.Size()
		}
	}
	return total
}

// pid is the identity of an address the test knows to be valid.
var pid = idtest.ID

// insertOld writes m as a build before schema 4 did: the columns of
// version 1, straight into db, for the migrations to find.
func insertOld(t *testing.T, db *sql.DB, m Message) {
	t.Helper()
	if err := prepare(&m); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(context.Background(), insertV1SQL, insertArgs(m)[:14]...); err != nil {
		t.Fatal(err)
	}
}

// rawFile opens path past the Store, as a build before this one or a
// crash would leave it: one connection, the schema migrated to version v
// (0: left as it is). The test closes it.
func rawFile(t *testing.T, path string, v int) *sql.DB {
	t.Helper()
	ctx := context.Background()
	dsn, _ := fileDSN(path, defaultConfig(), true)
	db, err := openPool(ctx, dsn, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v > 0 {
		if err := migrateTo(ctx, db, defaultConfig().log, v); err != nil {
			t.Fatal(err)
		}
	}
	return db
}
