package pidf

import "testing"

func TestAggregate(t *testing.T) {
	tu := func(b Basic, prio float64) Tuple { return Tuple{Basic: b, Priority: prio} }
	tests := []struct {
		name   string
		tuples []Tuple
		basic  Basic
		best   int
	}{
		{"none", nil, BasicUnknown, -1},
		{"one closed", []Tuple{tu(BasicClosed, -1)}, BasicClosed, 0},
		{"one unknown", []Tuple{tu(BasicUnknown, -1)}, BasicUnknown, 0},
		{"open beats closed", []Tuple{tu(BasicClosed, 1), tu(BasicOpen, 0.1)}, BasicOpen, 1},
		{"highest open priority", []Tuple{tu(BasicOpen, 0.2), tu(BasicOpen, 0.9), tu(BasicOpen, 0.5)}, BasicOpen, 1},
		{"tie keeps first", []Tuple{tu(BasicOpen, 0.5), tu(BasicOpen, 0.5)}, BasicOpen, 0},
		{"priority beats absent", []Tuple{tu(BasicOpen, -1), tu(BasicOpen, 0)}, BasicOpen, 1},
		{"unknown abstains", []Tuple{tu(BasicUnknown, 1), tu(BasicClosed, -1)}, BasicClosed, 1},
		{"open among unknown", []Tuple{tu(BasicUnknown, 1), tu(BasicOpen, -1)}, BasicOpen, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			basic, best := aggregate(tt.tuples)
			if basic != tt.basic || best != tt.best {
				t.Errorf("got (%q, %d), want (%q, %d)", basic, best, tt.basic, tt.best)
			}
		})
	}
}

func TestDecodeAggregatesTuples(t *testing.T) {
	body := `<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:a@b">
 <tuple id="a"><status><basic>closed</basic></status><contact>sip:desk@b</contact><note>desk</note></tuple>
 <tuple id="b"><status><basic>open</basic></status><contact priority="0.3">sip:phone@b</contact><note>phone</note></tuple>
 <tuple id="c"><status><basic>open</basic></status><contact priority="0.7">sip:pc@b</contact><note>pc</note></tuple>
 <tuple id="d"><status><basic>?</basic></status></tuple>
</presence>`
	doc, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if doc.Basic != BasicOpen || doc.Contact != "sip:pc@b" || doc.Note != "pc" || len(doc.Tuples) != 4 {
		t.Errorf("got %+v", doc)
	}
	if doc.Tuples[3].Basic != BasicUnknown {
		t.Errorf("tuple d basic %q", doc.Tuples[3].Basic)
	}
}
