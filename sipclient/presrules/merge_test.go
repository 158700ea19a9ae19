package presrules

import (
	"errors"
	"maps"
	"os"
	"testing"
)

// TestMergeKeepsOtherRules: another client's rule (its own prefixes and
// id) is kept byte for byte; Parley's are replaced and carry their own
// namespace declarations.
func TestMergeKeepsOtherRules(t *testing.T) {
	doc, err := os.ReadFile("testdata/other-client.xml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parley(doc)
	if err != nil || !maps.Equal(got, map[string]string{"sip:bob@parley.test": Allow}) {
		t.Fatalf("Parley = %v %v", got, err)
	}
	got["sip:mallory@parley.test"] = Block
	merged, err := Merge(doc, got)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/other-client-merged.xml")
	if err != nil {
		t.Fatal(err)
	}
	if string(merged) != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", merged, want)
	}
	again, err := Parley(merged)
	if err != nil || !maps.Equal(again, got) {
		t.Errorf("Parley(merged) = %v %v, want %v", again, err, got)
	}
}

func TestMergeEmptyIsEncode(t *testing.T) {
	h := map[string]string{"sip:bob@parley.test": Allow}
	a, err1 := Merge(nil, h)
	b, err2 := Encode(h)
	if err1 != nil || err2 != nil || string(a) != string(b) {
		t.Errorf("Merge(nil) differs from Encode: %v %v", err1, err2)
	}
	if got, err := Parley(nil); err != nil || len(got) != 0 {
		t.Errorf("Parley(nil) = %v %v", got, err)
	}
}

func TestMergeRefusesNonRuleset(t *testing.T) {
	for _, bad := range []string{"<x/>", "<ruleset xmlns='urn:other'/>", "<cr:ruleset"} {
		if _, err := Merge([]byte(bad), nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("Merge(%q) = %v, want ErrInvalid", bad, err)
		}
		if _, err := Parley([]byte(bad)); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parley(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func FuzzMerge(f *testing.F) {
	for _, name := range []string{"testdata/other-client.xml", "testdata/allow-and-block.xml"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		h, err := Parley(doc)
		if err != nil {
			return
		}
		out, err := Merge(doc, h)
		if err != nil {
			return // e.g. a handling Parley does not write
		}
		if _, err := Parley(out); err != nil {
			t.Fatalf("merged document does not read back: %v\n%s", err, out)
		}
	})
}

// A server's empty document written self-closed takes Parley's rules
// inside its root.
func TestMergeIntoSelfClosedRuleset(t *testing.T) {
	doc := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<ruleset xmlns="urn:ietf:params:xml:ns:common-policy"/>`)
	merged, err := Merge(doc, map[string]string{"sip:mallory@parley.test": "block"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parley(merged)
	if err != nil || got["sip:mallory@parley.test"] != "block" {
		t.Errorf("rules read back %v, %v from:\n%s", got, err, merged)
	}
}
