package compat

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// vhostLogApp writes a marker line to wsgi.errors, to sys.stderr, or
// raises, by path.
const vhostLogApp = `import sys
def application(environ, start_response):
    path, mode = environ['PATH_INFO'], environ['SCRIPT_NAME']
    if path == '/errors':
        environ['wsgi.errors'].write('marker-wsgi-errors%s\n' % mode)
    elif path == '/stderr':
        print('marker-sys-stderr%s' % mode, file=sys.stderr)
        sys.stderr.flush()
    elif path == '/raise':
        raise RuntimeError('marker-traceback%s' % mode)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'ok\n']
`

// TestVhostErrorLogAgainstApache: what a WSGI application logs about a
// request (wsgi.errors, its traceback) goes to the error log of the
// request's virtual host, and sys.stderr to the main server's, in both
// Apache + mod_wsgi and gowsgid, embedded and daemon mode.
func TestVhostErrorLogAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	const conf = `ServerRoot $DIR
%s
PidFile logs/httpd.pid
User www-data
Group www-data
ErrorLog logs/main.log
LogLevel info
Listen %s
ServerName main.test
<VirtualHost %s>
  ServerName v.test
  ErrorLog logs/vhost.log
  WSGIDaemonProcess d processes=1 threads=2
  WSGIScriptAlias /embedded $DIR/app.wsgi
  WSGIScriptAlias /daemon $DIR/app.wsgi process-group=d
</VirtualHost>
`
	markers := []string{"marker-wsgi-errors", "marker-sys-stderr", "marker-traceback"}
	// where[side][mode+marker] is "main", "vhost", "both" or "none".
	where := [2]map[string]string{}
	for side := range where {
		dir := makeRoot(t)
		if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(vhostLogApp), 0o644); err != nil {
			t.Fatal(err)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", freePort())
		c := strings.ReplaceAll(fmt.Sprintf(conf, apachetest.LoadModules("mpm_event", "authz_core", "wsgi"), addr, addr), "$DIR", dir)
		var in *apachetest.Instance
		if side == apacheSide {
			in = apachetest.Start(t, dir, c, addr)
		} else {
			in = apachetest.StartGowsgid(t, dir, c, nil, addr)
		}
		for _, mode := range []string{"embedded", "daemon"} {
			for _, p := range []string{"/errors", "/stderr", "/raise"} {
				req, _ := http.NewRequest("GET", "http://"+addr+"/"+mode+p, nil)
				req.Host = "v.test"
				req.Close = true
				start := time.Now()
				if res, err := http.DefaultClient.Do(req); err == nil {
					t.Logf("side %d: GET /%s%s: %d in %v", side, mode, p, res.StatusCode, time.Since(start))
					res.Body.Close()
				} else {
					t.Fatalf("side %d: GET /%s%s: %v", side, mode, p, err)
				}
			}
		}
		where[side] = map[string]string{}
		deadline := time.Now().Add(5 * time.Second)
		for {
			main, _ := os.ReadFile(filepath.Join(dir, "logs/main.log"))
			vhost, _ := os.ReadFile(filepath.Join(dir, "logs/vhost.log"))
			missing := false
			for _, mode := range []string{"embedded", "daemon"} {
				for _, m := range markers {
					inMain := strings.Count(string(main), m+"/"+mode)
					inVhost := strings.Count(string(vhost), m+"/"+mode)
					w := "none"
					switch {
					case inMain > 0 && inVhost > 0:
						w = "both"
					case inMain > 0:
						w = "main"
					case inVhost > 0:
						w = "vhost"
					default:
						missing = true
					}
					where[side][mode+" "+m] = w
				}
			}
			if !missing || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		in.Stop()
	}
	for k, a := range where[apacheSide] {
		if g := where[gowsgidSide][k]; g != a {
			t.Errorf("%s: apache logs it to %s, gowsgid to %s", k, a, g)
		}
	}
	if w := where[apacheSide]["embedded marker-wsgi-errors"]; w != "vhost" {
		t.Errorf("apache logged wsgi.errors to %s, the test expects the virtual host's log", w)
	}
}
