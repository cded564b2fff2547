package vhost

import (
	"strconv"
	"strings"
)

// exprContext gives ap_expr expressions (<If>, Require expr) the
// request's variables, as util_expr_eval.c's request_var_fn does.
type exprContext struct{ r *Request }

func (c exprContext) Var(name string) (string, bool) {
	r := c.r
	switch name {
	case "REQUEST_METHOD":
		return r.Method, true
	case "REQUEST_SCHEME":
		return r.Scheme, true
	case "REQUEST_URI":
		return r.URI, true
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		return r.Filename, true
	case "REMOTE_HOST":
		return r.remoteName(), true
	case "REMOTE_ADDR":
		return r.Remote.Addr().Unmap().String(), true
	case "REMOTE_PORT":
		return strconv.Itoa(int(r.Remote.Port())), true
	case "REMOTE_USER":
		return r.User, true
	case "SERVER_ADMIN":
		return r.Host.Admin, true
	case "SERVER_NAME":
		return r.serverName(), true
	case "SERVER_PORT":
		return strconv.Itoa(r.serverPort()), true
	case "SERVER_PROTOCOL":
		return r.HTTP.Proto, true
	case "PATH_INFO":
		return r.PathInfo, true
	case "QUERY_STRING":
		return r.Args, true
	case "IS_SUBREQ":
		if r.depth > 0 {
			return "true", true
		}
		return "false", true
	case "DOCUMENT_ROOT":
		return r.Host.DocumentRoot, true
	case "AUTH_TYPE":
		return r.AuthType, true
	case "THE_REQUEST":
		return requestLine(r), true
	case "CONTENT_TYPE":
		return r.ContentType, true
	case "HANDLER":
		return r.Handler, true
	case "CONTEXT_PREFIX":
		return r.ContextPrefix, true
	case "CONTEXT_DOCUMENT_ROOT":
		if r.ContextDocumentRoot == "" {
			return r.Host.DocumentRoot, true
		}
		return r.ContextDocumentRoot, true
	case "HTTPS":
		// The connection's (ssl_is_https), also for a host without
		// SSLEngine that SNI chose.
		if r.HTTP.TLS != nil {
			return "on", true
		}
		return "off", true
	case "HTTP2":
		// mod_http2's h2_is_h2 for the connection (a stream's
		// secondary connection, h2c upgrade included).
		if r.HTTP.ProtoMajor == 2 {
			return "on", true
		}
		return "off", true
	case "CONN_REMOTE_ADDR":
		// The connection's peer (c->client_ip), which no header changes.
		return r.Peer.Addr().Unmap().String(), true
	case "REQUEST_STATUS":
		// r->status is 200 "until further notice".
		return strconv.Itoa(r.OriginalStatus()), true
	}
	if len(name) >= 4 && strings.EqualFold(name[:4], "SSL_") {
		return r.sslVar(name), true
	}
	return "", false
}

// Header is a field of headers_in: Host and Transfer-Encoding too, and
// repeated fields joined, as Apache's table holds them.
func (c exprContext) Header(name string) string {
	v, _ := requestHeader(c.r.HTTP, name)
	return v
}

// RespHeader is a response header once the response is sent (an access
// log's expr= condition); before, none is set.
func (c exprContext) RespHeader(name string) string {
	if resp := c.r.Response; resp != nil && resp.Status != 0 {
		return getFold(resp.Header(), name)
	}
	return ""
}

func (c exprContext) Env(name string) (string, bool) {
	return c.r.Env.Get(name)
}

func (c exprContext) Note(name string) (string, bool) {
	v, ok := c.r.Note(name)
	return v, ok
}
