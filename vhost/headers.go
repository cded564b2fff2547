package vhost

import (
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/static"
)

// The response side of mod_expires and mod_headers. Apache keeps two
// tables of response headers: headers_out, which a handler fills, and
// err_headers_out, which survives an error. "Header" (onsuccess) edits
// the first and "Header always" the second when a handler's response
// goes out (their output filters); when Apache answers with an error
// page or a redirect of its own, headers_out is dropped and
// err_headers_out becomes it, then "Header always" edits a new, empty
// err_headers_out (the error filter). Either way the two are sent joined,
// err_headers_out's first. mod_expires runs just before mod_headers, on
// responses below 400. Date, Server, Content-Length, Transfer-Encoding
// and Connection are Apache's own once the filters ran, and Content-Type
// is the request's content type, which Header set, unset and edit
// change.

// filtersResponse reports whether a handler's response passes through
// mod_headers or mod_expires (their insert_filter hooks), or has headers
// mod_rewrite made from the request, which the check of the headers
// Apache makes on every response may refuse.
func (r *Request) filtersResponse() bool {
	d := r.Dir
	return len(d.Headers) > 0 || len(d.HeadersAlways) > 0 || expiresActive(d) ||
		len(r.headersOut) > 0 || len(r.errHeadersOut) > 0 || r.rewriteSetsHeaders()
}

// filtersError reports whether an error response passes through them.
func (r *Request) filtersError() bool {
	d := r.Dir
	return d != nil && (len(d.HeadersAlways) > 0 || expiresActive(d) || len(r.errHeadersOut) > 0)
}

func expiresActive(d *confparse.DirConfig) bool {
	e := d.Expires
	return e != nil && e.Active != nil && *e.Active && (len(e.ByType) > 0 || e.Default != nil)
}

// headerFilter is the response writer of a request whose response
// headers mod_expires or mod_headers change: it changes them when the
// handler sends its header.
type headerFilter struct {
	http.ResponseWriter
	h    *Handler
	r    *Request
	sent bool
	// failed is set when the headers came out invalid: an error was
	// answered instead and the handler's response goes nowhere.
	failed bool
}

func (f *headerFilter) WriteHeader(code int) {
	if f.sent {
		f.ResponseWriter.WriteHeader(code)
		return
	}
	f.sent = true
	bad := f.h.filterResponse(f.r, f.Header(), code)
	if bad == "" {
		f.ResponseWriter.WriteHeader(code)
		return
	}
	f.failed = true
	f.h.sendInvalidHeaders(f.ResponseWriter, f.r, bad)
}

// Write passes the body on, or drops it once the headers were refused
// (the access log counts it all the same, as Apache's does).
func (f *headerFilter) Write(b []byte) (int, error) {
	if !f.sent {
		f.WriteHeader(http.StatusOK)
	}
	if f.failed {
		countRefused(f.ResponseWriter, int64(len(b)))
		return len(b), nil
	}
	return f.ResponseWriter.Write(b)
}

// ReadFrom keeps sendfile(2) for static files.
func (f *headerFilter) ReadFrom(src io.Reader) (int64, error) {
	if !f.sent {
		f.WriteHeader(http.StatusOK)
	}
	if f.failed {
		n, err := io.Copy(io.Discard, src)
		countRefused(f.ResponseWriter, n)
		return n, err
	}
	return io.Copy(f.ResponseWriter, src)
}

func (f *headerFilter) FlushError() error {
	if !f.sent {
		f.WriteHeader(http.StatusOK)
	}
	if f.failed {
		return nil
	}
	return http.NewResponseController(f.ResponseWriter).Flush()
}

func (f *headerFilter) Flush() { f.FlushError() }

// Unwrap lets http.ResponseController reach the connection.
func (f *headerFilter) Unwrap() http.ResponseWriter { return f.ResponseWriter }

// responseHeaders is a response header being rewritten: the headers
// Apache sets itself after the filters, kept aside, and the rest as
// Apache's tables.
type responseHeaders struct {
	hdr  http.Header
	kept [5][]string
	// ct is the Content-Type as the handler set it.
	ct    string
	ctSet bool
	// errorPage marks Apache's own error response.
	errorPage bool
}

// ownHeaders are the headers Apache writes after mod_headers ran.
var ownHeaders = [5]string{"Date", "Server", "Content-Length", "Transfer-Encoding", "Connection"}

// take moves the handler's headers into a table, after base, keeping
// Apache's own and the content type aside.
func (rh *responseHeaders) take(hdr http.Header, base Vars) Vars {
	rh.hdr = hdr
	for i, n := range ownHeaders {
		rh.kept[i] = hdr[n]
		delete(hdr, n)
	}
	if v := hdr["Content-Type"]; len(v) > 0 {
		rh.ct, rh.ctSet = v[0], true
	}
	delete(hdr, "Content-Type")
	t := append(make(Vars, 0, len(base)+len(hdr)+4), base...)
	names := make([]string, 0, len(hdr))
	for k := range hdr {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range hdr[k] {
			t = append(t, EnvVar{k, v})
		}
	}
	return t
}

// put writes the joined tables back: Apache's own headers as they were,
// the content type, and Vary without repeated names (fixup_vary). It
// returns Apache's message for the first header that is not one Apache
// would send (check_headers), "" when all are.
func (rh *responseHeaders) put(r *Request, f *headerFixup, final Vars, status int) string {
	hdr := rh.hdr
	clear(hdr)
	vary := false
	closing := "" // a Connection field with "close" that a Header action set
	bad := ""
	for _, kv := range final {
		if isOwnHeader(kv.Key) {
			if closing == "" && strings.EqualFold(kv.Key, "Connection") && connectionHas([]string{kv.Value}, "close") {
				closing = kv.Value
			}
			continue
		}
		if strings.EqualFold(kv.Key, "Vary") {
			vary = true
		}
		v, msg := checkHeader(kv.Key, kv.Value)
		if bad == "" {
			bad = msg
		}
		hdr[kv.Key] = append(hdr[kv.Key], v)
	}
	if vary {
		FixupVary(hdr)
	}
	switch {
	case status == 304 || status == 204:
		// No content, no content type.
	case f.ctChanged && f.ctSet:
		ct, msg := checkHeader("Content-Type", static.MakeContentType(f.ct, deref(r.Dir.AddDefaultCharset)))
		setHeaderFold(hdr, "Content-Type", ct)
		if bad == "" {
			bad = msg
		}
	case !f.ctChanged && rh.ctSet:
		ct, msg := checkHeader("Content-Type", rh.ct)
		setHeaderFold(hdr, "Content-Type", ct)
		if bad == "" {
			bad = msg
		}
	}
	if !hasHeaderFold(hdr, "Content-Type") {
		hdr["Content-Type"] = nil // no sniffing: Apache sends none
	} else if status == 304 {
		r.Final().tableType = true
	}
	for i, n := range ownHeaders {
		if rh.kept[i] != nil {
			hdr[n] = rh.kept[i]
		}
	}
	if closing != "" && r.HTTP.ProtoMajor < 2 {
		// ap_set_keepalive finds the close and sends the field as it is.
		hdr["Connection"] = []string{closing}
		delete(hdr, "Keep-Alive")
	}
	if rh.errorPage || status == 304 || status == 204 {
		// ap_send_error_response drops the content's coding and
		// languages; a 304 or 204 has no content to describe.
		return bad
	}
	if len(r.encodings) > 0 {
		hdr["Content-Encoding"] = []string{strings.Join(r.encodings, ", ")}
	}
	if len(r.languages) > 0 {
		hdr["Content-Language"] = []string{strings.Join(r.languages, ",")}
	}
	return bad
}

func isOwnHeader(name string) bool {
	for _, n := range ownHeaders {
		if strings.EqualFold(n, name) {
			return true
		}
	}
	return false
}

// setHeaderFold gives a header map one field of name, whatever the
// spelling of those it had.
func setHeaderFold(hdr http.Header, name, value string) {
	for k := range hdr {
		if strings.EqualFold(k, name) {
			delete(hdr, k)
		}
	}
	hdr[name] = []string{value}
}

func hasHeaderFold(hdr http.Header, name string) bool {
	for k, v := range hdr {
		if strings.EqualFold(k, name) && v != nil {
			return true
		}
	}
	return false
}

// FixupVary joins the Vary fields into one, each name once, as
// fixup_vary does.
func FixupVary(hdr http.Header) {
	var names []string
	key := ""
	for k, vs := range hdr {
		if !strings.EqualFold(k, "Vary") {
			continue
		}
		if key == "" || k < key {
			key = k
		}
		delete(hdr, k)
		for _, v := range vs {
			for _, n := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' }) {
				dup := false
				for _, have := range names {
					if strings.EqualFold(have, n) {
						dup = true
						break
					}
				}
				if !dup {
					names = append(names, n)
				}
			}
		}
	}
	if len(names) > 0 {
		hdr[key] = []string{strings.Join(names, ",")}
	}
}

// HeaderProblem is checkHeader's message for a response header: Apache's
// error log line for a field its http_header filter refuses, or "".
func HeaderProblem(name, value string) string {
	_, msg := checkHeader(name, value)
	return msg
}

// checkHeader is check_header: a name of token characters and a value of
// field content (no control character but tab), where a CRLF followed by
// spaces or tabs (obs-fold) stands for one space. It returns the value
// with each fold so replaced, and Apache's message for a field it does
// not send ("" for one it does). The message quotes the value from the
// run of field content it stopped in; the error log escapes it.
func checkHeader(name, value string) (string, string) {
	if name == "" {
		return value, "AH02428: Empty response header name, aborting request"
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar(name[i]) {
			return value, "AH02429: Response header name '" + name + "' contains invalid characters, aborting request"
		}
	}
	var b []byte // the value with its folds replaced, once one is met
	for pos := 0; pos < len(value); {
		end := pos
		for end < len(value) && isFieldContent(value[end]) {
			end++
		}
		if b != nil {
			b = append(b, value[pos:end]...)
		}
		if end == len(value) {
			break
		}
		if !strings.HasPrefix(value[end:], "\r\n") || end+2 == len(value) || (value[end+2] != ' ' && value[end+2] != '\t') {
			return value, "AH02430: Response header '" + name + "' value of '" + value[pos:] +
				"' contains invalid characters, aborting request"
		}
		if b == nil {
			b = append(make([]byte, 0, len(value)), value[:end]...)
		}
		b = append(b, ' ')
		pos = end + 3
		for pos < len(value) && (value[pos] == ' ' || value[pos] == '\t') {
			pos++
		}
	}
	if b != nil {
		return string(b), ""
	}
	return value, ""
}

// isFieldContent is ap_scan_http_field_content's test: not a control
// character (tab is field content).
func isFieldContent(c byte) bool { return (c >= ' ' || c == '\t') && c != 0x7f }

func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// ErrorTableField records that the fields called name of the handler's
// response belong to err_headers_out, where the handler's module puts
// them (mod_wsgi puts WWW-Authenticate there, in either mode): "Header
// always" edits them and "Header" does not. They are sent all the same.
func (r *Request) ErrorTableField(name string) {
	if !slices.ContainsFunc(r.errFields, func(f string) bool { return strings.EqualFold(f, name) }) {
		r.errFields = append(r.errFields, name)
	}
}

// splitErrFields moves the fields ErrorTableField named from out to the
// end of errOut.
func (r *Request) splitErrFields(out, errOut *Vars) {
	if len(r.errFields) == 0 {
		return
	}
	kept := (*out)[:0]
	for _, kv := range *out {
		if slices.ContainsFunc(r.errFields, func(f string) bool { return strings.EqualFold(f, kv.Key) }) {
			errOut.Add(kv.Key, kv.Value)
			continue
		}
		kept = append(kept, kv)
	}
	*out = kept
}

// filterResponse applies mod_expires and mod_headers to the headers of
// a handler's response with the given status; it returns the log
// message when the result is not a valid header.
func (h *Handler) filterResponse(r *Request, hdr http.Header, status int) string {
	var rh responseHeaders
	out := rh.take(hdr, r.headersOut)
	errOut := append(Vars(nil), r.errHeadersOut...)
	r.splitErrFields(&out, &errOut)
	if !rh.ctSet && status == 304 && r.ContentType != "" {
		// A 304 goes out without the content type it has.
		rh.ct, rh.ctSet = r.ContentType, true
	}
	f := headerFixup{h: h, r: r, ct: rh.ct, ctSet: rh.ctSet, out: &out, errOut: &errOut, status: status}
	if status == http.StatusPartialContent && r.servesFile {
		f.status = http.StatusOK // the byterange filter comes after mod_headers
	}
	if r.errorStatus == 0 {
		h.expires(r, status, &f, &out, &errOut)
	}
	d := r.Dir
	f.run(&errOut, d.HeadersAlways)
	f.run(&out, d.Headers)
	return rh.put(r, &f, append(errOut, out...), status)
}

// filterError applies mod_expires and "Header always" to Apache's own
// error response or redirect; it returns the log message when the
// result is not a valid header.
func (h *Handler) filterError(r *Request, hdr http.Header, status int) string {
	rh := responseHeaders{errorPage: true}
	out := rh.take(hdr, r.errHeadersOut)
	var errOut Vars
	f := headerFixup{h: h, r: r, ct: rh.ct, ctSet: rh.ctSet, out: &out, errOut: &errOut, status: status}
	h.expires(r, status, &f, &out, &errOut)
	f.run(&errOut, r.Dir.HeadersAlways)
	return rh.put(r, &f, append(errOut, out...), status)
}

// sendInvalidHeaders answers 500 for a response whose headers came out
// invalid, as the http_header filter does (ap_die, both tables
// cleared).
func (h *Handler) sendInvalidHeaders(w http.ResponseWriter, r *Request, msg string) {
	clearResponse(w.Header())
	r.errHeadersOut = nil
	h.logf("error", "http", r, "%s", msg)
	h.sendError(w, r, &Outcome{Status: 500, Filtered: true})
}

// clearResponse drops every header but Date and Server, and those of
// the connection's keep-alive (Connection, Keep-Alive).
func clearResponse(hdr http.Header) {
	date, server, conn, ka := hdr["Date"], hdr["Server"], hdr["Connection"], hdr["Keep-Alive"]
	clear(hdr)
	hdr["Date"], hdr["Server"] = date, server
	if conn != nil {
		hdr["Connection"] = conn
	}
	if ka != nil {
		hdr["Keep-Alive"] = ka
	}
}

// writeErrorHeader sends the header of Apache's own error response,
// through mod_expires and "Header always" when they apply. When they
// make it invalid a second time, Apache gives up: 500 with an empty
// body and only its own headers; false then.
func (h *Handler) writeErrorHeader(w http.ResponseWriter, r *Request, status int) bool {
	if r.HTTP.ProtoMajor < 2 {
		CloseForStatus(w.Header(), status)
	}
	if !r.filtersError() || r.invalidHeaders {
		w.WriteHeader(status)
		return true
	}
	if msg := h.filterError(r, w.Header(), status); msg != "" {
		r.invalidHeaders = true
		h.logf("error", "http", r, "%s", msg)
		clearResponse(w.Header())
		w.Header()["Content-Length"] = []string{"0"}
		w.Header()["Connection"] = []string{"close"}
		w.WriteHeader(500)
		return false
	}
	w.WriteHeader(status)
	return true
}

// expires is mod_expires' filter: for a response below 400 of the
// request itself with no Expires yet, the ExpiresByType entry of its
// type (or of "type/*" where this scope has one), else ExpiresDefault,
// gives Expires and a max-age merged into Cache-Control.
func (h *Handler) expires(r *Request, status int, f *headerFixup, out, errOut *Vars) {
	if !expiresActive(r.Dir) || (status >= 400 && status < 600) || !r.isMain() {
		return
	}
	if errOut.Has("Expires") || out.Has("Expires") {
		return
	}
	e := r.Dir.Expires
	var code *confparse.ExpiryCode
	if f.ctSet {
		typ := f.ct
		if i := strings.IndexByte(typ, ';'); i >= 0 {
			typ = strings.TrimRight(typ[:i], " \t")
		}
		if c, ok := e.ByType[strings.ToLower(typ)]; ok {
			code = &c
		} else if slash := strings.IndexByte(f.ct, '/'); e.Wildcards && slash >= 0 {
			if c, ok := e.ByType[strings.ToLower(f.ct[:slash+1])+"*"]; ok {
				code = &c
			}
		}
	}
	if code == nil {
		code = e.Default
	}
	if code == nil {
		return
	}
	// In microseconds, as apr_time_t.
	now := r.Start.UnixMicro()
	base := now
	if code.Base == 'M' {
		if r.Info == nil {
			return // no file, no modification time
		}
		base = r.Info.ModTime().UnixMicro()
	}
	expires := max(base+code.Seconds*1e6, now)
	out.Merge("Cache-Control", "max-age="+strconv.FormatInt((expires-now)/1e6, 10))
	out.Set("Expires", time.UnixMicro(expires).UTC().Format(http.TimeFormat))
}

// ScriptEnv records the environment a script handler built: Apache adds
// the CGI variables to the request's own (subprocess_env), where
// %{VAR}e and env= of Header find them afterwards. Only a response
// mod_headers edits needs them.
func (r *Request) ScriptEnv(env []EnvVar) {
	if len(r.Dir.Headers) > 0 || len(r.Dir.HeadersAlways) > 0 {
		r.Env = append(Vars(nil), env...)
	}
}

// KeepScriptEnv adds the variables a script handler ran with (the
// environ's strings, with what the engine added) to the request's
// environment once it ran, as mod_wsgi sets them in subprocess_env: the
// access log's %{VAR}e and env= find them (mod_wsgi.script_start,
// mod_wsgi.queue_start, SCRIPT_NAME, ...). The request's own variables
// stay; the handler's win where both have one.
func (r *Request) KeepScriptEnv(env []EnvVar) {
	kept := append(Vars(nil), env...)
	for _, kv := range r.Env {
		if !kept.Has(kv.Key) {
			kept = append(kept, kv)
		}
	}
	r.Env = kept
}

// insertHeaderFilter puts r's mod_expires and mod_headers filter into
// the response's chain. Under the compression filters when w is theirs:
// mod_headers inserts its filter last (APR_HOOK_LAST), so "Header" sees
// what DEFLATE made of the response (Content-Encoding, Vary, the ETag
// suffix) and cannot change what it decided on (Content-Type). A filter
// of an earlier request that was not sent is dropped: an internal
// redirect starts from the protocol filters.
func (h *Handler) insertHeaderFilter(w http.ResponseWriter, r *Request) http.ResponseWriter {
	f := &headerFilter{h: h, r: r}
	c, ok := w.(*compressor)
	if !ok {
		f.ResponseWriter = dropUnsentFilter(w)
		return f
	}
	f.ResponseWriter = dropUnsentFilter(c.ResponseWriter)
	c.ResponseWriter = f
	return c
}

// dropUnsentFilter is w, or the writer under it when w is a header
// filter that has not sent its header.
func dropUnsentFilter(w http.ResponseWriter) http.ResponseWriter {
	if f, ok := w.(*headerFilter); ok && !f.sent {
		return f.ResponseWriter
	}
	return w
}

// unwrapFilter returns the writer under a header filter, marked as sent:
// Apache's own error responses are filtered by filterError.
func unwrapFilter(w http.ResponseWriter) http.ResponseWriter {
	if f, ok := w.(*headerFilter); ok {
		f.sent = true
		return f.ResponseWriter
	}
	return w
}
