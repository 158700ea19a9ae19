package pidf

import "github.com/parley-im/parley/sipclient/internal/xmltree"

// maxDepth bounds element nesting. Presence documents, extensions
// included, stay under a dozen levels; the bound keeps hostile input cheap.
const maxDepth = 64

// is reports whether n is the element local in namespace space.
func is(n *xmltree.Node, space, local string) bool {
	return n.Name.Local == local && n.Name.Space == space
}

// isCore reports whether n is a PIDF element local; both the PIDF and the
// legacy CPIM-PIDF namespaces name the same elements.
func isCore(n *xmltree.Node, local string) bool {
	return n.Name.Local == local &&
		(n.Name.Space == NamespacePIDF || n.Name.Space == NamespaceCPIM)
}

// attr returns the unqualified attribute local as written, or "".
func attr(n *xmltree.Node, local string) string {
	v, _ := n.Attr(local)
	return v
}
