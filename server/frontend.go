package server

import (
	"net"
	"net/http"
	"sync"
)

// handoff is the listener of the net/http server that takes over the
// connections internal/http1 found to speak HTTP/2.
type handoff struct {
	addr  net.Addr
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newHandoff(addr net.Addr) *handoff {
	return &handoff{addr: addr, conns: make(chan net.Conn), done: make(chan struct{})}
}

// give hands c over, or closes it when the listener is closed.
func (h *handoff) give(c net.Conn) {
	select {
	case h.conns <- c:
	case <-h.done:
		c.Close()
	}
}

func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

func (h *handoff) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

func (h *handoff) Addr() net.Addr { return h.addr }

// serveBadLine answers a request line internal/http1 could not read, as
// Apache does: the connection's server's 400 page, logged.
func (s *Server) serveBadLine(w http.ResponseWriter, r *http.Request, line, field string) {
	g := s.current.Load()
	for !g.enter() {
		g = s.current.Load()
	}
	defer g.leave()
	if tc := tlsFrom(r.Context()); tc != nil && !tc.spokePlain() {
		if cs := tc.connectionState(); cs != nil {
			r.TLS = cs
		}
	}
	g.handler.ServeBadLine(w, r, line, field)
}
