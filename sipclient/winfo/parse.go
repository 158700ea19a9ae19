package winfo

import (
	"strings"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// maxDepth bounds element nesting. A watcherinfo document is three levels
// deep; extensions add a few more. The bound keeps hostile input cheap.
const maxDepth = 32

// is reports whether n is the watcherinfo element local.
func is(n *xmltree.Node, local string) bool {
	return n.Name.Local == local && n.Name.Space == Namespace
}

// attr returns the unqualified attribute local with surrounding whitespace
// removed, and whether it was present.
func attr(n *xmltree.Node, local string) (string, bool) {
	v, ok := n.Attr(local)
	return strings.TrimSpace(v), ok
}
