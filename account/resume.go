package account

import (
	"context"
	"time"

	"github.com/parley-im/parley/sipclient"
)

// resumeQuiet is how long after one wake-up another is taken for the
// same one: login1 and the clock-jump check may both report it.
const resumeQuiet = 10 * time.Second

// Resumed renews every identity after the machine slept (see
// sipclient.Client.Refresh): re-registration, subscriptions, publication.
// A second call within resumeQuiet does nothing. It returns at once.
func (m *Manager) Resumed(ctx context.Context) error {
	m.mu.Lock()
	if !m.lastResume.IsZero() && time.Since(m.lastResume) < resumeQuiet {
		m.mu.Unlock()
		return nil
	}
	m.lastResume = time.Now()
	m.mu.Unlock()
	m.log.Info("the machine woke up; renewing registrations, subscriptions and publications")
	return m.each(func(c *sipclient.Client) error { return c.Refresh(ctx) })
}
