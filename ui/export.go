package ui

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// exportButton offers to save the conversation as a text file.
func (conv *conversation) exportButton() *widget.Button {
	return widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), conv.askExport)
}

// askExport asks where to save the conversation, then exports it there.
func (conv *conversation) askExport() {
	cw := conv.cw
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		switch {
		case err != nil:
			showFailure(cw.win, "Not exported", "The file could not be opened. Choose another place.", err.Error())
		case w != nil: // nil: the user cancelled
			cw.export(conv, w)
		}
	}, cw.win)
	d.SetFileName(exportName(conv.contact.URI))
	d.SetFilter(storage.NewExtensionFileFilter([]string{".txt"}))
	d.Show()
}

// export writes the conversation to w and closes it, off the Fyne thread
// (it reads the whole conversation from the database), then says how it
// went. A half-written file is removed so it is not taken for the whole.
func (cw *chatWindow) export(conv *conversation, w fyne.URIWriteCloser) {
	core, ctx, peer, where := cw.app.core, cw.app.ctx, conv.contact.ID, w.URI()
	cw.app.bg(func() {
		err := core.Export(ctx, peer, w)
		err = errors.Join(err, w.Close())
		if err != nil {
			if derr := storage.Delete(where); derr != nil {
				err = errors.Join(err, fmt.Errorf("the partial file %s is left: %w", where.Path(), derr))
			}
		}
		fyne.Do(func() { cw.exported(where, err) })
	})
}

func (cw *chatWindow) exported(where fyne.URI, err error) {
	if err != nil {
		showFailure(cw.win, "Not exported", "The conversation could not be exported. Choose another place, or try again.", err.Error())
		return
	}
	showInformation("Conversation exported", "Saved to "+where.Path(), cw.win)
}

// exportName suggests a file name from the peer's address, keeping only
// characters every file system takes.
func exportName(uri string) string {
	name := strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("@.-_", r) {
			return r
		}
		return '_'
	}, strings.TrimPrefix(strings.TrimPrefix(uri, "sips:"), "sip:"))
	return "Chat with " + name + ".txt"
}
