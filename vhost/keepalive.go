package vhost

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gowsgid/gowsgid/confparse"
)

// keepAlive is a host's KeepAlive, MaxKeepAliveRequests (0: no limit)
// and KeepAliveTimeout in seconds, core's per-server settings.
type keepAlive struct {
	on           bool
	max, timeout int
}

// newKeepAlive resolves a host's settings: its own, else the main
// server's (main nil for the main server), else Apache's defaults.
func newKeepAlive(s, main *confparse.Server) keepAlive {
	ka := keepAlive{on: true, max: 100, timeout: 5}
	for _, srv := range []*confparse.Server{main, s} {
		if srv == nil {
			continue
		}
		for _, n := range srv.Directives {
			if args := n.Args(); len(args) > 0 {
				switch strings.ToLower(n.Name) {
				case "keepalive":
					ka.on = !strings.EqualFold(args[0], "off")
				case "maxkeepaliverequests":
					ka.max = max(atoi(args[0]), 0)
				case "keepalivetimeout":
					ka.timeout = atoi(args[0])
				}
			}
		}
	}
	return ka
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

type connKey struct{}

// connState is what the requests of one connection share: how many
// came, and the client's host name once looked up.
type connState struct {
	requests atomic.Int64
	host     hostCache
	// logID is the connection's log id once an error line about it
	// was written.
	logID atomic.Pointer[string]
}

// WithConnection gives a connection the state its requests share
// (the request count that MaxKeepAliveRequests and the access log's %k
// read, HostnameLookups' answer); the server's http.Server.ConnContext
// calls it.
func WithConnection(ctx context.Context) context.Context {
	return context.WithValue(ctx, connKey{}, &connState{})
}

func connOf(r *Request) *connState {
	c, _ := r.HTTP.Context().Value(connKey{}).(*connState)
	return c
}

// MaxKeepAliveRequests is the request's server's MaxKeepAliveRequests
// (0: no limit).
func (r *Request) MaxKeepAliveRequests() int {
	if r.Host == nil {
		return 0
	}
	return r.Host.keepAlive.max
}

// countRequest sets the requests served on the connection before r.
func countRequest(r *Request) {
	if c := connOf(r); c != nil {
		r.ConnRequests = int(c.requests.Add(1) - 1)
	}
}

// setKeepAlive is ap_set_keepalive's part that gowsgid needs on top of
// net/http's: a connection that will not be kept alive says
// "Connection: close" (after MaxKeepAliveRequests requests kept alive,
// to HTTP/1.0 clients too, and to a client still waiting for 100
// Continue), and an HTTP/1.0 client that asked to keep it alive is told
// for how long and for how many more requests ("Keep-Alive: timeout=5,
// max=99").
func (h *Handler) setKeepAlive(hdr http.Header, r *Request) {
	if r.HTTP.ProtoMajor >= 2 {
		return // streams of one connection; HTTP/2 has no keep-alive
	}
	ka := r.Host.keepAlive
	left := ka.max - r.ConnRequests
	conn := r.HTTP.Header["Connection"]
	http10 := !r.HTTP.ProtoAtLeast(1, 1)
	// (The HTTP/1 server sets Close also where the framing forbids
	// another request: Content-Length beside Transfer-Encoding.)
	if !ka.on || ka.timeout <= 0 || ka.max > 0 && left <= 0 || connectionHas(conn, "close") || r.HTTP.Close ||
		http10 && !connectionHas(conn, "keep-alive") || continueNeverSent(r.HTTP) {
		hdr["Connection"] = []string{"close"}
		return
	}
	if !http10 {
		return
	}
	v := "timeout=" + strconv.Itoa(ka.timeout)
	if ka.max > 0 {
		v += ", max=" + strconv.Itoa(left)
	}
	hdr["Keep-Alive"] = []string{v}
	hdr["Connection"] = []string{"Keep-Alive"}
}

// continueNeverSent reports whether a request expects 100 Continue
// (ap_check_request_header's r->expecting_100: the Expect fields, as
// Apache merges them, are 100-continue in any case) that no read of its
// body will send: one without a body, or an HTTP/1.0 one (ap_http_filter
// and ap_send_interim_response send it only to HTTP/1.1). Apache then
// closes the connection after the answer (ap_set_keepalive, PR 47087:
// what comes next may be the body the client sends after all). A body
// of an HTTP/1.1 request is the HTTP/1 server's: it closes the
// connection when the handler did not read it to its end.
func continueNeverSent(hr *http.Request) bool {
	expect := hr.Header["Expect"]
	if len(expect) != 1 || hr.ContentLength != 0 && hr.ProtoAtLeast(1, 1) {
		return false // two fields merge into a value that is not 100-continue
	}
	return strings.EqualFold(expect[0], "100-continue")
}

// CloseForStatus is the part of ap_set_keepalive that depends on the
// response's status: after a 400, 408, 411, 413, 414, 500, 501 or 503
// (ap_status_drops_connection) Apache closes the connection, and says
// so. For an HTTP/1 response's header, before it is written.
func CloseForStatus(hdr http.Header, status int) {
	if dropsConnection(status) {
		hdr["Connection"] = []string{"close"}
		delete(hdr, "Keep-Alive")
	}
}

// dropsConnection is ap_status_drops_connection.
func dropsConnection(status int) bool {
	switch status {
	case 400, 408, 411, 413, 414, 500, 501, 503:
		return true
	}
	return false
}

// KeepConnectionHeader applies an application's Connection header to
// the response's, as Apache keeps both (the application's, then its own
// "close"): when the server closes the connection, or the application
// asks it to, the header starts with "close", which is what makes
// net/http close it.
func KeepConnectionHeader(hdr http.Header, value string) {
	own := hdr["Connection"]
	switch {
	case len(own) > 0 && own[0] == "close":
		hdr["Connection"] = []string{"close", value}
	case connectionHas([]string{value}, "close") && value != "close":
		hdr["Connection"] = []string{"close", value}
	default:
		hdr["Connection"] = []string{value}
	}
}

// connectionHas reports whether a Connection header holds token, in
// any case (ap_find_token).
func connectionHas(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// h2Response drops from an HTTP/2 response the header fields mod_http2
// drops (h2_util.c's IgnoredResponseHeaders), which configuration or an
// application may set: sent, they make a client reset the stream.
type h2Response struct {
	http.ResponseWriter
	sent bool
}

func (w *h2Response) clean() {
	if w.sent {
		return
	}
	w.sent = true
	h := w.Header()
	for _, k := range [...]string{"Connection", "Upgrade", "Keep-Alive", "Transfer-Encoding"} {
		delete(h, k)
	}
}

// WriteHeader sends the cleaned header with the first final status.
func (w *h2Response) WriteHeader(code int) {
	if code >= 200 {
		w.clean()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *h2Response) Write(p []byte) (int, error) {
	w.clean()
	return w.ResponseWriter.Write(p)
}

// Unwrap is the wrapped writer, for http.ResponseController.
func (w *h2Response) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on.
func (w *h2Response) Flush() { w.FlushError() }

// FlushError is http.ResponseController's flush.
func (w *h2Response) FlushError() error {
	w.clean()
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// filteredPageFraming frames the page of an error Apache's output
// filters raised (a 416, a body over LimitRequestBody, headers refused),
// which has no length, as Apache frames it, and reports whether it is
// sent unframed: on HTTP/1.1 it is chunked unless ap_set_keepalive's
// first run had already given up the connection (closing: the client's
// "close", KeepAlive Off, a status that drops the connection); then the
// close ends it. (To HTTP/1.0 the HTTP/1 server says "Connection: close"
// for any answer without a length.)
func filteredPageFraming(hdr http.Header, hr *http.Request, closing bool) (unframed bool) {
	if !closing || !hr.ProtoAtLeast(1, 1) {
		return false
	}
	hdr.Set("Transfer-Encoding", "identity")
	return true
}

// recountKeepAlive is the second run of ap_set_keepalive for a 416 page:
// the header filter's first run had counted the response as kept alive
// before the byterange filter refused it, so the page counts once more
// against MaxKeepAliveRequests ("Keep-Alive: timeout=5, max=99" on a
// connection's first request).
func (h *Handler) recountKeepAlive(hdr http.Header, r *Request) {
	if c := connOf(r); c != nil {
		c.requests.Add(1)
	}
	r.ConnRequests++
	delete(hdr, "Keep-Alive")
	delete(hdr, "Connection")
	h.setKeepAlive(hdr, r)
}
