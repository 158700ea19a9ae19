package imdn

import (
	"os"
	"path/filepath"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeFile(t testing.TB, name string) *Notification {
	t.Helper()
	n, err := Decode(readTestdata(t, name))
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return n
}
