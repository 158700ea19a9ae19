package account

import (
	"log/slog"
	"os"
	"testing"

	"github.com/parley-im/parley/sipclient"
)

// TestMain keeps sipgo's known-harmless warnings (see
// sipclient.QuietStackNoise) out of the test output.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(sipclient.QuietStackNoise(slog.NewTextHandler(os.Stderr, nil))))
	os.Exit(m.Run())
}
