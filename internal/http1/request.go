package http1

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
)

// badRequest is a request the server answers 400 without calling the
// handler.
type badRequest string

func (e badRequest) Error() string { return string(e) }

// statusError is a request answered with its own status and reason.
type statusError struct {
	code int
	text string
}

func (e statusError) Error() string { return strconv.Itoa(e.code) + " " + e.text }

// unsupportedTE is a transfer coding other than chunked: 501.
type unsupportedTE string

func (e unsupportedTE) Error() string { return string(e) }

// lineError is a request line that cannot be split into a method, a
// request-target and a version, or whose method or version is not one.
type lineError struct {
	line, reason string
}

func (e lineError) Error() string { return e.reason + " " + strconv.Quote(e.line) }

// bareLF is a request head with a line ended by a bare LF, where the
// server refuses one: the request line (with its LF when it is the
// line so ended), and the header field line so ended ("" for none).
type bareLF struct {
	line, field string
}

func (e bareLF) Error() string { return "bare LF in request head " + strconv.Quote(e.line+e.field) }

// checkLineEnds looks at the request head ahead in br, as far as br
// holds it, for a line ended by a bare LF (Apache's HttpProtocolOptions
// Strict refuses it: ap_rgetline with AP_GETLINE_CRLF). It waits for
// bytes as reading the head would, and stops at the head's end; a head
// longer than br's buffer is looked at as far as the buffer goes. It
// consumes nothing.
func checkLineEnds(br *bufio.Reader, lineAt *time.Time) error {
	want := 1
	for {
		// Wait for want bytes, then look at all that arrived.
		_, err := br.Peek(want)
		buf, _ := br.Peek(br.Buffered())
		// The request line (after the empty lines that may lead it) is
		// buf[first:firstEnd] once found.
		first, firstEnd := -1, 0
		for start := 0; ; {
			i := bytes.IndexByte(buf[start:], '\n')
			if i < 0 {
				break
			}
			end := start + i
			switch {
			case end == start || buf[end-1] != '\r':
				if first < 0 {
					return bareLF{line: string(buf[start : end+1])}
				}
				return bareLF{line: string(buf[first:firstEnd]), field: string(buf[start : end+1])}
			case end > start+1:
				if first < 0 {
					first, firstEnd = start, end-1
					if lineAt.IsZero() {
						*lineAt = time.Now()
					}
				}
			case first >= 0:
				return nil // the empty line that ends the head
			}
			start = end + 1
		}
		if err != nil || len(buf) == br.Size() {
			// The read failed, or the head is longer than the buffer:
			// reading the head finds the rest.
			return nil
		}
		want = len(buf) + 1
	}
}

// errHeadTooLarge is a request head longer than the server takes.
var errHeadTooLarge = errors.New("http1: request head too large")

// readRequest reads a request head from br and sets up its body. The
// request has no context yet. With passMalformed, a request-target that
// is not a URL and repeated Host fields do not fail the read: the
// request gets a URL with the target as its path, and one Host field
// with the values joined by ", " (as Apache merges them); framing
// Apache refuses (refusedFraming) gets no body and closes the
// connection, and unread says so (what follows the head is not read).
// lineAt is set to the time the request line was read, unless it is
// already (checkLineEnds saw the line first).
func readRequest(tp *textproto.Reader, br *bufio.Reader, passMalformed bool, lineAt *time.Time) (req *http.Request, names []string, unread bool, err error) {
	line, err := tp.ReadLine()
	if err != nil {
		return nil, nil, false, err
	}
	if lineAt.IsZero() {
		*lineAt = time.Now()
	}
	defer func() {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
	}()
	req = &http.Request{}
	method, rest, ok1 := strings.Cut(line, " ")
	target, proto, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 {
		return nil, nil, false, lineError{line, "malformed HTTP request"}
	}
	if !validMethod(method) {
		return nil, nil, false, lineError{line, "invalid method"}
	}
	if passMalformed && !visibleTarget(target) {
		// Apache's ap_parse_request_line takes VCHAR and obs-text only
		// (AH03454: URI incorrectly encoded).
		return nil, nil, false, lineError{line, "invalid request-target"}
	}
	req.Method, req.RequestURI, req.Proto = method, target, proto
	if req.ProtoMajor, req.ProtoMinor, ok1 = http.ParseHTTPVersion(proto); !ok1 {
		return nil, nil, false, lineError{line, "malformed HTTP version"}
	}
	raw := target
	justAuthority := method == "CONNECT" && !strings.HasPrefix(raw, "/")
	if justAuthority {
		raw = "http://" + raw
	}
	if req.URL, err = url.ParseRequestURI(raw); err != nil {
		if !passMalformed {
			return nil, nil, false, err
		}
		req.URL, justAuthority = &url.URL{Path: target}, false
	}
	if justAuthority {
		req.URL.Scheme = ""
	}
	if req.Header, names, err = readHeader(br); err != nil {
		return nil, nil, false, err
	}
	if hosts := req.Header["Host"]; len(hosts) > 1 {
		if !passMalformed {
			return nil, nil, false, fmt.Errorf("too many Host headers")
		}
		req.Header["Host"] = []string{strings.Join(hosts, ", ")}
	}
	req.Host = req.URL.Host
	if passMalformed && req.Host != "" && !asciiEqualFold(req.URL.Scheme, "http") && !asciiEqualFold(req.URL.Scheme, "https") {
		// Only an http(s) absolute-URI names the host, as Apache
		// reads it; the handler refuses the others.
		req.Host = ""
	}
	if req.Host == "" {
		req.Host = req.Header.Get("Host")
	}
	// HTTP/1.0's "Pragma: no-cache" stands for Cache-Control.
	if pragma, ok := req.Header["Pragma"]; ok && len(pragma) > 0 && pragma[0] == "no-cache" {
		if _, ok := req.Header["Cache-Control"]; !ok {
			req.Header["Cache-Control"] = []string{"no-cache"}
		}
	}
	req.Close = shouldClose(req.ProtoMajor, req.ProtoMinor, req.Header)
	if passMalformed && refusedFraming(req.Header) {
		// Nothing after the head is read: where the body would end is
		// the handler's to refuse, not the server's to guess.
		req.ContentLength, req.Body, req.Close = 0, http.NoBody, true
		return req, names, true, nil
	}
	if err := frameBody(req, br, passMalformed); err != nil {
		return nil, nil, false, err
	}
	if isH2Upgrade(req) {
		// The HTTP/2 preface: neither chunked nor declared, and the
		// connection is not read as HTTP/1 after it.
		req.ContentLength = -1
		req.Close = true
	}
	return req, names, false, nil
}

// visibleTarget reports whether a request-target is VCHAR and obs-text
// only: no control character, space or DEL.
func visibleTarget(t string) bool {
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] == 0x7f {
			return false
		}
	}
	return t != ""
}

// frameBody decides the request body's length from Transfer-Encoding
// and Content-Length and gives the request its Body. With apacheTE, the
// transfer codings are Apache's to judge: chunked last (refusedFraming
// has refused the others) is a chunked body, and the request's
// TransferEncoding is the fields as sent.
func frameBody(req *http.Request, br *bufio.Reader, apacheTE bool) error {
	chunked := false
	var codings []string // as sent, when not just chunked
	if raw, present := req.Header["Transfer-Encoding"]; present {
		delete(req.Header, "Transfer-Encoding")
		switch {
		case apacheTE:
			// Apache reads the chunks of any version's request (an
			// HTTP/1.0 one too), and keeps the field as sent.
			chunked = true
			if len(raw) != 1 || raw[0] != "chunked" {
				codings = raw
			}
		case req.ProtoAtLeast(1, 1):
			if len(raw) != 1 {
				return unsupportedTE(fmt.Sprintf("too many transfer encodings: %q", raw))
			}
			if !asciiEqualFold(raw[0], "chunked") {
				return unsupportedTE(fmt.Sprintf("unsupported transfer encoding: %q", raw[0]))
			}
			chunked = true
		}
	}
	lens := req.Header["Content-Length"]
	if len(lens) > 1 {
		first := textproto.TrimString(lens[0])
		for _, l := range lens[1:] {
			if first != textproto.TrimString(l) {
				return fmt.Errorf("http: message cannot contain multiple Content-Length headers; got %q", lens)
			}
		}
		req.Header["Content-Length"] = []string{first}
		lens = req.Header["Content-Length"]
	}
	var n int64
	if len(lens) > 0 {
		var err error
		if n, err = parseContentLength(lens[0]); err != nil {
			return err
		}
	}
	switch {
	case chunked:
		if len(lens) > 0 {
			// Framing that two parties could read two ways: the
			// chunks are read, and the connection ends after the
			// answer (RFC 9112 6.1), as Apache ends it.
			req.Close = true
		}
		delete(req.Header, "Content-Length")
		req.ContentLength = -1
		req.TransferEncoding = codings
		if codings == nil {
			req.TransferEncoding = []string{"chunked"}
		}
		b := newBody(req, br, 0, true)
		// Content-Length beside it: Apache's connection is AP_CONN_CLOSE
		// from the head on, and its discards read nothing.
		b.framingCloses = len(lens) > 0
		req.Body = b
		if err := declareTrailer(req); err != nil {
			return err
		}
		if req.Trailer == nil {
			// Allocated now, so that the copies of the request a
			// handler gets share the fields the trailer brings.
			req.Trailer = http.Header{}
		}
	case n == 0:
		req.ContentLength = 0
		req.Body = http.NoBody
	default:
		req.ContentLength = n
		req.Body = newBody(req, br, n, false)
	}
	return nil
}

// refusedFraming reports whether Apache's ap_read_request refuses a
// request head for its framing, before it reads anything more: a
// Content-Length, its fields merged, that is not one decimal number
// (AH10242: two fields, even equal, are "2, 2"), or a Transfer-Encoding
// whose last coding is not chunked (AH02539; of any HTTP version).
func refusedFraming(h http.Header) bool {
	if cl := h["Content-Length"]; len(cl) > 1 || len(cl) == 1 && !StrictLength(cl[0]) {
		return true
	}
	switch te := h["Transfer-Encoding"]; len(te) {
	case 0:
		return false
	case 1:
		return !isChunked(te[0])
	default:
		return !isChunked(strings.Join(te, ", "))
	}
}

// StrictLength reports whether v is a Content-Length Apache takes
// (ap_parse_strict_length): decimal digits only, within 63 bits.
func StrictLength(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	_, err := strconv.ParseInt(v, 10, 64)
	return err == nil
}

// isChunked is Apache's ap_is_chunked: the value is chunked, or ends in
// a chunked coding that a comma (and spaces) sets apart from the ones
// before it, in any ASCII case.
func isChunked(v string) bool {
	const tok = "chunked"
	if asciiEqualFold(v, tok) {
		return true
	}
	i := len(v) - len(tok)
	if i <= 0 || !asciiEqualFold(v[i:], tok) {
		return false
	}
	if c := v[i-1]; c != ',' && c != ' ' && c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' {
		return false
	}
	j := i - 1
	for j > 0 && v[j] == ' ' {
		j--
	}
	return v[j] == ',' || v[j] == ' '
}

// parseContentLength reads a Content-Length value as net/http does.
func parseContentLength(cl string) (int64, error) {
	cl = textproto.TrimString(cl)
	if cl == "" {
		return -1, badRequest("invalid empty Content-Length")
	}
	n, err := strconv.ParseUint(cl, 10, 63)
	if err != nil {
		return -1, badRequest("bad Content-Length " + strconv.Quote(cl))
	}
	return int64(n), nil
}

// shouldClose reports whether the request asks for the connection to
// close after its answer.
func shouldClose(major, minor int, h http.Header) bool {
	if major < 1 {
		return true
	}
	conn := h["Connection"]
	hasClose := httpguts.HeaderValuesContainsToken(conn, "close")
	if major == 1 && minor == 0 {
		return hasClose || !httpguts.HeaderValuesContainsToken(conn, "keep-alive")
	}
	return hasClose
}

func isH2Upgrade(r *http.Request) bool {
	return r.Method == "PRI" && len(r.Header) == 0 && r.URL.Path == "*" && r.Proto == "HTTP/2.0"
}

func validMethod(m string) bool {
	return len(m) > 0 && strings.IndexFunc(m, func(r rune) bool { return !httpguts.IsTokenRune(r) }) < 0
}

// checkRequest applies the server's own checks to a request head; with
// passMalformed, the Host is the handler's to check.
func checkRequest(req *http.Request, passMalformed bool) error {
	if !supportedProto(req) {
		return statusError{http.StatusHTTPVersionNotSupported, "unsupported protocol version"}
	}
	hosts, haveHost := req.Header["Host"]
	if !passMalformed && req.ProtoAtLeast(1, 1) && (!haveHost || len(hosts) == 0) && !isH2Upgrade(req) && req.Method != "CONNECT" {
		return statusError{http.StatusBadRequest, "missing required Host header"}
	}
	if !passMalformed && len(hosts) == 1 && !httpguts.ValidHostHeader(hosts[0]) {
		return statusError{http.StatusBadRequest, "malformed Host header"}
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return statusError{http.StatusBadRequest, "invalid header name"}
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return statusError{http.StatusBadRequest, "invalid header value"}
			}
		}
	}
	delete(req.Header, "Host")
	return nil
}

// supportedProto: HTTP/1.x, and the HTTP/2 preface.
func supportedProto(req *http.Request) bool {
	return req.ProtoMajor == 1 || req.ProtoMajor == 2 && req.ProtoMinor == 0 && req.Method == "PRI" && req.RequestURI == "*"
}

// declareTrailer moves a chunked request's Trailer header into its
// Trailer map, the fields its trailer will fill.
func declareTrailer(req *http.Request) error {
	vv, ok := req.Header["Trailer"]
	if !ok {
		return nil
	}
	delete(req.Header, "Trailer")
	trailer := http.Header{}
	for _, v := range vv {
		for _, k := range strings.Split(v, ",") {
			if k = textproto.TrimString(k); k == "" {
				continue
			}
			k = http.CanonicalHeaderKey(k)
			switch k {
			case "Transfer-Encoding", "Trailer", "Content-Length":
				return badRequest("bad trailer key " + strconv.Quote(k))
			}
			trailer[k] = nil
		}
	}
	if len(trailer) > 0 {
		req.Trailer = trailer
	}
	return nil
}

// asciiEqualFold is strings.EqualFold for ASCII letters only: Unicode
// folding would take "chunKed" with a Kelvin sign for "chunked", a
// framing a proxy in front would not share.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// hasToken reports whether token appears in v as a word of its own
// (between spaces, tabs and commas), in any case: net/http's test for
// "close", "keep-alive" and "100-continue".
func hasToken(v, token string) bool {
	if len(token) > len(v) || token == "" {
		return false
	}
	if v == token {
		return true
	}
	boundary := func(b byte) bool { return b == ' ' || b == ',' || b == '\t' }
	for i := 0; i <= len(v)-len(token); i++ {
		if b := v[i]; b != token[0] && b|0x20 != token[0] {
			continue
		}
		if i > 0 && !boundary(v[i-1]) {
			continue
		}
		if end := i + len(token); end != len(v) && !boundary(v[end]) {
			continue
		}
		if asciiEqualFold(v[i:i+len(token)], token) {
			return true
		}
	}
	return false
}
