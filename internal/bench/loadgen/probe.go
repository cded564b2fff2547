package loadgen

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// Reply is one response read by Do.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends one raw request on a new connection and returns the parsed
// response: benchmark programs use it to check a case before loading it
// (the status and body are what they should be) and to learn values a
// request depends on, such as a server's ETag for an If-None-Match case.
func Do(addr string, req []byte, timeout time.Duration) (*Reply, error) {
	head, err := requestIsHead(req)
	if err != nil {
		return nil, err
	}
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, fmt.Errorf("loadgen: dial %s: %w", addr, err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write(req); err != nil {
		return nil, fmt.Errorf("loadgen: write to %s: %w", addr, err)
	}
	method := "GET"
	if head {
		method = "HEAD"
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		return nil, fmt.Errorf("loadgen: response from %s: %w", addr, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("loadgen: body from %s: %w", addr, err)
	}
	return &Reply{Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}
