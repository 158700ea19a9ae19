package baresip

import "testing"

func TestTraceParser(t *testing.T) {
	out := []string{
		"baresip is ready.\n",
		"\x1b[36;1m#\n",
		"UDP 127.0.0.1:5062 -> 127.0.0.1:5060\n",
		"MESSAGE sip:alice@127.0.0.1:5060 SIP/2.0\r\n",
		"f: <sip:bob@127.0.0.1:5062>;tag=1\r\n",
		"Call-ID: c1\r\n",
		"CSeq: 7 MESSAGE\r\n",
		"Content-Type: text/plain\r\n",
		"Content-Length: 9\r\n",
		"\r\n",
		"two\n",
		"lines\x1b[;m\n",
		"\x1b[32mplain\x1b[;m line\n",
	}
	var msgs []*SIPMessage
	var lines []string
	p := &traceParser{
		onMsg:  func(m *SIPMessage) { msgs = append(msgs, m) },
		onLine: func(l string) { lines = append(lines, l) },
	}
	for _, l := range out {
		p.feed(l)
	}
	if len(msgs) != 1 || len(lines) != 2 || lines[1] != "plain line" {
		t.Fatalf("msgs %d, lines %q", len(msgs), lines)
	}
	m := msgs[0]
	if m.Method != "MESSAGE" || m.Proto != "UDP" || m.Dst != "127.0.0.1:5060" ||
		m.Body != "two\nlines" || m.CSeqMethod() != "MESSAGE" || uriOf(m.Get("From")) != "sip:bob@127.0.0.1:5062" {
		t.Fatalf("parsed %+v", m)
	}
}

func TestParseContacts(t *testing.T) {
	data := "\n--- Contacts (2) ---\n>      \x1b[32mOnline\x1b[;m bob <sip:bob@127.0.0.1:5062;transport=tcp>\n" +
		"      \x1b[31mBusy\x1b[;m \"Carol C\" <sip:Carol@127.0.0.1:5064>\n\n"
	got := parseContacts(data)
	if got["sip:bob@127.0.0.1:5062"] != StatusOnline || got["sip:carol@127.0.0.1:5064"] != StatusBusy || len(got) != 2 {
		t.Fatalf("parseContacts = %v", got)
	}
}
