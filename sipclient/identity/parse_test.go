package identity

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct{ in, want string }{
		{"sip:bob@example.test", "sip:bob@example.test"},
		{"<sip:Bob@EXAMPLE.test;transport=tcp>", "sip:Bob@example.test"},
		{`"Bob Smith" <sip:bob@example.test>`, "sip:bob@example.test"},
		{`Bob Smith <sip:bob@example.test>;tag=a6c85cf`, "sip:bob@example.test"},
		{`"Bob \"B\" <Smith>" <sip:bob@example.test>`, "sip:bob@example.test"},
		{`"" <sip:bob@example.test>`, "sip:bob@example.test"},
		{"  < sip:bob@example.test >  ", "sip:bob@example.test"},
		{"SIP:bob@Example.TEST", "sip:bob@example.test"},
		{"sips:bob@example.test", "sip:bob@example.test"},
		{"SiPs:bob@example.test", "sip:bob@example.test"},
		// Ports: the scheme's default goes, others stay.
		{"sip:bob@example.test:5060", "sip:bob@example.test"},
		{"sip:bob@example.test:05060", "sip:bob@example.test"},
		{"sip:bob@example.test:5080", "sip:bob@example.test:5080"},
		{"sip:bob@example.test:5061", "sip:bob@example.test:5061"},
		{"sips:bob@example.test:5061", "sip:bob@example.test"},
		{"sips:bob@example.test:5060", "sip:bob@example.test"},
		// Parameters, headers and passwords are not part of the key.
		{"sip:bob@example.test;transport=tcp;lr?subject=hi&priority=urgent", "sip:bob@example.test"},
		{"sip:bob@example.test?subject=hi", "sip:bob@example.test"},
		{"<sip:bob@example.test:5060;maddr=192.0.2.1?x=y>;expires=60", "sip:bob@example.test"},
		{"sip:bob:secret@example.test", "sip:bob@example.test"},
		// The user part keeps its case; escapes are normalized.
		{"sip:Bob@example.test", "sip:Bob@example.test"},
		{"sip:%62ob@example.test", "sip:bob@example.test"},
		{"sip:b%6Fb@example.test", "sip:bob@example.test"},
		{"sip:b%6fb@example.test", "sip:bob@example.test"},
		{"sip:%7Ebob@example.test", "sip:~bob@example.test"},
		{"sip:alice%3bx@example.test", "sip:alice%3Bx@example.test"},
		{"sip:alice%3Bx@example.test", "sip:alice%3Bx@example.test"},
		{"sip:b%C3%B3b@example.test", "sip:b%C3%B3b@example.test"},
		{"sip:bób@example.test", "sip:b%C3%B3b@example.test"},
		{"sip:*31#12@pbx.example.test", "sip:*31%2312@pbx.example.test"},
		{"sip:+1-212-555-1212;phone-context=example.test@gw.example.test;user=phone",
			"sip:+1-212-555-1212;phone-context=example.test@gw.example.test"},
		// No user part.
		{"sip:example.test", "sip:example.test"},
		{"sip:EXAMPLE.test:5070;transport=udp", "sip:example.test:5070"},
		{"<sips:Example.Test>", "sip:example.test"},
		// Addresses.
		{"sip:bob@192.0.2.4:5060", "sip:bob@192.0.2.4"},
		{"sip:bob@192.0.2.4:5062", "sip:bob@192.0.2.4:5062"},
		{"sip:bob@[2001:DB8::1]", "sip:bob@[2001:db8::1]"},
		{"sip:bob@[2001:db8:0:0:0:0:0:1]:5060", "sip:bob@[2001:db8::1]"},
		{"sip:bob@[::1]:5070", "sip:bob@[::1]:5070"},
		{"<sip:[::1];transport=tcp>", "sip:[::1]"},
		{"sip:host_1.corp.example.test", "sip:host_1.corp.example.test"},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got.String() != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if again, err := Parse(got.String()); err != nil || again != got {
			t.Errorf("Parse(%q) = %q, %v; not idempotent", got, again, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	bad := []string{
		"", "   ", "garbage", "bob@example.test", "tel:+15551234", "http://example.test/",
		"sip:", "sip:@example.test", "sip:bob@", "sip:bob@:5060",
		"sip:bob@example.test:", "sip:bob@example.test:0", "sip:bob@example.test:65536",
		"sip:bob@example.test:50x0", "sip:bob@example.test:+80", "sip:bob@example.test:5060:5060",
		"sip:bob@[::1", "sip:bob@[example.test]", "sip:bob@[192.0.2.1]", "sip:bob@[fe80::1%25eth0]",
		"sip:bob@[::1]x", "sip:bob@exa mple.test", "sip:bob@-example.test", "sip:bob@example.test>",
		"sip:bo b@example.test", "sip:bo\x00b@example.test", "sip:b<o>b@example.test",
		"sip:bob%2@example.test", "sip:bob%zz@example.test", "sip:bob%@example.test",
		"<sip:bob@example.test", `"Bob <sip:bob@example.test>`, `"Bob" sip:bob@example.test`,
		"<>", "<tel:123>",
	}
	for _, in := range bad {
		got, err := Parse(in)
		if !errors.Is(err, ErrInvalid) || !got.IsZero() {
			t.Errorf("Parse(%q) = %q, %v; want ErrInvalid", in, got, err)
		}
	}
}

// FuzzParse checks that nothing panics and that IDs are fixed points:
// Parse(Parse(x).String()) is Parse(x), which is what makes an ID usable
// wherever an address is taken.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"sip:bob@example.test", `"B" <sips:Bob@[::1]:5061;x=y?h=v>`,
		"sip:%41@h:1", "sip:b%C3%B3b@example.test", "sip:x;y=z@h?@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		id, err := Parse(in)
		if err != nil {
			return
		}
		again, err := Parse(id.String())
		if err != nil || again != id {
			t.Fatalf("Parse(%q) = %q; Parse(%q) = %q, %v", in, id, id, again, err)
		}
	})
}
