package clitest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// buildTimeout bounds the one go build per test process.
const buildTimeout = 5 * time.Minute

var built struct {
	once sync.Once
	dir  string // temporary directory holding the binary
	path string
	err  error
}

// Build builds cmd/parley-cli once per test process into a temporary
// directory and returns the binary's path; later calls reuse it. A build
// failure fails every caller. Call Main (or Cleanup) from TestMain to
// remove the directory.
func Build(t testing.TB) string {
	t.Helper()
	built.once.Do(func() { built.path, built.err = buildCLI() })
	if built.err != nil {
		t.Fatalf("clitest: %v", built.err)
	}
	return built.path
}

func buildCLI() (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "parley-clitest-")
	if err != nil {
		return "", fmt.Errorf("build dir: %w", err)
	}
	built.dir = dir
	bin := filepath.Join(dir, "parley-cli")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/parley-cli")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/parley-cli in %s: %w\n%s", root, err, out)
	}
	return bin, nil
}

// moduleRoot finds the directory of the go.mod governing the current
// directory: `go env GOMOD` first, else walking up to a go.mod.
func moduleRoot() (string, error) {
	if out, err := exec.Command("go", "env", "GOMOD").Output(); err == nil {
		gomod := strings.TrimSpace(string(out))
		if gomod != "" && gomod != os.DevNull {
			return filepath.Dir(gomod), nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for range 64 {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", errors.New("no go.mod above the working directory")
}

// Cleanup removes the directory Build wrote the binary to. Call it after
// m.Run in TestMain; Main does.
func Cleanup() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// Main is a whole TestMain: it runs the tests, removes the built binary and
// exits with the tests' code.
func Main(m *testing.M) {
	code := m.Run()
	Cleanup()
	os.Exit(code)
}
