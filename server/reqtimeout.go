package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/internal/proxyproto"
	"github.com/gowsgid/gowsgid/internal/reqtimeout"
)

// wrapListener is a listener whose connections pass through wrap as
// they are accepted.
type wrapListener struct {
	net.Listener
	wrap func(net.Conn) net.Conn
}

func (l *wrapListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	return l.wrap(c), nil
}

// timedListener times the reads of each connection it accepts: each
// read of a request under Timeout, and the request heads and bodies as
// RequestReadTimeout says for the connection's base server (checked for
// each connection, so a graceful restart applies to the next one).
func (s *Server) timedListener(ln net.Listener) net.Listener {
	return &wrapListener{ln, func(c net.Conn) net.Conn {
		g := s.current.Load()
		stage, ok := g.handler.Table.HeaderTimeout(proxyproto.AddrPort(c.LocalAddr()))
		tc, isTLS := c.(*tlsConn)
		// HTTP/2 is spoken where TLS chose it, or where the connection's
		// server allows it directly (H2Direct); net/http would take its
		// preface anywhere its listener allows HTTP/2.
		local := proxyproto.AddrPort(c.LocalAddr())
		refuse := func() bool {
			if isTLS {
				if cs := tc.connectionState(); cs != nil && cs.NegotiatedProtocol == "h2" {
					return false
				}
			}
			return !s.current.Load().handler.Table.DirectHTTP2(local, isTLS)
		}
		rc := reqtimeout.New(c, reqtimeout.Config{Header: stage, Stages: ok, Idle: g.timeout, KeepAlive: g.keepAliveTimeout, OnExpiry: s.readExpired,
			RefuseHTTP2: refuse})
		if isTLS {
			tc.onHandshake = func(cs tls.ConnectionState) {
				if cs.NegotiatedProtocol == "h2" {
					// HTTP/2's streams do not follow HTTP/1's cycle.
					rc.Untime()
				}
			}
		}
		return rc
	}}
}

// readExpired answers a request whose head or body ran out of time, as
// mod_reqtimeout and ap_read_request do: AH01382 in the error log of
// the connection's server (when a stage ran out; a read that waited
// Timeout logs nothing), then for a head a 408 when its request line
// had arrived (and an access log line for the connection's first
// request, even without a line). A body's reader gets the error.
func (s *Server) readExpired(c *reqtimeout.Conn, e reqtimeout.Expiry) {
	g := s.current.Load()
	for !g.enter() {
		g = s.current.Load()
	}
	defer g.leave()
	table := g.handler.Table
	base := table.Host(table.Addrs.ForConnection(proxyproto.AddrPort(c.LocalAddr())).Base)
	if !e.Timeout {
		s.log.ServerClient("info", "reqtimeout", base.Server, clientOf(c), "AH01382: Request "+e.Stage+" read timeout")
	}
	if e.Stage != "header" || !e.LineComplete && !e.First {
		return
	}
	if tc, ok := c.NetConn().(*tlsConn); ok && tc.connectionState() == nil && !tc.spokePlain() {
		return // the TLS handshake did not end: no request began
	}
	hr := headOnly(e.RequestLine)
	hr.RemoteAddr = c.RemoteAddr().String()
	ctx := context.WithValue(context.Background(), http.LocalAddrContextKey, c.LocalAddr())
	hr = hr.WithContext(s.connContext(ctx, c))
	w := &rawResponse{header: http.Header{}, head: hr.Method == "HEAD"}
	g.handler.ServeHeadTimeout(w, hr, e.LineAt)
	if e.LineComplete {
		conn := c.NetConn()
		conn.SetWriteDeadline(time.Now().Add(g.timeout))
		if _, err := conn.Write(w.bytes()); err == nil {
			lingerShortly(conn)
		}
	}
}

// lingerShortly is Apache's short lingering close after a request
// timed out: the sending side is shut, and what the client still sends
// is read and dropped for two seconds at most, so that closing does not
// reset the connection (and lose the answer) under unread data.
func lingerShortly(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite() // a TLS connection's says close_notify first
	} else if cw, ok := innermost(c).(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	io.Copy(io.Discard, c)
}

// headOnly is a request known by its request line only ("" for none).
func headOnly(line string) *http.Request {
	f := strings.Fields(line)
	f = append(f, "", "", "")
	hr := &http.Request{Method: f[0], RequestURI: f[1], Proto: f[2], Header: http.Header{}}
	if hr.Proto == "" && hr.Method != "" {
		hr.Proto = "HTTP/1.0"
	}
	hr.ProtoMajor, hr.ProtoMinor, _ = http.ParseHTTPVersion(hr.Proto)
	return hr
}

// clientOf is the client of a connection as Apache's error log names
// it: the peer, or the client a PROXY header relays.
func clientOf(c net.Conn) string {
	client := proxyproto.AddrPort(c.RemoteAddr())
	for inner := net.Conn(c); inner != nil; {
		if pc, ok := inner.(*proxyproto.Conn); ok {
			if ap, ok := pc.Client(); ok {
				client = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
			}
			break
		}
		u, ok := inner.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		inner = u.NetConn()
	}
	return client.String()
}

// rawResponse is a response written straight to a connection net/http
// no longer serves: one HTTP/1.1 message that closes it.
type rawResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
	head   bool
}

func (w *rawResponse) Header() http.Header { return w.header }

func (w *rawResponse) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *rawResponse) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.head {
		return len(p), nil
	}
	return w.body.Write(p)
}

// bytes is the message: status line, header (with its Content-Length
// and Connection: close), body.
func (w *rawResponse) bytes() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "HTTP/1.1 %d %s\r\n", w.status, http.StatusText(w.status))
	if _, ok := w.header["Content-Length"]; !ok && !w.head {
		w.header.Set("Content-Length", strconv.Itoa(w.body.Len()))
	}
	w.header.Set("Connection", "close")
	w.header.Write(&b)
	b.WriteString("\r\n")
	b.Write(w.body.Bytes())
	return b.Bytes()
}
