package vhost

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/gowsgid/gowsgid/confparse"
)

// Handoff is how a handler gives its body to Apache's output filters. It
// decides what DEFLATE and BROTLI_COMPRESS see on their first call (the
// body with its end, or a start without it) and when compressed bytes go
// down the chain before the end, which costs the response its
// Content-Length.
type Handoff int

const (
	// HandoffWhole is the default handler's: the header, then the file
	// and its end in one brigade.
	HandoffWhole Handoff = iota
	// HandoffBlocks is mod_wsgi's embedded mode: nothing reaches the
	// filters before the first block of the body; each block comes with
	// a flush, and the end comes alone; a wsgi.file_wrapper file comes
	// with a flush and the end (EndBody).
	HandoffBlocks
	// HandoffStream is mod_wsgi's daemon mode: the body as it arrives
	// from the daemon, from the moment the header is read, flushed when
	// no more has arrived; its end after a flush when there was a body.
	HandoffStream
	// HandoffEndOnly is mod_autoindex's answer to HEAD: the header, and
	// a brigade of nothing but the end, which DEFLATE passes on without
	// touching the header (no Content-Encoding, no Vary).
	HandoffEndOnly
)

// SetHandoff records how the request's handler gives its body to the
// output filters (HandoffWhole unless said otherwise).
func (r *Request) SetHandoff(h Handoff) { r.handoff = h }

// BodyEnder is the compression filters' writer seen by a handler that
// can end its body with a file: EndBody passes n bytes from src together
// with the end of the body, as mod_wsgi passes a wsgi.file_wrapper file
// (file, flush and end in one brigade).
type BodyEnder interface {
	EndBody(src io.Reader, n int64) (int64, error)
}

// compressor is the DEFLATE and BROTLI_COMPRESS output filters: on the
// first brigade they would see it decides, as mod_deflate and mod_brotli
// decide on their first call, whether to compress, and changes the
// header accordingly (Vary, Content-Encoding, ETag, no Content-Length).
// The compressed body is held until Apache would have passed some of it
// down before its end (then the header goes without a Content-Length),
// or until the end (then it goes with one).
type compressor struct {
	http.ResponseWriter
	h *Handler
	r *Request

	decided, compressing bool
	enc                  string // "gzip" or "br"
	level, window        int
	zw                   encoder
	status               int
	// model follows zlib through a static file, for gzip.
	model *deflateModel
	// wrote is set once body bytes went into zw, dirty while some were
	// not flushed; out counts the compressed bytes zw gave.
	wrote, dirty bool
	out          int64
	// passed: Apache would have passed compressed bytes down before the
	// end; headerSent: the header went out (without a length).
	passed, headerSent bool
	// closing is set while zw ends the stream: what it gives then goes
	// with the end; ending while EndBody copies its file, which comes
	// with one flush.
	closing, ending bool
	held            bytes.Buffer // compressed bytes not sent yet
}

// compress wraps w in the compression filters when the configuration
// has any; finish must run once the response is complete.
func (h *Handler) compress(w http.ResponseWriter, r *Request) (http.ResponseWriter, func()) {
	if !h.Table.Config.Compresses || r.Method == "TRACE" {
		return w, func() {}
	}
	c := &compressor{ResponseWriter: w, h: h, r: r}
	return c, c.finish
}

// handoff is how the final request's handler gives its body.
func (c *compressor) handoff() Handoff { return c.r.Final().handoff }

// filePiece is how much of a file one read gives (EnableMMAP).
func filePiece(d *confparse.DirConfig) int64 {
	if d != nil && d.EnableMMAP != nil && !*d.EnableMMAP {
		return readPiece
	}
	return mmapPiece
}

// declaredLength is the header's Content-Length, -1 without one; a HEAD
// for an empty file has none (the static handler drops a length of 0,
// as Apache's header filter does), but its body is empty all the same.
func (c *compressor) declaredLength() int64 {
	n, err := strconv.ParseInt(getFold(c.Header(), "Content-Length"), 10, 64)
	if err == nil {
		return n
	}
	if r := c.r.Final(); c.r.Method == http.MethodHead && r.Info != nil && r.Info.Mode().IsRegular() && r.Info.Size() == 0 {
		return 0
	}
	return -1
}

func (c *compressor) WriteHeader(code int) {
	switch {
	case code < 200:
		c.ResponseWriter.WriteHeader(code)
	case c.decided && !c.compressing:
		c.ResponseWriter.WriteHeader(code)
	case c.decided, c.handoff() == HandoffBlocks:
		// mod_wsgi's embedded mode sends the header with the first
		// block.
		if c.status == 0 {
			c.status = code
		}
	default:
		c.status = code
		c.decideHeld()
	}
}

// decideHeld decides for the status held (200 when none was sent), on a
// first brigade that holds the whole body for the default handler and
// none of it for a daemon's; the header goes out now unless the response
// is compressed.
func (c *compressor) decideHeld() {
	code := c.statusOr200()
	c.decide(code, c.handoff() == HandoffWhole, c.declaredLength())
	c.afterDecision(code)
}

// afterDecision holds the status of a compressed response, or sends the
// header of one that is not.
func (c *compressor) afterDecision(code int) {
	if c.compressing {
		c.status = code
	} else {
		c.ResponseWriter.WriteHeader(code)
	}
}

func (c *compressor) statusOr200() int {
	if c.status == 0 {
		return http.StatusOK
	}
	return c.status
}

func (c *compressor) Write(p []byte) (int, error) {
	if !c.decided {
		if c.handoff() == HandoffBlocks {
			if len(p) == 0 {
				return 0, nil // mod_wsgi passes nothing for an empty block
			}
			code := c.statusOr200()
			c.decide(code, false, -1)
			c.afterDecision(code)
		} else {
			c.decideHeld()
		}
	}
	if !c.compressing {
		return c.ResponseWriter.Write(p)
	}
	if c.r.Method == "HEAD" && c.passed {
		// mod_deflate and mod_brotli stop once the content-length
		// filter has seen bytes of a HEAD response.
		return len(p), nil
	}
	if c.zw == nil {
		c.zw = c.h.Table.encoders.get(c.enc, c.level, c.window, sinkFunc(c.sink))
	}
	if c.model != nil {
		c.model.write(p)
	}
	c.wrote = c.wrote || len(p) > 0
	c.dirty = c.dirty || len(p) > 0
	n, err := c.zw.Write(p)
	switch {
	case err != nil:
	case c.handoff() == HandoffBlocks && !c.ending:
		// mod_wsgi passes a flush with every block.
		err = c.FlushError()
	case !c.passed && c.passDue():
		err = c.pass()
	}
	return n, err
}

// ReadFrom keeps sendfile for a response that is not compressed.
func (c *compressor) ReadFrom(src io.Reader) (int64, error) {
	if !c.decided && c.handoff() != HandoffBlocks {
		c.decideHeld()
	}
	if c.decided && !c.compressing {
		return io.Copy(c.ResponseWriter, src)
	}
	return io.Copy(writerOnly{c}, src)
}

// EndBody passes the last n bytes of the body from src with its end: on
// the filters' first call a body that small is passed as it is; a
// compressed one is flushed (mod_wsgi puts a flush before the end).
func (c *compressor) EndBody(src io.Reader, n int64) (int64, error) {
	if !c.decided {
		code := c.statusOr200()
		c.decide(code, true, n)
		c.afterDecision(code)
	}
	if !c.compressing {
		return io.Copy(c.ResponseWriter, io.LimitReader(src, n))
	}
	c.ending = true
	m, err := io.Copy(writerOnly{c}, io.LimitReader(src, n))
	c.ending = false
	if err == nil {
		err = c.FlushError()
	}
	return m, err
}

// HeadBody takes the body of a HEAD response, which does not go out: the
// compression filters compress it all the same, until Apache would have
// passed compressed bytes down, to give the response the Content-Length
// of a GET.
func (c *compressor) HeadBody(src io.Reader) error {
	if !c.decided {
		c.decideHeld()
	}
	if !c.compressing || c.r.Method != "HEAD" {
		return nil
	}
	buf := make([]byte, 32<<10)
	for !c.passed {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

type writerOnly struct{ io.Writer }

// sinkFunc adapts a function to io.Writer.
type sinkFunc func([]byte) (int, error)

func (f sinkFunc) Write(p []byte) (int, error) { return f(p) }

// sink takes compressed bytes: sent as they come once the body passed,
// held until then (counted only, for HEAD).
func (c *compressor) sink(p []byte) (int, error) {
	c.out += int64(len(p))
	if c.r.Method == "HEAD" {
		return len(p), nil
	}
	if c.headerSent {
		return c.ResponseWriter.Write(p)
	}
	c.held.Write(p)
	return len(p), nil
}

// passDue reports whether Apache would have passed compressed bytes down
// by now, before any flush: mod_brotli passes what the encoder gives as
// it reads the body; mod_deflate what fills its buffer, which for a file
// follows zlib; for a body of unknown length, what passes the buffer's
// size. mod_wsgi's blocks and streams pass on their flushes.
func (c *compressor) passDue() bool {
	switch {
	case c.closing:
		return false
	case c.enc == "br":
		return c.out > 0
	case c.model != nil:
		return c.model.passed
	case c.handoff() == HandoffWhole:
		return c.out > compressBufferSize
	}
	return false
}

// pass sends the header without a Content-Length and the bytes held:
// from now on the body goes out as it is compressed (on an HTTP/1.0
// connection, which cannot stay open after a body of unknown length, till
// the connection closes: ap_set_keepalive says so). A HEAD response's
// header waits for the end, without a Content-Length.
func (c *compressor) pass() error {
	c.passed = true
	if c.r.Method == "HEAD" {
		return nil
	}
	if hr := c.r.HTTP; hr.ProtoMajor == 1 && hr.ProtoMinor == 0 {
		closeConnection(c.Header())
	}
	c.headerSent = true
	c.ResponseWriter.WriteHeader(c.statusOr200())
	if c.held.Len() == 0 {
		return nil
	}
	_, err := c.ResponseWriter.Write(c.held.Bytes())
	c.held.Reset()
	return err
}

// bypass is the writer under the filters (the compression filters and
// the header filter beneath them), for a response sent without them
// (Apache's own error pages).
func (c *compressor) bypass() http.ResponseWriter {
	if !c.headerSent && !c.wrote {
		c.decided, c.compressing = true, false
	}
	return unwrapFilter(c.ResponseWriter)
}

// FlushError is a flush bucket: mod_deflate and mod_brotli flush their
// stream and pass what they have down. Before the first block of an
// embedded application's body nothing reaches them; before any body byte
// nothing is sent, so that a response held whole keeps its
// Content-Length.
func (c *compressor) FlushError() error {
	if !c.decided {
		if c.handoff() == HandoffBlocks {
			return nil
		}
		c.decideHeld()
	}
	if !c.compressing {
		return http.NewResponseController(c.ResponseWriter).Flush()
	}
	// A daemon's answer is flushed before its body arrives when it
	// arrives late; that flush passes the stream's start.
	if !c.wrote && c.handoff() != HandoffStream || c.passed && c.r.Method == "HEAD" {
		return nil
	}
	if c.zw == nil {
		c.zw = c.h.Table.encoders.get(c.enc, c.level, c.window, sinkFunc(c.sink))
		c.dirty = true
	}
	if c.dirty {
		c.dirty = false
		if err := c.zw.Flush(); err != nil {
			return err
		}
	}
	if !c.passed {
		if err := c.pass(); err != nil {
			return err
		}
	}
	if c.r.Method == "HEAD" {
		return nil
	}
	return http.NewResponseController(c.ResponseWriter).Flush()
}

func (c *compressor) Flush() { c.FlushError() }

// Unwrap lets http.ResponseController reach the connection.
func (c *compressor) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// finish is the end of the body. An embedded application's that reached
// the filters with nothing before it is their first call; a compressed
// stream ends, and a body nothing passed of goes out with its
// Content-Length.
func (c *compressor) finish() {
	if !c.decided {
		if c.status == 0 {
			return // nothing was sent: net/http answers
		}
		c.decide(c.status, true, 0)
		c.afterDecision(c.status)
	}
	if !c.compressing {
		return
	}
	if c.zw == nil {
		c.zw = c.h.Table.encoders.get(c.enc, c.level, c.window, sinkFunc(c.sink))
	}
	c.closing = true
	c.zw.Close()
	c.h.Table.encoders.put(c.enc, c.level, c.window, c.zw)
	if c.headerSent {
		return
	}
	c.headerSent = true
	hdr := c.Header()
	delete(hdr, "Transfer-Encoding")
	// A HEAD the default handler gave no body to keeps no length.
	if !c.passed && (c.wrote || c.r.Method != "HEAD" || c.handoff() != HandoffWhole) {
		hdr["Content-Length"] = []string{strconv.FormatInt(c.out, 10)}
	}
	c.ResponseWriter.WriteHeader(c.statusOr200())
	if c.r.Method != "HEAD" {
		c.ResponseWriter.Write(c.held.Bytes())
	}
}
