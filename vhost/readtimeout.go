package vhost

import (
	"errors"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/http1"
	"github.com/gowsgid/gowsgid/internal/reqtimeout"
)

// readTimeouts are a host's RequestReadTimeout stages: the header
// stage of the connections whose base server it is, the body stage of
// its requests.
type readTimeouts struct {
	header, body reqtimeout.Stage
	on           bool
}

func newReadTimeouts(cfg *confparse.Config, s *confparse.Server) readTimeouts {
	header, body, on := cfg.ReadTimeouts(s)
	stage := func(st confparse.ReadTimeoutStage) reqtimeout.Stage {
		return reqtimeout.Stage{Timeout: time.Duration(st.Timeout) * time.Second,
			MaxTimeout: time.Duration(st.MaxTimeout) * time.Second, MinRate: st.MinRate}
	}
	return readTimeouts{header: stage(header), body: stage(body), on: on}
}

// HeaderTimeout is the header stage for connections accepted on local,
// which their base server decides as mod_reqtimeout's reqtimeout_init
// does; ok is false when their reads are not timed at all.
func (t *Table) HeaderTimeout(local netip.AddrPort) (stage reqtimeout.Stage, ok bool) {
	h := t.Host(t.Addrs.ForConnection(local).Base)
	return h.readTimeouts.header, h.readTimeouts.on
}

// StrictLineEnds reports whether the request heads of a connection to
// local may not end a line with a bare LF: HttpProtocolOptions Strict
// (the default) of the connection's server, under which Apache reads
// the heads (ap_rgetline with AP_GETLINE_CRLF).
func (t *Table) StrictLineEnds(local netip.AddrPort) bool {
	return t.Host(t.Addrs.ForConnection(local).Base).strictLineEnds
}

// timeBody puts the request body under the body stage of the request's
// host (mod_reqtimeout's reqtimeout_before_body), when its connection's
// reads are timed and it has a body. logf receives the lines Apache
// logs about a body whose framing it refuses.
func timeBody(r *Request, logf func(level, module, msg string)) {
	hr := r.HTTP
	if c := reqtimeout.FromContext(hr.Context()); c != nil {
		c.StartBody(r.Host.readTimeouts.body)
		// On a copy of the request: net/http decides from its own
		// request's Body type whether the body was left unread (then
		// the connection closes rather than read it as the next
		// request) and whether a client waits for 100 Continue.
		timed := new(http.Request)
		*timed = *hr
		tb := &timedBody{ReadCloser: hr.Body, conn: c, logf: logf}
		tb.closing.Store(http1.FramingCloses(hr.Body))
		timed.Body = tb
		r.HTTP = timed
	}
}

// hasBody reports whether a request comes with a body to read (and to
// time): the caller makes timeBody's logger only then.
func hasBody(hr *http.Request) bool {
	return hr.Body != nil && hr.Body != http.NoBody
}

// timedBody ends the body stage when the body has been read, and
// remembers a body that could not be read to its end.
type timedBody struct {
	io.ReadCloser
	conn              *reqtimeout.Conn
	logf              func(level, module, msg string)
	read, eof, failed atomic.Bool
	// closing: Apache's connection is AP_CONN_CLOSE already (a framing
	// that closes it, an error status that drops it), and its discards
	// of the body read nothing.
	closing atomic.Bool
	// framing is the error of a body whose framing Apache refuses.
	framing atomic.Pointer[http1.BodyError]
}

func (b *timedBody) Read(p []byte) (int, error) {
	b.read.Store(true)
	n, err := b.ReadCloser.Read(p)
	switch {
	case err == io.EOF:
		b.eof.Store(true)
		b.conn.EndBody()
	case err != nil:
		var be *http1.BodyError
		if !errors.As(err, &be) || !b.framing.CompareAndSwap(nil, be) {
			be = nil
		}
		if b.failed.Swap(true) || be == nil || b.logf == nil {
			break
		}
		for _, l := range be.Logs {
			b.logf(l.Level, l.Module, l.Msg)
		}
	}
	return n, err
}

// NoDiscard reports whether a discard of the body reads nothing (static's
// DiscardBody), as Apache's ap_discard_request_body on a connection it
// marked AP_CONN_CLOSE: a read of the body failed, the framing closes
// the connection, or the answer is an error that drops it.
func (b *timedBody) NoDiscard() bool { return b.failed.Load() || b.closing.Load() }

// closeForDiscard marks hr's connection as closing for the body's
// discards (ap_die on a status that drops the connection).
func closeForDiscard(hr *http.Request) {
	if b, ok := hr.Body.(*timedBody); ok {
		b.closing.Store(true)
	}
}

// discardsNothing reports whether Apache's discard of hr's body reads
// nothing (NoDiscard).
func discardsNothing(hr *http.Request) bool {
	b, ok := hr.Body.(*timedBody)
	return ok && b.NoDiscard()
}

// framingError is the error of r's body when Apache refuses its
// framing (a broken chunk or trailer), nil otherwise.
func framingError(hr *http.Request) *http1.BodyError {
	if b, ok := hr.Body.(*timedBody); ok {
		return b.framing.Load()
	}
	return nil
}

// drainLimit is how much of a body its handler left unread is read
// away after the response (net/http's maxPostHandlerReadBytes): a
// longer rest closes the connection instead.
const drainLimit = 256 << 10

// drainBody reads away what the handler left of the request's body, as
// Apache's ap_discard_request_body does, and reports whether the body
// failed (then nothing after it may be read as a request). net/http
// would read the rest itself, but it swallows a malformed chunk and
// reads on after it.
func drainBody(hr *http.Request) bool {
	b, ok := hr.Body.(*timedBody)
	if !ok {
		return false
	}
	if awaitingContinue(hr) {
		// The client waits for 100 Continue before it sends the
		// body: nothing is read (net/http closes the connection).
		return false
	}
	if !b.eof.Load() && !b.NoDiscard() {
		io.CopyN(io.Discard, b, drainLimit)
	}
	return b.failed.Load()
}

// awaitingContinue reports whether hr's client waits for 100 Continue
// before it sends the body, and nothing has asked for the body yet.
func awaitingContinue(hr *http.Request) bool {
	b, ok := hr.Body.(*timedBody)
	return ok && !b.read.Load() && strings.EqualFold(hr.Header.Get("Expect"), "100-continue")
}

// BodyFailed reports whether reading the request's body failed (a
// malformed chunk, a limit, a client gone or too slow): where the body
// ends is then unknown, so nothing after it may be read as another
// request. net/http would go on reading the connection (its body's
// Close swallows a chunk error), so a handler that answers after such a
// read must close it (Connection: close), as Apache does.
func BodyFailed(hr *http.Request) bool {
	b, ok := hr.Body.(*timedBody)
	return ok && b.failed.Load()
}

// ServeBadLine answers a request line that could not be read as a
// method, a request-target and a version (line, as received), or a
// header field line that could not be read (field, with its line end),
// as Apache's ap_read_request does: 400 from the connection's server,
// with no header field read, the line logged as it came. A line ended
// by a bare LF (HttpProtocolOptions Strict refuses it) comes with its
// LF. hr carries the line's first word as method and its second, if
// any, as target.
func (h *Handler) ServeBadLine(w http.ResponseWriter, hr *http.Request, line, field string) {
	now := time.Now()
	// Apache logs the line as it rebuilds it: its first three words,
	// one space apart; a line it could not read, as it read it.
	note, bad := badLineNote(strings.TrimSuffix(line, "\r\n"))
	if strings.HasSuffix(line, "\n") {
		bad = line
	}
	r := &Request{HTTP: hr, Method: hr.Method, UnparsedURI: hr.RequestURI, Scheme: "http", Start: now, LineOnly: true,
		BadLine: &bad}
	if hr.TLS != nil {
		r.Scheme = "https"
	}
	r.resp = Response{ResponseWriter: w, head: hr.Method == "HEAD"}
	r.Response = &r.resp
	t := h.Table
	h.connection(r)
	r.Host = t.Host(t.Addrs.ForConnection(r.Local).Base)
	r.Dir = r.Host.Defaults
	hdr := w.Header()
	hdr["Date"] = t.date.header(now)
	hdr["Server"] = t.server
	r.URI = "/"
	if target, ok := ParseTarget(r.UnparsedURI, r.Method); ok && target.Path != "" {
		r.URI, r.Args, r.HasArgs = target.Path, target.Query, target.HasQuery
	}
	switch {
	case field != "":
		// ap_get_mime_headers_core, then ap_read_request.
		h.logf("debug", "core", r, "(22)Invalid argument: Failed to read request header line %s", field)
		h.logf("debug", "core", r, "AH00567: request failed: error reading the headers")
	case strings.HasSuffix(line, "\n"):
		// read_request_line failed (APR_EINVAL): ap_read_request.
		h.logf("debug", "core", r, "AH00566: request failed: malformed request line")
	default:
		h.logf("debug", "core", r, "%s", note)
	}
	h.sendError(&r.resp, r, &Outcome{Status: http.StatusBadRequest})
	if h.Services.Transaction != nil {
		h.Services.Transaction(r)
	}
}

// badLineNote is what ap_parse_request_line (HttpProtocolOptions
// Strict) logs at debug about a request line it refuses: the deferred
// error it ends with, found as it scans the line as a C string, writing
// NULs where it ends the method, the URI and the protocol (so that a
// bad byte it stopped at without moving past it ends a word there).
func badLineNote(line string) (note, theRequest string) {
	const (
		none = iota
		badMethod
		badWhitespace
		excessWhitespace
		missingURI
		badURI
		badProtocol
		badMethod09
	)
	deferred := none
	set := func(e int) {
		if deferred == none {
			deferred = e
		}
	}
	b := append([]byte(line), 0)
	// strpbrk(&b[i], " \t\n\v\f\r"), -1 for NULL.
	strpbrk := func(i int) int {
		for ; b[i] != 0; i++ {
			if isCSpace(b[i]) {
				return i
			}
		}
		return -1
	}
	scanVisible := func(i int) int {
		for b[i] != 0 && isVisibleOrObsText(b[i]) {
			i++
		}
		return i
	}
	// separator passes the white space at ll, after a word: more than
	// one byte of it is excess, any but spaces bad; it ends the word.
	separator := func(ll int) int {
		if b[ll] != 0 && isCSpace(b[ll+1]) {
			set(excessWhitespace)
		}
		i := ll
		for isCSpace(b[i]) {
			if b[i] != ' ' {
				set(badWhitespace)
			}
			i++
		}
		b[ll] = 0
		return i
	}
	method, uri, protocol := 0, len(line), len(line) // "" until found
	if isCSpace(b[method]) {
		deferred = badWhitespace
		for isCSpace(b[method]) {
			method++
		}
	}
	ll := method
	for b[ll] != 0 && isTokenChar(b[ll]) {
		ll++
	}
	if (ll == method || b[ll] != 0 && !isCSpace(b[ll])) && deferred == none {
		deferred = badMethod
		ll = strpbrk(ll)
	}
	if ll < 0 {
		set(missingURI)
	} else {
		uri = separator(ll)
		if b[uri] == 0 {
			set(missingURI)
		}
		ll = scanVisible(uri)
		if ll == uri || b[ll] != 0 && !isCSpace(b[ll]) {
			deferred = badURI // whatever came before
			ll = strpbrk(ll)
		}
		if ll >= 0 {
			protocol = separator(ll)
			ll = scanVisible(protocol)
			switch {
			case b[ll] != 0 && !isCSpace(b[ll]):
				deferred = badProtocol
			case b[ll] != 0:
				deferred = excessWhitespace
			}
			b[ll] = 0
		}
	}
	cstr := func(i int) string {
		j := i
		for b[j] != 0 {
			j++
		}
		return string(b[i:j])
	}
	m, u, proto := cstr(method), cstr(uri), cstr(protocol)
	// The line as it rebuilds it, one space between its parts.
	theRequest = m
	for _, part := range []string{u, proto} {
		if part != "" {
			theRequest += " " + part
		}
	}
	switch {
	case len(proto) == 8 && strings.HasPrefix(proto, "HTTP/") && isDigit(proto[5]) && proto[6] == '.' && isDigit(proto[7]) && proto[5] != '0':
	case proto != "":
		set(badProtocol) // another spelling, or no version: HTTP/0.9
	case m != "GET":
		set(badMethod09) // HTTP/0.9 (Allow0.9) knows only GET
	}
	switch deferred {
	case badMethod:
		return "AH03445: HTTP Request Line; Invalid method token: '" + logName(m) + "'", theRequest
	case badMethod09:
		return "AH03444: HTTP Request Line; Invalid method token: '" + logName(m) + "' (only GET is allowed for HTTP/0.9 requests)", theRequest
	case missingURI:
		return "AH03446: HTTP Request Line; Missing URI", theRequest
	case badURI:
		return "AH03454: HTTP Request Line; URI incorrectly encoded: '" + logName(u) + "'", theRequest
	case badWhitespace:
		return "AH03447: HTTP Request Line; Invalid whitespace", theRequest
	case excessWhitespace:
		return "AH03448: HTTP Request Line; Excess whitespace (disallowed by HttpProtocolOptions Strict)", theRequest
	}
	return "AH02418: HTTP Request Line; Unrecognized protocol '" + proto + "' (perhaps whitespace was injected?)", theRequest
}

// isCSpace is C's isspace.
func isCSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r'
}

// isVisibleOrObsText: VCHAR and obs-text, what ap_scan_vchar_obstext
// passes over.
func isVisibleOrObsText(c byte) bool { return c > ' ' && c != 0x7f }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// logName is field_name_len's cut of a name for a log line: up to its
// first colon, at most 80 bytes.
func logName(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 && i <= 80 {
		return s[:i]
	}
	return s[:min(len(s), 80)]
}

// ServeHeadTimeout answers a request whose head did not arrive within
// the header stage, as Apache's ap_read_request does: a request line
// was read (hr carries it, with no header) gets a 408 from the
// connection's server; without one (hr.Method empty) nothing is sent,
// and the first request of a connection is logged as "-" with 408.
// The request's time is start, when its line was read (zero: now).
func (h *Handler) ServeHeadTimeout(w http.ResponseWriter, hr *http.Request, start time.Time) {
	now := time.Now()
	if start.IsZero() {
		start = now
	}
	r := &Request{HTTP: hr, Method: hr.Method, UnparsedURI: hr.RequestURI, Scheme: "http", Start: start, LineOnly: true}
	r.resp = Response{ResponseWriter: w, head: hr.Method == "HEAD"}
	r.Response = &r.resp
	t := h.Table
	h.connection(r)
	r.Host = t.Host(t.Addrs.ForConnection(r.Local).Base)
	r.Dir = r.Host.Defaults
	if hr.Method == "" {
		r.resp.Status = http.StatusRequestTimeout
	} else {
		hdr := w.Header()
		hdr["Date"] = t.date.header(now)
		hdr["Server"] = t.server
		target, _ := ParseTarget(r.UnparsedURI, r.Method)
		r.URI, r.Args, r.HasArgs = target.Path, target.Query, target.HasQuery
		h.sendError(&r.resp, r, &Outcome{Status: http.StatusRequestTimeout})
	}
	if h.Services.Transaction != nil {
		h.Services.Transaction(r)
	}
}
