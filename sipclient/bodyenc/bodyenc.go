package bodyenc

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Error classes; details are wrapped around them with %w.
var (
	ErrUnsupported = errors.New("bodyenc: unsupported content encoding")
	ErrCorrupt     = errors.New("bodyenc: corrupt compressed body")
	ErrTooLarge    = errors.New("bodyenc: decoded body too large")
)

// Content codings this package knows.
const (
	Deflate  = "deflate"
	Gzip     = "gzip"
	Identity = "identity"
)

// DefaultLimit is a decoded-size bound fit for instant messages and
// presence documents.
const DefaultLimit = 1 << 20

// maxLayers bounds how many codings one header may stack.
const maxLayers = 4

// Decode returns body with the codings of contentEncoding (a header value
// such as "deflate" or "gzip, deflate") undone, last applied first. An
// empty value or "identity" returns body unchanged. Every layer is bounded
// by limit (DefaultLimit when limit <= 0).
func Decode(body []byte, contentEncoding string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	codings, err := parseCodings(contentEncoding)
	if err != nil {
		return nil, err
	}
	out := body
	for i := len(codings) - 1; i >= 0; i-- {
		if out, err = decodeOne(out, codings[i], limit); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseCodings splits a Content-Encoding value into lower-case codings,
// dropping identity and empty items.
func parseCodings(v string) ([]string, error) {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		c := strings.ToLower(strings.TrimSpace(item))
		switch c {
		case "", Identity:
			continue
		case Deflate, Gzip, "x-gzip":
		default:
			return nil, fmt.Errorf("%w: %q", ErrUnsupported, c)
		}
		out = append(out, c)
	}
	if len(out) > maxLayers {
		return nil, fmt.Errorf("%w: %d stacked codings, limit %d", ErrUnsupported, len(out), maxLayers)
	}
	return out, nil
}

func decodeOne(body []byte, coding string, limit int64) ([]byte, error) {
	switch coding {
	case Deflate:
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if errors.Is(err, zlib.ErrHeader) {
			// Not a zlib stream: try raw deflate, as some senders mean it.
			return readBounded(flate.NewReader(bytes.NewReader(body)), coding, limit)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, coding, err)
		}
		return readBounded(zr, coding, limit)
	default: // gzip, x-gzip
		gr, err := gzip.NewReader(bufio.NewReader(bytes.NewReader(body)))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, coding, err)
		}
		return readBounded(gr, coding, limit)
	}
}

// readBounded reads r to its end, refusing more than limit bytes; it never
// holds more than limit+1 of them.
func readBounded(r io.ReadCloser, coding string, limit int64) ([]byte, error) {
	defer r.Close()
	out, err := io.ReadAll(io.LimitReader(r, limit+1))
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: %s body decodes to more than %d bytes", ErrTooLarge, coding, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, coding, err)
	}
	return out, nil
}

// Encode applies coding ("deflate", written as a zlib stream like
// belle-sip's, or "gzip") to body.
func Encode(body []byte, coding string) ([]byte, error) {
	var b bytes.Buffer
	var w io.WriteCloser
	switch strings.ToLower(strings.TrimSpace(coding)) {
	case Deflate:
		w = zlib.NewWriter(&b)
	case Gzip:
		w = gzip.NewWriter(&b)
	case "", Identity:
		return body, nil
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupported, coding)
	}
	// Writes to a bytes.Buffer cannot fail.
	_, _ = w.Write(body)
	_ = w.Close()
	return b.Bytes(), nil
}
