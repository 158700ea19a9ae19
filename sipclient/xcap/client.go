package xcap

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/parley-im/parley/sipclient/digest"
)

// Sentinels, for errors.Is.
var (
	// ErrNotFound: the server has no such document (404).
	ErrNotFound = errors.New("xcap: no such document")
	// ErrChanged: the document changed at the server since it was read
	// (412 Precondition Failed).
	ErrChanged = errors.New("xcap: document changed at the server")
	// ErrUnauthorized: the server refused the credentials (401 again).
	ErrUnauthorized = errors.New("xcap: credentials refused")
	// ErrAuth: a challenge this client cannot answer.
	ErrAuth = errors.New("xcap: cannot answer the authentication challenge")
)

// StatusError is any other answer than the one expected.
type StatusError struct {
	Method, URL string
	Code        int
	Status      string
}

func (e *StatusError) Error() string { return fmt.Sprintf("XCAP %s %s: %s", e.Method, e.URL, e.Status) }

// StatusCode lets callers branch on the code with errors.As.
func (e *StatusError) StatusCode() int { return e.Code }

// maxBody bounds what is read of an answer: a resource list of thousands
// of contacts fits.
const maxBody = 8 << 20

// Client talks to one XCAP root as one user. It is safe for concurrent use.
type Client struct {
	root    string // without the trailing slash
	xui     string // the user's XUI, e.g. sip:alice@example.test
	cred    digest.Credentials
	http    *http.Client
	timeout time.Duration

	mu      sync.Mutex
	session *digest.Session // started by the first 401
}

// New returns a client for the documents of xui under root.
// hc nil means a client of its own; timeout bounds each request (0: 10 s).
func New(root, xui string, cred digest.Credentials, hc *http.Client, timeout time.Duration) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	return &Client{root: strings.TrimRight(root, "/"), xui: xui, cred: cred, http: hc, timeout: timeout}
}

// URL of the user's document name in application usage auid.
func (c *Client) URL(auid, name string) string {
	return c.root + "/" + auid + "/users/" + c.xui + "/" + name
}

// Doc is a document as the server holds it.
type Doc struct {
	Body []byte
	ETag string // "" when the server sent none
}

// Get reads a document; ErrNotFound when there is none.
func (c *Client) Get(ctx context.Context, url string) (Doc, error) {
	res, body, err := c.do(ctx, http.MethodGet, url, "", nil, nil)
	if err != nil {
		return Doc{}, err
	}
	switch {
	case res.StatusCode == http.StatusNotFound:
		return Doc{}, fmt.Errorf("%s: %w", url, ErrNotFound)
	case res.StatusCode/100 != 2:
		return Doc{}, statusError(http.MethodGet, url, res)
	}
	return Doc{Body: body, ETag: res.Header.Get("ETag")}, nil
}

// Put stores body if the document at the server still has etag; etag ""
// means it must not exist yet (If-None-Match: *). It returns the new
// ETag; ErrChanged when the condition failed.
func (c *Client) Put(ctx context.Context, url, ctype string, body []byte, etag string) (string, error) {
	cond := map[string]string{"If-None-Match": "*"}
	if etag != "" {
		cond = map[string]string{"If-Match": etag}
	}
	res, _, err := c.do(ctx, http.MethodPut, url, ctype, body, cond)
	if err != nil {
		return "", err
	}
	switch {
	case res.StatusCode == http.StatusPreconditionFailed:
		return "", fmt.Errorf("%s: %w", url, ErrChanged)
	case res.StatusCode/100 != 2:
		return "", statusError(http.MethodPut, url, res)
	}
	return res.Header.Get("ETag"), nil
}

func statusError(method, url string, res *http.Response) error {
	return &StatusError{Method: method, URL: url, Code: res.StatusCode, Status: res.Status}
}

// do sends one request, answering one digest challenge.
func (c *Client) do(ctx context.Context, method, url, ctype string, body []byte, hdrs map[string]string) (*http.Response, []byte, error) {
	res, b, err := c.send(ctx, method, url, ctype, body, hdrs)
	if err != nil || res.StatusCode != http.StatusUnauthorized {
		return res, b, err
	}
	if err := c.challenged(res); err != nil {
		return nil, nil, err
	}
	if res, b, err = c.send(ctx, method, url, ctype, body, hdrs); err != nil {
		return nil, nil, err
	}
	if res.StatusCode == http.StatusUnauthorized {
		c.mu.Lock()
		c.session = nil
		c.mu.Unlock()
		return nil, nil, fmt.Errorf("%s %s: %w", method, url, ErrUnauthorized)
	}
	return res, b, nil
}

func (c *Client) challenged(res *http.Response) error {
	chs, err := digest.ParseChallenges(res.Header.Values("WWW-Authenticate")...)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAuth, err)
	}
	best, err := digest.Best(chs)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAuth, err)
	}
	s, err := digest.NewSession(best)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAuth, err)
	}
	c.mu.Lock()
	c.session = s
	c.mu.Unlock()
	return nil
}

func (c *Client) send(ctx context.Context, method, url, ctype string, body []byte, hdrs map[string]string) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("XCAP %s: %w", method, err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range hdrs {
		req.Header.Set(k, v)
	}
	if err := c.authorize(req, body); err != nil {
		return nil, nil, err
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("XCAP %s: %w", method, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxBody))
	if err != nil {
		return nil, nil, fmt.Errorf("XCAP %s %s: read answer: %w", method, url, err)
	}
	return res, b, nil
}

func (c *Client) authorize(req *http.Request, body []byte) error {
	c.mu.Lock()
	s := c.session
	c.mu.Unlock()
	if s == nil {
		return nil
	}
	v, err := s.AuthorizeBody(req.Method, req.URL.RequestURI(), body, c.cred)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrAuth, err)
	}
	req.Header.Set("Authorization", v)
	return nil
}
