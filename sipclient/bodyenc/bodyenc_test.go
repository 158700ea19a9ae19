package bodyenc

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"io"
	"runtime"
	"testing"
)

const imdn = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
	`<imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>GZjCQy1iXwoMKGmFEq0ySxJ6</message-id>` +
	`<datetime>2024-03-12T09:41:07Z</datetime><delivery-notification><status><delivered/></status>` +
	`</delivery-notification></imdn>` + "\n"

func rawDeflate(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func mustEncode(t testing.TB, b []byte, coding string) []byte {
	t.Helper()
	out, err := Encode(b, coding)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDecode(t *testing.T) {
	plain := []byte(imdn)
	zlibbed := mustEncode(t, plain, "deflate")
	gzipped := mustEncode(t, plain, "gzip")
	if zlibbed[0] != 0x78 {
		t.Fatalf("deflate is not written as zlib: first byte %#x", zlibbed[0])
	}
	tests := []struct {
		name, encoding string
		body           []byte
	}{
		{"no header", "", plain},
		{"identity", "identity", plain},
		{"zlib, as belle-sip sends", "deflate", zlibbed},
		{"case and spaces", " Deflate ", zlibbed},
		{"raw deflate under the deflate name", "deflate", rawDeflate(t, plain)},
		{"gzip", "gzip", gzipped},
		{"x-gzip", "x-gzip", gzipped},
		{"layers undone last first", "deflate, gzip", mustEncode(t, zlibbed, "gzip")},
		{"identity among layers", "identity, deflate", zlibbed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.body, tt.encoding, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Errorf("got %q", got)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	zlibbed := mustEncode(t, []byte(imdn), "deflate")
	badSum := bytes.Clone(zlibbed)
	badSum[len(badSum)-1] ^= 0xff
	tests := []struct {
		name, encoding string
		body           []byte
		want           error
		limit          int64 // 0 for DefaultLimit
	}{
		{"unknown coding", "br", zlibbed, ErrUnsupported, 0},
		{"compress", "compress", zlibbed, ErrUnsupported, 0},
		{"too many layers", "gzip,gzip,gzip,gzip,gzip", zlibbed, ErrUnsupported, 0},
		{"zlib checksum", "deflate", badSum, ErrCorrupt, 0},
		{"truncated zlib", "deflate", zlibbed[:len(zlibbed)/2], ErrCorrupt, 0},
		{"empty deflate", "deflate", nil, ErrCorrupt, 0},
		{"not gzip", "gzip", zlibbed, ErrCorrupt, 0},
		{"plain text called deflate", "deflate", []byte("hello there"), ErrCorrupt, 0},
		{"over the limit", "deflate", zlibbed, ErrTooLarge, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Decode(tt.body, tt.encoding, tt.limit)
			if !errors.Is(err, tt.want) || out != nil {
				t.Fatalf("got (%d bytes, %v), want %v", len(out), err, tt.want)
			}
		})
	}
}

// zeroBomb returns n zero bytes compressed as a zlib stream, without ever
// holding them in memory.
func zeroBomb(t testing.TB, n int64) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := zlib.NewWriterLevel(&out, zlib.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(w, zeroReader{}, n); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return out.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// A 100 MB body of zeros compressed twice fits in about a kilobyte; both
// the two-layer bomb and its one-layer inner part (about 100 KB) must be
// refused without the decoder ever holding much more than the limit.
func TestDecodeBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("compresses 100 MB")
	}
	const size = 100 << 20
	inner := zeroBomb(t, size)
	outer := mustEncode(t, inner, "deflate")
	t.Logf("100 MB -> %d bytes -> %d bytes", len(inner), len(outer))
	if len(outer) > 2<<10 {
		t.Errorf("outer bomb is %d bytes, want about 1 KB", len(outer))
	}
	for _, tt := range []struct {
		name, encoding string
		body           []byte
	}{
		{"one layer", "deflate", inner},
		{"two layers", "deflate, deflate", outer},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			out, err := Decode(tt.body, tt.encoding, DefaultLimit)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) || out != nil {
				t.Fatalf("got (%d bytes, %v), want ErrTooLarge", len(out), err)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
				t.Errorf("decoding allocated %d MB", grew>>20)
			}
		})
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	for _, coding := range []string{"deflate", "gzip", "identity", ""} {
		enc, err := Encode([]byte(imdn), coding)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := Decode(enc, coding, 0)
		if err != nil || string(dec) != imdn {
			t.Errorf("%q: got (%q, %v)", coding, dec, err)
		}
	}
	if _, err := Encode(nil, "br"); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Encode br: %v", err)
	}
}

// FuzzDecode checks that Decode never panics, fails only with its own
// classes, never returns more than the limit, and that Encode then Decode
// gives the input back.
func FuzzDecode(f *testing.F) {
	for _, coding := range []string{"deflate", "gzip"} {
		f.Add(mustEncode(f, []byte(imdn), coding), coding)
	}
	f.Add(rawDeflate(f, []byte(imdn)), "deflate")
	f.Add([]byte("plain"), "")
	f.Add([]byte{0x78, 0x9c, 0x03, 0x00}, "deflate, gzip")
	const limit = 4096
	f.Fuzz(func(t *testing.T, body []byte, coding string) {
		out, err := Decode(body, coding, limit)
		if err != nil {
			if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if len(out) > limit && !bytes.Equal(out, body) { // identity passes the body through
			t.Fatalf("%d bytes out, limit %d", len(out), limit)
		}
		for _, c := range []string{"deflate", "gzip"} {
			back, err := Decode(mustEncode(t, body, c), c, int64(len(body))+1)
			if err != nil || !bytes.Equal(back, body) {
				t.Fatalf("%s round trip: (%q, %v)", c, back, err)
			}
		}
	})
}
