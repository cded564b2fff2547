package server

import (
	"context"
	"log/syslog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/conftest"
	"github.com/gowsgid/gowsgid/vhost"
)

const preamble = `ServerRoot $R
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
Listen 127.0.0.1:8080
ServerName main.test
DocumentRoot $R/htdocs
<Directory $R/htdocs>
    Require all granted
</Directory>
`

func load(t *testing.T, conf string) (*confparse.Config, string) {
	t.Helper()
	return conftest.Load(t, preamble+conf)
}

func read(t *testing.T, root, name string) string { return conftest.Read(t, root, name) }

// request is a request of a server, from 192.0.2.1:1234.
func request(s *confparse.Server, referer string) *vhost.Request {
	hr := httptest.NewRequest("GET", "/x", nil)
	if referer != "" {
		hr.Header.Set("Referer", referer)
	}
	return &vhost.Request{HTTP: hr, Host: &vhost.Host{Server: s}, Remote: netip.MustParseAddrPort("192.0.2.1:1234")}
}

var lineRE = regexp.MustCompile(`^\[[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{6} \d{4}\] \[([a-z_]+:[a-z0-9]+)\] \[pid \d+:tid \d+\] (.*)$`)

// lines are a log's lines without their time, pid and tid.
func lines(t *testing.T, text string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if l == "" {
			continue
		}
		m := lineRE.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("not an Apache error log line: %q", l)
			continue
		}
		out = append(out, "["+m[1]+"] "+m[2])
	}
	return out
}

// TestErrorLogServers: a virtual host with its own ErrorLog writes there,
// one without writes to the main server's; each at its LogLevel, with
// the module levels merged as ap_merge_log_config does.
func TestErrorLogServers(t *testing.T) {
	cfg, root := load(t, `ErrorLog logs/main.log
LogLevel warn wsgi:debug
<VirtualHost *:8080>
  ServerName own.test
  ErrorLog logs/own.log
  LogLevel info
</VirtualHost>
<VirtualHost *:8080>
  ServerName shared.test
  LogLevel authz_core:debug
</VirtualHost>
`)
	l, err := OpenErrorLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	main, own, shared := cfg.Main, cfg.VirtualHosts[0], cfg.VirtualHosts[1]
	for _, s := range []*confparse.Server{main, own, shared} {
		for _, lv := range []string{"error", "info", "debug"} {
			for _, mod := range []string{"core", "wsgi", "authz_core"} {
				l.Request(lv, mod, request(s, ""), s.Hostname+" "+mod+" "+lv)
			}
		}
	}
	l.Request("error", "core", request(main, `http://r.test/"x"`), "with \"quotes\"\nand a newline\\")
	l.Client("info", "wsgi", "10.0.0.1:5", "python says hello")
	l.Notice("mpm_event", "a notice is always written")
	want := []string{
		"[core:error] [client 192.0.2.1:1234] main.test core error",
		"[wsgi:error] [client 192.0.2.1:1234] main.test wsgi error",
		"[authz_core:error] [client 192.0.2.1:1234] main.test authz_core error",
		"[wsgi:info] [client 192.0.2.1:1234] main.test wsgi info",
		"[wsgi:debug] [client 192.0.2.1:1234] main.test wsgi debug",
		// The shared host inherits warn and wsgi:debug, adds authz_core:debug.
		"[core:error] [client 192.0.2.1:1234] shared.test core error",
		"[wsgi:error] [client 192.0.2.1:1234] shared.test wsgi error",
		"[authz_core:error] [client 192.0.2.1:1234] shared.test authz_core error",
		"[wsgi:info] [client 192.0.2.1:1234] shared.test wsgi info",
		"[authz_core:info] [client 192.0.2.1:1234] shared.test authz_core info",
		"[wsgi:debug] [client 192.0.2.1:1234] shared.test wsgi debug",
		"[authz_core:debug] [client 192.0.2.1:1234] shared.test authz_core debug",
		`[core:error] [client 192.0.2.1:1234] with "quotes"\nand a newline\\, referer: http://r.test/"x"`,
		"[wsgi:info] [client 10.0.0.1:5] python says hello",
		"[mpm_event:notice] a notice is always written",
	}
	if got := lines(t, read(t, root, "main.log")); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("main.log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Its own LogLevel info resets the main server's module levels.
	wantOwn := []string{
		"[core:error] [client 192.0.2.1:1234] own.test core error",
		"[wsgi:error] [client 192.0.2.1:1234] own.test wsgi error",
		"[authz_core:error] [client 192.0.2.1:1234] own.test authz_core error",
		"[core:info] [client 192.0.2.1:1234] own.test core info",
		"[wsgi:info] [client 192.0.2.1:1234] own.test wsgi info",
		"[authz_core:info] [client 192.0.2.1:1234] own.test authz_core info",
	}
	if got := lines(t, read(t, root, "own.log")); strings.Join(got, "\n") != strings.Join(wantOwn, "\n") {
		t.Errorf("own.log:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantOwn, "\n"))
	}
	_, wsgiLevel := l.ServerFileLevel(nil, "wsgi")
	_, coreLevel := l.ServerFileLevel(nil, "core")
	if wsgiLevel != "debug" || coreLevel != "warn" || l.Level() != "warn" {
		t.Errorf("levels: wsgi %s, core %s, main %s", wsgiLevel, coreLevel, l.Level())
	}
	if !l.Logged("debug") || l.Logged("trace1") {
		t.Errorf("Logged: debug %v, trace1 %v", l.Logged("debug"), l.Logged("trace1"))
	}
}

// TestErrorLogPipe: "|$command" gets the lines on its standard input.
func TestErrorLogPipe(t *testing.T) {
	cfg, root := load(t, `ErrorLog "|$exec cat >> logs/piped.log"
`)
	l, err := OpenErrorLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if l.File() == nil {
		t.Error("a piped log has no file to hand to daemon workers")
	}
	l.Client("error", "wsgi", "", "through the pipe")
	l.Close()
	if got := lines(t, read(t, root, "piped.log")); len(got) != 1 || got[0] != "[wsgi:error] through the pipe" {
		t.Errorf("piped.log: %q", got)
	}
}

func TestSyslogSpec(t *testing.T) {
	tests := []struct {
		spec     string
		facility syslog.Priority
		tag      string
		err      bool
	}{
		{"", syslog.LOG_LOCAL7, "prog", false},
		{"daemon", syslog.LOG_DAEMON, "prog", false},
		{"LOCAL3:web", syslog.LOG_LOCAL3, "web", false},
		{":tagonly", syslog.LOG_LOCAL7, "tagonly", false},
		{"local", syslog.LOG_LOCAL0, "prog", false},
		{"bogus", 0, "", true},
	}
	for _, tt := range tests {
		w, err := openSyslog(tt.spec, "prog")
		if tt.err {
			if err == nil {
				t.Errorf("%q: no error", tt.spec)
			}
			continue
		}
		if err != nil || w.facility != tt.facility || w.tag != tt.tag {
			t.Errorf("%q: %+v, %v; want facility %d tag %q", tt.spec, w, err, tt.facility, tt.tag)
		}
	}
}

// TestServerReopen: after logrotate renamed the error and access logs,
// Reopen sends what is logged next to new files under the old names;
// nothing written before is lost.
func TestServerReopen(t *testing.T) {
	cfg, root := load(t, `ErrorLog logs/error.log
LogLevel info
CustomLog logs/access.log "%U %>s"
`)
	s, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop(time.Second)
	get := func(target string) {
		ctx := context.WithValue(context.Background(), http.LocalAddrContextKey,
			&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080})
		req := httptest.NewRequest("GET", target, nil).WithContext(ctx)
		req.Host = "main.test"
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	get("/file.txt")
	get("/before")
	for _, n := range []string{"error.log", "access.log"} {
		if err := os.Rename(filepath.Join(root, "logs", n), filepath.Join(root, "logs", n+".1")); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Reopen(); err != nil {
		t.Fatal(err)
	}
	get("/after")
	for name, want := range map[string]string{
		"access.log.1": "/file.txt 200\n/before 404\n",
		"access.log":   "/after 404\n",
	} {
		if got := read(t, root, name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if old := read(t, root, "error.log.1"); !strings.Contains(old, "AH00128: File does not exist: "+root+"/htdocs/before") {
		t.Errorf("error.log.1:\n%s", old)
	}
	if cur := read(t, root, "error.log"); !strings.Contains(cur, "htdocs/after") || strings.Contains(cur, "before") {
		t.Errorf("error.log:\n%s", cur)
	}
}

// TestErrorLogReload: after a graceful restart each server of the new
// configuration writes to its own ErrorLog at its LogLevel (a new
// virtual host's log is opened), and a request of the configuration
// before still goes to its server's log. The routes were those of the
// configuration at start-up, so after the first reload (logrotate's,
// every day) every virtual host wrote to the main log.
func TestErrorLogReload(t *testing.T) {
	conf := `ErrorLog logs/main.log
<VirtualHost *:8080>
  ServerName own.test
  ErrorLog logs/own.log
</VirtualHost>
`
	cfg, root := load(t, conf)
	l, err := OpenErrorLog(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	oldOwn := cfg.VirtualHosts[0]
	cfg2 := conftest.LoadIn(t, root, preamble+conf+`<VirtualHost *:8080>
  ServerName new.test
  ErrorLog logs/new.log
  LogLevel info
</VirtualHost>
`)
	undo, err := l.Reload(cfg2)
	if err != nil {
		t.Fatal(err)
	}
	l.Request("error", "core", request(cfg2.VirtualHosts[0], ""), "own after the reload")
	l.Request("info", "core", request(cfg2.VirtualHosts[1], ""), "new at info")
	l.Request("error", "core", request(oldOwn, ""), "own, a request of the old configuration")
	if got := strings.Join(lines(t, read(t, root, "own.log")), "\n"); !strings.Contains(got, "own after the reload") ||
		!strings.Contains(got, "a request of the old configuration") {
		t.Errorf("own.log:\n%s", got)
	}
	if got := strings.Join(lines(t, read(t, root, "new.log")), "\n"); !strings.Contains(got, "new at info") {
		t.Errorf("new.log:\n%s", got)
	}
	if got := read(t, root, "main.log"); got != "" {
		t.Errorf("main.log got lines of the virtual hosts:\n%s", got)
	}
	// A configuration that then fails to serve gives the routes back:
	// the old servers' lines go to their logs, not through a stale prev.
	undo()
	if _, err := l.Reload(cfg2); err != nil {
		t.Fatal(err)
	}
	undo()
	l.Request("error", "core", request(oldOwn, ""), "own after a failed reload")
	if got := strings.Join(lines(t, read(t, root, "own.log")), "\n"); !strings.Contains(got, "own after a failed reload") {
		t.Errorf("own.log after an undone reload:\n%s", got)
	}
}

// A request's message that starts with a system error has it written
// before the client, as ap_log_rerror writes its status.
func TestCutStatus(t *testing.T) {
	for _, tc := range []struct{ msg, status, rest string }{
		{"(13)Permission denied: AH00529: /x/.htaccess pcfg_openfile: unable", "(13)Permission denied: ", "AH00529: /x/.htaccess pcfg_openfile: unable"},
		{"(2)No such file or directory: AH01622: Could not open password file: /p", "(2)No such file or directory: ", "AH01622: Could not open password file: /p"},
		{"AH01630: client denied (13): x", "", "AH01630: client denied (13): x"},
		{"(x)y: z", "", "(x)y: z"},
		{"(13)", "", "(13)"},
	} {
		status, rest, ok := cutStatus(tc.msg)
		if status != tc.status || rest != tc.rest || ok != (tc.status != "") {
			t.Errorf("cutStatus(%q) = %q, %q, %v", tc.msg, status, rest, ok)
		}
	}
}
