package interop

import (
	"syscall"
	"testing"

	"github.com/parley-im/parley/internal/clitest"
)

// TestShutdown checks parley-cli's exit contract on its own, without peers:
// "quit", end of input and SIGTERM each end it with code 0.
func TestShutdown(t *testing.T) {
	ways := map[string]func(c *clitest.CLI){
		"quit":    func(c *clitest.CLI) { c.Send("quit") },
		"eof":     func(c *clitest.CLI) { c.CloseStdin() },
		"sigterm": func(c *clitest.CLI) { _ = c.Signal(syscall.SIGTERM) },
	}
	for name, stop := range ways {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c := clitest.Start(t, "--user", "shutdown")
			stop(c)
			if code := c.Wait(t, clitest.QuitTimeout); code != 0 {
				t.Errorf("exit code after %s = %d, want 0", name, code)
			}
		})
	}
}
