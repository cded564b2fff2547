package compat

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// errorLogFormatConf has an ErrorLogFormat in the main server (Debian's
// commented example, with once-per-connection and once-per-request
// lines) and another in a virtual host with its own ErrorLog, that runs
// a WSGI application in embedded and daemon mode. The access log shows
// the log ids.
const errorLogFormatConf = `ServerRoot $DIR
%s
PidFile logs/httpd.pid
User www-data
Group www-data
ErrorLog logs/main.log
LogLevel info
Listen %s
Listen %s
ServerName main.test
DocumentRoot $DIR/htdocs
ErrorLogFormat "[%%{u}t] [%%-m:%%l] [pid %%P:tid %%T] %%7F: %%E: [client\ %%a] %%M%% ,\ referer\ %%{Referer}i"
ErrorLogFormat connection "conn|%%{c}L|%%a|%%A|%%k|%%{cu}t|%%-m|%%-l"
ErrorLogFormat request "req|%%L|%%{c}L|%%a|%%V|%%v|%%{User-Agent}i|%%+{X-Need}i"
CustomLog logs/access.log "%%{X-Seq}i %%L %%{c}L %%>s %%U"
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Location /denied>
  Require all denied
</Location>
WSGIScriptAlias /embedded $DIR/app.wsgi
<VirtualHost %s>
  ServerName v.test
  ErrorLog logs/vhost.log
  ErrorLogFormat "%%{c}t|%%-l|%%m|%%-{X-Foo}i|%%-L|%%-{c}L|%%-a|%%-A|%%k|%%v|%%-V|%%{%%Y/%%m/%%d}t%% [C\ %%{C}L]%% [e\ %%{SCRIPT_NAME}e]%% %%{cz}t %%M%% ,\ referer\ %%{Referer}i"
  WSGIDaemonProcess d processes=1 threads=2
  WSGIScriptAlias /embedded $DIR/app.wsgi
  WSGIScriptAlias /daemon $DIR/app.wsgi process-group=d
  DocumentRoot $DIR/htdocs
</VirtualHost>
`

// TestErrorLogFormatAgainstApache: Apache + mod_wsgi and gowsgid write
// the same error log lines, field for field, with those formats for a
// 404 at LogLevel info (AH00128), an authz denial (AH01630), two 404s on
// one kept-alive connection, and a WSGI application writing to
// wsgi.errors and raising, embedded and in a daemon process; and the
// access log's %L and %{c}L show the log ids of the error log lines.
// Times, process and thread ids and ports are masked; log ids are
// numbered in the order they first appear.
func TestErrorLogFormatAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	type logs struct{ main, vhost, access []string }
	var got [2]logs
	for side := range got {
		dir := makeRoot(t)
		if err := os.MkdirAll(filepath.Join(dir, "htdocs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(vhostLogApp), 0o644); err != nil {
			t.Fatal(err)
		}
		mainAddr := fmt.Sprintf("127.0.0.1:%d", freePort())
		vhostAddr := fmt.Sprintf("127.0.0.1:%d", freePort())
		c := strings.ReplaceAll(fmt.Sprintf(errorLogFormatConf, apachetest.LoadModules("mpm_event", "authz_core", "wsgi"),
			mainAddr, vhostAddr, vhostAddr), "$DIR", dir)
		in := startSide(t, side, dir, c, mainAddr, vhostAddr)
		seq := 0
		fetch := func(client *http.Client, addr, host, path string, hdr ...string) {
			req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
			// The access log's lines come in the order the requests
			// end, which is not the order the client saw them end in.
			seq++
			req.Header.Set("X-Seq", fmt.Sprintf("%02d", seq))
			req.Host = host
			req.Close = client == http.DefaultClient
			req.Header.Set("User-Agent", "elf-test")
			req.Header.Set("Referer", "http://ref.test/from")
			req.Header.Set("X-Foo", "foo")
			for i := 0; i+1 < len(hdr); i += 2 {
				req.Header.Set(hdr[i], hdr[i+1])
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatalf("side %d: GET %s%s: %v", side, host, path, err)
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		dc := http.DefaultClient
		fetch(dc, mainAddr, "main.test", "/nope", "X-Need", "yes")
		fetch(dc, mainAddr, "main.test", "/denied")
		// Two requests on one connection: one connection line, %k 1.
		kept := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
		fetch(kept, mainAddr, "main.test", "/nope-a")
		fetch(kept, mainAddr, "main.test", "/nope-b", "X-Need", "again")
		kept.CloseIdleConnections()
		fetch(dc, mainAddr, "main.test", "/embedded/errors")
		fetch(dc, mainAddr, "main.test", "/embedded/raise")
		for _, p := range []string{"/nope", "/denied", "/embedded/errors", "/embedded/raise", "/daemon/errors", "/daemon/raise"} {
			fetch(dc, vhostAddr, "v.test", p)
		}
		read := func(name string) []string {
			b, _ := os.ReadFile(filepath.Join(dir, "logs", name))
			return strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), dir, "$DIR"), "\n"), "\n")
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(strings.Join(read("vhost.log"), "\n"), "marker-traceback/daemon") && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		in.Stop()
		access := read("access.log")
		sort.Strings(access)
		got[side] = logs{main: read("main.log"), vhost: read("vhost.log"), access: access}
	}
	var norm [2]logs
	for side := range got {
		ids := map[string]string{}
		norm[side] = logs{main: maskErrorLog(got[side].main, ids), vhost: maskErrorLog(got[side].vhost, ids),
			access: maskErrorLog(got[side].access, ids)}
	}
	a, g := norm[apacheSide], norm[gowsgidSide]
	for _, f := range []struct {
		name string
		a, g []string
	}{{"main.log", a.main, g.main}, {"vhost.log", a.vhost, g.vhost}, {"access.log", a.access, g.access}} {
		if strings.Join(f.a, "\n") != strings.Join(f.g, "\n") {
			t.Errorf("%s differs\n--- apache\n%s\n--- gowsgid\n%s", f.name, strings.Join(f.a, "\n"), strings.Join(f.g, "\n"))
		}
	}
	// The test means something only if Apache wrote what it is about.
	all := strings.Join(append(append(a.main, a.vhost...), a.access...), "\n")
	for _, want := range []string{"[core:info] [pid P:tid T] [client 127.0.0.1:PORT] AH00128", "conn|ID", "req|ID",
		"04 ID5 ID4 404 /nope-b", "marker-wsgi-errors/daemon", "97.114.47.114:PORT", ", referer http://ref.test/from", "[e /embedded]"} {
		if !strings.Contains(all, want) {
			t.Errorf("apache's logs have no %q:\n%s", want, all)
		}
	}
}

var (
	elfTimes = regexp.MustCompile(`[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}(\.\d{6})? \d{4}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})?|\d{4}/\d{2}/\d{2}`)
	elfPids  = regexp.MustCompile(`\[pid \d+:tid \d+\]`)
	elfPidEq = regexp.MustCompile(`pid=\d+`)
	elfPorts = regexp.MustCompile(`(127\.0\.0\.1|97\.114\.47\.114):\d+`)
	elfIDs   = regexp.MustCompile(`(^|[ |\[])([A-Za-z0-9+/]{10}[AEIMQUYcgkosw048])([ |\]]|$)`)
	// elfSkip are the lines whose number depends on which of Apache's
	// processes served a request (each loads the script once), and the
	// server's own lines.
	elfSkip = regexp.MustCompile(`Loading Python script file|interpreter '|Initializing Python|Starting process|Attach interpreter|Stopping process|Exiting process|Destroying interpreter|Cleanup interpreter|Terminating Python|Python has shutdown|Shutdown requested|AH0\d\d\d\d: (?:Apache|Command line|Server built|caught|removed PID|child process)|resuming normal|AH00558|AH00489|AH00490|AH00094|AH00491|AH00492|AH00493|AH00169|AH00096|AH00046|AH02282|AH00047`)
)

// maskErrorLog keeps the lines about requests and masks what differs
// between two runs; ids numbers the log ids in the order they appear.
func maskErrorLog(lines []string, ids map[string]string) []string {
	var out []string
	for _, l := range lines {
		if l == "" || elfSkip.MatchString(l) {
			continue
		}
		if !strings.Contains(l, "127.0.0.1:") && !strings.HasPrefix(l, "conn|") && !strings.HasPrefix(l, "req|") &&
			!strings.Contains(l, " /") {
			continue
		}
		l = elfTimes.ReplaceAllString(l, "TIME")
		l = elfPids.ReplaceAllString(l, "[pid P:tid T]")
		l = elfPidEq.ReplaceAllString(l, "pid=P")
		l = elfPorts.ReplaceAllString(l, "$1:PORT")
		for {
			m := elfIDs.FindStringSubmatchIndex(l)
			if m == nil {
				break
			}
			id := l[m[4]:m[5]]
			n, ok := ids[id]
			if !ok {
				n = fmt.Sprintf("ID%d", len(ids)+1)
				ids[id] = n
			}
			l = l[:m[4]] + n + l[m[5]:]
		}
		out = append(out, l)
	}
	return out
}
