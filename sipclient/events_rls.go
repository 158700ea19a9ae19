package sipclient

// ListState is the state of the account's resource list subscription.
type ListState string

// List subscription states.
const (
	// ListActive: one subscription to the buddy list watches every
	// contact in it.
	ListActive ListState = "active"
	// ListRefused: the server has no resource list service for the
	// buddy list (or refused it): each contact is watched on its own.
	ListRefused ListState = "refused"
)

// ListChanged reports the account's resource list subscription (RFC
// 4662): watching every contact with one SUBSCRIBE, or, when the server
// refuses it, falling back to one per contact.
type ListChanged struct {
	AOR    string // the account
	URI    string // the buddy list
	State  ListState
	Code   int    // the refusal's status code, if any
	Reason string // the refusal's reason phrase or why, raw
}

func (ListChanged) isEvent() {}
