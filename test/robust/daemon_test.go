package robust

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// daemonApp answers with its version and pid, so that a test sees which
// process served a request and which script version it ran.
const daemonApp = `
import os, time

VERSION = '%s'

def doze():
    time.sleep(30)

def nap():
    doze()

def application(environ, start_response):
    path = environ['PATH_INFO']
    if path == '/sleep':
        time.sleep(30)
    if path == '/nap':
        nap()
    if path == '/burn':
        end = time.process_time() + 2.5
        while time.process_time() < end:
            pass
    if path == '/read-slowly':
        # Reads its input a part at a time, working a while after each.
        total = 0
        while True:
            part = environ['wsgi.input'].read(40000)
            if not part:
                break
            total += len(part)
            time.sleep(1.5)
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [('%%d ' %% total).encode()]
    if path == '/echo':
        data = environ['wsgi.input'].read()
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [('%%d ' %% len(data)).encode(), data[:16]]
    if path == '/stream':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return (b'x' * 65536 for _ in range(64))
    if path == '/big-header':
        start_response('200 OK', [('X-Big', 'x' * 40000)])
        return [b'big']
    if path == '/die-mid':
        def die():
            yield b'partial'
            os._exit(1)
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return die()
    if path == '/work':
        time.sleep(0.01)
    if path == '/sleep-briefly':
        time.sleep(1.5)
    if path == '/sleep-3':
        time.sleep(3)
    if path == '/locale':
        import locale
        body = locale.setlocale(locale.LC_ALL).encode()
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [body]
    if path == '/fd2':
        os.write(2, b'written to fd 2 by %%d\n' %% os.getpid())
    body = ('%%s %%d' %% (VERSION, os.getpid())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
`

const daemonConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
LogLevel info
PidFile $DIR/httpd.pid
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
WSGIDaemonProcess chaos %s
WSGIScriptAlias / $DIR/app.wsgi process-group=chaos application-group=%%{GLOBAL}
`

// startDaemon runs gowsgid with one daemon process group with the given
// WSGIDaemonProcess options.
func startDaemon(t *testing.T, options string) (addr, dir string, srv *apachetest.Instance) {
	dir = t.TempDir()
	writeApp(t, dir, "v1")
	addr = fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	srv = apachetest.StartGowsgid(t, dir, fmt.Sprintf(daemonConf, addr, options), nil, addr)
	return addr, dir, srv
}

func writeApp(t *testing.T, dir, version string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(fmt.Sprintf(daemonApp, version)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// served is what the app answers: its version and pid.
func served(t *testing.T, addr, path string) (status int, version string, pid int) {
	t.Helper()
	code, body := get(t, addr, path)
	if code != 200 {
		return code, "", 0
	}
	if _, err := fmt.Sscanf(body, "%s %d", &version, &pid); err != nil {
		t.Fatalf("GET %s: body %q", path, body)
	}
	return code, version, pid
}

// workers lists the server's child processes: its daemon workers.
func workers(t *testing.T, srv *apachetest.Instance) []int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", srv.Pid(), srv.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		n, _ := strconv.Atoi(f)
		pids = append(pids, n)
	}
	// Threads other than the main one may have started children too.
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", srv.Pid()))
	for _, task := range tasks {
		if task.Name() == strconv.Itoa(srv.Pid()) {
			continue
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", srv.Pid(), task.Name()))
		for _, f := range strings.Fields(string(b)) {
			n, _ := strconv.Atoi(f)
			pids = append(pids, n)
		}
	}
	return pids
}

// load sends requests from clients goroutines until stop is closed and
// counts the answers that are not 200 and the transport errors.
type load struct {
	ok, failed atomic.Int64
	errors     sync.Map // first few failures, for the report
	stop       chan struct{}
	done       sync.WaitGroup
}

func startLoad(addr, path string, clients int) *load {
	l := &load{stop: make(chan struct{})}
	for i := 0; i < clients; i++ {
		l.done.Add(1)
		go func() {
			defer l.done.Done()
			client := &http.Client{Timeout: 20 * time.Second}
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				resp, err := client.Get("http://" + addr + path)
				if err != nil {
					l.errors.Store(err.Error(), true)
					l.failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					l.errors.Store(resp.Status, true)
					l.failed.Add(1)
					continue
				}
				l.ok.Add(1)
			}
		}()
	}
	return l
}

func (l *load) finish() (ok, failed int64, errs []string) {
	close(l.stop)
	l.done.Wait()
	l.errors.Range(func(k, _ any) bool { errs = append(errs, k.(string)); return true })
	return l.ok.Load(), l.failed.Load(), errs
}

// TestDaemonWorkerKilled kills a daemon process under load: only the
// requests it was running may fail, and the group serves again at once.
func TestDaemonWorkerKilled(t *testing.T) {
	const threads = 4
	addr, _, srv := startDaemon(t, fmt.Sprintf("processes=1 threads=%d", threads))
	if status, _, _ := served(t, addr, "/"); status != 200 {
		t.Fatalf("warm-up: %d", status)
	}
	l := startLoad(addr, "/work", threads)
	time.Sleep(500 * time.Millisecond)
	victims := workers(t, srv)
	if len(victims) != 1 {
		t.Fatalf("workers %v, want one", victims)
	}
	killed := time.Now()
	if err := syscall.Kill(victims[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Back in service: a fresh request is answered by a new process.
	var back time.Duration
	for {
		status, _, pid := served(t, addr, "/")
		if status == 200 && pid != victims[0] {
			back = time.Since(killed)
			break
		}
		if time.Since(killed) > 10*time.Second {
			t.Fatal("the group did not serve again within 10 s of the kill")
		}
	}
	time.Sleep(500 * time.Millisecond)
	ok, failed, errs := l.finish()
	t.Logf("served again %s after SIGKILL; %d requests ok, %d failed %v", back, ok, failed, errs)
	if back > time.Second {
		t.Errorf("service back %s after the kill, want within 1 s", back)
	}
	// Only the requests in flight on the killed worker fail: the ones it
	// was running (threads) and the ones handed to it while the kernel
	// tore it down, before its death could be seen (at most one more
	// per client, each client sending one request at a time).
	if failed > 2*threads {
		t.Errorf("%d requests failed, want at most the %d in flight on the killed worker", failed, 2*threads)
	}
	if !strings.Contains(srv.ErrorLog(), "has died, deregister and restart it") {
		t.Error("the restart is not in the error log")
	}
}

// TestDaemonWorkerSignals sends a worker the signals one sends a
// mod_wsgi daemon process: SIGHUP is ignored; SIGTERM stops it after
// the request it runs (which is answered), SIGUSR1 evicts it after its
// request; either way a new process serves the next requests. What the
// worker writes to its descriptor 2 goes to the error log.
func TestDaemonWorkerSignals(t *testing.T) {
	addr, _, srv := startDaemon(t, "processes=1 threads=2 shutdown-timeout=10 graceful-timeout=10")
	_, _, first := served(t, addr, "/fd2")
	// What the process writes to its stderr is in the error log, as
	// under Apache.
	if want := fmt.Sprintf("written to fd 2 by %d\n", first); !strings.Contains(srv.ErrorLog(), want) {
		t.Errorf("the error log lacks %q", want)
	}
	if err := syscall.Kill(first, syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if status, _, pid := served(t, addr, "/"); status != 200 || pid != first {
		t.Fatalf("after SIGHUP: status %d from pid %d, want 200 from the same process %d", status, pid, first)
	}
	pid := first
	for _, c := range []struct {
		sig  syscall.Signal
		line string
	}{
		{syscall.SIGTERM, "Shutdown requested 'chaos'."},
		{syscall.SIGUSR1, "Process eviction requested, waiting for requests to complete 'chaos'."},
	} {
		done := make(chan int, 1)
		go func() {
			code, _ := get(t, addr, "/sleep-briefly")
			done <- code
		}()
		time.Sleep(300 * time.Millisecond) // the request reaches the app
		if err := syscall.Kill(pid, c.sig); err != nil {
			t.Fatal(err)
		}
		if code := <-done; code != 200 {
			t.Errorf("%v: the request running in the worker got %d, want 200", c.sig, code)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			status, _, now := served(t, addr, "/")
			if status == 200 && now != pid {
				pid = now
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%v: process %d still serves (status %d) 10 s later", c.sig, pid, status)
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !strings.Contains(srv.ErrorLog(), c.line) {
			t.Errorf("%v: the error log lacks %q", c.sig, c.line)
		}
	}
}

// TestDaemonLocale: locale= is every category of the process's locale,
// as mod_wsgi's setlocale(LC_ALL) makes it, not only the one Python
// takes from LC_ALL; one the C library lacks is logged as mod_wsgi
// logs it.
func TestDaemonLocale(t *testing.T) {
	addr, _, _ := startDaemon(t, "processes=1 threads=1 locale=C.UTF-8")
	if code, body := get(t, addr, "/locale"); code != 200 || body != "C.UTF-8" {
		t.Errorf("the locale with locale=C.UTF-8: %d %q, want C.UTF-8", code, body)
	}
	addr, _, srv := startDaemon(t, "processes=1 threads=1 locale=xx_YY.UTF-8")
	get(t, addr, "/")
	const want = "Unsupported locale setting xx_YY.UTF-8 specified for daemon process group chaos. Consider using 'C.UTF-8' as fallback setting."
	if !strings.Contains(srv.ErrorLog(), want) {
		t.Errorf("the error log lacks %q", want)
	}
}

// TestDaemonMaximumRequests recycles processes every 100 requests under
// load without failing one, and logs each process's end.
func TestDaemonMaximumRequests(t *testing.T) {
	addr, _, srv := startDaemon(t, "processes=2 threads=4 maximum-requests=100")
	l := startLoad(addr, "/", 8)
	deadline := time.Now().Add(30 * time.Second)
	for l.ok.Load() < 2000 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	ok, failed, errs := l.finish()
	recycled := strings.Count(srv.ErrorLog(), "Maximum requests reached")
	t.Logf("%d requests ok, %d failed %v; %d recycles", ok, failed, errs, recycled)
	if failed != 0 {
		t.Errorf("%d requests failed while processes recycled", failed)
	}
	if ok < 2000 {
		t.Errorf("only %d requests in 30 s", ok)
	}
	if recycled < int(ok)/100-2 {
		t.Errorf("%d recycles for %d requests with maximum-requests=100", recycled, ok)
	}
	// Each recycled process's end is logged as mod_wsgi logs a death.
	elog := srv.ErrorLog()
	if ended := strings.Count(elog, "' terminated normally, exit code 0\n"); ended < recycled-2 ||
		strings.Count(elog, "has died, deregister and restart it.") != ended {
		t.Errorf("%d recycles, %d ends logged as mod_wsgi logs them", recycled, ended)
	}
}

// TestDaemonTouchReload changes the script under load: the group
// restarts, no request fails, and the new version answers.
func TestDaemonTouchReload(t *testing.T) {
	addr, dir, srv := startDaemon(t, "processes=2 threads=4")
	_, _, before := served(t, addr, "/")
	l := startLoad(addr, "/work", 8)
	for i := 2; i <= 4; i++ {
		time.Sleep(700 * time.Millisecond)
		// The new version appears at once, with a modification time
		// that differs even on a coarse clock: written aside, renamed.
		next := filepath.Join(dir, "next")
		os.Mkdir(next, 0o755)
		writeApp(t, next, "v"+strconv.Itoa(i))
		mtime := time.Now().Add(time.Duration(i) * time.Second)
		os.Chtimes(filepath.Join(next, "app.wsgi"), mtime, mtime)
		if err := os.Rename(filepath.Join(next, "app.wsgi"), filepath.Join(dir, "app.wsgi")); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(700 * time.Millisecond)
	ok, failed, errs := l.finish()
	_, version, after := served(t, addr, "/")
	t.Logf("%d requests ok, %d failed %v; now %s in pid %d (was %d)", ok, failed, errs, version, after, before)
	if failed != 0 {
		t.Errorf("%d requests failed across script reloads", failed)
	}
	if version != "v4" || after == before {
		t.Errorf("after the reloads: version %q in pid %d (before: pid %d), want v4 in a new process", version, after, before)
	}
	if n := strings.Count(srv.ErrorLog(), "Force restart of process 'chaos'"); n != 3 {
		t.Errorf("%d forced restarts logged, want 3", n)
	}
}

// TestDaemonTimers covers the options that restart a process on their
// own: request-timeout, inactivity-timeout, cpu-time-limit, and the
// response header limit.
func TestDaemonTimers(t *testing.T) {
	t.Run("socket-timeout during a slow upload", func(t *testing.T) {
		// mod_wsgi sends the whole body before it waits socket-timeout
		// for the response: an upload that takes longer is no timeout.
		addr, _, _ := startDaemon(t, "threads=1 socket-timeout=1")
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(15 * time.Second))
		fmt.Fprintf(c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\nConnection: close\r\n\r\n")
		for range 3 {
			c.Write(bytes.Repeat([]byte("b"), 1000))
			time.Sleep(900 * time.Millisecond)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "3000 ") {
			t.Errorf("a 2.7 s upload under socket-timeout=1: %d %q, want 200 and the 3000 bytes", resp.StatusCode, body)
		}
	})
	t.Run("request-timeout", func(t *testing.T) {
		addr, dir, srv := startDaemon(t, "threads=1 request-timeout=1 shutdown-timeout=1")
		_, _, first := served(t, addr, "/")
		began := time.Now()
		status, _ := get(t, addr, "/nap")
		took := time.Since(began)
		if status != 500 || took > 10*time.Second {
			t.Errorf("sleeping app: %d after %s, want 500 once request-timeout and shutdown-timeout ran out", status, took)
		}
		log := srv.ErrorLog()
		for _, want := range []string{"Daemon process request time limit exceeded, stopping process 'chaos'.",
			"Truncated or oversized response headers received from daemon process 'chaos'"} {
			if !strings.Contains(log, want) {
				t.Errorf("error log lacks %q", want)
			}
		}
		// mod_wsgi's debugging aid: where the request hangs, innermost
		// frame first (the lines as mod_wsgi 4.9 writes them).
		script := filepath.Join(dir, "app.wsgi")
		lines := strings.Split(daemonApp, "\n")
		lineOf := func(code string) int { return slices.Index(lines, code) + 1 }
		prefix := `\n\[[^\n]*\] mod_wsgi \(pid=\d+\): `
		dump := regexp.MustCompile(prefix + `Dumping stack trace for active Python threads\.` +
			prefix + `Thread \d+ ` + regexp.QuoteMeta(fmt.Sprintf(`executing file "%s", line %d, in doze`,
			script, lineOf("    time.sleep(30)"))) +
			prefix + regexp.QuoteMeta(fmt.Sprintf(`called from file "%s", line %d, in nap,`,
			script, lineOf("    doze()"))) +
			prefix + regexp.QuoteMeta(fmt.Sprintf(`called from file "%s", line %d, in application.`,
			script, lineOf("        nap()"))) + `\n`)
		if !dump.MatchString(log) {
			t.Errorf("error log lacks the stack dump of the hanging thread:\n%s", log)
		}
		if status, _, pid := served(t, addr, "/"); status != 200 || pid == first {
			t.Errorf("after the timeout: %d from pid %d (the old one was %d)", status, pid, first)
		}
	})
	t.Run("inactivity-timeout", func(t *testing.T) {
		addr, _, srv := startDaemon(t, "threads=2 inactivity-timeout=1")
		_, _, first := served(t, addr, "/")
		const expired = "Daemon process idle inactivity timer expired, stopping process 'chaos'."
		time.Sleep(3 * time.Second)
		if !strings.Contains(srv.ErrorLog(), expired) {
			t.Error("the idle process was not stopped")
		}
		// The process started in its place has served nothing: only
		// activity arms the timer, so it is left alone.
		time.Sleep(3 * time.Second)
		if n := strings.Count(srv.ErrorLog(), expired); n != 1 {
			t.Errorf("%d idle stops, want 1: a process that never served was stopped", n)
		}
		if status, _, pid := served(t, addr, "/"); status != 200 || pid == first {
			t.Errorf("after the idle restart: %d from pid %d (the idle one was %d)", status, pid, first)
		}
	})
	t.Run("cpu-time-limit", func(t *testing.T) {
		addr, _, srv := startDaemon(t, "threads=2 cpu-time-limit=1 graceful-timeout=10")
		status, _, first := served(t, addr, "/burn")
		if status != 200 {
			t.Errorf("the request that used up the CPU time: %d, want 200 (a graceful restart)", status)
		}
		if !strings.Contains(srv.ErrorLog(), "Exceeded CPU time limit") {
			t.Error("SIGXCPU did not restart the process")
		}
		if status, _, pid := served(t, addr, "/"); status != 200 || pid == first {
			t.Errorf("after the CPU limit: %d from pid %d (the old one was %d)", status, pid, first)
		}
	})
	t.Run("socket-timeout beyond Timeout", func(t *testing.T) {
		// Timeout bounds embedded applications only; a daemon's wait is
		// its socket-timeout's, as in mod_wsgi.
		addr, _, _ := startDaemon(t, "threads=2 socket-timeout=10\nTimeout 1")
		began := time.Now()
		if status, _ := get(t, addr, "/sleep-briefly"); status != 200 {
			t.Errorf("an application answering after 1.5s, Timeout 1, socket-timeout=10: %d after %v, want 200",
				status, time.Since(began))
		}
	})
	t.Run("header-buffer-size", func(t *testing.T) {
		addr, _, srv := startDaemon(t, "threads=2")
		if status, _ := get(t, addr, "/big-header"); status != 500 {
			t.Errorf("a 40 kB response header: %d, want 500 (header-buffer-size 32768)", status)
		}
		// A line about the request names its client, as mod_wsgi
		// logs it with the request.
		if !regexp.MustCompile(`\[client 127\.0\.0\.1:\d+\] Truncated or oversized response headers received from daemon process 'chaos'`).MatchString(srv.ErrorLog()) {
			t.Errorf("the oversized header is not in the error log with its client:\n%s", srv.ErrorLog())
		}
	})
	t.Run("died mid-response", func(t *testing.T) {
		addr, _, srv := startDaemon(t, "threads=2")
		resp, err := http.Get("http://" + addr + "/die-mid")
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(body) != "partial" || err != nil {
			t.Errorf("body %q, error %v: want the part sent, ended where the data stops (as mod_wsgi does)", body, err)
		}
		for end := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if strings.Contains(srv.ErrorLog(), "Failed to proxy response from daemon.") {
				break
			}
			if time.Now().After(end) {
				t.Fatalf("the cut response is not in the error log:\n%s", srv.ErrorLog())
			}
		}
	})
}

// TestDaemonConnectionReuse: a worker's data connection serves request
// after request; what one request leaves behind (a body its application
// did not read, a client that left mid-response) does not reach the next.
func TestDaemonConnectionReuse(t *testing.T) {
	addr, _, _ := startDaemon(t, "processes=1 threads=1")
	_, _, pid := served(t, addr, "/")
	post := func(path string, n int) (int, string) {
		t.Helper()
		resp, err := http.Post("http://"+addr+path, "application/octet-stream", strings.NewReader(strings.Repeat("b", n)))
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for i := 0; i < 3; i++ {
		// The application answers without reading 1 MB of body...
		if status, _ := post("/", 1<<20); status != 200 {
			t.Fatalf("POST ignored body: %d", status)
		}
		// ...and the next request, on the same worker, sees its own.
		if status, body := post("/echo", 5); status != 200 || body != "5 bbbbb" {
			t.Fatalf("POST after an unread body: %d %q", status, body)
		}
		// A client that leaves mid-response.
		resp, err := http.Get("http://" + addr + "/stream")
		if err != nil {
			t.Fatal(err)
		}
		io.ReadFull(resp.Body, make([]byte, 1000))
		resp.Body.Close()
		if status, version, p := served(t, addr, "/"); status != 200 || version != "v1" || p != pid {
			t.Fatalf("after a client left: %d %q from pid %d (want the same worker, %d)", status, version, p, pid)
		}
	}
}

// TestDaemonCPUPriority: every thread of a daemon process runs at
// cpu-priority, the threads that serve requests included. As root the
// worker starts with it (a negative value needs the privilege, which
// mod_wsgi uses before it drops it); as another user it sets its own.
func TestDaemonCPUPriority(t *testing.T) {
	values := []int{5}
	if os.Geteuid() == 0 {
		values = append(values, -5)
	}
	for _, nice := range values {
		t.Run(strconv.Itoa(nice), func(t *testing.T) {
			addr, _, srv := startDaemon(t, fmt.Sprintf("threads=4 cpu-priority=%d", nice))
			status, _, pid := served(t, addr, "/")
			if status != 200 {
				t.Fatalf("status %d\n%s", status, srv.ErrorLog())
			}
			tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
			if err != nil {
				t.Fatal(err)
			}
			for _, task := range tasks {
				b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
				if err != nil {
					continue // it ended
				}
				f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
				if f[16] != strconv.Itoa(nice) {
					t.Errorf("thread %s of the worker runs at nice %s, want %d", task.Name(), f[16], nice)
				}
			}
			if strings.Contains(srv.ErrorLog(), "Couldn't set CPU priority") {
				t.Errorf("the worker could not set its priority:\n%s", srv.ErrorLog())
			}
		})
	}
}

// TestGracefulRestartRetiresDaemons: a graceful restart stops the
// replaced configuration's daemon processes at once, as Apache does, so
// that no process of it (a WSGIImportScript service, say) runs beside
// the new configuration's; one busy with a request finishes it first.
func TestGracefulRestartRetiresDaemons(t *testing.T) {
	addr, _, srv := startDaemon(t, "processes=2 threads=1")
	served(t, addr, "/") // both processes up
	slow := make(chan int, 1)
	go func() {
		code, _ := get(t, addr, "/sleep-3")
		slow <- code
	}()
	time.Sleep(300 * time.Millisecond)
	_, _, idle := served(t, addr, "/") // the process the slow request left free
	began := time.Now()
	syscall.Kill(srv.Pid(), syscall.SIGUSR1)
	for syscall.Kill(idle, 0) == nil {
		if time.Since(began) > 2*time.Second {
			t.Fatalf("the idle daemon process %d of the replaced configuration still runs %v after the graceful restart", idle, time.Since(began))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if code := <-slow; code != 200 {
		t.Errorf("the request in flight at the restart: %d, want 200", code)
	}
	if status, _, pid := served(t, addr, "/"); status != 200 || pid == idle {
		t.Errorf("after the restart: %d from pid %d", status, pid)
	}
}

// TestDaemonProcessTitle: ps shows a worker without display-name under
// the server's own program name, not /proc/self/exe.
func TestDaemonProcessTitle(t *testing.T) {
	addr, _, _ := startDaemon(t, "threads=1")
	_, _, pid := served(t, addr, "/")
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	if want := apachetest.GowsgidBinary(t); len(args) != 2 || args[0] != want || args[1] != "worker" {
		t.Errorf("worker command line %q, want [%s worker]", args, want)
	}
}

// TestEmbeddedSlowUpload: an embedded application waiting in
// wsgi.input.read for a client that sends its body slowly is not quiet:
// the watchdog that answers 504 after Timeout without activity counted
// that wait as the application's (a 3 s upload under Timeout 2 got 504).
func TestEmbeddedSlowUpload(t *testing.T) {
	addr, _, _ := startLifecycle(t, "Timeout 2")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	// More than the 64 KiB read before the application starts; the
	// application works 1.5 s after each part, then waits 1.5 s in its
	// read for the next: 3 s without activity of its own, not 3 s quiet.
	fmt.Fprintf(c, "POST /embedded/read-slowly HTTP/1.1\r\nHost: x\r\nContent-Length: 120000\r\nConnection: close\r\n\r\n")
	for range 3 {
		c.Write(bytes.Repeat([]byte("u"), 40000))
		time.Sleep(3 * time.Second)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "120000 ") {
		t.Errorf("a slow upload read slowly under Timeout 2: %d %.60q, want 200 and the 120000 bytes", resp.StatusCode, body)
	}
}
