package resourcelists

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"github.com/parley-im/parley/sipclient/internal/xmlspan"
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

// ServicesNamespace of rls-services documents.
const ServicesNamespace = "urn:ietf:params:xml:ns:rls-services"

// MergeServices returns doc (an rls-services document; empty when there
// is none) with the service of s.URI replaced by s: every other service,
// another client's, is kept byte for byte.
func MergeServices(doc []byte, s Service) ([]byte, error) {
	fresh, err := EncodeServices(s)
	if err != nil || len(bytes.TrimSpace(doc)) == 0 {
		return fresh, err
	}
	d, err := scanServices(doc)
	if err != nil {
		return nil, err
	}
	f, err := scanServices(fresh)
	if err != nil || len(f.Children) != 1 {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	others := func(sp xmlspan.Span) bool { return sp.Key != s.URI }
	return d.Splice(others, selfContainedService(f.Bytes(f.Children[0]))), nil
}

// selfContainedService declares on our service the namespaces it uses,
// since another client's root may bind other prefixes.
func selfContainedService(svc []byte) []byte {
	return bytes.Replace(svc, []byte("<service "), []byte(`<service xmlns="`+ServicesNamespace+`" xmlns:rl="`+Namespace+`" `), 1)
}

// scanServices splits an rls-services document at its services;
// ErrInvalid when doc is not one.
func scanServices(doc []byte) (*xmlspan.Doc, error) {
	d, err := xmlspan.Parse(doc, xml.Name{Space: ServicesNamespace, Local: "rls-services"}, xml.Name{Local: "service"}, "uri")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return d, nil
}
