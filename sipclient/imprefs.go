package sipclient

import "sync/atomic"

// imPrefs holds the user's IMPrefs; every role reads the current ones.
type imPrefs struct{ p atomic.Pointer[IMPrefs] }

func newIMPrefs(p IMPrefs) *imPrefs {
	v := &imPrefs{}
	v.p.Store(&p)
	return v
}

func (v *imPrefs) get() IMPrefs { return *v.p.Load() }

// defaultIMPrefs: both on, as the contract says.
var defaultIMPrefs = IMPrefs{TypingNotices: true, ReadReceipts: true}

// WithIMPrefs sets the user's IM choices from the start (default: typing
// notices and read receipts on); SetIMPrefs changes them later.
func WithIMPrefs(p IMPrefs) Option { return func(o *options) { o.imPrefs = &p } }

// SetIMPrefs sets the user's choices at run time. Turning typing notices
// off stops at once what the user was composing, without a last notice
// (the peer's own timeout clears it). Turning read receipts off makes
// MarkRead settle what it is called for without telling anyone.
func (c *Client) SetIMPrefs(p IMPrefs) {
	c.pager.prefs.p.Store(&p)
	if !p.TypingNotices {
		c.pager.typing.off()
	}
}
