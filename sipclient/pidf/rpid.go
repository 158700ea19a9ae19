package pidf

import (
	"strings"

	"github.com/parley-im/parley/sipclient/internal/xmltree"
)

// otherPrefix marks free-text <rpid:other> activities in Document.Activities.
const otherPrefix = "other:"

// activitySet collects RPID activities in document order without repeats.
type activitySet struct {
	list []string
}

// addFrom reads the children of an <rpid:activities>. Its <rpid:note>
// annotates the list rather than naming an activity, and foreign elements
// are extensions we do not know.
func (s *activitySet) addFrom(n *xmltree.Node) {
	for _, c := range n.Children {
		if c.Name.Space != NamespaceRPID {
			continue
		}
		name := strings.ToLower(c.Name.Local)
		switch {
		case name == "note":
		case name == "other":
			s.add(otherPrefix + trimmed(c))
		case isActivityName(name):
			s.add(name)
		}
	}
}

func (s *activitySet) addAll(names []string) {
	for _, a := range names {
		s.add(a)
	}
}

func (s *activitySet) add(a string) {
	for _, have := range s.list {
		if have == a {
			return
		}
	}
	s.list = append(s.list, a)
}

// isActivityName accepts a conservative, ASCII subset of XML names. What it
// accepts can always be written back as <rpid:name/> and read again, which
// is what keeps Encode free of injected markup.
func isActivityName(s string) bool {
	if s == "" || !isLower(s[0]) && s[0] != '_' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isLower(c) && !('0' <= c && c <= '9') && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

func isLower(c byte) bool { return 'a' <= c && c <= 'z' }
