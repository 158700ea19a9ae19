package desktop

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/xvfb"
)

// startXvfb runs a private X server for the test and returns its DISPLAY.
func startXvfb(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"import", "convert", "tesseract"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/test.sh, which installs xvfb, imagemagick and tesseract-ocr", tool)
		}
	}
	display, stop, err := xvfb.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return display
}

// screenText takes a screenshot of the whole X screen and reads it with
// OCR. It returns the text and the screenshot's path.
func screenText(t *testing.T, display, dir string, n int) (string, string) {
	t.Helper()
	shot := filepath.Join(dir, fmt.Sprintf("screen-%02d.png", n))
	imp := exec.Command("import", "-window", "root", shot)
	imp.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := imp.CombinedOutput(); err != nil {
		t.Fatalf("screenshot: %v %s", err, out)
	}
	// +repage drops import's page offset, without which tesseract sees
	// nothing; the black root window around our windows confuses its page
	// layout, so it turns white; doubling the size helps with small text.
	prep := shot + ".ocr.png"
	args := []string{shot, "-alpha", "off", "+repage", "-fill", "white", "-opaque", "black", "-resize", "200%", prep}
	if out, err := exec.Command("convert", args...).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v %s", err, out)
	}
	var stdout bytes.Buffer
	ocr := exec.Command("tesseract", prep, "stdout", "--psm", "11")
	ocr.Stdout = &stdout
	ocr.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
	if err := ocr.Run(); err != nil {
		t.Fatalf("tesseract: %v", err)
	}
	return strings.Join(strings.Fields(stdout.String()), " "), shot
}

// waitScreen polls the screen until every want string is on it.
func waitScreen(t *testing.T, display, dir string, n *int, want ...string) string {
	t.Helper()
	var text, shot string
	for i := 0; i < 30; i++ {
		*n++
		text, shot = screenText(t, display, dir, *n)
		missing := false
		for _, w := range want {
			if !strings.Contains(text, w) {
				missing = true
			}
		}
		if !missing {
			return shot
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("screen never showed %q; last OCR text: %q (screenshot %s)", want, text, shot)
	return ""
}
