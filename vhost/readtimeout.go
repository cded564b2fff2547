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
	if hr.Body == nil || hr.Body == http.NoBody {
		return
	}
	if c := reqtimeout.FromContext(hr.Context()); c != nil {
		c.StartBody(r.Host.readTimeouts.body)
		// On a copy of the request: net/http decides from its own
		// request's Body type whether the body was left unread (then
		// the connection closes rather than read it as the next
		// request) and whether a client waits for 100 Continue.
		timed := new(http.Request)
		*timed = *hr
		timed.Body = &timedBody{ReadCloser: hr.Body, conn: c, logf: logf}
		r.HTTP = timed
	}
}

// timedBody ends the body stage when the body has been read, and
// remembers a body that could not be read to its end.
type timedBody struct {
	io.ReadCloser
	conn              *reqtimeout.Conn
	logf              func(level, module, msg string)
	read, eof, failed atomic.Bool
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
		if b.failed.Swap(true) {
			break
		}
		var be *http1.BodyError
		if errors.As(err, &be) {
			b.framing.Store(be)
			for _, l := range be.Logs {
				if b.logf != nil {
					b.logf(l.Level, l.Module, l.Msg)
				}
			}
		}
	}
	return n, err
}

// Failed reports whether a read of the body failed: the connection
// then closes, and an error document's discard of the body (static's
// DiscardBody) reads nothing, as Apache's does on a connection it
// marked AP_CONN_CLOSE.
func (b *timedBody) Failed() bool { return b.failed.Load() }

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
	if !b.eof.Load() && !b.failed.Load() {
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
	words := strings.Fields(line)
	bad := strings.Join(words[:min(len(words), 3)], " ")
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
		h.logf("debug", "core", r, "%s", badLineNote(strings.TrimSuffix(line, "\r\n")))
	}
	h.sendError(&r.resp, r, &Outcome{Status: http.StatusBadRequest})
	if h.Services.Transaction != nil {
		h.Services.Transaction(r)
	}
}

// badLineNote is what ap_parse_request_line (HttpProtocolOptions
// Strict) logs at debug about a request line it refuses: the first of
// its deferred errors, found as it scans the line.
func badLineNote(line string) string {
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
	i := 0
	if i < len(line) && isCSpace(line[i]) {
		deferred = badWhitespace
		for i < len(line) && isCSpace(line[i]) {
			i++
		}
	}
	start := i
	for i < len(line) && isTokenChar(line[i]) {
		i++
	}
	if i == start || i < len(line) && !isCSpace(line[i]) {
		set(badMethod)
		i = nextCSpace(line, i)
	}
	// separator passes the white space after a word at i: more than one
	// byte of it is excess, any but spaces bad.
	separator := func(i int) int {
		if i+1 < len(line) && isCSpace(line[i+1]) {
			set(excessWhitespace)
		}
		for i < len(line) && isCSpace(line[i]) {
			if line[i] != ' ' {
				set(badWhitespace)
			}
			i++
		}
		return i
	}
	method, uri, protocol := line[start:i], "", ""
	if i == len(line) {
		set(missingURI)
	} else {
		if i = separator(i); i == len(line) {
			set(missingURI)
		}
		start = i
		for i < len(line) && isVisibleOrObsText(line[i]) {
			i++
		}
		if i == start || i < len(line) && !isCSpace(line[i]) {
			deferred = badURI // whatever came before
			i = nextCSpace(line, i)
		}
		uri = line[start:i]
		if i < len(line) {
			i = separator(i)
			start = i
			for i < len(line) && isVisibleOrObsText(line[i]) {
				i++
			}
			protocol = line[start:i]
			switch {
			case i < len(line) && !isCSpace(line[i]):
				deferred = badProtocol
			case i < len(line):
				deferred = excessWhitespace
			}
		}
	}
	switch {
	case len(protocol) == 8 && strings.HasPrefix(protocol, "HTTP/") && isDigit(protocol[5]) && protocol[6] == '.' && isDigit(protocol[7]) && protocol[5] != '0':
	case protocol != "":
		set(badProtocol) // another spelling, or no version: HTTP/0.9
	case method != "GET":
		set(badMethod09) // HTTP/0.9 (Allow0.9) knows only GET
	}
	switch deferred {
	case badMethod:
		return "AH03445: HTTP Request Line; Invalid method token: '" + logName(method) + "'"
	case badMethod09:
		return "AH03444: HTTP Request Line; Invalid method token: '" + logName(method) + "' (only GET is allowed for HTTP/0.9 requests)"
	case missingURI:
		return "AH03446: HTTP Request Line; Missing URI"
	case badURI:
		return "AH03454: HTTP Request Line; URI incorrectly encoded: '" + logName(uri) + "'"
	case badWhitespace:
		return "AH03447: HTTP Request Line; Invalid whitespace"
	case excessWhitespace:
		return "AH03448: HTTP Request Line; Excess whitespace (disallowed by HttpProtocolOptions Strict)"
	}
	return "AH02418: HTTP Request Line; Unrecognized protocol '" + protocol + "' (perhaps whitespace was injected?)"
}

// isCSpace is C's isspace.
func isCSpace(c byte) bool {
	return c == ' ' || c >= '\t' && c <= '\r'
}

// nextCSpace is the index of the first white space at or after i
// (strpbrk), len(s) when none.
func nextCSpace(s string, i int) int {
	for i < len(s) && !isCSpace(s[i]) {
		i++
	}
	return i
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
