package history

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// testdata/split-peers-v2.db is a schema-2 file as the release before
// identities wrote it (account/testdata/profile-v1/history.db), with the
// peer column of three rows changed by hand to other spellings of the same
// people, as a build with other key rules would have filed them: bob's
// conversation is split between sip:bob@x.org and sip:bob@x.org:5060,
// carol's between sip:carol@y.org and sips:carol@y.org.
func TestMigrationMergesSplitConversations(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile("testdata/split-peers-v2.db")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "history.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	convs, err := s.Conversations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, c := range convs {
		counts[c.Peer.String()] = c.Count
	}
	want := map[string]int{"sip:bob@x.org": 4, "sip:carol@y.org": 2, "sip:dave@z.org": 1,
		"sip:erin@[2001:db8::1]": 1, "sip:mallory@evil.org": 1}
	if !maps.Equal(counts, want) {
		t.Fatalf("conversations after migration: %v, want %v", counts, want)
	}
	page, err := s.History(ctx, pid("sip:bob@x.org:5060"), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, m := range slices.Backward(page) {
		texts = append(texts, m.Text)
	}
	if !slices.Equal(texts, []string{"hello from the phone", "hi Bob", "from the desk", "are you there?"}) {
		t.Errorf("bob's merged conversation, oldest first: %q", texts)
	}
	if hits, err := s.Search(ctx, "there", pid("sip:bob@x.org"), 10); err != nil || len(hits) != 1 {
		t.Errorf("search in the merged conversation: %v, %v", hits, err)
	}
	due, err := s.Due(ctx, page[0].At.Add(24*60*60*1e9), 10)
	if err != nil || len(due) != 2 {
		t.Errorf("outbox after migration: %+v, %v; want carol's pending and bob's failed", due, err)
	}
}
