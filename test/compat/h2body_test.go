package compat

import (
	"bytes"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// h2BodyApp answers what it read of its body, or the error its read
// raised, with the body's CONTENT_LENGTH and Transfer-Encoding. On
// /pause it reads 100 bytes and works for longer than Timeout (writing
// a dot now and then) before it reads the rest.
const h2BodyApp = `import time

def application(environ, start_response):
    info = 'cl=%s te=%s' % (environ.get('CONTENT_LENGTH', '-'), environ.get('HTTP_TRANSFER_ENCODING', '-'))
    write = start_response('200 OK', [('Content-Type', 'text/plain')])
    try:
        data = b''
        if environ['PATH_INFO'] == '/pause':
            data = environ['wsgi.input'].read(100)
            for _ in range(2):
                time.sleep(1.5)
                write(b'.')
        data += environ['wsgi.input'].read()
        out = 'read %d %s\n' % (len(data), info)
    except OSError as e:
        out = 'error %s %s\n' % (e, info)
    return [out.encode()]
`

// TestHTTP2BodiesAgainstApache sends HTTP/2 requests with bodies that
// stop arriving, have no Content-Length, or pass LimitRequestBody, to a
// WSGI application and to a static file, and compares the answers (and
// how long they took: a stalled body is given Timeout) and mod_wsgi's
// lines with Apache + mod_http2's. What mod_http2 hands Apache's HTTP/1
// machinery decides them: a body without a length is "chunked" (411
// from mod_wsgi), a stream's connection is one Apache's
// ap_discard_request_body reads nothing of (a static file is answered
// at once, whatever its body), and its log lines say "[remote ...]".
func TestHTTP2BodiesAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	conf := `ServerRoot $DIR
%s
` + apachetest.LoadModules("http2") + `PidFile logs/httpd.pid
User www-data
Group www-data
ErrorLog logs/error.log
LogLevel info
Timeout 2
LimitRequestBody 1000
Listen %s
ServerName h2body.test
Protocols h2c http/1.1
DocumentRoot $DIR
WSGIScriptAlias /app $DIR/app.wsgi
WSGIScriptAlias /chunked $DIR/app.wsgi
WSGIDaemonProcess h2d threads=4 socket-timeout=60
WSGIScriptAlias /daemon $DIR/app.wsgi process-group=h2d
<Location /chunked>
  WSGIChunkedRequest On
</Location>
<Directory $DIR>
  Require all granted
</Directory>
`
	type request struct {
		name, path, contentLength, contentType string
		body                                   int
		stall                                  bool // the body stops after body bytes; else it ends there
		later                                  int  // then this many more come 2.5 s later (and end it)
	}
	cases := []request{
		{"stalled body, application reads", "/app", "100", "", 10, true, 0},
		{"stalled body, static file", "/app.wsgi", "100", "", 10, true, 0},
		{"whole body", "/app", "100", "", 100, false, 0},
		// Timeout bounds the wait of a read, not the time between reads.
		// (Without a length: a body of known length up to 64 KiB is
		// read before the application runs, see docs/compat.md.)
		{"body in two parts, read with a pause", "/chunked/pause", "", "", 100, true, 800},
		{"stalled body, daemon process", "/daemon", "100", "", 10, true, 0},
		{"whole body, daemon process", "/daemon", "100", "", 100, false, 0},
		{"body without a length, daemon process", "/daemon", "", "", 500, false, 0},
		{"body without a length", "/app", "", "", 500, false, 0},
		{"body without a length, chunked requests on", "/chunked", "", "", 500, false, 0},
		{"headers only, with a type", "/chunked", "", "text/plain", 0, false, 0},
		{"length over the limit, static file", "/app.wsgi", "2000", "", 10, true, 0},
		{"body over the limit without a length, static file", "/app.wsgi", "", "", 2000, false, 0},
	}
	type answer struct {
		status, body string
		slow         bool // answered after Timeout, not at once
	}
	lineOf := regexp.MustCompile(`\[wsgi:error\] \[pid \d+:tid \d+\] (\[\w+) [0-9.:]+\] (?:mod_wsgi \(pid=\d+\): )?(Received request requiring chunked.*: |Request data read error.*)`)
	var got [2][]answer
	var lines [2][]string
	for side := range got {
		in, _, addr := startWSGISide(t, side, h2BodyApp, conf)
		for _, tc := range cases {
			got[side] = append(got[side], h2cRequest(t, addr, tc.path, tc.contentLength, tc.contentType, tc.body, tc.stall, tc.later))
		}
		time.Sleep(200 * time.Millisecond)
		for _, l := range strings.Split(in.ErrorLog(), "\n") {
			if m := lineOf.FindStringSubmatch(l); m != nil {
				lines[side] = append(lines[side], m[1]+"] "+m[2])
			}
		}
		in.Stop()
	}
	for i, tc := range cases {
		a, g := got[apacheSide][i], got[gowsgidSide][i]
		t.Logf("%s: %+v", tc.name, g)
		if a != g {
			t.Errorf("%s: apache %+v, gowsgid %+v", tc.name, a, g)
		}
		if a.status == "" {
			t.Errorf("%s: apache did not answer", tc.name)
		}
	}
	if strings.Join(lines[apacheSide], "\n") != strings.Join(lines[gowsgidSide], "\n") || len(lines[apacheSide]) != 3 {
		t.Errorf("mod_wsgi's lines: apache %q, gowsgid %q", lines[apacheSide], lines[gowsgidSide])
	}
}

// h2cRequest sends a POST over a new h2c connection (prior knowledge):
// its headers, then body bytes of its body, ending the stream unless
// stall; with later, 2.5 s on, later bytes more that end it. It
// returns the answer's status, its body's first line, and whether it
// came after a second or more.
func h2cRequest(t *testing.T, addr, path, contentLength, contentType string, body int, stall bool, later int) (a struct {
	status, body string
	slow         bool
}) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	c.SetDeadline(start.Add(10 * time.Second))
	c.Write([]byte(http2.ClientPreface))
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, f := range [][2]string{{":method", "POST"}, {":scheme", "http"}, {":authority", "h2body.test"}, {":path", path},
		{"content-length", contentLength}, {"content-type", contentType}} {
		if f[1] != "" {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: hb.Bytes(), EndHeaders: true, EndStream: body == 0 && !stall})
	if body > 0 || stall {
		fr.WriteData(1, !stall, bytes.Repeat([]byte("x"), body))
	}
	if later > 0 {
		time.Sleep(2500 * time.Millisecond)
		fr.WriteData(1, true, bytes.Repeat([]byte("y"), later))
	}
	var out strings.Builder
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			a.body = fmt.Sprintf("%s (no end: %v)", out.String(), err)
			break
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
			continue
		case *http2.MetaHeadersFrame:
			a.status = f.PseudoValue("status")
			if !f.StreamEnded() {
				continue
			}
		case *http2.DataFrame:
			out.Write(f.Data())
			if !f.StreamEnded() {
				continue
			}
		case *http2.RSTStreamFrame:
			out.WriteString(fmt.Sprintf(" (reset: %v)", f.ErrCode))
		default:
			continue
		}
		a.body, _, _ = strings.Cut(out.String(), "\n")
		break
	}
	a.slow = time.Since(start) >= time.Second
	return a
}
