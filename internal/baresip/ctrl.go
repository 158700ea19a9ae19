package baresip

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// maxNetstring bounds one ctrl_tcp frame.
const maxNetstring = 1 << 20

// ctrlConn is a ctrl_tcp connection: commands and responses are JSON
// objects framed as netstrings ("LEN:JSON,"). baresip 1.0 answers
// {"response":true,"ok":bool,"data":"...","token":"..."} and pushes
// {"event":true,...} objects for UA events in between.
type ctrlConn struct {
	mu      sync.Mutex
	conn    net.Conn
	r       *bufio.Reader
	seq     int
	onEvent func(string) // raw JSON of pushed events
}

type ctrlResponse struct {
	Response bool   `json:"response"`
	Event    bool   `json:"event"`
	OK       bool   `json:"ok"`
	Data     string `json:"data"`
	Token    string `json:"token"`
}

// dialCtrl connects to ctrl_tcp, retrying until deadline (the module may not
// be listening yet right after the process starts).
func dialCtrl(addr string, deadline time.Time, onEvent func(string)) (*ctrlConn, error) {
	var lastErr error
	for attempt := 0; attempt < 200 && time.Now().Before(deadline); attempt++ {
		c, err := net.DialTimeout("tcp", addr, time.Until(deadline))
		if err == nil {
			return &ctrlConn{conn: c, r: bufio.NewReader(c), onEvent: onEvent}, nil
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	return nil, fmt.Errorf("ctrl_tcp %s: %w", addr, errors.Join(ErrNotReady, lastErr))
}

// do runs one command and returns its response data. A response with
// "ok":false is returned as an error wrapping ErrCommand.
func (c *ctrlConn) do(command, params string, timeout time.Duration) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	token := strconv.Itoa(c.seq)
	req := map[string]string{"command": command, "token": token}
	if params != "" {
		req["params"] = params
	}
	js, err := json.Marshal(req)
	if err != nil {
		return "", err
	}
	deadline := time.Now().Add(timeout)
	if err := c.conn.SetDeadline(deadline); err != nil {
		return "", err
	}
	frame := strconv.Itoa(len(js)) + ":" + string(js) + ","
	if _, err := io.WriteString(c.conn, frame); err != nil {
		return "", fmt.Errorf("ctrl_tcp %s: %w", command, err)
	}
	return c.readResponse(command, token)
}

func (c *ctrlConn) readResponse(command, token string) (string, error) {
	for frames := 0; frames < 1000; frames++ {
		raw, err := readNetstring(c.r)
		if err != nil {
			return "", fmt.Errorf("ctrl_tcp %s: %w", command, err)
		}
		var resp ctrlResponse
		if err := json.Unmarshal(raw, &resp); err != nil {
			return "", fmt.Errorf("ctrl_tcp %s: bad JSON %q: %w", command, raw, err)
		}
		if resp.Event || !resp.Response {
			if c.onEvent != nil {
				c.onEvent(string(raw))
			}
			continue
		}
		if resp.Token != token {
			continue // a late answer to an earlier, timed-out command
		}
		if !resp.OK {
			return resp.Data, fmt.Errorf("%w: %s: %s", ErrCommand, command, resp.Data)
		}
		return resp.Data, nil
	}
	return "", fmt.Errorf("ctrl_tcp %s: no response among 1000 frames", command)
}

func readNetstring(r *bufio.Reader) ([]byte, error) {
	lenStr, err := r.ReadString(':')
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(lenStr[:len(lenStr)-1])
	if err != nil || n < 0 || n > maxNetstring {
		return nil, fmt.Errorf("bad netstring length %q", lenStr)
	}
	buf := make([]byte, n+1)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	if buf[n] != ',' {
		return nil, fmt.Errorf("netstring not terminated by ','")
	}
	return buf[:n], nil
}

func (c *ctrlConn) close() error { return c.conn.Close() }
