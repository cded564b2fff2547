package http1

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
)

// bufferBeforeChunking is how much of a body without a length is held
// before the answer is committed to chunks: a body that ends within it
// gets a Content-Length instead.
const bufferBeforeChunking = 2048

// response is the http.ResponseWriter of one request. Its framing is
// net/http's: a Content-Length when the handler set one or finished
// within the first bufferBeforeChunking bytes, else chunks (HTTP/1.1) or
// the connection's close (HTTP/1.0).
type response struct {
	c   *conn
	req *http.Request
	// reqBody is the body as read (the request's may be wrapped).
	reqBody io.ReadCloser

	handlerHeader http.Header
	header        http.Header // the snapshot WriteHeader took
	calledHeader  bool
	wroteHeader   bool
	headSent      bool // the status line and fields are in the writer
	status        int
	contentLength int64 // declared, or -1
	written       int64
	handlerDone   atomic.Bool

	// w buffers the body (bufferBeforeChunking bytes) in front of the
	// chunkWriter.
	w        *bufio.Writer
	chunking bool

	closeAfterReply bool
	fullDuplex      bool
	answer10        bool // AnswerHTTP10 was called
	// reason is the status line's reason phrase SetStatusText gave for
	// the status code reasonFor (0: none given).
	reason           string
	reasonFor        int
	wants10KeepAlive bool
	wantsClose       bool
	// bodyLimitHit: the answer closes the connection because the body
	// left unread was too long to read away.
	bodyLimitHit bool
	// unreadInput: nothing after the request's head was read (its
	// framing was refused); the client may still be sending.
	unreadInput bool

	continueMu       sync.Mutex
	canWriteContinue atomic.Bool

	dateBuf [len(http.TimeFormat)]byte
}

func (w *response) Header() http.Header {
	if w.header == nil && w.wroteHeader && !w.headSent {
		// A change after WriteHeader does not reach the answer.
		w.header = w.handlerHeader.Clone()
	}
	w.calledHeader = true
	return w.handlerHeader
}

func (w *response) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.c.hijacked() {
		w.c.srv.logf("http: response.WriteHeader on hijacked connection")
		return
	}
	if w.wroteHeader {
		w.c.srv.logf("http: superfluous response.WriteHeader call")
		return
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		// Informational: sent at once, the real answer follows.
		if code == 100 {
			w.disableContinue()
		}
		bw := w.c.bufw
		w.writeStatusLine(bw, code)
		w.handlerHeader.WriteSubset(bw, excludedNoBody)
		bw.WriteString("\r\n")
		bw.Flush()
		return
	}
	w.wroteHeader = true
	w.status = code
	if w.calledHeader && w.header == nil {
		w.header = w.handlerHeader.Clone()
	}
	if cl := w.handlerHeader.Get("Content-Length"); cl != "" {
		v, err := strconv.ParseInt(cl, 10, 64)
		if err == nil && v >= 0 {
			w.contentLength = v
		} else {
			w.c.srv.logf("http: invalid Content-Length of %q", cl)
			w.handlerHeader.Del("Content-Length")
		}
	}
}

var excludedNoBody = map[string]bool{"Content-Length": true, "Transfer-Encoding": true}

func (w *response) Write(p []byte) (int, error) { return w.write(len(p), p, "") }

func (w *response) WriteString(s string) (int, error) { return w.write(len(s), nil, s) }

// errHandlerReturned is a write to a response whose handler returned:
// the connection may carry another request's answer by then.
var errHandlerReturned = errors.New("http1: write after the handler returned")

func (w *response) write(n int, p []byte, s string) (int, error) {
	if w.c.hijacked() {
		return 0, http.ErrHijacked
	}
	if w.handlerDone.Load() {
		return 0, errHandlerReturned
	}
	if w.canWriteContinue.Load() {
		w.disableContinue()
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if n == 0 {
		return 0, nil
	}
	if !bodyAllowed(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	w.written += int64(n)
	if w.contentLength != -1 && w.written > w.contentLength {
		return 0, http.ErrContentLength
	}
	if p != nil {
		return w.w.Write(p)
	}
	return w.w.WriteString(s)
}

// chunkWriter is what the response's buffer writes to: the first write
// decides and sends the head, and the body goes out as is or in chunks.
type chunkWriter struct{ w *response }

func (cw chunkWriter) Write(p []byte) (int, error) {
	w := cw.w
	if !w.headSent {
		w.writeHead(p)
	}
	if w.req.Method == "HEAD" {
		return len(p), nil
	}
	bw := w.c.bufw
	if w.chunking {
		bw.WriteString(strconv.FormatInt(int64(len(p)), 16))
		bw.WriteString("\r\n")
	}
	n, err := bw.Write(p)
	if w.chunking && err == nil {
		_, err = bw.WriteString("\r\n")
	}
	if err != nil {
		w.c.rwc.Close()
	}
	return n, err
}

// flushHead sends the head if it has not gone yet, and what the
// connection's writer holds.
func (w *response) flushHead() error {
	if !w.headSent {
		w.writeHead(nil)
	}
	return w.c.bufw.Flush()
}

// writeHead decides the answer's framing and writes its status line and
// fields; p is the start of the body (all of it when the handler is
// done).
func (w *response) writeHead(p []byte) {
	if w.headSent {
		return
	}
	w.headSent = true
	isHEAD := w.req.Method == "HEAD"
	// The snapshot WriteHeader took is changed from here on; without
	// one, the handler never looked at its fields.
	header := w.header
	if header == nil {
		header = w.handlerHeader.Clone()
	}
	keepAlives := w.c.srv.doKeepAlives()
	var setDate, setLength bool
	var setType, setConnection, setTE string

	trailers := false
	for k := range header {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			trailers = true
			delete(header, k)
		}
	}
	if len(header["Trailer"]) > 0 {
		trailers = true
	}
	te := header.Get("Transfer-Encoding")
	hasTE := te != ""
	if w.handlerDone.Load() && !trailers && !hasTE && bodyAllowed(w.status) && header.Get("Content-Length") == "" && (!isHEAD || len(p) > 0) {
		w.contentLength = int64(len(p))
		setLength = true
	}
	if w.wants10KeepAlive && keepAlives {
		if header.Get("Content-Length") != "" && header.Get("Connection") == "keep-alive" {
			w.closeAfterReply = false
		}
	}
	hasCL := w.contentLength != -1
	if w.wants10KeepAlive && (isHEAD || hasCL || !bodyAllowed(w.status)) {
		if _, set := header["Connection"]; !set {
			setConnection = "keep-alive"
		}
	} else if !w.req.ProtoAtLeast(1, 1) || w.wantsClose {
		w.closeAfterReply = true
	}
	if hasToken(header.Get("Connection"), "close") || !keepAlives {
		w.closeAfterReply = true
	}
	if cr, ok := w.req.Body.(*continueReader); ok && !cr.sawEOF.Load() {
		// The client may still be waiting to send the body.
		w.closeAfterReply = true
	}
	// What the handler left of the body is read away now, so that a
	// client sending it is not blocked by an answer it does not read.
	if w.req.ContentLength != 0 && !w.closeAfterReply && !w.fullDuplex {
		w.discardBody(header, &setConnection)
	}
	if bodyAllowed(w.status) {
		_, haveType := header["Content-Type"]
		if header.Get("Content-Encoding") == "" && !haveType && !hasTE && len(p) > 0 {
			setType = http.DetectContentType(p)
		}
	} else {
		for _, k := range suppressed(w.status, w.c.srv.KeepNotModifiedType) {
			delete(header, k)
		}
	}
	if _, ok := header["Date"]; !ok {
		setDate = true
	}
	if hasCL && hasTE && te != "identity" {
		w.c.srv.logf("http: WriteHeader called with both Transfer-Encoding of %q and a Content-Length of %d", te, w.contentLength)
		delete(header, "Content-Length")
		hasCL = false
	}
	switch {
	case isHEAD || !bodyAllowed(w.status) || w.status == http.StatusNoContent:
		delete(header, "Transfer-Encoding")
	case hasCL:
		delete(header, "Transfer-Encoding")
	case w.req.ProtoAtLeast(1, 1):
		if hasTE && te == "identity" {
			w.chunking = false
			w.closeAfterReply = true
			delete(header, "Transfer-Encoding")
		} else {
			w.chunking = true
			setTE = "chunked"
			if hasTE && te == "chunked" {
				delete(header, "Transfer-Encoding")
			}
		}
	default:
		// HTTP/1.0 with no length: the close ends the body.
		w.closeAfterReply = true
		delete(header, "Transfer-Encoding")
		if _, promised := header["Keep-Alive"]; promised {
			// The handler promised keep-alive before the length was
			// known (a multipart answer of many ranges, streamed):
			// Apache's ap_set_keepalive gives HTTP/1.0 keep-alive only
			// with a length, and says "Connection: close" otherwise.
			delete(header, "Keep-Alive")
			header["Connection"] = []string{"close"}
		}
	}
	if w.chunking {
		delete(header, "Content-Length")
	}
	if !w.req.ProtoAtLeast(1, 0) {
		return
	}
	if w.closeAfterReply && (!keepAlives || !hasToken(header.Get("Connection"), "close")) && !switchesProtocol(w.status, header) {
		delete(header, "Connection")
		if w.req.ProtoAtLeast(1, 1) {
			setConnection = "close"
		}
	}
	bw := w.c.bufw
	w.writeStatusLine(bw, w.status)
	header.Write(bw)
	if setDate {
		bw.WriteString("Date: ")
		bw.Write(w.c.srv.date(w.dateBuf[:0]))
		bw.WriteString("\r\n")
	}
	if setLength {
		bw.WriteString("Content-Length: ")
		bw.WriteString(strconv.Itoa(len(p)))
		bw.WriteString("\r\n")
	}
	for _, f := range [...]struct{ k, v string }{{"Content-Type", setType}, {"Connection", setConnection}, {"Transfer-Encoding", setTE}} {
		if f.v != "" {
			bw.WriteString(f.k)
			bw.WriteString(": ")
			bw.WriteString(f.v)
			bw.WriteString("\r\n")
		}
	}
	bw.WriteString("\r\n")
}

// discardBody reads away the request body the handler left, when that
// is little; more closes the connection after the answer.
func (w *response) discardBody(header http.Header, setConnection *string) {
	discard, tooBig := false, false
	switch b := w.req.Body.(type) {
	case *continueReader:
		// Never read: the client was not told to send it.
	case *body:
		b.mu.Lock()
		switch {
		case b.closed:
			if !b.sawEOF {
				w.closeAfterReply = true
			}
		case b.unreadLocked() >= maxPostHandlerReadBytes:
			tooBig = true
		default:
			discard = true
		}
		b.mu.Unlock()
	default:
		discard = true
	}
	if discard {
		_, err := io.CopyN(io.Discard, w.reqBody, maxPostHandlerReadBytes+1)
		switch err {
		case nil:
			tooBig = true
		case http.ErrBodyReadAfterClose:
		case io.EOF:
			if w.reqBody.Close() != nil {
				w.closeAfterReply = true
			}
		default:
			w.closeAfterReply = true
		}
	}
	if tooBig {
		w.bodyLimitHit = true
		w.closeAfterReply = true
		delete(header, "Connection")
		*setConnection = "close"
	}
}

// Flush sends what is held, the head first.
func (w *response) Flush() { w.FlushError() }

// FlushError is Flush that reports a failed write.
func (w *response) FlushError() error {
	if w.c.hijacked() {
		return http.ErrHijacked
	}
	if w.handlerDone.Load() {
		return errHandlerReturned
	}
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	err := w.w.Flush()
	if e := w.flushHead(); err == nil {
		err = e
	}
	return err
}

// ReadFrom sends src as body: with the connection's own ReadFrom
// (sendfile for a file) once the head is out and the body is sent as
// is.
func (w *response) ReadFrom(src io.Reader) (n int64, err error) {
	rf, ok := w.c.rwc.(io.ReaderFrom)
	if !ok || w.c.hijacked() {
		return io.Copy(writerOnly{w}, src)
	}
	if !w.headSent {
		// The first bytes decide the head (and its type, if none is
		// set) before the rest goes out unbuffered.
		n0, err := io.Copy(writerOnly{w}, io.LimitReader(src, 512))
		n += n0
		if err != nil || n0 < 512 {
			return n, err
		}
	}
	w.w.Flush()
	if err := w.flushHead(); err != nil {
		return n, err
	}
	if !w.chunking && bodyAllowed(w.status) && w.req.Method != "HEAD" {
		n0, err := rf.ReadFrom(src)
		n += n0
		w.written += n0
		return n, err
	}
	n0, err := io.Copy(writerOnly{w}, src)
	return n + n0, err
}

// writerOnly hides ReadFrom, so that io.Copy writes.
type writerOnly struct{ io.Writer }

// finish ends the answer after the handler returned.
func (w *response) finish() {
	w.handlerDone.Store(true)
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	w.w.Flush()
	if !w.headSent {
		w.writeHead(nil)
	}
	if w.chunking {
		bw := w.c.bufw
		bw.WriteString("0\r\n")
		if trailers := w.trailers(); len(trailers) > 0 {
			trailers.Write(bw)
		}
		bw.WriteString("\r\n")
	}
	w.c.bufw.Flush()
	w.c.cr.abortPendingRead()
	if b, ok := w.reqBody.(*body); ok && w.closeAfterReply {
		// Only a connection that carries another request needs to be
		// at the body's end (net/http reads up to 256 KiB of it here).
		b.abandon()
	}
	w.reqBody.Close()
	if w.req.MultipartForm != nil {
		w.req.MultipartForm.RemoveAll()
	}
}

// trailers are the trailer fields the handler declared or set.
func (w *response) trailers() http.Header {
	var t http.Header
	for _, v := range w.handlerHeader["Trailer"] {
		for _, k := range strings.Split(v, ",") {
			k = http.CanonicalHeaderKey(strings.TrimSpace(k))
			if vv, ok := w.handlerHeader[k]; ok && k != "" && httpguts.ValidTrailerHeader(k) {
				if t == nil {
					t = http.Header{}
				}
				t[k] = vv
			}
		}
	}
	for k, vv := range w.handlerHeader {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			if t == nil {
				t = http.Header{}
			}
			t[strings.TrimPrefix(k, http.TrailerPrefix)] = vv
		}
	}
	return t
}

// reusable reports whether the connection may carry another request.
func (w *response) reusable() bool {
	if w.closeAfterReply {
		return false
	}
	if w.req.Method != "HEAD" && w.contentLength != -1 && bodyAllowed(w.status) && w.contentLength != w.written {
		// The handler did not send the length it declared.
		return false
	}
	if w.c.werr.Load() != nil {
		return false
	}
	return !w.closedBodyEarly()
}

func (w *response) closedBodyEarly() bool {
	b, ok := w.reqBody.(*body)
	return ok && b.closedEarly()
}

// writeContinue sends "100 Continue" the first time the body is read,
// unless the answer has begun.
func (w *response) writeContinue() {
	if !w.canWriteContinue.Load() {
		return
	}
	w.continueMu.Lock()
	defer w.continueMu.Unlock()
	if w.canWriteContinue.Load() {
		w.c.bufw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
		w.c.bufw.Flush()
		w.canWriteContinue.Store(false)
	}
}

func (w *response) disableContinue() {
	w.continueMu.Lock()
	w.canWriteContinue.Store(false)
	w.continueMu.Unlock()
}

// Hijack hands the connection to the handler.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.handlerDone.Load() {
		panic("http1: Hijack called after ServeHTTP finished")
	}
	w.disableContinue()
	if w.wroteHeader {
		w.flushHead()
	}
	return w.c.hijack()
}

// EnableFullDuplex lets the handler read the request body after its
// answer began: the body is then not read away when the head goes out.
func (w *response) EnableFullDuplex() error {
	w.fullDuplex = true
	return nil
}

// SetReadDeadline and SetWriteDeadline set the connection's deadlines,
// for http.ResponseController.
func (w *response) SetReadDeadline(t time.Time) error { return w.c.rwc.SetReadDeadline(t) }
func (w *response) SetWriteDeadline(t time.Time) error {
	w.c.writeDeadline.Store(true)
	return w.c.rwc.SetWriteDeadline(t)
}

// statusLine11 reports whether the status line says HTTP/1.1: for an
// HTTP/1.1 request, and for any with Server.StatusLine11, unless the
// handler asked for HTTP/1.0.
func (w *response) statusLine11() bool {
	return !w.answer10 && (w.c.srv.StatusLine11 || w.req.ProtoAtLeast(1, 1))
}

// AnswerHTTP10 makes the status line say HTTP/1.0 (Apache's
// force-response-1.0), when the head has not gone out yet. The framing
// is not changed: the handler asks for what HTTP/1.0 needs.
func (w *response) AnswerHTTP10() { w.answer10 = true }

func bodyAllowed(status int) bool {
	switch {
	case status >= 100 && status <= 199:
		return false
	case status == 204, status == 304:
		return false
	}
	return true
}

// suppressed are the fields a 304 (and other bodyless answers) drop;
// keepType keeps a 304's Content-Type.
func suppressed(status int, keepType bool) []string {
	if status == http.StatusNotModified && !keepType {
		return notModifiedSuppressed
	}
	if !bodyAllowed(status) {
		return bodylessSuppressed
	}
	return nil
}

var (
	notModifiedSuppressed = []string{"Content-Type", "Content-Length", "Transfer-Encoding"}
	bodylessSuppressed    = []string{"Content-Length", "Transfer-Encoding"}
)

func switchesProtocol(status int, h http.Header) bool {
	return status == http.StatusSwitchingProtocols && h.Get("Upgrade") != ""
}

// SetStatusText makes the status line of an answer with status code
// say text as its reason phrase ("200 Everything Fine"), as Apache sends
// the status line a handler sets (r->status_line): a WSGI application's.
// The answer keeps the standard phrase when its status turns out to be
// another (a wrapper between changed it), as Apache drops a status line
// whose code is not the answer's. text may be empty ("299 "); it must
// not hold a control character.
func (w *response) SetStatusText(code int, text string) {
	w.reason, w.reasonFor = text, code
}

// writeStatusLine writes the status line for code: the reason phrase the
// handler gave for it, else the server's (StatusText), else net/http's.
func (w *response) writeStatusLine(bw *bufio.Writer, code int) {
	if w.statusLine11() {
		bw.WriteString("HTTP/1.1 ")
	} else {
		bw.WriteString("HTTP/1.0 ")
	}
	text, given := w.reason, w.reasonFor == code
	if !given && w.c.srv.StatusText != nil {
		text = w.c.srv.StatusText(code)
		given = text != ""
	}
	if !given {
		text = http.StatusText(code)
	}
	if !given && text == "" {
		fmt.Fprintf(bw, "%03d status code %d\r\n", code, code)
		return
	}
	var b [3]byte
	bw.Write(strconv.AppendInt(b[:0], int64(code), 10))
	bw.WriteByte(' ')
	bw.WriteString(text)
	bw.WriteString("\r\n")
}
