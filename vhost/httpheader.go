package vhost

import (
	"io"
	"net/http"
	"strconv"
	"strings"
)

// headerOut is the last look Apache's http_header filter (with
// ap_set_keepalive) takes at a response's header, whatever made it,
// before it goes out:
//   - the Vary fields are joined into one, each name once (fixup_vary),
//     or dropped under force-no-vary, which also makes the answer
//     HTTP/1.0 (force-response-1.0): the connection closes and a body of
//     unknown length is not chunked;
//   - under nokeepalive the connection closes, unless the request came
//     through a proxy (Via);
//   - a HEAD's "Content-Length: 0" is dropped (a handler that did not
//     look at the body makes the content-length filter count none);
//   - a 304 goes out without the content type of its request (the
//     filter empties r->content_type), but with a Content-Type field a
//     Header action put into the response's tables (the HTTP/1 server
//     sends it: http1.Server.KeepNotModifiedType).
//
// Under force-no-vary, and for an HTTP/1.0 request under
// force-response-1.0, the status line says HTTP/1.0 (answerHTTP10).
type headerOut struct {
	http.ResponseWriter
	r    *Request
	done bool
}

// fix makes the header's last changes, once, when it goes out.
func (w *headerOut) fix(code int) {
	if w.done || code < 200 {
		return
	}
	w.done = true
	hdr := w.Header()
	r := w.r.Final()
	h1 := w.r.HTTP.ProtoMajor < 2
	switch {
	case !r.Env.Has("force-no-vary"):
		if hasFold(hdr, "Vary") {
			FixupVary(hdr)
		}
	default:
		delFold(hdr, "Vary")
		if h1 {
			// ap_http_header_filter makes the request HTTP/1.0 and
			// sets force-response-1.0.
			answerHTTP10(w.ResponseWriter)
			closeConnection(hdr)
			if !hasFold(hdr, "Content-Length") {
				// An HTTP/1.0 body: it ends with the connection.
				hdr["Transfer-Encoding"] = []string{"identity"}
			}
		}
	}
	if h1 && !w.r.HTTP.ProtoAtLeast(1, 1) && r.Env.Has("force-response-1.0") {
		// basic_http_header: an HTTP/1.0 request's answer says
		// HTTP/1.0, and the connection closes (Debian's setenvif.conf
		// sets it for old Java and RealPlayer clients).
		answerHTTP10(w.ResponseWriter)
		closeConnection(hdr)
	}
	if h1 && r.Env.Has("nokeepalive") && len(w.r.HTTP.Header["Via"]) == 0 {
		closeConnection(hdr)
	}
	if r.noCache && !hasFold(hdr, "Expires") {
		// A response the type-map handler negotiated for an HTTP/1.0
		// client may not be cached.
		hdr["Expires"] = []string{r.Start.UTC().Format(http.TimeFormat)}
	}
	if w.r.Method == http.MethodHead && getFold(hdr, "Content-Length") == "0" {
		delFold(hdr, "Content-Length")
	}
	if code == http.StatusNotModified && !r.tableType {
		delFold(hdr, "Content-Type")
	}
}

// closeConnection says the connection closes after the response: "close"
// first (what makes net/http close it), then an application's own
// values; the keep-alive gowsgid announced goes.
func closeConnection(hdr http.Header) {
	delete(hdr, "Keep-Alive")
	own := hdr["Connection"]
	if len(own) > 0 && strings.EqualFold(own[0], "close") {
		return
	}
	vs := []string{"close"}
	for _, v := range own {
		if !strings.EqualFold(v, "keep-alive") {
			vs = append(vs, v)
		}
	}
	hdr["Connection"] = vs
}

func (w *headerOut) WriteHeader(code int) {
	w.fix(code)
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerOut) Write(p []byte) (int, error) {
	w.fix(http.StatusOK)
	return w.ResponseWriter.Write(p)
}

// ReadFrom keeps net/http's sendfile path for files.
func (w *headerOut) ReadFrom(src io.Reader) (int64, error) {
	w.fix(http.StatusOK)
	return io.Copy(w.ResponseWriter, src)
}

// Flush passes a flush on (a flush without a status sends 200).
func (w *headerOut) Flush() { w.FlushError() }

// FlushError is http.ResponseController's flush.
func (w *headerOut) FlushError() error {
	w.fix(http.StatusOK)
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap is the wrapped writer, for http.ResponseController.
func (w *headerOut) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// answerHTTP10 asks the HTTP/1 server under w's wrappers for an HTTP/1.0
// status line.
func answerHTTP10(w http.ResponseWriter) {
	if a, ok := under[interface{ AnswerHTTP10() }](w); ok {
		a.AnswerHTTP10()
	}
}

// SetStatusLine gives the HTTP/1 server under w's wrappers the status
// line a handler set ("200 Everything Fine": Apache's r->status_line,
// as mod_wsgi sets it from the application's), for an answer with status
// code. Apache sends it when it starts with the answer's code and a
// space (validate_status_line); it sends the standard one otherwise,
// and so does gowsgid. HTTP/2 has no reason phrase.
func SetStatusLine(w http.ResponseWriter, code int, line string) {
	if len(line) < 4 || line[3] != ' ' {
		return
	}
	if n, err := strconv.Atoi(line[:3]); err != nil || n != code {
		return
	}
	if s, ok := under[interface{ SetStatusText(int, string) }](w); ok {
		s.SetStatusText(code, line[4:])
	}
}

// under finds the first writer of type T in w's chain of wrappers.
func under[T any](w http.ResponseWriter) (T, bool) {
	for w != nil {
		if t, ok := w.(T); ok {
			return t, true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	var zero T
	return zero, false
}
