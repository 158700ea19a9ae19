package account

import (
	"slices"

	"github.com/parley-im/parley/sipclient"
)

// keepInstanceIDs gives an instance ID (RFC 5626 +sip.instance) to every
// account of a file written before they existed, and saves the file, so
// the ID is made once per install and kept. When it cannot be saved the
// IDs hold for this session: the server then sees a new device at the
// next start, whose old binding simply expires.
func (m *Manager) keepInstanceIDs() {
	if !slices.ContainsFunc(m.accounts, func(a Account) bool { return a.InstanceID == "" }) {
		return
	}
	fill := func(list []Account) []Account {
		for i := range list {
			if list[i].InstanceID == "" {
				list[i].InstanceID = sipclient.NewInstanceID()
			}
		}
		return list
	}
	if m.cfg.Dir == "" {
		m.accounts = fill(m.accounts)
		return
	}
	if err := m.writeAccounts(fill); err != nil {
		m.log.Warn("account instance IDs not saved; they hold for this session", "error", err)
		m.accounts = fill(m.accounts)
	}
}
