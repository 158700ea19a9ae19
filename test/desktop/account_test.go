package desktop

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/internal/clitest"
	"github.com/parley-im/parley/internal/kamailio"
	"github.com/parley-im/parley/internal/keyringtest"
	"github.com/parley-im/parley/sipclient"
)

// The account's password, which must reach the app through the keyring only.
const alicePassword = "alice-secret"

// A digest response in the clear: what the trace must never show.
var digestResponseRE = regexp.MustCompile(`(?i)response\s*=\s*"?[0-9a-f]{32,}`)

// TestDesktopAccountSignsInFromKeyring: the real desktop binary, with an
// account whose password is only in a real gnome-keyring (put there by
// libsecret's secret-tool, not by Parley), signs in to a real Kamailio and
// shows it on screen, along with a server contact's presence (status and
// note published by a parley-cli). The password is in no file Parley or
// anything else wrote in the sandbox, and nowhere in the app's stderr with
// the SIP trace on. Without PARLEY_DESKTOP_KEYRING=1 the test re-runs
// itself inside dbus-run-session with a fresh, unlocked keyring in a
// throwaway directory, so the user's own keyring is never touched.
func TestDesktopAccountSignsInFromKeyring(t *testing.T) {
	if !keyringtest.InSession() {
		keyringtest.RequireTools(t, "run scripts/test.sh, which installs xvfb, imagemagick, tesseract-ocr, gnome-keyring, dbus and libsecret-tools",
			"dbus-run-session", "gnome-keyring-daemon", "secret-tool", "Xvfb", "import", "convert", "tesseract")
		kamailio.Require(t)
		keyringtest.RunInSession(t, "TestDesktopAccountSignsInFromKeyring")
		return
	}
	start := time.Now()
	root := keyringtest.RequireSandbox(t)
	display := startXvfb(t)
	app := buildApp(t)
	t.Logf("Xvfb and build: %v", time.Since(start).Round(time.Millisecond))

	srv := kamailio.Start(t, kamailio.Options{Users: map[string]string{"alice": alicePassword, "bob": "bob-secret"}})
	keyringtest.StoreSecret(t, "alice", alicePassword)
	if got, err := account.NewVault().Get(context.Background(), "alice"); got != alicePassword || err != nil {
		t.Fatalf("go-keyring reads %q, %v for the secret-tool entry; want the password", got, err)
	}

	cfg, data := filepath.Join(root, "config"), filepath.Join(root, "data") // data holds the keyring's files too
	alice := account.NewAccount("alice", "sip:alice@"+srv.Domain())
	alice.DisplayName = "Alice"
	alice.Registrar = "sip:" + srv.TCPAddr() + ";transport=tcp"
	alice.Transport, alice.RegisterInterval = account.TransportTCP, 300
	if err := account.SaveAccounts(cfg, []account.Account{alice}); err != nil {
		t.Fatal(err)
	}
	book, err := account.OpenBook(cfg, sipclient.Ask)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book.Add(account.Contact{URI: "sip:bob@" + srv.Domain(), Name: "Bob (server)", Group: "Work"}); err != nil {
		t.Fatal(err)
	}

	bob := clitest.StartEnv(t, []string{"BOB_PW=bob-secret"}, "--user", "bob",
		"--aor", "sip:bob@"+srv.Domain(), "--registrar", "sip:"+srv.UDPAddr()+";transport=udp",
		"--password-env", "BOB_PW", "--status", "away", "--note", "In a meeting")
	bob.WaitEvent(t, 20*time.Second, clitest.Match("registration", "aor", "sip:bob@"+srv.Domain(), "state", string(sipclient.RegRegistered)))

	if err := os.Mkdir(filepath.Join(root, "xdgconfig"), 0o700); err != nil { // Fyne's settings, checked too
		t.Fatal(err)
	}
	env := append(os.Environ(), "DISPLAY="+display, "PARLEY_CONFIG_DIR="+cfg, "PARLEY_DATA_DIR="+data,
		"FYNE_THEME=light", "XDG_CONFIG_HOME="+filepath.Join(root, "xdgconfig"))
	for _, kv := range env {
		if strings.Contains(kv, alicePassword) {
			t.Fatalf("the app's environment holds the password: %s", kv)
		}
	}
	stderrPath := filepath.Join(t.TempDir(), "parley.stderr")
	parley := startApp(t, app, env, stderrPath, "--listen", "127.0.0.1:0", "--user", "me", "--sip-trace")
	appStart := time.Now()

	shots := t.TempDir()
	if dir := os.Getenv("PARLEY_SCREENSHOTS"); dir != "" {
		shots = dir
	}
	n := 0
	// "alice@parley.test: registered", not "...: not registered" or
	// "...: registering…"; OCR may mangle the dots and the colon.
	shot := waitScreenRE(t, display, shots, &n,
		regexp.MustCompile(`alice@parley\S*\s*registered\b`),
		regexp.MustCompile(`Bob \(?server\)?`),
		regexp.MustCompile(`Away\s*\S{0,3}\s*In a meeting`))
	t.Logf("signed in and showing presence %v after start; screenshot %s", time.Since(appStart).Round(time.Millisecond), shot)

	if err := parley.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited, err := parley.wait(10 * time.Second)
	if !exited {
		t.Fatal("parley did not exit within 10 s of SIGTERM")
	}
	if err != nil {
		t.Errorf("parley exited with %v after SIGTERM", err)
	}

	stderr, err := os.ReadFile(stderrPath)
	if err != nil {
		t.Fatal(err)
	}
	checkTrace(t, string(stderr))
	if got := keyringtest.LookupSecret(t, "alice"); got != alicePassword {
		t.Errorf("after the run the keyring holds %q for alice", got)
	}
	walked := assertSecretInNoFile(t, root, alicePassword)
	for _, want := range []string{
		filepath.Join(cfg, account.AccountsFile),
		filepath.Join(cfg, "roster.json"),
		filepath.Join(data, "history.db"),
		filepath.Join(data, "keyrings", "login.keyring"),
	} {
		if !slices.Contains(walked, want) {
			t.Errorf("%s was not among the files checked: %q", want, walked)
		}
	}
	t.Logf("whole run in the session: %v", time.Since(start).Round(time.Millisecond))
}

// checkTrace wants the app's stderr to hold the SIP trace of an
// authenticated REGISTER, with neither the password nor a digest response.
func checkTrace(t *testing.T, stderr string) {
	t.Helper()
	for _, want := range []string{"REGISTER sip:", "Authorization: Digest", `response="<redacted>"`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("the app's --sip-trace output has no %q: the secrecy checks below would prove nothing", want)
		}
	}
	if strings.Contains(stderr, alicePassword) {
		t.Error("the app's stderr holds the password")
	}
	if m := digestResponseRE.FindString(stderr); m != "" {
		t.Errorf("the app's stderr holds a digest response: %s", m)
	}
	t.Logf("stderr: %d bytes, %d traced REGISTERs, no password, no digest response",
		len(stderr), strings.Count(stderr, "\nREGISTER sip:"))
}

// assertSecretInNoFile reads every regular file under root and fails t for
// each one holding secret. It returns the files read.
func assertSecretInNoFile(t *testing.T, root, secret string) []string {
	t.Helper()
	files, holding, err := keyringtest.FilesHolding(root, secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range holding {
		t.Errorf("the password is in the clear in %s", f)
	}
	rel := make([]string, len(files))
	for i, f := range files {
		rel[i], _ = filepath.Rel(root, f)
	}
	t.Logf("password in none of the %d files under %s: %s", len(files), root, strings.Join(rel, ", "))
	return files
}

// waitScreenRE is waitScreen with patterns and a deadline: it polls the
// screen until OCR text matches every one of them, for up to 25 s.
func waitScreenRE(t *testing.T, display, dir string, n *int, want ...*regexp.Regexp) string {
	t.Helper()
	var text, shot string
	for deadline := time.Now().Add(25 * time.Second); time.Now().Before(deadline); {
		*n++
		text, shot = screenText(t, display, dir, *n)
		missing := false
		for _, re := range want {
			if !re.MatchString(text) {
				missing = true
			}
		}
		if !missing {
			t.Logf("OCR text: %q", text)
			return shot
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("screen never matched %q; last OCR text: %q (screenshot %s)", want, text, shot)
	return ""
}
