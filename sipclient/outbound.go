package sipclient

import (
	crand "crypto/rand"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// SIP Outbound (RFC 5626) and GRUU (RFC 5627). With an instance ID in the
// account (ServerConfig.InstanceID) every REGISTER says Supported:
// outbound, gruu and its Contact carries +sip.instance and reg-id, so the
// registrar keeps one binding per device and flow instead of one per
// address, and hands back this device's GRUUs. A server that answers
// Require: outbound keeps the flow open for us: we send keep-alives on it
// (STUN on UDP, CRLF on TCP/TLS, keepalive.go) and register again at
// once when it fails. A server without either ignores the parameters
// (RFC 3261 unknown Contact parameters and option tags), and all works as
// before.

// regID is the reg-id of our one flow: Parley registers through one
// outbound proxy, so it has one flow per account (RFC 5626 4.2).
const regID = 1

// NewInstanceID makes a +sip.instance value (RFC 5626 4.1): a random
// (version 4) UUID URN, made once per install and account and kept with
// the account, so the registrar tells this device from the user's others
// across restarts and address changes.
func NewInstanceID() string {
	var b [16]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// validInstanceID accepts "" (no Outbound, no GRUU) or a URN we can put in
// a quoted Contact parameter.
func validInstanceID(id string) bool {
	return id == "" || strings.HasPrefix(strings.ToLower(id), "urn:") && !strings.ContainsAny(id, "\"<>\\\r\n\x00 ")
}

// flow is what the registrar's 2xx said about our flow and this device.
type flow struct {
	outbound bool          // Require: outbound: the flow is kept, keep it alive
	interval time.Duration // keep-alive period from Flow-Timer (80-100 %), 0 if none
	timer    time.Duration // the Flow-Timer itself, 0 if none
	pubGRUU  *sip.Uri      // this device's public GRUU, nil if none
	tempGRUU *sip.Uri
	// seen is where the registrar saw the REGISTER come from (Via
	// received and rport, else sent-by), host:port: a STUN keep-alive
	// seeing another address means the NAT moved the flow.
	seen string
	// conn is the local address of the stream connection the REGISTER
	// went over, "" on UDP: the registrar sends to us over that one, so
	// when it closes the flow is gone, even if another request of ours
	// has opened a new connection to the server since.
	conn string
}

// offerOutbound adds to a REGISTER what asks for Outbound and GRUU:
// Supported and the Contact's +sip.instance and reg-id.
func offerOutbound(req *sip.Request, instance string) {
	if instance == "" {
		return
	}
	req.AppendHeader(sip.NewHeader("Supported", "outbound, gruu"))
	if ct := req.Contact(); ct != nil {
		ct.Params.Add("+sip.instance", `"<`+instance+`>"`)
		ct.Params.Add("reg-id", strconv.Itoa(regID))
	}
}

// readFlow reads the 2xx to our REGISTER: Require: outbound with its
// Flow-Timer, and the GRUUs of our own Contact, told from other devices'
// by its +sip.instance.
func readFlow(res *sip.Response, instance string) *flow {
	f := &flow{}
	if instance == "" {
		return f
	}
	f.outbound = hasOptionTag(res, "Require", "outbound")
	f.seen = viaSeen(res)
	if n, err := strconv.Atoi(headerValue(res, "Flow-Timer")); err == nil && n > 0 {
		f.timer = time.Duration(n) * time.Second
		f.interval = time.Duration(float64(f.timer) * (0.8 + 0.2*rand.Float64()))
	}
	for _, h := range res.GetHeaders("Contact") {
		ct, ok := h.(*sip.ContactHeader)
		if !ok || !sameInstance(ct, instance) {
			continue
		}
		f.pubGRUU = gruuParam(ct, "pub-gruu")
		f.tempGRUU = gruuParam(ct, "temp-gruu")
	}
	return f
}

func sameInstance(ct *sip.ContactHeader, instance string) bool {
	v, _ := ct.Params.Get("+sip.instance")
	return strings.EqualFold(strings.Trim(v, `"<>`), instance)
}

// gruuParam parses a quoted GRUU parameter of a Contact (RFC 5627 3.2).
func gruuParam(ct *sip.ContactHeader, name string) *sip.Uri {
	v, ok := ct.Params.Get(name)
	if !ok {
		return nil
	}
	var u sip.Uri
	if err := sip.ParseUri(strings.Trim(v, `"`), &u); err != nil || u.Host == "" {
		return nil
	}
	return &u
}

// viaSeen is the address the server saw our request come from: the Via's
// received and rport, else its sent-by.
func viaSeen(res *sip.Response) string {
	via := res.Via()
	if via == nil {
		return ""
	}
	host, port := via.Host, via.Port
	if v, ok := via.Params.Get("received"); ok && v != "" {
		host = v
	}
	if v, ok := via.Params.Get("rport"); ok && v != "" {
		port, _ = strconv.Atoi(v)
	}
	if port == 0 {
		port = 5060
	}
	// An IP in the form a STUN answer's address prints in: no brackets
	// (received=[::1] is seen), IPv6 compressed and in lower case.
	host = strings.Trim(host, "[]")
	if ip, err := netip.ParseAddr(host); err == nil {
		host = ip.Unmap().String()
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}
