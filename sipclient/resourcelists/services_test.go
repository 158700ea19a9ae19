package resourcelists

import (
	"encoding/xml"
	"errors"
	"strings"
	"testing"

	"github.com/parley-im/parley/sipclient/internal/golden"
)

func TestEncodeServicesGolden(t *testing.T) {
	got, err := EncodeServices(Service{URI: "sip:alice-buddies@parley.test",
		Resources: []string{"sip:bob@parley.test", "sip:carol@parley.test"}, Packages: []string{"presence"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := golden.Read(t, "parley-services.xml"); string(got) != string(want) {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	if err := xml.Unmarshal(got, new(struct{})); err != nil {
		t.Errorf("not well-formed: %v", err)
	}
}

func TestEncodeServicesRefuses(t *testing.T) {
	for _, s := range []Service{{URI: ""}, {URI: "sip:x@y", Resources: []string{"sip:a@b\nX"}}} {
		if _, err := EncodeServices(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("EncodeServices(%+v) = %v, want ErrInvalid", s, err)
		}
	}
}

// TestMergeServicesKeepsOthers: another client's service stays byte for
// byte; ours is replaced, and declares its own namespaces.
func TestMergeServicesKeepsOthers(t *testing.T) {
	other := `<?xml version="1.0" encoding="UTF-8"?>
<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:x="urn:ietf:params:xml:ns:resource-lists">
 <service uri="sip:marketing@parley.test"><list><x:entry uri="sip:joe@parley.test"/></list><packages><package>presence</package></packages></service>
 <service uri="sip:alice-buddies@parley.test"><list><x:entry uri="sip:old@parley.test"/></list></service>
</rls-services>
`
	got, err := MergeServices([]byte(other), Service{URI: "sip:alice-buddies@parley.test", Resources: []string{"sip:bob@parley.test"}, Packages: []string{"presence"}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if !strings.Contains(s, `<service uri="sip:marketing@parley.test"><list><x:entry uri="sip:joe@parley.test"/></list>`) ||
		strings.Contains(s, "sip:old@parley.test") || !strings.Contains(s, `<rl:entry uri="sip:bob@parley.test"/>`) {
		t.Errorf("merged:\n%s", s)
	}
	if err := xml.Unmarshal(got, new(struct{})); err != nil {
		t.Errorf("not well-formed: %v\n%s", err, s)
	}
	if _, err := MergeServices([]byte("<x/>"), Service{URI: "sip:a@b"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("MergeServices(<x/>) = %v, want ErrInvalid", err)
	}
	fresh, err := MergeServices(nil, Service{URI: "sip:a@b"})
	if want, _ := EncodeServices(Service{URI: "sip:a@b"}); err != nil || string(fresh) != string(want) {
		t.Errorf("MergeServices(nil) differs from EncodeServices: %v", err)
	}
}
