package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/benchproc"
)

// server is one running server under test.
type server struct {
	*benchproc.Process
	// config says how it runs: processes, threads, mode.
	config string
	addr   string
	// workerName, when set, is the argv[0] of the processes that run the
	// application among the server's children (its daemon processes);
	// otherwise every child does, or the server itself when it has none.
	workerName string
}

// httpdConf is the configuration gowsgid and Apache both read: the event
// MPM with the settings of Debian's mpm_event.conf, the application at /,
// keep-alive without a request limit, no access log. ${BENCH_PORT} and
// ${BENCH_SIDE} come from each one's environment; @DIR@ is the bench's
// directory and @DAEMON@ the daemon mode's directives, if any.
//
// The application runs in the main interpreter (application-group=
// %{GLOBAL}) rather than mod_wsgi's default sub-interpreter per mount:
// that is what mod_wsgi's author recommends for a single application
// and what C extensions need, and it is where uWSGI (single-interpreter
// here), gunicorn and waitress run it too, so every server runs the
// same code in the same kind of interpreter.
const httpdConf = `ServerRoot @DIR@/httpd
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
Listen 127.0.0.1:${BENCH_PORT}
ServerName bench.test
PidFile logs/${BENCH_SIDE}.pid
ErrorLog logs/${BENCH_SIDE}-error.log
LogLevel warn
Timeout 30
KeepAlive On
KeepAliveTimeout 30
MaxKeepAliveRequests 0
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0
<Directory />
    AllowOverride None
    Require all denied
</Directory>
@DAEMON@WSGIScriptAlias / @DIR@/app.wsgi application-group=%{GLOBAL}
<Directory @DIR@>
    Require all granted
</Directory>
`

// startHTTPDConf starts gowsgid or apache2 (bin) in the foreground on the
// shared configuration, with the mode's daemon directives.
func startHTTPDConf(ctx context.Context, name, dir, bin string, m mode) (*server, error) {
	conf := filepath.Join(dir, "httpd", "httpd.conf")
	if _, err := os.Stat(conf); err != nil {
		if err := os.MkdirAll(filepath.Join(dir, "httpd", "logs"), 0o755); err != nil {
			return nil, fmt.Errorf("writing the httpd configuration: %w", err)
		}
		text := strings.NewReplacer("@DIR@", dir, "@DAEMON@", m.daemon).Replace(httpdConf)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			return nil, fmt.Errorf("writing the httpd configuration: %w", err)
		}
	}
	port, err := benchproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-DFOREGROUND", "-f", conf)
	cmd.Env = append(os.Environ(), "BENCH_PORT="+strconv.Itoa(port), "BENCH_SIDE="+name)
	// mod_wsgi writes a daemon process's display-name over argv[0] and
	// cuts it to argv[0]'s length: the full path leaves room for it.
	cmd.Args[0] = cmd.Path
	config := m.gowsgidConfig
	if name == "apache" {
		config = m.apacheConfig
	}
	s, err := start(name, config, cmd, port, filepath.Join(dir, "httpd", "logs", name+"-error.log"))
	if err == nil && m.daemon != "" {
		s.workerName = daemonName
	}
	return s, err
}

// Python peers, each with keep-alive and without request logging. In
// daemon mode each runs the daemon group's processes and threads; in
// embedded mode they are sized for the machine as their documentation
// advises:
//
//   - uWSGI: one worker process per core behind a master, as many
//     threads per worker as it takes for the workers together to hold
//     every keep-alive connection (a connection in http11-socket mode
//     keeps its thread until it closes, so fewer threads would leave
//     connections unserved), in one interpreter.
//   - gunicorn: gthread with (2 x cores) + 1 workers, gunicorn's advice,
//     and 4 threads each; idle keep-alive connections wait in the
//     worker's poller, not in a thread.
//   - waitress: one process (it has no other mode), its asyncore loop
//     with 8 threads (4 is the default).
type peerSizes struct {
	uwsgiProcs, uwsgiThreads     int
	gunicornWorkers, gunicornThr int
	waitressThreads              int
}

// sizePeers sizes the Python peers for cpus cores and conns connections.
func sizePeers(cpus, conns int) peerSizes {
	return peerSizes{
		uwsgiProcs:      cpus,
		uwsgiThreads:    (conns + cpus - 1) / cpus,
		gunicornWorkers: 2*cpus + 1,
		gunicornThr:     4,
		waitressThreads: 8,
	}
}

// startUWSGI starts uWSGI serving HTTP/1.1 itself (http11-socket: the
// http-socket mode with keep-alive) from app.wsgi.
func startUWSGI(ctx context.Context, dir string, sz peerSizes) (*server, error) {
	port, err := benchproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "uwsgi", "--plugin", "python3",
		"--http11-socket", benchproc.Loopback(port), "--wsgi-file", filepath.Join(dir, "app.wsgi"),
		"--master", "--processes", strconv.Itoa(sz.uwsgiProcs), "--threads", strconv.Itoa(sz.uwsgiThreads),
		"--single-interpreter", "--need-app", "--die-on-term", "--disable-logging")
	cmd.Dir = dir
	config := fmt.Sprintf("http11-socket (keep-alive), master + %d processes x %d threads", sz.uwsgiProcs, sz.uwsgiThreads)
	return start("uwsgi", config, cmd, port, "")
}

// startGunicorn starts gunicorn with the gthread worker on app.py.
func startGunicorn(ctx context.Context, dir, python string, sz peerSizes) (*server, error) {
	port, err := benchproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, python, "-m", "gunicorn", "--worker-class", "gthread",
		"--workers", strconv.Itoa(sz.gunicornWorkers), "--threads", strconv.Itoa(sz.gunicornThr),
		"--bind", benchproc.Loopback(port), "--chdir", dir, "--keep-alive", "30", "--log-level", "warning", "app:application")
	cmd.Dir = dir
	config := fmt.Sprintf("gthread, %d workers x %d threads, keep-alive 30 s", sz.gunicornWorkers, sz.gunicornThr)
	return start("gunicorn", config, cmd, port, "")
}

// startWaitress starts waitress on app.py.
func startWaitress(ctx context.Context, dir, python string, sz peerSizes) (*server, error) {
	port, err := benchproc.FreePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, python, "-m", "waitress", "--listen="+benchproc.Loopback(port),
		"--threads="+strconv.Itoa(sz.waitressThreads), "app:application")
	cmd.Dir = dir
	config := fmt.Sprintf("1 process x %d threads", sz.waitressThreads)
	return start("waitress", config, cmd, port, "")
}

// start runs cmd and waits until it listens on port. errorLog, when not
// empty, is shown if it does not.
func start(name, config string, cmd *exec.Cmd, port int, errorLog string) (*server, error) {
	addr := benchproc.Loopback(port)
	p, err := benchproc.Start(name, cmd, []string{addr}, 15*time.Second, errorLog)
	if err != nil {
		return nil, err
	}
	return &server{Process: p, config: config, addr: addr}, nil
}
