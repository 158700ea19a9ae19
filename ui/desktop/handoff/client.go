//go:build linux

package handoff

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// Send hands args to the Parley listening at path and waits until it has
// taken them. The running Parley may hold the profile's lock a moment
// before its socket exists, so a missing or refusing socket is tried
// again until ctx ends.
func Send(ctx context.Context, path string, args []string) error {
	c, err := dial(ctx, path)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := samePeer(c); err != nil { // never hand links to another user's socket
		return err
	}
	// The running Parley answers once its window is up, which at its own
	// start may take longer than one exchange: ctx says how long to wait.
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(ioTimeout)
	}
	c.SetDeadline(deadline)
	if args == nil {
		args = []string{}
	}
	if err := json.NewEncoder(c).Encode(request{Args: args}); err != nil {
		return fmt.Errorf("handoff: send: %w", err)
	}
	return readAck(c)
}

// dial connects, retrying while the socket is not there yet.
func dial(ctx context.Context, path string) (*net.UnixConn, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, syscall.ENOENT) && !errors.Is(err, syscall.ECONNREFUSED) {
			return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %w", ErrNotRunning, err)
		case <-tick.C:
		}
	}
}
