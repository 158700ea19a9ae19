package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// paragraphRunes is the longest paragraph a chat row gives Fyne in one
// piece. Fyne's word wrap measures a paragraph again for every line it
// breaks, so its cost grows with the square of the paragraph's length: one
// 8,000-character paragraph took 0.87 s of the Fyne thread, and 32 KiB
// (the most the core accepts) about 14 s, a frozen window. Paragraphs
// split into pieces this long wrap in linear time.
const paragraphRunes = 400

// breakLongParagraphs returns text with line breaks put into every
// paragraph longer than paragraphRunes, where a reader expects one: after
// the last sentence that ends in the second half of the limit, else at the
// last white space within it (the space goes), else, in a run with
// neither (a long address, or a script written without spaces), at the
// limit. Text with no such paragraph comes back as it is.
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
			cut, skip := breakPoint(r[:paragraphRunes+1])
			b.WriteString(string(r[:cut]))
			b.WriteByte('\n')
			r = r[cut+skip:]
		}
		b.WriteString(string(r))
	}
	return b.String()
}

// breakPoint is where to end a piece of r (one rune longer than a piece
// may be), and how many runes of white space after it go.
func breakPoint(r []rune) (cut, skip int) {
	if s := lastSentenceEnd(r); s >= len(r)/2 {
		return s, spaces(r[s:])
	}
	if s := lastSpace(r); s > 0 {
		return s, 1
	}
	return len(r) - 1, 0
}

// lastSentenceEnd is the index just after the last sentence end in r: a
// full stop, question or exclamation mark (and any closing quotes or
// brackets) followed by white space, or an ideographic full stop. -1 if
// none.
func lastSentenceEnd(r []rune) int {
	for i := len(r) - 2; i > 0; i-- {
		if r[i] == '。' || r[i] == '！' || r[i] == '？' {
			return i + 1
		}
		if !unicode.IsSpace(r[i+1]) {
			continue
		}
		j := i
		for j > 0 && strings.ContainsRune("\"')]»”’", r[j]) {
			j--
		}
		if strings.ContainsRune(".!?…", r[j]) {
			return i + 1
		}
	}
	return -1
}

// spaces counts the white space r starts with.
func spaces(r []rune) int {
	n := 0
	for n < len(r) && unicode.IsSpace(r[n]) {
		n++
	}
	return n
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if unicode.IsSpace(r[i]) {
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
