package compat

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
	"github.com/gowsgid/gowsgid/internal/certgen"
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
// Apache + mod_wsgi and gowsgid, embedded and daemon mode, with a daemon
// group defined in the virtual host and one defined in the main server
// (whose processes write their own lines to the main server's log).
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
WSGIDaemonProcess shared processes=1 threads=2
<VirtualHost %s>
  ServerName v.test
  ErrorLog logs/vhost.log
  WSGIDaemonProcess d processes=1 threads=2
  WSGIScriptAlias /embedded $DIR/app.wsgi
  WSGIScriptAlias /daemon $DIR/app.wsgi process-group=d
  WSGIScriptAlias /shared $DIR/app.wsgi process-group=shared
</VirtualHost>
<VirtualHost %s>
  ServerName w.test
  ErrorLog logs/w.log
  LogLevel warn
  ErrorLogFormat "[%%l] %%v %%M"
  WSGIScriptAlias /shared $DIR/app.wsgi process-group=shared
</VirtualHost>
`
	markers := []string{"marker-wsgi-errors", "marker-sys-stderr", "marker-traceback"}
	modes := []string{"embedded", "daemon", "shared"}
	// where[side][mode+marker] is "main", "vhost", "both" or "none".
	where := [2]map[string]string{}
	// wlog[side] is the log of w.test, whose format and level the
	// shared group's lines about its requests must follow.
	var wlog [2]string
	pids := regexp.MustCompile(`pid=\d+`)
	for side := range where {
		in, dir, addr := startWSGISide(t, side, vhostLogApp, conf)
		for _, mode := range modes {
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
		for _, p := range []string{"/errors", "/stderr", "/raise"} {
			req, _ := http.NewRequest("GET", "http://"+addr+"/shared"+p, nil)
			req.Host = "w.test"
			req.Close = true
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			} else {
				t.Fatalf("side %d: GET w.test /shared%s: %v", side, p, err)
			}
		}
		where[side] = map[string]string{}
		deadline := time.Now().Add(5 * time.Second)
		for {
			main, _ := os.ReadFile(filepath.Join(dir, "logs/main.log"))
			vhost, _ := os.ReadFile(filepath.Join(dir, "logs/vhost.log"))
			missing := false
			for _, mode := range modes {
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
			w, _ := os.ReadFile(filepath.Join(dir, "logs/w.log"))
			wlog[side] = pids.ReplaceAllString(strings.ReplaceAll(string(w), dir, "$DIR"), "pid=N")
			if !strings.Contains(wlog[side], "RuntimeError: marker-traceback/shared") {
				missing = true
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
	if wlog[apacheSide] != wlog[gowsgidSide] || wlog[apacheSide] == "" {
		t.Errorf("w.test's log (its ErrorLogFormat, LogLevel warn) differs:\napache:\n%s\ngowsgid:\n%s", wlog[apacheSide], wlog[gowsgidSide])
	}
	if w := where[apacheSide]["embedded marker-wsgi-errors"]; w != "vhost" {
		t.Errorf("apache logged wsgi.errors to %s, the test expects the virtual host's log", w)
	}
}

// TestDaemonSetupLogAgainstApache: a daemon process of a group defined
// in a virtual host with its own ErrorLog logs its start-up (its
// "Starting process" line, a home= it cannot enter) through the main
// server, at the main server's level, and only then through the virtual
// host, as mod_wsgi's daemon does.
func TestDaemonSetupLogAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	const conf = `ServerRoot $DIR
%s
PidFile logs/httpd.pid
User www-data
Group www-data
ErrorLog logs/main.log
Listen %s
ServerName main.test
<VirtualHost %s>
  ServerName v.test
  ErrorLog logs/vhost.log
  LogLevel info
  WSGIDaemonProcess broken threads=1 home=$DIR/nonexistent
  WSGIDaemonProcess fine threads=1
  WSGIScriptAlias /fine $DIR/app.wsgi process-group=fine
</VirtualHost>
`
	// lines[side][log] are the wsgi lines of each log, without their
	// time, process and thread ids.
	stamp := regexp.MustCompile(`^\[[^\]]+\] (\[wsgi:[a-z]+\]) \[pid \d+:tid \d+\] `)
	pids := regexp.MustCompile(`pid=\d+`)
	var lines [2]map[string][]string
	for side := range lines {
		in, dir, addr := startWSGISide(t, side, vhostLogApp, conf)
		req, _ := http.NewRequest("GET", "http://"+addr+"/fine/errors", nil)
		req.Host = "v.test"
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		} else {
			t.Fatalf("side %d: %v", side, err)
		}
		lines[side] = map[string][]string{}
		deadline := time.Now().Add(5 * time.Second)
		for {
			for _, name := range []string{"main", "vhost"} {
				b, _ := os.ReadFile(filepath.Join(dir, "logs", name+".log"))
				var kept []string
				for _, l := range strings.Split(string(b), "\n") {
					if m := stamp.FindStringSubmatch(l); m != nil && (strings.Contains(l, "Starting process") ||
						strings.Contains(l, "working directory") || strings.Contains(l, "Failure to configure")) {
						kept = append(kept, m[1]+" "+pids.ReplaceAllString(strings.ReplaceAll(l[len(m[0]):], dir, "$DIR"), "pid=N"))
					}
				}
				lines[side][name] = kept
			}
			if len(lines[side]["main"]) >= 2 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		in.Stop()
	}
	for _, name := range []string{"main", "vhost"} {
		a, g := lines[apacheSide][name], lines[gowsgidSide][name]
		if !slices.Equal(a, g) {
			t.Errorf("%s log: apache\n  %s\ngowsgid\n  %s", name, strings.Join(a, "\n  "), strings.Join(g, "\n  "))
		}
	}
	if len(lines[apacheSide]["main"]) < 2 {
		t.Errorf("apache logged no set-up failure in the main log: %q", lines[apacheSide]["main"])
	}
}

// TestConfigNoticesLogged: the warnings a configuration gives while it is
// read (AH01574, AH00111, and AH00112 without a prefix) go to the error
// log as well as to stderr, as Apache writes them when it reads its
// configuration again once its log is open.
func TestConfigNoticesLogged(t *testing.T) {
	apachetest.Binary(t)
	const conf = `ServerRoot $DIR
%s
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
PidFile logs/httpd.pid
ErrorLog logs/main.log
Listen %s
ServerName main.test
ServerAdmin ${GOWSGID_NOT_DEFINED}
<VirtualHost %s>
  DocumentRoot $DIR/missing
</VirtualHost>
`
	stamp := regexp.MustCompile(`^\[[^\]]+\] (\[[a-z_]+:[a-z]+\]) \[pid \d+:tid \d+\] `)
	var lines [2][]string
	for side := range lines {
		dir := makeRoot(t)
		addr := fmt.Sprintf("127.0.0.1:%d", freePort())
		c := strings.ReplaceAll(fmt.Sprintf(conf, apachetest.LoadModules("mpm_event", "authz_core", "alias"), addr, addr), "$DIR", dir)
		in := startSide(t, side, dir, c, addr)
		in.Stop()
		b, _ := os.ReadFile(filepath.Join(dir, "logs/main.log"))
		for _, l := range strings.Split(string(b), "\n") {
			if !strings.Contains(l, "AH01574") && !strings.Contains(l, "AH00111") && !strings.Contains(l, "AH00112") {
				continue
			}
			if m := stamp.FindStringSubmatch(l); m != nil {
				l = m[1] + " " + l[len(m[0]):]
			}
			lines[side] = append(lines[side], strings.ReplaceAll(l, dir, "$DIR"))
		}
	}
	if !slices.Equal(lines[apacheSide], lines[gowsgidSide]) || len(lines[apacheSide]) != 3 {
		t.Errorf("the configuration's warnings in the error log:\napache\n  %s\ngowsgid\n  %s",
			strings.Join(lines[apacheSide], "\n  "), strings.Join(lines[gowsgidSide], "\n  "))
	}
}

// TestStartupWarningsAgainstApache: what modules log about the
// configuration as the server starts goes to the error log as Apache's
// does (Apache writes each twice, as it runs its start-up twice; gowsgid
// once): mod_remoteip's note of proxy lists merged (AH10633, for each
// virtual host), then mod_ssl's checks of the
// server certificates (a CA's certificate, AH01906; one without the
// server's name, AH01909, wildcards allowed) and of the session cache
// (AH01873), a client certificate required with no CA to verify it
// (AH01897), and revocation lists without SSLCARevocationCheck (AH01902).
func TestStartupWarningsAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	const conf = `ServerRoot $DIR
%s
PidFile logs/httpd.pid
ErrorLog logs/main.log
Listen %s
ServerName main.test
RemoteIPHeader X-Forwarded-For
RemoteIPTrustedProxy 10.0.0.1
<VirtualHost %s>
  ServerName x.test
  RemoteIPInternalProxy 10.0.0.2
  SSLEngine on
  SSLCertificateFile $DIR/other.crt
  SSLCertificateKeyFile $DIR/other.key
  SSLVerifyClient require
</VirtualHost>
<VirtualHost %s>
  ServerName ca.test
  SSLEngine on
  SSLCertificateFile $DIR/ca.crt
  SSLCertificateKeyFile $DIR/ca.key
  SSLCARevocationFile $DIR/ca.crl
</VirtualHost>
<VirtualHost %s>
  ServerName a.w.test
  RemoteIPTrustedProxy 10.0.0.3
  SSLEngine on
  SSLCertificateFile $DIR/wild.crt
  SSLCertificateKeyFile $DIR/wild.key
</VirtualHost>
`
	other, err := certgen.SelfSigned(certgen.Spec{CommonName: "other.test"})
	if err != nil {
		t.Fatal(err)
	}
	ca, err := certgen.NewCA(certgen.Spec{CommonName: "ca.test"})
	if err != nil {
		t.Fatal(err)
	}
	wild, err := certgen.SelfSigned(certgen.Spec{CommonName: "*.w.test"})
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ca.CRL(1, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stamp := regexp.MustCompile(`^\[[^\]]+\] \[(?:ssl|remoteip):warn\] \[pid \d+:tid \d+\] (AH01906|AH01909|AH01873|AH10633|AH01897|AH01902)`)
	var lines [2][]string
	for side := range lines {
		dir := makeRoot(t)
		for name, c := range map[string]*certgen.Cert{"other": other, "ca": ca, "wild": wild} {
			if err := c.WriteFiles(dir, name); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "ca.crl"), crl, 0o644); err != nil {
			t.Fatal(err)
		}
		ports := []int{freePort(), freePort(), freePort()}
		addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
		c := strings.ReplaceAll(fmt.Sprintf(conf, apachetest.LoadModules("mpm_event", "authz_core", "ssl", "remoteip"), addr, addr, addr, addr), "$DIR", dir)
		in := startSide(t, side, dir, c, addr)
		// The port opens before the modules' start-up has run: wait for
		// its end.
		b := waitForLogLine(t, filepath.Join(dir, "logs/main.log"), "AH00489")
		in.Stop()
		for _, l := range strings.Split(string(b), "\n") {
			if m := stamp.FindStringSubmatch(l); m != nil {
				l = strings.ReplaceAll(l[len(m[0])-len(m[1]):], dir, "$DIR")
				if !slices.Contains(lines[side], l) {
					lines[side] = append(lines[side], l)
				}
			}
		}
		// Apache's two start-ups log in different orders (the first
		// checks the certificates before the session cache, the second
		// after), so the lines are compared as a set.
		slices.Sort(lines[side])
	}
	if !slices.Equal(lines[apacheSide], lines[gowsgidSide]) || len(lines[apacheSide]) != 7 {
		t.Errorf("start-up warnings:\napache\n  %s\ngowsgid\n  %s",
			strings.Join(lines[apacheSide], "\n  "), strings.Join(lines[gowsgidSide], "\n  "))
	}
}

// waitForLogLine waits up to ten seconds for a line containing what in
// the log at path, and returns the log.
func waitForLogLine(t *testing.T, path, what string) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		if strings.Contains(string(b), what) || time.Now().After(deadline) {
			return b
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startSide starts the server of side (apacheSide or gowsgidSide) on the
// configuration text in dir, and waits for it to listen on addrs.
func startSide(t *testing.T, side int, dir, conf string, addrs ...string) *apachetest.Instance {
	t.Helper()
	if side == apacheSide {
		return apachetest.Start(t, dir, conf, addrs...)
	}
	return apachetest.StartGowsgid(t, dir, conf, nil, addrs...)
}

// startWSGISide starts one side of a comparison on a new root holding
// app as app.wsgi. conf's first %s takes the modules (event MPM,
// authz_core, wsgi), each other %s the address it listens on.
func startWSGISide(t *testing.T, side int, app, conf string) (in *apachetest.Instance, dir, addr string) {
	t.Helper()
	dir = makeRoot(t)
	if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	addr = fmt.Sprintf("127.0.0.1:%d", freePort())
	args := []any{apachetest.LoadModules("mpm_event", "authz_core", "wsgi")}
	for i := 1; i < strings.Count(conf, "%s"); i++ {
		args = append(args, addr)
	}
	c := strings.ReplaceAll(fmt.Sprintf(conf, args...), "$DIR", dir)
	return startSide(t, side, dir, c, addr), dir, addr
}
