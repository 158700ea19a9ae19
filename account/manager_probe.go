package account

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/parley-im/parley/sipclient"
)

// probeTimeout bounds TestAccount's wait for the registrar's verdict.
const probeTimeout = 10 * time.Second

// RegistrationError is a registration that failed, in the words the
// client reported (Reason) and with the status code, if any.
type RegistrationError struct {
	Code   int
	Reason string
}

func (e *RegistrationError) Error() string {
	switch {
	case e.Reason != "":
		return e.Reason
	case e.Code != 0:
		return "the server answered " + strconv.Itoa(e.Code)
	}
	return "the registration failed"
}

// StatusCode is the registrar's status code, 0 for none.
func (e *RegistrationError) StatusCode() int { return e.Code }

// TestAccount registers once with a's settings on a client of its own
// (password "" uses the saved one), waits up to 10 s for the answer and
// unregisters. The error says in words what failed. The test client
// shares nothing with the running identities: its history is its own and
// its outbox sends nothing.
func (m *Manager) TestAccount(ctx context.Context, a Account, password string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	done, err := m.begin()
	if err != nil {
		return err
	}
	defer done()
	if password == "" {
		if password, err = m.password(ctx, a.ID); err != nil {
			return fmt.Errorf("the saved password could not be read: %w", err)
		}
	}
	opts := append(append([]sipclient.Option(nil), m.cfg.Options...),
		sipclient.WithOutboxShare(func(string) bool { return false }))
	c, err := sipclient.New(m.accountConfig(a, password), opts...)
	if err != nil {
		return fmt.Errorf("could not start: %w", err)
	}
	defer func() {
		go drain(c.Events())
		c.Close() // unregisters
	}()
	return awaitRegistration(ctx, c.Events())
}

// awaitRegistration waits for the first verdict: registered or failed.
func awaitRegistration(ctx context.Context, events <-chan sipclient.Event) error {
	timer := time.NewTimer(probeTimeout)
	defer timer.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return sipclient.ErrClosed
			}
			r, isReg := e.(sipclient.RegistrationChanged)
			switch {
			case !isReg:
			case r.State == sipclient.RegRegistered:
				return nil
			case r.State == sipclient.RegFailed:
				return &RegistrationError{Code: r.Code, Reason: r.Reason}
			}
		case <-timer.C:
			return fmt.Errorf("no answer from the server within %d s", int(probeTimeout/time.Second))
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func drain(events <-chan sipclient.Event) {
	for range events {
	}
}
