package ui

import (
	"strings"
	"unicode/utf8"
)

// paragraphRunes is the longest paragraph a chat row gives Fyne in one
// piece. Fyne's word wrap measures a paragraph again for every line it
// breaks, so its cost grows with the square of the paragraph's length: one
// 8,000-character paragraph took 0.87 s of the Fyne thread, and 32 KiB
// (the most the core accepts) about 14 s, a frozen window. Paragraphs
// split into pieces this long wrap in linear time.
const paragraphRunes = 400

// breakLongParagraphs returns text with a line break put into every
// paragraph longer than paragraphRunes: at its last space within the
// limit (the space goes), or at the limit in a run without one. Text with
// no such paragraph comes back as it is.
func breakLongParagraphs(text string) string {
	if !hasLongParagraph(text) {
		return text
	}
	var b strings.Builder
	b.Grow(len(text) + len(text)/paragraphRunes)
	for i, para := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		r := []rune(para)
		for len(r) > paragraphRunes {
			cut, skip := paragraphRunes, 0
			if s := lastSpace(r[:paragraphRunes+1]); s > 0 {
				cut, skip = s, 1
			}
			b.WriteString(string(r[:cut]))
			b.WriteByte('\n')
			r = r[cut+skip:]
		}
		b.WriteString(string(r))
	}
	return b.String()
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if r[i] == ' ' {
			return i
		}
	}
	return -1
}

// hasLongParagraph reports whether text has a paragraph longer than
// paragraphRunes.
func hasLongParagraph(text string) bool {
	if len(text) <= paragraphRunes {
		return false
	}
	for para := range strings.SplitSeq(text, "\n") {
		if len(para) > paragraphRunes && utf8.RuneCountInString(para) > paragraphRunes {
			return true
		}
	}
	return false
}

// noteRunes is the most of a contact's note the roster keeps. A note is a
// line of status; a peer's 30 KB note cost 0.26 s of the Fyne thread on
// every presence update (the label measures it to truncate it). The whole
// document stays readable in Presence details.
const noteRunes = 200

// oneLine is s on one line (runs of white space become one space), cut to
// n runes with an ellipsis.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// nameRunes is the most of a display name a peer sent that Parley takes
// (a SIP header can hold kilobytes; a name is a few words).
const nameRunes = 64
