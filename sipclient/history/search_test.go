package history

import (
	"context"
	"testing"
	"time"

	"github.com/parley-im/parley/sipclient/identity"
)

func TestFTSQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"hello", `"hello"*`},
		{"  hello   world ", `"hello" "world"*`},
		{`foo"bar OR (`, `"foo""bar" "OR"*`},
		{"don't stop", `"don't" "stop"*`},
		{"NEAR(a b)", `"NEAR(a" "b)"*`},
		{"( ) * - ^ :", ``},
		{"", ``},
	}
	for _, tt := range tests {
		if got := ftsQuery(tt.in); got != tt.want {
			t.Errorf("ftsQuery(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	texts := []struct{ peer, text string }{
		{bob, "Lunch at the café tomorrow?"},          // 1
		{bob, "Tomorrow works. Which café?"},          // 2
		{alice, "The meeting moved to tomorrow"},      // 3
		{alice, `He said "OR (maybe)" and left`},      // 4
		{bob, "don't forget the slides"},              // 5
		{bob, "Schöne Grüße aus München"},             // 6
		{alice, "price is 100% fair, NOT negotiable"}, // 7
	}
	ids := map[int]int64{}
	for i, m := range texts {
		id, _, err := s.AddIncoming(ctx, incoming(m.peer, m.text, "c"+string(rune('a'+i)), 1))
		if err != nil {
			t.Fatal(err)
		}
		ids[i+1] = id
	}
	tests := []struct {
		query, peer string
		want        []int // newest first
	}{
		{"tomorrow", "", []int{3, 2, 1}},
		{"tomorrow", bob, []int{2, 1}},
		{"tomorrow", "<sips:bob@EXAMPLE.test>", []int{2, 1}},
		{"cafe tomorrow", "", []int{2, 1}}, // diacritics folded
		{"tomorrow caf", "", []int{2, 1}},  // prefix on the last word
		{"caf tomorrow", "", nil},          // but only on the last
		{"TOMORROW MEETING", "", []int{3}}, // case-insensitive
		{"dont", "", nil},                  // "don't" is two tokens
		{"don't", "", []int{5}},
		{"munchen grüße", "", []int{6}},  // ß is a letter, not an accent
		{"OR maybe", "", []int{4}},       // OR is a plain word
		{"NOT negotiable", "", []int{7}}, // and so is NOT
		{"100%", "", []int{7}},
		{"nothing-matches-this", "", nil},
		{"alice", "", nil},   // peers are indexed, but only searched as peers
		{"example", "", nil}, // likewise
		{"sip", "", nil},
	}
	for _, tt := range tests {
		got, err := s.Search(ctx, tt.query, pid(tt.peer), 10)
		if err != nil {
			t.Errorf("Search(%q, %q): %v", tt.query, tt.peer, err)
			continue
		}
		var gotN []int
		for _, m := range got {
			for n, id := range ids {
				if id == m.ID {
					gotN = append(gotN, n)
				}
			}
		}
		if len(gotN) != len(tt.want) || (len(gotN) > 0 && !equalInts(gotN, tt.want)) {
			t.Errorf("Search(%q, %q) = messages %v, want %v", tt.query, tt.peer, gotN, tt.want)
		}
	}
}

// TestSearchPeerTokens: keys with the same tokens are told apart.
func TestSearchPeerTokens(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	one, _, err := s.AddIncoming(ctx, incoming("sip:a.b@c.test", "same words", "c1", 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AddIncoming(ctx, incoming("sip:a@b.c.test", "same words", "c2", 1)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Search(ctx, "same words", pid("sip:a.b@c.test"), 10)
	if err != nil || len(got) != 1 || got[0].ID != one {
		t.Fatalf("Search within sip:a.b@c.test = %v, %v", got, err)
	}
}

// TestSearchHostileQueries: whatever the user types, FTS5 sees no syntax.
func TestSearchHostileQueries(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if _, _, err := s.AddIncoming(ctx, incoming(bob, `foo"bar OR ( baz`, "c1", 1)); err != nil {
		t.Fatal(err)
	}
	queries := []string{
		`foo"bar OR (`, `"`, `""`, `"""`, `*`, `foo*`, `*foo`, `AND`, `OR`, `NOT`, `NOT foo`,
		`foo AND`, `NEAR(foo bar)`, `NEAR(foo bar, 2)`, `text:foo`, `{text}: foo`, `- foo`,
		`^foo`, `+foo`, `foo + bar`, `(foo`, `foo)`, `' OR 1=1 --`, `'; DROP TABLE messages; --`,
		"foo\x00bar", "\t\n", `\`, `\"`, `[foo]`, `foo:`, `:`, `messages_fts MATCH 'x'`,
		`rank:bm25`, `😀 foo`, `ä`, `foo"`, `"foo`, `foo -bar`, `foo^2`, `a b c d e f g h i j`,
	}
	for _, q := range queries {
		if _, err := s.Search(ctx, q, identity.ID{}, 10); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	if got, err := s.Search(ctx, `foo"bar OR (`, identity.ID{}, 10); err != nil || len(got) != 1 {
		t.Errorf(`Search(foo"bar OR () = %v, %v; want the message`, got, err)
	}
}

// TestSearchHundredThousand searches a generated history of 100,000
// messages and checks the paging index on a conversation that long.
func TestSearchHundredThousand(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("builds a 100,000-message database; skipped with -short and -race")
	}
	const n = 100_000
	path, fillTime := bigFixture(t, n)
	t.Logf("filled %d messages (one transaction, FTS triggers) in %v; file %.1f MB per 100,000 messages",
		n+aliceCount, fillTime.Round(time.Millisecond), float64(fileSize(t, path))/(1<<20))
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	hits, err := s.Search(ctx, rareWord, identity.ID{}, 100)
	t.Logf("rare word: %d hits in %v", len(hits), time.Since(start))
	if err != nil || len(hits) != n/10_000 {
		t.Fatalf("Search(%s) = %d hits, %v; want %d", rareWord, len(hits), err, n/10_000)
	}
	for i := 1; i < len(hits); i++ {
		if hits[i].ID >= hits[i-1].ID {
			t.Fatal("hits not newest first")
		}
	}
	if hits, err := s.Search(ctx, uniqueWord, identity.ID{}, 100); err != nil || len(hits) != 1 {
		t.Fatalf("Search(%s) = %v, %v", uniqueWord, hits, err)
	}
	start = time.Now()
	hits, err = s.Search(ctx, "the", identity.ID{}, 20)
	t.Logf("common word, 20 newest: %v", time.Since(start))
	if err != nil || len(hits) != 20 {
		t.Fatalf("Search(the) = %d hits, %v", len(hits), err)
	}
	for _, q := range []string{`foo"bar OR (`, `the AND (`, `NEAR(the`} {
		if _, err := s.Search(ctx, q, identity.ID{}, 20); err != nil {
			t.Errorf("Search(%q): %v", q, err)
		}
	}
	checkLongHistory(t, s, n)
}

func checkLongHistory(t *testing.T, s *Store, n int) {
	ctx := context.Background()
	start := time.Now()
	page, err := s.History(ctx, pid(bob), 0, 50)
	t.Logf("newest page of %d-message conversation: %v", n, time.Since(start))
	if err != nil || len(page) != 50 {
		t.Fatalf("History = %d, %v", len(page), err)
	}
	page, err = s.History(ctx, pid(alice), 0, 50)
	if err != nil || len(page) != aliceCount {
		t.Fatalf("History(alice) = %d, %v", len(page), err)
	}
	convs, err := s.Conversations(ctx)
	if err != nil || len(convs) != 2 || convs[0].Count+convs[1].Count != n {
		t.Fatalf("Conversations = %+v, %v", convs, err)
	}
}

func equalInts(a, b []int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
