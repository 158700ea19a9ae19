package desktop

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/clitest"
)

// The chat window on a real X server, read by OCR, in one app start:
// the contact's status in the tab, three quick messages grouped under one
// name and time, a sip: link that opens the chat with that contact when
// clicked, and there, at 400 px wide, a message to a Parley that is not
// running: "not delivered", why in words, and Retry, all on screen.
func TestDesktopChatWindow(t *testing.T) {
	for _, tool := range []string{"xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/test.sh, which installs it", tool)
		}
	}
	display := startXvfb(t)
	app := buildApp(t)
	peer := clitest.Start(t, "--user", "poisson", "--transport", "tcp", "--status", "away", "--note", "Reading papers")
	dead := fmt.Sprintf("sip:euler@127.0.0.1:%d", clitest.FreePort(t)) // nobody listens there

	cfg := t.TempDir()
	roster := fmt.Sprintf(`{"contacts":[{"uri":"%s;transport=tcp","name":"Simeon Poisson","group":"Lab"},{"uri":"%s;transport=tcp","name":"Leonhard Euler","group":"Lab"}]}`, peer.AOR(), dead)
	if err := os.WriteFile(filepath.Join(cfg, "roster.json"), []byte(roster), 0o600); err != nil {
		t.Fatal(err)
	}
	port := clitest.FreePort(t)
	env := append(os.Environ(), "DISPLAY="+display, "PARLEY_CONFIG_DIR="+cfg, "PARLEY_DATA_DIR="+cfg, "FYNE_THEME=light",
		"DBUS_SESSION_BUS_ADDRESS=", "XDG_CONFIG_HOME="+filepath.Join(cfg, "xdg"))
	startApp(t, app, env, filepath.Join(cfg, "parley.log"), "--listen", fmt.Sprintf("127.0.0.1:%d", port), "--user", "chebychev", "--transport", "tcp")
	shots := t.TempDir()
	if dir := os.Getenv("PARLEY_SCREENSHOTS"); dir != "" {
		shots = dir
	}
	n := 100 // after the other desktop test's screenshots, when both write to one directory
	me := fmt.Sprintf("sip:chebychev@127.0.0.1:%d", port)
	peer.WaitEvent(t, 30*time.Second, clitest.Match("watcher", "uri", me, "state", "active"))

	// Three messages in a row: one name and time over them. The chat
	// window opens with the first; it is then made 400 px wide.
	link := strings.TrimPrefix(dead, "sip:")
	for i, m := range []string{"First of three", "Second of three", "Third: write to sip:" + link + " now"} {
		peer.Send("send " + me + " " + m)
		peer.WaitEvent(t, 10*time.Second, clitest.Match("message_status", "id", strconv.Itoa(i+1), "status", "sent"))
		if i == 0 {
			xdo(t, display, "search", "--sync", "--name", "Parley — Chats", "windowsize", "--sync", "%@", "400", "700")
		}
	}
	shot := waitScreen(t, display, shots, &n, "First of three", "Second of three", "Third: write to", "Away: Reading papers")
	// OCR misreads a small time now and then (no head found): read again,
	// a few times. Two heads or more is a real split and fails at once.
	head := regexp.MustCompile(`\d\d[:.]\d\d Simeon Poisson`)
	for try := 0; ; try++ {
		n++
		text, seen := screenText(t, display, shots, n)
		heads := head.FindAllString(text, -1)
		if len(heads) == 1 {
			break
		}
		if len(heads) > 1 || try == 4 {
			t.Errorf("the three messages are under %d heads %q, want one (screenshot %s)", len(heads), heads, seen)
			break
		}
	}
	t.Logf("grouping, link and the status in the tab: %s", shot)

	// The link opens Euler's chat.
	x, y := wordOnScreen(t, display, shots, &n, "sip:"+link)
	xdo(t, display, "mousemove", "--sync", strconv.Itoa(x), strconv.Itoa(y), "click", "1")
	waitScreen(t, display, shots, &n, "Leonhard Euler")
	xdo(t, display, "type", "--delay", "20", "Are you there?")
	xdo(t, display, "key", "Return")
	shot = waitScreen(t, display, shots, &n, "Are you there?", "not delivered", "Leonhard Euler's Parley is not running", "Retry")
	t.Logf("a failed message at 400 px: %s", shot)
}

// xdo runs xdotool on the test's X server.
func xdo(t *testing.T, display string, args ...string) {
	t.Helper()
	cmd := exec.Command("xdotool", args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// wordOnScreen finds a word on the screen by OCR and returns its centre
// in screen pixels.
func wordOnScreen(t *testing.T, display, dir string, n *int, word string) (x, y int) {
	t.Helper()
	for range 20 {
		*n++
		_, shot := screenText(t, display, dir, *n)
		var out bytes.Buffer
		ocr := exec.Command("tesseract", shot+".ocr.png", "stdout", "--psm", "11", "tsv")
		ocr.Stdout = &out
		ocr.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1")
		if err := ocr.Run(); err != nil {
			t.Fatalf("tesseract: %v", err)
		}
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			f := strings.Split(sc.Text(), "\t")
			if len(f) == 12 && strings.Contains(f[11], word) {
				l, _ := strconv.Atoi(f[6])
				tp, _ := strconv.Atoi(f[7])
				w, _ := strconv.Atoi(f[8])
				h, _ := strconv.Atoi(f[9])
				return (l + w/2) / 2, (tp + h/2) / 2 // the OCR read the screen at twice its size
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("%q never on screen", word)
	return 0, 0
}
