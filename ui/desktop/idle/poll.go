package idle

import (
	"context"
	"time"
)

// Bounds on the X11 poll. While the user is active, the next question is
// asked when the idle time would reach the threshold if no input came
// (once per threshold at most: about nothing); while they are away, every
// awayPoll, so the first input brings them back within it.
const (
	minPoll     = 100 * time.Millisecond
	maxAwayPoll = 2 * time.Second
)

// awayPoll is how often the idle time is read while the user is away.
func awayPoll(threshold time.Duration) time.Duration {
	return min(max(threshold/4, 250*time.Millisecond), maxAwayPoll)
}

// poll reads query until ctx ends, reporting each reading as a State for
// threshold. It returns the query's error, or nil when ctx ends.
func poll(ctx context.Context, threshold time.Duration, query func() (Reading, error), report func(State)) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		r, err := query()
		if err != nil {
			return err
		}
		st := State{Idle: r.Idle >= threshold, Locked: r.Saver}
		report(st)
		next := threshold - r.Idle
		if st.Away() {
			next = awayPoll(threshold)
		}
		timer.Reset(max(next, minPoll))
	}
}
