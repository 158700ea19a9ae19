package ui

import (
	"image/color"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/parley-im/parley/account"
	"github.com/parley-im/parley/sipclient"
)

// maxMinWidth is the widest any window may ask to be: no label, however
// long its text, sets a window's minimum width.
const maxMinWidth = 420

// TestLayoutNeverBreaks, in Fyne's default theme, fills every window with the longest texts Parley
// shows (a failed account, a 300-character failure reason, a stranger's
// long address, many accounts) and checks no window asks to be wider
// than maxMinWidth, at a phone-sized and a desktop-sized window, in the
// light and the dark theme.
func TestLayoutNeverBreaks(t *testing.T) {
	long300 := strings.Repeat("client transcation failed to request connection ", 7)[:300]
	for _, variant := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, size := range []fyne.Size{{Width: 360, Height: 560}, {Width: 1280, Height: 800}} {
			name := map[fyne.ThemeVariant]string{theme.VariantLight: "light", theme.VariantDark: "dark"}[variant] + " " + itoa(int(size.Width))
			t.Run(name, func(t *testing.T) {
				accs := []account.Account{account.NewAccount("alice", alice), account.NewAccount("bob", "sip:robert.longname-with-many-parts@a-very-long-domain-name.example.org")}
				a, w := openAccounts(t, &fakeAccounts{accounts: accs})
				test.ApplyTheme(t, variantTheme{theme.DefaultTheme(), variant})
				chatWithSentMessage(a)
				a.applyBatch([]sipclient.Event{
					sipclient.MessageStatus{ID: sent(1), Peer: pid(poisson), Status: sipclient.MsgFailed, Code: 599, Reason: long300, RetryAt: time.Now().Add(time.Minute)},
					sipclient.RegistrationChanged{AOR: alice, State: sipclient.RegFailed, Reason: long300, RetryIn: 33 * time.Second},
					sipclient.RegistrationChanged{AOR: accs[1].AOR, State: sipclient.RegFailed, Code: 503, Reason: "Service Unavailable", RetryIn: 33 * time.Second},
					sipclient.PublicationChanged{AOR: alice, State: sipclient.PubFailed, Reason: long300},
					sipclient.SubscriptionChanged{Peer: pid(poisson), URI: poisson, State: sipclient.SubFailed, Reason: long300},
					sipclient.MessageReceived{ID: 7, Peer: pid("sip:someone.with.a.very.long.address.indeed@stranger-domain.example.net"), From: "sip:someone.with.a.very.long.address.indeed@stranger-domain.example.net", FromName: strings.Repeat("Name ", 20), Text: long300, At: time.Now()},
				})
				a.showProblem("Your message history cannot be written now: " + long300)
				a.showRequests()
				for _, win := range []struct {
					name string
					w    fyne.Window
				}{{"main", a.win}, {"chat", a.chats.win}, {"accounts", w.win}} {
					win.w.Resize(size)
					ms := win.w.Canvas().Content().MinSize()
					t.Logf("%s window: min %v", win.name, ms)
					if ms.Width > size.Width || ms.Height > size.Height {
						t.Errorf("%s window asks for %v, more than its %v", win.name, ms, size)
					}
					if ms.Width > maxMinWidth {
						t.Errorf("%s window asks for %.0f px, more than %d", win.name, ms.Width, maxMinWidth)
						logWide(t, win.w.Canvas().Content(), 0)
					}
					for _, o := range win.w.Canvas().Overlays().List() {
						if ms := o.MinSize(); ms.Width > maxMinWidth {
							t.Errorf("%s window's overlay asks for %.0f px, more than %d", win.name, ms.Width, maxMinWidth)
						} else {
							t.Logf("%s overlay: min %v", win.name, ms)
						}
					}
				}
			})
		}
	}
}

// variantTheme forces a theme's light or dark colours.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// logWide logs the objects that ask for more than maxMinWidth, the
// culprits of a failed check.
func logWide(t *testing.T, o fyne.CanvasObject, depth int) {
	if depth > 12 || !o.Visible() {
		return
	}
	if ms := o.MinSize(); ms.Width > maxMinWidth {
		t.Logf("%*s%T asks %v", depth*2, "", o, ms)
	}
	if c, ok := o.(*fyne.Container); ok {
		for _, ch := range c.Objects {
			logWide(t, ch, depth+1)
		}
	}
}

// The status menu is wide enough for its longest choice.
func TestStatusFits(t *testing.T) {
	a, _, _ := newTestApp(t)
	a.status.SetSelected("Do not disturb")
	test.LaidOutObjects(a.win.Canvas().Content())
	need := fyne.MeasureText("Do not disturb", theme.TextSize(), fyne.TextStyle{}).Width + theme.IconInlineSize()
	if got := a.status.Size().Width; got < need {
		t.Errorf("status menu %.0f px wide, %q needs %.0f", got, "Do not disturb", need)
	}
}
