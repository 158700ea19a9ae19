package history

import (
	"log/slog"
	"time"
)

// Option configures a Store at Open.
type Option func(*config)

type config struct {
	log         *slog.Logger
	busyTimeout time.Duration
	synchronous string // FULL unless a benchmark asks otherwise
	readOnly    bool   // SQLite refuses every write, as on a read-only disk
}

func defaultConfig() config {
	return config{
		log:         slog.New(slog.DiscardHandler),
		busyTimeout: 5 * time.Second,
		synchronous: "FULL",
	}
}

// WithLogger sets the logger; the default discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithBusyTimeout sets how long a write waits for another process holding
// the database (a second Parley instance, a backup tool) before failing.
// The default is 5 s.
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) { c.busyTimeout = d }
}

// withSynchronous exists so the benchmark can put a number on what FULL
// costs; it is unexported because nothing else should weaken durability.
func withSynchronous(mode string) Option {
	return func(c *config) { c.synchronous = mode }
}

// WithReadOnly opens the file with mode=ro: reads work, every write fails
// as storage ([ErrUnavailable], SQLITE_READONLY), as on a read-only disk.
// It serves to look at a history without touching it, and lets tests of
// the SIP core get honest write failures even as root, who can write any
// directory. The file must exist with an up-to-date schema.
func WithReadOnly() Option {
	return func(c *config) { c.readOnly = true }
}
