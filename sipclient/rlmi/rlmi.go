package rlmi

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"
)

// Media types.
const (
	ContentType      = "application/rlmi+xml"
	MultipartRelated = "multipart/related"
	// Accept is what a list subscriber accepts (RFC 4662 section 4.1).
	Accept = "multipart/related, application/rlmi+xml, application/pidf+xml"
)

// Namespace of RLMI documents.
const Namespace = "urn:ietf:params:xml:ns:rlmi"

// Instance states.
const (
	StateActive     = "active"
	StatePending    = "pending"
	StateTerminated = "terminated"
)

// maxParts bounds the parts read from one body: a list of thousands of
// resources fits; a body of empty parts cannot make us loop for long.
const maxParts = 20000

// ErrInvalid: a body that is not a readable list notification.
var ErrInvalid = errors.New("rlmi: invalid list notification")

// Notification is one NOTIFY of a list subscription.
type Notification struct {
	URI       string // the list's URI
	Version   int
	FullState bool // the whole list; else only resources that changed
	Names     []string
	Resources []Resource
}

// Resource is one member of the list: its URI, the name the list gives
// it, and its subscription instances (none yet: nothing known).
type Resource struct {
	URI       string
	Name      string
	Instances []Instance
}

// Instance is one back-end subscription to a resource and its state;
// an active one may carry the resource's document.
type Instance struct {
	ID     string
	State  string // StateActive, StatePending or StateTerminated
	Reason string // why a terminated one ended (RFC 6665 reasons)
	CID    string // Content-ID of its document, without <>
	Part   *Part  // that document, when the body carried it
}

// Part is one body part.
type Part struct {
	ContentType string
	Body        []byte
}

type xList struct {
	XMLName   xml.Name    `xml:"list"`
	URI       string      `xml:"uri,attr"`
	Version   string      `xml:"version,attr"`
	FullState string      `xml:"fullState,attr"`
	Names     []string    `xml:"name"`
	Resources []xResource `xml:"resource"`
}

type xResource struct {
	URI       string      `xml:"uri,attr"`
	Names     []string    `xml:"name"`
	Instances []xInstance `xml:"instance"`
}

type xInstance struct {
	ID     string `xml:"id,attr"`
	State  string `xml:"state,attr"`
	Reason string `xml:"reason,attr"`
	CID    string `xml:"cid,attr"`
}

// Decode reads a list notification body of the given Content-Type:
// multipart/related with an RLMI root, or a bare RLMI document.
func Decode(contentType string, body []byte) (*Notification, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("%w: Content-Type %q: %w", ErrInvalid, contentType, err)
	}
	switch strings.ToLower(mt) {
	case ContentType:
		return DecodeList(body)
	case MultipartRelated:
		return decodeRelated(params, body)
	}
	return nil, fmt.Errorf("%w: Content-Type %s", ErrInvalid, mt)
}

func decodeRelated(params map[string]string, body []byte) (*Notification, error) {
	if params["boundary"] == "" {
		return nil, fmt.Errorf("%w: multipart/related without a boundary", ErrInvalid)
	}
	parts, order, err := readParts(params["boundary"], body)
	if err != nil {
		return nil, err
	}
	start := strings.Trim(params["start"], "<>")
	if start == "" && len(order) > 0 {
		start = order[0] // RFC 2387: the first part is the root by default
	}
	root, ok := parts[start]
	if !ok {
		return nil, fmt.Errorf("%w: no root part %q", ErrInvalid, start)
	}
	if mt, _, _ := mime.ParseMediaType(root.ContentType); !strings.EqualFold(mt, ContentType) {
		return nil, fmt.Errorf("%w: root part is %q, not RLMI", ErrInvalid, root.ContentType)
	}
	n, err := DecodeList(root.Body)
	if err != nil {
		return nil, err
	}
	for i := range n.Resources {
		for j := range n.Resources[i].Instances {
			in := &n.Resources[i].Instances[j]
			if p, ok := parts[in.CID]; ok && in.CID != "" && in.CID != start {
				in.Part = p
			}
		}
	}
	return n, nil
}

// readParts reads every part by Content-ID (without <>), and the IDs in
// order.
func readParts(boundary string, body []byte) (map[string]*Part, []string, error) {
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	parts := map[string]*Part{}
	var order []string
	for range maxParts {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			return parts, order, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		b, err := partBody(p.Header, p)
		if err != nil {
			return nil, nil, err
		}
		id := strings.Trim(strings.TrimSpace(p.Header.Get("Content-ID")), "<>")
		if _, dup := parts[id]; !dup {
			parts[id] = &Part{ContentType: p.Header.Get("Content-Type"), Body: b}
			order = append(order, id)
		}
	}
	return nil, nil, fmt.Errorf("%w: more than %d parts", ErrInvalid, maxParts)
}

func partBody(h textproto.MIMEHeader, r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	switch strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding"))) {
	case "", "binary", "8bit", "7bit":
		return b, nil
	case "base64":
		out, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
		if err != nil {
			return nil, fmt.Errorf("%w: base64 part: %w", ErrInvalid, err)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: Content-Transfer-Encoding %q", ErrInvalid, h.Get("Content-Transfer-Encoding"))
}

// DecodeList reads an RLMI document alone.
func DecodeList(b []byte) (*Notification, error) {
	var x xList
	if err := xml.Unmarshal(b, &x); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if x.XMLName.Space != Namespace {
		return nil, fmt.Errorf("%w: <list> in namespace %q", ErrInvalid, x.XMLName.Space)
	}
	v, err := strconv.Atoi(strings.TrimSpace(x.Version))
	if err != nil || v < 0 {
		return nil, fmt.Errorf("%w: version %q", ErrInvalid, x.Version)
	}
	full, err := strconv.ParseBool(strings.TrimSpace(x.FullState))
	if err != nil {
		return nil, fmt.Errorf("%w: fullState %q", ErrInvalid, x.FullState)
	}
	n := &Notification{URI: strings.TrimSpace(x.URI), Version: v, FullState: full, Names: trimAll(x.Names)}
	for _, r := range x.Resources {
		res := Resource{URI: strings.TrimSpace(r.URI)}
		if names := trimAll(r.Names); len(names) > 0 {
			res.Name = names[0]
		}
		for _, in := range r.Instances {
			res.Instances = append(res.Instances, Instance{ID: in.ID, State: strings.ToLower(strings.TrimSpace(in.State)),
				Reason: strings.TrimSpace(in.Reason), CID: strings.TrimSpace(in.CID)})
		}
		n.Resources = append(n.Resources, res)
	}
	return n, nil
}

func trimAll(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
