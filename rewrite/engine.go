package rewrite

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
)

// Server is what the engine asks of the server about the request being
// rewritten. Var answers the server variables mod_rewrite takes from the
// request (REMOTE_ADDR, THE_REQUEST, SERVER_PROTOCOL, HTTPS, ...; see
// lookupVariable for those the engine answers itself), Header a request
// header (all its values joined with ", ", Host included), Env and Note
// the environment and notes. The engine's own state (file name, query
// string, path info) lives in Request.
type Server interface {
	apexpr.Context
	apexpr.Subrequester
	SetEnv(name, value string)
	UnsetEnv(name string)
	// AddCookie adds a Set-Cookie header for the named cookie, unless
	// the request (or the one it is a subrequest or redirect of) has
	// set that cookie already.
	AddCookie(name, header string)
	// MatchesVhost is ap_matches_request_vhost: whether host:port names
	// the request's virtual host.
	MatchesVhost(host string, port int) bool
	// LookAhead maps a URI (or, with file, a file name) in a subrequest
	// and returns it as the engine sees a request, for %{LA-U:...} and
	// %{LA-F:...}; nil when it cannot.
	LookAhead(path string, file bool) *Request
	// Log writes an error log line at level ("error", "debug", ...).
	Log(level, msg string)
}

// RedirectHandler is the handler name of a per-directory rewrite that
// ends in an internal redirect (REWRITE_REDIRECT_HANDLER_NAME).
const RedirectHandler = "redirect-handler"

// Request is the part of Apache's request_rec mod_rewrite reads and
// changes.
type Request struct {
	Server Server
	Method string
	// URI is r->uri; UnparsedURI the request-target as sent.
	URI, UnparsedURI string
	// Filename is r->filename ("" when unset) and PathInfo r->path_info.
	Filename, PathInfo string
	// Args is the query string, HasArgs false when there is none.
	Args    string
	HasArgs bool
	// Scheme is ap_http_scheme: "https" when the request's server has
	// SSLEngine on; TLS is set when the connection is TLS (%{HTTPS},
	// mod_ssl's ssl_is_https), even for a server without it.
	Scheme string
	TLS    bool
	// ServerName is ap_get_server_name_for_url, Port ap_get_server_port,
	// DefaultPort the scheme's.
	ServerName        string
	Port, DefaultPort int
	DocumentRoot      string
	// ContextDocumentRoot and ContextPrefix are set by an Alias ("" when
	// none applies).
	ContextDocumentRoot, ContextPrefix string
	// Sub is set for a subrequest; MainURI and MainScriptURL are then
	// the main request's URI and SCRIPT_URL.
	Sub                    bool
	MainURI, MainScriptURL string
	// FollowSymLinks is whether Options allows FollowSymLinks or
	// SymLinksIfOwnerMatch (per-directory rules need one).
	FollowSymLinks bool
	// ProxyLoaded is whether mod_proxy is loaded.
	ProxyLoaded bool
	// LimitRequestLine bounds the rewritten file name (twice it); 0 is
	// Apache's default, 8190.
	LimitRequestLine int

	// End is set by [END] and stops every later rewriting of the
	// request, its internal redirects included.
	End bool
	// Vary collects the request headers conditions looked at (the Vary
	// header of a successful response).
	Vary string
	// ForcedType and ForcedHandler are [T=] and [H=], lower-cased.
	ForcedType, ForcedHandler string
	// Handler is set to RedirectHandler by Fixup's internal redirect.
	Handler string

	uriReduced bool
}

// Action is how a hook ends.
type Action uint8

// The actions.
const (
	// Declined: the request goes on as it was (environment, cookies and
	// forced types may have been set).
	Declined Action = iota
	// Mapped: Translate set Filename; the other translate hooks are
	// skipped.
	Mapped
	// PassThrough: Translate changed URI ([PT]); the other translate
	// hooks map it.
	PassThrough
	// Answer: the request is answered with Result.Status (a redirect
	// has a Location).
	Answer
	// Redirect: Fixup's internal redirect to Result.Location, served
	// when the handler runs (Handler is RedirectHandler).
	Redirect
)

// Result is the outcome of a hook.
type Result struct {
	Action   Action
	Status   int
	Location string
}

// action codes of apply_rewrite_list.
const (
	actionNone     = 0
	actionNormal   = 1
	actionNoEscape = 2
	actionStatus   = 4
	actionSetDone  = 8 // ACTION_STATUS_SET: the status is in x.status
)

// evalCtx is rewrite_ctx plus the request: one rule list being applied.
type evalCtx struct {
	r      *Request
	srv    *ServerConf
	perdir string
	// perdirBase is the RewriteBase of a per-directory rule list.
	perdirBase string
	uri        string
	status     int
	// varyThis and vary are the headers of the condition being tested
	// and of the conditions of the matching rule.
	varyThis, vary []string
	// rr and rc are the captures of the rule and of the last matching
	// condition ($N and %N).
	rrSrc, rcSrc string
	rrM, rcM     []int
	rrOK, rcOK   bool
}

// lookupHeader is lookup_header: a request header, remembered for Vary
// (except Host) when present.
func (x *evalCtx) lookupHeader(name string) string {
	v := x.r.Server.Header(name)
	if v != "" && !strings.EqualFold(name, "Host") {
		x.varyThis = append(x.varyThis, name)
	}
	return v
}

// APIVersion is API_VERSION, Apache 2.4.71's module magic number.
const APIVersion = "20120211:142"

// lookupVariable is lookup_variable: %{NAME}.
func (x *evalCtx) lookupVariable(name string) string {
	r := x.r
	if len(name) < 4 {
		return ""
	}
	if name[3] == ':' {
		if len(name) > 4 && strings.EqualFold(name[:3], "ENV") {
			n := name[4:]
			if v, ok := r.Server.Note(n); ok {
				return v
			}
			if v, ok := r.Server.Env(n); ok {
				return v
			}
			if oe, ok := r.Server.(apexpr.OSEnver); ok {
				v, _ := oe.OSEnv(n)
				return v
			}
			return os.Getenv(n)
		}
		if strings.EqualFold(name[:3], "SSL") {
			// mod_ssl's ssl_var_lookup, for its own variables.
			n := apexpr.ASCIIUpper(name[4:])
			if strings.HasPrefix(n, "SSL_") || n == "HTTPS" {
				v, _ := r.Server.Var(n)
				return v
			}
		}
		return ""
	}
	if len(name) > 4 && name[4] == ':' {
		if len(name) <= 5 {
			return ""
		}
		switch {
		case strings.EqualFold(name[:4], "HTTP"):
			return x.lookupHeader(name[5:])
		case strings.EqualFold(name[:4], "LA-U"), strings.EqualFold(name[:4], "LA-F"):
			return x.lookAhead(name[5:], strings.EqualFold(name[:4], "LA-F"))
		}
		return ""
	}
	name = strings.ToUpper(name)
	if v, ok := apexpr.TimeVar(name, time.Now()); ok {
		return v
	}
	switch name {
	case "IPV6":
		if strings.Contains(varOf(r.Server, "REMOTE_ADDR"), ":") {
			return "on"
		}
		return "off"
	case "HTTPS":
		if r.TLS {
			return "on"
		}
		return "off"
	case "IS_SUBREQ":
		if r.Sub {
			return "true"
		}
		return "false"
	case "PATH_INFO":
		return r.PathInfo
	case "HTTP_HOST":
		return x.lookupHeader("Host")
	case "HTTP_ACCEPT":
		return x.lookupHeader("Accept")
	case "HTTP_COOKIE":
		return x.lookupHeader("Cookie")
	case "HTTP_REFERER":
		return x.lookupHeader("Referer")
	case "HTTP_FORWARDED":
		return x.lookupHeader("Forwarded")
	case "HTTP_USER_AGENT":
		return x.lookupHeader("User-Agent")
	case "HTTP_PROXY_CONNECTION":
		return x.lookupHeader("Proxy-Connection")
	case "SERVER_NAME":
		return r.ServerName
	case "API_VERSION":
		return APIVersion
	case "SERVER_PORT":
		return strconv.Itoa(r.Port)
	case "REQUEST_URI":
		return r.URI
	case "QUERY_STRING":
		return r.Args
	case "DOCUMENT_ROOT":
		return r.DocumentRoot
	case "CONTEXT_PREFIX":
		return r.ContextPrefix
	case "CONTEXT_DOCUMENT_ROOT":
		if r.ContextDocumentRoot == "" {
			return r.DocumentRoot
		}
		return r.ContextDocumentRoot
	case "REQUEST_METHOD":
		return r.Method
	case "REQUEST_SCHEME":
		return r.Scheme
	case "SCRIPT_FILENAME", "REQUEST_FILENAME":
		return r.Filename
	case "REMOTE_IDENT":
		return ""
	case "AUTH_TYPE", "REMOTE_ADDR", "SERVER_ADDR", "THE_REQUEST", "REMOTE_HOST", "REMOTE_PORT",
		"REMOTE_USER", "SCRIPT_USER", "SCRIPT_GROUP", "SERVER_ADMIN", "SERVER_PROTOCOL",
		"SERVER_SOFTWARE", "CONN_REMOTE_ADDR":
		return varOf(r.Server, name)
	}
	return ""
}

// lookAhead is %{LA-U:var} and %{LA-F:var}: var as a subrequest for the
// URI (or file) being rewritten sees it.
func (x *evalCtx) lookAhead(name string, file bool) string {
	r := x.r
	if !x.subreqOK() {
		return ""
	}
	path := x.uri
	switch {
	case x.perdir == "":
	case !file && !strings.HasPrefix(path, "/"):
		// la_u: the RewriteBase (or the directory) in front.
		base := x.perdirBase
		if base == "" {
			base = x.perdir
		}
		path = base + path
	case file && strings.HasPrefix(path, "/"):
		// "sigh": no file name to look up; a URI is.
		file = false
	case file:
		path = x.perdir + path
	}
	sub := r.Server.LookAhead(path, file)
	if sub == nil {
		return ""
	}
	y := *x
	y.r, y.varyThis = sub, nil
	v := y.lookupVariable(name)
	x.varyThis = append(x.varyThis, y.varyThis...)
	return v
}

// varOf is a server variable, "" when unknown.
func varOf(s Server, name string) string {
	v, _ := s.Var(name)
	return v
}

// findClosingCurly is find_closing_curly: the index of the '}' that
// closes the '{' before from, or -1.
func findClosingCurly(s string, from int) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch s[i] {
		case '}':
			depth--
			if depth == 0 {
				return i
			}
		case '{':
			depth++
		}
	}
	return -1
}

// findCharInCurlies is find_char_in_curlies: the index of c at the
// first nesting level, or -1.
func findCharInCurlies(s string, from int, c byte) int {
	depth := 1
	for i := from; i < len(s); i++ {
		switch {
		case s[i] == c && depth == 1:
			return i
		case s[i] == '}':
			depth--
			if depth == 0 {
				return -1
			}
		case s[i] == '{':
			depth++
		}
	}
	return -1
}

// expand is do_expand: backslash escapes, %{VAR}, ${map:key|default},
// $N and %N, in one pass. When qmark is not nil it records where the
// first '?' of the result came from (the last with [QSL]): 0 the literal
// text, 1 an expansion; it is left alone when there is none.
func (x *evalCtx) expand(input string, rule *Rule, qmark *int) string {
	if strings.IndexAny(input, `\$%`) < 0 && (qmark == nil || strings.IndexByte(input, '?') < 0) {
		return input
	}
	lastOnly := rule != nil && rule.flags&flagQSLast != 0
	var b strings.Builder
	b.Grow(len(input) + 16)
	literal := func(s string) {
		if qmark != nil && strings.IndexByte(s, '?') >= 0 {
			*qmark = 0
			if !lastOnly {
				qmark = nil
			}
		}
		b.WriteString(s)
	}
	i := 0
	for i < len(input) {
		j := strings.IndexAny(input[i:], `\$%`)
		if j < 0 {
			literal(input[i:])
			break
		}
		literal(input[i : i+j])
		i += j
		expanded, piece := false, ""
		c := input[i]
		switch {
		case c == '\\':
			if i+1 >= len(input) {
				b.WriteByte('\\')
				i++
				continue
			}
			b.WriteByte(input[i+1])
			i += 2
			continue
		case i+1 < len(input) && input[i+1] == '{':
			end := findClosingCurly(input, i+2)
			if end < 0 {
				b.WriteString(input[i : i+2])
				i += 2
				continue
			}
			if c == '%' {
				piece, expanded = x.lookupVariable(input[i+2:end]), true
				i = end + 1
				break
			}
			colon := findCharInCurlies(input[:end], i+2, ':')
			if colon < 0 {
				b.WriteString(input[i : i+2])
				i += 2
				continue
			}
			name, key, dflt, hasDflt := input[i+2:colon], input[colon+1:end], "", false
			if bar := findCharInCurlies(key, 0, '|'); bar >= 0 {
				key, dflt, hasDflt = key[:bar], key[bar+1:], true
			}
			v, ok := x.lookupMap(name, x.expand(key, rule, nil))
			if !ok && hasDflt && dflt != "" {
				v = x.expand(dflt, rule, nil)
			}
			piece, expanded = v, true
			i = end + 1
		case i+1 < len(input) && input[i+1] >= '0' && input[i+1] <= '9':
			n := int(input[i+1] - '0')
			src, m, ok := x.rrSrc, x.rrM, x.rrOK
			if c == '%' {
				src, m, ok = x.rcSrc, x.rcM, x.rcOK
			}
			if ok && 2*n+1 < len(m) && m[2*n+1] > m[2*n] && m[2*n] >= 0 {
				piece, expanded = src[m[2*n]:m[2*n+1]], true
				if rule != nil && rule.flags&flagEscapeBackref != 0 {
					piece = escapeBackref(piece, rule.escapes, rule.noEscape, rule.flags)
				}
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
			continue
		}
		b.WriteString(piece)
		if qmark != nil && expanded && strings.IndexByte(piece, '?') >= 0 {
			*qmark = 1
			if !lastOnly {
				qmark = nil
			}
		}
	}
	return b.String()
}

// lookupMap is lookup_map: the value of key in the request server's map.
func (x *evalCtx) lookupMap(name, key string) (string, bool) {
	if x.srv == nil {
		return "", false
	}
	m := x.srv.Maps[name]
	if m == nil {
		return "", false
	}
	return m.lookup(key, func(msg string) { x.r.Server.Log("error", msg) })
}

// expandEnv is do_expand_env: [E=name:value] and [E=!name].
func (x *evalCtx) expandEnv(env []string) {
	for _, e := range env {
		s := x.expand(e, nil, nil)
		if strings.HasPrefix(s, "!") {
			x.r.Server.UnsetEnv(s[1:])
			continue
		}
		name, val, _ := strings.Cut(s, ":")
		x.r.Server.SetEnv(name, val)
	}
}

// applyCond is apply_rewrite_cond.
func (x *evalCtx) applyCond(c *Cond) bool {
	r := x.r
	input := ""
	if c.kind != condExpr {
		input = x.expand(c.Input, nil, nil)
	}
	rc := false
	switch c.kind {
	case condFileExists:
		fi, err := os.Stat(input)
		rc = err == nil && fi.Mode().IsRegular()
	case condFileSize:
		fi, err := os.Stat(input)
		rc = err == nil && fi.Mode().IsRegular() && fi.Size() > 0
	case condFileLink:
		fi, err := os.Lstat(input)
		rc = err == nil && fi.Mode()&os.ModeSymlink != 0
	case condFileDir:
		fi, err := os.Stat(input)
		rc = err == nil && fi.IsDir()
	case condFileXBit:
		fi, err := os.Stat(input)
		rc = err == nil && fi.Mode().Perm()&0o111 != 0
	case condLookupURL:
		if input != "" && x.subreqOK() {
			rc = r.Server.SubrequestURI(input) < 400
		}
	case condLookupFile:
		if input != "" && x.subreqOK() {
			status, file := r.Server.SubrequestFile(input)
			if status < 300 {
				_, err := os.Stat(file)
				rc = err == nil
			}
		}
	case condStrGT, condStrGE:
		basis := 0
		if c.kind == condStrGT {
			basis = 1
		}
		rc = x.compareStr(c, input) >= basis
	case condStrLT, condStrLE:
		basis := 0
		if c.kind == condStrLT {
			basis = -1
		}
		rc = x.compareStr(c, input) <= basis
	case condStrEQ:
		if c.nocase {
			rc = apexpr.ASCIILower(input) == apexpr.ASCIILower(c.Pattern)
		} else {
			rc = input == c.Pattern
		}
	case condIntGE:
		rc = cAtoi(input) >= cAtoi(c.Pattern)
	case condIntGT:
		rc = cAtoi(input) > cAtoi(c.Pattern)
	case condIntLE:
		rc = cAtoi(input) <= cAtoi(c.Pattern)
	case condIntLT:
		rc = cAtoi(input) < cAtoi(c.Pattern)
	case condIntEQ:
		rc = cAtoi(input) == cAtoi(c.Pattern)
	case condExpr:
		br := &apexpr.Backrefs{}
		ok, err := c.expr.EvalRe(exprContext{x}, br)
		if err != nil {
			ok = false
		}
		rc = ok
		if rc && !c.negate {
			x.rcSrc, x.rcM, x.rcOK = br.Source, br.Match, br.Match != nil
		}
	default:
		m := c.re.match(input)
		rc = m != nil
		if rc && !c.negate {
			x.rcSrc, x.rcM, x.rcOK = input, m, true
		}
	}
	if c.negate {
		rc = !rc
	}
	return rc
}

// compareStr is the lexical comparison of <, >, <= and >=: strcasecmp
// with [NC], else compare_lexicography (a longer string is greater).
func (x *evalCtx) compareStr(c *Cond, input string) int {
	if c.nocase {
		return strings.Compare(apexpr.ASCIILower(input), apexpr.ASCIILower(c.Pattern))
	}
	if len(input) != len(c.Pattern) {
		if len(input) > len(c.Pattern) {
			return 1
		}
		return -1
	}
	return strings.Compare(input, c.Pattern)
}

// subreqOK is subreq_ok: a subrequest may not look up its own URI.
func (x *evalCtx) subreqOK() bool {
	return !x.r.Sub || (x.r.MainURI != "" && x.r.URI != "" && x.r.MainURI != x.r.URI)
}

// cAtoi is C's atoi: strtol's saturated value cut to an int.
func cAtoi(s string) int32 {
	i := skipSpaces(s, 0)
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var n uint64
	over := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + uint64(s[i]-'0')
		if n > 1<<63 {
			over = true
		}
	}
	var v int64
	switch {
	case over && neg:
		v = -1 << 63
	case over || (!neg && n > 1<<63-1):
		v = 1<<63 - 1
	case neg:
		v = -int64(n)
	default:
		v = int64(n)
	}
	return int32(v)
}

// ruleRC is apply_rewrite_rule's result.
type ruleRC uint8

const (
	ruleNoMatch ruleRC = iota
	ruleMatch
	ruleNoSub
	ruleStatusSet
)

// applyRule is apply_rewrite_rule.
func (x *evalCtx) applyRule(p *Rule) ruleRC {
	r := x.r
	x.uri = r.Filename
	if x.perdir != "" {
		if r.PathInfo != "" {
			x.uri += r.PathInfo
		}
		if strings.HasPrefix(x.uri, x.perdir) {
			x.uri = x.uri[len(x.perdir):]
		}
	}
	if p.re == nil {
		r.Server.Log("error", fmt.Sprintf("gowsgid cannot evaluate the RewriteRule of %s line %d: %s", p.File, p.Line, p.Unsupported))
		x.status = 500
		return ruleStatusSet
	}
	m := p.re.match(x.uri)
	if (m != nil) == (p.flags&flagNotMatch != 0) {
		return ruleNoMatch
	}
	x.varyThis = nil
	x.rcOK = false
	if p.flags&flagNotMatch != 0 {
		x.rrOK = false
	} else {
		x.rrSrc, x.rrM, x.rrOK = x.uri, m, true
	}
	for i := 0; i < len(p.Conds); i++ {
		c := p.Conds[i]
		if c.kind == condRegex && c.re == nil {
			r.Server.Log("error", fmt.Sprintf("gowsgid cannot evaluate a RewriteCond of the RewriteRule of %s line %d: %s", p.File, p.Line, c.Unsupported))
			x.status = 500
			return ruleStatusSet
		}
		rc := x.applyCond(c)
		if c.novary {
			x.varyThis = nil
		}
		if c.ornext {
			if !rc {
				x.varyThis = nil
				continue
			}
			for i < len(p.Conds) && c.ornext {
				i++
				if i < len(p.Conds) {
					c = p.Conds[i]
				}
			}
		} else if !rc {
			return ruleNoMatch
		}
		if x.varyThis != nil {
			x.vary = append(x.vary, x.varyThis...)
			x.varyThis = nil
		}
	}
	newURI := ""
	if p.flags&flagNoSub == 0 {
		qmark := -1
		if p.flags&flagUnsafeAllow3F != 0 {
			newURI = x.expand(p.Output, p, nil)
		} else {
			newURI = x.expand(p.Output, p, &qmark)
		}
		if qmark > 0 {
			r.Server.Log("error", "AH10508: Unsafe URL with %3f URL rewritten without UnsafeAllow3F")
			x.status = 403
			return ruleStatusSet
		}
	}
	x.expandEnv(p.env)
	for _, c := range p.cookies {
		x.addCookie(x.expand(c, nil, nil))
	}
	if p.flags&flagNoSub != 0 {
		x.forceTypeHandler(p)
		if p.flags&flagStatus != 0 {
			x.status = p.Status
		}
		return ruleNoSub
	}
	prefixAdded := false
	if n, _ := isAbsoluteURI(newURI); !strings.HasPrefix(newURI, "/") && n == 0 {
		if x.perdir != "" {
			newURI = x.perdir + newURI
			prefixAdded = true
		} else if p.flags&(flagProxy|flagForceRedirect) == 0 {
			newURI = "/" + newURI
			prefixAdded = true
		}
	}
	r.Filename = newURI
	if x.perdir != "" && p.flags&flagDiscardPathInfo != 0 {
		r.PathInfo = ""
	}
	splitoutQueryArgs(r, p.flags)
	if p.flags&flagProxy != 0 {
		x.fullyQualify()
		r.Filename = "proxy:" + r.Filename
		return ruleMatch
	}
	if p.flags&flagForceRedirect != 0 {
		x.fullyQualify()
		x.status = p.Status
		return ruleMatch
	}
	x.reduceURI()
	if n, _ := isAbsoluteURI(r.Filename); n > 0 {
		x.status = p.Status
		return ruleMatch
	}
	if p.flags&flagUNC == 0 && !prefixAdded {
		// Leading slashes are merged unless the substitution itself
		// started with two.
		if !(len(p.Output) > 1 && p.Output[0] == '/' && p.Output[1] == '/') {
			for len(r.Filename) > 1 && r.Filename[0] == '/' && r.Filename[1] == '/' {
				r.Filename = r.Filename[1:]
			}
		}
	}
	x.forceTypeHandler(p)
	return ruleMatch
}

// forceTypeHandler is force_type_handler: [T=] and [H=] remembered for
// the type checker.
func (x *evalCtx) forceTypeHandler(p *Rule) {
	if p.ForcedType != "" {
		if v := x.expand(p.ForcedType, p, nil); v != "" {
			x.r.ForcedType = apexpr.ASCIILower(v)
		}
	}
	if p.ForcedHandler != "" {
		if v := x.expand(p.ForcedHandler, p, nil); v != "" {
			x.r.ForcedHandler = apexpr.ASCIILower(v)
		}
	}
}

// splitoutQueryArgs is splitout_queryargs: the query string the
// substitution gave, merged with the request's by [QSA], dropped by [QSD].
func splitoutQueryArgs(r *Request, flags ruleFlag) {
	if flags&flagQSNone != 0 {
		r.Args, r.HasArgs = "", false
		return
	}
	skip, query := isAbsoluteURI(r.Filename)
	if skip > 0 && !query {
		r.Args, r.HasArgs = "", false
		return
	}
	if flags&flagQSDiscard != 0 {
		r.Args, r.HasArgs = "", false
	}
	var q int
	if flags&flagQSLast != 0 {
		q = strings.LastIndexByte(r.Filename[skip:], '?')
	} else {
		q = strings.IndexByte(r.Filename[skip:], '?')
	}
	if q < 0 {
		return
	}
	q += skip
	newArgs := r.Filename[q+1:]
	r.Filename = r.Filename[:q]
	if flags&flagQSAppend != 0 {
		if newArgs != "" {
			r.Args, r.HasArgs = newArgs+"&"+r.Args, true
		}
	} else {
		r.Args, r.HasArgs = newArgs, true
	}
	if r.HasArgs {
		if r.Args == "" {
			r.HasArgs = false
		} else {
			r.Args = strings.TrimSuffix(r.Args, "&")
		}
	}
}

// fullyQualify is fully_qualify_uri: scheme://host[:port] in front of a
// local path.
func (x *evalCtx) fullyQualify() {
	r := x.r
	if r.Method == "CONNECT" {
		return
	}
	if n, _ := isAbsoluteURI(r.Filename); n > 0 {
		return
	}
	sep := ""
	if !strings.HasPrefix(r.Filename, "/") {
		sep = "/"
	}
	r.Filename = r.Scheme + "://" + r.ServerName + portSuffix(r.Port, r.DefaultPort) + sep + r.Filename
}

// reduceURI is reduce_uri: an absolute URL naming this virtual host is
// reduced to its path.
func (x *evalCtx) reduceURI() {
	r := x.r
	l := len(r.Scheme)
	f := r.Filename
	if len(f) <= l+3 || !strings.EqualFold(f[:l], r.Scheme) || f[l:l+3] != "://" {
		return
	}
	host, port, path := splitHostPort(f[l+3:], r.DefaultPort)
	if r.Server.MatchesVhost(host, port) {
		r.Filename = path
		if x.srv == nil || x.srv.Options&OptLegacyPrefixDocroot == 0 {
			r.uriReduced = true
		}
	}
}

// addCookie is add_cookie: [CO=name:value:domain[:lifetime[:path[:secure
// [:httponly[:samesite]]]]]], or with ';' as separator when the value
// starts with one.
func (x *evalCtx) addCookie(s string) {
	sep := ":"
	if strings.HasPrefix(s, ";") {
		sep, s = ";", s[1:]
	}
	var toks []string
	for _, t := range strings.Split(s, sep) {
		if t != "" {
			toks = append(toks, t)
		}
	}
	if len(toks) < 3 {
		return
	}
	get := func(i int) (string, bool) {
		if i < len(toks) {
			return toks[i], true
		}
		return "", false
	}
	name, val, domain := toks[0], toks[1], toks[2]
	var c strings.Builder
	c.WriteString(name + "=" + val + "; path=")
	expires, hasExp := get(3)
	path, hasPath := get(4)
	if !hasPath {
		path = "/"
	}
	c.WriteString(path + "; domain=" + domain)
	if hasExp {
		if mins := cAtoi(expires); mins != 0 {
			t := time.Now().UTC().Add(time.Duration(mins) * time.Minute)
			c.WriteString("; expires=" + t.Format("Mon, 02-Jan-2006 15:04:05 GMT"))
		}
		// apr_pstrcat stops at the first missing part: HttpOnly is
		// only written after "; secure".
		if secure, ok := get(5); ok && (strings.EqualFold(secure, "true") || secure == "1" || strings.EqualFold(secure, "secure")) {
			c.WriteString("; secure")
			if httpOnly, ok := get(6); ok && (strings.EqualFold(httpOnly, "true") || httpOnly == "1" || strings.EqualFold(httpOnly, "HttpOnly")) {
				c.WriteString("; HttpOnly")
			}
		}
	}
	if samesite, ok := get(7); ok && samesite != "0" && !strings.EqualFold(samesite, "false") {
		c.WriteString("; SameSite=" + samesite)
	}
	x.r.Server.AddCookie(name, c.String())
}

// applyList is apply_rewrite_list: the rules in order with their flags;
// it returns the action code and the last rule that substituted.
func (x *evalCtx) applyList(rules []*Rule) (int, *Rule) {
	r := x.r
	var lastSub *Rule
	changed := actionNone
	limit := r.LimitRequestLine
	if limit == 0 {
		limit = 8190
	}
	round := 1
loop:
	for i := 0; i < len(rules); i++ {
		p := rules[i]
		if r.Sub && p.flags&(flagIgnoreOnSubreq|flagForceRedirect) != 0 {
			continue
		}
		x.vary = nil
		rc := x.applyRule(p)
		if rc == ruleNoMatch {
			for i < len(rules) && p.flags&flagChain != 0 {
				i++
				if i < len(rules) {
					p = rules[i]
				}
			}
			continue
		}
		if p.flags&flagNoSub == 0 {
			lastSub = p
		}
		if len(r.Filename) > 2*limit {
			r.Server.Log("error", fmt.Sprintf("RewriteRule '%s' and URI '%s' exceeded maximum length (%d)", p.Pattern, r.URI, 2*limit))
			x.status = 500
			return actionStatus, lastSub
		}
		if len(x.vary) > 0 {
			v := strings.Join(x.vary, ", ")
			if r.Vary != "" {
				v = r.Vary + ", " + v
			}
			r.Vary = v
		}
		if rc == ruleStatusSet {
			return actionSetDone, lastSub
		}
		if p.flags&flagStatus != 0 {
			return actionStatus, lastSub
		}
		if rc != ruleNoSub {
			changed = actionNormal
			if p.flags&flagNoEscape != 0 {
				changed = actionNoEscape
			}
		}
		if p.flags&flagPassThrough != 0 {
			r.Filename = "passthrough:" + r.Filename
			changed = actionNormal
			break
		}
		if p.flags&flagEnd != 0 {
			r.End = true
			break
		}
		if p.flags&(flagProxy|flagLast) != 0 {
			break
		}
		if p.flags&flagNewRound != 0 {
			round++
			if round >= p.maxRounds {
				r.Server.Log("error", fmt.Sprintf("AH02596: RewriteRule '%s' and URI '%s' exceeded maximum number of rounds (%d) via the [N] flag", p.Pattern, r.URI, p.maxRounds))
				x.status = 500
				return actionStatus, lastSub
			}
			goto loop
		}
		if p.skip > 0 {
			i += min(p.skip, len(rules)-i)
		}
	}
	return changed, lastSub
}
