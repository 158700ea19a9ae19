package main

import (
	"regexp"
	"strings"
	"testing"
)

func TestTimelineListsStepsInOrder(t *testing.T) {
	tl := newTimeline()
	tl.mark("history")
	tl.mark("first-frame")
	var b strings.Builder
	tl.print(&b)
	if !regexp.MustCompile(`^parley: timeline \(since main\) history=[0-9.]+ms first-frame=[0-9.]+ms\n$`).MatchString(b.String()) {
		t.Errorf("timeline line = %q", b.String())
	}
}

func TestNilTimelineNotesNothing(t *testing.T) {
	var tl *timeline
	tl.mark("history")
	var b strings.Builder
	tl.print(&b)
	if b.Len() != 0 {
		t.Errorf("a nil timeline wrote %q", b.String())
	}
}
