package static

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HTTPError is a response that Apache sends through its error-page
// machinery (ap_die / ap_send_error_response). Nothing has been written to
// the ResponseWriter; the caller renders the error page (the built-in one
// or an ErrorDocument) with this status, adding Header to it.
type HTTPError struct {
	// Status is the HTTP status of the error response.
	Status int
	// Header holds the fields Apache adds to the error response, such as
	// Allow for 405 and 501. It may be nil.
	Header http.Header
}

// Error implements error.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("static: %d %s", e.Status, http.StatusText(e.Status))
}

// FileOptions are the per-request settings that shape a static file
// response.
type FileOptions struct {
	// ContentType is the Content-Type header to send, as computed by
	// [Resolve] (TypeInfo.ContentType); "" sends none, as Apache does for
	// a file whose extensions have no type.
	ContentType string
	// Encodings and Languages are sent as Content-Encoding (joined by
	// ", ") and Content-Language (joined by ","), as [TypeInfo] has them.
	Encodings, Languages []string
	// ETag is FileETag. The zero value sends no ETag; Apache's default is
	// ETagBits{MTime: true, Size: true}.
	ETag ETagBits
	// MaxRanges, MaxRangeOverlaps and MaxRangeReversals are the
	// directives of the same names: RangesDefault (0), a positive limit,
	// RangesUnlimited or RangesNone.
	MaxRanges, MaxRangeOverlaps, MaxRangeReversals int
	// TraceDisabled is TraceEnable Off: TRACE is then left out of the
	// Allow header of OPTIONS and 405 responses.
	TraceDisabled bool
	// Status, when not 0, is the error status an ErrorDocument is served
	// with (the internal redirect keeps it): the preconditions are not
	// evaluated (r->no_local_copy), the Range header is ignored (the
	// byterange filter only handles 200), and Status is sent for 200.
	Status int
	// RequestTime is when the request arrived (r->request_time); the zero
	// value means now. It decides weak ETags (a file modified less than a
	// second before), the Last-Modified of files dated in the future, and
	// Apache's 60-second rules for date validators.
	RequestTime time.Time
	// VListValidator is the variant list validator of a negotiated
	// response (r->vlist_validator, an ETag itself): the file's ETag is
	// made with it (see makeETag).
	VListValidator string
	// NoSendfile is EnableSendfile Off: the file is read and written,
	// never handed to sendfile(2).
	NoSendfile bool
}

// plainReader hides a file's type from io.Copy and net/http, which then
// read it into a buffer and write that instead of calling sendfile(2)
// (EnableSendfile Off).
type plainReader struct{ io.Reader }

// bodySource is what a file's bytes are copied from: the file itself,
// which net/http sends with sendfile(2), or under NoSendfile a reader
// that hides it.
func bodySource(f File, noSendfile bool) io.Reader {
	if noSendfile {
		return plainReader{f}
	}
	return f
}

// methods are the request methods Apache knows (its method registry);
// others are answered 501 instead of 405.
var methods = map[string]bool{
	"GET": true, "HEAD": true, "PUT": true, "POST": true, "DELETE": true,
	"CONNECT": true, "OPTIONS": true, "TRACE": true, "PATCH": true,
	"PROPFIND": true, "PROPPATCH": true, "MKCOL": true, "COPY": true,
	"MOVE": true, "LOCK": true, "UNLOCK": true, "VERSION-CONTROL": true,
	"CHECKOUT": true, "UNCHECKOUT": true, "CHECKIN": true, "UPDATE": true,
	"LABEL": true, "REPORT": true, "MKWORKSPACE": true, "MKACTIVITY": true,
	"BASELINE-CONTROL": true, "MERGE": true,
}

// allow is the Allow header of the default handler and mod_autoindex
// (make_allow). Apache lists the methods in the order of a hash table
// whose seed changes at every start, so the real order is a rotation of
// GET,POST,OPTIONS,HEAD; TRACE always comes last.
func allow(traceDisabled bool) string {
	if traceDisabled {
		return "GET,POST,OPTIONS,HEAD"
	}
	return "GET,POST,OPTIONS,HEAD,TRACE"
}

// methodError is the answer of the default handler to a method it does not
// serve: 405, or 501 for a method Apache does not know, both with Allow.
func methodError(method string, traceDisabled bool) *HTTPError {
	status := http.StatusMethodNotAllowed
	if !methods[method] {
		status = http.StatusNotImplemented
	}
	return &HTTPError{Status: status, Header: http.Header{"Allow": {allow(traceDisabled)}}}
}

// mtimeOf is a file's time as r->mtime holds it: ap_update_mtime only
// ever raises r->mtime from 0, so a file dated before 1970 is dated at 0
// (its Last-Modified is the epoch, and the preconditions take the time
// now in its place, as for a file dated exactly 0).
func mtimeOf(fi fs.FileInfo) time.Time {
	if t := fi.ModTime(); t.UnixMicro() > 0 {
		return t
	}
	return time.Unix(0, 0)
}

// DiscardBody is ap_discard_request_body: the body is read and thrown
// away. A body that stops arriving within RequestReadTimeout's body
// stage is a 408 (the connection then closes), one whose framing Apache
// refuses is its 400 or 413; the other read errors (the client gone)
// are left to the connection. Over HTTP/2 nothing is read, as mod_http2
// marks a stream's connection AP_CONN_CLOSE, on which Apache's discard
// returns at once.
func DiscardBody(r *http.Request) error {
	if r.Body == nil {
		return nil
	}
	if r.ProtoMajor == 2 {
		return nil
	}
	if f, ok := r.Body.(interface{ NoDiscard() bool }); ok && f.NoDiscard() {
		// The connection closes whatever is left (an earlier read
		// failed, the framing or the error answered closes it): as
		// Apache's on a connection marked AP_CONN_CLOSE, nothing is read.
		return nil
	}
	_, err := io.Copy(io.Discard, r.Body)
	if status := DiscardStatus(err); status != 0 {
		return &HTTPError{Status: status}
	}
	return nil
}

// DiscardStatus is the status ap_discard_request_body returns for a
// failed read of the body (ap_map_http_request_error): 408 for a body
// that stopped arriving, the status of a body whose framing Apache's
// HTTP input filter refuses (400, or 413 for a chunk too large), 400
// for a client that ended the connection mid-body (APR_INCOMPLETE); 0
// for no failure, or one the connection's end deals with.
func DiscardStatus(err error) int {
	if err == nil {
		return 0 // the common case, without the allocation errors.As makes
	}
	var framing interface{ HTTPStatus() int }
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout
	case errors.As(err, &framing):
		return framing.HTTPStatus()
	case errors.Is(err, io.ErrUnexpectedEOF):
		return http.StatusBadRequest
	}
	return 0
}

// headerValues hands out the values of several header fields from one
// array, so that setting them allocates once. Each field gets a slice of
// capacity 1: appending to it copies it.
type headerValues []string

// newHeaderValues has room for n fields before it allocates again.
func newHeaderValues(n int) headerValues { return make(headerValues, 0, n) }

// set sets the field key, in the spelling it is to be sent with (the
// canonical form, or ETagKey), to value.
func (v *headerValues) set(h http.Header, key, value string) {
	*v = append(*v, value)
	n := len(*v)
	h[key] = (*v)[n-1 : n : n]
}

// setEntityHeaders sets Content-Type (or suppresses net/http's sniffing),
// Content-Encoding and Content-Language.
func setEntityHeaders(h http.Header, v *headerValues, ct string, encodings, languages []string) {
	if ct != "" {
		v.set(h, "Content-Type", ct)
	} else {
		h["Content-Type"] = nil
	}
	if len(encodings) > 0 {
		v.set(h, "Content-Encoding", strings.Join(encodings, ", "))
	}
	if len(languages) > 0 {
		v.set(h, "Content-Language", strings.Join(languages, ","))
	}
}

// writeOptions is the default handler's answer to OPTIONS
// (ap_send_http_options): 200, Allow, an empty body, and the entity headers
// the request already has.
func writeOptions(w http.ResponseWriter, traceDisabled bool, ct string, encodings, languages []string) {
	h := w.Header()
	v := newHeaderValues(5)
	v.set(h, "Allow", allow(traceDisabled))
	setEntityHeaders(h, &v, ct, encodings, languages)
	v.set(h, "Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

var (
	boundaryOnce sync.Once
	boundary     string
)

// multipartBoundary is ap_multipart_boundary: a random 64-bit number in
// lower-case hex without leading zeros, chosen once per server process.
func multipartBoundary() string {
	boundaryOnce.Do(func() { boundary = strconv.FormatUint(rand.Uint64(), 16) })
	return boundary
}

// File is a regular file ServeFile sends: an *os.File, or a file that
// also implements syscall.Conn for net's sendfile to take it.
type File interface {
	io.Reader
	io.ReaderAt
	io.Seeker
}

// ServeFile answers a request for the regular file f (whose metadata is fi)
// as Apache's core default handler does, with mod_mime's results in o.
// f is read from its offset when ServeFile is called, which must be 0
// (the file as opened).
//
// GET, HEAD and POST are served (a POST body is read and discarded):
// Last-Modified (never later than the request time), ETag
// ("<inode>-<size>-<mtime µs>" in hex as FileETag selects, W/ when the file
// changed less than a second before the request), Accept-Ranges,
// Content-Length, Content-Type, Content-Encoding and Content-Language.
// Preconditions are evaluated as ap_meets_conditions does; 304 keeps only
// Last-Modified, ETag and Accept-Ranges, and 412 is an empty response with
// the full headers (Apache does not send an error page for either). Range
// requests follow the byterange filter: one range gives 206 with
// Content-Range, several give multipart/byteranges after merging
// overlapping and adjacent ranges, an invalid header is ignored, and a
// header with no satisfiable range gives 416.
//
// OPTIONS is answered 200 with Allow. Other methods get 405 (501 for
// methods Apache does not know) with Allow; TRACE is normally answered by
// the server before any handler runs.
//
// The result is nil when the response was written, an *HTTPError when
// Apache would send an error page instead (nothing written; 416 carries no
// Content-Range, as in Apache 2.4.71), or an I/O error from copying the
// file after the headers were sent.
func ServeFile(w http.ResponseWriter, r *http.Request, f File, fi fs.FileInfo, o FileOptions) error {
	now := o.RequestTime
	if now.IsZero() {
		now = time.Now()
	}
	if err := DiscardBody(r); err != nil {
		return err
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodPost:
	case http.MethodOptions:
		writeOptions(w, o.TraceDisabled, o.ContentType, o.Encodings, o.Languages)
		return nil
	default:
		return methodError(r.Method, o.TraceDisabled)
	}
	if fi.IsDir() {
		return &HTTPError{Status: http.StatusNotFound}
	}
	isHead := r.Method == http.MethodHead
	size := fi.Size()
	h := w.Header()

	// ap_set_last_modified with ap_rationalize_mtime: never in the future,
	// and never before 1970 (mtimeOf).
	mtime := mtimeOf(fi)
	if !mtime.Before(now) {
		if cur := time.Now(); mtime.After(cur) {
			mtime = cur
		}
	}
	lastMod := mtime.Unix()
	hv := newHeaderValues(7)
	hv.set(h, "Last-Modified", httpDate(lastMod))
	etag := makeETagVL(fi, o.ETag, now, f, o.VListValidator)
	if etag != "" {
		hv.set(h, ETagKey, etag)
	}
	setBodyHeaders(h, &hv, size, o)

	v := validators{etag: etag, mtime: lastMod, reqtime: now.Unix(), isGet: r.Method != http.MethodPost}
	if v.mtime == 0 {
		// Last-Modified parses as APR_DATE_BAD: Apache falls back to r->mtime.
		v.mtime = mtimeOf(fi).Unix()
		if mtimeOf(fi).UnixMicro() == 0 {
			v.mtime = v.reqtime
		}
	}
	cond := 0
	if o.Status == 0 {
		cond = v.meetsConditions(r)
	}
	switch cond {
	case http.StatusNotModified:
		writeNotModified(w)
		return nil
	case http.StatusPreconditionFailed:
		// The content-length filter sets 0 for the empty body, except
		// for HEAD, where the file size set before stays (and "0" is
		// dropped).
		if !isHead {
			h.Set("Content-Length", "0")
		} else if size == 0 {
			h.Del("Content-Length")
		}
		w.WriteHeader(http.StatusPreconditionFailed)
		return nil
	}
	return sendContent(w, r, f, size, v, &hv, o)
}

// ServeSection answers a GET, HEAD or POST with the size bytes f holds
// (a section of a file) as mod_negotiation's handle_map_file sends the
// inline Body: of a type map: Accept-Ranges, Content-Length and the
// entity headers of o, but no Last-Modified and no ETag; mtime (the
// map's) is what date preconditions compare with. A 304 is written as
// ServeFile writes it; a failed precondition is an *HTTPError 412 with
// nothing written (Apache answers it with its error page), as is a 416.
// The methods are the caller's to check.
func ServeSection(w http.ResponseWriter, r *http.Request, f File, size int64, mtime time.Time, o FileOptions) error {
	now := o.RequestTime
	if now.IsZero() {
		now = time.Now()
	}
	if err := DiscardBody(r); err != nil {
		return err
	}
	h := w.Header()
	hv := newHeaderValues(5)
	setBodyHeaders(h, &hv, size, o)
	// No Last-Modified: ap_meets_conditions takes r->mtime, the map's.
	v := validators{mtime: mtime.Unix(), reqtime: now.Unix(), isGet: r.Method != http.MethodPost}
	if mtime.IsZero() {
		v.mtime = v.reqtime
	}
	if o.Status == 0 {
		switch v.meetsConditions(r) {
		case http.StatusNotModified:
			writeNotModified(w)
			return nil
		case http.StatusPreconditionFailed:
			dropEntityHeaders(h)
			return &HTTPError{Status: http.StatusPreconditionFailed}
		}
	}
	return sendContent(w, r, f, size, v, &hv, o)
}

// setBodyHeaders sets the headers of a body of size bytes: whether
// ranges are taken, its length and its entity headers.
func setBodyHeaders(h http.Header, hv *headerValues, size int64, o FileOptions) {
	if o.MaxRanges == RangesNone {
		hv.set(h, "Accept-Ranges", "none")
	} else {
		hv.set(h, "Accept-Ranges", "bytes")
	}
	hv.set(h, "Content-Length", strconv.FormatInt(size, 10))
	setEntityHeaders(h, hv, o.ContentType, o.Encodings, o.Languages)
}

// writeNotModified sends a 304: the validators and Accept-Ranges stay,
// the entity headers go.
func writeNotModified(w http.ResponseWriter) {
	h := w.Header()
	h.Del("Content-Length")
	h.Del("Content-Encoding")
	h.Del("Content-Language")
	h["Content-Type"] = nil
	w.WriteHeader(http.StatusNotModified)
}

// dropEntityHeaders takes back the headers ServeFile and ServeSection
// set before they answer with an error page, which has its own.
func dropEntityHeaders(h http.Header) {
	for _, k := range []string{"Last-Modified", ETagKey, "Accept-Ranges", "Content-Length", "Content-Type", "Content-Encoding", "Content-Language"} {
		delete(h, k)
	}
}

// sendContent is the part of ServeFile and ServeSection that follows the
// preconditions: the Range header as the byterange filter takes it, then
// the status (o.Status for an error document) and the body.
func sendContent(w http.ResponseWriter, r *http.Request, f File, size int64, v validators, hv *headerValues, o FileOptions) error {
	h := w.Header()
	isHead := r.Method == http.MethodHead
	if o.Status == 0 {
		// The byterange filter only takes a 200.
		served, err := serveRanges(w, r, f, 0, size, v, hv, o)
		if err != nil && !served {
			dropEntityHeaders(h) // a 416: its page has its own
		}
		if served || err != nil {
			return err
		}
	}

	if isHead && size == 0 {
		h.Del("Content-Length")
	}
	if o.Status != 0 {
		w.WriteHeader(o.Status)
	} else {
		w.WriteHeader(http.StatusOK)
	}
	if isHead && size > 0 {
		if hb, ok := w.(HeadBodier); ok {
			// The compression filters read the file for its
			// compressed length.
			return hb.HeadBody(io.NewSectionReader(f, 0, size))
		}
	}
	if isHead || size == 0 {
		return nil
	}
	// The length, not to the end: with it known, one sendfile sends
	// the file instead of a second call to find its end.
	return sendBody(w, r, bodySource(f, o.NoSendfile), size)
}

// serveRanges answers the Range header of r as Apache's byterange filter
// does for a body of size bytes it sees whole, here the bytes of f from
// base on: one range is a 206 with Content-Range, several a
// multipart/byteranges 206. It reports false, having written nothing,
// when the body is to go out whole: no Range, an If-Range that does not
// match v, a header the filter ignores (invalid, or over MaxRanges,
// MaxRangeOverlaps or MaxRangeReversals), an empty body. A header no
// range of which is satisfiable is an *HTTPError 416, nothing written.
func serveRanges(w http.ResponseWriter, r *http.Request, f File, base, size int64, v validators, hv *headerValues, o FileOptions) (bool, error) {
	rng, ok := header(r, "Range")
	if !ok || size <= 0 || v.ifRange(r) == condNoMatch {
		return false, nil
	}
	ranges, n, overlaps, reversals := setByterange(rng, size)
	maxRanges := limit(o.MaxRanges, defaultMaxRanges)
	maxOverlaps := limit(o.MaxRangeOverlaps, defaultMaxOverlaps)
	maxReversals := limit(o.MaxRangeReversals, defaultMaxReversals)
	switch {
	case n == 0 || (maxRanges >= 0 && n > maxRanges) ||
		(maxOverlaps >= 0 && overlaps > maxOverlaps) ||
		(maxReversals >= 0 && reversals > maxReversals):
		return false, nil // the header is ignored
	case n < 0:
		return false, &HTTPError{Status: http.StatusRequestedRangeNotSatisfiable}
	case n > 1:
		return true, writeMultipart(w, f, bodySource(f, o.NoSendfile), base, ranges, size, o.ContentType, r.Method == http.MethodHead)
	}
	h := w.Header()
	rg := ranges[0]
	hv.set(h, "Content-Range", contentRange(rg, size))
	hv.set(h, "Content-Length", strconv.FormatInt(rg.end-rg.start+1, 10))
	w.WriteHeader(http.StatusPartialContent)
	if r.Method == http.MethodHead {
		return true, nil
	}
	if _, err := f.Seek(base+rg.start, io.SeekStart); err != nil {
		return true, err
	}
	return true, sendBody(w, r, bodySource(f, o.NoSendfile), rg.end-rg.start+1)
}

// ServeBodyRanges answers a Range request from the body of a response
// its handler passed on whole, as Apache's byterange filter does when
// the whole body and its end reach it at once (mod_wsgi sends a
// wsgi.file_wrapper's file that way): the body is the size bytes of f
// from offset, and w.Header() holds the handler's headers for a 200,
// which an If-Range is compared with (its ETag, its Last-Modified) and
// which the filter leaves alone when they already say Content-Range or
// multipart/byteranges. o gives the limits, the type of the parts
// (o.ContentType), NoSendfile and the request time.
//
// It reports false, having written nothing, when the body is to go out
// whole with the handler's status. A 416 is an *HTTPError with nothing
// written; the caller answers it with the error page, which has none of
// the handler's headers.
func ServeBodyRanges(w http.ResponseWriter, r *http.Request, f File, offset, size int64, o FileOptions) (bool, error) {
	h := w.Header()
	if _, ok := fieldFold(h, "Content-Range"); ok {
		return false, nil
	}
	if ct, _ := fieldFold(h, "Content-Type"); len(ct) >= 20 && strings.EqualFold(ct[:20], "multipart/byteranges") {
		return false, nil
	}
	now := o.RequestTime
	if now.IsZero() {
		now = time.Now()
	}
	v := validators{reqtime: now.Unix()}
	v.etag, _ = fieldFold(h, ETagKey)
	// ap_condition_if_range: the Last-Modified the handler gave, else
	// r->mtime, which a script's handler leaves unset, so now.
	lm, _ := fieldFold(h, "Last-Modified")
	if v.mtime = parseHTTPDate(lm); v.mtime == 0 {
		v.mtime = time.Now().Unix()
	}
	hv := newHeaderValues(2)
	return serveRanges(w, r, f, offset, size, v, &hv, o)
}

// fieldFold is the first value of the field name in h, its name in any
// case, as apr_table_get finds it in a table of fields named as a
// handler spelt them.
func fieldFold(h http.Header, name string) (string, bool) {
	if v, ok := h[name]; ok && len(v) > 0 {
		return v[0], true
	}
	for k, v := range h {
		if len(v) > 0 && strings.EqualFold(k, name) {
			return v[0], true
		}
	}
	return "", false
}

// HeadBodier is a response writer that wants the body of an answer to
// HEAD, which it does not send: Apache's compression filters compress a
// file all the same, to give the response its compressed length.
type HeadBodier interface {
	HeadBody(body io.Reader) error
}

// contentRange is the Content-Range of a range: "bytes start-end/size".
func contentRange(rg byteRange, size int64) string {
	b := make([]byte, 0, 64)
	b = append(b, "bytes "...)
	b = strconv.AppendInt(b, rg.start, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, rg.end, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, size, 10)
	return string(b)
}

// writeMultipart writes a multipart/byteranges 206 exactly as the byterange
// filter lays it out: each part is CRLF "--" boundary CRLF, "Content-type: "
// type CRLF (only when the response has a type), "Content-range: bytes
// s-e/len" CRLF CRLF and the bytes (read from f at base+s); then CRLF
// "--" boundary "--" CRLF.
// Apache drops Content-Length (so the body is chunked) when there are more
// than 32 parts.
func writeMultipart(w http.ResponseWriter, f File, src io.Reader, base int64, ranges []byteRange, size int64, ct string, isHead bool) error {
	b := multipartBoundary()
	head := "\r\n--" + b + "\r\n"
	if ct != "" {
		head += "Content-type: " + ct + "\r\n"
	}
	head += "Content-range: bytes "
	tail := "\r\n--" + b + "--\r\n"
	parts := make([]string, len(ranges))
	total := int64(len(tail))
	for i, rg := range ranges {
		parts[i] = fmt.Sprintf("%s%d-%d/%d\r\n\r\n", head, rg.start, rg.end, size)
		total += int64(len(parts[i])) + rg.end - rg.start + 1
	}
	h := w.Header()
	h.Set("Content-Type", "multipart/byteranges; boundary="+b)
	if len(ranges) > 32 {
		h.Del("Content-Length")
	} else {
		h.Set("Content-Length", strconv.FormatInt(total, 10))
	}
	w.WriteHeader(http.StatusPartialContent)
	if isHead {
		return nil
	}
	for i, rg := range ranges {
		if _, err := io.WriteString(w, parts[i]); err != nil {
			return err
		}
		if _, err := f.Seek(base+rg.start, io.SeekStart); err != nil {
			return err
		}
		if _, err := io.CopyN(w, src, rg.end-rg.start+1); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, tail)
	return err
}
