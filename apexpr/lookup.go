package apexpr

import (
	"strings"

	"github.com/gowsgid/gowsgid/internal/apr"
)

// This file mirrors core_expr_lookup and expr_lookup_not_found of
// util_expr_eval.c: the variables, functions and operators that core
// Apache httpd 2.4 provides, and the messages for unknown names.

type varKind int

const (
	varMisc varKind = iota
	varHeader
	varRequest
	varConn
)

type varInfo struct {
	kind varKind
	name string // canonical (upper case) name
	// header is the request header read by HTTP_* variables.
	header string
}

// Variable names by provider, in core_expr_lookup order.
var (
	miscVarNames = []string{
		"TIME_YEAR", "TIME_MON", "TIME_DAY", "TIME_HOUR", "TIME_MIN",
		"TIME_SEC", "TIME_WDAY", "TIME", "SERVER_SOFTWARE", "API_VERSION",
	}
	reqHeaderVarNames = []string{
		"HTTP_USER_AGENT", "HTTP_PROXY_CONNECTION", "HTTP_REFERER",
		"HTTP_COOKIE", "HTTP_FORWARDED", "HTTP_HOST", "HTTP_ACCEPT",
	}
	reqHeaderHeaderNames = []string{
		"User-Agent", "Proxy-Connection", "Referer", "Cookie", "Forwarded",
		"Host", "Accept",
	}
	requestVarNames = []string{
		"REQUEST_METHOD", "REQUEST_SCHEME", "REQUEST_URI", "REQUEST_FILENAME",
		"REMOTE_HOST", "REMOTE_IDENT", "REMOTE_USER", "SERVER_ADMIN",
		"SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL", "SCRIPT_FILENAME",
		"PATH_INFO", "QUERY_STRING", "IS_SUBREQ", "DOCUMENT_ROOT",
		"AUTH_TYPE", "THE_REQUEST", "CONTENT_TYPE", "HANDLER",
		"REQUEST_LOG_ID", "SCRIPT_USER", "SCRIPT_GROUP", "DOCUMENT_URI",
		"LAST_MODIFIED", "CONTEXT_PREFIX", "CONTEXT_DOCUMENT_ROOT",
		"REQUEST_STATUS", "REMOTE_ADDR", "REMOTE_PORT",
	}
	connVarNames = []string{
		"HTTPS", "IPV6", "CONN_LOG_ID", "CONN_REMOTE_ADDR", "HTTP2",
	}
)

// VarNames returns the names of all variables core Apache provides to
// expressions (%{NAME}), in lookup order. Names are matched case
// insensitively.
func VarNames() []string {
	var out []string
	out = append(out, miscVarNames...)
	out = append(out, reqHeaderVarNames...)
	out = append(out, requestVarNames...)
	out = append(out, connVarNames...)
	return out
}

func lookupVar(name string) *varInfo {
	for _, n := range miscVarNames {
		if strings.EqualFold(n, name) {
			return &varInfo{kind: varMisc, name: n}
		}
	}
	for i, n := range reqHeaderVarNames {
		if strings.EqualFold(n, name) {
			return &varInfo{kind: varHeader, name: n, header: reqHeaderHeaderNames[i]}
		}
	}
	for _, n := range requestVarNames {
		if strings.EqualFold(n, name) {
			return &varInfo{kind: varRequest, name: n}
		}
	}
	for _, n := range connVarNames {
		if strings.EqualFold(n, name) {
			return &varInfo{kind: varConn, name: n}
		}
	}
	return nil
}

type funcKind int

const (
	kindVar funcKind = iota
	kindString
	kindList
	kindUnary
	kindBinary
)

type funcInfo struct {
	name   string // canonical name from the provider table
	subnet *apr.Subnet
}

type provider struct {
	name       string
	restricted bool
	subnetArg  bool
}

var stringFuncProviders = []provider{
	{name: "osenv"}, {name: "env"}, {name: "resp"}, {name: "req"},
	{name: "http"}, {name: "note"}, {name: "reqenv"}, {name: "req_novary"},
	{name: "tolower"}, {name: "toupper"}, {name: "escape"},
	{name: "unescape"}, {name: "file", restricted: true},
	{name: "filesize", restricted: true}, {name: "base64"},
	{name: "unbase64"}, {name: "sha1"}, {name: "md5"}, {name: "ldap"},
}

var unaryOpProviders = []provider{
	{name: "n"}, {name: "z"}, {name: "R", subnetArg: true}, {name: "T"},
	{name: "d", restricted: true}, {name: "e", restricted: true},
	{name: "f", restricted: true}, {name: "s", restricted: true},
	{name: "L", restricted: true}, {name: "h", restricted: true},
	{name: "x", restricted: true}, {name: "F"}, {name: "U"}, {name: "A"},
}

var binaryOpProviders = []provider{
	{name: "ipmatch", subnetArg: true}, {name: "fnmatch"},
	{name: "strmatch"}, {name: "strcmatch"},
}

// FuncNames returns the string functions core Apache provides
// (func(arg) and %{func:arg}); they are matched case insensitively.
func FuncNames() []string { return providerNames(stringFuncProviders) }

// UnaryOpNames returns the unary operators (without the leading '-');
// they are matched case sensitively.
func UnaryOpNames() []string { return providerNames(unaryOpProviders) }

// BinaryOpNames returns the binary operators (without the leading '-');
// they are matched case insensitively.
func BinaryOpNames() []string { return providerNames(binaryOpProviders) }

func providerNames(ps []provider) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.name
	}
	return out
}

// lookupFunc is core_expr_lookup followed by expr_lookup_not_found for the
// function and operator types. arg is the constant argument (parms->arg)
// when the argument node is a plain string, else nil.
func (p *parser) lookupFunc(kind funcKind, name string, arg *node) *funcInfo {
	var provs []provider
	switch kind {
	case kindString:
		provs = stringFuncProviders
	case kindUnary:
		provs = unaryOpProviders
	case kindBinary:
		provs = binaryOpProviders
	}
	if kind == kindString && p.flags&FlagModSSL != 0 && strings.EqualFold(name, "SSL") {
		return &funcInfo{name: "SSL"} // mod_ssl's expr_func_fn
	}
	for _, pr := range provs {
		var match bool
		if kind == kindUnary {
			match = pr.name == name
		} else {
			match = strings.EqualFold(pr.name, name)
		}
		if !match {
			continue
		}
		if p.flags&FlagRestricted != 0 && pr.restricted {
			prefix := "-"
			if kind == kindString {
				prefix = ""
			}
			p.error2 = prefix + pr.name + " not available in restricted context"
			return nil
		}
		fi := &funcInfo{name: pr.name}
		if pr.subnetArg {
			if arg == nil || arg.op != opString {
				p.error2 = "-" + name + " requires subnet/netmask as constant argument"
				return nil
			}
			addr, mask := arg.str, ""
			hasMask := false
			if i := strings.IndexByte(addr, '/'); i >= 0 {
				addr, mask, hasMask = addr[:i], addr[i+1:], true
			}
			sn, err := apr.ParseSubnet(addr, mask, hasMask)
			if err != nil {
				p.error2 = "parsing of subnet/netmask failed"
				return nil
			}
			fi.subnet = sn
		}
		return fi
	}
	p.notFound(kind, name)
	return nil
}

func (p *parser) notFound(kind funcKind, name string) {
	var typ, prefix string
	switch kind {
	case kindVar:
		typ = "Variable"
	case kindString:
		typ = "Function"
	case kindList:
		typ = "List-returning function"
	case kindUnary:
		typ, prefix = "Unary operator", "-"
	case kindBinary:
		typ, prefix = "Binary operator", "-"
	}
	p.error2 = typ + " '" + prefix + name + "' does not exist"
}

func (p *parser) varMake(name string) *node {
	v := lookupVar(name)
	if v == nil && p.flags&FlagModSSL != 0 && isSSLVar(name) {
		// mod_ssl's ssl_expr_lookup takes every SSL_ name (its prefix
		// compared case-insensitively); the value is looked up, under
		// the name as written, when the expression runs.
		v = &varInfo{kind: varMisc, name: name}
	}
	if v == nil {
		p.notFound(kindVar, name)
		return nil
	}
	return &node{op: opVar, v: v}
}

func (p *parser) strFuncMake(name string, arg *node) *node {
	fi := p.lookupFunc(kindString, name, arg)
	if fi == nil {
		return nil
	}
	return &node{op: opStringFuncCall, fn: fi, left: arg}
}

// listFuncMake: core Apache 2.4 provides no list-returning functions
// (mod_ssl adds PeerExtList, which this package does not implement, so
// an expression that calls it is refused as if mod_ssl were not loaded).
func (p *parser) listFuncMake(name string, arg *node) *node {
	p.notFound(kindList, name)
	return nil
}

func (p *parser) unaryOpMake(name string, arg *node) *node {
	fi := p.lookupFunc(kindUnary, name, arg)
	if fi == nil {
		return nil
	}
	return &node{op: opUnaryOpCall, fn: fi, left: arg}
}

func (p *parser) binaryOpMake(name string, a1, a2 *node) *node {
	fi := p.lookupFunc(kindBinary, name, a2)
	if fi == nil {
		return nil
	}
	return &node{op: opBinaryOpCall, fn: fi, left: a1, right: a2}
}

// isSSLVar reports whether mod_ssl's expression lookup claims a variable
// name: anything that starts with "SSL_" in any case.
func isSSLVar(name string) bool {
	return len(name) >= 4 && strings.EqualFold(name[:4], "SSL_")
}
