package server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
)

// gowsgid runs the TLS handshake of its connections itself and gives
// net/http the plaintext, as Apache's filters give the HTTP parser what
// mod_ssl decrypted. The read timing (reqtimeout) then sits above TLS:
// it sees the request head, so a head that times out is answered with
// a 408 through TLS as Apache answers it. A client that speaks plain
// HTTP to the TLS port gets Apache's 400 instead of net/http's.

// tlsConn is a server-side TLS connection served to net/http as a plain
// one. Its handshake runs at the first Read, in the goroutine net/http
// serves the connection in.
type tlsConn struct {
	*tls.Conn
	// raw is the connection under TLS.
	raw net.Conn
	// onHandshake, when set, runs once the handshake succeeded (the read
	// timing stops for HTTP/2).
	onHandshake func(tls.ConnectionState)
	// onFailure, when set, learns why a handshake failed, with the
	// name the client's SNI gave.
	onFailure func(err error, serverName string)

	once sync.Once
	err  error
	// plain is what the connection reads when the client spoke plain
	// HTTP. Only Read uses it.
	plain io.Reader
	// mode is what the handshake found (modeTLS, modePlain), for the
	// methods other goroutines call; state is the TLS connection's.
	mode  atomic.Int32
	state atomic.Pointer[tls.ConnectionState]
}

// The modes of a tlsConn once its handshake ended.
const (
	modePending int32 = iota
	modeTLS
	modePlain
	modeFailed
)

// newTLSConn starts the server side of TLS on c.
func newTLSConn(c net.Conn, cfg *tls.Config) *tlsConn {
	return &tlsConn{Conn: tls.Server(c, cfg), raw: c}
}

func (c *tlsConn) handshake() {
	c.once.Do(func() {
		err := c.Conn.Handshake()
		var rhe tls.RecordHeaderError
		if errors.As(err, &rhe) && rhe.Conn != nil && looksLikeHTTP(rhe.RecordHeader[:]) {
			// mod_ssl reads no more of it: the request Apache answers
			// is this line of its own, with no header.
			c.plain = io.MultiReader(strings.NewReader(httpOnHTTPSPort), discardReader{c.raw})
			c.mode.Store(modePlain)
			return
		}
		if err != nil {
			c.err = err
			c.mode.Store(modeFailed)
			if c.onFailure != nil {
				c.onFailure(err, c.Conn.ConnectionState().ServerName)
			}
			return
		}
		cs := c.Conn.ConnectionState()
		c.state.Store(&cs)
		c.mode.Store(modeTLS)
		if c.onHandshake != nil {
			c.onHandshake(cs)
		}
	})
}

// Read reads plaintext, after the handshake.
func (c *tlsConn) Read(p []byte) (int, error) {
	c.handshake()
	switch {
	case c.plain != nil:
		return c.plain.Read(p)
	case c.err != nil:
		return 0, c.err
	}
	return c.Conn.Read(p)
}

// Write writes through TLS, or plainly to a client that spoke plain
// HTTP.
func (c *tlsConn) Write(p []byte) (int, error) {
	if c.mode.Load() == modePlain {
		return c.raw.Write(p)
	}
	return c.Conn.Write(p)
}

// Close closes the connection; a TLS one with its close_notify alert.
func (c *tlsConn) Close() error {
	if c.mode.Load() == modePlain {
		return c.raw.Close()
	}
	return c.Conn.Close()
}

// CloseWrite ends the sending side (with close_notify over TLS).
func (c *tlsConn) CloseWrite() error {
	if c.mode.Load() == modeTLS {
		if err := c.Conn.CloseWrite(); err != nil {
			return err
		}
	}
	if cw, ok := innermost(c.raw).(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// NetConn is the connection under TLS.
func (c *tlsConn) NetConn() net.Conn { return c.raw }

// connectionState is the TLS state once the handshake succeeded, nil
// before and for a client that spoke plain HTTP.
func (c *tlsConn) connectionState() *tls.ConnectionState { return c.state.Load() }

// spokePlain reports whether the client spoke plain HTTP to the port.
func (c *tlsConn) spokePlain() bool { return c.mode.Load() == modePlain }

// httpOnHTTPSPort is the request mod_ssl hands Apache's HTTP parser in
// place of a plain HTTP request on a TLS port (HTTP_ON_HTTPS_PORT).
const httpOnHTTPSPort = "GET / HTTP/1.0\r\n\r\n"

// looksLikeHTTP is net/http's test for a TLS record header that is the
// start of an HTTP request.
func looksLikeHTTP(b []byte) bool {
	if len(b) < 5 {
		return false
	}
	switch string(b[:5]) {
	case "GET /", "HEAD ", "POST ", "PUT /", "OPTIO":
		return true
	}
	return false
}

// discardReader reads and drops what the client still sends after its
// plain request, so that the stand-in request is not cut short by an end
// of stream (net/http would cancel it); it ends when the client does.
type discardReader struct{ r io.Reader }

func (d discardReader) Read(p []byte) (int, error) {
	for {
		if _, err := d.r.Read(p); err != nil {
			return 0, err
		}
	}
}

// tlsKey is the context key of a connection's tlsConn.
type tlsKey struct{}

// withTLS gives the requests of a connection its tlsConn.
func withTLS(ctx context.Context, c *tlsConn) context.Context {
	return context.WithValue(ctx, tlsKey{}, c)
}

// tlsFrom is the tlsConn of a request's connection; nil for a
// connection gowsgid did not set TLS up on.
func tlsFrom(ctx context.Context) *tlsConn {
	c, _ := ctx.Value(tlsKey{}).(*tlsConn)
	return c
}
