package server

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/proxyproto"
	"github.com/gowsgid/gowsgid/vhost"
)

// proxyListener wraps ln so that connections RemoteIPProxyProtocol
// names start with a PROXY header. The current configuration decides
// for each connection, so a graceful restart that turns the setting on
// or off applies to the next connection on a kept listener.
func (s *Server) proxyListener(ln net.Listener) net.Listener {
	return &proxyproto.Listener{Listener: ln, Expect: s.expectsProxyHeader, Refused: s.proxyHeaderRefused}
}

func (s *Server) expectsProxyHeader(local, peer netip.AddrPort) bool {
	pp := &s.current.Load().handler.Table.Config.ProxyProtocol
	if len(pp.Enabled) == 0 {
		return false
	}
	return pp.Expects(local.Addr().AsSlice(), int(local.Port()), peer.Addr().AsSlice())
}

// proxyHeaderRefused logs mod_remoteip's error for a refused header;
// the connection is then closed without an answer, as Apache closes it.
func (s *Server) proxyHeaderRefused(c *proxyproto.Conn, err error) {
	var pe *proxyproto.Error
	if !errors.As(err, &pe) || pe.Msg == "" {
		return
	}
	msg := pe.Msg
	client := c.RemoteAddr().String()
	if ap, err := netip.ParseAddrPort(client); err == nil {
		client = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()).String()
	}
	s.log.ClientStatus("error", "remoteip", pe.Status, client, msg)
}

// proxiedClient finds the PROXY header connection under c (a TLS
// connection, for one) and gives the request handler its client.
func proxiedClient(ctx context.Context, c net.Conn) context.Context {
	for c != nil {
		if pc, ok := c.(*proxyproto.Conn); ok {
			return vhost.WithProxiedClient(ctx, pc.Client)
		}
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		c = u.NetConn()
	}
	return ctx
}

// logStartupNotices writes the notices modules log when a configuration
// takes effect.
func (s *Server) logStartupNotices(cfg *confparse.Config) {
	s.logProxyProtocol(cfg)
	s.logSSLEngineOptional(cfg)
}

// logSSLEngineOptional writes mod_ssl's notice for each server with
// SSLEngine optional: Apache 2.4.71 no longer upgrades connections to
// TLS (RFC 2817) and serves such a server as if it were off, as
// gowsgid does.
func (s *Server) logSSLEngineOptional(cfg *confparse.Config) {
	if !cfg.Tree.IsLoaded("mod_ssl.c") {
		return
	}
	for _, srv := range append([]*confparse.Server{cfg.Main}, cfg.VirtualHosts...) {
		if srv != nil && srv.SSL.Engine == "optional" {
			s.log.Notice("ssl", "AH10510: 'SSLEngine optional' is no longer supported")
		}
	}
}

// logProxyProtocol writes mod_remoteip's start-up notices: where PROXY
// headers are expected and where not.
func (s *Server) logProxyProtocol(cfg *confparse.Config) {
	for _, a := range cfg.ProxyProtocol.Enabled {
		s.log.Notice("remoteip", "AH03492: RemoteIPProxyProtocol: enabled on "+a.String())
	}
	for _, a := range cfg.ProxyProtocol.Disabled {
		s.log.Notice("remoteip", "AH03494: RemoteIPProxyProtocol: disabled on "+a.String())
	}
}
