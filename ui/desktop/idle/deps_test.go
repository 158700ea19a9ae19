package idle

import (
	"os/exec"
	"strings"
	"testing"
)

// The package is pure Go for the desktop: no Fyne, no SIP, no UI.
func TestNoFyneNoSIP(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || strings.Contains(dep, "/parley/sipclient") || strings.Contains(dep, "/parley/account") {
			t.Errorf("idle depends on %s", dep)
		}
	}
}
