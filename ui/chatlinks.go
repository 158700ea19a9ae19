package ui

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/parley-im/parley/sipclient/identity"
)

// Links are the one thing in a message Parley acts on, and only when the
// user clicks one: http and https go to the desktop's browser, sip and sips
// open the chat in Parley. Nothing else is interpreted (no markdown, no
// other schemes); a link is shown as its whole text.

// linkSchemes are the schemes that make a link, lower case.
var linkSchemes = []string{"https://", "http://", "sips:", "sip:"}

// maxLinks is the most links one message gets; a message made of
// thousands would cost a widget each. The rest stays text.
const maxLinks = 20

// textPart is a run of a message: plain text, or a link.
type textPart struct {
	text string
	link bool
}

// splitLinks cuts text into plain runs and links, in order. Text without
// a link is one plain part.
func splitLinks(text string) []textPart {
	var parts []textPart
	plain, links := 0, 0
	for i := 0; i < len(text) && links < maxLinks; i++ {
		n := linkAt(text, i)
		if n == 0 {
			continue
		}
		if i > plain {
			parts = append(parts, textPart{text: text[plain:i]})
		}
		parts = append(parts, textPart{text: text[i : i+n], link: true})
		i += n - 1
		plain = i + 1
		links++
	}
	if plain < len(text) {
		parts = append(parts, textPart{text: text[plain:]})
	}
	return parts
}

// linkAt is the length in bytes of the link starting at text[i], or 0.
// A link starts a word, runs to white space or a character no address
// holds, and leaves out the punctuation that ends the sentence around it.
func linkAt(text string, i int) int {
	if c := text[i] | 0x20; c != 'h' && c != 's' {
		return 0
	}
	if r, _ := utf8.DecodeLastRuneInString(text[:i]); i > 0 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("+-./_@", r)) {
		return 0
	}
	scheme := ""
	for _, s := range linkSchemes {
		if len(text)-i >= len(s) && strings.EqualFold(text[i:i+len(s)], s) {
			scheme = s
			break
		}
	}
	if scheme == "" {
		return 0
	}
	end := i + len(scheme)
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>\"`", r) || r == utf8.RuneError {
			break
		}
		end += size
	}
	link := trimLinkEnd(text[i:end])
	if !validLink(link, scheme) {
		return 0
	}
	return len(link)
}

// trimLinkEnd leaves out what ends the sentence after a link: a full
// stop, a comma, quotes, and a closing bracket that opened before it.
func trimLinkEnd(s string) string {
	for s != "" {
		r, size := utf8.DecodeLastRuneInString(s)
		switch {
		case strings.ContainsRune(".,;:!?'…", r):
		case r == ')' && strings.Count(s, "(") < strings.Count(s, ")"):
		case r == ']' && strings.Count(s, "[") < strings.Count(s, "]"):
		case r == '}' && strings.Count(s, "{") < strings.Count(s, "}"):
		default:
			return s
		}
		s = s[:len(s)-size]
	}
	return s
}

// validLink reports whether s is a link that can be opened: a web
// address with a host, or a SIP address Parley reads as a person.
func validLink(s, scheme string) bool {
	if len(s) <= len(scheme) {
		return false
	}
	if strings.HasPrefix(scheme, "sip") {
		_, err := identity.Parse(s)
		return err == nil
	}
	u, err := url.Parse(s)
	return err == nil && u.Host != ""
}

// inlineLinkWidth is the widest link (in the theme's text size) that
// sits inline in its paragraph and wraps like a word: about 40
// characters, what the narrowest chat leaves a message. A wider one gets
// a line of its own that breaks anywhere, since a word wider than the
// row would push the window wider.
const inlineLinkWidth = 300

// inlineLink reports whether link is short enough to stay in its
// paragraph.
func inlineLink(link string) bool {
	if len(link) > 80 { // wider than any 300 px of text; no need to measure
		return false
	}
	return fyne.MeasureText(link, theme.TextSize(), fyne.TextStyle{}).Width <= inlineLinkWidth
}

// messageBody shows text with its links clickable, opened by open on
// click: text and short links flow together in one wrapped paragraph
// (a right click copies the message); a long link sits on its own line,
// wrapped anywhere (it must not widen the window).
func messageBody(parts []textPart, open func(link string)) *fyne.Container {
	box := container.NewVBox()
	var whole strings.Builder
	for _, p := range parts {
		whole.WriteString(p.text)
	}
	var segs []widget.RichTextSegment
	flush := func() {
		if len(segs) > 0 {
			box.Add(newLinkParagraph(segs, whole.String()))
			segs = nil
		}
	}
	for i, p := range parts {
		link := p.text
		switch {
		case !p.link:
			t := p.text
			if i == 0 || parts[i-1].link && !inlineLink(parts[i-1].text) {
				t = strings.TrimLeftFunc(t, unicode.IsSpace)
			}
			if i == len(parts)-1 || parts[i+1].link && !inlineLink(parts[i+1].text) {
				t = strings.TrimRightFunc(t, unicode.IsSpace)
			}
			if t != "" {
				segs = append(segs, &widget.TextSegment{Text: breakLongParagraphs(t), Style: widget.RichTextStyleInline})
			}
		case inlineLink(link):
			segs = append(segs, &widget.HyperlinkSegment{Text: link, OnTapped: func() { open(link) }})
		default:
			flush()
			h := widget.NewHyperlink(link, nil)
			h.Wrapping = fyne.TextWrapBreak
			h.OnTapped = func() { open(link) }
			box.Add(h)
		}
	}
	flush()
	return box
}

// linkParagraph is text with short links in it, wrapped at words. Fyne
// cannot select text in a RichText, as it can in a label, so a right
// click offers to copy the whole message instead.
type linkParagraph struct {
	widget.RichText
	whole string // the message, for Copy
}

func newLinkParagraph(segs []widget.RichTextSegment, whole string) *linkParagraph {
	p := &linkParagraph{whole: whole}
	p.Segments = segs
	p.Wrapping = fyne.TextWrapWord
	p.Scroll = container.ScrollNone // NewRichText's default; a zero one scrolls, never wraps
	p.ExtendBaseWidget(p)
	return p
}

// TappedSecondary shows the menu with Copy message.
func (p *linkParagraph) TappedSecondary(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(p)
	if c == nil {
		return
	}
	copyIt := fyne.NewMenuItem("Copy message", func() { fyne.CurrentApp().Clipboard().SetContent(p.whole) })
	widget.ShowPopUpMenuAtPosition(fyne.NewMenu("", copyIt), c, ev.AbsolutePosition)
}

// openLink is a click on a link in a chat: a web address goes to the
// desktop's browser, a SIP address opens the chat with that person.
func (a *App) openLink(link string, win fyne.Window) {
	if strings.HasPrefix(strings.ToLower(link), "sip") {
		a.openSIPLink(link, win)
		return
	}
	u, err := url.Parse(link)
	if err != nil {
		return // splitLinks made it a link only if it parsed
	}
	if err := a.fa.OpenURL(u); err != nil {
		showFailure(win, "Link not opened", "The link could not be opened in your browser.", err.Error())
	}
}

// openSIPLink opens the chat with the person a sip: link names, when
// they are a contact.
func (a *App) openSIPLink(link string, win fyne.Window) {
	id, err := identity.Parse(link)
	if err != nil {
		return
	}
	if c := a.contacts[id]; c != nil {
		a.openChat(c)
		return
	}
	showInformation("Not in your contacts", id.String()+" is not in your contacts. Add them to chat with them.", win)
}
