package main

import (
	"bufio"
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// Mesa's GL driver (one DRI file for every GPU, linked with LLVM) is
// loaded when the window's GL context is made, on the main thread, just
// before the first frame: ~35 ms of loading and relocating, a sixth of the
// start under Xvfb's software GL. A run records which driver file the X
// server gave it; the next one loads that file on another thread once
// GLFW has started, while the core starts and the window is laid out, and
// GLX finds it loaded. Nothing is loaded on a first run, or where the GL is
// not Mesa's DRI (no file recorded): such a machine pays nothing.

// glDriverFile is where the driver's path is kept: a cache, per machine
// and user, not per profile.
func glDriverFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "parley", "gl-driver")
}

// preloadGLDriver starts loading the recorded driver, if any, in the
// background, and returns its path ("" if none).
func preloadGLDriver() string {
	file := glDriverFile()
	if file == "" {
		return ""
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	path := strings.TrimSpace(string(b))
	if !isDRIDriver(path) {
		return ""
	}
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return ""
	}
	go dlopenGlobal(path)
	return path
}

// rememberGLDriver records the driver this process loaded, for the next
// start; call it after the first frame.
func rememberGLDriver(log *slog.Logger) {
	file := glDriverFile()
	if file == "" {
		return
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	path := driverInMaps(maps)
	if old, _ := os.ReadFile(file); strings.TrimSpace(string(old)) == path {
		return
	}
	if path == "" {
		os.Remove(file) // no DRI driver now: load none next time
		return
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		log.Debug("gl driver cache", "error", err)
		return
	}
	if err := os.WriteFile(file, []byte(path+"\n"), 0o600); err != nil {
		log.Debug("gl driver cache", "error", err)
	}
}

// driverInMaps is the first DRI driver among the files mapped in maps
// (/proc/self/maps), or "".
func driverInMaps(maps []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 6 && isDRIDriver(fields[5]) {
			return fields[5]
		}
	}
	return ""
}

// isDRIDriver: an absolute path to a file named like Mesa's drivers
// (swrast_dri.so, iris_dri.so, radeonsi_dri.so) in a dri directory.
func isDRIDriver(path string) bool {
	return filepath.IsAbs(path) && strings.HasSuffix(path, "_dri.so") &&
		filepath.Base(filepath.Dir(path)) == "dri"
}
