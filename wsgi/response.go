package wsgi

import (
	"errors"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gowsgid/gowsgid/static"
	"github.com/gowsgid/gowsgid/vhost"
)

// errClientGone is what the response reports once the client is gone or
// the request timed out.
var errClientGone = errors.New("client connection closed")

// response writes an application's response the way Apache sends what
// mod_wsgi gives it. The engine may call it from another goroutine than
// the handler's; mu orders it against the handler's timeout.
type response struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	proto11 bool
	h2      bool // an HTTP/2 stream
	head    bool // an answer to HEAD: no body goes out

	mu      sync.Mutex
	started bool
	status  int
	dead    bool // timed out or the client went away: write nothing more
	// answered: the server answered the client in the application's
	// place (the watchdog's 504, a 500 for a header Apache refuses).
	answered bool
	// reset: the HTTP/2 stream is to be reset (the application's
	// final status was a 1xx).
	reset bool
	// unsatisfiable: the byterange filter refused the Range of a
	// file_wrapper's body; the handler answers 416 once the
	// application is done.
	unsatisfiable bool

	// h, vh and r are the request, for the server's own answers and
	// their error log lines.
	h  *Handler
	vh *vhost.Handler
	r  *vhost.Request

	// activity is the last time (UnixNano) the application read or
	// wrote, for the idle timeout.
	activity atomic.Int64
	// reading counts the reads of the request body under way.
	reading atomic.Int32
}

func newResponse(w http.ResponseWriter, r *http.Request) *response {
	rw := &response{w: w, rc: http.NewResponseController(w), proto11: r.ProtoAtLeast(1, 1), h2: r.ProtoMajor >= 2,
		head: r.Method == http.MethodHead}
	rw.touch()
	return rw
}

func (rw *response) touch() { rw.activity.Store(time.Now().UnixNano()) }

// stopBody makes a read of the request body that waits for the client
// return at once (and every later read fail): the request is over.
func (rw *response) stopBody() { rw.rc.SetReadDeadline(time.Now()) }

// Start applies the application's status and headers as Apache's
// http_header filter sends what mod_wsgi put into headers_out: the
// header names as the application spelt them, its Content-Type and
// Content-Length, Apache's own Date and Server, chunked encoding when
// there is no Content-Length (mod_wsgi flushes every block), and
// Connection: close after the statuses Apache drops the connection for.
func (rw *response) Start(status int, statusLine string, headers []Header) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	status, err := rw.headLocked(status, statusLine, headers)
	if err != nil {
		return err
	}
	rw.w.WriteHeader(status)
	return nil
}

// StartFile starts the response with length bytes of f from offset as
// its whole body. mod_wsgi passes such a body to Apache with its end,
// so Apache's byterange filter sees it whole: a Range request for a 200
// gets its 206 (or the 416 page) as for a static file.
func (rw *response) StartFile(status int, statusLine string, headers []Header, f *os.File, offset, length int64) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	var before http.Header
	ranged := status == http.StatusOK && rw.r != nil && len(rw.r.HTTP.Header["Range"]) > 0
	if ranged {
		// The 416 page has none of the application's headers.
		before = rw.w.Header().Clone()
	}
	status, err := rw.headLocked(status, statusLine, headers)
	if err != nil {
		return err
	}
	if ranged && status == http.StatusOK {
		served, err := rw.r.ServeBodyRanges(rw.w, f, offset, length, rw.w.Header().Get("Content-Type"))
		switch {
		case served && err != nil && !errors.Is(err, io.EOF):
			rw.dead = true
			return err
		case served:
			return nil
		case err != nil:
			clear(rw.w.Header())
			for k, v := range before {
				rw.w.Header()[k] = v
			}
			rw.started, rw.dead, rw.unsatisfiable = false, true, true
			return nil
		}
	}
	rw.w.WriteHeader(status)
	return rw.sendFileLocked(f, offset, length)
}

// headLocked puts the application's status and headers into the
// response for Start and StartFile, and returns the status to send.
// rw.mu is held.
func (rw *response) headLocked(status int, statusLine string, headers []Header) (int, error) {
	if rw.dead {
		return 0, errClientGone
	}
	rw.touch()
	for _, hd := range headers {
		if msg := vhost.HeaderProblem(hd.Name, hd.Value); msg != "" {
			// Apache's http_header filter refuses the response (and
			// what the application writes after it).
			rw.answerLocked(500, "http", msg)
			return 0, errClientGone
		}
	}
	h := rw.w.Header()
	hasType, hasLength := false, false
	contentType := ""
	for _, hd := range headers {
		switch {
		case strings.EqualFold(hd.Name, "Content-Type"):
			contentType, hasType = hd.Value, true
		case strings.EqualFold(hd.Name, "Connection"):
			// HTTP/2 has no connection header (mod_http2 drops it; Go's
			// server would end the whole connection for "close").
			if !rw.h2 {
				vhost.KeepConnectionHeader(h, hd.Value)
			}
		case strings.EqualFold(hd.Name, "Content-Length"):
			h["Content-Length"] = []string{canonicalLength(hd.Value)}
			hasLength = true
		case strings.EqualFold(hd.Name, "Date"), strings.EqualFold(hd.Name, "Server"),
			strings.EqualFold(hd.Name, "Transfer-Encoding"):
			// Apache writes its own.
		case strings.EqualFold(hd.Name, "WWW-Authenticate"):
			// mod_wsgi adds it to err_headers_out (embedded mode,
			// and wsgi_scan_headers for a daemon's answer), where
			// "Header always" finds it and "Header" does not.
			h[hd.Name] = append(h[hd.Name], hd.Value)
			if rw.r != nil {
				rw.r.ErrorTableField(hd.Name)
			}
		default:
			// Vary fields stay apart until the server's header filter
			// joins them (a compression filter's Accept-Encoding goes
			// into the first).
			h[hd.Name] = append(h[hd.Name], hd.Value)
		}
	}
	if status < 100 || status > 999 {
		status = 500
	}
	if rw.h2 && status < 200 {
		// An HTTP/2 stream cannot end with a 1xx: mod_http2 resets it.
		rw.dead, rw.reset = true, true
		return 0, errClientGone
	}
	// The type Apache's header filter sends: the application's (made
	// by ap_make_content_type, with AddDefaultCharset), else the one
	// mod_mime gave the script; none for a 204. Never net/http's sniffing.
	if hasType {
		contentType = static.MakeContentType(contentType, rw.defaultCharset())
	} else if rw.r != nil {
		contentType = rw.r.ContentType
	}
	if contentType == "" || status == 204 {
		h["Content-Type"] = nil
	} else {
		h["Content-Type"] = []string{contentType}
	}
	switch {
	case hasLength || !bodyAllowed(status):
	case rw.proto11:
		// (Also for HEAD: it keeps net/http from counting the body
		// it drops into a Content-Length Apache does not send.)
		h["Transfer-Encoding"] = []string{"chunked"}
	case !rw.head:
		// An HTTP/1.0 body without a length ends with the connection
		// (ap_set_keepalive), which Apache says.
		h["Connection"] = []string{"close"}
		delete(h, "Keep-Alive")
	}
	if !rw.h2 {
		vhost.CloseForStatus(h, status)
		if rw.r != nil && vhost.BodyFailed(rw.r.HTTP) {
			// The body's end is unknown: no request may follow.
			h["Connection"] = []string{"close"}
			delete(h, "Keep-Alive")
		}
	}
	rw.started, rw.status = true, status
	// Apache sends the application's status line (mod_wsgi sets
	// r->status_line from it), reason phrase and all.
	vhost.SetStatusLine(rw.w, status, statusLine)
	return status, nil
}

// startedOpen reports whether the response's head went out without
// Connection: close.
func (rw *response) startedOpen() bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.started && !strings.EqualFold(rw.w.Header().Get("Connection"), "close")
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// Write sends body bytes.
func (rw *response) Write(p []byte) error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.dead {
		return errClientGone
	}
	rw.touch()
	if _, err := rw.w.Write(p); err != nil && !errors.Is(err, http.ErrBodyNotAllowed) {
		rw.dead = true
		return err
	}
	// A body for a 204 or 304 goes nowhere, as in Apache.
	return nil
}

// Flush pushes written bytes to the client.
func (rw *response) Flush() error {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.dead {
		return errClientGone
	}
	if err := rw.rc.Flush(); err != nil {
		rw.dead = true
		return err
	}
	return nil
}

// sendFileLocked sends part of a file; net/http uses sendfile(2) for it
// when the response has a Content-Length. rw.mu is held.
func (rw *response) sendFileLocked(f *os.File, offset, length int64) error {
	if rw.head && rw.h2 {
		// No body follows an HTTP/2 answer to HEAD; writes to the
		// ended stream would fail.
		return nil
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return err
	}
	var src io.Reader = f
	if d := rw.r.Dir; d != nil && d.EnableSendfile != nil && !*d.EnableSendfile {
		// EnableSendfile Off: core reads mod_wsgi's file bucket and
		// writes it; hiding the file's type keeps net/http from
		// sendfile(2).
		src = struct{ io.Reader }{f}
	}
	var err error
	if e, ok := rw.w.(vhost.BodyEnder); ok {
		// The file comes with the end of the body (mod_wsgi's file
		// bucket, flush and EOS), which the compression filters see.
		_, err = e.EndBody(src, length)
	} else {
		_, err = io.CopyN(rw.w, src, length)
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, http.ErrBodyNotAllowed) {
		rw.dead = true
		return err
	}
	return nil
}

// canonicalLength is a Content-Length value as Apache sends it once
// mod_wsgi parsed it (apr_strtoff: blanks and a sign allowed) and
// ap_set_content_length wrote it back (an empty one is 0, as strtol
// reads it); a value that does not parse is left for net/http to refuse.
func canonicalLength(v string) string {
	if v == "" {
		return "0"
	}
	t := strings.TrimLeft(v, " \t")
	t = strings.TrimPrefix(t, "+")
	if n, err := strconv.ParseInt(t, 10, 64); err == nil && n >= 0 {
		return strconv.FormatInt(n, 10)
	}
	return v
}

// defaultCharset is the request's AddDefaultCharset ("" when off).
func (rw *response) defaultCharset() string {
	if rw.r == nil || rw.r.Dir.AddDefaultCharset == nil {
		return ""
	}
	return *rw.r.Dir.AddDefaultCharset
}

// appendErrorPage sends Apache's error page for status after the body
// the application sent, as ap_die does for an error returned once the
// response began.
func (rw *response) appendErrorPage(status int) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.vh.AppendErrorPage(rw.w, rw.r, status, !rw.dead)
}

// streamReset reports whether the HTTP/2 stream is to be reset.
func (rw *response) streamReset() bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.reset
}

// rangeRefused reports whether the byterange filter refused the
// request's Range (the answer is Apache's 416 page).
func (rw *response) rangeRefused() bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.unsatisfiable
}

// wasAnswered reports whether the server answered the client in the
// application's place.
func (rw *response) wasAnswered() bool {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.answered
}

// answerLocked logs msg and answers the client with Apache's error
// document for status if nothing was sent yet, else cuts the
// connection. From then on the application's output goes nowhere.
// rw.mu is held.
func (rw *response) answerLocked(status int, module, msg string) {
	if rw.dead {
		return
	}
	rw.dead, rw.answered = true, true
	if rw.h.Log != nil {
		rw.h.Log("error", module, rw.r, msg)
	}
	if !rw.started {
		// The connection stays busy until the application returns, so
		// the client must not send its next request on it.
		o := fail(status)
		o.Header = http.Header{"Connection": {"close"}}
		rw.vh.SendError(rw.w, rw.r, o)
		rw.rc.Flush()
		return
	}
	if conn, _, err := rw.rc.Hijack(); err == nil {
		conn.Close()
	}
}

// bodyReader is the request body as the engine reads it: reads count as
// activity for the idle timeout.
type bodyReader struct {
	r   io.Reader
	rw  *response
	eof atomic.Bool
}

func (b *bodyReader) Read(p []byte) (int, error) {
	// A read that waits for the client is the client's time, which the
	// request body's own timeouts bound (Timeout, RequestReadTimeout),
	// not the application's silence.
	b.rw.reading.Add(1)
	n, err := b.r.Read(p)
	b.rw.reading.Add(-1)
	b.rw.touch()
	if err == io.EOF {
		b.eof.Store(true)
	}
	return n, err
}

// Finished reports whether the whole body was read.
func (b *bodyReader) Finished() bool { return b.eof.Load() }
