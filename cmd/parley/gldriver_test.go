package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const swrast = "/usr/lib/x86_64-linux-gnu/dri/swrast_dri.so"

func TestDriverInMaps(t *testing.T) {
	maps := []byte(`55d0c0a00000-55d0c0a21000 r--p 00000000 08:01 1 /usr/bin/parley
7f1a2c000000-7f1a2c021000 rw-p 00000000 00:00 0 
7f1a30000000-7f1a30400000 r--p 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1
7f1a34000000-7f1a34200000 r--p 00000000 08:01 3 /usr/lib/x86_64-linux-gnu/dri/iris_dri.so
7f1a36000000-7f1a36200000 r--p 00000000 08:01 4 /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so
`)
	if got := driverInMaps(maps); got != "/usr/lib/x86_64-linux-gnu/dri/iris_dri.so" {
		t.Errorf("driverInMaps = %q", got)
	}
	if got := driverInMaps([]byte("7f1a-7f1b r--p 0 08:01 2 /usr/lib/libGLX_nvidia.so.0\n")); got != "" {
		t.Errorf("no DRI driver, got %q", got)
	}
	for path, want := range map[string]bool{
		"/usr/lib/dri/radeonsi_dri.so": true,
		"dri/swrast_dri.so":            false, // not absolute
		"/tmp/x/swrast_dri.so":         false, // not in a dri directory
		"/usr/lib/dri/libz.so":         false,
	} {
		if isDRIDriver(path) != want {
			t.Errorf("isDRIDriver(%q) = %v", path, !want)
		}
	}
}

// The driver a run recorded is loaded by the next start; a recorded path
// that is no DRI driver is not.
func TestPreloadGLDriver(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux only")
	}
	if _, err := os.Stat(swrast); err != nil {
		t.Fatalf("%s is missing: run scripts/test.sh, which installs Xvfb (and Mesa with it)", swrast)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	file := glDriverFile()
	os.MkdirAll(filepath.Dir(file), 0o700)

	os.WriteFile(file, []byte("/lib/x86_64-linux-gnu/libz.so.1\n"), 0o600)
	if got := preloadGLDriver(); got != "" {
		t.Errorf("a recorded non-driver was loaded: %q", got)
	}
	os.WriteFile(file, []byte(swrast+"\n"), 0o600)
	if got := preloadGLDriver(); got != swrast {
		t.Fatalf("preloadGLDriver = %q, want %s", got, swrast)
	}
	for range 100 { // bounded: 10 s
		if maps, _ := os.ReadFile("/proc/self/maps"); strings.Contains(string(maps), swrast) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if maps, _ := os.ReadFile("/proc/self/maps"); !strings.Contains(string(maps), swrast) {
		t.Fatalf("%s is not mapped after the preload", swrast)
	}

	// Now loaded, it is what this process records.
	os.Remove(file)
	rememberGLDriver(slog.Default())
	if b, _ := os.ReadFile(file); strings.TrimSpace(string(b)) != swrast {
		t.Errorf("recorded %q, want %s", b, swrast)
	}
}
