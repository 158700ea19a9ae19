package winfo

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// Decode parses a watcherinfo body. Prefixes do not matter, only the
// namespace and local names; unknown elements and attributes are ignored.
// Every error wraps ErrMalformed, or ErrTooLarge for bodies over
// MaxBodySize.
func Decode(body []byte) (*Document, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxBodySize)
	}
	root, err := xmltree.Parse(body, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if !is(root, "watcherinfo") {
		return nil, fmt.Errorf("%w: root is <%s> in namespace %q, want <watcherinfo> in %q",
			ErrMalformed, root.Name.Local, root.Name.Space, Namespace)
	}
	return decodeRoot(root)
}

// decodeRoot reads the version and state of <watcherinfo> and its lists.
func decodeRoot(root *xmltree.Node) (*Document, error) {
	v, ok := attr(root, "version")
	if !ok {
		return nil, fmt.Errorf("%w: <watcherinfo> has no version", ErrMalformed)
	}
	version, err := parseVersion(v)
	if err != nil {
		return nil, err
	}
	state, _ := attr(root, "state")
	if state != StateFull && state != StatePartial {
		return nil, fmt.Errorf("%w: state %q, want full or partial", ErrMalformed, state)
	}
	doc := &Document{Version: version, State: state}
	for _, c := range root.Children {
		if !is(c, "watcher-list") {
			continue
		}
		l, err := decodeList(c)
		if err != nil {
			return nil, err
		}
		doc.Lists = append(doc.Lists, l)
	}
	return doc, nil
}

// decodeList reads one <watcher-list>; resource and package are required.
func decodeList(n *xmltree.Node) (WatcherList, error) {
	var l WatcherList
	l.Resource, _ = attr(n, "resource")
	l.Package, _ = attr(n, "package")
	if l.Resource == "" || l.Package == "" {
		return l, fmt.Errorf("%w: <watcher-list> needs resource and package, got %q and %q",
			ErrMalformed, l.Resource, l.Package)
	}
	for _, c := range n.Children {
		if !is(c, "watcher") {
			continue
		}
		w, err := decodeWatcher(c)
		if err != nil {
			return l, fmt.Errorf("%w (in list %q)", err, l.Resource)
		}
		l.Watchers = append(l.Watchers, w)
	}
	return l, nil
}

// decodeWatcher reads one <watcher>. The id, a known status and the URI
// are required: the tracker keys on the first, the UI needs the others.
func decodeWatcher(n *xmltree.Node) (Watcher, error) {
	var w Watcher
	w.ID, _ = attr(n, "id")
	w.Status, _ = attr(n, "status")
	w.Event, _ = attr(n, "event")
	w.DisplayName, _ = attr(n, "display-name")
	w.URI = string(bytes.TrimSpace(n.Text))
	switch {
	case w.ID == "":
		return w, fmt.Errorf("%w: <watcher> %q has no id", ErrMalformed, w.URI)
	case !validStatus(w.Status):
		return w, fmt.Errorf("%w: watcher %q has status %q", ErrMalformed, w.ID, w.Status)
	case w.URI == "":
		return w, fmt.Errorf("%w: watcher %q has no URI", ErrMalformed, w.ID)
	}
	w.DurationSubscribed = parseSeconds(n, "duration-subscribed")
	w.Expiration = parseSeconds(n, "expiration")
	return w, nil
}

// parseVersion reads the version attribute: decimal digits only, within
// the range of int.
func parseVersion(s string) (int, error) {
	if !allDigits(s) {
		return 0, fmt.Errorf("%w: version %q is not a non-negative integer", ErrMalformed, s)
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: version %q out of range", ErrMalformed, s)
	}
	return v, nil
}

// parseSeconds reads an optional xs:unsignedLong attribute. It is only
// informative, so an absent, malformed or out-of-range value reads as 0
// instead of failing the document.
func parseSeconds(n *xmltree.Node, name string) int {
	s, _ := attr(n, name)
	if !allDigits(s) {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return v
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
