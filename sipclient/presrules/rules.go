package presrules

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ContentType is the media type of a pres-rules document.
const ContentType = "application/auth-policy+xml"

// Sub-handling values (RFC 5025 3.2.1), in the order rules are written.
const (
	Allow       = "allow"
	PoliteBlock = "polite-block" // the watcher is told it is allowed and sees us offline
	Block       = "block"
)

// ErrInvalid is returned for a watcher address or handling that cannot
// go in a document.
var ErrInvalid = errors.New("presrules: invalid rule")

// Encode writes the rules: handling of each watcher address
// (sip:user@host). Watchers allowed also get every service, person,
// device and attribute; the others get none.
func Encode(handling map[string]string) ([]byte, error) {
	byHandling := map[string][]string{}
	for uri, h := range handling {
		if !slices.Contains([]string{Allow, PoliteBlock, Block}, h) {
			return nil, fmt.Errorf("%w: handling %q for %s", ErrInvalid, h, uri)
		}
		if uri == "" || strings.ContainsAny(uri, "\r\n\x00") {
			return nil, fmt.Errorf("%w: watcher %q", ErrInvalid, uri)
		}
		byHandling[h] = append(byHandling[h], uri)
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<cr:ruleset xmlns="urn:ietf:params:xml:ns:pres-rules" xmlns:pr="urn:ietf:params:xml:ns:pres-rules" xmlns:cr="urn:ietf:params:xml:ns:common-policy">` + "\n")
	for _, h := range []string{Allow, PoliteBlock, Block} {
		if uris := byHandling[h]; len(uris) > 0 {
			slices.Sort(uris)
			writeRule(&b, h, uris)
		}
	}
	b.WriteString("</cr:ruleset>\n")
	return b.Bytes(), nil
}

func writeRule(b *bytes.Buffer, handling string, uris []string) {
	fmt.Fprintf(b, ` <cr:rule id="parley-%s">`+"\n  <cr:conditions><cr:identity>", handling)
	for _, u := range uris {
		b.WriteString(`<cr:one id="`)
		xml.EscapeText(b, []byte(u))
		b.WriteString(`"/>`)
	}
	fmt.Fprintf(b, "</cr:identity></cr:conditions>\n  <cr:actions><pr:sub-handling>%s</pr:sub-handling></cr:actions>\n", handling)
	if handling == Allow {
		b.WriteString("  <cr:transformations><pr:provide-services><pr:all-services/></pr:provide-services>" +
			"<pr:provide-persons><pr:all-persons/></pr:provide-persons><pr:provide-devices><pr:all-devices/></pr:provide-devices>" +
			"<pr:provide-all-attributes/></cr:transformations>\n")
	}
	b.WriteString(" </cr:rule>\n")
}
