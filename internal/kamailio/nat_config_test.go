package kamailio

import (
	"strings"
	"testing"
)

// The NAT and Outbound options render their own blocks and nothing else
// changes without them: the default server forces rport everywhere and
// hands out no GRUU.
func TestNATAndOutboundConfig(t *testing.T) {
	o := Options{}
	if err := o.setDefaults(); err != nil {
		t.Fatal(err)
	}
	render := func(o Options, natPort int) string {
		d := newCfgData(&o, newFiles(t.TempDir()), 5070, 5071, "s")
		d.NATPort = natPort
		b, err := renderConfig(d)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	plain := render(o, 0)
	for _, want := range []string{"\tforce_rport();\n", `modparam("registrar", "gruu_enabled", 0)`, "\tfix_nated_register();\n"} {
		if !strings.Contains(plain, want) {
			t.Errorf("default config lacks %q", want)
		}
	}
	for _, not := range []string{"stun.so", "outbound_mode", "listen=udp:127.0.0.1:0"} {
		if strings.Contains(plain, not) {
			t.Errorf("default config has %q", not)
		}
	}
	o.NoForceRport, o.Outbound = true, true
	nat := render(o, 5072)
	for _, want := range []string{"listen=udp:127.0.0.1:5072", "if ($Rp != 5072) {\n\t\tforce_rport();", `loadmodule "stun.so"`,
		`modparam("registrar", "outbound_mode", 1)`, `modparam("registrar", "flow_timer", 5)`, `modparam("registrar", "gruu_enabled", 1)`} {
		if !strings.Contains(nat, want) {
			t.Errorf("NAT+Outbound config lacks %q", want)
		}
	}
}
