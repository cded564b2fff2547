package vhost

import (
	"net"

	"github.com/gowsgid/gowsgid/authz"
)

// AuthzAccess is the AccessChecker of mod_access_compat, mod_auth_basic
// and mod_authz_* (package authz).
type AuthzAccess struct {
	Checker *authz.Checker
}

// CheckAccess implements AccessChecker.
func (a AuthzAccess) CheckAccess(r *Request) AccessResult {
	if a.Checker.AlwaysGranted(r.Dir) {
		return AccessResult{} // "Require all granted": nothing to ask
	}
	// copy_uri_components: the port the request was for is the Host
	// header's (kept in r->parsed_uri), else ap_get_server_port.
	port := r.serverPort()
	if r.HostPort != 0 {
		port = r.HostPort
	}
	ar := &authz.Request{
		Method:           r.Method,
		URI:              r.URI,
		Filename:         r.Filename,
		RequestURI:       r.HTTP.RequestURI,
		ServerName:       r.serverName(),
		ServerPort:       port,
		DefaultPort:      r.defaultPort(),
		Time:             r.Start,
		SubRequest:       r.depth > 0,
		InternalRedirect: r.replaced() != nil,
		ClientMethod:     r.HTTP.Method,
		RemoteIP:         net.IP(r.Remote.Addr().Unmap().AsSlice()),
		RemotePort:       int(r.Remote.Port()),
		LocalIP:          net.IP(r.Local.Addr().Unmap().AsSlice()),
		Header:           r.HTTP.Header,
		Env:              r.Env.Get,
		Expr:             exprContext{r},
		Ctx:              r.HTTP.Context(),
		Origin:           r,
		TLS:              r.HTTP.TLS,
		SSLServerOptions: r.Host.sslOptions,
	}
	if cs := r.HTTP.TLS; cs != nil && len(cs.PeerCertificates) > 0 {
		ar.ClientDN = func() string { return onelineDN(cs.PeerCertificates[0]) }
		ar.ClientVerified = func() bool { return r.clientVerify() == "SUCCESS" }
	}
	res := a.Checker.Check(r.Dir, ar)
	out := AccessResult{Status: res.Status, User: res.User, HasUser: res.HasUser, AuthType: res.AuthType, Header: res.Header,
		AuthInfo: res.AuthInfo}
	for _, l := range res.Logs {
		out.Logs = append(out.Logs, AccessLog{Level: l.Level, Module: l.Module, Message: l.Message})
	}
	return out
}
