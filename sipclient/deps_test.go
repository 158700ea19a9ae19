package sipclient

import (
	"os/exec"
	"strings"
	"testing"
)

// The core never depends on the UI toolkit or on the UI package: imports
// run one way, ui/ -> sipclient/.
func TestCoreDoesNotImportUI(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "fyne.io/") || strings.HasSuffix(dep, "/parley/ui") || strings.Contains(dep, "/parley/ui/") {
			t.Errorf("sipclient depends on %s", dep)
		}
	}
}
