package server

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"

	"golang.org/x/net/http2"

	"github.com/gowsgid/gowsgid/internal/http1"
	"github.com/gowsgid/gowsgid/internal/reqtimeout"
	"github.com/gowsgid/gowsgid/vhost"
)

// upgradeH2C switches the cleartext connection of a request that asked
// for h2c to HTTP/2, as mod_http2 does: the 101 answer, then the request
// is served again as the connection's stream 1 (an HTTP/2.0 request, in
// the access log too), and the connection stays HTTP/2 until it closes.
// The session itself runs after the request (ServeHTTP).
// It is false, with nothing sent, when the settings the client sent
// cannot be read or the connection cannot be taken over.
func (s *Server) upgradeH2C(w http.ResponseWriter, r *http.Request) bool {
	settings, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(r.Header.Get("Http2-Settings"), "="))
	if err != nil || len(settings)%6 != 0 {
		return false
	}
	hs, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if hs == nil {
		return false
	}
	conn, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	rc := reqtimeout.FromContext(r.Context())
	if rc != nil {
		rc.Untime() // HTTP/2's streams do not follow HTTP/1's cycle
	}
	_, err = io.WriteString(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")
	if err == nil {
		err = rw.Flush()
	}
	if err != nil {
		conn.Close()
		return true
	}
	// Stream 1 is the request as HTTP/2 has it: without the hop-by-hop
	// fields of the upgrade, and first of the requests the session
	// counts.
	ctx := vhost.WithConnection(http1.WithoutFieldNames(r.Context()))
	up := r.Clone(ctx)
	up.Proto, up.ProtoMajor, up.ProtoMinor = "HTTP/2.0", 2, 0
	for _, h := range []string{"Connection", "Upgrade", "Http2-Settings", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding"} {
		up.Header.Del(h)
	}
	up.Body = http.NoBody
	session := func() {
		s.h2cConns.Store(conn, nil)
		defer s.h2cConns.Delete(conn)
		defer conn.Close()
		s.h2c.ServeConn(&bufferedConn{Conn: conn, r: rw.Reader}, &http2.ServeConnOpts{
			Context:        ctx,
			BaseConfig:     hs,
			Handler:        s,
			UpgradeRequest: up,
			Settings:       settings,
		})
	}
	if rc == nil {
		session() // no way to hand it to ServeHTTP
		return true
	}
	// The session runs once the request let go of its worker (see
	// ServeHTTP), found by its connection.
	s.h2cSessions.Store(rc, session)
	return true
}

// bufferedConn reads what the hijacked connection's reader holds first.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
