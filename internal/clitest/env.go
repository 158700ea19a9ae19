package clitest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// StartEnv is Start with env (KEY=VALUE entries) added to the process's
// environment, e.g. the variable --password-env names.
func StartEnv(t testing.TB, env []string, args ...string) *CLI {
	t.Helper()
	return start(t, append([]string{}, env...), args)
}

// Result is how a parley-cli run that ended by itself went.
type Result struct {
	Code   int     // exit code, -1 if a signal ended it
	Events []Event // what it printed on stdout
	Stderr string
}

// Run runs parley-cli with args and env (KEY=VALUE entries added to the
// environment) until it exits, stdin empty, and returns how it ended. It
// is for runs that end by themselves, like a refused start; one that
// starts anyway sees end of input and quits. Without --listen it listens
// on 127.0.0.1, port 0. Run fails the test if the process is still
// running after ReadyTimeout + QuitTimeout.
func Run(t testing.TB, env []string, args ...string) Result {
	t.Helper()
	bin := Build(t)
	if !hasListen(args) {
		args = append([]string{"--listen", "127.0.0.1:0"}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout+QuitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("clitest: parley-cli %s still running after %v; killed\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), ReadyTimeout+QuitTimeout, stdout.String(), stderr.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("clitest: exec %s: %v", bin, err)
	}
	r := Result{Code: cmd.ProcessState.ExitCode(), Stderr: stderr.String()}
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		r.Events = append(r.Events, parseEvent(sc.Text()))
	}
	return r
}
