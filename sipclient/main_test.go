package sipclient

import (
	"log/slog"
	"os"
	"testing"
)

// TestMain keeps sipgo's known-harmless warnings (see QuietStackNoise) out
// of the test output, where they buried real failures.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(QuietStackNoise(slog.NewTextHandler(os.Stderr, nil))))
	os.Exit(m.Run())
}
