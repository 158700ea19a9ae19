// Package ui is Parley's desktop interface (Fyne). It renders state and
// forwards the user's intent; it never sees a SIP message. Everything it
// knows comes from the core's typed event stream, drained by one goroutine
// and applied on the Fyne thread (fyne.Do); nothing here does network or
// keyring I/O on that thread.
package ui
