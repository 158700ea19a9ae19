package pidf

import (
	"bytes"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

// sharedFlow is the reference flow next to the repository; tests prefer the
// copies in testdata so they also run where shared/ is absent.
const sharedFlow = "../../../shared/seed/flow"

// readTestdata returns testdata/name.
var readTestdata = golden.Read

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
	return golden.Decode(t, Decode, readTestdata(t, name), name)
}
