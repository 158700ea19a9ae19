package pidf

import "time"

// Content types and namespaces of presence bodies.
const (
	ContentTypePIDF = "application/pidf+xml"
	ContentTypeCPIM = "application/cpim-pidf+xml"

	NamespacePIDF = "urn:ietf:params:xml:ns:pidf"
	NamespaceCPIM = "urn:ietf:params:xml:ns:cpim-pidf"
	NamespaceRPID = "urn:ietf:params:xml:ns:pidf:rpid"
	NamespaceDM   = "urn:ietf:params:xml:ns:pidf:data-model"
)

// MaxBodySize bounds what Decode will parse; presence bodies are a few
// hundred bytes, so anything near this is abuse.
const MaxBodySize = 64 << 10

// Basic is the <basic> status of a tuple or of a whole document.
type Basic string

// Basic values. BasicUnknown stands for anything but open or closed,
// including a missing <basic>.
const (
	BasicOpen    Basic = "open"
	BasicClosed  Basic = "closed"
	BasicUnknown Basic = "unknown"
)

// Tuple is one <tuple> of a presence document.
type Tuple struct {
	ID        string
	Basic     Basic
	Contact   string    // whitespace-trimmed
	Priority  float64   // contact priority in [0,1], -1 when absent or invalid
	Note      string    // first non-empty note, trimmed
	Timestamp time.Time // zero when absent or unparsable
}

// Document is a presence document reduced to what a messenger shows.
type Document struct {
	Entity     string
	Namespace  string    // root namespace seen: NamespacePIDF, NamespaceCPIM, or "" for XPIDF
	Basic      Basic     // aggregate over Tuples, see Decode
	Contact    string    // contact of the tuple that decided Basic
	Activities []string  // RPID activities, lower-case; <rpid:other> as "other:text"
	Note       string    // person note, else presence note, else deciding tuple's note
	UserInput  UserInput // RPID user-input: whether the human left the device
	Tuples     []Tuple
}
