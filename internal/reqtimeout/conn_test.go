package reqtimeout

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// server is a net/http server on loopback whose connections are timed
// with header and body stages of a second (header capped at two), the
// way gowsgid's server sets net/http up.
type server struct {
	addr     string
	mu       sync.Mutex
	expiries []Expiry
	// handler results
	results chan string
}

func startServer(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, s *server)) *server {
	return startServerWith(t, Config{Stages: true}, handler)
}

// startServerWith starts a server whose connections are timed with cfg
// (its header stage the test's, when cfg.Stages).
func startServerWith(t *testing.T, cfg Config, handler func(w http.ResponseWriter, r *http.Request, s *server)) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: ln.Addr().String(), results: make(chan string, 10)}
	header := Stage{Timeout: time.Second, MaxTimeout: 2 * time.Second, MinRate: 500}
	body := Stage{Timeout: time.Second, MinRate: 500}
	hs := &http.Server{
		ReadHeaderTimeout: time.Hour,
		IdleTimeout:       5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if c := FromContext(r.Context()); c != nil && r.ContentLength != 0 {
				c.StartBody(body)
				r.Body = bodyEnd{r.Body, c}
			}
			handler(w, r, s)
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return WithConn(ctx, c.(*Conn))
		},
	}
	go hs.Serve(&listener{ln, func(c net.Conn) net.Conn {
		cfg.Header = header
		cfg.OnExpiry = func(_ *Conn, e Expiry) {
			s.mu.Lock()
			s.expiries = append(s.expiries, e)
			s.mu.Unlock()
		}
		return New(c, cfg)
	}})
	t.Cleanup(func() { hs.Close() })
	return s
}

type bodyEnd struct {
	io.ReadCloser
	c *Conn
}

func (b bodyEnd) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.c.EndBody()
	}
	return n, err
}

type listener struct {
	net.Listener
	wrap func(net.Conn) net.Conn
}

func (l *listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return l.wrap(c), nil
}

func (s *server) expiryList() []Expiry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Expiry(nil), s.expiries...)
}

// trickle sends parts with a pause after each and reports when the
// server closed the connection, measured from the first send.
func trickle(t *testing.T, addr string, pause time.Duration, parts ...string) (closedAfter time.Duration, answer string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	done := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(c)
		done <- string(b)
	}()
	for _, p := range parts {
		if _, err := io.WriteString(c, p); err != nil {
			break
		}
		select {
		case answer = <-done:
			return time.Since(start), answer
		case <-time.After(pause):
		}
	}
	select {
	case answer = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the connection stayed open 10s after the client stopped sending")
	}
	return time.Since(start), answer
}

func ok(w http.ResponseWriter, _ *http.Request, _ *server) { io.WriteString(w, "ok") }

// A request head that does not arrive in time is cut off: a partial
// request line after the stage's second, a trickled head when its time
// (extended a little by what it sent) runs out, and a fast head that
// stops at the stage's cap, whatever its rate earned.
func TestHeaderStage(t *testing.T) {
	t.Parallel()
	s := startServer(t, ok)
	for _, tc := range []struct {
		name        string
		pause       time.Duration
		parts       []string
		least, most time.Duration
		line        string
	}{
		{"partial line", 0, []string{"GET /ind"}, time.Second, 1500 * time.Millisecond, ""},
		{"trickled head", 300 * time.Millisecond, append([]string{"GET / HTTP/1.1\r\nHost: x\r\n"}, strings.Split(strings.Repeat("X", 20), "")...),
			time.Second, 2500 * time.Millisecond, "GET / HTTP/1.1"},
		{"fast head, then nothing", 0, []string{"GET /big HTTP/1.1\r\nX-A: " + strings.Repeat("a", 3000) + "\r\n"},
			2 * time.Second, 2500 * time.Millisecond, "GET /big HTTP/1.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			took, answer := trickle(t, s.addr, tc.pause, tc.parts...)
			if took < tc.least || took > tc.most {
				t.Errorf("cut off after %v, want between %v and %v", took, tc.least, tc.most)
			}
			if answer != "" {
				t.Errorf("net/http answered %q; the 408 is OnExpiry's to send", answer)
			}
			for _, e := range s.expiryList() {
				if e.Stage == "header" && e.RequestLine == tc.line && e.LineComplete == (tc.line != "") && e.First {
					return
				}
			}
			t.Errorf("no header expiry with line %q among %+v", tc.line, s.expiryList())
		})
	}
}

// Between requests the keep-alive wait is net/http's idle timeout, not
// the header stage; the next head is timed again from its first byte.
func TestKeepAliveIsNotTimed(t *testing.T) {
	t.Parallel()
	s := startServer(t, ok)
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	get := func() {
		t.Helper()
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	get()
	time.Sleep(2500 * time.Millisecond) // past both header stage bounds
	get()
	// A partial head now is timed, and is not the connection's first.
	io.WriteString(c, "GET / HTTP/1.1\r\n")
	start := time.Now()
	b, _ := io.ReadAll(br)
	if took := time.Since(start); took < time.Second || took > 2500*time.Millisecond || len(b) != 0 {
		t.Errorf("a second head cut after %v with %q, want 1-2.5s and no answer", took, b)
	}
	es := s.expiryList()
	if len(es) != 1 || es[0].First || es[0].RequestLine != "GET / HTTP/1.1" {
		t.Errorf("expiries %+v, want one of a later request with its line", es)
	}
}

// TestNextHeadDuringHandler sends the start of the next request while
// the handler of a request without a body still runs: net/http's
// background read takes its first byte then, and the 408 of the head
// that never ends must still log the whole request line.
func TestNextHeadDuringHandler(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(w http.ResponseWriter, r *http.Request, s *server) {
		time.Sleep(300 * time.Millisecond)
		io.WriteString(w, "ok")
	})
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond)
	io.WriteString(c, "GET /next HTTP/1.1\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(br)
	es := s.expiryList()
	if len(es) != 1 || es[0].RequestLine != "GET /next HTTP/1.1" {
		t.Errorf("expiries %+v, want one with the line GET /next HTTP/1.1", es)
	}
}

// TestUnreadBodyIsNotAHead answers a request with a body without
// reading it (as gowsgid answers a bad Host: net/http then reads the
// body away) and sends the start of the next request with the body: no
// 408 may take the body for its request line.
func TestUnreadBodyIsNotAHead(t *testing.T) {
	t.Parallel()
	var expiries []Expiry
	var mu sync.Mutex
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{
		ReadHeaderTimeout: time.Hour,
		IdleTimeout:       5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			FromContext(r.Context()).HasBody()
			w.WriteHeader(400)
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return WithConn(ctx, c.(*Conn)) },
	}
	go hs.Serve(&listener{ln, func(c net.Conn) net.Conn {
		return New(c, Config{Stages: true, Header: Stage{Timeout: time.Second, MaxTimeout: 2 * time.Second}, Idle: time.Second,
			OnExpiry: func(_ *Conn, e Expiry) { mu.Lock(); expiries = append(expiries, e); mu.Unlock() }})
	}})
	defer hs.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
	time.Sleep(100 * time.Millisecond)
	io.WriteString(c, "0123456789GET /next HTTP/1.1\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	io.ReadAll(c)
	mu.Lock()
	defer mu.Unlock()
	// The next head came in the read that took the body's end, so it is
	// not followed (its 408 names no line, or there is none); it must
	// never be taken for body bytes.
	for _, e := range expiries {
		if strings.Contains(e.RequestLine, "0123") {
			t.Errorf("expiry %+v: the body taken for a request line", e)
		}
	}
}

// A body that stops arriving fails the handler's read after the body
// stage's time, with an error for which os.ErrDeadlineExceeded holds.
func TestBodyStage(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(w http.ResponseWriter, r *http.Request, s *server) {
		start := time.Now()
		_, err := io.ReadAll(r.Body)
		s.results <- time.Since(start).Round(100*time.Millisecond).String() + " " + errText(err)
	})
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
	select {
	case res := <-s.results:
		if !strings.HasSuffix(res, " deadline") {
			t.Errorf("body read: %s, want a deadline error", res)
		}
		if d, _ := time.ParseDuration(strings.Fields(res)[0]); d < time.Second || d > 1500*time.Millisecond {
			t.Errorf("body read failed after %v, want about 1s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the body read did not fail")
	}
	if es := s.expiryList(); len(es) != 1 || es[0].Stage != "body" {
		t.Errorf("expiries %+v, want one body expiry", es)
	}
}

func errText(err error) string {
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "deadline"
	}
	return err.Error()
}

// A handler that runs longer than every stage is not disturbed: its
// request's context stays alive (net/http's background read is not
// timed), with no body and after a body read to its end.
func TestSlowHandlerIsNotTimed(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(w http.ResponseWriter, r *http.Request, s *server) {
		io.ReadAll(r.Body)
		select {
		case <-r.Context().Done():
			s.results <- "canceled"
		case <-time.After(2500 * time.Millisecond):
			s.results <- "alive"
		}
		io.WriteString(w, "done")
	})
	for _, req := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
	} {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, req)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%q: %v", req, err)
		}
		if res := <-s.results; res != "alive" || resp.StatusCode != 200 {
			t.Errorf("%q: context %s, status %d", req, res, resp.StatusCode)
		}
		c.Close()
	}
	if es := s.expiryList(); len(es) != 0 {
		t.Errorf("expiries %+v, want none", es)
	}
}

// Without mod_reqtimeout's stages, core's Timeout still bounds each
// read: a head that keeps trickling is never cut, one that stops is cut
// a Timeout after its last byte; a body that stops fails its read
// likewise.
func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	s := startServerWith(t, Config{Idle: time.Second}, func(w http.ResponseWriter, r *http.Request, s *server) {
		_, err := io.ReadAll(r.Body)
		s.results <- errText(err)
	})
	parts := append([]string{"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "}, strings.Split(strings.Repeat("x", 6), "")...)
	took, answer := trickle(t, s.addr, 500*time.Millisecond, parts...)
	// Six bytes half a second apart, then the last wait runs a second.
	if took < 3500*time.Millisecond || took > 5*time.Second || answer != "" {
		t.Errorf("a trickling head was cut after %v (answer %q), want a second after its last byte", took, answer)
	}
	es := s.expiryList()
	if len(es) != 1 || !es[0].Timeout || es[0].Stage != "header" || es[0].RequestLine != "GET / HTTP/1.1" {
		t.Errorf("expiries %+v, want one Timeout of the head", es)
	}

	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
	select {
	case res := <-s.results:
		if res != "deadline" {
			t.Errorf("body read: %s, want a deadline error", res)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stalled body was not cut by Timeout")
	}
}

// TestRefuseHTTP2 checks the preface gate: a connection that starts
// with the HTTP/2 preface is marked refused when RefuseHTTP2 says so
// (its bytes read on, for HTTP/1 to read), not when it does not;
// another start never asks.
func TestRefuseHTTP2(t *testing.T) {
	for _, tc := range []struct {
		start   string
		refuse  bool
		refused bool
		asked   bool
	}{
		{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", true, true, true},
		{"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", false, false, true},
		{"GET / HTTP/1.1\r\n\r\n", true, false, false},
	} {
		server, client := net.Pipe()
		asked := false
		c := New(server, Config{RefuseHTTP2: func() bool { asked = true; return tc.refuse }})
		go client.Write([]byte(tc.start))
		// net/http's first read takes the 14 bytes it needs to tell.
		n, err := c.Read(make([]byte, 14))
		if err != nil || n != 14 || c.RefusedHTTP2() != tc.refused || asked != tc.asked {
			t.Errorf("%q, refuse %v: read %d, %v, refused %v (want %v), asked %v", tc.start, tc.refuse, n, err, c.RefusedHTTP2(), tc.refused, asked)
		}
		server.Close()
		client.Close()
	}
}

// TestRefuseHTTP2Split: the preface is recognised however the client
// splits it (it was checked in the first read alone).
func TestRefuseHTTP2Split(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	defer client.Close()
	c := New(server, Config{RefuseHTTP2: func() bool { return true }})
	go func() {
		client.Write([]byte("PRI * HT"))
		client.Write([]byte("TP/2.0\r\n\r\nSM\r\n\r\n"))
	}()
	var err error
	for got := 0; got < 14 && err == nil; {
		var n int
		n, err = c.Read(make([]byte, 14-got))
		got += n
	}
	if err != nil || !c.RefusedHTTP2() {
		t.Fatalf("read error %v, refused %v; want the refusal marked", err, c.RefusedHTTP2())
	}
}

// TestUntimeWaitsForThePreface: a connection whose TLS handshake chose
// h2 is timed as a request head until the preface is in: a client that
// sends nothing is cut off at Timeout, not kept for ever. Once the
// preface is read, HTTP/2's own deadlines apply.
func TestUntimeWaitsForThePreface(t *testing.T) {
	server, client := net.Pipe()
	defer server.Close()
	defer client.Close()
	c := New(server, Config{Idle: 200 * time.Millisecond})
	c.Untime()
	done := make(chan error, 1)
	go func() { _, err := c.Read(make([]byte, 24)); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("silent client: %v, want a timeout", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a silent client after an h2 handshake is waited for without end")
	}

	server2, client2 := net.Pipe()
	defer server2.Close()
	defer client2.Close()
	c2 := New(server2, Config{Idle: 200 * time.Millisecond})
	c2.Untime()
	go client2.Write([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"))
	if _, err := io.ReadFull(c2, make([]byte, 24)); err != nil {
		t.Fatal(err)
	}
	c2.mu.Lock()
	untimed := c2.untimed
	c2.mu.Unlock()
	if !untimed {
		t.Fatal("the reads after the preface are still timed as a request head's")
	}
}

// TestUnreadBodyTimed: a body the handler answers without reading (a
// 400 for a bad Host, say) is read away by net/http; each of those reads
// waits at most Timeout (Idle), as Apache's discard of the body does,
// not for ever.
func TestUnreadBodyTimed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{
		ReadHeaderTimeout: time.Hour,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			FromContext(r.Context()).HasBody()
			w.WriteHeader(400)
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return WithConn(ctx, c.(*Conn)) },
	}
	go hs.Serve(&listener{ln, func(c net.Conn) net.Conn { return New(c, Config{Idle: time.Second}) }})
	defer hs.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npart of it")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	start := time.Now()
	io.ReadAll(c) // the 400, then the close
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the connection stayed open %v with a stalled body after its answer", took)
	}
}
