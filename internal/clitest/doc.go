// Package clitest runs cmd/parley-cli processes from Go tests.
//
// It owns the test-side life of a parley-cli process: building the binary
// once per test process (Build), starting it on a free loopback port with
// retries when the port was taken meanwhile (Start), writing commands to
// its stdin (Send), collecting the JSON events it prints on stdout (Events,
// WaitEvent) and its stderr, ending it (Quit, Signal, Wait) and killing it
// at cleanup if the test left it running. StartEnv adds environment
// variables (a --password-env password); Run runs one to its end, for
// starts that are meant to be refused. The event log and stderr are
// dumped with t.Log when the test fails (always, with PARLEY_CLI_LOG set).
//
// Test packages that use it should call Main from TestMain so the built
// binary is removed at the end:
//
//	func TestMain(m *testing.M) { clitest.Main(m) }
package clitest
