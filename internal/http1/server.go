// Package http1 is gowsgid's HTTP/1.x server: it reads requests from
// client connections and hands them to an http.Handler, with the
// framing, keep-alive and error answers of Go's net/http server (a
// parity test holds it to them), at a lower cost per request. It does
// not read ahead while a request is served unless the handler asks
// whether the client went away (the request context's Done channel),
// and it keeps its buffers per connection.
//
// Where net/http's rules are not Apache's, options hand the decision to
// the handler (PassMalformed, BadLine, a reason phrase given with
// SetStatusText) or take Apache's (StatusLine11, StatusText);
// framing that two parties could read two ways (Content-Length beside
// chunked, a body that broke) ends the connection after its answer.
// An answer that ends its connection reads nothing more of the request
// body its handler left, as Apache reads nothing of it then (net/http
// first reads up to 256 KiB of a chunked one, however slowly it comes).
//
// HTTP/2 is not spoken here: a connection that opens with the HTTP/2
// preface is handed to Server.HTTP2.
package http1

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server serves HTTP/1.x connections.
type Server struct {
	// Handler answers each request.
	Handler http.Handler
	// BaseContext is the context of the connections (nil: Background).
	BaseContext context.Context
	// ConnContext derives a connection's context from the base one.
	ConnContext func(ctx context.Context, c net.Conn) context.Context
	// ConnState is told of each connection's changes of state.
	ConnState func(net.Conn, http.ConnState)
	// HeaderTimeout is the read deadline set before each request head
	// (0: none).
	HeaderTimeout time.Duration
	// IdleTimeout is the read deadline while waiting for the next
	// request of a connection (0: none).
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds a request head (0: 1 MiB); a longer one
	// is answered 431.
	MaxHeaderBytes int
	// ErrorLog receives the server's own complaints (nil: the log
	// package's logger).
	ErrorLog *log.Logger
	// PassMalformed hands the handler requests net/http refuses for
	// what the handler can answer itself: a missing Host on HTTP/1.1, a
	// Host that is not a host name, repeated Host fields (joined with
	// ", " into one), a request-target that is not a URL (the request's
	// URL then has it as its Path; RequestURI is the target as sent),
	// an Expect other than 100-continue (which the handler answers 417),
	// framing Apache refuses: a Content-Length that is not one number
	// (fields that differ, or repeat, or a value not a number) or a
	// Transfer-Encoding whose last coding is not chunked. Such a request
	// keeps those fields as sent, has no body, and its connection closes
	// after the answer: nothing after the head is read. A
	// Transfer-Encoding that ends in chunked ("gzip, chunked", chunked
	// twice) is then a chunked body, as Apache reads it, with the fields
	// as sent as the request's TransferEncoding. Up to ten empty lines
	// before any request line are skipped, as Apache skips them (where
	// net/http skips a few line ends after a POST only).
	PassMalformed bool
	// BadLine, when set, answers a request line that cannot be read
	// as one (nil: net/http's plain-text 400), and a header field line
	// that cannot (field, the line as received; "" for a bad request
	// line). Its request has the line's first word as Method, its
	// second (if any) as RequestURI and URL path, HTTP/1.0 as protocol,
	// no header field and no body; the connection closes after the
	// answer.
	BadLine func(w http.ResponseWriter, r *http.Request, line, field string)
	// RefuseBareLF, when set, is asked once per connection whether a
	// line end of a bare LF (no CR) in its request heads is refused, as
	// Apache's default HttpProtocolOptions Strict refuses it (nil: never,
	// as net/http). A request line so ended goes to BadLine with its LF;
	// a header field line so ended, with its request line, to BadLine
	// as the field (the connection closes after either answer). Only
	// the first 4 KiB of a head (the connection's read buffer) are
	// looked at.
	RefuseBareLF func(net.Conn) bool
	// StatusLine11 answers every request with an HTTP/1.1 status line,
	// an HTTP/1.0 request too, as Apache does (the framing stays
	// HTTP/1.0's); without it the line says the request's version, as
	// net/http's. A handler may ask for HTTP/1.0 (AnswerHTTP10).
	StatusLine11 bool
	// KeepNotModifiedType sends the Content-Type field a handler left on
	// a 304 answer, as Apache sends one a Header directive set (its
	// http_header filter drops only the request's content type); without
	// it a 304 drops the field, as net/http's.
	KeepNotModifiedType bool
	// StatusText, when set, gives the reason phrase of a status line
	// whose handler gave none (SetStatusText); "" for a code it does
	// not know leaves net/http's.
	StatusText func(code int) string
	// HTTP2, when set, serves the connections that open with the
	// HTTP/2 preface; the connection replays what was read of it.
	HTTP2 func(net.Conn)

	inShutdown atomic.Bool
	mu         sync.Mutex
	listeners  map[*net.Listener]struct{}
	conns      map[*conn]struct{}
	done       chan struct{}
	dates      atomic.Pointer[dateStamp]
}

// ErrServerClosed is what Serve returns after Shutdown or Close.
var ErrServerClosed = http.ErrServerClosed

// Serve accepts connections on ln and serves each in its own goroutine,
// until ln fails or the server is shut down.
func (s *Server) Serve(ln net.Listener) error {
	if !s.track(&ln, true) {
		return ErrServerClosed
	}
	defer func() {
		s.track(&ln, false)
		ln.Close()
	}()
	base := s.BaseContext
	if base == nil {
		base = context.Background()
	}
	var delay time.Duration
	for {
		rw, err := ln.Accept()
		if err != nil {
			if s.shuttingDown() {
				return ErrServerClosed
			}
			// EMFILE, ENFILE and the like pass: the server goes on
			// serving the connections it has.
			var te interface{ Temporary() bool }
			if errors.As(err, &te) && te.Temporary() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.logf("http: Accept error: %v; retrying in %v", err, delay)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		ctx := context.WithValue(base, http.LocalAddrContextKey, rw.LocalAddr())
		if s.ConnContext != nil {
			ctx = s.ConnContext(ctx, rw)
		}
		c := &conn{srv: s, rwc: rw, newAt: time.Now().UnixNano()}
		if !s.remember(c) {
			rw.Close()
			return ErrServerClosed
		}
		c.setState(http.StateNew)
		go c.serve(ctx)
	}
}

func (s *Server) track(ln *net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listeners == nil {
		s.listeners = map[*net.Listener]struct{}{}
	}
	if add {
		if s.shuttingDown() {
			return false
		}
		s.listeners[ln] = struct{}{}
	} else {
		delete(s.listeners, ln)
	}
	return true
}

func (s *Server) remember(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shuttingDown() {
		return false
	}
	if s.conns == nil {
		s.conns = map[*conn]struct{}{}
	}
	s.conns[c] = struct{}{}
	return true
}

func (s *Server) forget(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

func (s *Server) shuttingDown() bool { return s.inShutdown.Load() }

// doKeepAlives is false once the server shuts down: answers then close
// their connections.
func (s *Server) doKeepAlives() bool { return !s.shuttingDown() }

func (s *Server) maxHeaderBytes() int {
	if s.MaxHeaderBytes > 0 {
		return s.MaxHeaderBytes
	}
	return http.DefaultMaxHeaderBytes
}

func (s *Server) logf(format string, args ...any) {
	if s.ErrorLog != nil {
		s.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

// Shutdown stops accepting, closes idle connections and waits for the
// others to finish their requests, until ctx is done (then it returns
// ctx's error and leaves them to Close).
func (s *Server) Shutdown(ctx context.Context) error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	err := s.closeListeners()
	s.mu.Unlock()
	const maxPoll = 500 * time.Millisecond
	poll := time.Millisecond
	t := time.NewTimer(poll)
	defer t.Stop()
	for {
		if s.closeIdle() {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			poll = min(2*poll, maxPoll)
			t.Reset(poll)
		}
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	s.inShutdown.Store(true)
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.closeListeners()
	for c := range s.conns {
		c.rwc.Close()
		delete(s.conns, c)
	}
	return err
}

func (s *Server) closeListeners() error {
	var err error
	for ln := range s.listeners {
		if e := (*ln).Close(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// closeIdle closes the connections waiting for a request and reports
// whether none is left.
func (s *Server) closeIdle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	quiet := true
	for c := range s.conns {
		st := http.ConnState(c.state.Load())
		if st == http.StateNew && time.Since(time.Unix(0, c.newAt)) > 5*time.Second {
			st = http.StateIdle // never sent a request
		}
		if st == http.StateIdle {
			c.rwc.Close()
			delete(s.conns, c)
			continue
		}
		quiet = false
	}
	return quiet
}

// dateStamp is a Date field value and the second it is for.
type dateStamp struct {
	sec  int64
	text []byte
}

// date appends the Date field's value for now to b (formatted once a
// second).
func (s *Server) date(b []byte) []byte {
	now := time.Now()
	if d := s.dates.Load(); d != nil && d.sec == now.Unix() {
		return append(b, d.text...)
	}
	d := &dateStamp{sec: now.Unix(), text: now.UTC().AppendFormat(nil, http.TimeFormat)}
	s.dates.Store(d)
	return append(b, d.text...)
}
