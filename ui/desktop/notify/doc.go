// Package notify shows desktop notifications through the freedesktop
// Notifications D-Bus API (org.freedesktop.Notifications), with a
// "default" action so that clicking one tells the app which chat it was
// about; Fyne's own notifications have no click action. It also plays the
// incoming-message sound with the desktop's own player when there is one.
// It does not import Fyne.
package notify
