package clitest

import (
	"strings"
	"testing"
)

func TestRunRefusedStart(t *testing.T) {
	r := Run(t, nil, "--no-such-flag")
	if r.Code != 2 || !strings.Contains(r.Stderr, "no-such-flag") || len(r.Events) != 0 {
		t.Errorf("run with a bad flag: %+v", r)
	}
}

// The variable StartEnv adds reaches the process: the start that needs it
// succeeds, and without it the same start is refused.
func TestStartEnv(t *testing.T) {
	args := []string{"--user", "envtest", "--aor", "sip:envtest@example.invalid", "--registrar", "sip:127.0.0.1:9",
		"--password-env", "CLITEST_PASSWORD"}
	c := StartEnv(t, []string{"CLITEST_PASSWORD=x"}, args...)
	if code := c.Quit(t); code != 0 {
		t.Errorf("exit code %d, want 0", code)
	}
	if r := Run(t, nil, args...); r.Code == 0 || !strings.Contains(r.Stderr, "CLITEST_PASSWORD is not set") {
		t.Errorf("without the variable: %+v", r)
	}
}
