package pidf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// sharedFlow is the reference flow next to the repository; tests prefer the
// copies in testdata so they also run where shared/ is absent.
const sharedFlow = "../../../shared/seed/flow"

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sipBody returns what follows the blank line ending a SIP message's
// headers.
func sipBody(t testing.TB, msg []byte) []byte {
	t.Helper()
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		if _, body, ok := bytes.Cut(msg, []byte(sep)); ok {
			return body
		}
	}
	t.Fatal("no blank line after the headers")
	return nil
}

func decodeFile(t testing.TB, name string) *Document {
	t.Helper()
	doc, err := Decode(readTestdata(t, name))
	if err != nil {
		t.Fatalf("Decode(%s): %v", name, err)
	}
	return doc
}
