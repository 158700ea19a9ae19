package pidf

import (
	"fmt"
	"mime"
	"strings"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// ContentTypeXPIDF is the pre-standard presence format of Microsoft's
// early SIP clients, still sent by Asterisk (chan_sip and res_pjsip),
// eXosip/Linphone 3, Polycom and other desk phones.
const ContentTypeXPIDF = "application/xpidf+xml"

// xpidfSubstatus maps <msnsubstatus> values to RPID activities. Asterisk
// writes online, onthephone and offline; eXosip and phones also busy,
// away, berightback and outtolunch.
var xpidfSubstatus = map[string]string{
	"onthephone":  "on-the-phone",
	"busy":        "busy",
	"away":        "away",
	"berightback": "away",
	"outtolunch":  "meal",
}

// DecodeXPIDF parses an XPIDF body into the same aggregate Document as
// Decode. The presentity's URI (without its ";method=SUBSCRIBE") is the
// entity; each <address> of each <atom> is a tuple: the atom's id, the
// address URI as contact, its priority (a decimal comma, as some
// locales print it, is forgiven), its status (open, closed, or inuse,
// which is open and on the phone) and a <note> where one is. Its
// <msnsubstatus> becomes an RPID activity. A body that is really PIDF is
// decoded as such. Namespace is "" for XPIDF.
func DecodeXPIDF(body []byte) (*Document, error) {
	if len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(body), MaxBodySize)
	}
	rest, err := stripProlog(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	root, err := xmltree.Parse(rest, maxDepth)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	switch {
	case isCore(root, "presence"):
		return decodePresence(root), nil
	case !is(root, "", "presence"):
		return nil, fmt.Errorf("%w: root is <%s> in namespace %q", ErrNotPresence, root.Name.Local, root.Name.Space)
	}
	return decodeXPIDF(root), nil
}

func decodeXPIDF(root *xmltree.Node) *Document {
	doc := &Document{}
	var acts activitySet
	var note string
	for _, c := range root.Children {
		switch {
		case is(c, "", "presentity") && doc.Entity == "":
			doc.Entity = stripMethodParam(attr(c, "uri"))
		case is(c, "", "atom"):
			doc.Tuples = append(doc.Tuples, decodeAtom(c, &acts)...)
		case is(c, "", "note"):
			keepFirst(&note, c)
		}
	}
	doc.Activities = acts.list
	var best int
	doc.Basic, best = aggregate(doc.Tuples)
	if best >= 0 {
		doc.Contact = doc.Tuples[best].Contact
		note = firstNonEmpty(note, doc.Tuples[best].Note)
	}
	doc.Note = note
	return doc
}

// decodeAtom returns a tuple per <address> of an <atom>; pjsip names the
// atom with "atomid", Asterisk adds "id", others write only "id".
func decodeAtom(atom *xmltree.Node, acts *activitySet) []Tuple {
	id := firstNonEmpty(strings.TrimSpace(attr(atom, "id")), strings.TrimSpace(attr(atom, "atomid")))
	var out []Tuple
	for _, a := range atom.Children {
		if !is(a, "", "address") {
			continue
		}
		t := Tuple{ID: id, Basic: BasicUnknown,
			Contact:  strings.TrimSpace(attr(a, "uri")),
			Priority: parsePriority(strings.ReplaceAll(attr(a, "priority"), ",", "."))}
		decodeAddress(a, &t, acts)
		out = append(out, t)
	}
	return out
}

func decodeAddress(a *xmltree.Node, t *Tuple, acts *activitySet) {
	inUse, named := false, false
	for _, c := range a.Children {
		switch {
		case is(c, "", "status") && t.Basic == BasicUnknown:
			v := strings.ToLower(strings.TrimSpace(attr(c, "status")))
			inUse = v == "inuse"
			t.Basic = parseBasic(v)
			if inUse {
				t.Basic = BasicOpen
			}
		case is(c, "", "msnsubstatus"):
			sub := strings.ToLower(strings.TrimSpace(attr(c, "substatus")))
			if act, ok := xpidfSubstatus[sub]; ok {
				acts.add(act)
				named = true
			}
		case is(c, "", "note"):
			keepFirst(&t.Note, c)
		}
	}
	if inUse && !named {
		acts.add("on-the-phone")
	}
}

// stripMethodParam drops the ";method=SUBSCRIBE" XPIDF appends to the
// presentity URI.
func stripMethodParam(uri string) string {
	uri = strings.TrimSpace(uri)
	if i := strings.LastIndex(strings.ToLower(uri), ";method="); i >= 0 && !strings.Contains(uri[i+1:], ";") {
		return uri[:i]
	}
	return uri
}

// DecodeFor decodes a presence body by its Content-Type: PIDF and
// CPIM-PIDF with Decode, XPIDF with DecodeXPIDF. A PIDF or CPIM-PIDF body
// whose root is a namespace-less <presence> is XPIDF in disguise
// (Asterisk's res_pjsip sends its XPIDF document as cpim-pidf+xml) and is
// decoded as such.
func DecodeFor(contentType string, body []byte) (*Document, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrContentType, contentType, err)
	}
	switch mt {
	case ContentTypeXPIDF:
		return DecodeXPIDF(body)
	case ContentTypePIDF, ContentTypeCPIM:
		doc, err := Decode(body)
		if err == nil || !looksXPIDF(body) {
			return doc, err
		}
		return DecodeXPIDF(body)
	}
	return nil, fmt.Errorf("%w: %q", ErrContentType, contentType)
}

// looksXPIDF reports whether body's root is a namespace-less <presence>.
func looksXPIDF(body []byte) bool {
	rest, err := stripProlog(body)
	if err != nil {
		return false
	}
	root, err := xmltree.Parse(rest, maxDepth)
	return err == nil && is(root, "", "presence")
}
