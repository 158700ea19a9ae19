package sipclient

import "testing"

// An address of record drops parameters and writes scheme and host in
// lower case (they compare without case); the user part keeps its case.
func TestAddressOfRecord(t *testing.T) {
	for in, want := range map[string]string{
		"sip:bob@example.test":                         "sip:bob@example.test",
		"SIP:Bob@EXAMPLE.Test:5070;transport=tcp":      "sip:Bob@example.test:5070",
		"<sips:alice@Example.TEST>":                    "sips:alice@example.test",
		"\"Alice\" <sip:alice@10.0.0.1;transport=udp>": "sip:alice@10.0.0.1",
	} {
		if got, err := AddressOfRecord(in); err != nil || got != want {
			t.Errorf("AddressOfRecord(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
