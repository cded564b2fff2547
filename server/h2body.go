package server

import (
	"io"
	"net/http"
	"time"
)

// streamAsApache makes an HTTP/2 request what mod_http2 hands Apache's
// HTTP/1.1 machinery (h2_create_request_rec): a body without a
// Content-Length comes as Transfer-Encoding: chunked (so that mod_wsgi
// answers 411 unless WSGIChunkedRequest is on), a request with a
// Content-Type and no body says Content-Length: 0, and each wait of
// the body's reads is timed (timeStreamBody).
func streamAsApache(w http.ResponseWriter, r *http.Request, timeout time.Duration) {
	// net/http's HTTP/2 server gives a stream whose headers ended it a
	// length of 0, one whose body follows without a Content-Length -1.
	if r.Method != http.MethodConnect && r.Header.Get("Content-Length") == "" {
		switch {
		case r.ContentLength < 0:
			r.TransferEncoding = []string{"chunked"}
		case r.Header.Get("Content-Type") != "":
			r.Header.Set("Content-Length", "0")
		}
	}
	timeStreamBody(w, r, timeout)
}

// timeStreamBody gives each wait of an HTTP/2 request body's read
// Timeout, as mod_http2 gives a stream's input: a body that stops
// arriving fails the read with os.ErrDeadlineExceeded (an application
// sees APR_TIMEUP's "The timeout specified has expired") instead of
// holding its worker for as long as the client likes. The connection's
// reads are the HTTP/2 session's own, so the request's stages
// (internal/reqtimeout) cannot time a stream.
func timeStreamBody(w http.ResponseWriter, r *http.Request, timeout time.Duration) {
	if timeout <= 0 || r.Body == nil || r.Body == http.NoBody {
		return
	}
	r.Body = &streamBody{ReadCloser: r.Body, rc: http.NewResponseController(w), timeout: timeout}
}

// streamBody is an HTTP/2 request body whose reads each wait at most
// timeout: the stream's read deadline is set for the read and cleared
// when it returns (net/http fails only that stream's body when it
// passes), so that the time an application spends between reads does
// not count, as mod_http2 times only the wait of a read.
type streamBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	untimed bool // the writer has no read deadline
}

func (b *streamBody) Read(p []byte) (int, error) {
	if b.untimed {
		return b.ReadCloser.Read(p)
	}
	if b.rc.SetReadDeadline(time.Now().Add(b.timeout)) != nil {
		b.untimed = true
		return b.ReadCloser.Read(p)
	}
	n, err := b.ReadCloser.Read(p)
	b.rc.SetReadDeadline(time.Time{})
	return n, err
}
