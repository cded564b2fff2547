package authz

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/confparse"
)

// Resolver does the DNS lookups of Require host, Require forward-dns and
// Allow/Deny from a host name. *net.Resolver implements it.
type Resolver interface {
	// LookupAddr is a reverse lookup (getnameinfo with NI_NAMEREQD); the
	// first name is used.
	LookupAddr(ctx context.Context, addr string) ([]string, error)
	// LookupIP is a forward lookup (getaddrinfo, AF_UNSPEC); network is
	// "ip".
	LookupIP(ctx context.Context, network, host string) ([]net.IP, error)
}

// Options configure a Checker.
type Options struct {
	// Resolver does DNS lookups; nil means net.DefaultResolver.
	Resolver Resolver
	// DNSTimeout bounds each DNS lookup; 0 means 10 seconds.
	DNSTimeout time.Duration
	// ModuleLoaded reports whether an Apache module is loaded, by source
	// name as confparse uses them ("mod_auth_basic.c", "mod_authn_file.c",
	// "mod_access_compat.c"); it decides what AuthType Basic, a missing
	// AuthBasicProvider and Order/Allow/Deny do. nil means all are loaded.
	ModuleLoaded func(module string) bool
	// Scripts runs mod_wsgi's authentication hooks (WSGIAccessScript,
	// AuthBasicProvider wsgi, Require wsgi-group); nil runs none.
	Scripts ScriptHooks
	// Logged reports whether the error log writes lines of a level
	// (LogLevel); lines it would drop are not even formatted. nil means
	// every level.
	Logged func(level string) bool
}

// Checker makes Apache httpd 2.4's access decisions for requests. It
// caches password and group files (rereading them when they change) and
// parsed expressions, and is safe for concurrent use.
type Checker struct {
	opts  Options
	files fileCache
	cache sync.Map // parsed expressions and subnets by source
	mu    sync.Mutex
	// ncache counts cache entries, to bound the cache.
	ncache int
	// granted remembers AlwaysGranted by configuration; ngranted
	// counts its entries.
	granted  sync.Map
	ngranted atomic.Int64
}

// maxCache bounds the number of parsed arguments the Checker keeps.
const maxCache = 10000

// NewChecker returns a Checker with the given options.
func NewChecker(opts Options) *Checker {
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.DNSTimeout == 0 {
		opts.DNSTimeout = 10 * time.Second
	}
	return &Checker{opts: opts}
}

func (c *Checker) loaded(mod string) bool {
	return c.opts.ModuleLoaded == nil || c.opts.ModuleLoaded(mod)
}

// cached returns the value cached under key, computing it with f once.
func (c *Checker) cached(key string, f func() any) any {
	if v, ok := c.cache.Load(key); ok {
		return v
	}
	v := f()
	c.mu.Lock()
	if c.ncache < maxCache {
		c.ncache++
		c.mu.Unlock()
		c.cache.Store(key, v)
	} else {
		c.mu.Unlock()
	}
	return v
}

type parsedExpr struct {
	e   *apexpr.Expr
	err error
}

// parseExpr parses an expression of the configuration once, with
// mod_ssl's variables known (the configuration was checked with or
// without them at load time) and the given flags added.
func (c *Checker) parseExpr(src string, flags apexpr.Flags) (*apexpr.Expr, error) {
	flags |= apexpr.FlagModSSL
	key := strconv.Itoa(int(flags)) + "\x00" + src
	p := c.cached(key, func() any {
		e, err := apexpr.ParseFlags(src, flags)
		return &parsedExpr{e, err}
	}).(*parsedExpr)
	return p.e, p.err
}

// Internal statuses: ok is 0 like Apache's OK; declined is DECLINED.
const (
	statusOK = 0
	declined = -1
)

// state is one check: Apache's request_rec fields the hooks share.
type state struct {
	c  *Checker
	dc *confparse.DirConfig
	r  *Request
	// user is r->user; hasUser tells NULL from "".
	user     string
	hasUser  bool
	authType string // r->ap_auth_type
	header   []string
	vary     []string
	logs     []LogLine
	// double-reverse lookup of the client, done at most once.
	hostDone, hostOK bool
	host             string
	// digest is mod_auth_digest's parsed Authorization header (its
	// request_config); digestOK is set when it authenticated the user.
	digest   *digestResp
	digestOK bool
	// sslForbidden is mod_ssl's "ssl-access-forbidden" note: its access
	// check refused the request.
	sslForbidden bool
}

// Check decides access to a request whose merged per-directory
// configuration is dc, as Apache's ap_process_request_internal does with
// mod_access_compat (access_checker), mod_authz_core (access_checker_ex
// and auth_checker), mod_auth_basic with mod_authn_file (check_user_id)
// and mod_authn_core, honouring Satisfy. A nil dc means no configuration
// (access granted).
func (c *Checker) Check(dc *confparse.DirConfig, r *Request) Result {
	if dc == nil {
		dc = &confparse.DirConfig{}
	}
	st := &state{c: c, dc: dc, r: r}
	status := st.process()
	res := Result{Status: status, Logs: st.logs, Vary: st.vary}
	if st.hasUser {
		res.User, res.HasUser = st.user, true
	}
	res.AuthType = st.authType
	if status == statusOK {
		res.AuthInfo = st.digestAuthInfo()
	}
	if status != statusOK && len(st.header) > 0 {
		res.Header = http.Header{"Www-Authenticate": st.header}
	}
	return res
}

// process is the access part of ap_process_request_internal. A hook
// added here may make a configuration depend on the request:
// alwaysGranted must say so.
func (st *state) process() int {
	satisfyAny := st.satisfies() == "any"
	if satisfyAny {
		if st.accessCheckers() == statusOK {
			return statusOK
		}
	} else if s := st.accessCheckers(); s != statusOK {
		return s
	}
	s := st.authorize(false)
	switch s {
	case statusOK:
		return statusOK
	case declined:
	default:
		return s
	}
	if s = st.checkUserID(); s != statusOK {
		return s
	}
	if !st.hasUser {
		no := "AH00027"
		if satisfyAny {
			no = "AH00028"
		}
		st.log("core", LevelError, "%s: No authentication done but request not allowed without authentication for %s. Authentication not configured?", no, st.r.URI)
		return 500
	}
	return st.authorize(true)
}

// accessCheckers runs the access_checker hooks as Apache's RUN_ALL
// does: mod_allowmethods (APR_HOOK_REALLY_FIRST), then in the order
// Debian's module list registers them: mod_access_compat, mod_ssl, then
// mod_wsgi's WSGIAccessScript.
func (st *state) accessCheckers() int {
	if s := st.allowMethods(); s != statusOK {
		return s
	}
	if s := st.accessChecker(); s != statusOK {
		return s
	}
	if s := st.sslAccess(); s != statusOK {
		return s
	}
	return st.wsgiAccessChecker()
}

// logged reports whether lines of a level are kept; arguments that cost
// something to build are built only then.
func (st *state) logged(level string) bool {
	return st.c.opts.Logged == nil || st.c.opts.Logged(level)
}

func (st *state) log(module, level, format string, args ...any) {
	if !st.logged(level) {
		return
	}
	st.logs = append(st.logs, LogLine{Module: module, Level: level, Message: fmt.Sprintf(format, args...)})
}

// logServer logs a line without the request's client, as ap_log_error.
func (st *state) logServer(module, level, format string, args ...any) {
	if !st.logged(level) {
		return
	}
	st.logs = append(st.logs, LogLine{Module: module, Level: level, Message: fmt.Sprintf(format, args...), Server: true})
}

func (st *state) method() string {
	if st.r.Method == "HEAD" {
		return "GET"
	}
	return st.r.Method
}

func (st *state) env(name string) (string, bool) {
	if st.r.Env == nil {
		return "", false
	}
	return st.r.Env(name)
}

func (st *state) ctx() context.Context {
	if st.r.Ctx != nil {
		return st.r.Ctx
	}
	return context.Background()
}

// deniedTarget is "%s%s" of the client-denied messages.
func (st *state) deniedTarget() string {
	if st.r.Filename != "" {
		return st.r.Filename
	}
	return "uri " + st.r.URI
}

// evalString evaluates a string expression from the configuration.
func (st *state) evalString(src string) (string, error) {
	e, err := st.c.parseExpr(src, apexpr.FlagStringResult)
	if err != nil {
		return "", err
	}
	return e.EvalString(exprCtx{st})
}

// authTypeConf is ap_auth_type(r): the evaluated AuthType, and false
// for none (unset, "None", or an expression that failed). An expression
// that comes out empty is a type all the same, as in Apache.
func (st *state) authTypeConf() (string, bool) {
	if st.dc.AuthType == nil {
		return "", false
	}
	t, err := st.evalString(*st.dc.AuthType)
	if err != nil {
		st.log("authn_core", LevelError, "AH02834: AuthType expression could not be evaluated: %s", err)
		return "", false
	}
	if strings.EqualFold(t, "None") {
		return "", false
	}
	return t, true
}

// hasAuthType reports whether ap_auth_type(r) is not NULL.
func (st *state) hasAuthType() bool {
	_, ok := st.authTypeConf()
	return ok
}

// authName is ap_auth_name(r), quote-escaped as mod_auth_basic sends it.
func (st *state) authName() (string, bool) {
	n, ok := st.authNameRaw()
	return escapeQuotes(n), ok
}

// authNameRaw is ap_auth_name(r): the evaluated AuthName.
func (st *state) authNameRaw() (string, bool) {
	if st.dc.AuthName == nil {
		return "", false
	}
	n, err := st.evalString(*st.dc.AuthName)
	if err != nil {
		st.log("authn_core", LevelError, "AH02835: AuthName expression could not be evaluated: %s", err)
		return "", false
	}
	return n, true
}

// noteAuthFailure is ap_note_auth_failure with mod_auth_basic's hook.
func (st *state) noteAuthFailure() {
	t, ok := st.authTypeConf()
	if !ok {
		st.log("core", LevelError, "AH00571: need AuthType to note auth failure: %s", st.r.URI)
		return
	}
	if st.c.loaded("mod_auth_basic.c") && strings.EqualFold(t, "Basic") {
		st.noteBasicAuthFailure()
	}
	if st.c.loaded("mod_auth_digest.c") && strings.EqualFold(t, "Digest") {
		st.noteDigestAuthFailure(false)
	}
}

// noteBasicAuthFailure is mod_auth_basic's note_basic_auth_failure.
func (st *state) noteBasicAuthFailure() {
	name, _ := st.authName()
	st.header = []string{`Basic realm="` + name + `"`}
}

// remoteHost is ap_get_useragent_host(r, REMOTE_DOUBLE_REV): the client's
// host name (lower case) when its reverse lookup resolves back to the
// client's address.
func (st *state) remoteHost() (string, bool) {
	if st.hostDone {
		return st.host, st.hostOK
	}
	st.hostDone = true
	ip := st.r.RemoteIP
	if ip == nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(st.ctx(), st.c.opts.DNSTimeout)
	defer cancel()
	names, err := st.c.opts.Resolver.LookupAddr(ctx, ipString(ip))
	if err != nil || len(names) == 0 || names[0] == "" {
		return "", false
	}
	name := strings.ToLower(strings.TrimSuffix(names[0], "."))
	addrs, err := st.c.opts.Resolver.LookupIP(ctx, "ip", name)
	if err != nil {
		return "", false
	}
	for _, a := range addrs {
		if a.Equal(ip) {
			st.host, st.hostOK = name, true
			return name, true
		}
	}
	return "", false
}
