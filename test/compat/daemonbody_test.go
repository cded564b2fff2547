package compat

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// daemonBodyApp answers what it read of its body, or that it did not
// read it; /sleep answers after half a minute, /first sends a first
// chunk and the rest after half a minute, neither reading its body.
const daemonBodyApp = `import time

def application(environ, start_response):
    if environ['PATH_INFO'] == '/sleep':
        time.sleep(30)
    if environ['PATH_INFO'] == '/first':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        def stream():
            yield b'first\n'
            time.sleep(30)
            yield b'second\n'
        return stream()
    if environ['PATH_INFO'] in ('/noread', '/sleep'):
        out = b'noread\n'
    else:
        try:
            out = b'read %d\n' % len(environ['wsgi.input'].read())
        except OSError as e:
            out = b'error\n'
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(out)))])
    return [out]
`

// TestDaemonBodyCutAgainstApache: a request body that stops arriving
// (Timeout 2), that the client cuts short (it shuts its side down) or
// whose chunks break while the server proxies it to a daemon process
// gets mod_wsgi's answer, not the application's: 408, 500, or the input
// filter's 400 or 413, with mod_wsgi's line saying why and, for a chunk
// that cannot be parsed, the filter's own (AH01590). The status, the
// connection's end and the lines are compared with Apache + mod_wsgi's.
func TestDaemonBodyCutAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	const conf = `ServerRoot $DIR
%s
PidFile logs/httpd.pid
User www-data
Group www-data
ErrorLog logs/error.log
LogLevel info
Timeout 2
Listen %s
ServerName body.test
WSGIDaemonProcess cut threads=4 socket-timeout=60
WSGIScriptAlias /app $DIR/app.wsgi process-group=cut
WSGIChunkedRequest On
`
	const partial = "Content-Length: 100\r\n\r\nabc"
	const chunked = "Transfer-Encoding: chunked\r\n\r\n"
	cases := []struct {
		name, path, rest string
		// halfClose shuts the client's side down after the partial body.
		halfClose bool
		// more is sent a second after rest.
		more string
	}{
		{"stops, read", "/app/read", partial, false, ""},
		{"stops, not read", "/app/noread", partial, false, ""},
		{"cut short, read", "/app/read", partial, true, ""},
		{"cut short, not read", "/app/noread", partial, true, ""},
		{"broken chunk", "/app/read", chunked + "5\r\nhello\r\nzz\r\n", false, ""},
		{"chunk size overflows", "/app/noread", chunked + "fffffffffffffffffff\r\nx\r\n", false, ""},
		// mod_wsgi answers a broken body at once, whatever the
		// application is doing, and sends what the application answered
		// once the body is all sent, without waiting for more of it.
		{"broken chunk, application busy", "/app/sleep", chunked + "5\r\nhello\r\nzz\r\n", false, ""},
		// (Past the 32 KiB the server buffers, so that the application
		// starts before the body ends.)
		{"answer held until the body is all sent", "/app/first", "Content-Length: 100000\r\n\r\n" + strings.Repeat("a", 60000), false,
			strings.Repeat("b", 40000)},
	}
	mark := regexp.MustCompile(`(?:mod_wsgi \(pid=\d+\): |\] )((?:Request data read error|AH01590).*)$`)
	reasons := func(in *apachetest.Instance) []string {
		var out []string
		for _, l := range strings.Split(in.ErrorLog(), "\n") {
			if m := mark.FindStringSubmatch(l); m != nil {
				out = append(out, m[1])
			}
		}
		return out
	}
	type answer struct{ status, reason string }
	var got [2][]answer
	for side := range got {
		in, _, addr := startWSGISide(t, side, daemonBodyApp, conf)
		for _, tc := range cases {
			before := len(reasons(in))
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: body.test\r\n%s", tc.path, tc.rest)
			if tc.halfClose {
				conn.(*net.TCPConn).CloseWrite()
			}
			if tc.more != "" {
				time.Sleep(time.Second)
				fmt.Fprint(conn, tc.more)
			}
			// Well before the applications that sleep answer.
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			status := "no answer"
			if res, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
				status = fmt.Sprintf("%d close=%v", res.StatusCode, res.Close)
			}
			conn.Close()
			// The lines about the request: mod_wsgi's comes last.
			reason := "no line"
			for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if r := reasons(in); len(r) > before && strings.HasPrefix(r[len(r)-1], "Request data") {
					reason = strings.Join(r[before:], " | ")
					break
				}
			}
			got[side] = append(got[side], answer{status, reason})
		}
		in.Stop()
	}
	for i, tc := range cases {
		t.Logf("%s: %+v", tc.name, got[gowsgidSide][i])
		if got[apacheSide][i] != got[gowsgidSide][i] {
			t.Errorf("%s: apache %+v, gowsgid %+v", tc.name, got[apacheSide][i], got[gowsgidSide][i])
		}
		if s := got[apacheSide][i].status; s == "no answer" || strings.HasPrefix(s, "200") != (tc.more != "") {
			t.Errorf("%s: apache answered %s, which this test does not expect", tc.name, got[apacheSide][i].status)
		}
	}
}
