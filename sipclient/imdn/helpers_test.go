package imdn

import (
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// readTestdata returns testdata/name.
var readTestdata = golden.Read

func decodeFile(t testing.TB, name string) *Notification {
	t.Helper()
	return golden.Decode(t, Decode, readTestdata(t, name), name)
}
