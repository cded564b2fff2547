package robust

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// lifecycleConf serves a static file, an embedded WSGI app and a daemon
// one; %s are the address and the extra directives of this generation.
const lifecycleConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
LogLevel info
PidFile $DIR/logs/httpd.pid
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
WSGIDaemonProcess life processes=2 threads=4
WSGIScriptAlias /daemon $DIR/app.wsgi process-group=life application-group=%%{GLOBAL}
WSGIScriptAlias /embedded $DIR/app.wsgi
%s
`

func startLifecycle(t *testing.T, extra string) (addr, dir string, srv *apachetest.Instance) {
	dir = t.TempDir()
	writeApp(t, dir, "v1")
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("static\n"), 0o644)
	addr = fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	srv = apachetest.StartGowsgid(t, dir, fmt.Sprintf(lifecycleConf, addr, extra), nil, addr)
	return addr, dir, srv
}

// rewriteConf writes the next generation of the configuration.
func rewriteConf(t *testing.T, srv *apachetest.Instance, addr, extra string) {
	t.Helper()
	conf := strings.ReplaceAll(fmt.Sprintf(lifecycleConf, addr, extra), "$DIR", srv.Dir)
	if err := os.WriteFile(srv.Conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// signalServer runs `gowsgid -k ACTION -f CONF`, as apache2ctl does.
func signalServer(t *testing.T, srv *apachetest.Instance, action string) {
	t.Helper()
	out, err := exec.Command(apachetest.GowsgidBinary(t), "-k", action, "-f", srv.Conf).CombinedOutput()
	if err != nil {
		t.Fatalf("gowsgid -k %s: %v\n%s", action, err, out)
	}
}

// TestGracefulRestartUnderLoad: -k graceful under load re-reads the
// configuration without one failed request or reset connection, the new
// configuration serves, the daemon processes are replaced, and a broken
// configuration leaves the server serving the last good one.
func TestGracefulRestartUnderLoad(t *testing.T) {
	addr, _, srv := startLifecycle(t, "")
	waitPidFile(t, filepath.Join(srv.Dir, "logs/httpd.pid"), srv.Pid())
	_, _, daemonBefore := served(t, addr, "/daemon")
	loads := []*load{startLoad(addr, "/daemon/work", 4), startLoad(addr, "/embedded", 2), startLoad(addr, "/index.html", 2)}
	for i := 1; i <= 3; i++ {
		time.Sleep(400 * time.Millisecond)
		rewriteConf(t, srv, addr, fmt.Sprintf("Alias /generation%d $DIR/index.html", i))
		signalServer(t, srv, "graceful")
	}
	time.Sleep(400 * time.Millisecond)
	// A broken configuration: the server goes on with generation 3.
	rewriteConf(t, srv, addr, "NoSuchDirective here")
	syscall.Kill(srv.Pid(), syscall.SIGUSR1)
	time.Sleep(400 * time.Millisecond)
	var total, failed int64
	for _, l := range loads {
		ok, bad, errs := l.finish()
		total += ok + bad
		failed += bad
		if bad > 0 {
			t.Errorf("%d failed requests during graceful restarts: %v", bad, errs)
		}
	}
	t.Logf("%d requests across 3 graceful restarts and a broken reload, %d failed", total, failed)
	if status, _ := get(t, addr, "/generation3"); status != 200 {
		t.Errorf("/generation3 after the restarts: %d, want 200 (the new configuration)", status)
	}
	if status, _ := get(t, addr, "/generation1"); status != 404 {
		t.Errorf("/generation1 after the restarts: %d, want 404 (an old configuration)", status)
	}
	if status, _, pid := served(t, addr, "/daemon"); status != 200 || pid == daemonBefore {
		t.Errorf("daemon after the restarts: %d from pid %d (before: %d), want a new process", status, pid, daemonBefore)
	}
	log := srv.ErrorLog()
	if n := strings.Count(log, "AH00493: SIGUSR1 received.  Doing graceful restart"); n != 4 {
		t.Errorf("%d graceful restarts logged, want 4", n)
	}
	// Each configuration that serves is logged with the command line,
	// as Apache's core logs it after its MPM's AH00489.
	resumed, cmdlines := strings.Count(log, "AH00489: "), strings.Count(log, "[core:notice] [pid ")
	if n := strings.Count(log, "AH00094: Command line: '"); n == 0 || n != resumed {
		t.Errorf("%d AH00094 command lines for %d AH00489 (core notices %d)", n, resumed, cmdlines)
	}
	if !strings.Contains(log, "Invalid command 'NoSuchDirective'") || !strings.Contains(log, "still serving the old one") {
		t.Error("the broken configuration is not reported in the error log")
	}
	// The daemon processes of the replaced configurations have exited.
	deadline := time.Now().Add(10 * time.Second)
	for len(workers(t, srv)) != 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if w := workers(t, srv); len(w) != 2 {
		t.Errorf("daemon processes after the restarts: %v, want the 2 of the last configuration", w)
	}
}

// TestGracefulStop: -k graceful-stop removes the PidFile at once (as
// Apache does, so a new server may start while this one drains), lets a
// running request finish, then the server exits.
func TestGracefulStop(t *testing.T) {
	addr, dir, srv := startLifecycle(t, "")
	done := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/daemon/sleep-briefly")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	time.Sleep(300 * time.Millisecond)
	signalServer(t, srv, "graceful-stop")
	pidFile := filepath.Join(dir, "logs/httpd.pid")
	for deadline := time.Now().Add(time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(pidFile); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Error("the PidFile stays while the graceful stop waits for a request")
			break
		}
	}
	select {
	case <-done:
		t.Error("the request in flight finished before the PidFile was checked")
	default:
	}
	select {
	case status := <-done:
		if status != 200 {
			t.Errorf("the request in flight at graceful-stop: %d, want 200", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request in flight did not finish")
	}
	select {
	case <-srv.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit after graceful-stop")
	}
	if _, err := os.Stat(filepath.Join(dir, "logs/httpd.pid")); !os.IsNotExist(err) {
		t.Errorf("PidFile left after the stop: %v", err)
	}
	if !strings.Contains(srv.ErrorLog(), "AH00492: caught SIGWINCH, shutting down gracefully") {
		t.Error("graceful-stop not logged")
	}
	out, _ := exec.Command(apachetest.GowsgidBinary(t), "-k", "stop", "-f", srv.Conf).CombinedOutput()
	if got := strings.TrimSpace(string(out)); got != "httpd (no pid file) not running" {
		t.Errorf("-k stop with no server: %q", got)
	}
}

// TestStopDuringGracefulStop: a SIGTERM sent while a graceful stop
// waits for a long request ends the wait, as it ends Apache's; it used to
// be queued unread until the request was done.
func TestStopDuringGracefulStop(t *testing.T) {
	addr, _, srv := startLifecycle(t, "")
	go func() {
		if resp, err := http.Get("http://" + addr + "/daemon/sleep"); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(300 * time.Millisecond)
	signalServer(t, srv, "graceful-stop")
	time.Sleep(300 * time.Millisecond)
	// SIGTERM, as systemd sends it: the PidFile that -k stop reads is
	// gone once a graceful stop begins, as with Apache.
	syscall.Kill(srv.Pid(), syscall.SIGTERM)
	select {
	case <-srv.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("the server still waits for a 30 s request after -k stop")
	}
	if !strings.Contains(srv.ErrorLog(), "AH00491: caught SIGTERM, shutting down") {
		t.Error("the stop is not logged")
	}
}

// TestPrivilegeDrop: started as root with User and Group, the server
// serves as User (its embedded Python too), a daemon group runs as its
// user=, and a graceful restart still binds a new Listen address and
// starts daemon processes: the privileged helper does what needs root.
func TestPrivilegeDrop(t *testing.T) {
	dir := rootSiteDir(t)
	writeApp(t, dir, "v1")
	ports := apachetest.FreePorts(t, 2)
	addr := fmt.Sprintf("127.0.0.1:%d", ports[0])
	conf := func(extra string) string {
		return asUserConf(addr, `WSGIDaemonProcess nobodys user=nobody group=nogroup threads=2 home=$DIR
WSGIScriptAlias /daemon $DIR/app.wsgi process-group=nobodys
WSGIScriptAlias /embedded $DIR/app.wsgi
`+extra+"\n")
	}
	srv := apachetest.StartGowsgid(t, dir, conf(""), nil, addr)
	uidOf := func(pid int) string { return uidOfProcess(t, pid) }
	// Served (not only listening): the server has dropped to User.
	if status, _, pid := served(t, addr, "/embedded"); status != 200 || pid != srv.Pid() {
		t.Errorf("embedded: %d from pid %d", status, pid)
	}
	if uid := uidOf(srv.Pid()); uid != "33" {
		t.Errorf("the server runs as uid %s, want www-data (33)", uid)
	}
	status, _, worker := served(t, addr, "/daemon")
	if status != 200 {
		t.Fatalf("daemon: %d", status)
	}
	if uid := uidOf(worker); uid != "65534" {
		t.Errorf("the daemon process runs as uid %s, want nobody (65534)", uid)
	}
	// A graceful restart that adds a Listen address and replaces the
	// daemon processes.
	second := fmt.Sprintf("127.0.0.1:%d", ports[1])
	rewritten := strings.ReplaceAll(conf("Listen "+second), "$DIR", dir)
	if err := os.WriteFile(srv.Conf, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(srv.Pid(), syscall.SIGUSR1)
	deadline := time.Now().Add(10 * time.Second)
	var after int
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + second + "/daemon"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				_, _, after = served(t, second, "/daemon")
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	if after == 0 || after == worker {
		t.Errorf("after the graceful restart: the new address serves the daemon from pid %d (the old one was %d)", after, worker)
	} else if uid := uidOf(after); uid != "65534" {
		t.Errorf("the new daemon process runs as uid %s, want 65534", uid)
	}
}

// TestPipedLogsRunAsRoot: started as root with User and Group, the
// server's piped loggers run as root, as Apache's parent starts them, so
// that they can write where only root may (rotatelogs into
// /var/log/apache2); a program that exits is started again as root, and
// so are the programs a graceful restart starts.
func TestPipedLogsRunAsRoot(t *testing.T) {
	dir := rootSiteDir(t)
	private := filepath.Join(dir, "private")
	if err := os.Mkdir(private, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "index.html"), []byte("static\n"), 0o644)
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	// Each program writes its pid where only root may, then copies its
	// input there.
	piped := func(name string) string {
		return fmt.Sprintf(`"|/bin/sh -c 'echo $$ > %[1]s/%[2]s.pid && exec cat >> %[1]s/%[2]s.log'"`, private, name)
	}
	conf := func(format string) string {
		return fmt.Sprintf(`ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
User www-data
Group www-data
ServerName localhost
Listen %s
ErrorLog %s
LogLevel info
PidFile $DIR/logs/httpd.pid
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
CustomLog %s "%s"
`, addr, piped("error"), piped("access"), format)
	}
	srv := apachetest.StartGowsgid(t, dir, conf("first %>s %U"), nil, addr)
	// wait returns the content of a private log once it has want.
	wait := func(name, want string) string {
		t.Helper()
		var b []byte
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if b, _ = os.ReadFile(filepath.Join(private, name)); strings.Contains(string(b), want) {
				return string(b)
			}
		}
		t.Fatalf("%s lacks %q: %q", name, want, b)
		return ""
	}
	// uidOf is the user of the program that wrote name.pid.
	uidOf := func(name string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(private, name+".pid"))
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return uidOfProcess(t, pid)
	}
	get(t, addr, "/index.html")
	wait("access.log", "first 200 /index.html")
	wait("error.log", "AH00489")
	if uid := uidOf("access"); uid != "0" {
		t.Errorf("the CustomLog program runs as uid %s, want root", uid)
	}
	if uid := uidOf("error"); uid != "0" {
		t.Errorf("the ErrorLog program runs as uid %s, want root", uid)
	}
	// The program exits; it is started again, as root.
	old, _ := os.ReadFile(filepath.Join(private, "access.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(old)))
	syscall.Kill(pid, syscall.SIGKILL)
	wait("error.log", "AH00106")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if b, _ := os.ReadFile(filepath.Join(private, "access.pid")); len(b) > 0 && string(b) != string(old) {
			break
		}
	}
	get(t, addr, "/index.html?again")
	wait("access.log", "first 200 /index.html\nfirst 200 /index.html\n")
	if uid := uidOf("access"); uid != "0" {
		t.Errorf("the restarted CustomLog program runs as uid %s, want root", uid)
	}
	// A graceful restart starts the programs of the new configuration.
	rewritten := strings.ReplaceAll(conf("second %>s %U"), "$DIR", dir)
	if err := os.WriteFile(srv.Conf, []byte(rewritten), 0o644); err != nil {
		t.Fatal(err)
	}
	syscall.Kill(srv.Pid(), syscall.SIGUSR1)
	wait("error.log", "AH00493")
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		get(t, addr, "/index.html")
		if b, _ := os.ReadFile(filepath.Join(private, "access.log")); strings.Contains(string(b), "second 200") {
			break
		}
	}
	wait("access.log", "second 200 /index.html")
	if uid := uidOf("access"); uid != "0" {
		t.Errorf("after the graceful restart, the CustomLog program runs as uid %s, want root", uid)
	}
	// Graceful restarts do not pile up ErrorLog programs.
	errorLoggers := func() int {
		n := 0
		outs, _ := filepath.Glob("/proc/[0-9]*/fd/1")
		for _, o := range outs {
			if dest, _ := os.Readlink(o); dest == filepath.Join(private, "error.log") {
				n++
			}
		}
		return n
	}
	before := errorLoggers()
	restarts := func() int {
		b, _ := os.ReadFile(filepath.Join(private, "error.log"))
		return strings.Count(string(b), "AH00489")
	}
	for i := 0; i < 3; i++ {
		n := restarts()
		syscall.Kill(srv.Pid(), syscall.SIGUSR1)
		for deadline := time.Now().Add(10 * time.Second); restarts() == n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the graceful restart did not complete")
			}
		}
	}
	time.Sleep(500 * time.Millisecond)
	if after := errorLoggers(); after > before {
		t.Errorf("ErrorLog programs: %d after one graceful restart, %d after three more", before, after)
	}
}

// TestLogrotateGraceful is logrotate's way: the access and error logs
// are renamed, then -k graceful; requests keep coming throughout. No
// access log line is lost, and the lines after the restart go to new
// files under the old names.
func TestLogrotateGraceful(t *testing.T) {
	addr, dir, srv := startLifecycle(t, "CustomLog $DIR/logs/access.log common")
	access := filepath.Join(dir, "logs", "access.log")
	l := startLoad(addr, "/index.html", 4)
	time.Sleep(300 * time.Millisecond)
	// The port takes connections once bound, before the server opened
	// its logs and serves: wait for lines.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if fi, err := os.Stat(access); err == nil && fi.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no access log lines 10s after the start")
		}
	}
	if err := os.Rename(access, access+".1"); err != nil {
		t.Fatal(err)
	}
	os.Rename(filepath.Join(dir, "logs", "error.log"), filepath.Join(dir, "logs", "error.log.1"))
	signalServer(t, srv, "graceful")
	time.Sleep(500 * time.Millisecond)
	ok, failed, errs := l.finish()
	if failed != 0 {
		t.Errorf("%d requests failed across the rotation: %v", failed, errs)
	}
	count := func(name string) int {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return strings.Count(string(b), "\n")
	}
	// Let the drained generation close its (renamed) log.
	time.Sleep(200 * time.Millisecond)
	before, after := count(access+".1"), count(access)
	t.Logf("%d requests: %d lines in the rotated access log, %d in the new one", ok+failed, before, after)
	if before+after != int(ok+failed) {
		t.Errorf("%d requests but %d+%d access log lines", ok+failed, before, after)
	}
	if before == 0 || after == 0 {
		t.Errorf("lines before (%d) and after (%d) the rotation: want both", before, after)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "logs", "error.log")); err != nil || !strings.Contains(string(b), "AH00489") {
		t.Errorf("the new error log lacks the restart's lines: %v", err)
	}
}

// TestKeepAliveTimeoutReload: a graceful restart that changes
// KeepAliveTimeout applies it to the listener that stays open: a
// connection made after the restart is closed when the new, shorter
// timeout ends, and the Keep-Alive header says so.
func TestKeepAliveTimeoutReload(t *testing.T) {
	addr, _, srv := startLifecycle(t, "KeepAliveTimeout 30")
	idleClose := func() (string, time.Duration) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /index.html HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		began := time.Now()
		c.SetReadDeadline(began.Add(10 * time.Second))
		if n, err := br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			return resp.Header.Get("Keep-Alive"), 0
		}
		return resp.Header.Get("Keep-Alive"), time.Since(began)
	}
	waitPidFile(t, filepath.Join(srv.Dir, "logs/httpd.pid"), srv.Pid())
	rewriteConf(t, srv, addr, "KeepAliveTimeout 1")
	signalServer(t, srv, "graceful")
	deadline := time.Now().Add(5 * time.Second)
	for {
		// AH00489 again: the new configuration serves.
		if strings.Count(srv.ErrorLog(), "AH00489") == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the graceful restart did not complete")
		}
		time.Sleep(50 * time.Millisecond)
	}
	header, idle := idleClose()
	if !strings.HasPrefix(header, "timeout=1,") {
		t.Errorf("Keep-Alive after the restart: %q, want timeout=1", header)
	}
	if idle < 500*time.Millisecond || idle > 3*time.Second {
		t.Errorf("an idle connection was closed after %v, want about the new KeepAliveTimeout (1s) (0: not closed within 10s)", idle)
	}
}

// uidOfProcess is the real user id of a process, from /proc.
func uidOfProcess(t *testing.T, pid int) string {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Uid:") {
			return strings.Fields(line)[1]
		}
	}
	return ""
}

// waitPidFile waits until the PidFile at path names pid: the server
// listens before it writes its PidFile, which -k and a handover read.
func waitPidFile(t *testing.T, path string, pid int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(path); strings.TrimSpace(string(b)) == fmt.Sprint(pid) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not name pid %d", path, pid)
		}
	}
}

// TestStartDetachesStderr: the server -k start leaves in the background
// takes its standard error off its caller's (to the error log, as
// Apache's open_logs does), and so do the processes it starts (the
// privileged helper of a server that drops to User, daemon workers): a
// caller that reads the pipe to its end, as $(gowsgid -k start 2>&1)
// does, is not kept waiting for the server's end.
func TestStartDetachesStderr(t *testing.T) {
	for _, tc := range []struct{ name, extra string }{
		{"plain", ""},
		{"daemon group", "WSGIDaemonProcess detached processes=1 threads=1\nWSGIScriptAlias /d $DIR/app.wsgi process-group=detached\n"},
		{"privileged helper", "User nobody\nGroup nogroup\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.extra, "User") && os.Geteuid() != 0 {
				t.Fatal("this case needs root, as make test runs it")
			}
			testStartDetachesStderr(t, tc.extra)
		})
	}
}

func testStartDetachesStderr(t *testing.T, extra string) {
	_, addr, conf := writeSmallSite(t, "$DIR/logs/httpd.pid", extra)
	bin := apachetest.GowsgidBinary(t)
	start := exec.Command(bin, "-k", "start", "-f", conf)
	var stderr bytes.Buffer
	start.Stderr = &stderr // a pipe, read to its end by Wait
	if err := start.Start(); err != nil {
		t.Fatal(err)
	}
	defer exec.Command(bin, "-k", "stop", "-f", conf).Run()
	waited := make(chan error, 1)
	go func() { waited <- start.Wait() }()
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("-k start: %v, stderr %q", err, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("-k start: a process of the server still holds its caller's stderr open after 15 s")
	}
	if status, _ := get(t, addr, "/"); status == 0 {
		t.Error("the server -k start started does not answer")
	}
}

// TestUnwritablePidFile: a PidFile that cannot be written stops the
// start with Apache's AH00099 and AH00100, where gowsgid used to serve
// on without one (and -k start waited 30 s for it, then left the server
// running where -k stop could not find it).
func TestUnwritablePidFile(t *testing.T) {
	dir, _, conf := writeSmallSite(t, "$DIR/nodir/httpd.pid", "")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, apachetest.GowsgidBinary(t), "-DFOREGROUND", "-f", conf).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1\n%s", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "logs/error.log"))
	for _, want := range []string{"AH00099: could not create " + dir + "/nodir/httpd.pid.", "AH00100: gowsgid: could not log pid to file " + dir + "/nodir/httpd.pid"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("error log lacks %q:\n%s", want, b)
		}
	}
}

// TestStartFailureLogged: a configuration that passes configtest but
// cannot be served stops the start, and the error log says why, as
// Apache's failed post-configuration hooks write it: a missing
// TypesConfig, then "AH00016: Configuration Failed"; a RewriteMap
// program that cannot be run (mod_rewrite starts its programs only when
// Apache starts serving), then "AH00020: Configuration Failed, exiting";
// an access log that cannot be opened, then "AH00015: Unable to open
// logs".
// apache2 writes the same lines for the same configurations.
func TestStartFailureLogged(t *testing.T) {
	apachetest.Binary(t)
	for _, tc := range []struct {
		name, extra string
		// program is written as $DIR/map.sh, not executable.
		program bool
		want    string
	}{
		{name: "TypesConfig", extra: "LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so\nTypesConfig $DIR/no-such.types\n",
			want: "[mime:error] (2)No such file or directory: AH01597: could not open mime types config file $DIR/no-such.types.\nAH00016: Configuration Failed"},
		{name: "RewriteMap prg:", program: true,
			extra: "LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so\nRewriteEngine On\nRewriteMap m prg:$DIR/map.sh\n",
			want:  "[rewrite:error] (13)Permission denied: AH00654: mod_rewrite: could not start RewriteMap program $DIR/map.sh\n[:emerg] AH00020: Configuration Failed, exiting"},
		// An access log that cannot be opened fails the open_logs hooks.
		{name: "CustomLog to a directory", extra: "CustomLog $DIR/logs common\n",
			want: "[log_config:error] (21)Is a directory: AH00649: could not open transfer log file $DIR/logs.\nAH00015: Unable to open logs"},
		{name: "CustomLog to a missing program", extra: "CustomLog \"||$DIR/no-such-program\" common\n",
			want: "(2)No such file or directory: AH00104: unable to start piped log program '$DIR/no-such-program'\nAH00015: Unable to open logs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			logs := map[string]string{}
			for _, bin := range []string{apachetest.GowsgidBinary(t), "apache2"} {
				dir, _, conf := writeSmallSite(t, "$DIR/logs/httpd.pid", tc.extra)
				if tc.program {
					if err := os.WriteFile(filepath.Join(dir, "map.sh"), []byte("#!/bin/sh\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				out, err := exec.CommandContext(ctx, bin, "-DFOREGROUND", "-f", conf).CombinedOutput()
				cancel()
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
					t.Fatalf("%s: exit %v, want 1\n%s", bin, err, out)
				}
				b, _ := os.ReadFile(filepath.Join(dir, "logs/error.log"))
				logs[filepath.Base(bin)] = failureLines(string(b), dir)
			}
			for name, got := range logs {
				if got != tc.want {
					t.Errorf("%s's error log:\n%s\nwant\n%s", name, got, tc.want)
				}
			}
		})
	}
}

// failureLines are the lines of an error log that say why a start
// failed, without their time and process: "[module:level] message", or
// the message alone for a line Apache writes without its prefix.
func failureLines(log, dir string) string {
	var kept []string
	for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
		if !strings.Contains(l, "AH01597") && !strings.Contains(l, "AH00016") &&
			!strings.Contains(l, "AH00654") && !strings.Contains(l, "AH00020") && !strings.Contains(l, "AH02580") &&
			!strings.Contains(l, "AH00649") && !strings.Contains(l, "AH00104") && !strings.Contains(l, "AH00015") {
			continue // gowsgid's warning about running as root
		}
		if tag, rest, ok := strings.Cut(l, "] ["); ok && strings.HasPrefix(tag, "[") {
			// "[date] [module:level] [pid N:tid M] message"
			module := rest[:strings.Index(rest, "]")]
			msg := rest[strings.Index(rest, "] [pid")+2:]
			msg = msg[strings.Index(msg, "] ")+2:]
			l = "[" + module + "] " + msg
		}
		kept = append(kept, strings.ReplaceAll(l, dir, "$DIR"))
	}
	return strings.Join(kept, "\n")
}

// TestSignalPidFileStates compares -k with apache2's on the same
// configuration: a pid file that exists and holds no pid stops every -k
// (AH00058, AH00059, exit 1); graceful with no server running says it
// starts one.
func TestSignalPidFileStates(t *testing.T) {
	apache, err := exec.LookPath("apache2")
	if err != nil {
		t.Fatal("apache2 is missing (make test installs it)")
	}
	dir, _, conf := writeSmallSite(t, "$DIR/httpd.pid", "")
	pidFile := filepath.Join(dir, "httpd.pid")
	run := func(bin string, args ...string) string {
		cmd := exec.Command(bin, args...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("exit %d\nstdout %q\nstderr %q", code, out.String(), errOut.String())
	}
	for _, tc := range []struct{ name, pid, action string }{
		{"empty pid file, stop", "", "stop"},
		{"empty pid file, graceful", "", "graceful"},
		{"empty pid file, start", "", "start"},
		{"no pid in it, stop", "garbage\n", "stop"},
	} {
		if err := os.WriteFile(pidFile, []byte(tc.pid), 0o644); err != nil {
			t.Fatal(err)
		}
		want := run(apache, "-k", tc.action, "-f", conf)
		got := run(apachetest.GowsgidBinary(t), "-k", tc.action, "-f", conf)
		if got != want {
			t.Errorf("%s:\n gowsgid %s\n apache2 %s", tc.name, got, want)
		}
	}
	os.Remove(pidFile)
	// With no server running, graceful starts one; gowsgid says so once,
	// Apache twice (its start-up reads the configuration twice).
	out := run(apachetest.GowsgidBinary(t), "-k", "graceful", "-f", conf)
	defer exec.Command(apachetest.GowsgidBinary(t), "-k", "stop", "-f", conf).Run()
	if !strings.Contains(out, `stdout "httpd not running, trying to start\n"`) || !strings.HasPrefix(out, "exit 0") {
		t.Errorf("graceful with no server: %s", out)
	}
}

// TestPreforkLifecycleLines: with mod_mpm_prefork the start, graceful
// restart and stop lines are prefork's (mpm_prefork, AH00163, AH00171,
// AH00169), as Apache's prefork MPM writes them, not event's; and a
// graceful restart may not change the MPM.
func TestPreforkLifecycleLines(t *testing.T) {
	dir := t.TempDir()
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	conf := smallSiteConf("prefork", addr, "$DIR/logs/httpd.pid", "")
	srv := apachetest.StartGowsgid(t, dir, conf, nil, addr)
	waitPidFile(t, filepath.Join(dir, "logs/httpd.pid"), srv.Pid())
	signalServer(t, srv, "graceful")
	// Another MPM is refused on a graceful restart, as ap_check_mpm
	// refuses it; the old configuration serves on.
	os.WriteFile(srv.Conf, []byte(strings.ReplaceAll(strings.ReplaceAll(conf, "$DIR", dir), "prefork", "event")), 0o644)
	signalServer(t, srv, "graceful")
	refused := "AH00534: gowsgid: Configuration error: The MPM cannot be changed during restart."
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(srv.ErrorLog(), refused); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("an MPM change is not refused (%q):\n%s", refused, srv.ErrorLog())
		}
	}
	syscall.Kill(srv.Pid(), syscall.SIGTERM)
	select {
	case <-srv.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
	log := srv.ErrorLog()
	for _, want := range []string{"[mpm_prefork:notice]", "AH00163: ", "AH00171: Graceful restart requested, doing restart",
		"AH00169: caught SIGTERM, shutting down"} {
		if !strings.Contains(log, want) {
			t.Errorf("error log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "mpm_event") {
		t.Errorf("event's lines under prefork:\n%s", log)
	}
}

// smallSiteConf is the configuration of a small site: mpm as its MPM,
// authz_core, alias and wsgi, Listen addr, the error log in $DIR/logs,
// PidFile pidFile, then extra.
func smallSiteConf(mpm, addr, pidFile, extra string) string {
	return `LoadModule mpm_` + mpm + `_module /usr/lib/apache2/modules/mod_mpm_` + mpm + `.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen ` + addr + `
ErrorLog $DIR/logs/error.log
PidFile ` + pidFile + `
DocumentRoot $DIR
` + extra
}

// writeSmallSite writes smallSiteConf (event MPM, a free port) as
// httpd.conf of a new directory with a logs directory and the daemon
// test application, and returns the directory, the address and the
// configuration's path.
func writeSmallSite(t *testing.T, pidFile, extra string) (dir, addr, conf string) {
	t.Helper()
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeApp(t, dir, "v1")
	addr = fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	conf = filepath.Join(dir, "httpd.conf")
	text := strings.ReplaceAll(smallSiteConf("event", addr, pidFile, extra), "$DIR", dir)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, addr, conf
}

// rootSiteDir is the directory of a site served by a server started as
// root, which serves as www-data: the test needs root, as make test
// runs it, and www-data must read the directory.
func rootSiteDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root, as make test runs it")
	}
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// asUserConf is the configuration of a site whose server, started as
// root, serves as www-data: ServerRoot $DIR, logs and pid file under
// $DIR/logs, LogLevel info, DocumentRoot $DIR open to all, listening on
// addr, then rest.
func asUserConf(addr, rest string) string {
	return fmt.Sprintf(`ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
User www-data
Group www-data
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
LogLevel info
PidFile $DIR/logs/httpd.pid
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
`, addr) + rest
}

// TestRequestTimeFromRequestLine: a request's time (%t, %D) starts when
// its request line has been read, as Apache's r->request_time, so the
// time a client takes to send its header fields is in %D.
func TestRequestTimeFromRequestLine(t *testing.T) {
	addr, dir, _ := startLifecycle(t, `CustomLog $DIR/logs/access.log "%r %>s %D"`)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /index.html HTTP/1.1\r\n")
	time.Sleep(1500 * time.Millisecond)
	io.WriteString(c, "Host: localhost\r\nConnection: close\r\n\r\n")
	if b, _ := io.ReadAll(c); !strings.HasPrefix(string(b), "HTTP/1.1 200 ") {
		t.Fatalf("answer %q", b)
	}
	var line string
	for deadline := time.Now().Add(5 * time.Second); line == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(dir, "logs", "access.log"))
		line = strings.TrimSpace(string(b))
	}
	var us int64
	// The server may read the request line a little after it was
	// sent (a loaded machine); timed from the header fields, %D would
	// be a few milliseconds.
	if _, err := fmt.Sscanf(line, "GET /index.html HTTP/1.1 200 %d", &us); err != nil || us < 1000000 {
		t.Errorf("access log %q: want a %%D of about 1.5 s, the wait for the header fields", line)
	}
}
