package account

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/parley-im/parley/sipclient"
	"github.com/parley-im/parley/sipclient/history"
	"github.com/parley-im/parley/sipclient/identity"
)

// copyProfile copies testdata/profile-v1 into a fresh directory. That
// profile was written by the release before identities (its own
// LoadRoster/Add/Save, SaveAccounts and history.Store), with every
// spelling of one person it let through: see testdata/profile-v1/README.md.
func copyProfile(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"roster.json", "accounts.json", "history.db"} {
		b, err := os.ReadFile(filepath.Join("testdata/profile-v1", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestOldProfileOpens(t *testing.T) {
	dir := copyProfile(t)
	original, _ := os.ReadFile(filepath.Join(dir, "roster.json"))
	b, err := OpenBook(dir, sipclient.Ask)
	if err != nil {
		t.Fatal(err)
	}
	want := []Contact{
		{ID: pid("sip:bob@x.org"), URI: "sip:bob@x.org", Name: "Bob", Group: "Work"},
		{ID: pid("sip:carol@y.org"), URI: "sips:carol@y.org", Name: "Carol", Group: "Work"},
		{ID: pid("sip:dave@z.org"), URI: "sip:%64ave@z.org", Name: "Dave", Group: "Family"},
		{ID: pid("sip:erin@[2001:db8::1]"), URI: "sip:erin@[2001:DB8:0::1]", Name: "Erin"},
		{ID: pid("sip:frank@127.0.0.1:5090"), URI: "sip:frank@127.0.0.1:5090;transport=tcp", Name: "Frank (direct)"},
		{ID: pid("sip:Gina@x.org"), URI: "sip:Gina@x.org", Name: "Gina"},
	}
	if got := b.Contacts(); !slices.Equal(got, want) {
		t.Errorf("contacts:\n got %+v\nwant %+v", got, want)
	}
	answers := map[string]sipclient.Decision{}
	for id, d := range b.WatcherAnswers() {
		answers[id.String()] = d
	}
	wantAnswers := map[string]sipclient.Decision{"sip:grace@w.org": sipclient.Block,
		"sip:henry@h.org": sipclient.Block, "sip:ivan@i.org": sipclient.Allow}
	if len(answers) != len(wantAnswers) || answers["sip:grace@w.org"] != sipclient.Block ||
		answers["sip:henry@h.org"] != sipclient.Block || answers["sip:ivan@i.org"] != sipclient.Allow {
		t.Errorf("watcher answers %v, want %v (block wins where two spellings disagree)", answers, wantAnswers)
	}
	if got := b.Blocked(); !slices.Equal(got, []identity.ID{pid("sip:mallory@evil.org"), pid("sip:mike@evil.org")}) {
		t.Errorf("blocked %v", got)
	}
	// The merged book was saved, and the original kept beside it.
	if kept, _ := os.ReadFile(filepath.Join(dir, "roster.json.v1")); string(kept) != string(original) {
		t.Error("roster.json.v1 is not the original file")
	}
	var saved bookFile
	raw, _ := os.ReadFile(filepath.Join(dir, "roster.json"))
	if err := json.Unmarshal(raw, &saved); err != nil || len(saved.Contacts) != 6 || len(saved.BlockedSenders) != 2 {
		t.Errorf("saved book: %s", raw)
	}
	again, err := OpenBook(dir, sipclient.Ask)
	if err != nil || !slices.Equal(again.Contacts(), want) {
		t.Errorf("reopened: %+v %v", again.Contacts(), err)
	}
}

func TestOldAccountsAndHistoryOpen(t *testing.T) {
	dir := copyProfile(t)
	accs, err := LoadAccounts(dir)
	if err != nil || len(accs) != 2 || accs[0].AOR != "sips:Alice@EXAMPLE.test:5061" || accs[1].Transport != TransportTCP {
		t.Fatalf("accounts: %+v %v", accs, err)
	}
	ctx := context.Background()
	st, err := history.Open(ctx, filepath.Join(dir, "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	counts := map[string]int{}
	convs, err := st.Conversations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		counts[c.Peer.String()] = c.Count
	}
	if counts["sip:bob@x.org"] != 4 || counts["sip:carol@y.org"] != 2 || counts["sip:dave@z.org"] != 1 ||
		counts["sip:erin@[2001:db8::1]"] != 1 || len(counts) != 5 {
		t.Errorf("conversations %v", counts)
	}
	// Each contact of the book finds its conversation by its ID.
	b, _ := OpenBook(dir, sipclient.Ask)
	for _, c := range b.Contacts() {
		msgs, err := st.History(ctx, c.ID, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Frank (direct)" && c.Name != "Gina" && len(msgs) == 0 {
			t.Errorf("%s (%s) has no history", c.Name, c.ID)
		}
	}
	due, err := st.Due(ctx, convs[0].Last.Add(48*3600e9), 10)
	if err != nil || len(due) != 2 {
		t.Errorf("outbox: %d due, %v; want carol's pending and bob's failed", len(due), err)
	}
}
