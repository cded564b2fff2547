package vhost

import (
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/http1"
	"github.com/gowsgid/gowsgid/internal/reqtimeout"
	"github.com/gowsgid/gowsgid/rewrite"
	"github.com/gowsgid/gowsgid/static"
)

// AccessChecker makes the access decision for a mapped request
// (mod_access_compat, authentication, authorization).
type AccessChecker interface {
	CheckAccess(r *Request) AccessResult
}

// AccessResult is an access decision: Status 0 grants.
type AccessResult struct {
	Status int
	User   string
	// HasUser is set when User is a user name, even "".
	HasUser  bool
	AuthType string
	Header   http.Header
	// AuthInfo is the Authentication-Info header of a request Digest
	// authenticated; it goes out with a successful response.
	AuthInfo string
	// Logs are the error log lines of the decision.
	Logs []AccessLog
}

// AccessLog is one error log line of an access decision.
type AccessLog struct {
	Level, Module, Message string
}

// Logger receives error log lines: level, module, the request, and
// Apache's message.
type Logger func(level, module string, r *Request, msg string)

// WSGIHandler serves a request mapped to a WSGI script; h is the handler
// mapping it (CGIEnv builds the script's environment from it).
type WSGIHandler func(w http.ResponseWriter, h *Handler, r *Request) error

// Services are what a Table calls out to: access control, the WSGI
// engine and the error log. Nil members are safe: no access control is
// applied, WSGI routes answer 503, nothing is logged.
type Services struct {
	Access AccessChecker
	WSGI   WSGIHandler
	Log    Logger
	// Transaction runs once a request is answered, as Apache's
	// log_transaction hook: the access log. When it is set, the
	// request's Response records what was sent.
	Transaction func(r *Request)
	// Status serves the handlers server-status and gowsgid-metrics.
	Status StatusHandler
	// LogsReadEnv is whether the access logs read requests'
	// environments (%{VAR}e, env=, expr=): a script handler then adds
	// its variables to the request's (KeepScriptEnv).
	LogsReadEnv bool
	// Upgrade switches the connection of a request that asked for h2c
	// to HTTP/2 and serves the request again as its stream 1; false
	// when it could not (the request is then served as it is). Nil
	// means no upgrade is offered.
	Upgrade func(w http.ResponseWriter, hr *http.Request) bool
}

// Outcome is what mapping decided when it did not end in a handler: an
// error status, or a redirect with its Location.
type Outcome struct {
	Status   int
	Location string
	Header   http.Header
	// Notes shown by some error pages ("error-notes").
	Notes string
	// Log, when set, is written to the error log at LogLevel for
	// LogModule when the error is sent.
	Log, LogLevel, LogModule string
	// Filtered marks an error raised in Apache's output filters (the
	// byterange filter's 416): its page is sent without a
	// Content-Length, chunked on HTTP/1.1.
	Filtered bool
	// Additionally is the status of a response the output filters
	// refused: the page says "Additionally, a ... error" (ap_die's
	// recursive error) and no ErrorDocument applies.
	Additionally int
	// Then, when set, is the status of a second error page sent after
	// this one, which becomes the request's status in the access log:
	// mod_wsgi's 500 after the input filter answered a broken body
	// itself (a filtered Outcome, without a Content-Length).
	Then int
}

// InternalRedirect is a handler's answer that is a local URL: a CGI
// script's, or a mod_wsgi daemon application's, 200 with a Location
// that starts with '/'. The server serves Target in its place, as a GET
// without the request's body (ap_internal_redirect_handler).
type InternalRedirect struct {
	Target string
	// Close marks a connection that cannot serve another request: the
	// client's body was not read to its end.
	Close bool
	// Env, when not nil, is the request's environment (subprocess_env)
	// as the handler left it: the new request gets it renamed
	// REDIRECT_*.
	Env []EnvVar
}

func (ir *InternalRedirect) Error() string { return "internal redirect to " + ir.Target }

// Handler serves HTTP requests with a table; the server swaps tables on
// reload.
type Handler struct {
	Table    *Table
	Services Services
}

// defaultRecursionLimit is LimitInternalRecursion's default, for
// internal redirects and subrequests alike.
const defaultRecursionLimit = 10

func (h *Handler) logf(level, module string, r *Request, format string, args ...any) {
	if h.Services.Log != nil {
		h.Services.Log(level, module, r, fmt.Sprintf(format, args...))
	}
}

// ServeHTTP maps and serves one request as Apache would, then runs the
// Transaction hook.
func (h *Handler) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	h.serveHTTP(w, hr, false)
}

// ServePlainOnTLS answers a request a client sent in plain HTTP to a TLS
// port as mod_ssl has Apache answer it: read as any request, for the
// host it names, and refused with a 400 that says why.
func (h *Handler) ServePlainOnTLS(w http.ResponseWriter, hr *http.Request) {
	h.serveHTTP(w, hr, true)
}

// plainOnTLSNote is mod_ssl's error note for a plain HTTP request.
const plainOnTLSNote = "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />\n"

func (h *Handler) serveHTTP(w http.ResponseWriter, hr *http.Request, plainOnTLS bool) {
	// r->request_time: when the request line was read, before its
	// fields (what %t, %D and Date show).
	now := http1.RequestStart(hr)
	// An HTTP/2 stream's request came in frames, but the stream an
	// h2c upgrade turned its HTTP/1 request into.
	framed := now.IsZero()
	// The HTTP/2 preface on a connection that does not speak HTTP/2,
	// which the HTTP/1 server read as a request ("PRI * HTTP/2.0").
	preface := !framed && hr.ProtoMajor == 2 && hr.Method == "PRI" && hr.RequestURI == "*"
	if framed {
		now = time.Now()
	}
	h2HostField := false
	if hr.ProtoMajor >= 2 && !preface {
		if framed && !h2RequestWellFormed(hr) {
			// mod_http2 resets the stream before Apache sees a
			// request: nothing runs, nothing is logged.
			panic(http.ErrAbortHandler)
		}
		// mod_http2 makes :authority the Host field: a host field of
		// the stream's own (which Go's server leaves in the header
		// map) would reach the application as HTTP_HOST, unchecked
		// by the virtual host and SNI checks :authority went through.
		// It counts against LimitRequestFields, :authority does not.
		_, h2HostField = hr.Header["Host"]
		delete(hr.Header, "Host")
		w = &h2Response{ResponseWriter: w}
	}
	// The walks of this request see every change made before it.
	h.Table.stat.Refresh()
	hdr := w.Header()
	hdr["Date"] = h.Table.date.header(now)
	hdr["Server"] = h.Table.server
	r := &Request{HTTP: hr, Method: hr.Method, UnparsedURI: hr.RequestURI, Scheme: "http", Start: now, plainOnTLS: plainOnTLS,
		h2HostField: h2HostField, h2Preface: preface}
	if hr.TLS != nil {
		r.Scheme = "https"
	}
	if h.Services.Transaction == nil {
		h.serve(w, r)
		return
	}
	r.resp = Response{ResponseWriter: w, head: hr.Method == "HEAD"}
	r.Response = &r.resp
	defer h.transaction(r)
	h.serve(&r.resp, r)
}

// h2RequestWellFormed reports whether mod_http2 takes an HTTP/2
// request that Go's server passed on: a :path in origin form ("*" for
// OPTIONS) without spaces or control characters, and at most one
// Content-Length, of digits only (RFC 9113 8.1.1, 8.3.1).
func h2RequestWellFormed(hr *http.Request) bool {
	p := hr.RequestURI
	if p != "*" || hr.Method != http.MethodOptions {
		if !strings.HasPrefix(p, "/") {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] <= ' ' || p[i] == 0x7f {
				return false
			}
		}
	}
	if cl, ok := hr.Header["Content-Length"]; ok {
		if len(cl) != 1 || cl[0] == "" {
			return false
		}
		for i := 0; i < len(cl[0]); i++ {
			if cl[0][i] < '0' || cl[0][i] > '9' {
				return false
			}
		}
	}
	return true
}

// transaction runs the Transaction hook, also for a request whose
// handler panicked (a response cut with http.ErrAbortHandler): it is
// logged as aborted, unless the handler ended a connection that had its
// answer on purpose, and the panic goes on to net/http.
func (h *Handler) transaction(r *Request) {
	if p := recover(); p != nil {
		r.resp.Failed = r.resp.Failed || !r.endsConnection
		h.Services.Transaction(r)
		panic(p)
	}
	h.Services.Transaction(r)
}

// serve is ServeHTTP's work: the request's host, its mapping and its
// handler, or the error that ends it.
func (h *Handler) serve(w http.ResponseWriter, r *Request) {
	t := h.Table
	hr := r.HTTP
	h.connection(r)
	if hr.Body != nil && hr.Body != http.NoBody {
		// Before any early answer: what follows the head is the body's.
		if c := reqtimeout.FromContext(hr.Context()); c != nil {
			c.HasBody()
		}
	}
	cand := t.Addrs.ForConnection(r.Local)
	target, ok := ParseTarget(r.UnparsedURI, r.Method)
	if ok && !strings.HasPrefix(target.Path, "/") && target.Path != "*" {
		// A relative path (RFC 7230 5.3): ap_parse_request_line's 400,
		// before the header is read, with no log line.
		ok = false
	}
	if r.h2Preface {
		// The HTTP/2 preface where HTTP/2 is not spoken, read as an
		// HTTP/1 request: Apache's 400 for its protocol.
		ok = false
	}
	if !ok {
		// A bad request line is answered by the connection's server,
		// under the name of the request's absolute-URI if it has one.
		r.URI, r.Args, r.HasArgs, r.LineOnly = target.Path, target.Query, target.HasQuery, true
		r.Host = t.Host(cand.Base)
		r.Dir = r.Host.Defaults
		if target.Scheme == r.Scheme {
			r.Hostname, r.HostPort, _ = NormalizeHost(target.Authority)
		}
		h.sendError(w, r, &Outcome{Status: 400})
		return
	}
	host, port, ok := NormalizeHost(hr.Host)
	if r.Method == "CONNECT" && strings.HasPrefix(target.Authority, ":") {
		host, port, ok = "", 0, true // an empty host, which Apache lets through
	}
	if ok && target.Authority != "" && host != "" {
		// An absolute-URI's host replaces the Host header (RFC 7230
		// 5.4), as ap_update_vhost_from_headers writes it: the host
		// as normalised, and the port as given.
		hr.Host = host
		if strings.Contains(host, ":") {
			hr.Host = "[" + host + "]"
		}
		if i := strings.LastIndexByte(target.Authority, ':'); i >= 0 && !strings.HasSuffix(target.Authority, "]") {
			hr.Host += target.Authority[i:]
		}
	}
	r.Host = t.Host(cand.ForHost(host, int(r.Local.Port())))
	r.Dir = r.Host.Defaults
	if !ok {
		h.logf("debug", "core", r, "AH00550: Client sent malformed Host header: %s", hr.Host)
		// Apache has parsed the request-target by then.
		r.URI, r.Args, r.HasArgs = target.Path, target.Query, target.HasQuery
		h.sendError(w, r, &Outcome{Status: 400})
		return
	}
	r.Hostname, r.HostPort = host, port
	// A chunked body's lines are bound by the name-based host's limits,
	// as Apache's HTTP input filter reads them with r->server's.
	http1.SetBodyLimits(hr.Body, r.Host.limits.fieldSize, r.Host.limits.fields)
	if hasBody(hr) {
		timeBody(r, func(level, module, msg string) { h.logf(level, module, r, "%s", msg) })
	}
	countRequest(r)
	h.setKeepAlive(w.Header(), r)
	// The limits are the connection's server's: Apache reads the head
	// before it knows the name-based host.
	base := t.Host(cand.Base)
	lim := base.limits
	if o := requestLimits(r, lim); o != nil {
		// Apache refuses a request line too long before it reads the
		// header, and a head too large before the Host field chose a
		// host: the address's default host answers.
		r.LineOnly = o.Status == 414
		r.LineLimit = lim.line
		r.Host, r.Dir = base, base.Defaults
		h.sendError(w, r, o)
		return
	}
	if base.registeredMethodsOnly && !t.Config.MethodKnown(r.Method) {
		// HttpProtocolOptions RegisteredMethods: ap_parse_request_line
		// refuses the line, before the header is read.
		h.logf("debug", "core", r, "AH02423: HTTP Request Line; Unrecognized HTTP method: '%s' (disallowed by RegisteredMethods)", r.Method)
		r.Host, r.Dir, r.LineOnly = base, base.Defaults, true
		h.sendError(w, r, &Outcome{Status: 501, Header: http.Header{"Allow": {allowHeaderUnhandled(base.TraceEnable == "off")}}})
		return
	}
	if hr.ProtoMajor == 1 {
		if msg := refusedFraming(hr.Header, target.Path); msg != "" {
			// ap_read_request refuses the head before it looks at the
			// Host: the connection's server answers, and nothing more
			// is read of the connection (the HTTP/1 server gave no body
			// and closes it).
			h.logf("debug", "core", r, "%s", msg)
			r.Host, r.Dir = base, base.Defaults
			r.URI, r.Args, r.HasArgs = target.Path, target.Query, target.HasQuery
			h.sendError(w, r, &Outcome{Status: 400})
			return
		}
	}
	if host == "" && hr.ProtoAtLeast(1, 1) && target.Authority == "" ||
		target.Authority != "" && hr.ProtoMajor == 1 && hr.ProtoMinor == 1 && !hostFieldSent(hr) {
		// No Host, or an empty one; or an HTTP/1.1 request without a
		// Host field, even one whose absolute-URI names the host.
		h.logf("debug", "core", r, "AH00569: client sent HTTP/1.1 request without hostname (see RFC2616 section 14.23): %s", target.Path)
		r.URI, r.Args, r.HasArgs = target.Path, target.Query, target.HasQuery
		h.sendError(w, r, &Outcome{Status: 400})
		return
	}
	if expect := hr.Header["Expect"]; len(expect) > 0 && expect[0] != "" {
		// ap_check_request_header: the one expectation Apache knows is
		// the whole field (the fields joined, as Apache merges them).
		if v := strings.Join(expect, ", "); !strings.EqualFold(v, "100-continue") {
			h.logf("info", "core", r, "AH00570: client sent an unrecognized expectation value of Expect: %s", v)
			r.URI, r.Args, r.HasArgs = target.Path, target.Query, target.HasQuery
			h.sendError(w, r, &Outcome{Status: http.StatusExpectationFailed})
			if hr.ProtoMajor == 1 {
				// ap_read_request failed: the connection ends after the
				// answer, which does not say so (nor does %X: the
				// client did not go away).
				http.NewResponseController(w).Flush()
				r.endsConnection = true
				panic(http.ErrAbortHandler)
			}
			return
		}
	}
	if target.OtherScheme {
		h.sendError(w, r, &Outcome{Status: 400})
		return
	}
	if r.plainOnTLS {
		// mod_ssl reads the request as the line "GET /" it puts in
		// place of what came.
		r.URI = "/"
		h.sendError(w, r, &Outcome{Status: 400, Notes: plainOnTLSNote})
		return
	}
	if o := h.checkSNI(r, cand); o != nil {
		r.URI, r.Args, r.HasArgs = target.Path, target.Query, target.HasQuery
		h.sendError(w, r, o)
		return
	}
	if r.HTTP.TLS != nil && r.Host.tls == nil {
		// A host without SSLEngine that SNI named: its scheme is http
		// (mod_ssl's ssl_hook_http_scheme asks the request's server),
		// though the connection is TLS.
		r.Scheme = "http"
	}
	path := target.Path
	r.URI, r.Args, r.HasArgs = path, target.Query, target.HasQuery
	h.postReadRequest(r)
	if r.Method == "OPTIONS" && path == "*" {
		r.Filename = strings.TrimSuffix(r.Host.DocumentRoot, "/") + "/*"
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(200)
		return
	}
	r.out = headerOut{ResponseWriter: w, r: r}
	w, finish := h.compress(&r.out, r)
	if o := h.process(w, r); o != nil {
		h.sendError(w, r, o)
	}
	finish()
	if hr.ProtoMajor == 1 && !strings.EqualFold(w.Header().Get("Connection"), "close") && drainBody(r.HTTP) {
		// The body failed after the response was made: the response
		// goes out, then the connection ends, as Apache ends it. (An
		// answer that closes the connection reads nothing of the body
		// it left, as ap_discard_request_body reads nothing then.)
		http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
}

// hostFieldSent reports whether the client sent a Host field (net/http
// keeps it out of the header map); true for a request the HTTP/1 server
// did not read, whose fields are not known.
func hostFieldSent(hr *http.Request) bool {
	if http1.RequestStart(hr).IsZero() {
		return true
	}
	for _, n := range http1.FieldNames(hr) {
		if strings.EqualFold(n, "Host") {
			return true
		}
	}
	return false
}

// refusedFraming is the log message of ap_read_request when it refuses
// a request head for its framing (the HTTP/1 server's PassMalformed
// hands those over with their fields as sent), "" for a head it takes:
// a Content-Length, its fields merged, that is not one decimal number
// (AH10242), else a Transfer-Encoding, merged, whose last coding is not
// chunked (AH02539). uri is r->uri, the target's path.
func refusedFraming(h http.Header, uri string) string {
	if cl := h["Content-Length"]; len(cl) > 1 || len(cl) == 1 && !http1.StrictLength(cl[0]) {
		return "AH10242: client sent invalid Content-Length (" + strings.Join(cl, ", ") + "): " + uri
	}
	// The server takes chunked as the last coding, and then keeps no
	// field: one left is a coding it refused.
	if te := h["Transfer-Encoding"]; len(te) > 0 {
		return "AH02539: client sent unknown Transfer-Encoding (" + strings.Join(te, ", ") + "): " + uri
	}
	return ""
}

// connection sets the addresses of the request's connection: the local
// one, the peer's, and the client's (a PROXY header's).
func (h *Handler) connection(r *Request) {
	hr := r.HTTP
	r.Local = localAddr(hr)
	if ap, err := netip.ParseAddrPort(hr.RemoteAddr); err == nil {
		r.Remote, r.Peer = ap, ap
	}
	if client := proxiedClient(hr.Context()); client != nil {
		r.proxied = true
		if ap, ok := client(); ok {
			r.proxyClient = netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
		}
	}
}

// localAddr is the server address the request came in on.
func localAddr(hr *http.Request) netip.AddrPort {
	switch la := hr.Context().Value(http.LocalAddrContextKey).(type) {
	case *net.TCPAddr:
		// As its string would parse: an IPv4 address in dotted form.
		ap := la.AddrPort()
		return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
	case net.Addr:
		if ap, err := netip.ParseAddrPort(la.String()); err == nil {
			return ap
		}
	}
	return netip.AddrPort{}
}

// Apache's default request limits (LimitRequestLine, LimitRequestFieldSize,
// LimitRequestFields); net/http's own limit (MaxHeaderBytes) is larger.
const (
	limitRequestLine      = 8190
	limitRequestFieldSize = 8190
	limitRequestFields    = 100
)

// headLimits are a server's limits on a request head (fields 0: none)
// and on the internal redirects and subrequests it may lead to.
type headLimits struct{ line, fieldSize, fields, redirects, subrequests int }

// resolveLimits is a server's limits: its own, else the main server's,
// else Apache's defaults.
func resolveLimits(own, main confparse.RequestLimits) headLimits {
	pick := func(a, b *int, def int) int {
		switch {
		case a != nil:
			return *a
		case b != nil:
			return *b
		}
		return def
	}
	set := func(a, b int) int {
		return cmp.Or(a, b, defaultRecursionLimit)
	}
	return headLimits{
		line:        pick(own.Line, main.Line, limitRequestLine),
		fieldSize:   pick(own.FieldSize, main.FieldSize, limitRequestFieldSize),
		fields:      pick(own.Fields, main.Fields, limitRequestFields),
		redirects:   set(own.Redirects, main.Redirects),
		subrequests: set(own.Subrequests, main.Subrequests),
	}
}

// recursionExceeded is ap_is_recursion_limit_exceeded: whether r stands
// as many internal redirects, or subrequest nesting levels, deep as
// LimitInternalRecursion allows, logged as Apache logs it.
func (h *Handler) recursionExceeded(r *Request) bool {
	lim := r.Host.limits
	redirects, subrequests := 0, 0
	for top := r; top.prevReq() != nil || top.mainReq() != nil; {
		if p := top.prevReq(); p != nil {
			if redirects++; redirects >= lim.redirects {
				h.logf("error", "core", r, "AH00124: Request exceeded the limit of %d internal redirects due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.", lim.redirects)
				return true
			}
			top = p
		}
		if top.prevReq() == nil && top.mainReq() != nil {
			if subrequests++; subrequests >= lim.subrequests {
				h.logf("error", "core", r, "AH00125: Request exceeded the limit of %d subrequest nesting levels due to probable configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.", lim.subrequests)
				return true
			}
			top = top.mainReq()
		}
	}
	return false
}

// requestLimits is ap_read_request's checks of the request head against
// the connection's server's limits: a line or field may be one byte
// longer than its limit, as Apache reads it into a buffer of the limit
// plus CRLF; a request line too long is 414; a header
// field too long, or too many fields, is 400 with Apache's note. A field
// is measured as "Name: value" (net/http keeps no raw line). An HTTP/2
// stream's fields are mod_http2's to check: no byte of slack, and 431.
func requestLimits(r *Request, lim headLimits) *Outcome {
	hr := r.HTTP
	if len(hr.Method)+len(hr.RequestURI)+len(hr.Proto)+2 > lim.line+1 {
		return &Outcome{Status: 414, LogLevel: "info", LogModule: "core",
			Log: fmt.Sprintf("AH00565: request failed: client's request-line exceeds LimitRequestLine (longer than %d)", lim.line)}
	}
	h2 := hr.ProtoMajor >= 2
	tooLarge := func(name, core string) *Outcome {
		if h2 {
			if len(name) > 80 {
				name = name[:80]
			}
			return &Outcome{Status: 431, LogLevel: "info", LogModule: "http2",
				Log: fmt.Sprintf("AH10180: h2_stream(%s,OPEN): Request header exceeds LimitRequestFieldSize(%d): %s", h2StreamTag(r), lim.fieldSize, strings.ToLower(name))}
		}
		return &Outcome{Status: 400, Notes: "Size of a request header field exceeds server limit.",
			LogLevel: "info", LogModule: "core", Log: core + name}
	}
	slack := 1
	if h2 {
		slack = 0
	}
	fields := 0
	switch {
	case h2:
		if r.h2HostField {
			fields++ // a host field of the stream's; :authority is not one
		}
	case hr.Host != "" || hr.ProtoAtLeast(1, 1):
		fields++ // Host, which net/http moves out of Header
	}
	if len(hr.TransferEncoding) > 0 && hr.ProtoMajor == 1 {
		// (An HTTP/2 stream's is mod_http2's, added after it counted.)
		fields++
	}
	// Repeated fields are merged into one, joined by ", " (an HTTP/2
	// stream's cookies by "; "), which must fit too; Apache checks that
	// last (table_do_fn_check_lengths).
	mergedTooLong := ""
	for k, vs := range hr.Header {
		merged := 2 * (len(vs) - 1)
		for _, v := range vs {
			fields++
			merged += len(v)
			if len(k)+2+len(v) > lim.fieldSize+slack {
				return tooLarge(k, "AH00561: Request header exceeds LimitRequestFieldSize: ")
			}
		}
		if len(vs) > 1 && merged > lim.fieldSize && mergedTooLong == "" {
			mergedTooLong = k
		}
	}
	if lim.fields > 0 && fields > lim.fields {
		if h2 {
			return &Outcome{Status: 431, LogLevel: "info", LogModule: "http2",
				Log: fmt.Sprintf("AH10181: h2_stream(%s,OPEN): Number of request headers exceeds LimitRequestFields(%d)", h2StreamTag(r), lim.fields)}
		}
		return &Outcome{Status: 400, Notes: "The number of request header fields exceeds this server's limit.",
			LogLevel: "info", LogModule: "core", Log: "AH00563: Number of request headers exceeds LimitRequestFields"}
	}
	if mergedTooLong != "" {
		return tooLarge(mergedTooLong, "AH00560: Request header exceeds LimitRequestFieldSize after merging: ")
	}
	return nil
}

// process runs the request through mapping and its handler.
func (h *Handler) process(w http.ResponseWriter, r *Request) *Outcome {
	norm, ok := NormalizePath(r.URI, !r.Host.keepSlashes, true)
	if !ok {
		r.URI = norm
		h.logf("error", "core", r, "AH10244: invalid URI path (%s)", r.UnparsedURI)
		return fail(400)
	}
	slashes := encodedSlashes(r.Host.AllowEncodedSlashes)
	uri, status := Unescape(norm, slashes)
	if status != 0 {
		// ap_unescape_url has decoded r->uri in place all the same (what
		// %U and REDIRECT_URL show), a C string that a NUL ends.
		r.URI, _, _ = strings.Cut(uri, "\x00")
		if status == 404 && slashes == slashesForbid {
			h.logf("info", "core", r, "AH00026: found %%2f (encoded '/') in URI path (%s), returning 404", r.UnparsedURI)
		}
		return fail(status)
	}
	if slashes == slashesDecode {
		uri, _ = NormalizePath(uri, !r.Host.keepSlashes, false)
	}
	r.URI = uri
	if o := h.mapRequest(r); o != nil {
		return o
	}
	return h.handle(w, r)
}

// mapRequest is ap_process_request_internal after URI parsing: translate,
// map to storage, the location and if walks, access, types and fixups.
func (h *Handler) mapRequest(r *Request) *Outcome {
	t := h.Table
	// The location and if walks run before translate too
	// (walk_location_and_if), so <Location>-scoped Alias and Redirect
	// work; their merge is what an answer from translate (a redirect)
	// goes out with, and is thrown away otherwise.
	pre := r.Dir
	t.locationWalk(r)
	if o := t.ifWalk(r); o != nil {
		return o
	}
	locDir := r.Dir
	r.Dir = pre
	mapped, o := h.rewriteURI(r, locDir)
	if o == nil && !mapped {
		o = t.translateWith(r, locDir)
	}
	if o != nil {
		r.Dir = locDir
		return o
	}
	if r.Method == "TRACE" && r.depth == 0 {
		return traceHook(r)
	}
	return h.mapFile(r)
}

// mapFile is the rest of ap_process_request_internal once the request
// has a file name: map to storage, the location and if walks, access,
// types and fixups.
func (h *Handler) mapFile(r *Request) *Outcome {
	t := h.Table
	r.Dir = r.Host.Defaults
	r.files, r.ifs = nil, nil
	if o := t.mapToStorage(r); o != nil {
		return o
	}
	t.locationWalk(r)
	if o := t.ifWalk(r); o != nil {
		return o
	}
	r.headerParser()
	if o := h.checkCipherSuite(r); o != nil {
		return o
	}
	if o := h.checkClientCert(r); o != nil {
		return o
	}
	if o := h.checkAccess(r); o != nil {
		return o
	}
	if t.negotiation {
		// mod_negotiation's type checker runs first; when it chose a
		// variant, the request has the variant's type already.
		if done, o := h.multiViews(r); o != nil {
			return o
		} else if done {
			return h.fixups(r)
		}
	}
	t.typeChecker(r)
	return h.fixups(r)
}

// traceHandler is the handler name of a TRACE echo.
const traceHandler = "gowsgid-trace"

// traceHook is ap_send_http_trace, a map_to_storage hook that runs before
// the directory walk: TRACE is echoed (no access control applies) unless
// TraceEnable Off answers 405 with an empty Allow.
func traceHook(r *Request) *Outcome {
	if r.Host.TraceEnable == "off" {
		return &Outcome{Status: 405, Header: http.Header{"Allow": {""}}, Notes: "TRACE denied by server configuration"}
	}
	r.Handler = traceHandler
	return nil
}

// translateWith runs translate with the pre-translate location merge
// visible to the <Location>-scoped mod_alias forms.
func (t *Table) translateWith(r *Request, locDir *confparse.DirConfig) *Outcome {
	for _, rd := range locDir.Redirects {
		if !rd.Expr {
			continue
		}
		if rd.To == "" {
			return fail(rd.Status)
		}
		target := rd.To
		if strings.HasPrefix(target, "/") && !flagOn(locDir.RedirectRelative) {
			target = r.constructURL(target)
		}
		return &Outcome{Status: rd.Status, Location: target}
	}
	return t.translate(r, locDir)
}

// flagOn reports whether an On/Off setting is set On.
func flagOn(p *bool) bool { return p != nil && *p }

// checkAccess is the access part of ap_process_request_internal: the
// access, authentication and authorization hooks, unless the request
// passed them with the same configuration before (authSource).
func (h *Handler) checkAccess(r *Request) *Outcome {
	if h.Services.Access == nil {
		return nil
	}
	if src := r.authSource(); src != nil {
		r.User, r.HasUser, r.AuthType = src.User, src.HasUser, src.AuthType
		return nil
	}
	res := h.Services.Access.CheckAccess(r)
	for _, l := range res.Logs {
		h.logf(l.Level, l.Module, r, "%s", l.Message)
	}
	r.User, r.HasUser, r.AuthType = res.User, res.HasUser || res.User != "", res.AuthType
	if res.Status == 405 && res.Header.Get("Allow") == "" {
		// mod_allowmethods refused the request before a handler said
		// which methods it allows: make_allow has only TRACE to name.
		hdr := res.Header.Clone()
		if hdr == nil {
			hdr = http.Header{}
		}
		hdr.Set("Allow", allowHeaderUnhandled(r.Host.TraceEnable == "off"))
		res.Header = hdr
	}
	if res.Status != 0 {
		return &Outcome{Status: res.Status, Header: res.Header}
	}
	if res.AuthInfo != "" {
		r.headersOut.Merge("Authentication-Info", res.AuthInfo)
	}
	return nil
}

// authSource is the request whose authentication and authorization r
// reuses, nil when r must be checked itself: Apache skips the checks of
// an internal redirect whose per-directory configuration is the one the
// request it replaced (r->prev) had, else of a subrequest whose
// configuration is its main request's, and takes that request's user.
// The configurations are compared as Apache compares them, by identity:
// the merge cache gives the same walk the same result (mergeCache keeps
// a merge in use), and a walk that merged other sections another.
func (r *Request) authSource() *Request {
	prev := r.prev
	if prev == nil {
		prev = r.prevReq()
	}
	switch {
	case prev != nil && prev.Dir == r.Dir:
		return prev
	case r.main != nil && r.main.Dir == r.Dir:
		return r.main
	}
	return nil
}

// ifWalk is ap_if_walk: in each chain of <If>/<ElseIf>/<Else>, the first
// branch whose condition holds is taken; the branches taken are merged
// with each other, then onto the request's configuration (as
// ap_if_walk_sub merges them: the last one's AuthMerging decides how
// their access rules combine with what was there).
func (t *Table) ifWalk(r *Request) *Outcome {
	sections := append(append([]*confparse.Section(nil), r.Host.ifs...), r.ifs...)
	var merged *confparse.DirConfig
	prevMatched := false
	for _, s := range sections {
		switch s.Kind {
		case confparse.SectionIf:
			prevMatched = false
		case confparse.SectionElseIf, confparse.SectionElse:
			if prevMatched {
				continue
			}
		}
		if s.Kind == confparse.SectionElse {
			merged = t.merges.merge(merged, s.Dir)
			prevMatched = true
			continue
		}
		e, err := confparse.ParseExpr(s.Path)
		if err != nil {
			return fail(500)
		}
		// The request headers a condition reads go to the response's
		// Vary, as ap_expr_exec merges them.
		ok, err := e.Eval(varyContext{exprContext: exprContext{r}})
		if err != nil {
			return fail(500)
		}
		if ok {
			merged = t.merges.merge(merged, s.Dir)
			prevMatched = true
		}
	}
	t.merge(r, merged) // not on a failed condition: Apache's walk returns first
	return nil
}

// typeChecker is mod_mime's find_ct: the content type, and a handler from
// AddHandler.
func (t *Table) typeChecker(r *Request) {
	if r.Info != nil && r.Info.IsDir() {
		r.ContentType = DirMagicType
		return
	}
	if r.Host.Types == nil || r.Filename == "" {
		return
	}
	info := static.Resolve(r.Filename, r.Host.Types, mimeDir(r.Dir))
	r.ContentType = info.ContentType
	r.encodings, r.languages = info.Encodings, info.Languages
	if info.Handler != "" {
		r.Handler = info.Handler
	}
}

// mimeDir is mod_mime's per-directory tables of a configuration.
func mimeDir(d *confparse.DirConfig) static.MimeDir {
	md := static.MimeDir{Types: d.Types, Charsets: d.Charsets, Encodings: d.Encodings,
		Languages: d.Languages, Handlers: d.Handlers, DefaultCharset: deref(d.AddDefaultCharset),
		DefaultLanguage: deref(d.DefaultLanguage)}
	if d.ForceType != nil && *d.ForceType != "none" {
		md.ForceType = *d.ForceType
	}
	return md
}

// ServeBodyRanges is Apache's byterange filter on the body of a
// handler's 200 that reaches it whole (static.ServeBodyRanges): the
// size bytes of f from offset, with the handler's headers in w.Header()
// and contentType the type of its parts. Within the request's MaxRanges,
// MaxRangeOverlaps and MaxRangeReversals it answers a Range with a 206
// (which mod_headers, having run before the filter, saw as a 200) and
// reports true; a 416 is an *static.HTTPError with nothing written.
func (r *Request) ServeBodyRanges(w http.ResponseWriter, f static.File, offset, size int64, contentType string) (bool, error) {
	opts := static.FileOptions{ContentType: contentType, RequestTime: r.Start,
		MaxRanges: rangeLimit(r.Dir.MaxRanges), MaxRangeOverlaps: rangeLimit(r.Dir.MaxRangeOverlaps),
		MaxRangeReversals: rangeLimit(r.Dir.MaxRangeReversals),
		NoSendfile:        r.Dir.EnableSendfile != nil && !*r.Dir.EnableSendfile}
	r.servesFile = true
	served, err := static.ServeBodyRanges(w, r.HTTP, f, offset, size, opts)
	r.servesFile = served
	return served, err
}

// rangeLimit is a MaxRanges, MaxRangeOverlaps or MaxRangeReversals
// value (nil: unset) as the file server takes it.
func rangeLimit(p *int) int {
	if p == nil {
		return static.RangesDefault
	}
	switch *p {
	case confparse.RangesNone:
		return static.RangesNone
	case confparse.RangesUnlimited:
		return static.RangesUnlimited
	case confparse.RangesDefault:
		return static.RangesDefault
	}
	return *p
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// fixups runs core_override_type (ForceType, SetHandler), mod_dir's
// directory handling and mod_alias's per-directory redirects.
func (h *Handler) fixups(r *Request) *Outcome {
	d := r.Dir
	if r.HTTP.TLS != nil && r.Host.tls != nil {
		h.sslFixup(r)
	}
	if r.HTTP.ProtoMajor == 2 {
		h2Env(r)
	}
	if d.ForceType != nil && *d.ForceType != "none" {
		// With AddDefaultCharset's charset, as ap_make_content_type
		// gives any type when the headers go out.
		r.ContentType = static.MakeContentType(*d.ForceType, deref(d.AddDefaultCharset))
	}
	if d.SetHandler != nil {
		v := *d.SetHandler
		if strings.Contains(v, "%{") {
			// SetHandler takes a string expression.
			var err error
			if v, err = evalStringExpr(r, v); err != nil {
				h.logf("error", "core", r, "AH03154: Can't evaluate handler expression: %s", err)
				return fail(500)
			}
		}
		if !strings.HasPrefix(v, "proxy:unix") {
			v = strings.ToLower(v)
		}
		if v != "none" {
			r.Handler = v
		}
	}
	if o := h.rewriteFixup(r); o != nil {
		return o
	}
	// mod_alias's fixup runs before mod_env's and mod_headers' (module
	// order); its redirect ends the fixups.
	if o := h.Table.perDirRedirect(r); o != nil {
		return o
	}
	if o := h.metadataFixups(r); o != nil {
		return o
	}
	if r.Info != nil && r.Info.IsDir() {
		if o := h.fixupDir(r); o != nil {
			return o
		}
	} else if r.Info == nil && r.Handler == "" {
		if o := h.fallback(r); o != nil {
			return o
		}
	}
	r.rewriteTypes()
	if h.Table.negotiation {
		fixEncoding(r)
	}
	return nil
}

// perDirRedirect is mod_alias's fixup_redir for Redirect inside
// <Directory>/.htaccess (the path form).
func (t *Table) perDirRedirect(r *Request) *Outcome {
	for _, rd := range r.Dir.Redirects {
		if rd.Expr {
			continue
		}
		target, ok := t.matchRedirect(rd, r.URI)
		if !ok {
			continue
		}
		if !isRedirectStatus(rd.Status) {
			return fail(rd.Status)
		}
		if strings.HasPrefix(target, "/") && !flagOn(r.Dir.RedirectRelative) {
			target = r.constructURL(target)
		}
		if r.HasArgs && !strings.Contains(target, "?") {
			target += "?" + r.Args
		}
		return &Outcome{Status: rd.Status, Location: target}
	}
	return nil
}

// fixupDir is mod_dir's fixup_dir: the trailing-slash redirect, then the
// DirectoryIndex sub-requests.
func (h *Handler) fixupDir(r *Request) *Outcome {
	if r.Handler == "" {
		r.Handler = DirMagicType
	}
	if r.PathInfo != "" {
		return nil
	}
	if !h.Table.Config.Tree.IsLoaded("mod_dir.c") {
		return nil
	}
	d := r.Dir
	if r.URI == "" || !strings.HasSuffix(r.URI, "/") {
		if d.DirectorySlash != nil && !*d.DirectorySlash {
			return nil
		}
		if r.Method != "GET" && r.Method != "HEAD" && r.Env.Has("redirect-carefully") {
			return nil
		}
		loc := escapeURI(r.URI) + "/"
		if r.HasArgs {
			loc += "?" + r.Args
		}
		return &Outcome{Status: 301, Location: r.constructURL(loc)}
	}
	if r.Handler == rewrite.RedirectHandler {
		return nil // mod_rewrite's internal redirect comes next
	}
	if flagOn(d.DirectoryCheckHandler) && r.Handler != DirMagicType {
		// DirectoryCheckHandler On: a handler set for the directory
		// serves it, without a directory type.
		if r.ContentType == DirMagicType {
			r.ContentType = ""
		}
		return nil
	}
	names := d.DirectoryIndex
	if names == nil {
		names = []string{"index.html"}
	}
	errNotFound := 0
	for i, name := range names {
		sub, o := h.subRequest(r, name)
		if o == nil && sub.Info != nil && sub.Info.Mode().IsRegular() {
			if rd := d.DirectoryIndexRedirect; rd != nil && isRedirectStatus(*rd) {
				// DirectoryIndexRedirect: the index file's URI, without
				// the query.
				return &Outcome{Status: *rd, Location: r.constructURL(sub.URI)}
			}
			fastRedirect(sub, r)
			return nil
		}
		if o != nil {
			last := i == len(names)-1
			if isRedirectStatus(o.Status) || (last && (o.Status == 406 || o.Status == 401)) {
				// The sub-request's answer goes out with its headers
				// (a 401's challenge, a 406's Alternates) and notes
				// (the variant list of the page).
				if sub != nil {
					r.headersOut = append(r.headersOut, sub.headersOut...)
					r.errHeadersOut = append(r.errHeadersOut, sub.errHeadersOut...)
					for k, v := range sub.Notes() {
						r.SetNote(k, v)
					}
				}
				return o
			}
			if o.Log != "" && sub != nil {
				// What stopped the sub-request is logged (AH00690).
				h.logf(o.LogLevel, o.LogModule, sub, "%s", o.Log)
			}
			if o.Status != 404 {
				errNotFound = o.Status
			}
		}
	}
	if errNotFound != 0 {
		return fail(errNotFound)
	}
	r.SetNote("dir-index-names", strings.Join(names, ","))
	return nil
}

// fallback is mod_dir's fixup_dflt, for a request that maps to no file
// and has no handler: FallbackResource's URL (with the request's query)
// is looked up as a sub-request, relative to the request's directory
// unless it starts with '/'; a regular file there takes the request
// over, keeping its method; a redirect or an error other than 404 is
// the answer; otherwise the request goes on to its 404.
func (h *Handler) fallback(r *Request) *Outcome {
	name := r.Dir.FallbackResource
	if name == nil || strings.EqualFold(*name, "disabled") || !h.Table.Config.Tree.IsLoaded("mod_dir.c") {
		return nil
	}
	uri := *name
	if r.HasArgs {
		uri += "?" + r.Args
	}
	sub, o := h.subRequest(r, uri)
	switch {
	case o == nil && sub.Info != nil && sub.Info.Mode().IsRegular():
		fastRedirect(sub, r)
		return nil
	case o != nil && o.Status != 404: // a redirect, or an error
		return o
	}
	return nil
}

// fastRedirect is ap_internal_fast_redirect: the request takes over the
// sub-request's mapping (URI, file, path info, query, handler, types,
// configuration, notes and environment) but keeps its own method, user
// and nesting depth.
func fastRedirect(sub, r *Request) {
	r.URI, r.Filename, r.PathInfo = sub.URI, sub.Filename, sub.PathInfo
	r.Args, r.HasArgs = sub.Args, sub.HasArgs
	r.Info, r.Handler, r.ContentType = sub.Info, sub.Handler, sub.ContentType
	r.encodings, r.languages = sub.encodings, sub.languages
	r.Dir, r.WSGIAlias = sub.Dir, sub.WSGIAlias
	for k, v := range sub.Notes() {
		if _, ok := r.Note(k); !ok {
			r.SetNote(k, v)
		}
	}
	// The sub-request's environment (a copy of the request's, plus
	// its own changes) overlays the request's: apr_table_overlay.
	if len(sub.Env) > 0 {
		r.Env = append(slices.Clip(sub.Env), r.Env...)
	}
	// So do its err_headers_out (a negotiation's Vary, TCN and
	// Content-Location).
	if len(sub.errHeadersOut) > 0 {
		r.errHeadersOut = append(slices.Clip(sub.errHeadersOut), r.errHeadersOut...)
	}
}

// subRequest is ap_sub_req_lookup_uri: the given URI mapped as a GET on
// the same host, with access checks; the caller decides what to do with it.
// A relative uri (already escaped, as a configured DirectoryIndex name
// is) is taken from the directory of r's URI, escaped again first as
// ap_sub_req_method_uri escapes it: the sub-request decodes the whole.
func (h *Handler) subRequest(r *Request, uri string) (*Request, *Outcome) {
	if !strings.HasPrefix(uri, "/") {
		uri = escapeURI(r.URI[:strings.LastIndexByte(r.URI, '/')+1]) + uri
	}
	sub, o := h.newSubRequest(r, uri)
	if o != nil {
		return sub, o
	}
	if !sub.HasArgs && r.HasArgs {
		sub.Args, sub.HasArgs = r.Args, true
	}
	sub.Env = slices.Clone(r.Env)
	return sub, h.mapRequest(sub)
}

// newSubRequest is a GET for uri (a path with an optional query) on the
// request's host, not mapped yet: the part ap_sub_req_lookup_uri and
// ap_internal_redirect share.
func (h *Handler) newSubRequest(r *Request, uri string) (*Request, *Outcome) {
	if h.recursionExceeded(r) {
		return nil, fail(500)
	}
	path, query, hasQuery := strings.Cut(uri, "?")
	sub := &Request{HTTP: r.HTTP, fieldOrder: r.fieldOrder, Host: r.Host, Method: "GET", UnparsedURI: uri, URI: path, Args: query,
		HasArgs: hasQuery, Hostname: r.Hostname, HostPort: r.HostPort, Local: r.Local, Remote: r.Remote, Peer: r.Peer, proxied: r.proxied,
		Scheme: r.Scheme, Dir: r.Host.Defaults, Start: r.Start,
		depth: r.depth + 1}
	r.linkSub(sub)
	// ap_process_request_internal, as for the request itself: the
	// path normalised, then decoded.
	norm, ok := NormalizePath(path, !r.Host.keepSlashes, true)
	if !ok {
		return sub, fail(400)
	}
	slashes := encodedSlashes(r.Host.AllowEncodedSlashes)
	uri, status := Unescape(norm, slashes)
	if status != 0 {
		return sub, fail(status)
	}
	if slashes == slashesDecode {
		uri, _ = NormalizePath(uri, !r.Host.keepSlashes, false)
	}
	sub.URI = uri
	return sub, nil
}

// handle runs the request's handler.
func (h *Handler) handle(w http.ResponseWriter, r *Request) *Outcome {
	if h.upgrade(w, r) {
		return nil
	}
	rewriteHeaders(w, r, false)
	if r.isTypeMap() {
		// Its negotiation adds headers the filters must see, or
		// redirects to a request that has filters of its own.
		return h.serveTypeMap(w, r)
	}
	w = h.withHeaderFilter(w, r)
	switch {
	case r.Handler == rewrite.RedirectHandler && strings.HasPrefix(r.Filename, "redirect:"):
		return h.rewriteRedirect(w, r)
	case r.wsgiHandler():
		if h.Services.WSGI == nil {
			h.logf("error", "wsgi", r, "gowsgid: the WSGI engine is not available in this build; cannot run %s", r.Filename)
			return fail(503)
		}
		if err := h.Services.WSGI(w, h, r); err != nil {
			switch e := err.(type) {
			case *Outcome:
				return e
			case *InternalRedirect:
				return h.handlerRedirect(w, r, e)
			}
			return fail(500)
		}
		return nil
	case r.Handler == DirMagicType:
		return h.serveDirectory(w, r)
	case r.Handler == traceHandler:
		return h.trace(w, r)
	case r.isStatusHandler() && h.Services.Status != nil && h.Services.Status(w, h, r):
		return nil
	}
	if o, ok := h.action(w, r); ok {
		return o
	}
	return h.defaultHandler(w, r)
}

// withHeaderFilter is w with the header filter when r's response needs
// one (see filtersResponse). A TRACE is answered at map_to_storage,
// before Apache inserts the output filters.
func (h *Handler) withHeaderFilter(w http.ResponseWriter, r *Request) http.ResponseWriter {
	if r.Handler != traceHandler && r.filtersResponse() {
		return h.insertHeaderFilter(w, r)
	}
	return w
}

// action is mod_actions' handler, which runs when no other handler took
// the request: a Script for its method (GET only with a query string),
// or an Action for its handler name or media type, answers it through
// an internal redirect to the script with the request's URI appended
// (the handler name goes along as REDIRECT_HANDLER). ok is false when
// neither applies.
func (h *Handler) action(w http.ResponseWriter, r *Request) (o *Outcome, ok bool) {
	d := r.Dir
	if d == nil || len(d.Actions) == 0 && len(d.MethodScripts) == 0 {
		return nil, false
	}
	script := ""
	method := r.Method
	if method == "HEAD" {
		method = "GET" // r->method_number of a HEAD is M_GET
	}
	if method != "GET" || r.HasArgs {
		script = d.MethodScripts[method]
	}
	if p := r.prevReq(); script != "" && p != nil && p.prevReq() != nil {
		return nil, false // a script that does not answer would loop
	}
	name := r.Handler
	if name == "" {
		name, _, _ = strings.Cut(r.ContentType, ";")
		name = strings.TrimSpace(name)
	}
	if a, found := d.Actions[strings.ToLower(name)]; name != "" && found {
		if !a.Virtual && r.Info == nil {
			h.logf("info", "actions", r, "AH00652: File does not exist: %s", r.Filename)
			return fail(404), true
		}
		script = a.Script
		r.setEnv("HANDLER", name)
	}
	if script == "" {
		return nil, false
	}
	target := script + escapeURI(r.URI)
	if r.HasArgs {
		target += "?" + r.Args
	}
	return h.internalRedirect(w, r, target, nil), true
}

// defaultHandler is core's default_handler: plain files for GET, HEAD and
// POST; OPTIONS; 405 for the other methods Apache knows, 501 for the rest.
func (h *Handler) defaultHandler(w http.ResponseWriter, r *Request) *Outcome {
	traceOff := r.Host.TraceEnable == "off"
	if o := h.checkBodyLimit(r); o != nil {
		return o
	}
	// Whatever it answers, it reads the body away first: a body whose
	// framing Apache refuses is that answer (400, 413), before a 404
	// or 405 could be. (A client still waiting for 100 Continue is not
	// asked for a body here: a file's answer asks for it, any other
	// closes the connection instead. A subrequest reads nothing, nor does
	// an error document after the body failed: Apache's connection is
	// AP_CONN_CLOSE by then.)
	if r.depth == 0 && !discardsNothing(r.HTTP) && !awaitingContinue(r.HTTP) {
		if he, ok := static.DiscardBody(handlerRequest(r)).(*static.HTTPError); ok {
			return &Outcome{Status: he.Status}
		}
	}
	switch r.Method {
	case "GET", "HEAD", "POST":
	case "OPTIONS":
		w.Header().Set("Allow", allowHeader(traceOff))
		if r.ContentType != "" {
			w.Header().Set("Content-Type", r.ContentType)
		} else {
			w.Header()["Content-Type"] = nil
		}
		if len(r.encodings) > 0 {
			w.Header().Set("Content-Encoding", strings.Join(r.encodings, ", "))
		}
		if len(r.languages) > 0 {
			w.Header().Set("Content-Language", strings.Join(r.languages, ","))
		}
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(200)
		return nil
	default:
		if !h.Table.Config.MethodKnown(r.Method) {
			h.logf("error", "core", r, "AH00135: Invalid method in request %s", requestLine(r))
			return &Outcome{Status: 501, Header: http.Header{"Allow": {allowHeader(traceOff)}}}
		}
		return &Outcome{Status: 405, Header: http.Header{"Allow": {allowHeader(traceOff)}}}
	}
	if r.Info == nil {
		h.logf("info", "core", r, "AH00128: File does not exist: %s%s", r.Filename, r.PathInfo)
		return fail(404)
	}
	if r.Info.IsDir() {
		h.logf("info", "core", r, "AH00129: Attempt to serve directory: %s", r.Filename)
		return fail(404)
	}
	if r.PathInfo != "" && (r.Dir.AcceptPathInfo == nil || *r.Dir.AcceptPathInfo != "on") {
		h.logf("info", "core", r, "AH00130: File does not exist: %s%s", r.Filename, r.PathInfo)
		return fail(404)
	}
	f, err := h.Table.stat.Open(r.Filename)
	if err != nil {
		h.logf("error", "core", r, "(13)Permission denied: AH00132: file permissions deny server access: %s", r.Filename)
		return fail(403)
	}
	defer f.Close()
	opts := static.FileOptions{ContentType: r.ContentType, Encodings: r.encodings, Languages: r.languages,
		ETag: etagBits(r.Dir.FileETag), VListValidator: r.vlist, TraceDisabled: traceOff, Status: r.errorStatus,
		MaxRanges: rangeLimit(r.Dir.MaxRanges), MaxRangeOverlaps: rangeLimit(r.Dir.MaxRangeOverlaps),
		MaxRangeReversals: rangeLimit(r.Dir.MaxRangeReversals),
		NoSendfile:        r.Dir.EnableSendfile != nil && !*r.Dir.EnableSendfile}
	// The file's information is the directory walk's, as Apache's
	// default handler serves r->finfo.
	r.servesFile = true
	if err := static.ServeFile(w, handlerRequest(r), f, r.Info, opts); err != nil {
		if he, ok := err.(*static.HTTPError); ok {
			return &Outcome{Status: he.Status, Header: he.Header, Filtered: he.Status == 416}
		}
		return nil // the client went away mid-body
	}
	return nil
}

// handlerRequest is the HTTP request a handler answers: r's, with r's
// method (an error document is served as a GET; for HEAD, net/http
// drops the body).
func handlerRequest(r *Request) *http.Request {
	hr := r.HTTP
	if hr.Method != r.Method {
		c := *hr
		c.Method = r.Method
		hr = &c
	}
	return hr
}

// DefaultLimitRequestBody is core's AP_DEFAULT_LIMIT_REQ_BODY (1 GiB since
// 2.4.54): LimitRequestBody when no section sets it.
const DefaultLimitRequestBody = 1 << 30

// checkBodyLimit is the LimitRequestBody check of ap_http_filter, met when
// the default handler discards the request body: a Content-Length over
// the limit (0 is none) is 413, sent without a Content-Length as Apache
// sends errors raised in its filters.
func (h *Handler) checkBodyLimit(r *Request) *Outcome {
	if r.depth > 0 || r.errorStatus != 0 || r.HTTP.ProtoMajor == 2 {
		// Over HTTP/2 ap_discard_request_body reads nothing: mod_http2
		// marks the stream's connection AP_CONN_CLOSE.
		return nil
	}
	limit := int64(DefaultLimitRequestBody)
	if r.Dir.LimitRequestBody != nil {
		limit = *r.Dir.LimitRequestBody
	}
	switch {
	case limit == 0:
		return nil
	case r.HTTP.ContentLength < 0 && r.HTTP.Body != nil && !discardsNothing(r.HTTP):
		// A chunked body: ap_http_filter counts it as it comes, a
		// read at a time (up to the rest of the chunk), and says how
		// much it had read when the count passed the limit. The
		// default handler reads it away first thing, as here, 8 KiB
		// a read as ap_discard_request_body asks.
		n, err := readPastLimit(r.HTTP.Body, limit)
		if n > limit {
			return &Outcome{Status: 413, Filtered: true, LogLevel: "info", LogModule: "http",
				Log: fmt.Sprintf("AH01591: Read content length of %d is larger than the configured limit of %d", n, limit)}
		}
		if status := static.DiscardStatus(err); status != 0 {
			return fail(status)
		}
		return nil
	case r.HTTP.ContentLength <= limit:
		return nil
	}
	return &Outcome{Status: 413, Filtered: true, LogLevel: "info", LogModule: "http",
		Log: fmt.Sprintf("AH01588: Requested content-length of %d is larger than the configured limit of %d", r.HTTP.ContentLength, limit)}
}

func etagBits(s *confparse.FileETagSpec) static.ETagBits {
	b := s.Effective()
	return static.ETagBits{INode: b&confparse.ETagINode != 0, MTime: b&confparse.ETagMTime != 0,
		Size: b&confparse.ETagSize != 0, Digest: b&confparse.ETagDigest != 0}
}

func requestLine(r *Request) string {
	return r.Method + " " + r.UnparsedURI + " " + r.HTTP.Proto
}

// trace echoes the request as message/http (TraceEnable On): the
// request line and the header fields, then a body Apache sends chunked
// (flushing the header first makes net/http chunk too). The header
// fields are headers_in's, in the order and spelling received. A
// request body is not echoed
// (TraceEnable Extended is not supported: its body is refused with 413).
func (h *Handler) trace(w http.ResponseWriter, r *Request) *Outcome {
	var body []byte
	switch cl := r.HTTP.ContentLength; {
	case cl == 0:
	case r.original().Host.TraceEnable != "extended":
		return &Outcome{Status: 413, Notes: "TRACE with a request body is not allowed"}
	case cl > 65536:
		return &Outcome{Status: 413, Notes: "Extended TRACE request bodies cannot exceed 64k\n"}
	default:
		// TraceEnable extended echoes a body: up to 64 KiB, or what
		// fits Apache's 73730-byte buffer for a chunked one.
		limit := int64(73730 - 32)
		if cl > 0 {
			limit = cl
		}
		var err error
		body, err = io.ReadAll(io.LimitReader(r.HTTP.Body, limit+1))
		switch {
		case err != nil:
			return fail(400)
		case int64(len(body)) > limit:
			io.Copy(io.Discard, r.HTTP.Body)
			return &Outcome{Status: 413, Notes: "Extended TRACE request bodies cannot exceed 64k\n"}
		}
	}
	var b strings.Builder
	b.WriteString(requestLine(r) + "\r\n")
	r.eachRequestHeader(func(name, value string) {
		b.WriteString(name + ": " + value + "\r\n")
	})
	b.WriteString("\r\n")
	b.Write(body)
	w.Header().Set("Content-Type", "message/http")
	w.WriteHeader(200)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	io.WriteString(w, b.String())
	return nil
}

// serveDirectory is mod_autoindex's handler for a directory with no index
// file, or the answer Apache gives without it.
func (h *Handler) serveDirectory(w http.ResponseWriter, r *Request) *Outcome {
	if !h.Table.autoindex || r.Method != "GET" && r.Method != "HEAD" {
		// mod_autoindex declines before it looks at Options: the
		// default handler answers (OPTIONS 200, POST 404, others 405
		// or 501).
		return h.defaultHandler(w, r)
	}
	if r.Dir.Options.Opts&confparse.OptIndexes == 0 {
		// mod_autoindex declines when Options Indexes is off.
		idx, ok := r.Note("dir-index-names")
		if !ok {
			idx = "none" // mod_dir never looked (DirectorySlash Off, no slash)
		}
		h.logf("error", "autoindex", r, "AH01276: Cannot serve directory %s: No matching DirectoryIndex (%s) found, and server-generated directory index forbidden by Options directive", r.Filename, idx)
		return fail(403)
	}
	opts := static.IndexOptions{URI: r.URI, Signature: h.signature(r), ETag: etagBits(r.Dir.FileETag),
		TraceDisabled: r.Host.TraceEnable == "off", Types: r.Host.Types, Mime: mimeDir(r.Dir), Status: r.errorStatus,
		MaxRanges: rangeLimit(r.Dir.MaxRanges), MaxRangeOverlaps: rangeLimit(r.Dir.MaxRangeOverlaps),
		MaxRangeReversals: rangeLimit(r.Dir.MaxRangeReversals)}
	opts.Merged = indexOptionsMerge(r.Dir.IndexOptions)
	for _, p := range r.Dir.IndexIgnore {
		opts.Ignore = append(opts.Ignore, static.IndexIgnore{Pattern: p})
	}
	h.indexDecorations(r, &opts)
	showForbidden := opts.ShowForbidden()
	opts.Hide = func(name string, link fs.FileInfo) bool { return h.direntHidden(r, name, link, showForbidden) }
	// mod_autoindex reads r->method, r->header_only and r->args: an
	// error document's (a GET, but still header-only for HEAD, with the
	// ErrorDocument's query), a rewritten query.
	hr := handlerRequest(r)
	if headOnly := r.HTTP.Method == http.MethodHead; hr.URL.RawQuery != r.Args || headOnly && hr.Method != http.MethodHead {
		c, u := *hr, *hr.URL
		u.RawQuery = r.Args
		c.URL = &u
		if headOnly {
			c.Method = http.MethodHead
		}
		hr = &c
	}
	if hr.Method == http.MethodHead {
		r.SetHandoff(HandoffEndOnly) // mod_autoindex returns before the listing
	}
	if err := static.ServeIndex(w, hr, r.Filename, opts); err != nil {
		if he, ok := err.(*static.HTTPError); ok {
			// A 416 comes from the byterange filter, as for a file.
			return &Outcome{Status: he.Status, Header: he.Header, Filtered: he.Status == 416}
		}
		return fail(500)
	}
	return nil
}

// indexOptionsMerge is the configuration's record of merged IndexOptions
// for the static handler.
func indexOptionsMerge(m *confparse.IndexOptionsMerge) *static.IndexOptionsMerge {
	if m == nil {
		return nil
	}
	return &static.IndexOptionsMerge{Words: m.Words, Base: indexOptionsMerge(m.Base), Add: indexOptionsMerge(m.Add)}
}

// indexDecorations gives a listing mod_autoindex's icons, alt texts,
// descriptions, default icon, header and readme files, style sheet,
// head insert and default order from the request's configuration.
func (h *Handler) indexDecorations(r *Request, opts *static.IndexOptions) {
	d := r.Dir
	for _, ic := range d.IndexIcons {
		kind := static.ByPath
		switch ic.Kind {
		case "type":
			kind = static.ByType
		case "encoding":
			kind = static.ByEncoding
		}
		if ic.Alt {
			for _, n := range ic.Names {
				opts.Alts = append(opts.Alts, static.IndexItem{Kind: kind, Match: n, Value: ic.Value, Dir: ic.Dir})
			}
			continue
		}
		if icons, alts, err := static.ParseAddIcon(kind, ic.Dir, ic.Value, ic.Names...); err == nil {
			opts.Icons = append(opts.Icons, icons...)
			opts.Alts = append(opts.Alts, alts...)
		}
	}
	for _, ds := range d.IndexDescriptions {
		for _, f := range ds.Files {
			opts.Descriptions = append(opts.Descriptions, static.IndexDescription{Match: f, Text: ds.Text})
		}
	}
	opts.DefaultIcon = deref(d.DefaultIcon)
	opts.HeaderName, opts.ReadmeName = deref(d.HeaderName), deref(d.ReadmeName)
	opts.StyleSheet, opts.HeadInsert = deref(d.IndexStyleSheet), deref(d.IndexHeadInsert)
	opts.OrderDefault = d.IndexOrderDefault
	// HeaderName and ReadmeName are sub-requests for a URI relative to
	// the directory.
	opts.Include = func(name string) (string, static.TypeInfo, bool) {
		sub, o := h.subRequest(r, name)
		if o != nil || sub.Info == nil || !sub.Info.Mode().IsRegular() {
			return "", static.TypeInfo{}, false
		}
		return sub.Filename, static.TypeInfo{ContentType: sub.ContentType, Encodings: sub.encodings}, true
	}
}

// direntHidden is mod_autoindex's test of a directory entry:
// ap_sub_req_lookup_dirent resolves a symbolic link with the server's
// default Options, then maps the entry as a request with its file name
// already known; the entry is left out unless that finds a file or
// directory and passes every check (a redirect counts as passing; with
// IndexOptions ShowForbidden, so do a 401 and a 403).
func (h *Handler) direntHidden(r *Request, name string, link fs.FileInfo, showForbidden bool) bool {
	dir := r.Filename
	if !strings.HasSuffix(dir, "/") {
		dir += "/"
	}
	udir := r.URI[:strings.LastIndexByte(r.URI, '/')+1]
	sub := &Request{HTTP: r.HTTP, fieldOrder: r.fieldOrder, Host: r.Host, Method: "GET", UnparsedURI: r.UnparsedURI,
		URI: escapeURI(udir + name), Filename: dir + name, Hostname: r.Hostname, HostPort: r.HostPort,
		Local: r.Local, Remote: r.Remote, Peer: r.Peer, proxied: r.proxied, Scheme: r.Scheme,
		Dir: r.Host.Defaults, depth: r.depth + 1, familiar: true}
	r.linkSub(sub)
	fi := link
	if link.Mode()&fs.ModeSymlink != 0 {
		target, ok := resolveSymlink(h.Table.stat, sub.Filename, link, r.Host.Defaults.Options.Opts)
		if !ok {
			return true
		}
		fi = target
	}
	if fi.IsDir() {
		sub.Filename += "/"
		sub.URI += "/"
	}
	if o := h.mapFile(sub); o != nil && !isRedirectStatus(o.Status) {
		if o.Log != "" {
			// The sub-request's walk logs what stopped it (AH00037).
			h.logf(o.LogLevel, o.LogModule, sub, "%s", o.Log)
		}
		if !showForbidden || (o.Status != 401 && o.Status != 403) {
			return true
		}
		// The sub-request's finfo is the entry's, whatever refused it.
		return !(fi.IsDir() || fi.Mode().IsRegular())
	}
	return sub.Info == nil || !(sub.Info.IsDir() || sub.Info.Mode().IsRegular())
}

// signature is ap_psignature for the request.
func (h *Handler) signature(r *Request) string {
	mode := "off"
	if r.Dir.ServerSignature != nil {
		mode = *r.Dir.ServerSignature
	}
	return Signature("", mode, h.Table.Banner, r.serverName(), r.serverPort(), r.Host.Admin)
}

// sendError is ap_die: the ErrorDocument for the status, if any (a
// message, a URL to redirect to, or a local path served by an internal
// redirect that keeps the status), else the canned page.
func (h *Handler) sendError(w http.ResponseWriter, r *Request, o *Outcome) {
	w = unwrapFilter(w)
	if r.HTTP.ProtoMajor < 2 {
		// ap_die: the error's status decides, whatever answers it (an
		// ErrorDocument's redirect or page), and a status that drops
		// the connection leaves the body unread.
		CloseForStatus(w.Header(), o.Status)
		if dropsConnection(o.Status) {
			closeForDiscard(r.HTTP)
		}
	}
	if c, ok := w.(*compressor); ok {
		// ap_send_error_response drops the content filters.
		w = c.bypass()
	}
	if o.Filtered {
		// The response went through the output filters, which merged
		// err_headers_out into the headers_out the error drops.
		r.errHeadersOut = nil
	}
	if o.Log != "" {
		h.logf(o.LogLevel, o.LogModule, r, "%s", o.Log)
	}
	if !o.Filtered {
		// ap_http_header_filter's check_headers: headers_out (the
		// Location), then err_headers_out ([CO=]'s cookies). A field it
		// refuses has ap_die answer 500 with both tables cleared.
		loc, msg := checkHeader("Location", o.Location)
		if msg == "" {
			msg = checkRewriteCookies(w, r, false)
		} else {
			checkRewriteCookies(w, r, true)
		}
		if msg != "" {
			h.logf("error", "http", r, "%s", msg)
			countRefused(w, h.refusedPageLength(r, o))
			o = &Outcome{Status: 500, Filtered: true, Additionally: o.Status}
		} else if loc != o.Location {
			folded := *o
			folded.Location = loc
			o = &folded
		}
	}
	recursive, custom := o.Additionally, ""
	switch doc := h.errorDocument(r, o.Status); {
	case recursive != 0:
	case doc == "":
	case doc[0] == '"':
		custom = doc[1:]
	case isURL(doc):
		o = &Outcome{Status: 302, Location: doc, Header: o.Header}
	case doc[0] == '/':
		// An authentication challenge is in err_headers_out, which the
		// redirect shares: a 401's document goes out with it.
		for _, v := range o.Header.Values("WWW-Authenticate") {
			r.errHeadersOut.Add("WWW-Authenticate", v)
		}
		failed := h.errorRedirect(w, r, o.Status, doc, o.Notes)
		if failed == 0 {
			return
		}
		// The redirect failed: ap_die's page says so, naming the
		// status the redirect inherited (the original error's), and
		// goes out on the original request. The log reads the
		// redirect's request: its status, and no bytes.
		recursive, r.loggedStatus = o.Status, failed
		if f := r.Final(); f != r {
			f.redirectFailed = true
		}
		if r.HTTP.ProtoMajor < 2 {
			CloseForStatus(w.Header(), failed) // ap_die on the redirect's status
		}
	default:
		h.logf("error", "core", r, "AH01580: Invalid error redirection directive: %s", doc)
		recursive = 500
	}
	h.sendErrorResponse(w, r, o, recursive, custom)
}

// pageLocation is what an error page for status shows as its location:
// the redirect's, or for a 417 the request's Expect field (as Apache
// merges its fields).
func pageLocation(r *Request, status int, location string) string {
	if status == http.StatusExpectationFailed {
		return strings.Join(r.HTTP.Header["Expect"], ", ")
	}
	return location
}

// refusedPageLength is the length of the page Apache made for o before
// the check of its headers refused them (ap_send_error_response wrote
// it): 0 for an answer without a body, or one an ErrorDocument redirect
// makes.
func (h *Handler) refusedPageLength(r *Request, o *Outcome) int64 {
	if r.Method == "HEAD" || o.Status == 304 || o.Status == 204 {
		return 0
	}
	switch doc := h.errorDocument(r, o.Status); {
	case doc == "":
		return int64(len(ErrorPage(o.Status, r.Method, pageLocation(r, o.Status, o.Location), o.Notes, r.Host.Admin, 0, h.sigLine(r))))
	case doc[0] == '"':
		return int64(len(doc) - 1)
	}
	return 0
}

// errorDocument is the ErrorDocument for status that applies to the
// request (ap_response_code_string), evaluated; "" when none applies. A
// request made to serve an error document has none.
func (h *Handler) errorDocument(r *Request, status int) string {
	if r.Dir == nil || r.depth > 0 {
		return ""
	}
	doc, ok := r.Dir.ErrorDocuments[status]
	if !ok || doc == "default" {
		return ""
	}
	if strings.Contains(doc, "%{") {
		if e, err := confparse.ParseExprString(doc); err == nil {
			if v, err := e.EvalString(exprContext{r}); err == nil {
				doc = v
			}
		}
	}
	return doc
}

// errorRedirect serves a local ErrorDocument: ap_internal_redirect of a
// GET for uri that answers with the error's status (HEAD stays
// header-only: net/http drops the body of an answer to HEAD). It returns 0 when it answered, else the status the error
// document request failed with (ap_die's recursive error).
func (h *Handler) errorRedirect(w http.ResponseWriter, r *Request, status int, uri string, notes string) int {
	sub, o := h.newSubRequest(r, uri)
	if o != nil {
		return o.Status
	}
	sub.errorStatus = status
	// An internal redirect, not a subrequest.
	sub.main = r.main
	if r.Host.rewrite != nil {
		sub.ln = &requestLinks{prev: r}
	}
	// rename_original_env and ap_die's variables.
	for _, kv := range r.Env {
		sub.setEnv("REDIRECT_"+kv.Key, kv.Value)
	}
	sub.setEnv("REDIRECT_REQUEST_METHOD", r.Method)
	if notes != "" {
		sub.setEnv("REDIRECT_ERROR_NOTES", notes)
	}
	sub.setEnv("REDIRECT_STATUS", strconv.Itoa(status))
	sub.prev = r
	r.Next = sub
	// The redirect shares err_headers_out and is read anew.
	sub.errHeadersOut = r.errHeadersOut
	h.postReadRequest(sub)
	if o := h.mapRequest(sub); o != nil {
		return o.Status
	}
	ew := http.ResponseWriter(&statusWriter{ResponseWriter: w, status: status})
	if sub.wsgiHandler() {
		// mod_wsgi sets r->status from the application's status line.
		ew = w
	}
	if o := h.handle(ew, sub); o != nil {
		return o.Status
	}
	return 0
}

// statusWriter sends a handler's 200 as the error status an error
// document is served with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if code == http.StatusOK {
		code = s.status
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) { return s.ResponseWriter.Write(b) }

// Flush lets handlers that stream flush through the wrapper.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// sendErrorResponse is ap_send_error_response: the headers Apache keeps
// (Location on a redirect, Allow on 405 and 501, the access checkers'),
// Content-Type text/html; charset=iso-8859-1 (without the charset under
// suppress-error-charset), and the canned page (or an
// ErrorDocument message) with the signature and, after a failed error
// document, "Additionally, a ... error". HEAD gets the header only,
// without a Content-Length.
func (h *Handler) sendErrorResponse(w http.ResponseWriter, r *Request, o *Outcome, recursive int, custom string) {
	rewriteHeaders(w, r, true)
	hdr := w.Header()
	for k, v := range o.Header {
		// HTTP/2 has no Connection header: Go's server would end the
		// whole connection for "close", where mod_http2 ends the stream.
		if r.HTTP.ProtoMajor >= 2 && k == "Connection" {
			continue
		}
		if k == "Www-Authenticate" {
			k = "WWW-Authenticate" // Apache's spelling, not Go's canonical one
		}
		hdr[k] = v
	}
	unframed := false
	if BodyFailed(r.HTTP) && r.HTTP.ProtoMajor == 1 {
		// The body's end is unknown: no request may follow.
		hdr.Set("Connection", "close")
		hdr.Del("Keep-Alive")
		if be := framingError(r.HTTP); be != nil && be.Status == o.Status {
			// Apache's error page for it: the trailer's note, or, for
			// a chunk line its input filter answered itself, no length
			// (the close ends the page).
			if o.Notes == "" {
				o.Notes = be.Notes
			}
			if unframed = be.Unframed; unframed {
				hdr.Set("Transfer-Encoding", "identity")
			}
		}
	}
	status := o.Status
	if status != 405 && status != 501 {
		hdr.Del("Allow")
	} else if _, set := hdr["Allow"]; !set {
		hdr.Set("Allow", allowHeader(r.Host.TraceEnable == "off"))
	}
	if o.Location != "" && (isRedirectStatus(status) || status == 201) {
		hdr.Set("Location", o.Location)
	}
	if status == 304 || status == 204 {
		h.writeErrorHeader(w, r, status)
		return
	}
	ct := "text/html; charset=iso-8859-1"
	if _, ok := r.Env.Get("suppress-error-charset"); ok {
		ct = "text/html" // for browsers that show the page in the charset named
	}
	hdr.Set("Content-Type", ct)
	// ap_send_error_response sets r->content_type too: expressions of
	// the header filter (%{CONTENT_TYPE}) see the page's type.
	r.ContentType = ct
	if o.Filtered && r.HTTP.ProtoMajor == 1 {
		closing := connectionHas(hdr["Connection"], "close")
		if !closing && status == 416 {
			h.recountKeepAlive(hdr, r)
		}
		unframed = filteredPageFraming(hdr, r.HTTP, closing) || unframed
	}
	if r.Method == "HEAD" {
		h.writeErrorHeader(w, r, status)
		return
	}
	body := custom
	if body == "" {
		body = ErrorPage(status, r.Method, pageLocation(r, status, o.Location), o.Notes, r.Host.Admin, recursive, h.sigLine(r))
	}
	if !o.Filtered && !unframed {
		hdr.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if !h.writeErrorHeader(w, r, status) {
		return
	}
	if f, ok := w.(http.Flusher); ok && o.Filtered {
		f.Flush()
	}
	io.WriteString(w, body)
	if o.Then != 0 {
		io.WriteString(w, ErrorPage(o.Then, r.Method, "", "", r.Host.Admin, 0, h.sigLine(r)))
		r.loggedStatus = o.Then
	}
}

// AppendErrorPage is ap_die for an error a handler returns after its
// response's head went out: the error page (the built-in one, or an
// ErrorDocument's text; a document at a URL or path cannot follow a
// sent head and gives the built-in page) goes out as more of the body
// when send is set, and the access log records status.
func (h *Handler) AppendErrorPage(w http.ResponseWriter, r *Request, status int, send bool) {
	r.loggedStatus = status
	if !send || r.Method == http.MethodHead {
		return
	}
	page := ""
	if doc := h.errorDocument(r, status); doc != "" && doc[0] == '"' {
		page = doc[1:]
	} else {
		page = ErrorPage(status, r.Method, "", "", r.Host.Admin, 0, h.sigLine(r))
	}
	io.WriteString(w, page)
}

// readPastLimit reads body away until it ends or the bytes read pass
// limit, and returns how many were read.
func readPastLimit(body io.Reader, limit int64) (int64, error) {
	var buf [8192]byte
	var n int64
	for n <= limit {
		m, err := body.Read(buf[:])
		n += int64(m)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// allowHeaderUnhandled is make_allow for a request no handler has seen.
func allowHeaderUnhandled(traceOff bool) string {
	if traceOff {
		return ""
	}
	return "TRACE"
}

// allowHeader is make_allow for the default handler.
func allowHeader(traceOff bool) string {
	if traceOff {
		return "GET,POST,OPTIONS,HEAD"
	}
	return "GET,POST,OPTIONS,HEAD,TRACE"
}

func (h *Handler) sigLine(r *Request) string {
	if r.Dir == nil {
		return ""
	}
	if s := h.signature(r); s != "" {
		return "<hr>\n" + s
	}
	return ""
}
