package presrules

import (
	"encoding/xml"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestEncodeGolden(t *testing.T) {
	got, err := Encode(map[string]string{
		"sip:bob@parley.test": Allow, "sip:carol@parley.test": Allow, "sip:mallory@parley.test": PoliteBlock,
	})
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/allow-and-block.xml")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if err := xml.Unmarshal(got, new(struct{})); err != nil {
		t.Errorf("not well-formed: %v", err)
	}
}

func TestEncodeEscapesAndRefuses(t *testing.T) {
	got, err := Encode(map[string]string{`sip:a"b<c>@x.test`: Block})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), `a"b<c>`) || xml.Unmarshal(got, new(struct{})) != nil {
		t.Errorf("not escaped:\n%s", got)
	}
	for _, bad := range []map[string]string{{"sip:x@y": "maybe"}, {"": Allow}, {"sip:x@y\r\nEvil: 1": Allow}} {
		if _, err := Encode(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Encode(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestEncodeEmpty(t *testing.T) {
	got, err := Encode(nil)
	if err != nil || !strings.Contains(string(got), "<cr:ruleset") || strings.Contains(string(got), "<cr:rule ") {
		t.Errorf("empty rules: %s %v", got, err)
	}
}
