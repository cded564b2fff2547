package http1

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// parityHandler answers by the request path, so that one handler covers
// the ways handlers write answers.
func parityHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch r.URL.Path {
	case "/small":
		io.WriteString(w, "hello")
	case "/typed":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "typed")
	case "/empty":
	case "/large":
		n, _ := strconv.Atoi(q.Get("n"))
		w.Write([]byte(strings.Repeat("x", n)))
	case "/pieces":
		for i := 0; i < 5; i++ {
			w.Write([]byte(strings.Repeat(strconv.Itoa(i), 1000)))
		}
	case "/flush":
		io.WriteString(w, "first")
		w.(http.Flusher).Flush()
		io.WriteString(w, "second")
	case "/length":
		w.Header().Set("Content-Length", q.Get("n"))
		io.WriteString(w, "12345")
	case "/status":
		code, _ := strconv.Atoi(q.Get("code"))
		w.WriteHeader(code)
		io.WriteString(w, "body")
	case "/echo":
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%d %q %v %v", len(b), b, bodyErrorText(err), r.Trailer)
	case "/duplex":
		http.NewResponseController(w).EnableFullDuplex()
		io.WriteString(w, "answer first ")
		w.(http.Flusher).Flush()
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "then %q %v", b, bodyErrorText(err))
	case "/close-body":
		buf := make([]byte, 2)
		io.ReadFull(r.Body, buf)
		fmt.Fprintf(w, "%q %v", buf, r.Body.Close())
	case "/bad-trailer":
		w.Header().Set("Trailer", "Content-Length, Host, X-Ok")
		io.WriteString(w, "data")
		w.Header().Set("Host", "evil")
		w.Header().Set("X-Ok", "1")
	case "/ignore-body":
		io.WriteString(w, "ignored")
	case "/half-body":
		buf := make([]byte, 3)
		io.ReadFull(r.Body, buf)
		fmt.Fprintf(w, "%q", buf)
	case "/close":
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	case "/header-after":
		w.WriteHeader(200)
		w.Header().Set("X-Late", "1")
		io.WriteString(w, "late")
	case "/te":
		w.Header().Set("Transfer-Encoding", q.Get("v"))
		io.WriteString(w, "te")
	case "/trailer":
		w.Header().Set("Trailer", "X-Sum")
		io.WriteString(w, "data")
		w.Header().Set("X-Sum", "42")
	case "/reqinfo":
		fmt.Fprintf(w, "%s %s %s host=%q close=%v cl=%d te=%v hdr=%v", r.Method, r.RequestURI, r.Proto, r.Host, r.Close, r.ContentLength, r.TransferEncoding, r.Header)
	default:
		http.NotFound(w, r)
	}
}

// exchange sends raw to addr and returns everything the server sends
// until it closes the connection or stays quiet for a moment.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	buf := make([]byte, 64<<10)
	for {
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			return out.String()
		}
	}
}

var dateField = regexp.MustCompile(`Date: [^\r]*\r\n`)

// TestParityWithNetHTTP sends the same raw requests to net/http's server
// and to this one, serving the same handler, and wants byte-identical
// answers (the Date field aside).
func TestParityWithNetHTTP(t *testing.T) {
	handler := http.HandlerFunc(parityHandler)
	netLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	netSrv := &http.Server{Handler: handler, ErrorLog: discardLog(), DisableGeneralOptionsHandler: true}
	go netSrv.Serve(netLn)
	t.Cleanup(func() { netSrv.Close() })
	ownLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	own := &Server{Handler: handler, ErrorLog: discardLog()}
	go own.Serve(ownLn)
	t.Cleanup(func() { own.Close() })

	get := func(path string) string { return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n" }
	cases := map[string]string{
		"small":              get("/small"),
		"typed":              get("/typed"),
		"empty":              get("/empty"),
		"large 2048":         get("/large?n=2048"),
		"large 2049":         get("/large?n=2049"),
		"large 100k":         get("/large?n=100000"),
		"pieces":             get("/pieces"),
		"flush":              get("/flush"),
		"declared length":    get("/length?n=5"),
		"short length":       get("/length?n=9"),
		"long body":          get("/length?n=3"),
		"bad length":         get("/length?n=x"),
		"204":                get("/status?code=204"),
		"304":                get("/status?code=304"),
		"103 then 200":       get("/status?code=103"),
		"299":                get("/status?code=299"),
		"close":              get("/close"),
		"header after":       get("/header-after"),
		"te chunked":         get("/te?v=chunked"),
		"te identity":        get("/te?v=identity"),
		"trailer":            get("/trailer"),
		"forbidden trailer":  get("/bad-trailer"),
		"not found":          get("/nope"),
		"head small":         "HEAD /small HTTP/1.1\r\nHost: x\r\n\r\n",
		"head large":         "HEAD /large?n=5000 HTTP/1.1\r\nHost: x\r\n\r\n",
		"http10":             "GET /small HTTP/1.0\r\n\r\n",
		"http10 keep-alive":  "GET /small HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /typed HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"http10 large":       "GET /large?n=5000 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"pipelined":          get("/small") + get("/typed") + get("/empty"),
		"connection close":   "GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + get("/typed"),
		"post length":        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde" + get("/small"),
		"post chunked":       "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\nX-T: v\r\n\r\n" + get("/small"),
		"post crlf after":    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab\r\n" + get("/small"),
		"full duplex":        "POST /duplex HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody" + get("/small"),
		"body ignored":       "POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789" + get("/small"),
		"body half read":     "POST /half-body HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789" + get("/small"),
		"body chunked bad":   "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" + get("/small"),
		"expect continue":    "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
		"expect ignored":     "POST /ignore-body HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
		"expect other":       "GET /small HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n",
		"no host":            "GET /small HTTP/1.1\r\n\r\n",
		"two hosts":          "GET /small HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"bad host":           "GET /small HTTP/1.1\r\nHost: a/b\r\n\r\n",
		"bad uri":            "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
		"bad line":           "GET /small\r\nHost: x\r\n\r\n",
		"bad version":        "GET /small HTTP/x\r\nHost: x\r\n\r\n",
		"http2 version":      "GET /small HTTP/2.0\r\nHost: x\r\n\r\n",
		"bad method":         "G@T /small HTTP/1.1\r\nHost: x\r\n\r\n",
		"bad header name":    "GET /small HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
		"bad header value":   "GET /small HTTP/1.1\r\nHost: x\r\nX: a\x01b\r\n\r\n",
		"te gzip":            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
		"te two":             "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
		"te http10":          "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\nab",
		"te kelvin":          "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chun\u212aed\r\nContent-Length: 40\r\n\r\n0\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n",
		"body close":         "POST /close-body HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde" + get("/small"),
		"two lengths":        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab",
		"two lengths differ": "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab",
		"bad length value":   "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
		"head too large":     "GET /small HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 1<<20+5000) + "\r\n\r\n",
		"absolute uri":       "GET http://other/reqinfo?a=1 HTTP/1.1\r\nHost: x\r\n\r\n",
		"options star":       "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
		"connect":            "CONNECT other:80 HTTP/1.1\r\nHost: other:80\r\n\r\n",
		"reqinfo":            "GET /reqinfo HTTP/1.1\r\nHost: x:80\r\nPragma: no-cache\r\nConnection: keep-alive, close\r\n\r\n",
		"reqinfo http10":     "GET /reqinfo HTTP/1.0\r\nX-A: 1\r\nX-A: 2\r\n\r\n",
		"leading crlf":       "\r\n" + get("/small"),
		"bare lf":            "GET /small HTTP/1.1\nHost: x\n\n",
		"preface":            "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"garbage":            "\x16\x03\x01\x00\x05hello\r\n\r\n",
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := dateField.ReplaceAllString(exchange(t, netLn.Addr().String(), raw), "Date: D\r\n")
			got := dateField.ReplaceAllString(exchange(t, ownLn.Addr().String(), raw), "Date: D\r\n")
			if got != want {
				t.Errorf("request %q\nnet/http answered %q\nhttp1 answered    %q", trim(raw), trim(want), trim(got))
			}
		})
	}
}

// bodyErrorText is a body's read error as the parity test compares it:
// a malformed chunk is one (net/http's chunked reader and this
// package's, which holds chunks to Apache's rules, word it apart).
func bodyErrorText(err error) any {
	var be *BodyError
	if errors.As(err, &be) || err != nil && strings.Contains(err.Error(), "chunk") {
		return "malformed chunked body"
	}
	return err
}

func trim(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// TestClientGone: a handler waiting on its request's context learns that
// the client went away.
func TestClientGone(t *testing.T) {
	gone := make(chan struct{})
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
			close(gone)
		case <-time.After(5 * time.Second):
		}
	}), ErrorLog: discardLog()}
	ln := serve(t, own)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(100 * time.Millisecond)
	c.Close()
	select {
	case <-gone:
	case <-time.After(3 * time.Second):
		t.Fatal("the handler was not told that its client went away")
	}
}

// TestPipelinedAfterWatch: a byte the client-gone watch read belongs to
// the next request.
func TestPipelinedAfterWatch(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/wait" {
			_ = r.Context().Done()             // starts the watch
			time.Sleep(200 * time.Millisecond) // the next request arrives meanwhile
		}
		io.WriteString(w, r.Method+" "+r.URL.Path)
	}), ErrorLog: discardLog()}
	ln := serve(t, own)
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	io.WriteString(c, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
	br := bufio.NewReader(c)
	for _, want := range []string{"GET /wait", "GET /next"} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		if string(b) != want {
			t.Fatalf("answer %q, want %q", b, want)
		}
	}
}

// TestHijack: a hijacked connection carries what the handler writes, and
// the bytes already buffered.
func TestHijack(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		line, _ := rw.ReadString('\n')
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\n\r\necho " + line)
		rw.Flush()
	}), ErrorLog: discardLog()}
	ln := serve(t, own)
	got := exchange(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: x\r\n\r\nping\n")
	if want := "HTTP/1.1 101 Switching Protocols\r\n\r\necho ping\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// TestPassMalformed: the Host and request-target problems net/http
// answers itself reach the handler, which sees what was sent.
func TestPassMalformed(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "host=%q uri=%q path=%q", r.Host, r.RequestURI, r.URL.Path)
	}), ErrorLog: discardLog(), PassMalformed: true}
	ln := serve(t, own)
	for raw, want := range map[string]string{
		"GET /a HTTP/1.1\r\n\r\n":                           `host="" uri="/a" path="/a"`,
		"GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n":     `host="x, y" uri="/a" path="/a"`,
		"GET /a HTTP/1.1\r\nHost: a/b\r\n\r\n":              `host="a/b" uri="/a" path="/a"`,
		"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n":              `host="x" uri="/%zz" path="/%zz"`,
		"GET http://[::1/a HTTP/1.1\r\nHost: x\r\n\r\n":     `host="x" uri="http://[::1/a" path="http://[::1/a"`,
		"GET http://b.test/a HTTP/1.1\r\nHost: x\r\n\r\n":   `host="b.test" uri="http://b.test/a" path="/a"`,
		"GET /a HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n": "400 Bad Request: invalid header name",
		"GET /a HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\n": `host="x" uri="/a" path="/a"`,
	} {
		got := exchange(t, ln.Addr().String(), raw)
		if !strings.HasSuffix(got, want) {
			t.Errorf("%q: answered %q, want it to end in %q", raw, got, want)
		}
	}
}

// TestPassMalformedFraming: with PassMalformed, framing Apache refuses
// reaches the handler with its fields as sent, no body and a connection
// that closes after the answer, without reading what follows the head;
// a Transfer-Encoding that ends in chunked is a chunked body.
func TestPassMalformedFraming(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		fmt.Fprintf(w, "cl=%q te=%q codings=%q close=%v body=%q %v", r.Header["Content-Length"], r.Header["Transfer-Encoding"],
			r.TransferEncoding, r.Close, b, err)
	}), ErrorLog: discardLog(), PassMalformed: true}
	ln := serve(t, own)
	next := "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"
	for raw, want := range map[string]string{
		"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab":                          `cl=["2" "2"] te=[] codings=[] close=true body="" <nil>`,
		"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab":                          `cl=["2" "3"] te=[] codings=[] close=true body="" <nil>`,
		"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\nab":                                              `cl=["+2"] te=[] codings=[] close=true body="" <nil>`,
		"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n2\r\nab\r\n0\r\n\r\n":                       `cl=[] te=["gzip"] codings=[] close=true body="" <nil>`,
		"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\nab\r\n0\r\n\r\n":              `cl=[] te=["chunked, gzip"] codings=[] close=true body="" <nil>`,
		"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chun\u212aed\r\n\r\n2\r\nab\r\n0\r\n\r\n":               "cl=[] te=[\"chun\u212aed\"] codings=[] close=true body=\"\" <nil>",
		"POST /a HTTP/1.0\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nab":                               `cl=["2"] te=["gzip"] codings=[] close=true body="" <nil>`,
		"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n":          `cl=["x"] te=["chunked"] codings=[] close=true body="" <nil>`,
		"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n" + next:       `cl=[] te=[] codings=["gzip, chunked"] close=false body="ab" <nil>` + "HTTP/1.1 200",
		"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n": `cl=[] te=[] codings=["chunked" "chunked"] close=false body="" <nil>`,
	} {
		got := exchange(t, ln.Addr().String(), raw+next)
		if i := strings.Index(got, "cl="); i < 0 || !strings.HasPrefix(got[i:], want) {
			t.Errorf("%q: answered %q, want %s", trim(raw), trim(got), want)
		}
		if strings.Contains(want, "close=true") && strings.Count(got, "HTTP/1.") != 1 {
			t.Errorf("%q: answered %q, want one answer and the connection closed", trim(raw), trim(got))
		}
	}
}

// TestBadLine: a request line that is not one goes to Server.BadLine,
// which sees its words; without BadLine it is net/http's plain 400.
func TestBadLine(t *testing.T) {
	own := &Server{Handler: http.NotFoundHandler(), ErrorLog: discardLog(),
		BadLine: func(w http.ResponseWriter, r *http.Request, line, field string) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "line=%q method=%q uri=%q proto=%q", line, r.Method, r.RequestURI, r.Proto)
		}}
	ln := serve(t, own)
	for raw, want := range map[string]string{
		"GARBAGE\r\n\r\n":                      `line="GARBAGE" method="GARBAGE" uri="" proto="HTTP/1.0"`,
		"GET /a b\r\nHost: x\r\n\r\n":          `line="GET /a b" method="GET" uri="/a" proto="HTTP/1.0"`,
		"G@T /a HTTP/1.1\r\nHost: x\r\n\r\n":   `line="G@T /a HTTP/1.1" method="G@T" uri="/a" proto="HTTP/1.0"`,
		"GET /a HTTP/1.1 x\r\nHost: x\r\n\r\n": `line="GET /a HTTP/1.1 x" method="GET" uri="/a" proto="HTTP/1.0"`,
		"GET /a HTTP/1.1\r\nHost: x\r\n\r\n":   "404 page not found\n",
	} {
		got := exchange(t, ln.Addr().String(), raw)
		if !strings.HasPrefix(got, "HTTP/1.") || !strings.HasSuffix(got, want) {
			t.Errorf("%q: answered %q, want it to end in %q", raw, got, want)
		}
	}
	// A line the client stops sending in the middle is no bad line:
	// the handler does not see it (net/http's plain 400 goes out).
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET /x.t")
	c.(*net.TCPConn).CloseWrite()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if b, _ := io.ReadAll(c); strings.Contains(string(b), "line=") {
		t.Errorf("a line cut short went to BadLine: %q", b)
	}
	c.Close()

	plain := &Server{Handler: http.NotFoundHandler(), ErrorLog: discardLog()}
	pln := serve(t, plain)
	if got := exchange(t, pln.Addr().String(), "GARBAGE\r\n\r\n"); !strings.HasSuffix(got, "\r\n\r\n400 Bad Request") {
		t.Errorf("without BadLine: %q", got)
	}
}

// TestShutdown: Shutdown closes idle connections at once, lets a request
// in flight finish (its answer closes the connection), accepts nothing
// new, and returns when the last connection is gone.
func TestShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	states := make(chan http.ConnState, 16)
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "done")
	}), ErrorLog: discardLog(), ConnState: func(_ net.Conn, s http.ConnState) { states <- s }}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- own.Serve(ln) }()

	idle, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	io.WriteString(idle, "GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
	idleR := bufio.NewReader(idle)
	if resp, err := http.ReadResponse(idleR, nil); err != nil {
		t.Fatal(err)
	} else {
		io.ReadAll(resp.Body)
	}
	busy, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
	<-started

	done := make(chan error, 1)
	go func() { done <- own.Shutdown(context.Background()) }()
	// The idle connection is closed without an answer.
	idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if n, err := idleR.Read(make([]byte, 1)); err == nil {
		t.Fatalf("the idle connection got %d bytes after Shutdown", n)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("the idle connection was not closed by Shutdown")
	}
	if err := <-served; err != ErrServerClosed {
		t.Fatalf("Serve returned %v, want ErrServerClosed", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("a new connection was accepted after Shutdown")
	}
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned (%v) with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	resp, err := http.ReadResponse(bufio.NewReader(busy), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "done" || !resp.Close {
		t.Fatalf("request in flight: %q, close=%v; want done and the connection closed", b, resp.Close)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("Shutdown did not return after the last request")
	}
}

// TestStricterThanNetHTTP: request framing that two parties could read
// two ways ends the connection after its answer, where net/http goes on
// reading requests: Content-Length beside chunked, and a chunked body
// that breaks while the handler reads it after answering (full duplex).
func TestStricterThanNetHTTP(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(parityHandler), ErrorLog: discardLog()}
	ln := serve(t, own)
	next := "GET /small HTTP/1.1\r\nHost: x\r\n\r\n"
	for name, raw := range map[string]string{
		"te and length":    "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n1\r\na\r\n0\r\n\r\n" + next,
		"duplex bad chunk": "POST /duplex HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n" + next,
	} {
		got := exchange(t, ln.Addr().String(), raw)
		if strings.Count(got, "HTTP/1.1 ") != 1 || strings.HasSuffix(got, "hello") {
			t.Errorf("%s: %q: want one answer and the connection closed", name, got)
		}
	}
}

// TestClosingAnswerLeavesBodyUnread: an answer that closes the
// connection does not wait for the rest of a body its handler left (a
// chunked body may never end): the client sees the close at once, as
// Apache closes it. Where the connection stays, the body is read away
// as net/http reads it.
func TestClosingAnswerLeavesBodyUnread(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(parityHandler), ErrorLog: discardLog()}
	ln := serve(t, own)
	for name, raw := range map[string]string{
		"chunked":          "POST /close HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
		"chunked, closing": "POST /ignore-body HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
		"length":           "POST /close HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello",
	} {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, raw)
		start := time.Now()
		c.SetReadDeadline(start.Add(3 * time.Second))
		b, err := io.ReadAll(c)
		if took := time.Since(start); err != nil || took > time.Second {
			t.Errorf("%s: the connection closed after %v (%v), answered %q", name, took.Round(time.Millisecond), err, b)
		}
		c.Close()
	}
	// The next request on a kept connection starts after the body.
	got := exchange(t, ln.Addr().String(), "POST /ignore-body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /small HTTP/1.1\r\nHost: x\r\n\r\n")
	if !strings.HasSuffix(got, "hello") || strings.Count(got, "HTTP/1.1 200") != 2 {
		t.Errorf("kept connection: %q", got)
	}
}

// flakyListener fails its first Accept with a temporary error (a process
// out of descriptors), as a real listener does under a flood.
type flakyListener struct {
	net.Listener
	failed bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// TestAcceptRetries: a temporary Accept error does not stop the server.
func TestAcceptRetries(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	own := &Server{Handler: http.HandlerFunc(parityHandler), ErrorLog: discardLog()}
	served := make(chan error, 1)
	go func() { served <- own.Serve(&flakyListener{Listener: ln}) }()
	defer own.Close()
	if got := exchange(t, ln.Addr().String(), "GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); !strings.HasSuffix(got, "hello") {
		select {
		case err := <-served:
			t.Fatalf("Serve returned %v", err)
		default:
			t.Fatalf("answered %q", got)
		}
	}
}

// TestWriteAfterReturn: a goroutine of a handler that writes after the
// handler returned gets an error, and the next answer on the connection
// is not touched.
func TestWriteAfterReturn(t *testing.T) {
	late := make(chan error, 1)
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/leak" {
			go func() {
				time.Sleep(50 * time.Millisecond)
				_, err := io.WriteString(w, "INJECTED")
				late <- err
			}()
			io.WriteString(w, "first")
			w.(http.Flusher).Flush() // chunked: no length stops the late write
			return
		}
		time.Sleep(100 * time.Millisecond)
		io.WriteString(w, "second")
	}), ErrorLog: discardLog()}
	ln := serve(t, own)
	got := exchange(t, ln.Addr().String(), "GET /leak HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n")
	if strings.Contains(got, "INJECTED") || !strings.HasSuffix(got, "second") {
		t.Errorf("answers %q", got)
	}
	if err := <-late; err == nil {
		t.Error("the late write succeeded")
	}
}

// serve starts srv on a loopback port for the test, and returns its
// listener.
func serve(t *testing.T, srv *Server) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln
}

// TestStatusLine11: with StatusLine11 an HTTP/1.0 request's answer says
// HTTP/1.1 (framed for HTTP/1.0), and AnswerHTTP10 makes any say
// HTTP/1.0.
func TestStatusLine11(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/10" {
			w.(interface{ AnswerHTTP10() }).AnswerHTTP10()
		}
		io.WriteString(w, "x")
	}), ErrorLog: discardLog(), StatusLine11: true}
	ln := serve(t, own)
	for raw, want := range map[string]string{
		"GET /a HTTP/1.0\r\n\r\n":                                  "HTTP/1.1 200 OK\r\n",
		"GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n":  "HTTP/1.1 200 OK\r\n",
		"GET /10 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n": "HTTP/1.0 200 OK\r\n",
	} {
		if got := exchange(t, ln.Addr().String(), raw); !strings.HasPrefix(got, want) {
			t.Errorf("%q: answered %q, want it to start %q", raw, got, want)
		}
	}
}

// TestKeepNotModifiedType: with KeepNotModifiedType a 304 keeps the
// Content-Type its handler set; the length fields go all the same.
func TestKeepNotModifiedType(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "5")
		w.WriteHeader(http.StatusNotModified)
	})
	for keep, want := range map[bool]bool{true: true, false: false} {
		own := &Server{Handler: handler, ErrorLog: discardLog(), KeepNotModifiedType: keep}
		ln := serve(t, own)
		got := exchange(t, ln.Addr().String(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if strings.Contains(got, "Content-Type: text/plain\r\n") != want || strings.Contains(got, "Content-Length") {
			t.Errorf("KeepNotModifiedType %v: answered %q", keep, got)
		}
	}
}

// TestStatusText: the reason phrase a handler gives for its status goes
// out (Apache sends a handler's r->status_line), not for another status;
// without one, Server.StatusText's, else net/http's.
func TestStatusText(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		if text, ok := r.URL.Query()["text"]; ok {
			w.(interface{ SetStatusText(int, string) }).SetStatusText(200, text[0])
		}
		w.WriteHeader(code)
	}), ErrorLog: discardLog(), StatusText: func(code int) string {
		if code == 414 {
			return "Request-URI Too Long"
		}
		return ""
	}}
	ln := serve(t, own)
	for target, want := range map[string]string{
		"/?code=200&text=Everything+Fine": "HTTP/1.1 200 Everything Fine\r\n",
		"/?code=200&text=":                "HTTP/1.1 200 \r\n",
		"/?code=500&text=Oops":            "HTTP/1.1 500 Internal Server Error\r\n",
		"/?code=414":                      "HTTP/1.1 414 Request-URI Too Long\r\n",
		"/?code=404":                      "HTTP/1.1 404 Not Found\r\n",
		"/?code=299":                      "HTTP/1.1 299 status code 299\r\n",
	} {
		got := exchange(t, ln.Addr().String(), "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if !strings.HasPrefix(got, want) {
			t.Errorf("%s: answered %q, want it to start %q", target, got, want)
		}
	}
}

// TestRefuseBareLF: where a bare LF may not end a line, a request line so
// ended goes to BadLine with its LF, a header field line so ended as the
// field beside its request line; a head of CRLF lines is served, also
// when it does not arrive at once or goes past the read buffer.
func TestRefuseBareLF(t *testing.T) {
	own := &Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "served "+r.URL.Path)
	}), ErrorLog: discardLog(), RefuseBareLF: func(net.Conn) bool { return true },
		BadLine: func(w http.ResponseWriter, r *http.Request, line, field string) {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, "line=%q field=%q method=%q uri=%q", line, field, r.Method, r.RequestURI)
		}}
	ln := serve(t, own)
	long := "X-Long: " + strings.Repeat("a", 5000) + "\r\n"
	for raw, want := range map[string]string{
		"GET /a HTTP/1.1\nHost: x\r\n\r\n":                      `line="GET /a HTTP/1.1\n" field="" method="GET" uri="/a"`,
		"GET /a HTTP/1.1\r\nHost: x\nX: y\r\n\r\n":              `line="GET /a HTTP/1.1" field="Host: x\n" method="GET" uri="/a"`,
		"GET /a HTTP/1.1\r\nHost: x\r\n\n":                      `line="GET /a HTTP/1.1" field="\n" method="GET" uri="/a"`,
		"\nGET /a HTTP/1.1\r\nHost: x\r\n\r\n":                  `line="\n" field="" method="" uri=""`,
		"\r\nGET /a HTTP/1.1\nHost: x\r\n\r\n":                  `line="GET /a HTTP/1.1\n" field="" method="GET" uri="/a"`,
		"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\n\n": `line="GET /b HTTP/1.1\n" field="" method="GET" uri="/b"`,
		"GET /a HTTP/1.1\r\nHost: x\r\n\r\n":                    "served /a",
		"GET /a HTTP/1.1\r\nHost: x\r\n" + long + "\r\n":        "served /a",
	} {
		got := exchange(t, ln.Addr().String(), raw)
		if !strings.HasSuffix(got, want) {
			t.Errorf("%q: answered %q, want it to end in %q", trim(raw), trim(got), want)
		}
	}
	// A head that arrives in pieces is looked at as a whole.
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /a HTTP/1.1\r\nHo")
	time.Sleep(50 * time.Millisecond)
	io.WriteString(c, "st: x\nX: y\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	b, _ := io.ReadAll(c)
	if want := `field="Host: x\n"`; !strings.Contains(string(b), want) {
		t.Errorf("a head in two pieces: answered %q, want %s", b, want)
	}
}

// statusLine finds the status lines of answers.
var statusLine = regexp.MustCompile(`HTTP/1\.[01] (\d{3}) `)

// TestEmptyLinesSkipped: with PassMalformed, up to ten empty lines
// before a request line are skipped, as Apache's read_request_line
// skips them, also between pipelined requests; a bare LF one only where
// a bare LF ends a line.
func TestEmptyLinesSkipped(t *testing.T) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "x") })
	lenient := serve(t, &Server{Handler: handler, ErrorLog: discardLog(), PassMalformed: true})
	strict := serve(t, &Server{Handler: handler, ErrorLog: discardLog(), PassMalformed: true,
		RefuseBareLF: func(net.Conn) bool { return true }})
	const get = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
	for _, tc := range []struct {
		ln   net.Listener
		text string
		want string // the status codes answered, in order
	}{
		{lenient, get, "200"},
		{lenient, "\r\n" + get, "200"},
		{lenient, strings.Repeat("\r\n", 10) + get, "200"},
		{lenient, strings.Repeat("\r\n", 11) + get, "400"},
		{lenient, "\n\r\n\n" + get, "200"},
		{lenient, "GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n\r\n" + get, "200 200"},
		{strict, "\r\n\r\n" + get, "200"},
		{strict, "\r\n\n" + get, "400"},
	} {
		var codes []string
		for _, m := range statusLine.FindAllStringSubmatch(exchange(t, tc.ln.Addr().String(), tc.text), -1) {
			codes = append(codes, m[1])
		}
		if got := strings.Join(codes, " "); got != tc.want {
			t.Errorf("%q (strict %v): answered %s, want %s", tc.text, tc.ln == strict, got, tc.want)
		}
	}
}
