package winfo

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

func decodeFile(t testing.TB, name string) *Document {
	t.Helper()
	doc, err := Decode(readTestdata(t, name))
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return doc
}

func mustDecode(t testing.TB, body string) *Document {
	t.Helper()
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatalf("Decode: %v\n%s", err, body)
	}
	return doc
}
