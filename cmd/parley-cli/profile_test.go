package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStartProfile: with PARLEY_CPUPROFILE set, a CPU profile is written
// there once stop runs; without it nothing is.
func TestStartProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.prof")
	t.Setenv("PARLEY_CPUPROFILE", path)
	stop, err := startProfile()
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("profile: %v, %v", fi, err)
	}
	t.Setenv("PARLEY_CPUPROFILE", "")
	stop, err = startProfile()
	if err != nil {
		t.Fatal(err)
	}
	stop()
}
