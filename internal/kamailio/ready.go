package kamailio

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"time"
)

// waitReady polls until both the UDP and the TCP listener answer an
// OPTIONS with 200, the process exits (ErrExited) or timeout passes.
func waitReady(p *process, udpAddr, tcpAddr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var lastErr error
	for attempt := 0; attempt < 1000 && time.Now().Before(deadline); attempt++ {
		select {
		case <-p.exited:
			return fmt.Errorf("%w (%v)", ErrExited, p.waitErr)
		default:
		}
		if lastErr = ping("udp", udpAddr); lastErr == nil {
			if lastErr = ping("tcp", tcpAddr); lastErr == nil {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("kamailio: not answering OPTIONS on %s within %v: %v", udpAddr, timeout, lastErr)
}

// ping sends one OPTIONS over network ("udp" or "tcp") and wants a 200.
func ping(network, addr string) error {
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(500 * time.Millisecond)); err != nil {
		return err
	}
	if _, err := c.Write([]byte(optionsRequest(network, addr, c.LocalAddr().String()))); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("OPTIONS over %s: %w", network, err)
	}
	if !strings.HasPrefix(line, "SIP/2.0 200") {
		return fmt.Errorf("OPTIONS over %s: %q", network, strings.TrimSpace(line))
	}
	return nil
}

func optionsRequest(network, addr, local string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	return "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/" + strings.ToUpper(network) + " " + local + ";branch=z9hG4bK" + id + ";rport\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:ping@" + local + ">;tag=" + id + "\r\n" +
		"To: <sip:" + addr + ">\r\n" +
		"Call-ID: ping-" + id + "\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
}
