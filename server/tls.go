package server

import (
	"crypto/tls"
	"net"
)

// tlsListener makes the connections whose base server has SSLEngine on
// TLS connections (the handshake runs in the goroutine serving each, as
// net/http starts it), with the certificates of the current
// configuration: a graceful restart serves new connections with the
// certificates it loaded.
type tlsListener struct {
	net.Listener
	s *Server
}

func (s *Server) tlsListener(ln net.Listener) net.Listener { return &tlsListener{ln, s} }

func (l *tlsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	if cfg := l.s.current.Load().handler.Table.TLSConfig(connAddr(c.LocalAddr())); cfg != nil {
		return tls.Server(c, cfg), nil
	}
	return c, nil
}
