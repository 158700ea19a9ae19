package main

import (
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// A port someone else holds: Parley moves two ports up and says so, unless
// the user chose the port, when it reports the error.
func TestStartCoreMovesOffATakenPort(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	port := busy.Addr().(*net.TCPAddr).Port
	mc := account.ManagerConfig{Direct: sipclient.Config{ListenAddr: busy.Addr().String(), User: "chebychev"}}

	if _, _, err := startCore(mc, true); err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Fatalf("a chosen port that is taken: %v, want the error", err)
	}
	core, moved, err := startCore(mc, false)
	if err != nil {
		t.Fatal(err)
	}
	defer core.Close()
	_, after, _ := strings.Cut(moved, "listens on port ")
	now, _ := strconv.Atoi(strings.TrimRight(strings.Fields(after + " ")[0], ":"))
	if now <= port || !strings.HasSuffix(core.AOR(), ":"+strconv.Itoa(now)) {
		t.Errorf("listening as %s, the note says port %d (%q)", core.AOR(), now, moved)
	}
	if !strings.Contains(moved, "Port "+strconv.Itoa(port)+" is taken") || !strings.Contains(moved, "--listen") {
		t.Errorf("the note says %q", moved)
	}
}

// One Parley per profile: a second one finds the lock taken, and gets it
// once the first lets go.
func TestOneInstancePerProfile(t *testing.T) {
	dir := t.TempDir()
	release, err := lockInstance(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockInstance(dir); !errors.Is(err, errRunning) {
		t.Fatalf("second instance: %v, want errRunning", err)
	}
	release()
	again, err := lockInstance(dir)
	if err != nil {
		t.Fatalf("after the first let go: %v", err)
	}
	again()
}
