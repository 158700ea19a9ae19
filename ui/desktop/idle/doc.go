// Package idle tells when the user has left the desktop: no input for a
// while, a locked screen, a machine that slept. It reads the desktop
// itself (X11's MIT-SCREEN-SAVER extension, the D-Bus screen-saver and
// login1 interfaces) and knows nothing of Fyne or SIP: account.AutoAway
// turns what it reports into a status.
package idle
