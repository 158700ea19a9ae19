package ui

import "github.com/parley-im/parley/sipclient"

// applyList keeps what the core said about an account's buddy list (RFC
// 4662 resource list): when the server refuses it, the notice says that
// contacts are watched one by one.
func (a *App) applyList(ev sipclient.ListChanged) {
	r := &a.accts.reg
	if r.lists == nil {
		r.lists = map[string]sipclient.ListChanged{}
	}
	r.lists[accountKey(ev.AOR)] = ev
	r.renderNotice()
}

// listText is the notice for a buddy list, "" when it works.
func listText(ev sipclient.ListChanged) string {
	if ev.State != sipclient.ListRefused {
		return ""
	}
	return "The server of " + displayAOR(ev.AOR) + " does not offer your buddy list " + displayAOR(ev.URI) +
		"; each contact is watched on its own, which costs more traffic."
}
