package sipclient

import (
	"encoding/hex"
	"strings"
	"testing"
)

// RFC 5769 2.2: the sample IPv4 Binding success response (SOFTWARE,
// XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT).
const rfc5769Response = "0101003c2112a442b7e7a701bc34d686fa87dfae" +
	"8022000b7465737420766563746f7220" +
	"002000080001a147e112a643" +
	"000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
	"80280004c07d4c96"

func TestSTUNParsesRFC5769Response(t *testing.T) {
	b, err := hex.DecodeString(rfc5769Response)
	if err != nil {
		t.Fatal(err)
	}
	if !isSTUN(b) {
		t.Fatal("not recognised as STUN")
	}
	id, addr, err := parseSTUNSuccess(b)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(id[:]) != "b7e7a701bc34d686fa87dfae" || addr.String() != "192.0.2.1:32853" {
		t.Errorf("id %x, mapped %s", id, addr)
	}
}

func TestSTUNRequestShape(t *testing.T) {
	req, id := newSTUNRequest()
	if len(req) != 20 || !isSTUN(req) || hex.EncodeToString(req[:8]) != "000100002112a442" || string(req[8:]) != string(id[:]) {
		t.Fatalf("request %x", req)
	}
	if _, _, err := parseSTUNSuccess(req); err == nil {
		t.Error("a request parsed as a success response")
	}
	for _, sip := range []string{"OPTIONS sip:x SIP/2.0\r\n\r\n", "SIP/2.0 200 OK\r\n\r\n", "\r\n\r\n"} {
		if isSTUN([]byte(sip + strings.Repeat(" ", 20))) {
			t.Errorf("%q taken for STUN", sip)
		}
	}
}

func FuzzParseSTUN(f *testing.F) {
	b, _ := hex.DecodeString(rfc5769Response)
	f.Add(b)
	f.Add(b[:24])
	f.Fuzz(func(t *testing.T, b []byte) {
		_, addr, err := parseSTUNSuccess(b)
		if err == nil && addr == nil {
			t.Fatal("success without an address")
		}
	})
}
