package baresip

import (
	"fmt"
	"strings"
	"time"
)

// Status values as baresip 1.0 shows a contact (lower-cased).
const (
	StatusOnline  = "online"
	StatusOffline = "offline"
	StatusBusy    = "busy"
	StatusUnknown = "unknown"
)

// SetStatus sets baresip's own presence, which it NOTIFYs to every watcher.
// baresip 1.0 has only two: "online" (aliases "open", "available") sends
// <basic>open</basic>, "offline" (alias "closed") sends <basic>closed</basic>.
// Anything else returns ErrUnsupportedStatus.
func (p *Peer) SetStatus(status string) error {
	var cmd string
	switch strings.ToLower(status) {
	case "online", "open", "available":
		cmd = "presence_online"
	case "offline", "closed":
		cmd = "presence_offline"
	default:
		return fmt.Errorf("%w: %q (baresip 1.0 can only be online or offline)", ErrUnsupportedStatus, status)
	}
	_, err := p.command(cmd, "")
	return err
}

// normalizeWant maps a wanted contact status to baresip's vocabulary.
func normalizeWant(want string) (string, error) {
	switch strings.ToLower(want) {
	case "online", "open", "available":
		return StatusOnline, nil
	case "offline", "closed":
		return StatusOffline, nil
	case "busy":
		return StatusBusy, nil
	case "unknown":
		return StatusUnknown, nil
	}
	return "", fmt.Errorf("%w: %q: baresip 1.0 shows only online, offline, busy or unknown "+
		"(rpid away shows as offline, on-the-phone as busy)", ErrUnsupportedStatus, want)
}

// Presence returns baresip's current view of a contact: one of the Status
// constants.
func (p *Peer) Presence(uri string) (string, error) {
	data, err := p.quietCommand("contacts", "")
	if err != nil {
		return "", err
	}
	st, ok := parseContacts(data)[aorKey(uri)]
	if !ok {
		return "", fmt.Errorf("%w: %s not in %q", ErrUnknownContact, uri, data)
	}
	return st, nil
}

// WaitPresence polls baresip's contact list until uri shows want (see
// normalizeWant for accepted names) or timeout passes.
func (p *Peer) WaitPresence(uri, want string, timeout time.Duration) error {
	want, err := normalizeWant(want)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(timeout)
	last := ""
	for polls := 0; polls < 10000; polls++ {
		last, err = p.Presence(uri)
		if err != nil {
			return err
		}
		if last == want {
			p.out.note(fmt.Sprintf("%s shows %s as %s", p.l.aor, uri, last))
			return nil
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%w: %s still %q after %v, want %q", ErrTimeout, uri, last, timeout, want)
}

// Resubscribe reloads the presence module, which restarts every watcher
// subscription at once. Use it when a contact was not listening yet: baresip
// retries a failed SUBSCRIBE only after 30 s (then 300 s, 3600 s...). It
// also terminates incoming subscriptions (reason=deactivated); baresip
// watchers retry those after 5 s.
func (p *Peer) Resubscribe() error {
	if _, err := p.command("rmmod", "presence"); err != nil {
		return err
	}
	_, err := p.command("insmod", "presence")
	return err
}

// parseContacts parses the "contacts" command output, lines like
// ">      Online bob <sip:bob@127.0.0.1:5062>", into aorKey → status.
func parseContacts(data string) map[string]string {
	res := map[string]string{}
	for _, line := range strings.Split(stripANSI(data), "\n") {
		lt, gt := strings.LastIndexByte(line, '<'), strings.LastIndexByte(line, '>')
		if lt < 0 || gt < lt {
			continue
		}
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), ">"))
		if len(f) < 2 {
			continue
		}
		res[aorKey(line[lt:gt+1])] = strings.ToLower(f[0])
	}
	return res
}
