package resourcelists

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
	rootEnd, closeStart, spans, err := scanServices(doc)
	if err != nil {
		return nil, err
	}
	_, _, ours, err := scanServices(fresh)
	if err != nil || len(ours) != 1 {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	var b bytes.Buffer
	b.Write(doc[:rootEnd])
	for _, sp := range spans {
		if sp.uri != s.URI {
			b.WriteString("\n ")
			b.Write(doc[sp.start:sp.end])
		}
	}
	b.WriteString("\n ")
	b.Write(selfContainedService(fresh[ours[0].start:ours[0].end]))
	b.WriteString("\n")
	b.Write(doc[closeStart:])
	return b.Bytes(), nil
}

// selfContainedService declares on our service the namespaces it uses,
// since another client's root may bind other prefixes.
func selfContainedService(svc []byte) []byte {
	return bytes.Replace(svc, []byte("<service "), []byte(`<service xmlns="`+ServicesNamespace+`" xmlns:rl="`+Namespace+`" `), 1)
}

type serviceSpan struct {
	start, end int64
	uri        string
}

func scanServices(doc []byte) (rootEnd, closeStart int64, spans []serviceSpan, err error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	depth := 0
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 1 {
				if t.Name.Space != ServicesNamespace || t.Name.Local != "rls-services" {
					return 0, 0, nil, fmt.Errorf("%w: root <%s>", ErrInvalid, t.Name.Local)
				}
				rootEnd = d.InputOffset()
			}
			if depth == 2 && t.Name.Local == "service" {
				uri := ""
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "uri" {
						uri = a.Value
					}
				}
				spans = append(spans, serviceSpan{start: before, uri: uri})
			}
		case xml.EndElement:
			if depth == 2 && len(spans) > 0 && spans[len(spans)-1].end == 0 {
				spans[len(spans)-1].end = d.InputOffset()
			}
			if depth == 1 {
				closeStart = before
			}
			depth--
		}
	}
	if rootEnd == 0 || closeStart == 0 {
		return 0, 0, nil, fmt.Errorf("%w: no rls-services", ErrInvalid)
	}
	return rootEnd, closeStart, spans, nil
}
