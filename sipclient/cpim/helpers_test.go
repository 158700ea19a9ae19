package cpim

import (
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// readTestdata returns testdata/name.
var readTestdata = golden.Read

func decodeFile(t testing.TB, name string) *Message {
	t.Helper()
	return golden.Decode(t, Decode, readTestdata(t, name), name)
}

func mustDecode(t testing.TB, s string) *Message {
	t.Helper()
	return golden.Decode(t, Decode, []byte(s), s)
}
