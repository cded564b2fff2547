package server

import (
	"crypto/tls"
	"net"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/proxyproto"
)

// tlsListener makes the connections whose base server has SSLEngine on
// TLS connections (the handshake runs in the goroutine serving each, as
// net/http starts it), with the certificates of the current
// configuration: a graceful restart serves new connections with the
// certificates it loaded.
func (s *Server) tlsListener(ln net.Listener) net.Listener {
	return &wrapListener{ln, func(c net.Conn) net.Conn {
		logf := func(level string, srv *confparse.Server, msg string) {
			s.log.ServerClient(level, "ssl", srv, clientOf(c), msg)
		}
		if cfg := s.current.Load().handler.Table.TLSConfig(proxyproto.AddrPort(c.LocalAddr()), logf); cfg != nil {
			return tls.Server(c, cfg)
		}
		return c
	}}
}
