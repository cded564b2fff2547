package http1

import (
	"bufio"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// maxPostHandlerReadBytes is how much of a request body the handler
// left unread is read away to keep the connection (net/http's figure);
// with more left the connection closes after the answer.
const maxPostHandlerReadBytes = 256 << 10

// body is a request body: Content-Length bytes of the connection, or its
// chunks and trailer. Reads after Close fail; Close reads away what is
// left when that is little, so that the connection can carry the next
// request.
type body struct {
	src     io.Reader // an *io.LimitedReader, or the chunked reader
	chunked bool
	br      *bufio.Reader // the connection, for the trailer
	req     *http.Request // its Trailer is filled
	closing bool          // the connection closes after this request anyway
	// abandoned: the answer closes the connection, so what is left of
	// the body is not read (abandon).
	abandoned bool

	// framingCloses: the request's framing ends the connection after it
	// (Content-Length beside chunked), so a discard reads nothing of the
	// body (FramingCloses).
	framingCloses bool

	mu         sync.Mutex
	err        error // a read's failure, returned again by every later read
	sawEOF     bool
	closed     bool
	earlyClose bool   // closed with more left than is read away
	failed     bool   // a read failed: the connection is not at a request
	onEOF      func() // called once the body has been read to its end
}

func newBody(req *http.Request, br *bufio.Reader, length int64, chunked bool) *body {
	b := &body{br: br, req: req, chunked: chunked, closing: req.Close}
	if chunked {
		b.src = &chunkedReader{br: br, req: req, fieldSize: defaultFieldSize, fields: defaultFields}
	} else {
		b.src = &io.LimitedReader{R: br, N: length}
	}
	return b
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	return b.readLocked(p)
}

func (b *body) readLocked(p []byte) (n int, err error) {
	switch {
	case b.err != nil:
		return 0, b.err
	case b.sawEOF:
		return 0, io.EOF
	}
	n, err = b.src.Read(p)
	if lr, ok := b.src.(*io.LimitedReader); ok && err == io.EOF && lr.N > 0 {
		err = io.ErrUnexpectedEOF // cut short: Apache's APR_INCOMPLETE, every time
	}
	if err != nil && err != io.EOF {
		// A body that broke (a malformed chunk, the client gone)
		// leaves the connection somewhere inside it.
		b.failed, b.err = true, err
	}
	if err == io.EOF {
		b.sawEOF = true
	}
	if err == nil && n > 0 && !b.chunked && b.src.(*io.LimitedReader).N == 0 {
		err = io.EOF
		b.sawEOF = true
	}
	if b.sawEOF && b.onEOF != nil {
		f := b.onEOF
		b.onEOF = nil
		f()
	}
	return n, err
}

// unreadLocked is how much of a Content-Length body is left, -1 for a
// chunked one.
func (b *body) unreadLocked() int64 {
	if lr, ok := b.src.(*io.LimitedReader); ok {
		return lr.N
	}
	return -1
}

// Close ends the body for the handler. A server-side body reads away
// what is left when it is at most maxPostHandlerReadBytes; with more, it
// is closed early and the connection will not be reused.
func (b *body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	var err error
	switch {
	case b.sawEOF:
	case b.abandoned:
		// The client may still be sending: the connection lingers
		// (closeWriteAndWait) so that its answer is not lost to a reset.
		b.earlyClose = true
	case !b.chunked && b.closing:
		// The connection closes after this request; nothing to keep.
	default:
		if n := b.unreadLocked(); n > maxPostHandlerReadBytes {
			b.earlyClose = true
		} else {
			var read int64
			read, err = io.CopyN(io.Discard, lockedBody{b}, maxPostHandlerReadBytes)
			if read == maxPostHandlerReadBytes {
				b.earlyClose = true
			}
			if err == io.EOF {
				err = nil
			}
		}
	}
	b.closed = true
	return err
}

// abandon makes Close leave what is left of the body unread: the
// connection closes after the answer, and reading the rest would only
// keep the client waiting for its close (a chunked body the handler
// refused may go on for as long as the client likes). Apache reads
// nothing of it either (ap_discard_request_body, when the connection
// will not be kept).
func (b *body) abandon() {
	b.mu.Lock()
	b.abandoned = true
	b.mu.Unlock()
}

// lockedBody reads b with its lock held by the caller.
type lockedBody struct{ b *body }

func (l lockedBody) Read(p []byte) (int, error) {
	if l.b.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	return l.b.readLocked(p)
}

// registerOnEOF arranges for f to run once the body has been read to its
// end, at once if it already has; false if the body was closed first.
func (b *body) registerOnEOF(f func()) bool {
	b.mu.Lock()
	if b.sawEOF {
		b.mu.Unlock()
		f()
		return true
	}
	if b.closed {
		b.mu.Unlock()
		return false
	}
	b.onEOF = f
	b.mu.Unlock()
	return true
}

// closedEarly reports whether the connection is not at the end of the
// body: closed with much left, or broken.
func (b *body) closedEarly() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.earlyClose || b.failed
}

// continueReader sends "100 Continue" before the first read of a body
// whose client asked to be told to send it.
type continueReader struct {
	body   io.ReadCloser
	resp   *response
	closed atomic.Bool
	sawEOF atomic.Bool
}

func (cr *continueReader) Read(p []byte) (int, error) {
	if cr.closed.Load() {
		return 0, http.ErrBodyReadAfterClose
	}
	cr.resp.writeContinue()
	n, err := cr.body.Read(p)
	if err == io.EOF {
		cr.sawEOF.Store(true)
	}
	return n, err
}

func (cr *continueReader) Close() error {
	cr.closed.Store(true)
	return cr.body.Close()
}
