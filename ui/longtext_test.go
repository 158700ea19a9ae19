package ui

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/parley-im/parley/sipclient"
)

func TestBreakLongParagraphs(t *testing.T) {
	words := strings.Repeat("lorem ipsum dolor sit amet ", 400) // 10,800 runes
	noSpace := strings.Repeat("é", 1000)
	for _, tc := range []struct {
		name, in string
		rejoin   string // what the pieces give back joined with this
	}{
		{"short", "hello\nworld", "\n"},
		{"words", words, " "},
		{"no spaces", noSpace, ""},
		{"paragraphs", "first line\n" + words + "\nlast line", ""},
	} {
		out := breakLongParagraphs(tc.in)
		for _, p := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(p); n > paragraphRunes {
				t.Errorf("%s: a paragraph of %d runes is left", tc.name, n)
			}
		}
		switch tc.name {
		case "short":
			if out != tc.in {
				t.Errorf("short text changed: %q", out)
			}
		case "paragraphs":
			if !strings.HasPrefix(out, "first line\nlorem ipsum") || !strings.HasSuffix(out, "\nlast line") {
				t.Errorf("paragraphs around the long one changed: %.40q … %.40q", out, out[len(out)-40:])
			}
		default:
			if got := strings.ReplaceAll(out, "\n", tc.rejoin); got != tc.in {
				t.Errorf("%s: the pieces do not give the text back", tc.name)
			}
		}
	}
}

// A long paragraph is broken after a sentence, never inside one, when
// a sentence ends in the second half of a piece; a run of one sentence
// longer than a piece is broken between words; a script without spaces
// after its full stops.
func TestBreakLongParagraphsWhereTheEyeExpects(t *testing.T) {
	sentences := strings.Repeat("The quick brown fox jumps over the lazy dog, twice (or thrice). ", 60) + "Done!"
	out := breakLongParagraphs(sentences)
	pieces := strings.Split(out, "\n")
	for i, p := range pieces {
		if utf8.RuneCountInString(p) > paragraphRunes || !strings.HasSuffix(p, ".") && i < len(pieces)-1 {
			t.Errorf("piece %d breaks inside a sentence: …%q", i, p[max(0, len(p)-30):])
		}
	}
	if len(pieces) < 2 || strings.Join(pieces, " ") != sentences {
		t.Errorf("%d pieces do not give the text back", len(pieces))
	}
	oneSentence := strings.Repeat("and then ", 100) + "stop."
	for _, p := range strings.Split(breakLongParagraphs(oneSentence), "\n") {
		if strings.HasPrefix(p, " ") || strings.HasSuffix(p, " ") || strings.HasSuffix(p, "the") && strings.HasPrefix(p, "n") {
			t.Errorf("a word was cut: %q", p)
		}
	}
	cjk := strings.Repeat("これは長い文です。", 100)
	for i, p := range strings.Split(breakLongParagraphs(cjk), "\n") {
		if !strings.HasSuffix(p, "。") {
			t.Errorf("piece %d of a Japanese paragraph ends inside a sentence: …%q", i, p[len(p)-9:])
		}
	}
}

// The longest message the core takes, in one paragraph, is shown whole:
// every word is on screen once it is scrolled to (the row holds it all).
func TestLongMessageShownWhole(t *testing.T) {
	a, _, _ := newTestApp(t)
	text := strings.Repeat("lorem ipsum dolor sit amet ", 32<<10/27) + "THE END"
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid(laplace), From: laplace, Text: text, At: time.Now()}})
	conv := a.chats.convs[pid(laplace)]
	shown := conv.lines[0].row.text.Text
	if strings.ReplaceAll(shown, "\n", " ") != text || !strings.HasSuffix(shown, "THE END") {
		t.Errorf("the row shows %d of %d bytes", len(shown), len(text))
	}
}

// On screen, a long paragraph of sentences is broken only after one: each
// line of the row's text ends a sentence, and together they are the text.
func TestLongParagraphShownBrokenAfterSentences(t *testing.T) {
	a, _, _ := newTestApp(t)
	text := strings.Repeat("Measure what is measurable, and make measurable what is not so. ", 40)
	text = strings.TrimSpace(text)
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid(laplace), From: laplace, Text: text, At: time.Now()}})
	row := a.chats.convs[pid(laplace)].lines[0].row
	if !onScreen(row.box, "Measure what is measurable") {
		t.Fatalf("the message is not shown: %q", textsOnScreen(row.box))
	}
	lines := strings.Split(row.text.Text, "\n")
	for i, l := range lines {
		if !strings.HasSuffix(l, "so.") {
			t.Errorf("line %d of %d ends mid-sentence: …%q", i, len(lines), l[max(0, len(l)-20):])
		}
	}
	if len(lines) < 2 || strings.Join(lines, " ") != text {
		t.Errorf("%d lines do not make the text", len(lines))
	}
}

// A pasted paragraph too long to wrap quickly turns wrapping off in the
// input (it scrolls sideways); sent, the input wraps again, and the whole
// text went to the core.
func TestPasteLongParagraph(t *testing.T) {
	a, core, _ := newTestApp(t)
	a.openChat(a.contacts[pid(laplace)])
	e := a.chats.convs[pid(laplace)].entry
	text := strings.Repeat("lorem ipsum dolor sit amet ", 30<<10/27)
	cb := a.fa.Clipboard()
	cb.SetContent(text)
	e.TypedShortcut(&fyne.ShortcutPaste{Clipboard: cb})
	if e.Text != text || e.Wrapping != fyne.TextWrapOff {
		t.Fatalf("after the paste: %d bytes, wrapping %v", len(e.Text), e.Wrapping)
	}
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(core.sent) != 1 || core.sent[0] != laplace+"|"+strings.TrimRight(text, "\n") || e.Text != "" || e.Wrapping != fyne.TextWrapWord {
		t.Errorf("after sending: %d sent, input %q, wrapping %v", len(core.sent), e.Text, e.Wrapping)
	}
	test.Type(e, "short again")
	if e.Wrapping != fyne.TextWrapWord {
		t.Errorf("a short text is not wrapped")
	}
}

// A contact's note shows on one line and, however long the peer made it,
// cut to noteRunes.
func TestLongNoteCut(t *testing.T) {
	a, _, _ := newTestApp(t)
	note := "first line\n" + strings.Repeat("lorem ipsum dolor sit amet ", 30000/27)
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: "open", Note: note}})
	got := a.contacts[pid(laplace)].note
	if utf8.RuneCountInString(got) != noteRunes || !strings.HasPrefix(got, "first line lorem ipsum") || !strings.HasSuffix(got, "…") {
		t.Errorf("note kept as %d runes: %.40q…", utf8.RuneCountInString(got), got)
	}
	a.applyBatch([]sipclient.Event{sipclient.PresenceChanged{Peer: pid(laplace), URI: laplace, Basic: "open", Note: "  In the  lab "}})
	if got := a.contacts[pid(laplace)].note; got != "In the lab" {
		t.Errorf("short note kept as %q", got)
	}
}

// A flood of strangers' messages keeps the requests list bounded: the
// newest maxRequestMsgs per sender and maxRequestSenders senders, with
// the rest counted and said to be in the history.
func TestRequestFloodBounded(t *testing.T) {
	a, _, _ := newTestApp(t)
	var flood []sipclient.Event
	for i := range 50 {
		flood = append(flood, sipclient.MessageReceived{ID: sipclient.MessageID(i + 1), Peer: pid("sip:mallory@evil.example"), From: "sip:mallory@evil.example", Text: "spam " + itoa(i), At: time.Now()})
	}
	for i := range maxRequestSenders + 5 {
		flood = append(flood, sipclient.MessageReceived{ID: sipclient.MessageID(1000 + i), Peer: pid("sip:bot" + itoa(i) + "@evil.example"), From: "sip:bot" + itoa(i) + "@evil.example", Text: "hi", At: time.Now()})
	}
	a.applyBatch(flood)
	r := a.requests
	if len(r.order) != maxRequestSenders || r.dropped != 6 || r.order[0] != pid("sip:bot5@evil.example") {
		t.Fatalf("%d senders listed, %d dropped, first %s", len(r.order), r.dropped, r.order[0])
	}
	a.requests = newRequestStore()
	a.applyBatch(flood[:50])
	if msgs := a.requests.msgs[pid("sip:mallory@evil.example")]; len(msgs) != maxRequestMsgs || msgs[0].Text != "spam 30" {
		t.Fatalf("kept %d messages from %q", len(msgs), msgs[0].Text)
	}
	a.showRequests()
	if o := topOverlay(a.win); o == nil || !onScreen(o, "… 30 earlier messages (in the chat once you accept)") {
		t.Errorf("the dropped messages are not counted: %q", textsOnScreen(o))
	}
}

// A stranger's long display name is cut when shown and when the sender is
// accepted.
func TestLongDisplayNameCut(t *testing.T) {
	a, _, _ := newTestApp(t)
	name := strings.Repeat("Very Long Name ", 500)
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid("sip:long@x.org"), From: "sip:long@x.org", FromName: name, Text: "hi", At: time.Now()}})
	a.acceptRequest(pid("sip:long@x.org"))
	got := a.contacts[pid("sip:long@x.org")].Name
	if utf8.RuneCountInString(got) != nameRunes || !strings.HasPrefix(got, "Very Long Name Very") {
		t.Errorf("contact named %d runes: %.30q", utf8.RuneCountInString(got), got)
	}
}
