package wsgi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

func TestCheckConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.wsgi", "def application(e, s):\n    return []\n")
	bad := write("bad.wsgi", "def application(e, s)\n    return []\n")
	os.MkdirAll(filepath.Join(dir, "venv/lib/python2.7"), 0o755)
	conf := write("httpd.conf", `LoadModule mpm_event_module x
LoadModule wsgi_module x
ErrorLog `+dir+`/error.log
WSGIPythonHome `+dir+`/notpython
WSGIDaemonProcess g1 python-home=`+dir+`/venv home=`+dir+`/nohome
WSGIScriptAlias /good `+good+`
WSGIScriptAlias /bad `+bad+`
WSGIScriptAlias /missing `+dir+`/missing.wsgi
WSGIScriptAlias /dir `+dir+`/
WSGIScriptAliasMatch ^/m/(.*) `+dir+`/$1.wsgi
<Location /good>
WSGIProcessGroup nosuchgroup
</Location>
WSGIProcessGroup g1
`)
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf}, confparse.ProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range CheckConfig(cfg, CheckOptions{}) {
		got = append(got, f.Message)
		if f.File != conf || f.Line == 0 {
			t.Errorf("finding not located: %+v", f)
		}
	}
	text := strings.Join(got, "\n")
	for _, want := range []string{
		"python-home " + dir + "/notpython is not a Python installation",
		"python-home " + dir + "/venv is for python2.7, but gowsgid runs Python 3.",
		"home directory " + dir + "/nohome of daemon process group \"g1\" does not exist",
		"WSGI script " + bad + " does not compile: SyntaxError",
		"WSGI script " + dir + "/missing.wsgi does not exist",
		"no WSGIDaemonProcess defines process group \"nosuchgroup\"",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing finding %q in:\n%s", want, text)
		}
	}
	if len(got) != 6 {
		t.Errorf("%d findings, want 6:\n%s", len(got), text)
	}
}

// TestCheckDaemonOptionGaps: the WSGIDaemonProcess options gowsgid
// accepts and does not act on are configtest warnings on the line that
// sets them, which say why; the options it implements are not.
func TestCheckDaemonOptionGaps(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "httpd.conf")
	os.WriteFile(conf, []byte(`LoadModule mpm_event_module x
LoadModule wsgi_module x
ErrorLog `+dir+`/error.log
WSGIDaemonProcess g1 processes=2 threads=4 request-timeout=60 script-user=#0 \
    server-metrics=On socket-user=www-data
`), 0o644)
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf}, confparse.ProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	findings := CheckConfig(cfg, CheckOptions{})
	if len(findings) != 2 {
		t.Fatalf("findings %+v, want server-metrics and socket-user", findings)
	}
	// Line 5: Apache numbers a continued line by its last physical line.
	metrics, socketUser := findings[0], findings[1]
	if !strings.Contains(metrics.Message, `"g1": server-metrics has no effect`) || metrics.Unimplemented ||
		metrics.Line != 5 || metrics.Directive != "WSGIDaemonProcess" {
		t.Errorf("server-metrics: %+v", metrics)
	}
	if !strings.Contains(socketUser.Message, "socket-user has no effect") || socketUser.Unimplemented {
		t.Errorf("socket-user: %+v", socketUser)
	}
}
