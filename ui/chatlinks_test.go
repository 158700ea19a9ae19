package ui

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient"
)

func TestSplitLinks(t *testing.T) {
	for _, tc := range []struct {
		in    string
		links []string
	}{
		{"see https://a.example/x.", []string{"https://a.example/x"}},
		{"(sip:bob@x.org), or SIPS:Bob@X.org!", []string{"sip:bob@x.org", "SIPS:Bob@X.org"}},
		{"https://en.wikipedia.org/wiki/Foo_(bar) and \"http://b.example/?q=1\"", []string{"https://en.wikipedia.org/wiki/Foo_(bar)", "http://b.example/?q=1"}},
		{"*x* [a](b) _y_ <b>z</b> `code`", nil},
		{"gossip:x mailto:a@b.c javascript:alert(1) ftp://f.example http:// sip: file:///etc", nil},
		{"x.https://a.example/", nil},
		{"a\nhttps://a.example/x\nb", []string{"https://a.example/x"}},
	} {
		var got []string
		var whole strings.Builder
		for _, p := range splitLinks(tc.in) {
			if p.link {
				got = append(got, p.text)
			}
			whole.WriteString(p.text)
		}
		if !slices.Equal(got, tc.links) || whole.String() != tc.in {
			t.Errorf("%q: links %q, want %q (text back: %v)", tc.in, got, tc.links, whole.String() == tc.in)
		}
	}
	many := strings.Repeat("https://a.example/ ", 1000)
	if n := len(slices.DeleteFunc(splitLinks(many), func(p textPart) bool { return !p.link })); n != maxLinks {
		t.Errorf("%d links made of 1000", n)
	}
}

// urlRecorder is the desktop: it records what it was asked to open.
type urlRecorder struct {
	fyne.App
	opened []string
}

func (r *urlRecorder) OpenURL(u *url.URL) error {
	r.opened = append(r.opened, u.String())
	return nil
}

// A message's links are shown whole and opened only when clicked: a web
// address by the desktop, a sip address as the chat with that contact.
// Nothing else is interpreted; a short link sits inline in its paragraph,
// and a very long link wraps on a line of its own instead of widening the
// window.
func TestChatLinksClickable(t *testing.T) {
	a, _, _ := newTestApp(t)
	rec := &urlRecorder{App: a.fa}
	a.fa = rec
	long := "https://a.example/" + strings.Repeat("very-long-path-segment/", 80)
	text := "see https://a.example/x. or *x* [a](b) or " + euler + " then\n" + long
	a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid(laplace), From: laplace, Text: text, At: time.Now()}})
	conv := a.chats.convs[pid(laplace)]
	a.chats.win.Resize(fyne.NewSize(400, 600))
	var links []*widget.Hyperlink
	walkOnScreen(conv.lines[0].row.box, func(o fyne.CanvasObject) {
		if h, ok := o.(*widget.Hyperlink); ok {
			links = append(links, h)
		}
	})
	if len(links) != 3 || links[0].Text != "https://a.example/x" || links[1].Text != euler || links[2].Text != long {
		t.Fatalf("links shown: %d", len(links))
	}
	var paras []string
	var para *linkParagraph
	walkOnScreen(conv.lines[0].row.box, func(o fyne.CanvasObject) {
		if p, ok := o.(*linkParagraph); ok {
			paras = append(paras, p.String())
			para = p
		}
	})
	// The short links flow in their paragraph; the long one has a line of its own.
	if want := "see https://a.example/x. or *x* [a](b) or " + euler + " then"; !slices.Contains(paras, want) || len(rec.opened) != 0 {
		t.Errorf("paragraphs shown %q, want %q; or a link opened by itself (%q)", paras, want, rec.opened)
	}
	// Each inline link lies within its paragraph: one near the end of a
	// row goes to the next (Fyne patch richtext-inline-wrap).
	d := fyne.CurrentApp().Driver()
	right := d.AbsolutePositionForObject(para).X + para.Size().Width
	for _, h := range links[:2] {
		if end := d.AbsolutePositionForObject(h).X + h.MinSize().Width; end > right+1 {
			t.Errorf("link %q ends at %.0f, past its paragraph's right edge at %.0f", h.Text, end, right)
		}
	}
	tapText(links[0])
	if !slices.Equal(rec.opened, []string{"https://a.example/x"}) {
		t.Errorf("clicked: opened %q", rec.opened)
	}
	tapText(links[1])
	if front := a.chats.front(); front == nil || front.contact.ID != pid(euler) || len(rec.opened) != 1 {
		t.Errorf("the sip link did not open the chat with Euler")
	}
	if w := a.chats.win.Canvas().Content().MinSize().Width; w > maxMinWidth {
		t.Errorf("a long link makes the chat ask for %.0f px", w)
	}
	// Text with links in it cannot be selected; a right click copies it.
	test.TapSecondary(para)
	var menu *widget.PopUpMenu
	if top := topOverlay(a.chats.win); top != nil {
		walkOnScreen(top, func(o fyne.CanvasObject) {
			if m, ok := o.(*widget.PopUpMenu); ok {
				menu = m
			}
		})
	}
	if menu == nil || !onScreen(menu, "Copy message") {
		t.Fatalf("a right click on the text shows no Copy message: %q", textsOnScreen(topOverlay(a.chats.win)))
	}
	menu.ActivateNext()
	menu.TriggerLast()
	if got := a.fa.Clipboard().Content(); got != text {
		t.Errorf("Copy message copied %q", got)
	}
}

// tapText taps a link on its first letters, as a user does.
func tapText(h *widget.Hyperlink) {
	p := theme.InnerPadding() + 4
	test.TapAt(h, fyne.NewPos(p, p))
}

// BenchmarkLinkMessage shows one incoming message with maxLinks short
// links in a paragraph of about 8,000 characters: the links flow in
// the paragraph, which must still wrap in pieces.
func BenchmarkLinkMessage(b *testing.B) {
	text := strings.Repeat(strings.Repeat("lorem ipsum dolor sit amet ", 14)+"https://a.example/x ", maxLinks)
	for range b.N {
		b.StopTimer()
		a, _, _ := newTestApp(b)
		b.StartTimer()
		a.applyBatch([]sipclient.Event{sipclient.MessageReceived{ID: 1, Peer: pid(laplace), From: laplace, Text: text, At: time.Now()}})
	}
}
