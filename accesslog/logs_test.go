package accesslog_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/accesslog"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/conftest"
	"github.com/gowsgid/gowsgid/vhost"
)

const preamble = `ServerRoot $R
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
Listen 127.0.0.1:8080
ServerName main.test
ErrorLog /dev/null
TypesConfig /etc/mime.types
DocumentRoot $R/htdocs
<Directory $R/htdocs>
    Require all granted
</Directory>
`

// server is a configuration compiled into a handler with its access
// logs open.
type server struct {
	root    string
	handler *vhost.Handler
	logs    *accesslog.Logs
}

func newServer(t *testing.T, conf string) *server {
	t.Helper()
	cfg, root := conftest.Load(t, preamble+conf)
	table, err := vhost.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs, err := accesslog.Open(cfg, accesslog.Options{KeepAlive: true,
		Log: func(level, msg string) { t.Logf("%s: %s", level, msg) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logs.Close() })
	return &server{root: root, logs: logs,
		handler: &vhost.Handler{Table: table, Services: vhost.Services{Transaction: logs.Transaction}}}
}

// get serves a GET for target with the given Host header on port 8080.
func (s *server) get(host, target string) int { return s.getPort(8080, host, target) }

// getPort serves a GET that came in on a port.
func (s *server) getPort(port int, host, target string) int {
	localCtx := context.WithValue(context.Background(), http.LocalAddrContextKey,
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	req := &http.Request{Method: "GET", RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Host: host, Header: http.Header{}, RemoteAddr: "127.0.0.1:50000", Body: http.NoBody}
	req.URL, _ = url.ParseRequestURI(target)
	w := httptest.NewRecorder()
	s.handler.ServeHTTP(w, req.WithContext(localCtx))
	return w.Code
}

func (s *server) read(t *testing.T, name string) string { return conftest.Read(t, s.root, name) }

// TestVirtualHostLogs: a virtual host with a CustomLog of its own logs
// there only (and to GlobalLog); one without logs to the main server's,
// a TransferLog with its own default format.
func TestVirtualHostLogs(t *testing.T) {
	s := newServer(t, `LogFormat "%v %U %>s" short
LogFormat "main-default %U"
CustomLog logs/main.log short
TransferLog logs/transfer.log
GlobalLog logs/global.log "%v %U"
Listen 127.0.0.1:9090
<VirtualHost *:9090>
  ServerName own.test
  CustomLog logs/own.log "own %U"
</VirtualHost>
<VirtualHost *:9090>
  ServerName inherit.test
  LogFormat "inherit-default %U"
</VirtualHost>
`)
	s.get("main.test", "/file.txt")
	s.getPort(9090, "own.test", "/file.txt")
	s.getPort(9090, "inherit.test", "/nope")
	// An unknown name goes to the first virtual host of the address.
	s.getPort(9090, "unknown.test", "/x")
	for name, want := range map[string]string{
		"main.log":     "main.test /file.txt 200\ninherit.test /nope 404\n",
		"transfer.log": "main-default /file.txt\ninherit-default /nope\n",
		"own.log":      "own /file.txt\nown /x\n",
		"global.log":   "main.test /file.txt\nown.test /file.txt\ninherit.test /nope\nown.test /x\n",
	} {
		if got := s.read(t, name); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
}

// TestConditions: env= and env=! test the request's environment, expr=
// an expression that may use the response's status.
func TestConditions(t *testing.T) {
	s := newServer(t, `<LocationMatch "^/(?<tag>tagged)/">
</LocationMatch>
CustomLog logs/env.log "%U %{MATCH_TAG}e" env=MATCH_TAG
CustomLog logs/noenv.log "%U" env=!MATCH_TAG
CustomLog logs/expr.log "%>s %U" "expr=%{REQUEST_STATUS} -ge 400 && %{REQUEST_URI} =~ /nope/"
CustomLog logs/same.log CLF
CustomLog logs/same.log "second %U"
`)
	s.get("main.test", "/file.txt")
	s.get("main.test", "/tagged/x")
	s.get("main.test", "/nope")
	s.get("main.test", "/nope2")
	for name, want := range map[string]string{
		"env.log":   "/tagged/x tagged\n",
		"noenv.log": "/file.txt\n/nope\n/nope2\n",
		"expr.log":  "404 /nope\n404 /nope2\n",
	} {
		if got := s.read(t, name); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
	// Two CustomLog lines naming one file share one descriptor: the
	// lines of a request are written in order, none lost.
	if got := strings.Count(s.read(t, "same.log"), "\n"); got != 8 {
		t.Errorf("same.log has %d lines, want 8:\n%s", got, s.read(t, "same.log"))
	}
}

// TestReopen is logrotate's way: rename the log, have the server reopen
// it, and find every line in one of the two files, the later ones in the
// new file; requests keep being logged while it happens.
func TestReopen(t *testing.T) {
	s := newServer(t, `CustomLog logs/access.log "%U"
LogLevel warn
`)
	var served atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s.get("main.test", "/file.txt")
				served.Add(1)
			}
		}()
	}
	for served.Load() < 200 {
		time.Sleep(time.Millisecond)
	}
	path := filepath.Join(s.root, "logs", "access.log")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := s.logs.Reopen(); err != nil {
		t.Fatal(err)
	}
	before := served.Load()
	for served.Load() < before+200 {
		time.Sleep(time.Millisecond)
	}
	close(stop)
	wg.Wait()
	old, cur := s.read(t, "access.log.1"), s.read(t, "access.log")
	lines := strings.Count(old, "\n") + strings.Count(cur, "\n")
	if int64(lines) != served.Load() {
		t.Errorf("%d requests, %d lines in access.log.1 and access.log", served.Load(), lines)
	}
	if strings.Count(cur, "\n") < 200 {
		t.Errorf("the new access.log has %d lines; the requests after Reopen should be there", strings.Count(cur, "\n"))
	}
	if !strings.HasSuffix(old, "/file.txt\n") || !strings.HasSuffix(cur, "/file.txt\n") {
		t.Errorf("a line is cut:\n%q\n%q", old[max(0, len(old)-40):], cur[max(0, len(cur)-40):])
	}
}

// TestPipedLog: "|$command" runs through the shell, "|program args"
// without; the program is restarted when it exits, and what was written
// meanwhile is not lost.
func TestPipedLog(t *testing.T) {
	s := newServer(t, `CustomLog "|$exec cat >> logs/shell.log" "%U"
CustomLog "|/bin/sh -c 'echo $$ > logs/argv.pid; exec cat >> logs/argv.log'" "argv %U"
`)
	s.get("main.test", "/file.txt")
	waitFor(t, func() bool { return s.read(t, "argv.log") == "argv /file.txt\n" && s.read(t, "argv.pid") != "" })
	pid := strings.TrimSpace(s.read(t, "argv.pid"))
	p, err := os.FindProcess(atoi(pid))
	if err != nil {
		t.Fatal(err)
	}
	p.Kill()
	os.Remove(filepath.Join(s.root, "logs", "argv.pid"))
	// Once it is gone (what a dying program had read is lost, as with
	// Apache), a line waits in the pipe for the next one.
	waitFor(t, func() bool { return syscall.Kill(atoi(pid), 0) != nil })
	s.get("main.test", "/after-kill")
	waitFor(t, func() bool { return strings.TrimSpace(s.read(t, "argv.pid")) != "" })
	s.get("main.test", "/after-restart")
	s.logs.Close()
	if got, want := s.read(t, "argv.log"), "argv /file.txt\nargv /after-kill\nargv /after-restart\n"; got != want {
		t.Errorf("argv.log:\n%s\nwant\n%s", got, want)
	}
	if got, want := s.read(t, "shell.log"), "/file.txt\n/after-kill\n/after-restart\n"; got != want {
		t.Errorf("shell.log:\n%s\nwant\n%s", got, want)
	}
}

// TestBufferedLogs: lines wait until 4096 bytes are buffered, or Flush.
func TestBufferedLogs(t *testing.T) {
	s := newServer(t, `BufferedLogs On
CustomLog logs/access.log "%U"
`)
	s.get("main.test", "/file.txt")
	if got := s.read(t, "access.log"); got != "" {
		t.Errorf("buffered line written at once: %q", got)
	}
	long := "/" + strings.Repeat("x", 500)
	for i := 0; i < 10; i++ {
		s.get("main.test", long)
	}
	if got := strings.Count(s.read(t, "access.log"), "\n"); got == 0 || got == 11 {
		t.Errorf("%d lines written after 5 KB; want the first buffer's", got)
	}
	s.logs.Flush()
	if got := strings.Count(s.read(t, "access.log"), "\n"); got != 11 {
		t.Errorf("%d lines after Flush, want 11", got)
	}
}

func TestOpenErrors(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "htdocs"), 0o755)
	path := filepath.Join(root, "httpd.conf")
	os.WriteFile(path, []byte(strings.ReplaceAll(preamble, "$R", root)+
		"CustomLog \"|/nonexistent/program\" common\n"), 0o644)
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: root, ConfigFile: path,
		Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := accesslog.Open(cfg, accesslog.Options{}); err == nil || !strings.Contains(err.Error(), "AH00104") {
		t.Errorf("a piped log that cannot start: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func atoi(s string) int {
	n := 0
	fmt.Sscan(s, &n)
	return n
}

// TestClientClosedAfterResponse: a client that closes its connection
// once it has read the whole response aborted nothing: %X is not X,
// although net/http cancels the request's context when it sees the
// connection close (here before the line is logged).
func TestClientClosedAfterResponse(t *testing.T) {
	s := newServer(t, "CustomLog logs/x.log \"%X %>s %B\"\n")
	big := strings.Repeat("0123456789abcdef", 4096)
	if err := os.WriteFile(filepath.Join(s.root, "htdocs", "big.txt"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	logged := make(chan struct{})
	h := *s.handler
	h.Services.Transaction = func(r *vhost.Request) {
		select {
		case <-r.HTTP.Context().Done():
		case <-time.After(5 * time.Second):
			t.Error("net/http did not see the client close")
		}
		s.logs.Transaction(r)
		close(logged)
	}
	ts := httptest.NewServer(&h)
	defer ts.Close()
	c, err := net.Dial("tcp", ts.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(c, "GET /big.txt HTTP/1.1\r\nHost: main.test\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(resp.Body); err != nil || len(b) != len(big) {
		t.Fatalf("read %d bytes of %d: %v", len(b), len(big), err)
	}
	c.Close()
	<-logged
	if got, want := s.read(t, "x.log"), fmt.Sprintf("+ 200 %d\n", len(big)); got != want {
		t.Errorf("x.log: %q, want %q", got, want)
	}
}

// TestLogPathCleaned: a log file's path is cleaned as
// ap_server_root_relative cleans it, without looking at the file
// system: "nosub/.." is nothing, even where nosub does not exist.
func TestLogPathCleaned(t *testing.T) {
	s := newServer(t, `CustomLog $R/nosub/../logs//./abs.log "abs %U"
CustomLog nosub/../logs/rel.log "rel %U"
`)
	s.get("main.test", "/file.txt")
	for name, want := range map[string]string{"abs.log": "abs /file.txt\n", "rel.log": "rel /file.txt\n"} {
		if got := s.read(t, name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
