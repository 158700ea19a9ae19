package resourcelists

import (
	"bytes"
	"fmt"
	"strings"
)

// ServicesContentType of an rls-services document.
const ServicesContentType = "application/rls-services+xml"

// Service is one resource list server URI (the buddy-list URI a client
// subscribes to) and the resources it stands for, with the event
// packages it serves.
type Service struct {
	URI       string
	Resources []string // entry URIs, written as an inline list
	Packages  []string // e.g. "presence"
}

// EncodeServices writes an rls-services document (RFC 4826 section 4)
// whose services carry their lists inline, so the server needs no
// reference back into resource-lists.
func EncodeServices(services ...Service) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString(`<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="` + Namespace + `">` + "\n")
	for _, s := range services {
		if s.URI == "" || strings.ContainsAny(s.URI, "\r\n\x00") {
			return nil, fmt.Errorf("%w: service uri %q", ErrInvalid, s.URI)
		}
		b.WriteString(` <service uri="` + attr(s.URI) + `">` + "\n  <list>\n")
		for _, r := range s.Resources {
			if r == "" || strings.ContainsAny(r, "\r\n\x00") {
				return nil, fmt.Errorf("%w: entry uri %q", ErrInvalid, r)
			}
			b.WriteString(`   <rl:entry uri="` + attr(r) + `"/>` + "\n")
		}
		b.WriteString("  </list>\n  <packages>")
		for _, p := range s.Packages {
			b.WriteString("<package>" + text(p) + "</package>")
		}
		b.WriteString("</packages>\n </service>\n")
	}
	b.WriteString("</rls-services>\n")
	return b.Bytes(), nil
}
