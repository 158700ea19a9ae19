package keyringtest

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestFilesHolding(t *testing.T) {
	root := t.TempDir()
	for name, body := range map[string]string{"a.json": `{"user":"alice"}`, "sub/b.db": "xx pw-123 xx", "sub/c": "none"} {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	read, holding, err := FilesHolding(root, "pw-123", "other")
	if err != nil {
		t.Fatal(err)
	}
	if len(read) != 3 || !slices.Equal(holding, []string{filepath.Join(root, "sub/b.db")}) {
		t.Errorf("read %q, holding %q", read, holding)
	}
}
