// Package presrules writes presence authorization rules (RFC 5025
// pres-rules on the common-policy framework of RFC 4745): the document a
// presentity stores at its server's XCAP service (RFC 4825) to say which
// watchers may see its presence. Parley writes one rule per handling
// (allow, polite-block, block), each listing the watchers it applies to.
package presrules
