package apexpr

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeCtx is a Context backed by maps.
type fakeCtx struct {
	vars   map[string]string
	hdrs   map[string]string // keys in lower case
	resp   map[string]string // keys in lower case
	env    map[string]string
	notes  map[string]string
	osenv  map[string]string
	now    time.Time
	vary   []string
	subURI map[string]int
}

func (c *fakeCtx) Var(name string) (string, bool) { v, ok := c.vars[name]; return v, ok }
func (c *fakeCtx) Header(name string) string      { return c.hdrs[strings.ToLower(name)] }
func (c *fakeCtx) RespHeader(name string) string  { return c.resp[strings.ToLower(name)] }
func (c *fakeCtx) Env(name string) (string, bool) { v, ok := c.env[name]; return v, ok }
func (c *fakeCtx) Note(name string) (string, bool) {
	v, ok := c.notes[name]
	return v, ok
}
func (c *fakeCtx) OSEnv(name string) (string, bool) { v, ok := c.osenv[name]; return v, ok }
func (c *fakeCtx) AddVary(h string)                 { c.vary = append(c.vary, h) }
func (c *fakeCtx) Now() time.Time                   { return c.now }
func (c *fakeCtx) SubrequestURI(uri string) int {
	if s, ok := c.subURI[uri]; ok {
		return s
	}
	return 404
}
func (c *fakeCtx) SubrequestFile(path string) (int, string) { return 200, path }

func newFakeCtx() *fakeCtx {
	return &fakeCtx{
		vars: map[string]string{
			"REQUEST_URI":    "/foo/bar",
			"REQUEST_METHOD": "GET",
			"QUERY_STRING":   "a=1&b=%41",
			"REMOTE_ADDR":    "192.168.1.20",
			"SERVER_PORT":    "8080",
			"THE_REQUEST":    "GET /foo/bar?a=1&b=%41 HTTP/1.1",
			"HTTPS":          "on",
		},
		hdrs: map[string]string{
			"host":       "www.example.com",
			"user-agent": "Mozilla/5.0 (X11)",
			"x-test":     "Hello World",
			"cookie":     "sid=abc",
		},
		resp:   map[string]string{"content-type": "text/html"},
		env:    map[string]string{"MYENV": "envval", "BOTH": "from-env", "EMPTY": ""},
		notes:  map[string]string{"MYNOTE": "noteval", "BOTH": "from-note"},
		osenv:  map[string]string{"HOME": "/home/x", "MYENV": "os-env"},
		now:    time.Date(2024, time.March, 5, 7, 8, 9, 0, time.Local),
		subURI: map[string]int{"/ok": 200, "/redir": 302},
	}
}

func TestEvalBool(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	empty := filepath.Join(dir, "empty")
	link := filepath.Join(dir, "link")
	exe := filepath.Join(dir, "exe")
	must(t, os.WriteFile(file, []byte("hello\n"), 0o644))
	must(t, os.WriteFile(empty, nil, 0o644))
	must(t, os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755))
	must(t, os.Symlink(file, link))
	r := strings.NewReplacer("FILE", file, "EMPTY", empty, "LINK", link, "EXE", exe, "DIR", dir)

	cases := []struct {
		expr string
		want bool
	}{
		{"true", true},
		{"false", false},
		{"!true", false},
		{"!!true", true},
		{"not false and not false", true},
		{"true || false && false", true},
		{"false && false || true", true},
		{"!true || true", true},
		{"!(true || true)", false},
		{"(false || false) || (true && !false)", true},
		// string vs integer comparison
		{"'10' -gt '9'", true},
		{"'10' > '9'", false},
		{"'abc' -eq 0", true},
		{"' 12x' -eq 12", true},
		{"'+7' -eq 7", true},
		{"-1 -lt 0", true},
		{"'99999999999999999999' -eq '9223372036854775807'", true},
		{"'-99999999999999999999' -eq '-9223372036854775808'", true},
		{"1 eq 1 && 1 ne 2 && 1 lt 2 && 2 le 2 && 3 gt 2 && 2 ge 2", true},
		{"'a' < 'b' && 'b' <= 'b' && 'c' > 'b' && 'c' >= 'c' && 'a' != 'b'", true},
		{"'\xe9' > 'z'", true},
		{"'abc' == 'abc'", true},
		{"'abc' = 'abd'", false},
		// variables and functions
		{"%{REQUEST_URI} == '/foo/bar'", true},
		{"%{request_uri} == '/foo/bar'", true},
		{"%{HTTP_HOST} == 'www.example.com'", true},
		{"%{HTTP_USER_AGENT} =~ /Mozilla/", true},
		{"%{HTTP_REFERER} == ''", true},
		{"req('X-Test') == 'Hello World'", true},
		{"http('x-test') == 'Hello World'", true},
		{"%{req:X-Test} == 'Hello World'", true},
		{"req_novary('X-Test') == 'Hello World'", true},
		{"resp('Content-Type') == 'text/html'", true},
		{"reqenv('MYENV') == 'envval'", true},
		{"note('MYNOTE') == 'noteval'", true},
		{"env('BOTH') == 'from-note'", true},
		{"env('MYENV') == 'envval'", true},
		{"env('EMPTY') == ''", true},
		{"env('HOME') == '/home/x'", true},
		{"osenv('MYENV') == 'os-env'", true},
		{"osenv('NOPE') == ''", true},
		{"tolower('AbC') == 'abc' && toupper('aBc') == 'ABC'", true},
		{"%{HTTPS} == 'on' && %{IPV6} == 'off' && %{IS_SUBREQ} == 'false'", true},
		{"%{TIME_YEAR} == '2024' && %{TIME_MON} == '03' && %{TIME_DAY} == '05'", true},
		{"%{TIME_HOUR} == '07' && %{TIME_MIN} == '08' && %{TIME_SEC} == '09'", true},
		{"%{TIME_WDAY} == '2' && %{TIME} == '20240305070809'", true},
		{"%{API_VERSION} == '20120211'", true},
		{"%{DOCUMENT_URI} == '/foo/bar'", true},
		{"%{QUERY_STRING} =~ /b=%41/", true},
		// in
		{"'b' in {'a', 'b'}", true},
		{"'c' in {'a', 'b'}", false},
		{"%{REQUEST_METHOD} -in {'GET','HEAD'}", true},
		{"'GET' in {%{REQUEST_METHOD}}", true},
		// concatenation
		{"'a' . 'b' == 'ab'", true},
		{"'a' . %{REQUEST_METHOD} . 1 == 'aGET1'", true},
		{"\"x%{REQUEST_METHOD}y\" == 'xGETy'", true},
		{"'' . '' == ''", true},
		// regex and backrefs
		{"'abc' =~ /(b)(c)/ && $1 == 'b' && $2 == 'c' && $0 == 'bc'", true},
		{"'abc' =~ /(b)(c)/ && \"<$1$2>\" == '<bc>'", true},
		{"'abc' =~ /(b)(c)/ && %{tolower:$1} == 'b'", true},
		{"'ab' =~ /(a)/ && 'zz' =~ /z/ && $1 == 'a'", true},
		{"'ab' =~ /(a)/ && !('zz' =~ /(q)/) && $1 == ''", true},
		{"'ab' =~ /(a)|(b)/ && $2 == ''", true},
		{"$1 == ''", true},
		{"'ABC' =~ /b/i", true},
		{"'ABC' =~ /b/", false},
		{"'ABC' !~ /b/", true},
		{"'ABC' =~ m#^a#i", true},
		{"\"a\\nb\" =~ /a.b/", true},
		{"\"ab\\n\" =~ /b$/", false},
		{"'xy' =~ /((((((((((x))))))))))/ && $9 == 'x'", true},
		// unary operators
		{"-n 'x' && -z ''", true},
		{"-n ''", false},
		{"-T 'on' && -T '1' && -T '00' && -T 'nope' && -T 'offx'", true},
		{"-T 'off' || -T 'OFF' || -T 'No' || -T 'false' || -T '0' || -T ''", false},
		{"-R '192.168.0.0/16'", true},
		{"-R '192.168.1.20'", true},
		{"-R '10.0.0.0/8'", false},
		{"-R '192.168'", true},
		{"-R '192.168.1.0/255.255.255.0'", true},
		{"-f 'FILE' && -e 'FILE' && -s 'FILE' && !-d 'FILE'", true},
		{"-f 'DIR' || -s 'EMPTY' || -f 'DIR/none' || -e ''", false},
		{"-d 'DIR' && -e 'DIR' && -f 'EMPTY'", true},
		{"-L 'LINK' && -h 'LINK' && -f 'LINK' && !-L 'FILE'", true},
		{"-x 'EXE' && !-x 'FILE' && -x 'LINK'", true},
		{"-U '/ok' && -A '/ok' && !-U '/redir2' && -U '/redir'", true},
		{"-F 'FILE' && !-F 'DIR/none'", true},
		// binary operators
		{"'192.168.1.7' -ipmatch '192.168.1.0/24'", true},
		{"'192.168.2.7' -ipmatch '192.168.1.0/24'", false},
		{"'::ffff:192.168.1.7' -ipmatch '192.168.1.0/24'", true},
		{"'2001:db8::1' -ipmatch '2001:db8::/32'", true},
		{"'192.168.1.7' -ipmatch '2001:db8::/32'", false},
		{"'localhost' -ipmatch '127.0.0.1'", false},
		{"'127.1' -ipmatch '127.0.0.1'", true},
		{"'010.1.2.3' -ipmatch '10.0.0.0/8'", false},
		{"'010.1.2.3' -ipmatch '8.1.2.3'", true},
		{"'0x7f.1' -ipmatch '127.0.0.0/8'", true},
		{"'/a/b' -fnmatch '/a/*'", true},
		{"'/a/b/c' -fnmatch '/a/*'", false},
		{"'/a/b/c' -strmatch '/a/*'", true},
		{"'ABC' -strcmatch 'a?c'", true},
		{"'ABC' -strmatch 'a?c'", false},
		{"'abc' -STRMATCH '[a-c]bc'", true},
		{"'xbc' -strmatch '[!a-c]bc'", true},
		{"'a]c' -strmatch 'a[]]c'", true},
		{"'a*c' -strmatch 'a\\\\*c'", true},
		{"'abc' -strmatch 'a\\\\*c'", false},
		{"'abc' -strmatch 'a\\*c'", true},
		{"'a[c' -strmatch 'a[c'", true},
		{"'.hidden' -fnmatch '*'", true},
		{"'a' -fnmatch 'a/'", false},
		{"'' -fnmatch '/'", false},
		{"'a' -fnmatch '*/'", false},
		{"'a/' -fnmatch 'a/'", true},
		{"'' -strmatch '*'", true},
		{"'' -strmatch ''", true},
		{"'a/b' -fnmatch 'a?b'", false},
		{"'a/b' -strmatch 'a?b'", true},
	}
	for _, c := range cases {
		src := r.Replace(c.expr)
		e, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		got, err := e.Eval(newFakeCtx())
		if err != nil {
			t.Errorf("Eval(%q): %v", src, err)
			continue
		}
		if got != c.want {
			t.Errorf("Eval(%q) = %v, want %v", src, got, c.want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEvalString(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	must(t, os.WriteFile(file, []byte("hello\x00world"), 0o644))
	r := strings.NewReplacer("FILE", file, "DIR", dir)
	cases := []struct{ expr, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{`"quotes" 'stay'`, `"quotes" 'stay'`},
		{"100% }", "100% }"},
		{`tab\there\nnl \101 \q`, "tab\there\nnl A q"},
		{"x%{REQUEST_URI}y", "x/foo/bary"},
		{"%{REQUEST_METHOD}%{SERVER_PORT}", "GET8080"},
		{"%{req:X-Test}", "Hello World"},
		{"%{tolower:%{req:X-Test}}", "hello world"},
		{"%{toupper:a%{REQUEST_METHOD}b}", "AGETB"},
		{"%{escape:a b/c?d#e%f&g=h~i;j}", "a%20b/c%3fd%23e%25f&g=h~i;j"},
		{"%{escape:\xe9}", "%e9"},
		{"%{unescape:a%20b%2Fc%2fd%41}", "a b%2Fc%2fdA"},
		{"%{unescape:%zz}", ""},
		{"%{unescape:abc%4}", ""},
		{"%{unescape:a%00b}", ""},
		{"%{base64:abc}|%{base64:ab}|%{base64:a}|%{base64:$1}", "YWJj|YWI=|YQ==|"},
		{"%{unbase64:YWJj}|%{unbase64:YWI}|%{unbase64:YWI=}|%{unbase64:Y}|%{unbase64:YW*Jj}", "abc|ab|ab||a"},
		{"%{unbase64:YQBi}", "a"},
		{"%{md5:abc}", "900150983cd24fb0d6963f7d28e17f72"},
		{"%{sha1:abc}", "a9993e364706816aba3e25717850c26c9cd0d89d"},
		{`%{ldap:a*b(c)d\\e,f+g;h<i>j\"k=l#m}`, `a\2ab\28c\29d\5ce\2cf\2bg\3bh\3ci\3ej\22k=l#m`},
		{"%{ldap:\x01\xff}", `\01\ff`},
		{"%{filesize:FILE}|%{filesize:DIR}|%{filesize:DIR/none}", "11|0|0"},
		{"%{file:FILE}", "hello"},
		{"%{reqenv:MYENV}%{note:MYNOTE}%{env:BOTH}%{osenv:HOME}", "envvalnotevalfrom-note/home/x"},
		{"%{resp:Content-Type}", "text/html"},
		{"$1", ""},
	}
	for _, c := range cases {
		src := r.Replace(c.expr)
		e, err := ParseString(src)
		if err != nil {
			t.Errorf("ParseString(%q): %v", src, err)
			continue
		}
		got, err := e.EvalString(newFakeCtx())
		if err != nil {
			t.Errorf("EvalString(%q): %v", src, err)
			continue
		}
		if got != c.want {
			t.Errorf("EvalString(%q) = %q, want %q", src, got, c.want)
		}
	}
}

func TestEvalErrors(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big")
	f, err := os.Create(big)
	must(t, err)
	must(t, f.Truncate(maxFileSize+1))
	f.Close()
	nested := "x"
	for i := 0; i < 25; i++ {
		nested = "%{tolower:" + nested + "}"
	}
	shallow := "x"
	for i := 0; i < 18; i++ {
		shallow = "%{tolower:" + shallow + "}"
	}
	andChain := "true"
	for i := 0; i < 25; i++ {
		andChain = "(" + andChain + " and true)"
	}
	cases := []struct {
		expr string
		str  bool
		err  string
	}{
		{"%{file:" + dir + "/none}", true, "Cannot open file " + dir + "/none"},
		{"%{file:" + big + "}", true, "File " + big + " too large"},
		{"%{file:" + dir + "}", true, "Cannot read from file " + dir},
		{"file('" + dir + "/none') == ''", false, "Cannot open file " + dir + "/none"},
		{nested, true, "Recursion limit reached"},
		{shallow, true, ""},
		{andChain, false, "Recursion limit reached"},
		{"true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true and true", false, ""},
	}
	for _, c := range cases {
		var err error
		if c.str {
			var e *Expr
			e, err = ParseString(c.expr)
			if err == nil {
				_, err = e.EvalString(newFakeCtx())
			}
		} else {
			var e *Expr
			e, err = Parse(c.expr)
			if err == nil {
				_, err = e.Eval(newFakeCtx())
			}
		}
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("%.60q: error %q, want %q", c.expr, got, c.err)
		}
	}
	if _, err := MustParse("true").EvalString(newFakeCtx()); err != ErrNotString {
		t.Errorf("EvalString on boolean: %v", err)
	}
	se, _ := ParseString("x")
	if _, err := se.Eval(newFakeCtx()); err != ErrNotBoolean {
		t.Errorf("Eval on string: %v", err)
	}
}

func TestVary(t *testing.T) {
	cases := []struct {
		expr  string
		flags Flags
		want  []string
	}{
		{"req('X-A') == '' && %{HTTP_USER_AGENT} != '' && req('Host') != ''", 0, []string{"X-A, User-Agent"}},
		{"%{HTTP_HOST} != '' && http('host') != ''", 0, nil},
		{"req_novary('X-A') == ''", 0, nil},
		{"'%{req:X-B}%{req:X-C}' == ''", 0, []string{"X-B, X-C"}},
		{"'%{req:X-B}%{req:X-C}%{req:X-D}' == ''", 0, []string{"X-D, X-C, X-B"}},
		{"req('X-A') . req('X-B') . req('X-C') == ''", 0, []string{"X-A, X-B, X-C"}},
		{"req('X-A') == '' || req('X-B') == ''", 0, []string{"X-A"}},
		{"req('X-A') == ''", FlagDontVary, nil},
		{"%{HTTP_COOKIE} == 'x'", 0, []string{"Cookie"}},
	}
	for _, c := range cases {
		e, err := ParseFlags(c.expr, c.flags)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		ctx := newFakeCtx()
		if _, err := e.Eval(ctx); err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		if strings.Join(ctx.vary, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q: vary %q, want %q", c.expr, ctx.vary, c.want)
		}
	}
}

func TestSSLExprCompat(t *testing.T) {
	cases := []struct {
		expr string
		want bool
	}{
		{"'10' > '9'", true},
		{"'10' -gt '9'", true},
		{"'abc' == 'abc'", true},
		{"'ab' < 'abc'", true},
		{"'b' > 'abc'", false},
		{"'0x' -eq 0", false},
	}
	for _, c := range cases {
		e, err := ParseFlags(c.expr, FlagSSLExprCompat)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.Eval(newFakeCtx())
		if err != nil || got != c.want {
			t.Errorf("%q = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
}

// TestModSSL checks mod_ssl's additions: SSL_ variables and SSL() exist
// only with FlagModSSL (the prefix in any case), are looked up under the
// name as written (mod_ssl's lookup, the context's, decides what case
// matters), and an unset one is empty.
func TestModSSL(t *testing.T) {
	ctx := newFakeCtx()
	ctx.vars["SSL_CLIENT_S_DN_CN"] = "alice"
	ctx.vars["SSL_PROTOCOL"] = "TLSv1.3"
	ctx.vars["ssl_Mixed_Case"] = "as written"
	cases := []struct {
		expr string
		want bool
	}{
		{"%{SSL_CLIENT_S_DN_CN} == 'alice'", true},
		{"%{ssl_client_s_dn_cn} == ''", true},
		{"%{ssl_Mixed_Case} == 'as written'", true},
		{"%{SSL_CLIENT_S_DN_O} == ''", true},
		{"SSL('SSL_PROTOCOL') == 'TLSv1.3'", true},
		{"ssl('HTTP:X-Test') == 'Hello World'", true},
		{"SSL('ENV:MYENV') == 'envval'", true},
		{"SSL('REQUEST_METHOD') == 'GET'", true},
		{"SSL('NO_SUCH') == ''", true},
		{"%{SSL_CLIENT_S_DN_CN} in {'bob', 'alice'} && %{SSL_PROTOCOL} =~ m#^TLSv1\\.[23]$#", true},
	}
	for _, c := range cases {
		if _, err := Parse(c.expr); err == nil {
			t.Errorf("%q parsed without FlagModSSL", c.expr)
		}
		e, err := ParseFlags(c.expr, FlagModSSL|FlagSSLExprCompat)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		got, err := e.Eval(ctx)
		if err != nil || got != c.want {
			t.Errorf("%q = %v, %v; want %v", c.expr, got, err, c.want)
		}
	}
	if _, err := ParseFlags("PeerExtList('1.2.3') == 'x'", FlagModSSL); err == nil {
		t.Error("PeerExtList accepted")
	}
}

func TestBackrefsFromCaller(t *testing.T) {
	e, err := ParseString("/new/$1/$2$9")
	must(t, err)
	br := &Backrefs{Source: "/old/abc/def", Match: []int{0, 12, 5, 8, 9, 12}}
	got, err := e.EvalStringRe(newFakeCtx(), br)
	if err != nil || got != "/new/abc/def" {
		t.Errorf("got %q, %v", got, err)
	}
	b := MustParse("'xyz' =~ /(y)/")
	br = &Backrefs{}
	ok, err := b.EvalRe(newFakeCtx(), br)
	if err != nil || !ok || br.Get(1) != "y" || br.Get(0) != "y" || br.Source != "xyz" {
		t.Errorf("captures not stored: %v %v %+v", ok, err, br)
	}
}

func TestConcurrentEval(t *testing.T) {
	e := MustParse("'abc' =~ /(b)/ && $1 == 'b' && req('X-Test') == 'Hello World'")
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				ok, err := e.Eval(newFakeCtx())
				if err != nil || !ok {
					errs <- "concurrent evaluation failed"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Fatal(msg)
	}
}

func TestNames(t *testing.T) {
	for _, n := range VarNames() {
		if _, err := Parse("%{" + n + "} == ''"); err != nil {
			t.Errorf("variable %s: %v", n, err)
		}
	}
	for _, n := range FuncNames() {
		if _, err := Parse(n + "('x') == ''"); err != nil {
			t.Errorf("function %s: %v", n, err)
		}
	}
	for _, n := range UnaryOpNames() {
		arg := "'x'"
		if n == "R" {
			arg = "'10.0.0.1'"
		}
		if _, err := Parse("-" + n + " " + arg); err != nil {
			t.Errorf("unary -%s: %v", n, err)
		}
	}
	for _, n := range BinaryOpNames() {
		if _, err := Parse("'1.2.3.4' -" + n + " '1.2.3.4'"); err != nil {
			t.Errorf("binary -%s: %v", n, err)
		}
	}
	if len(VarNames()) != 52 || len(FuncNames()) != 19 || len(UnaryOpNames()) != 14 || len(BinaryOpNames()) != 4 {
		t.Errorf("unexpected name counts %d %d %d %d", len(VarNames()), len(FuncNames()), len(UnaryOpNames()), len(BinaryOpNames()))
	}
}
