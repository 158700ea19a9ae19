// Package golden reads the golden files of the body codecs' tests
// (testdata/ beside each codec) and seeds their fuzz targets with them.
package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// Read returns testdata/name, failing the test when it cannot.
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Decode runs decode on body, failing the test (naming what was decoded)
// when it refuses.
func Decode[T any](t testing.TB, decode func([]byte) (T, error), body []byte, what string) T {
	t.Helper()
	v, err := decode(body)
	if err != nil {
		t.Fatalf("Decode(%s): %v", what, err)
	}
	return v
}

// Seed adds every file of testdata matching pattern, and then each of
// extra, to f's seed corpus.
func Seed(f *testing.F, pattern string, extra ...string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}
