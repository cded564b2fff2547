package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var binary string

// TestMain builds the real gowsgid binary once; the tests run it as users
// and scripts do.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gowsgid-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gowsgid")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func run(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// site writes a small configuration and returns its path.
func site(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "httpd.conf")
	text := "ServerRoot " + dir + "\nLoadModule mpm_event_module x\nLoadModule authz_core_module x\n" +
		"LoadModule rewrite_module x\nLoadModule wsgi_module x\nServerName localhost\nErrorLog " + dir + "/error.log\n" + body
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return conf
}

func TestFlagsLikeHttpd(t *testing.T) {
	conf := site(t, "<IfDefine FOREGROUND>\nServerAdmin fg@example.org\n</IfDefine>\n")
	out, errOut, code := run(t, "-DFOREGROUND", "-t", "-f", conf)
	if code != 0 || out != "" || errOut != "Syntax OK\n" {
		t.Fatalf("-DFOREGROUND -t: %d %q %q", code, out, errOut)
	}
	_, errOut, code = run(t, "configtest", "-f", conf, "-D", "X", "-C", "Define Y 1", "-c", "ServerAdmin ${Y}@x")
	if code != 0 || !strings.HasPrefix(errOut, "Syntax OK\n") {
		t.Fatalf("configtest: %d %q", code, errOut)
	}
	bad := site(t, "Bogus on\n")
	_, errOut, code = run(t, "-t", "-f", bad)
	want := "AH00526: Syntax error on line 8 of " + bad + ":\nInvalid command 'Bogus', perhaps misspelled or defined by a module not included in the server configuration\n"
	if code != 1 || errOut != want {
		t.Fatalf("bad config: %d %q", code, errOut)
	}
	_, errOut, code = run(t, "-t", "-f", site(t, "<Directory /x>\n"))
	if code != 1 || !strings.HasPrefix(errOut, "gowsgid: Syntax error on line 8 of ") {
		t.Fatalf("read-phase error names the program: %d %q", code, errOut)
	}
	out, _, code = run(t, "-v")
	if code != 0 || !strings.HasPrefix(out, "Server version: gowsgid/") {
		t.Fatalf("-v: %q", out)
	}
}

func TestConfigtestFindings(t *testing.T) {
	conf := site(t, "ContentDigest On\nWSGISocketPrefix /var/run/wsgi\nRewriteRule \"^/(?!static)\" /app\n")
	_, errOut, code := run(t, "configtest", "-f", conf)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.HasPrefix(errOut, "Syntax OK\n") || !strings.Contains(errOut, conf+":8: ContentDigest (core.c) is not implemented by gowsgid yet") {
		t.Fatalf("findings missing:\n%s", errOut)
	}
	// A lookahead is PCRE's, as in Apache: no finding.
	if strings.Contains(errOut, "RewriteRule") {
		t.Fatalf("a PCRE pattern is a finding:\n%s", errOut)
	}
	if strings.Contains(errOut, "WSGISocketPrefix") {
		t.Fatalf("a directive with no effect is not a finding:\n%s", errOut)
	}
	// -t itself stays byte for byte apache2 -t.
	_, errOut, _ = run(t, "-t", "-f", conf)
	if errOut != "Syntax OK\n" {
		t.Fatalf("-t printed %q", errOut)
	}
	_, errOut, code = run(t, "configtest", "--strict", "-f", conf)
	if code != 1 || !strings.Contains(errOut, "gowsgid: --strict: ") || !strings.Contains(errOut, " directive(s) not implemented") {
		t.Fatalf("--strict: %d %q", code, errOut)
	}
}

func TestDumpConfigJSON(t *testing.T) {
	conf := site(t, "Define SITE example\n<VirtualHost *:80>\n  ServerName ${SITE}.org\n</VirtualHost>\n")
	out, errOut, code := run(t, "dump", "config", "--json", "-f", conf)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Defines    []string
		Variables  map[string]string
		Directives []struct {
			Directive string
			Args      []string
			File      string
			Line      int
			Children  []struct {
				Directive string
				Args      []string
				Line      int
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	last := doc.Directives[len(doc.Directives)-1]
	if last.Directive != "<VirtualHost" || last.Line != 9 || last.File != conf ||
		len(last.Children) != 1 || last.Children[0].Args[0] != "example.org" || last.Children[0].Line != 10 {
		t.Fatalf("vhost node: %+v", last)
	}
	if doc.Variables["SITE"] != "example" {
		t.Fatalf("variables: %v", doc.Variables)
	}
}

func TestDirectivesCommand(t *testing.T) {
	out, _, code := run(t, "directives")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"WSGIDaemonProcess", "mod_wsgi.c", "Include", "implemented", "no effect", "not implemented"} {
		if !strings.Contains(out, want) {
			t.Errorf("directives output lacks %q", want)
		}
	}
}

// TestLogFormat: gowsgid's own diagnostics are console lines by default,
// JSON objects with --log-format json.
func TestLogFormat(t *testing.T) {
	var b strings.Builder
	for _, c := range []struct{ format, want string }{
		{"console", "WRN hello directive=X"},
		{"json", `"level":"warn"`},
	} {
		b.Reset()
		diag, err := diagnostics(c.format, &b)
		if err != nil {
			t.Fatal(err)
		}
		diag.Warn().Str("directive", "X").Msg("hello")
		if !strings.Contains(b.String(), c.want) {
			t.Errorf("--log-format %s wrote %q, want %q in it", c.format, b.String(), c.want)
		}
	}
	if _, err := diagnostics("xml", &b); err == nil {
		t.Error("--log-format xml accepted")
	}
}

// TestNegotiationFindings: Options MultiViews, the language priorities
// of Debian's negotiation.conf and the type-map handler of its
// mime.conf are served, no configtest finding.
func TestNegotiationFindings(t *testing.T) {
	conf := site(t, "LoadModule negotiation_module x\nLoadModule mime_module x\nLanguagePriority en de\nForceLanguagePriority Prefer Fallback\n"+
		"<Directory />\n  Options Indexes MultiViews\n</Directory>\n<Directory /srv>\n  Options -MultiViews\n</Directory>\n"+
		"AddHandler type-map var\n")
	_, errOut, code := run(t, "configtest", "-f", conf)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(errOut, "LanguagePriority") || strings.Contains(errOut, ": MultiViews") || strings.Contains(errOut, "type-map") {
		t.Errorf("findings that are not:\n%s", errOut)
	}
}

// TestCommandLine: AH00094 shows the command line as Apache's
// ap_mpm_rewrite_args leaves it: no -k, -D NAME.
func TestCommandLine(t *testing.T) {
	saved := os.Args
	defer func() { os.Args = saved }()
	os.Args = []string{"/usr/local/bin/gowsgid", "-k", "start", "-DFOREGROUND", "-f", "/etc/apache2/apache2.conf", "-DNO_DETACH", "-C", "Define X 1"}
	if got, want := commandLine(), "/usr/local/bin/gowsgid -D FOREGROUND -f /etc/apache2/apache2.conf -C Define X 1"; got != want {
		t.Errorf("command line %q, want %q", got, want)
	}
}
