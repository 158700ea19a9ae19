package xcap

import (
	"context"
	"errors"
	"fmt"
)

// MaxAttempts bounds Update's read-modify-write loop: each 412 means
// another device wrote in between; more than a few in a row means
// something is wrong, not busy.
const MaxAttempts = 5

// Change computes the new document from the current one (nil when there
// is none). Returning the current body unchanged (same bytes) writes
// nothing. It may run several times, once per attempt, each time on what
// the server holds then: it must apply the user's change, not replace
// the document.
type Change func(current []byte) ([]byte, error)

// Update reads the document, applies change and writes the result back
// conditionally; on 412 it starts over, at most MaxAttempts times. It
// returns the document as stored.
func (c *Client) Update(ctx context.Context, url, ctype string, change Change) (Doc, error) {
	var last error
	for range MaxAttempts {
		cur, err := c.Get(ctx, url)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Doc{}, err
		}
		next, err := change(cur.Body)
		if err != nil {
			return Doc{}, err
		}
		if cur.Body != nil && string(next) == string(cur.Body) {
			return cur, nil
		}
		cond := cur.ETag
		if cur.Body != nil && cond == "" {
			cond = "*" // a server without ETags: If-Match: * (it exists)
		}
		etag, err := c.Put(ctx, url, ctype, next, cond)
		if err == nil {
			return Doc{Body: next, ETag: etag}, nil
		}
		if !errors.Is(err, ErrChanged) {
			return Doc{}, err
		}
		last = err
	}
	return Doc{}, fmt.Errorf("after %d attempts: %w", MaxAttempts, last)
}
