package compat

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// daemonBodyApp answers what it read of its body, or that it did not
// read it.
const daemonBodyApp = `def application(environ, start_response):
    if environ['PATH_INFO'] == '/noread':
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
// (Timeout 2) or that the client cuts short (it shuts its side down)
// while the server proxies it to a daemon process gets mod_wsgi's
// answer, not the application's: 408, or 500, with mod_wsgi's line
// saying why. The status, the connection's end and the line are
// compared with Apache + mod_wsgi's.
func TestDaemonBodyCutAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	const conf = `ServerRoot $DIR
%s
PidFile logs/httpd.pid
User www-data
Group www-data
ErrorLog logs/error.log
Timeout 2
Listen %s
ServerName body.test
WSGIDaemonProcess cut threads=2
WSGIScriptAlias /app $DIR/app.wsgi process-group=cut
`
	cases := []struct {
		name, path string
		// halfClose shuts the client's side down after the partial body.
		halfClose bool
	}{
		{"stops, read", "/app/read", false},
		{"stops, not read", "/app/noread", false},
		{"cut short, read", "/app/read", true},
		{"cut short, not read", "/app/noread", true},
	}
	mark := regexp.MustCompile(`mod_wsgi \(pid=\d+\): (Request data read error .*)$`)
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
		dir := makeRoot(t)
		if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(daemonBodyApp), 0o644); err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", freePort())
		c := strings.ReplaceAll(fmt.Sprintf(conf, apachetest.LoadModules("mpm_event", "authz_core", "wsgi"), addr), "$DIR", dir)
		in := startSide(t, side, dir, c, addr)
		for _, tc := range cases {
			before := len(reasons(in))
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: body.test\r\nContent-Length: 100\r\n\r\nabc", tc.path)
			if tc.halfClose {
				conn.(*net.TCPConn).CloseWrite()
			}
			conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			status := "no answer"
			if res, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
				status = fmt.Sprintf("%d close=%v", res.StatusCode, res.Close)
				res.Body.Close()
			}
			conn.Close()
			reason := "no line"
			for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				if r := reasons(in); len(r) > before {
					reason = r[len(r)-1]
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
		if !strings.HasPrefix(got[apacheSide][i].status, "408") && !strings.HasPrefix(got[apacheSide][i].status, "500") {
			t.Errorf("%s: apache answered %s, which this test does not expect", tc.name, got[apacheSide][i].status)
		}
	}
}
