package main

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"

	"github.com/parley-im/parley/account"
)

// portTries is how many other ports startCore tries, two apart (SIP
// programs often take a port and the one above it).
const portTries = 10

// startCore starts the core on mc's listen address. When that port is
// taken (by another SIP program, often) and the user did not choose it
// with --listen, it tries the next ports, so that Parley opens all the
// same; moved then says what happened, for the window's banner.
func startCore(mc account.ManagerConfig, chosen bool) (core *account.Manager, moved string, err error) {
	core, err = account.NewManager(mc)
	if err == nil || chosen || !errors.Is(err, syscall.EADDRINUSE) {
		return core, "", err
	}
	host, p, _ := net.SplitHostPort(mc.Direct.ListenAddr)
	first, _ := strconv.Atoi(p)
	for port := first + 2; port <= first+2*portTries; port += 2 {
		mc.Direct.ListenAddr = net.JoinHostPort(host, strconv.Itoa(port))
		c, perr := account.NewManager(mc)
		switch {
		case perr == nil:
			return c, fmt.Sprintf("Port %d is taken (by another SIP program?), so Parley listens on port %d: "+
				"your address above has changed. Start Parley with --listen to choose the port.", first, port), nil
		case !errors.Is(perr, syscall.EADDRINUSE):
			return nil, "", perr
		}
	}
	return nil, "", err
}
