package ui

import "encoding/json"

// prefUnread keeps the unread counts across restarts, in Fyne's
// preferences: a JSON object from a contact's address to its count.
const prefUnread = "roster.unread"

// loadUnread reads the counts saved by the last run.
func (a *App) loadUnread() map[string]int {
	m := map[string]int{}
	s := a.fa.Preferences().String(prefUnread)
	if s == "" {
		return m
	}
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		a.log.Warn("unread counts", "error", err)
		return map[string]int{}
	}
	return m
}

// restoreUnread gives a contact the count the last run saved for it.
func (a *App) restoreUnread(c *contactState) {
	if n := a.savedUnread[c.ID.String()]; n > 0 && c.unread == 0 {
		c.unread = n
	}
}

// keepUnread saves the unread counts when they changed, and shows in
// the tray whether any are left.
func (a *App) keepUnread() {
	a.updateTray()
	m := map[string]int{}
	for id, c := range a.contacts {
		if c.unread > 0 {
			m[id.String()] = c.unread
		}
	}
	b, err := json.Marshal(m) // keys sorted: equal counts give equal text
	if err != nil {
		a.log.Warn("unread counts", "error", err)
		return
	}
	if s := string(b); s != a.unreadSaved {
		a.unreadSaved = s
		a.fa.Preferences().SetString(prefUnread, s)
	}
}
