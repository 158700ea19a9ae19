package desktop

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackagedEntryOpensSIPLinks: the bundle scripts/package.sh makes has
// a .desktop entry that registers sip: and sips: links and passes the
// link (%u), also once installed with the bundle's own Makefile. The
// bundle is what fyne package v1.7.4 wrote (testdata/fyne-bundle, a real
// run's output without the binary) put through scripts/desktop-entry.sh,
// the step package.sh runs after fyne package: building a release bundle
// takes minutes.
func TestPackagedEntryOpensSIPLinks(t *testing.T) {
	for _, tool := range []string{"tar", "xz", "make"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: run scripts/test.sh, which installs xz-utils and make", tool)
		}
	}
	dir := t.TempDir()
	stage := filepath.Join(dir, "stage")
	pkgRun(t, "", "cp", "-r", "testdata/fyne-bundle", stage)
	os.Remove(filepath.Join(stage, "README.md"))
	pkgWrite(t, filepath.Join(stage, "parley/usr/local/bin/parley"), "#!/bin/sh\n", 0o755)
	pkgWrite(t, filepath.Join(stage, "parley/usr/local/share/pixmaps/im.parley.Parley.png"), "png", 0o644)
	bundle := filepath.Join(dir, "Parley.tar.xz")
	pkgRun(t, stage, "tar", "cJf", bundle, "parley")

	pkgRun(t, "", "bash", "../../scripts/desktop-entry.sh", bundle)
	pkgRun(t, "", "bash", "../../scripts/desktop-entry.sh", bundle) // again: no change
	out := filepath.Join(dir, "out")
	pkgRun(t, "", "mkdir", out)
	pkgRun(t, "", "tar", "xJf", bundle, "-C", out)
	entry := pkgRead(t, filepath.Join(out, "parley/usr/local/share/applications/im.parley.Parley.desktop"))
	checkEntry(t, "bundle", entry, "Exec=parley %u")

	home := filepath.Join(dir, "home")
	pkgRun(t, filepath.Join(out, "parley"), "make", "user-install", "HOME="+home)
	installed := pkgRead(t, filepath.Join(home, ".local/share/applications/im.parley.Parley.desktop"))
	checkEntry(t, "installed", installed, "Exec="+filepath.Join(home, ".local/bin/parley")+" %u")
}

func checkEntry(t *testing.T, what, entry, exec string) {
	t.Helper()
	lines := strings.Split(entry, "\n")
	want := []string{"[Desktop Entry]", exec, "MimeType=x-scheme-handler/sip;x-scheme-handler/sips;", "Name=Parley"}
	for _, w := range want {
		n := 0
		for _, l := range lines {
			if l == w {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s .desktop has %q %d times, want once:\n%s", what, w, n, entry)
		}
	}
	if strings.Count(entry, "Exec=") != 1 || strings.Count(entry, "%") != 1 {
		t.Errorf("%s .desktop: one Exec with one field code wanted:\n%s", what, entry)
	}
}

func pkgRun(t *testing.T, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, out)
	}
}

func pkgWrite(t *testing.T, path, s string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), mode); err != nil {
		t.Fatal(err)
	}
}

func pkgRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
