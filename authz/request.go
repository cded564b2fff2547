package authz

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/errlogfmt"
)

// Request is what the access checks need to know about a request.
type Request struct {
	// Method is the request method ("GET", "POST", ...). HEAD counts as
	// GET, as Apache gives both the method number M_GET.
	Method string
	// URI is the request's URL path (Apache's r->uri), used in log
	// messages.
	URI string
	// RequestURI is the request-target as the client sent it (Apache's
	// r->unparsed_uri), which a Digest uri attribute must match; "" means
	// URI.
	RequestURI string
	// ServerName is ap_get_server_name and ServerPort the port the
	// request was for (the Host header's, else ap_get_server_port), for
	// a Digest uri attribute that names a host.
	ServerName string
	ServerPort int
	// DefaultPort is ap_default_port: 443 on a TLS connection, 80
	// otherwise (0 means 80). A Digest uri attribute that names a host
	// without a port must be for a request on it.
	DefaultPort int
	// ClientMethod is the method of the client's request, which a Digest
	// response hashes even in a sub-request (a GET); "" means Method.
	ClientMethod string
	// SubRequest marks a sub-request (Apache's r->main is set) and
	// InternalRedirect a request an internal redirect made (r->prev is
	// set): either is not the initial request (ap_is_initial_req), to
	// which mod_auth_digest alone adds Authentication-Info and mod_ssl
	// fakes Basic credentials. A subrequest or internal redirect that is
	// checked at all has its Digest nonce count and one-time nonce
	// checked as the initial request's are.
	SubRequest       bool
	InternalRedirect bool
	// Time is when the request was read (r->request_time), for Digest
	// nonces; zero means the time of the check.
	Time time.Time
	// Filename is the file the URI maps to (r->filename), used in the
	// "client denied" messages; when empty they name "uri URI" instead.
	Filename string
	// RemoteIP is the client's address (Apache's useragent_addr) and
	// RemotePort its port (only used for LogLine formatting).
	RemoteIP   net.IP
	RemotePort int
	// LocalIP is the server address the connection came in on, for
	// Require local.
	LocalIP net.IP
	// Header holds the request headers; Authorization is read from it.
	// Repeated headers are joined with ", " as Apache does.
	Header http.Header
	// Env looks up a variable of the request environment (SetEnvIf,
	// SetEnv, RewriteRule [E=]) for Require env and Allow/Deny from env=.
	// Lookups should be case-insensitive, like APR tables. nil means an
	// empty environment.
	Env func(name string) (string, bool)
	// Expr is the context Require expr and the string expressions of
	// Require user/group/host/forward-dns, AuthType and AuthName are
	// evaluated in. REMOTE_USER and AUTH_TYPE are always answered by the
	// Checker (the user is only known during the check). When nil, a
	// minimal context built from the fields above is used.
	Expr apexpr.Context
	// Ctx bounds the DNS lookups of Require host, Require forward-dns and
	// Allow/Deny from a host name; nil means context.Background().
	Ctx context.Context
	// TLS is the state of the request's TLS connection, nil for a
	// cleartext one (mod_ssl's access checks and Require providers).
	TLS *tls.ConnectionState
	// SSLServerOptions are the server's SSLOptions words, which a
	// directory's SSLOptions modify.
	SSLServerOptions []string
	// ClientDN is the subject of the client's certificate as OpenSSL's
	// X509_NAME_oneline prints it ("/O=Example/CN=alice"), the user
	// name SSLOptions +FakeBasicAuth fakes; nil without one.
	ClientDN func() string
	// ClientVerified reports whether the client's certificate verified
	// (SSL_CLIENT_VERIFY SUCCESS); nil: whether the handshake verified a
	// chain.
	ClientVerified func() bool
	// Origin is the caller's own request, handed to the Scripts hooks
	// (which build the hook's environ from it).
	Origin any
}

// ClientAddr returns "ip:port", the client part of Apache's error log
// prefix ("[client 127.0.0.1:58744]").
func (r *Request) ClientAddr() string {
	return net.JoinHostPort(ipString(r.RemoteIP), strconv.Itoa(r.RemotePort))
}

func ipString(ip net.IP) string {
	if ip == nil {
		return ""
	}
	if v4 := ip.To4(); v4 != nil {
		return v4.String()
	}
	return ip.String()
}

// Result is the outcome of Checker.Check.
type Result struct {
	// Status is 0 when access is granted, else the HTTP status Apache
	// answers with: 401, 403 or 500.
	Status int
	// User is r->user: the user named by the client's Basic credentials
	// ("" when none were checked). With Status 0 it is the authenticated
	// user (REMOTE_USER); on a 401 it is the rejected name, which Apache's
	// access log (%u) still shows.
	User string
	// HasUser tells a user named "" (Basic credentials ":") from none:
	// the access log shows "" for the first, - for the second.
	HasUser bool
	// AuthType is the authentication scheme that authenticated the user
	// (r->ap_auth_type, AUTH_TYPE), e.g. "Basic"; "" when none ran.
	AuthType string
	// AuthInfo is the Authentication-Info header mod_auth_digest adds to
	// the response of a request it authenticated ("" for none).
	AuthInfo string
	// Header holds the headers Apache puts on the error response:
	// WWW-Authenticate on a 401 that asks for credentials.
	Header http.Header
	// Vary lists the request headers the Require expr expressions read;
	// Apache merges them into the Vary header of the response.
	Vary []string
	// Logs are the error log messages Apache writes for this check, in
	// order, at every level (debug included); filter them by LogLevel.
	Logs []LogLine
}

// Granted reports whether access is granted.
func (r Result) Granted() bool { return r.Status == 0 }

// LogLine is one error log message.
type LogLine struct {
	// Module is the short module name Apache prints ("authz_core",
	// "access_compat", "auth_basic", "authn_file", "authz_groupfile",
	// "authz_host", "authz_user", "authn_core", "core").
	Module string
	// Level is Apache's level name: "error", "warn", "info" or "debug".
	Level string
	// Message is the text after the client prefix, e.g. "AH01630: client
	// denied by server configuration: /srv/www/x". A system error is
	// prefixed as Apache prints it: "(2)No such file or directory: AH01620:
	// ...".
	Message string
	// Server is true for messages Apache logs without request context
	// (no "[client ...]" part).
	Server bool
}

// Format renders the line in Apache's default ErrorLogFormat:
// "[Sun Nov 22 03:13:42.888677 2026] [authz_core:error] [pid 1:tid 2]
// [client 127.0.0.1:58744] AH01630: ...". client is Request.ClientAddr().
func (l LogLine) Format(t time.Time, pid, tid int, client string) string {
	info := errlogfmt.Info{Time: t, Level: errlogfmt.LevelOf(l.Level), Module: l.Module, PID: pid, TID: tid,
		Message: l.Message}
	if !l.Server && client != "" {
		info.Conn = &errlogfmt.Conn{ClientIP: client}
		if i := strings.LastIndexByte(client, ':'); i >= 0 {
			info.Conn.ClientIP = client[:i]
			info.Conn.ClientPort, _ = strconv.Atoi(client[i+1:])
		}
	}
	b, _ := errlogfmt.Append(nil, nil, &info)
	return string(b)
}

// Levels of LogLine.
const (
	LevelError = "error"
	LevelWarn  = "warn"
	LevelInfo  = "info"
	LevelDebug = "debug"
)
