package apexpr

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// extraDifferentialCases are checked against apache2 in addition to
// parseCases; their expected messages come from Apache itself.
var extraDifferentialCases = []string{
	"%{REQUEST_URI} =~ m#^/(a|b)/?$#",
	"%{QUERY_STRING} =~ /(^|&)x=([^&]*)/ && $2 == 'y'",
	"-R '10.0.0.0/8' || -R '::1' || -R '192.168.0.0/255.255.0.0'",
	"%{REMOTE_ADDR} -ipmatch '10.1.'",
	"1 in { 1 , 2 ,3 }",
	"'a' . \"b\" . %{REQUEST_URI} . $1 . tolower('X') == 'x'",
	"-T %{HTTPS}",
	"-z %{req:X}",
	"%{SERVER_SOFTWARE} -strmatch 'Apache*'",
	"m!x! == 1",
	"1 =~ m!x!",
	"1 =~ m%x%",
	"1 =~ m'x'",
	"1 == m",
	"-in",
	"1 -in",
	"( )",
	"()",
	"1 == (1)",
	"!(1 == 1",
	"'a' -strmatch",
	"-f -d",
	"1 -eq 2 -eq 3",
	"%{REQUEST_URI} . == 1",
	"true && || false",
	"{",
	"}",
	"tolower()",
	"tolower(1, 2) == 1",
	"tolower('a' 'b') == 1",
	"%{tolower:} == 1",
	"%{:x} == 1",
	"%{a-b} == 1",
	"%{a}} == 1",
	"'%{a' == 1",
	"'\\",
	"'\\n\\r\\t\\b\\f\\q\\\\\\'' == 1",
	"'\\\"' == '\"'",
	"$10 == 1",
	"1 =~ $1",
	"-R '1.2.3.4' -R '1.2.3.4'",
	"1 -ipmatch '1.2.3.4/255.255.0.0'",
	"1 -ipmatch '1.2.3.4/ab'",
	"file(%{REQUEST_URI}) == 1",
	"-e %{req:x} && -s 'x' && -x 'y' && -h 'z'",
	"%{IPV6} == 'on' || %{HTTP2} == 'on' || %{CONN_LOG_ID} == 1",
	"%{CONTEXT_PREFIX}%{CONTEXT_DOCUMENT_ROOT} == 1",
	"%{LAST_MODIFIED} -gt 0 || %{SCRIPT_USER} == %{SCRIPT_GROUP}",
	"%{SSL_PROTOCOL} == 'TLSv1.3'",
	"%{ENV:X} == 1",
	"unknown:x == 1",
	"true or false and not true or false",
	"not not not true",
	"!!",
	"1 !== 1",
	"1 <> 1",
	"1 =! 1",
	"1 ~= 1",
}

// extraStringDifferentialCases are string expressions (checked through
// SetHandler).
var extraStringDifferentialCases = []string{
	"%{REQUEST_URI}.html",
	"text with spaces and (parens) {braces} and ,:",
	"%{req:User-Agent}",
	"%{req:%{req:X}}",
	"%{tolower:%{toupper:x}}",
	"$0$1$2",
	"%{md5:%{REMOTE_ADDR}}x",
	"%%{REQUEST_URI}",
	"%{REQUEST_URI}%",
	"\\%{REQUEST_URI}",
	"%{REQUEST_URI:x}",
	"%{tolower:a:b}",
	"%{tolower:a}b}",
}

func TestApacheParseDifferential(t *testing.T) {
	r := newApacheRunner(t)
	total, good := 0, 0
	checkOne := func(expr string, str bool, want *string) {
		total++
		okA, msgA := r.check(t, expr, str)
		var err error
		if str {
			_, err = ParseString(expr)
		} else {
			_, err = Parse(expr)
		}
		mine := ""
		if err != nil {
			mine = err.Error()
		}
		if okA {
			good++
		}
		if okA != (err == nil) || msgA != mine {
			t.Errorf("%q (string=%v): apache accepted=%v %q, apexpr %q", expr, str, okA, msgA, mine)
		}
		if want != nil && *want != msgA {
			t.Errorf("%q: table expects %q but apache says %q", expr, *want, msgA)
		}
	}
	for _, c := range parseCases {
		c := c
		checkOne(c.expr, false, &c.err)
	}
	long := strings.Repeat("a", maxStringLen-1)
	for _, e := range append(extraDifferentialCases,
		"'"+long+"' == 1", "'"+long+"a' == 1", "1 =~ /"+long+"/", "1 =~ /"+long+"a/") {
		checkOne(e, false, nil)
	}
	for _, c := range parseStringCases {
		c := c
		if c.expr == "" {
			continue // SetHandler rejects an empty argument by itself
		}
		checkOne(c.expr, true, &c.err)
	}
	for _, e := range extraStringDifferentialCases {
		checkOne(e, true, nil)
	}
	if good < 40 || total-good < 40 {
		t.Errorf("differential list too small: %d accepted, %d rejected", good, total-good)
	}
	t.Logf("%d expressions compared with apache2 (%d accepted, %d rejected)", total, good, total-good)
}

func findModule(r *apacheRunner, file string) string {
	dirs := []string{r.modDir, "/usr/lib/apache2/modules", "/usr/lib64/apache2/modules",
		"/usr/lib64/httpd/modules", "/usr/lib/httpd/modules", "/usr/libexec/apache2",
		"/usr/local/apache2/modules"}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		p := filepath.Join(d, file)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// evalCase is evaluated by a running Apache (through mod_headers) and by
// apexpr with an equivalent Context.
type evalCase struct {
	expr string
	str  bool
}

// TestApacheEvalDifferential starts apache2 with mod_headers, sends a
// request and compares the values of "Header set ... expr=..." and
// conditional headers with apexpr's evaluation of the same expressions.
func TestApacheEvalDifferential(t *testing.T) {
	r := newApacheRunner(t)
	var mods []string
	for _, m := range []string{"headers", "env", "authz_core", "authn_core"} {
		p := findModule(r, "mod_"+m+".so")
		if p == "" {
			t.Skipf("mod_%s.so not found", m)
		}
		mods = append(mods, "LoadModule "+m+"_module "+p+"\n")
	}
	dir := t.TempDir()
	docroot := filepath.Join(dir, "htdocs")
	must(t, os.MkdirAll(docroot, 0o755))
	file := filepath.Join(docroot, "t")
	must(t, os.WriteFile(file, []byte("hello"), 0o644))
	must(t, os.Symlink(file, filepath.Join(dir, "link")))
	must(t, os.WriteFile(filepath.Join(dir, "exe"), []byte("#!/bin/sh\n"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "empty"), nil, 0o644))
	rep := strings.NewReplacer("FILE", file, "DIR", dir)

	nested := func(n int) string {
		s := "x"
		for i := 0; i < n; i++ {
			s = "%{tolower:" + s + "}"
		}
		return s
	}
	andChain := func(n int) string {
		s := "true"
		for i := 0; i < n; i++ {
			s = "(" + s + " and true)"
		}
		return s
	}
	cases := []evalCase{
		{"%{REQUEST_URI} == '/t'", false},
		{"%{QUERY_STRING} == 'a=1&b=%41'", false},
		{"%{REQUEST_METHOD} == 'GET' && %{REQUEST_SCHEME} == 'http'", false},
		{"%{HTTP_HOST} == 'example.com' && %{SERVER_PROTOCOL} == 'HTTP/1.1'", false},
		{"%{THE_REQUEST} == 'GET /t?a=1&b=%41 HTTP/1.1'", false},
		{"%{REMOTE_ADDR} == '127.0.0.1' && %{HTTPS} == 'off' && %{IPV6} == 'off'", false},
		{"%{IS_SUBREQ} == 'false' && %{API_VERSION} == '20120211'", false},
		{"req('X-Test') == 'Hello World' && %{HTTP_USER_AGENT} =~ /^UA/", false},
		{"reqenv('MYENV') == 'envval' && env('MYENV') == 'envval'", false},
		{"'10' -gt '9'", false},
		{"'10' > '9'", false},
		{"'abc' -eq 0 && ' 12x' -eq 12 && '+7' -eq 7", false},
		{"'99999999999999999999' -eq '9223372036854775807'", false},
		{"'b' in {'a', 'b'}", false},
		{"'c' in {'a', 'b'}", false},
		{"-n '' || -z 'x'", false},
		{"-T 'off' || -T 'No' || -T '0' || -T ''", false},
		{"-T 'on' && -T '00' && -T 'nope' && -T 'offx'", false},
		{"-R '127.0.0.0/8' && !-R '10.0.0.0/8' && -R '127.0.0.1'", false},
		{"'127.0.0.1' -ipmatch '127.0.0.1' && '::ffff:127.0.0.1' -ipmatch '127.0.0.0/8'", false},
		{"'2001:db8::1' -ipmatch '2001:db8::/32' && !('10.0.0.1' -ipmatch '2001:db8::/32')", false},
		{"'/a/b' -fnmatch '/a/*'", false},
		{"'/a/b/c' -fnmatch '/a/*'", false},
		{"'/a/b/c' -strmatch '/a/*'", false},
		{"'ABC' -strcmatch 'a?c'", false},
		{"'ABC' -strmatch 'a?c'", false},
		{"'abc' -strmatch '[a-c]bc' && 'xbc' -strmatch '[!a-c]bc' && 'a]c' -strmatch 'a[]]c'", false},
		{"'a*c' -strmatch 'a\\\\*c' && !('abc' -strmatch 'a\\\\*c') && 'a[c' -strmatch 'a[c'", false},
		{"'a/b' -fnmatch 'a?b'", false},
		{"'a/b' -fnmatch 'a[/]b'", false},
		{"'Ab' -strcmatch '[a-b][A-B]'", false},
		{"'abc' =~ /(b)(c)/ && $1 == 'b' && $2 == 'c' && $0 == 'bc'", false},
		{"'ab' =~ /(a)/ && 'zz' =~ /z/ && $1 == 'a'", false},
		{"'ab' =~ /(a)/ && !('zz' =~ /(q)/) && $1 == ''", false},
		{"'ABC' =~ /b/i && 'ABC' !~ /b/", false},
		{"\"a\\nb\" =~ /a.b/", false},
		{"\"ab\\n\" =~ /b$/", false},
		{"true || false && false", false},
		{"false && false || true", false},
		{"!true || true", false},
		{"!(true || true)", false},
		{"-f 'FILE' && -e 'FILE' && -s 'FILE' && !-d 'FILE'", false},
		{"-d 'DIR' && -f 'DIR/empty' && !-s 'DIR/empty'", false},
		{"-L 'DIR/link' && -h 'DIR/link' && !-L 'FILE'", false},
		{"-x 'DIR/exe' && !-x 'FILE' && -x 'DIR/link'", false},
		{"file('DIR/none') == ''", false},
		{andChain(25), false},
		{andChain(17), false},
		{"x%{REQUEST_URI}y", true},
		{"%{tolower:AbC}|%{toupper:aBc}", true},
		{"%{escape:a b/c?d#e%f&g=h~i;j}", true},
		{"%{unescape:a%20b%2Fc%2fd%41}", true},
		{"%{unescape:%zz}", true},
		{"%{unescape:a%00b}", true},
		{"%{base64:abc}|%{base64:ab}|%{base64:a}", true},
		{"%{unbase64:YWJj}|%{unbase64:YWI}|%{unbase64:YWI=}|%{unbase64:Y}|%{unbase64:YW*Jj}|%{unbase64:YQBi}", true},
		{"%{md5:abc}|%{sha1:abc}", true},
		{`%{ldap:a*b(c)d\\e,f+g;h<i>j\"k=l#m}`, true},
		{"%{filesize:FILE}|%{filesize:DIR}|%{filesize:DIR/none}", true},
		{"%{file:FILE}", true},
		{"%{file:DIR/none}", true},
		{"%{req:X-Test}%{req_novary:User-Agent}", true},
		{"%{reqenv:MYENV}%{env:MYENV}", true},
		{"%{API_VERSION} %{SERVER_SOFTWARE} %{TIME_YEAR}", true},
		{nested(18), true},
		{nested(19), true},
		{"%{toupper:$1}", true},
	}
	t.Logf("%d eval cases", len(cases))
	vary := []string{
		"req('X-A') == '' && %{HTTP_USER_AGENT} != '' && req('Host') != ''",
		"'%{req:X-B}%{req:X-C}' == ''",
		"'%{req:X-B}%{req:X-C}%{req:X-D}' == ''",
		"req('X-A') . req('X-B') . req('X-C') == ''",
		"req('X-A') == '' || req('X-B') == ''",
		"%{HTTP_COOKIE} == 'x' || %{HTTP_REFERER} == ''",
		"req_novary('X-A') == ''",
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := l.Addr().String()
	l.Close()

	var conf strings.Builder
	fmt.Fprintf(&conf, "ServerRoot %s\n%s%s", dir, r.mpmLine, strings.Join(mods, ""))
	fmt.Fprintf(&conf, "ServerName localhost\nListen %s\nErrorLog %s/error.log\nLogLevel warn\nPidFile %s/x.pid\nDocumentRoot %s\n",
		addr, dir, dir, docroot)
	conf.WriteString("<Location />\nRequire all granted\n</Location>\n<Location /t>\nSetEnv MYENV envval\n")
	for i, c := range cases {
		expr := rep.Replace(c.expr)
		if c.str {
			fmt.Fprintf(&conf, "Header always set X-S%d %s\n", i, confQuote("expr="+expr))
		} else {
			fmt.Fprintf(&conf, "Header always set X-B%d 1 %s\n", i, confQuote("expr="+expr))
		}
	}
	conf.WriteString("</Location>\n")
	for i, v := range vary {
		must(t, os.WriteFile(filepath.Join(docroot, fmt.Sprintf("v%d", i)), []byte("x"), 0o644))
		fmt.Fprintf(&conf, "<Location /v%d>\nHeader always set X-V 1 %s\n</Location>\n", i, confQuote("expr="+v))
	}
	cf := filepath.Join(dir, "httpd.conf")
	must(t, os.WriteFile(cf, []byte(conf.String()), 0o644))

	cmd := exec.Command(r.bin, "-X", "-f", cf)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	must(t, cmd.Start())
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("apache2 did not start: %s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}

	client := &http.Client{Timeout: 10 * time.Second}
	get := func(path string) *http.Response {
		req, err := http.NewRequest("GET", "http://"+addr+path, nil)
		must(t, err)
		req.Host = "example.com"
		req.Header.Set("User-Agent", "UA/1.0")
		req.Header.Set("X-Test", "Hello World")
		resp, err := client.Do(req)
		must(t, err)
		if resp.StatusCode != 200 {
			t.Errorf("GET %s: status %d", path, resp.StatusCode)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	newCtx := func() *fakeCtx {
		return &fakeCtx{
			vars: map[string]string{
				"REQUEST_URI": "/t", "QUERY_STRING": "a=1&b=%41", "REQUEST_METHOD": "GET",
				"REQUEST_SCHEME": "http", "SERVER_PROTOCOL": "HTTP/1.1",
				"THE_REQUEST": "GET /t?a=1&b=%41 HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
			},
			hdrs:  map[string]string{"host": "example.com", "user-agent": "UA/1.0", "x-test": "Hello World"},
			env:   map[string]string{"MYENV": "envval"},
			now:   time.Now(),
			osenv: map[string]string{},
		}
	}

	resp := get("/t?a=1&b=%41")
	time.Sleep(100 * time.Millisecond) // let the error log be written
	logText, _ := os.ReadFile(filepath.Join(dir, "error.log"))
	for i, c := range cases {
		expr := rep.Replace(c.expr)
		if c.str {
			e, err := ParseString(expr)
			if err != nil {
				t.Errorf("ParseString(%q): %v", expr, err)
				continue
			}
			got, err := e.EvalString(newCtx())
			apache := resp.Header.Get(fmt.Sprintf("X-S%d", i))
			if err != nil {
				if apache != "" || !strings.Contains(string(logText), "Can't evaluate value expression: "+err.Error()) {
					t.Errorf("%.80q: apexpr error %q, apache value %q", expr, err, apache)
				}
				continue
			}
			// net/http trims the header value.
			if strings.TrimSpace(got) != apache {
				t.Errorf("%.80q: apexpr %q, apache %q", expr, got, apache)
			}
			continue
		}
		e, err := Parse(expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", expr, err)
			continue
		}
		got, err := e.Eval(newCtx())
		apache := resp.Header.Get(fmt.Sprintf("X-B%d", i)) == "1"
		if err != nil {
			if !apache || !strings.Contains(string(logText), "Failed to evaluate expression ("+err.Error()+") - ignoring") {
				t.Errorf("%.80q: apexpr error %q, apache header set=%v", expr, err, apache)
			}
			continue
		}
		if got != apache {
			t.Errorf("%.80q: apexpr %v, apache %v", expr, got, apache)
		}
	}
	for i, v := range vary {
		resp := get(fmt.Sprintf("/v%d", i))
		e := MustParse(v)
		ctx := newCtx()
		if _, err := e.Eval(ctx); err != nil {
			t.Errorf("%q: %v", v, err)
		}
		// Apache's header filter rewrites "a, b" as "a,b".
		got := strings.ReplaceAll(strings.Join(ctx.vary, ", "), ", ", ",")
		if want := resp.Header.Get("Vary"); got != want {
			t.Errorf("%q: Vary %q, apache %q", v, got, want)
		}
	}
}
