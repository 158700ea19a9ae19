package winfo

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Encode writes d as a watcherinfo body. It refuses (with ErrInvalid) what
// Decode would refuse: a negative version, an unknown state, a list without
// resource or package, a watcher without id, URI or a known status. The
// event is written as given, so unknown events survive a round trip.
// Strings are trimmed and escaped; numbers of 0 are left out.
func Encode(d *Document) ([]byte, error) {
	if err := check(d); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(256 + 200*countWatchers(d))
	b.WriteString(xml.Header)
	b.WriteString(`<watcherinfo xmlns="` + Namespace + `" version="`)
	b.WriteString(strconv.Itoa(d.Version))
	b.WriteString(`" state="` + d.State + "\">\n")
	for _, l := range d.Lists {
		writeList(&b, l)
	}
	b.WriteString("</watcherinfo>\n")
	return b.Bytes(), nil
}

// check refuses documents that cannot be written as valid watcherinfo.
func check(d *Document) error {
	switch {
	case d == nil:
		return fmt.Errorf("%w: nil document", ErrInvalid)
	case d.Version < 0:
		return fmt.Errorf("%w: version %d", ErrInvalid, d.Version)
	case d.State != StateFull && d.State != StatePartial:
		return fmt.Errorf("%w: state %q", ErrInvalid, d.State)
	}
	for _, l := range d.Lists {
		if blank(l.Resource) || blank(l.Package) {
			return fmt.Errorf("%w: list needs resource and package, got %q and %q",
				ErrInvalid, l.Resource, l.Package)
		}
		for _, w := range l.Watchers {
			if blank(w.ID) || blank(w.URI) || !validStatus(strings.TrimSpace(w.Status)) {
				return fmt.Errorf("%w: watcher needs id, URI and status, got %q, %q and %q",
					ErrInvalid, w.ID, w.URI, w.Status)
			}
		}
	}
	return nil
}

// writeList writes one <watcher-list>, one space of indent per level.
func writeList(b *bytes.Buffer, l WatcherList) {
	b.WriteString(" <watcher-list")
	writeAttr(b, "resource", l.Resource)
	writeAttr(b, "package", l.Package)
	if len(l.Watchers) == 0 {
		b.WriteString("/>\n")
		return
	}
	b.WriteString(">\n")
	for _, w := range l.Watchers {
		writeWatcher(b, w)
	}
	b.WriteString(" </watcher-list>\n")
}

func writeWatcher(b *bytes.Buffer, w Watcher) {
	b.WriteString("  <watcher")
	writeAttr(b, "id", w.ID)
	writeAttr(b, "status", w.Status)
	writeAttr(b, "event", w.Event)
	writeAttr(b, "display-name", w.DisplayName)
	writeSeconds(b, "duration-subscribed", w.DurationSubscribed)
	writeSeconds(b, "expiration", w.Expiration)
	b.WriteByte('>')
	escape(b, strings.TrimSpace(w.URI))
	b.WriteString("</watcher>\n")
}

// writeAttr writes name="value", or nothing for a blank value.
func writeAttr(b *bytes.Buffer, name, value string) {
	value = strings.TrimSpace(value)
	if value == "" {
		return
	}
	b.WriteByte(' ')
	b.WriteString(name)
	b.WriteString(`="`)
	escape(b, value)
	b.WriteByte('"')
}

func writeSeconds(b *bytes.Buffer, name string, v int) {
	if v > 0 {
		writeAttr(b, name, strconv.Itoa(v))
	}
}

// escape writes s as character data or attribute value. EscapeText quotes
// both quote kinds and line ends and replaces characters XML cannot carry,
// so no input can end the attribute or element early. Writes to a
// bytes.Buffer cannot fail.
func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

func countWatchers(d *Document) int {
	n := 0
	for _, l := range d.Lists {
		n += len(l.Watchers)
	}
	return n
}
