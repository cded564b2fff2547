package http1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// conn is one client connection and the requests it carries, one at a
// time.
type conn struct {
	srv  *Server
	rwc  net.Conn
	cr   *connReader
	br   *bufio.Reader
	bufw *bufio.Writer
	// respw is the response body's buffer, reset for each response.
	respw *bufio.Writer
	tp    textproto.Reader
	// werr is the first failed write to the client.
	werr atomic.Pointer[error]

	remote    string
	mu        sync.Mutex
	hijackedv bool
	// taken is hijackedv for the client-gone watch, which may not take
	// mu (hijack holds mu while it stops the watch).
	taken      atomic.Bool
	state      atomic.Int32 // http.ConnState, for Shutdown
	newAt      int64        // when it was accepted (Unix ns)
	lastMethod string
	// strictLF: a bare LF does not end a line (Server.RefuseBareLF).
	strictLF bool
	// cur is the request being served, for the client-gone watch.
	cur atomic.Pointer[requestContext]
	// writeDeadline is set when a handler set a write deadline (through
	// http.ResponseController): it ends with its response.
	writeDeadline atomic.Bool
}

func (c *conn) setState(s http.ConnState) {
	c.state.Store(int32(s))
	if c.srv.ConnState != nil {
		c.srv.ConnState(c.rwc, s)
	}
}

func (c *conn) hijacked() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hijackedv
}

// errorHeaders end the plain answers to requests that cannot be served.
const errorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// serve reads requests from the connection and answers them until one
// of them, the client or the server ends it.
func (c *conn) serve(ctx context.Context) {
	c.remote = c.rwc.RemoteAddr().String()
	var inFlight *response
	defer func() {
		if err := recover(); err != nil && err != http.ErrAbortHandler {
			buf := make([]byte, 64<<10)
			buf = buf[:runtime.Stack(buf, false)]
			c.srv.logf("http: panic serving %v: %v\n%s", c.remote, err, buf)
		}
		if inFlight != nil {
			if rc := c.cur.Load(); rc != nil {
				rc.cancel(context.Canceled)
			}
			inFlight.disableContinue()
		}
		if !c.hijacked() {
			if inFlight != nil {
				c.cr.abortPendingRead()
				inFlight.reqBody.Close()
			}
			c.close()
			c.setState(http.StateClosed)
		}
		c.srv.forget(c)
	}()

	c.cr = &connReader{c: c, rwc: c.rwc}
	c.cr.cond = sync.NewCond(&c.cr.mu)
	c.br = bufio.NewReaderSize(c.cr, 4096)
	c.bufw = bufio.NewWriterSize(checkWriter{c}, 4<<10)
	c.tp.R = c.br

	if d := c.srv.HeaderTimeout; d > 0 {
		c.rwc.SetReadDeadline(time.Now().Add(d))
	}
	if c.srv.HTTP2 != nil && c.maybeHTTP2() {
		return
	}
	c.strictLF = c.srv.RefuseBareLF != nil && c.srv.RefuseBareLF(c.rwc)
	for {
		w, err := c.readRequest(ctx)
		if err == nil || c.cr.headRead() {
			c.setState(http.StateActive)
		}
		if c.srv.shuttingDown() {
			return
		}
		if err != nil {
			var le lineError
			var lf bareLF
			// A line cut short by a failed read (a timeout, the client
			// gone) is no request line: nothing is answered for it.
			if errors.As(err, &le) && c.srv.BadLine != nil && !c.cr.broken() {
				c.answerBadLine(ctx, le.line, "")
				return
			}
			if errors.As(err, &lf) && c.srv.BadLine != nil {
				c.answerBadLine(ctx, lf.line, lf.field)
				return
			}
			c.answerUnreadable(err)
			return
		}
		req := w.req
		if hasToken(req.Header.Get("Expect"), "100-continue") {
			if req.ProtoAtLeast(1, 1) && req.ContentLength != 0 {
				req.Body = &continueReader{body: req.Body, resp: w}
				w.canWriteContinue.Store(true)
			}
		} else if req.Header.Get("Expect") != "" && !c.srv.PassMalformed {
			w.sendExpectationFailed()
			return
		}
		inFlight = w
		c.srv.Handler.ServeHTTP(w, req)
		inFlight = nil
		if rc := c.endRequest(); rc != nil {
			rc.cancel(context.Canceled)
		}
		if c.hijacked() {
			return
		}
		w.finish()
		if c.writeDeadline.Load() && c.writeDeadline.Swap(false) {
			c.rwc.SetWriteDeadline(time.Time{})
		}
		if !w.reusable() {
			if w.bodyLimitHit || w.unreadInput || w.closedBodyEarly() {
				c.closeWriteAndWait()
			}
			return
		}
		c.setState(http.StateIdle)
		if !c.srv.doKeepAlives() {
			return
		}
		if d := c.srv.IdleTimeout; d > 0 {
			c.rwc.SetReadDeadline(time.Now().Add(d))
		} else {
			c.rwc.SetReadDeadline(time.Time{})
		}
		if _, err := c.br.Peek(4); err != nil {
			return
		}
	}
}

// readRequest reads the next request head and makes its response.
func (c *conn) readRequest(ctx context.Context) (*response, error) {
	if c.srv.HeaderTimeout > 0 {
		c.rwc.SetReadDeadline(time.Now().Add(c.srv.HeaderTimeout))
	} else {
		c.rwc.SetReadDeadline(time.Time{})
	}
	c.cr.limitHead(int64(c.srv.maxHeaderBytes()) + 4096)
	if c.lastMethod == "POST" && !c.srv.PassMalformed {
		// Old clients send a CRLF after a POST body.
		peek, _ := c.br.Peek(4)
		n := 0
		for n < len(peek) && (peek[n] == '\r' || peek[n] == '\n') {
			n++
		}
		c.br.Discard(n)
	}
	var lineAt time.Time
	if c.strictLF {
		if err := checkLineEnds(c.br, &lineAt); err != nil {
			return nil, err
		}
	}
	if c.srv.PassMalformed {
		c.skipEmptyLines()
	}
	req, names, unread, err := readRequest(&c.tp, c.br, c.srv.PassMalformed, &lineAt)
	if err != nil {
		if c.cr.hitLimit() {
			return nil, errHeadTooLarge
		}
		return nil, err
	}
	if err := checkRequest(req, c.srv.PassMalformed); err != nil {
		return nil, err
	}
	c.lastMethod = req.Method
	c.cr.unlimit()
	rc := &requestContext{Context: ctx, c: c, names: names, start: lineAt}
	rc.body, _ = req.Body.(*body)
	req = req.WithContext(rc)
	req.RemoteAddr = c.remote
	c.cur.Store(rc)
	c.rwc.SetReadDeadline(time.Time{})
	w := &response{
		c: c, req: req, reqBody: req.Body,
		handlerHeader: make(http.Header),
		contentLength: -1,
		// (An HTTP/1.0 request that asks for keep-alive yet must close,
		// for its framing, has Close set.)
		wants10KeepAlive: req.ProtoMajor == 1 && req.ProtoMinor == 0 && hasToken(req.Header.Get("Connection"), "keep-alive") && !req.Close,
		wantsClose:       req.Close || hasToken(req.Header.Get("Connection"), "close"),
		unreadInput:      unread,
	}
	if isH2Upgrade(req) {
		w.closeAfterReply = true
	}
	if c.respw == nil {
		c.respw = bufio.NewWriterSize(chunkWriter{w}, bufferBeforeChunking)
	} else {
		c.respw.Reset(chunkWriter{w})
	}
	w.w = c.respw
	return w, nil
}

// maxEmptyLines is Apache's DEFAULT_LIMIT_BLANK_LINES.
const maxEmptyLines = 10

// skipEmptyLines skips the empty lines before a request line, as
// Apache's read_request_line does (old clients end a POST body with a
// CRLF): up to maxEmptyLines, each a CRLF or a bare LF (where a bare LF
// ends a line: under strictLF checkLineEnds has refused it).
func (c *conn) skipEmptyLines() {
	for range maxEmptyLines {
		b, err := c.br.Peek(1)
		if err != nil {
			return
		}
		switch b[0] {
		case '\n':
			c.br.Discard(1)
		case '\r':
			if b, err = c.br.Peek(2); err != nil || b[1] != '\n' {
				return
			}
			c.br.Discard(2)
		default:
			return
		}
	}
}

// answerBadLine has Server.BadLine answer a request line that could not
// be read; the connection closes after it.
func (c *conn) answerBadLine(ctx context.Context, line, field string) {
	fields := strings.Fields(line)
	req := &http.Request{Proto: "HTTP/1.0", ProtoMajor: 1, ProtoMinor: 0,
		Header: http.Header{}, Body: http.NoBody, Close: true, RemoteAddr: c.remote, URL: &url.URL{}}
	if len(fields) > 0 {
		req.Method = fields[0]
	}
	if len(fields) > 1 {
		req.RequestURI, req.URL.Path = fields[1], fields[1]
	}
	rc := &requestContext{Context: ctx, c: c}
	req = req.WithContext(rc)
	c.cur.Store(rc)
	c.rwc.SetReadDeadline(time.Time{})
	w := &response{c: c, req: req, reqBody: req.Body, handlerHeader: make(http.Header), contentLength: -1, closeAfterReply: true}
	if c.respw == nil {
		c.respw = bufio.NewWriterSize(chunkWriter{w}, bufferBeforeChunking)
	} else {
		c.respw.Reset(chunkWriter{w})
	}
	w.w = c.respw
	c.setState(http.StateActive)
	c.srv.BadLine(w, req, line, field)
	if rc := c.endRequest(); rc != nil {
		rc.cancel(context.Canceled)
	}
	if !c.hijacked() {
		w.finish()
	}
}

// answerUnreadable answers a request head that could not be read as
// net/http does: plain text, then the connection closes.
func (c *conn) answerUnreadable(err error) {
	var te unsupportedTE
	var se statusError
	switch {
	case errors.Is(err, errHeadTooLarge):
		const msg = "431 Request Header Fields Too Large"
		fmt.Fprintf(c.rwc, "HTTP/1.1 "+msg+errorHeaders+msg)
		c.closeWriteAndWait()
	case errors.As(err, &te):
		fmt.Fprintf(c.rwc, "HTTP/1.1 501 Not Implemented%sUnsupported transfer encoding", errorHeaders)
	case commonReadError(err):
		// The client went away or stopped sending: no answer.
	case errors.As(err, &se):
		text := http.StatusText(se.code)
		fmt.Fprintf(c.rwc, "HTTP/1.1 %d %s: %s%s%d %s: %s", se.code, text, se.text, errorHeaders, se.code, text, se.text)
	default:
		const msg = "400 Bad Request"
		fmt.Fprintf(c.rwc, "HTTP/1.1 "+msg+errorHeaders+msg)
	}
}

func commonReadError(err error) bool {
	if err == io.EOF {
		return true
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return true
	}
	if oe, ok := err.(*net.OpError); ok && oe.Op == "read" {
		return true
	}
	return false
}

// sendExpectationFailed answers an Expect other than 100-continue.
func (w *response) sendExpectationFailed() {
	w.Header().Set("Connection", "close")
	w.WriteHeader(http.StatusExpectationFailed)
	w.finish()
}

// maybeHTTP2 hands the connection to the HTTP/2 server when it starts
// with the HTTP/2 preface, unless the connection says HTTP/2 is refused
// on it (RefusedHTTP2).
func (c *conn) maybeHTTP2() bool {
	has := func(preface string) bool {
		c.cr.limitHead(int64(len(preface) - c.br.Buffered()))
		got, err := c.br.Peek(len(preface))
		c.cr.unlimit()
		return err == nil && string(got) == preface
	}
	if !has("PRI * HTTP/2.0") || !has("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") {
		return false
	}
	if r, ok := c.rwc.(interface{ RefusedHTTP2() bool }); ok && r.RefusedHTTP2() {
		// Not spoken here: the preface is read as an HTTP/1 request.
		return false
	}
	c.mu.Lock()
	c.hijackedv = true
	c.taken.Store(true)
	c.mu.Unlock()
	// The HTTP/2 server follows the connection from here.
	c.setState(http.StateHijacked)
	c.srv.HTTP2(&bufferedConn{Conn: c.rwc, r: c.br})
	return true
}

// bufferedConn is a connection whose first bytes are in r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufferedConn) Read(p []byte) (int, error) {
	if b.r.Buffered() > 0 {
		return b.r.Read(p)
	}
	return b.Conn.Read(p)
}

// NetConn is the connection under b.
func (b *bufferedConn) NetConn() net.Conn { return b.Conn }

// hijack hands the connection over (http.Hijacker).
func (c *conn) hijack() (net.Conn, *bufio.ReadWriter, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hijackedv {
		return nil, nil, http.ErrHijacked
	}
	c.taken.Store(true)
	c.cr.abortPendingRead()
	c.hijackedv = true
	c.rwc.SetDeadline(time.Time{})
	buf := bufio.NewReadWriter(c.br, bufio.NewWriter(c.rwc))
	if c.cr.hasByte {
		if _, err := c.br.Peek(c.br.Buffered() + 1); err != nil {
			return nil, nil, fmt.Errorf("unexpected Peek failure reading buffered byte: %v", err)
		}
	}
	c.setState(http.StateHijacked)
	return c.rwc, buf, nil
}

func (c *conn) close() {
	c.bufw.Flush()
	c.rwc.Close()
}

// closeWriteAndWait flushes, half-closes and waits a little before the
// close, so that the client reads the answer before a reset. The
// half-close is the first of the connection's wrappers (NetConn) that
// can make one: a TLS connection's, else the TCP connection's.
func (c *conn) closeWriteAndWait() {
	c.bufw.Flush()
	for nc := c.rwc; nc != nil; {
		if cw, ok := nc.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
			break
		}
		u, ok := nc.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		nc = u.NetConn()
	}
	time.Sleep(500 * time.Millisecond)
}

// checkWriter records the first failed write to the client and cancels
// the request being served.
type checkWriter struct{ c *conn }

func (w checkWriter) Write(p []byte) (int, error) {
	n, err := w.c.rwc.Write(p)
	if err != nil && w.c.werr.Load() == nil {
		w.c.werr.Store(&err)
		if rc := w.c.cur.Load(); rc != nil {
			rc.cancel(context.Canceled)
		}
	}
	return n, err
}

// connReader is the connection as the request reader sees it: a request
// head may take only so many bytes, and a byte the client-gone watch
// read is kept for the next request.
type connReader struct {
	c   *conn
	rwc net.Conn

	mu       sync.Mutex
	cond     *sync.Cond
	limited  bool
	remain   int64
	readHead bool // some byte of the head being read arrived
	inRead   bool
	aborting bool
	failed   bool // a read of the handler's side failed
	hasByte  bool
	byteBuf  [1]byte
}

func (cr *connReader) limitHead(n int64) {
	cr.mu.Lock()
	cr.limited, cr.remain, cr.readHead = true, n, false
	cr.mu.Unlock()
}

func (cr *connReader) unlimit() {
	cr.mu.Lock()
	cr.limited = false
	cr.mu.Unlock()
}

func (cr *connReader) hitLimit() bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.limited && cr.remain <= 0
}

// broken reports whether a read of the connection failed.
func (cr *connReader) broken() bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.failed
}

func (cr *connReader) headRead() bool {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.readHead
}

func (cr *connReader) Read(p []byte) (int, error) {
	cr.mu.Lock()
	if cr.inRead {
		cr.mu.Unlock()
		panic("http1: concurrent read of a connection")
	}
	if cr.limited && cr.remain <= 0 {
		cr.mu.Unlock()
		return 0, io.EOF
	}
	if len(p) == 0 {
		cr.mu.Unlock()
		return 0, nil
	}
	if cr.limited && int64(len(p)) > cr.remain {
		p = p[:cr.remain]
	}
	if cr.hasByte {
		p[0] = cr.byteBuf[0]
		cr.hasByte = false
		cr.remain--
		cr.readHead = true
		cr.mu.Unlock()
		return 1, nil
	}
	cr.inRead = true
	cr.mu.Unlock()
	n, err := cr.rwc.Read(p)
	cr.mu.Lock()
	cr.inRead = false
	cr.remain -= int64(n)
	if n > 0 {
		cr.readHead = true
	}
	if err != nil {
		cr.failed = true
	}
	cr.mu.Unlock()
	cr.cond.Broadcast()
	if err != nil {
		cr.c.readFailed()
	}
	return n, err
}

// endRequest ends the request being served for the client-gone watch:
// none starts for it from here on (abortPendingRead stops one that
// runs). It returns the request's context.
func (c *conn) endRequest() *requestContext {
	c.cr.mu.Lock()
	defer c.cr.mu.Unlock()
	return c.cur.Swap(nil)
}

// startWatch reads one byte in the background to learn when the client
// goes away while its request is served (the request body, if any, has
// been read); a byte that arrives is kept for the next request. The
// watch starts only while current holds, checked under the reader's
// lock, so that a request that ended (endRequest) or a connection that
// was taken over does not get one.
func (cr *connReader) startWatch(current func() bool) {
	cr.mu.Lock()
	if cr.inRead || cr.hasByte || !current() {
		cr.mu.Unlock()
		return
	}
	cr.inRead = true
	cr.rwc.SetReadDeadline(time.Time{})
	cr.mu.Unlock()
	go cr.watch()
}

func (cr *connReader) watch() {
	n, err := cr.rwc.Read(cr.byteBuf[:])
	cr.mu.Lock()
	if n == 1 {
		cr.hasByte = true
	}
	gone := false
	if ne, ok := err.(net.Error); ok && cr.aborting && ne.Timeout() {
		// Stopped by abortPendingRead.
	} else if err != nil {
		gone = true
	}
	cr.aborting = false
	cr.inRead = false
	cr.mu.Unlock()
	cr.cond.Broadcast()
	if gone {
		cr.c.readFailed()
	}
}

// abortPendingRead stops the background read, if one runs.
func (cr *connReader) abortPendingRead() {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	if !cr.inRead {
		return
	}
	cr.aborting = true
	cr.rwc.SetReadDeadline(time.Unix(1, 0))
	for cr.inRead {
		cr.cond.Wait()
	}
	cr.rwc.SetReadDeadline(time.Time{})
}

// readFailed ends the request being served: its client is gone.
func (c *conn) readFailed() {
	if rc := c.cur.Load(); rc != nil {
		rc.cancel(context.Canceled)
	}
}

// requestContext is a request's context. Its Done channel is made when
// first asked for: only then does the connection watch for the client
// going away (a read in the background), which most requests never need.
type requestContext struct {
	context.Context // the connection's values; never done
	c               *conn
	mu              sync.Mutex
	done            chan struct{}
	err             error
	watching        bool
	// body is the request's body while it may still be read.
	body *body
	// names are the request's field names (FieldNames).
	names []string
	// start is when the request line was read (RequestStart).
	start time.Time
}

func (rc *requestContext) Done() <-chan struct{} {
	rc.mu.Lock()
	if rc.done == nil {
		rc.done = make(chan struct{})
		if rc.err != nil {
			close(rc.done)
		}
	}
	d, watch := rc.done, !rc.watching && rc.err == nil
	rc.watching = true
	rc.mu.Unlock()
	if watch {
		rc.c.watchClient(rc)
	}
	return d
}

func (rc *requestContext) Err() error {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.err
}

func (rc *requestContext) cancel(err error) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.err != nil {
		return
	}
	rc.err = err
	if rc.done != nil {
		close(rc.done)
	}
}

func (rc *requestContext) String() string { return "http1.requestContext" }

// watchClient starts the background read for rc's request once its body
// has been read.
func (c *conn) watchClient(rc *requestContext) {
	if c.cur.Load() != rc {
		return
	}
	start := func() {
		c.cr.startWatch(func() bool { return c.cur.Load() == rc && !c.taken.Load() })
	}
	if rc.body != nil {
		rc.body.registerOnEOF(start)
		return
	}
	start()
}
