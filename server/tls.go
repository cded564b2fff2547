package server

import (
	"crypto/tls"
	"net"
	"slices"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/proxyproto"
	"github.com/gowsgid/gowsgid/internal/reqtimeout"
)

// tlsListener makes the connections whose base server has SSLEngine on
// TLS connections, served to net/http as plain ones (see tlsConn), with
// the certificates of the current configuration: a graceful restart
// serves new connections with the certificates it loaded.
// h2 says whether the listener's http.Server can serve HTTP/2 on the
// decrypted stream; when it cannot (a graceful restart turned h2 on for
// a port that was open without), h2 is not offered in the handshake.
func (s *Server) tlsListener(ln net.Listener, h2 bool) net.Listener {
	return &wrapListener{ln, func(c net.Conn) net.Conn {
		logf := func(level string, srv *confparse.Server, msg string) {
			s.log.ServerClient(level, "ssl", srv, clientOf(c), msg)
		}
		table := s.current.Load().handler.Table
		local := proxyproto.AddrPort(c.LocalAddr())
		cfg := table.TLSConfig(local, logf)
		if cfg == nil {
			return c
		}
		if !h2 {
			forHost := cfg.GetConfigForClient
			cfg.GetConfigForClient = func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
				hc, err := forHost(hello)
				if hc != nil {
					hc.NextProtos = slices.DeleteFunc(slices.Clone(hc.NextProtos), func(p string) bool { return p == "h2" })
				}
				return hc, err
			}
		}
		// TLS writes its records to the socket: each wait under Timeout,
		// as for a plain connection (reqtimeout.Conn sits above TLS).
		tc := newTLSConn(reqtimeout.TimeWrites(c, s.current.Load().timeout), cfg)
		tc.onFailure = func(err error, serverName string) { table.HandshakeFailed(local, serverName, err, logf) }
		return tc
	}}
}

// h2OverTLS reports whether the TLS connections of a listener may speak
// HTTP/2 (mod_http2 loaded, a host on its port offering h2): net/http
// then serves the decrypted stream as HTTP/2 when it starts with the
// HTTP/2 preface.
func (s *Server) h2OverTLS(ln net.Listener) bool {
	if s.cfg.Tree == nil || !s.cfg.Tree.IsLoaded("mod_http2.c") {
		return false
	}
	return s.current.Load().handler.Table.HTTP2OverTLS(int(proxyproto.AddrPort(ln.Addr()).Port()))
}
