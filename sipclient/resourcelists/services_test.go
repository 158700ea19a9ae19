package resourcelists

import (
	"encoding/xml"
	"errors"
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
