package vhost

import (
	"errors"
	"io"
	"net/http"
)

// Response records what the access log reads of a response as it is
// written: the status, the body bytes sent (Apache's r->bytes_sent) and
// whether writing failed (the client went away). It passes everything on
// to the ResponseWriter it wraps, which Unwrap returns for
// http.ResponseController.
type Response struct {
	http.ResponseWriter
	// Status is the status sent, 0 while none is.
	Status int
	// Bytes counts the body bytes handed to net/http (all of a write
	// that failed: r->bytes_sent); Sent those the connection took
	// (mod_logio's count). An answer to HEAD counts none, as net/http
	// sends none.
	Bytes, Sent int64
	// Failed is set when a write or a flush to the client failed: what
	// makes Apache's c->aborted, which %X logs as X.
	Failed bool
	head   bool
}

// WriteHeader records the first final status.
func (w *Response) WriteHeader(code int) {
	if w.Status == 0 && code >= 200 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *Response) Write(p []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.count(int64(n), handed(int64(n), int64(len(p)), err), err)
	return n, err
}

// handed is what a write counts in r->bytes_sent: what was sent, or,
// when the write failed, all it was given, as Apache's content-length
// filter counts a body before the network takes it (a client gone
// mid-download is logged with the bytes the server meant to send).
func handed(sent, given int64, err error) int64 {
	if err != nil && err != http.ErrBodyNotAllowed {
		return given
	}
	return sent
}

// WriteString keeps net/http's copy-free string write.
func (w *Response) WriteString(s string) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	n, err := io.WriteString(w.ResponseWriter, s)
	w.count(int64(n), handed(int64(n), int64(len(s)), err), err)
	return n, err
}

// ReadFrom keeps net/http's sendfile path for files.
func (w *Response) ReadFrom(src io.Reader) (int64, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	given := int64(-1)
	if lr, ok := src.(*io.LimitedReader); ok {
		given = lr.N // a file's section (io.CopyN)
	}
	n, err := io.Copy(w.ResponseWriter, src)
	if given < 0 {
		given = n
	}
	w.count(n, handed(n, given, err), err)
	return n, err
}

// count adds what a write sent and what it counts in r->bytes_sent.
func (w *Response) count(sent, counted int64, err error) {
	if !w.head {
		w.Bytes += counted
		w.Sent += sent
	}
	if err != nil && err != http.ErrBodyNotAllowed {
		w.Failed = true
	}
}

// Flush passes a flush on (a flush without a status sends 200).
func (w *Response) Flush() { w.FlushError() }

// FlushError is Flush that reports, and records, a failed write: what
// http.ResponseController's Flush calls.
func (w *Response) FlushError() error {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if errors.Is(err, http.ErrNotSupported) {
		return err
	}
	w.count(0, 0, err)
	return err
}

// Unwrap is the wrapped writer, for http.ResponseController.
func (w *Response) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// countRefused adds n body bytes that were not sent to the count of the
// Response under w, if any: Apache's r->bytes_sent counts the body of a
// response whose headers its check refused, as ap_content_length_filter
// saw it go by before the header filter.
func countRefused(w http.ResponseWriter, n int64) {
	for n > 0 {
		switch x := w.(type) {
		case *Response:
			x.count(0, n, nil)
			return
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return
		}
	}
}
