package sipclient

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"net"
	"strings"
	"testing"
	"time"
)

// RFC 5769 2.2: the sample IPv4 Binding success response (SOFTWARE,
// XOR-MAPPED-ADDRESS 192.0.2.1:32853, MESSAGE-INTEGRITY, FINGERPRINT).
const rfc5769Response = "0101003c2112a442b7e7a701bc34d686fa87dfae" +
	"8022000b7465737420766563746f7220" +
	"002000080001a147e112a643" +
	"000800142b91f599fd9e90c38c7489f92af9ba53f06be7d7" +
	"80280004c07d4c96"

// RFC 5769 2.3: the sample IPv6 Binding success response
// (XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853).
const rfc5769ResponseV6 = "010100482112a442b7e7a701bc34d686fa87dfae" +
	"8022000b7465737420766563746f7220" +
	"002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9" +
	"00080014a382954e4be67bf11784c97c8292c275bfe3ed41" +
	"80280004c8fb0b4c"

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

func TestSTUNParsesRFC5769IPv6Response(t *testing.T) {
	b, err := hex.DecodeString(rfc5769ResponseV6)
	if err != nil {
		t.Fatal(err)
	}
	_, addr, err := parseSTUNSuccess(b)
	if err != nil {
		t.Fatal(err)
	}
	if addr.String() != "[2001:db8:1234:5678:11:2233:4455:6677]:32853" {
		t.Errorf("mapped %s", addr)
	}
}

// A plain MAPPED-ADDRESS (RFC 5389 15.1) with IPv6 is read as it stands.
func TestSTUNParsesIPv6MappedAddress(t *testing.T) {
	b, _ := hex.DecodeString("010100182112a442b7e7a701bc34d686fa87dfae" +
		"000100140002138900000000000000000000000000000001")
	_, addr, err := parseSTUNSuccess(b)
	if err != nil || addr.String() != "[::1]:5001" {
		t.Errorf("mapped %v, %v", addr, err)
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
	b6, _ := hex.DecodeString(rfc5769ResponseV6)
	f.Add(b6)
	f.Add(b6[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		_, addr, err := parseSTUNSuccess(b)
		if err == nil && addr == nil {
			t.Fatal("success without an address")
		}
	})
}

// stunResponder answers each Binding request on a UDP socket at addr with
// the request's source in an XOR-MAPPED-ADDRESS, IPv4 or IPv6, as a STUN
// server (Kamailio's stun module) does.
func stunResponder(t *testing.T, addr string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Skipf("no UDP on %s: %v", addr, err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < stunHeaderLen || binary.BigEndian.Uint16(buf) != stunBindingRequest {
				continue
			}
			var id stunTxID
			copy(id[:], buf[8:20])
			_, _ = pc.WriteTo(stunSuccess(id, from.(*net.UDPAddr)), from)
		}
	}()
	return pc.LocalAddr().String()
}

// stunSuccess is a Binding success response carrying addr XOR'd (RFC
// 5389 15.2).
func stunSuccess(id stunTxID, addr *net.UDPAddr) []byte {
	ip, family := addr.IP.To4(), byte(0x01)
	if ip == nil {
		ip, family = addr.IP.To16(), 0x02
	}
	key := binary.BigEndian.AppendUint32(nil, stunMagic)
	key = append(key, id[:]...)
	attr := []byte{0, family, 0, 0}
	binary.BigEndian.PutUint16(attr[2:], uint16(addr.Port)^stunMagic>>16)
	for i, b := range ip {
		attr = append(attr, b^key[i])
	}
	b := binary.BigEndian.AppendUint16(nil, stunBindingSuccess)
	b = binary.BigEndian.AppendUint16(b, uint16(4+len(attr)))
	b = append(b, key...)
	b = binary.BigEndian.AppendUint16(b, stunXORMappedAddr)
	b = binary.BigEndian.AppendUint16(b, uint16(len(attr)))
	return append(b, attr...)
}

// Over [::1], the STUN keep-alive leaves our SIP socket and its IPv6
// answer comes back through the read filter with the address we sent
// from: an IPv6 flow keeps its STUN keep-alives.
func TestSTUNPingOverIPv6Loopback(t *testing.T) {
	server := stunResponder(t, "[::1]:0")
	c, err := New(Config{ListenAddr: "[::1]:0", User: "alice"})
	if err != nil {
		t.Skipf("no client on [::1]: %v", err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // a safety net, not a timing assertion
	defer cancel()
	mapped, err := c.stunPing(ctx, server)
	if err != nil {
		t.Fatal(err)
	}
	if want := c.udpConn.LocalAddr().String(); mapped.String() != want {
		t.Errorf("mapped %s, want %s", mapped, want)
	}
}
