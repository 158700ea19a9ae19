//go:build !linux

package handoff

import (
	"context"
	"errors"
	"log/slog"
)

// ErrNotRunning: no Parley answers (always so here: the hand-over needs
// Linux's SO_PEERCRED).
var ErrNotRunning = errors.New("handoff: not supported on this system")

// Server is not available on this system.
type Server struct{}

// Listen is not supported on this system.
func Listen(string, *slog.Logger) (*Server, error) { return nil, ErrNotRunning }

// Serve does nothing.
func (*Server) Serve(func([]string)) {}

// Close does nothing.
func (*Server) Close() error { return nil }

// Send is not supported on this system.
func Send(context.Context, string, []string) error { return ErrNotRunning }
