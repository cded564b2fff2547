package rewrite

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/internal/apregex"
)

// fakeServer is a request's surroundings for the engine's tests.
type fakeServer struct {
	vars    map[string]string
	header  http.Header
	env     map[string]string
	cookies []string
	logs    []string
	// names are the virtual host's names (port 80).
	names []string
}

func (s *fakeServer) Var(name string) (string, bool) { v, ok := s.vars[name]; return v, ok }
func (s *fakeServer) Header(name string) string {
	if strings.EqualFold(name, "Host") {
		return s.vars["HOST"]
	}
	return strings.Join(s.header.Values(name), ", ")
}
func (s *fakeServer) RespHeader(string) string              { return "" }
func (s *fakeServer) Env(name string) (string, bool)        { v, ok := s.env[name]; return v, ok }
func (s *fakeServer) Note(string) (string, bool)            { return "", false }
func (s *fakeServer) SetEnv(name, value string)             { s.env[name] = value }
func (s *fakeServer) UnsetEnv(name string)                  { delete(s.env, name) }
func (s *fakeServer) AddCookie(_, header string)            { s.cookies = append(s.cookies, header) }
func (s *fakeServer) Log(level, msg string)                 { s.logs = append(s.logs, level+": "+msg) }
func (s *fakeServer) SubrequestURI(uri string) int          { return 200 }
func (s *fakeServer) SubrequestFile(p string) (int, string) { return 200, p }
func (s *fakeServer) LookAhead(p string, file bool) *Request {
	return &Request{Server: s, URI: p, Filename: "/looked" + p}
}
func (s *fakeServer) MatchesVhost(host string, port int) bool {
	for _, n := range s.names {
		if strings.EqualFold(n, host) && port == 80 {
			return true
		}
	}
	return false
}

// conf reads mod_rewrite directives into a server configuration (or a
// directory's, when dir is not "").
func conf(t *testing.T, dir string, lines ...string) (*ServerConf, *DirConf) {
	t.Helper()
	sc, dc := &ServerConf{}, NewDirConf(dir)
	dc.SetEngine(true)
	list := &sc.ruleList
	if dir != "" {
		list = &dc.ruleList
	}
	for _, l := range lines {
		name, args, _ := strings.Cut(l, " ")
		var err error
		switch name {
		case "RewriteRule":
			_, err = list.AddRule(args, "test.conf", 1)
		case "RewriteCond":
			_, err = list.AddCond(args)
		case "RewriteBase":
			err = dc.SetBase(args)
		case "RewriteOptions":
			var o Options
			o, _, err = ParseOptions(args)
			dc.AddOptions(o)
			sc.AddOptions(o)
		case "RewriteMap":
			f := strings.Fields(args)
			var m *Map
			m, err = ParseMap(f[0], f[1], "", func(p string) string { return p }, false)
			if m != nil {
				sc.AddMap(m)
			}
		default:
			t.Fatalf("unknown directive %q", name)
		}
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	return sc, dc
}

// request is a GET for target on http://example.test/.
func request(target string, srv *fakeServer) *Request {
	p, q, has := strings.Cut(target, "?")
	p = strings.ReplaceAll(p, "%3F", "?")
	if srv.vars == nil {
		srv.vars = map[string]string{}
	}
	if srv.env == nil {
		srv.env = map[string]string{}
	}
	if srv.header == nil {
		srv.header = http.Header{}
	}
	srv.names = append(srv.names, "example.test")
	return &Request{Server: srv, Method: "GET", URI: p, UnparsedURI: target, Args: q, HasArgs: has,
		Scheme: "http", ServerName: "example.test", Port: 80, DefaultPort: 80,
		DocumentRoot: "/nonexistent-docroot", FollowSymLinks: true}
}

func TestTranslate(t *testing.T) {
	tests := []struct {
		name   string
		lines  []string
		target string
		header http.Header
		// want is the result: "file <name>", "pt <uri>", "status <n> <location>",
		// or "declined".
		want string
		args string
	}{
		{"docroot prefix", []string{"RewriteRule ^/old/(.*)$ /new/$1"}, "/old/a", nil, "file /nonexistent-docroot/new/a", ""},
		{"no match", []string{"RewriteRule ^/old/ /new/"}, "/x", nil, "declined", ""},
		{"redirect", []string{"RewriteRule ^/old/(.*) /new/$1 [R=301,L]"}, "/old/a?x=1", nil, "status 301 http://example.test/new/a?x=1", "x=1"},
		{"redirect escapes", []string{"RewriteRule ^/(.*) http://other.test/$1#frag [R]"}, "/a b", nil, "status 302 http://other.test/a%20b%23frag", ""},
		{"redirect NE", []string{"RewriteRule ^/(.*) http://other.test/$1#frag [R,NE]"}, "/a", nil, "status 302 http://other.test/a#frag", ""},
		{"QSA", []string{"RewriteRule ^/p/(.*) /index.php?page=$1 [QSA]"}, "/p/x?y=2", nil, "file /nonexistent-docroot/index.php", "page=x&y=2"},
		{"query replaced", []string{"RewriteRule ^/p/(.*) /index.php?page=$1"}, "/p/x?y=2", nil, "file /nonexistent-docroot/index.php", "page=x"},
		{"QSD", []string{"RewriteRule ^/p /q [QSD]"}, "/p?y=2", nil, "file /nonexistent-docroot/q", ""},
		{"trailing ? drops query", []string{"RewriteRule ^/p /q?"}, "/p?y=2", nil, "file /nonexistent-docroot/q", ""},
		{"B escapes", []string{"RewriteRule ^/s/(.*) /search?q=$1 [B]"}, "/s/a b&c", nil, "file /nonexistent-docroot/search", "q=a+b%26c"},
		{"unsafe ?", []string{"RewriteRule ^/s/(.*) /$1"}, "/s/a%3Fb", nil, "status 403 ", ""},
		{"F", []string{"RewriteRule \\.bak$ - [F]"}, "/x.bak", nil, "status 403 ", ""},
		{"G", []string{"RewriteRule ^/gone - [G]"}, "/gone", nil, "status 410 ", ""},
		{"R=404", []string{"RewriteRule ^/nf - [R=404]"}, "/nf", nil, "status 404 ", ""},
		{"PT", []string{"RewriteRule ^/app(.*) /wsgi$1 [PT]"}, "/app/x", nil, "pt /wsgi/x", ""},
		{"cond host redirect", []string{"RewriteCond %{HTTP_HOST} ^www\\.(.+)$ [NC]", "RewriteRule ^/(.*) http://%1/$1 [R=301]"},
			"/a", http.Header{"Host": {"WWW.Example.test"}}, "status 301 http://Example.test/a", ""},
		{"cond fails", []string{"RewriteCond %{HTTP_HOST} ^www\\.", "RewriteRule ^/(.*) http://x/ [R]"}, "/a", nil, "declined", ""},
		{"OR", []string{"RewriteCond %{HTTP:X-A} =1 [OR]", "RewriteCond %{HTTP:X-B} =1", "RewriteRule ^/o /yes"},
			"/o", http.Header{"X-B": {"1"}}, "file /nonexistent-docroot/yes", ""},
		{"skip", []string{"RewriteRule ^/s - [S=1]", "RewriteRule ^/s /skipped", "RewriteRule ^/s /after"}, "/s", nil, "file /nonexistent-docroot/after", ""},
		{"chain breaks", []string{"RewriteRule ^/c /c1 [C]", "RewriteRule ^/nomatch /c2", "RewriteRule ^/c1 /c3"}, "/c", nil, "file /nonexistent-docroot/c3", ""},
		{"chain skips", []string{"RewriteRule ^/x /c1 [C]", "RewriteRule ^/c /c2", "RewriteRule ^/c /c3 [L]"}, "/c", nil, "file /nonexistent-docroot/c3", ""},
		{"N loop limit", []string{"RewriteRule ^/(.*)a(.*)$ /$1b$2 [N=5]"}, "/aaaaaaaa", nil, "status 500 ", ""},
		{"N loop", []string{"RewriteRule ^/(.*)a(.*)$ /$1b$2 [N]"}, "/aaa", nil, "file /nonexistent-docroot/bbb", ""},
		{"negated", []string{"RewriteRule !^/static /front.php [L]"}, "/x", nil, "file /nonexistent-docroot/front.php", ""},
		{"self reduction", []string{"RewriteRule ^/r http://example.test/target"}, "/r", nil, "file /nonexistent-docroot/target", ""},
		{"other host redirects", []string{"RewriteRule ^/r http://elsewhere.test/target"}, "/r", nil, "status 302 http://elsewhere.test/target", ""},
		{"leading slashes merged", []string{"RewriteRule ^/d(.*) /$1"}, "/d/x", nil, "file /nonexistent-docroot/x", ""},
		{"map", []string{"RewriteMap up int:toupper", "RewriteRule ^/m/(.*) /M/${up:$1|none}"}, "/m/abc", nil, "file /nonexistent-docroot/M/ABC", ""},
		{"map default", []string{"RewriteMap m txt:/nonexistent.map", "RewriteRule ^/m/(.*) /M/${m:$1|dflt}"}, "/m/abc", nil, "file /nonexistent-docroot/M/dflt", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lines := tc.lines
			srv := &fakeServer{header: tc.header, vars: map[string]string{}}
			if h := tc.header.Get("Host"); h != "" {
				srv.vars["HOST"] = h
			}
			var sc *ServerConf
			var dc *DirConf
			if strings.HasPrefix(tc.name, "map default") {
				// ParseMap checks the file exists: make one.
				f := filepath.Join(t.TempDir(), "m.txt")
				os.WriteFile(f, []byte("other value\n"), 0o644)
				lines = []string{"RewriteMap m txt:" + f, lines[1]}
			}
			sc, dc = conf(t, "", lines...)
			r := request(tc.target, srv)
			res := Translate(sc, dc, r)
			got := ""
			switch res.Action {
			case Declined:
				got = "declined"
			case Mapped:
				got = "file " + r.Filename
			case PassThrough:
				got = "pt " + r.URI
			case Answer:
				got = "status " + itoa(res.Status) + " " + res.Location
			}
			if got != tc.want {
				t.Errorf("got %q, want %q (logs %q)", got, tc.want, srv.logs)
			}
			if res.Action == Mapped && r.Args != tc.args {
				t.Errorf("args %q, want %q", r.Args, tc.args)
			}
			if srv.env["SCRIPT_URL"] != r.URI && res.Action != PassThrough {
				t.Errorf("SCRIPT_URL %q", srv.env["SCRIPT_URL"])
			}
		})
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	s := ""
	for ; n > 0; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

func TestFixup(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "index.php"), []byte("x"), 0o644)
	tests := []struct {
		name     string
		lines    []string
		filename string
		want     string
	}{
		{"front controller", []string{"RewriteCond %{REQUEST_FILENAME} !-f", "RewriteRule ^(.*)$ index.php?p=$1 [L,QSA]"},
			dir + "/some/page", "redirect " + dir + "/index.php?p=some/page"},
		{"existing file", []string{"RewriteCond %{REQUEST_FILENAME} !-f", "RewriteRule ^(.*)$ index.php [L]"},
			dir + "/index.php", "declined"},
		{"base", []string{"RewriteBase /app/", "RewriteRule ^old$ new [L]"}, dir + "/old", "redirect /app/new"},
		{"base redirect", []string{"RewriteBase /app/", "RewriteRule ^old$ new [R=301,L]"}, dir + "/old", "status 301 http://example.test/app/new"},
		{"no base redirect", []string{"RewriteRule ^old$ new [R,L]"}, dir + "/old", "status 302 http://example.test" + dir + "/new"},
		{"docroot stripped", []string{"RewriteRule ^old$ new [L]"}, dir + "/old", "redirect /new"},
		{"same file", []string{"RewriteRule ^index\\.php$ index.php [L]"}, dir + "/index.php", "declined"},
		{"END", []string{"RewriteRule ^a$ b [END]"}, dir + "/a", "redirect /b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc, dc := conf(t, dir+"/", tc.lines...)
			srv := &fakeServer{}
			r := request("/x", srv)
			r.Filename = tc.filename
			if tc.name == "docroot stripped" || tc.name == "END" {
				r.DocumentRoot = dir
			}
			res := Fixup(sc, dc, r)
			got := ""
			switch res.Action {
			case Declined:
				got = "declined"
			case Redirect:
				got = "redirect " + res.Location
				if r.Handler != RedirectHandler {
					t.Errorf("handler %q", r.Handler)
				}
			case Answer:
				got = "status " + itoa(res.Status) + " " + res.Location
			}
			if got != tc.want {
				t.Errorf("got %q, want %q (logs %q)", got, tc.want, srv.logs)
			}
			if tc.name == "END" && !r.End {
				t.Errorf("END not recorded")
			}
		})
	}
}

func TestFixupNeedsFollowSymLinks(t *testing.T) {
	sc, dc := conf(t, "/srv/", "RewriteRule ^ /x")
	srv := &fakeServer{}
	r := request("/a", srv)
	r.Filename, r.FollowSymLinks = "/srv/a", false
	if res := Fixup(sc, dc, r); res.Action != Answer || res.Status != 403 {
		t.Fatalf("got %+v", res)
	}
}

func TestExpand(t *testing.T) {
	srv := &fakeServer{vars: map[string]string{"REMOTE_ADDR": "192.0.2.1"}, env: map[string]string{"FOO": "bar"},
		header: http.Header{"User-Agent": {"ua"}}}
	r := request("/p", srv)
	r.Filename = "/file"
	x := &evalCtx{r: r}
	for in, want := range map[string]string{
		`plain`:                    "plain",
		`\$1\%{X}\\`:               `$1%{X}\`,
		`%{REMOTE_ADDR}`:           "192.0.2.1",
		`%{remote_addr}`:           "192.0.2.1",
		`%{ENV:FOO}-%{env:x}`:      "bar-",
		`%{HTTP_USER_AGENT}`:       "ua",
		`%{REQUEST_FILENAME}`:      "/file",
		`%{UNKNOWN_VAR}x`:          "x",
		`%{unclosed`:               "%{unclosed",
		`${nomap}`:                 "${nomap}",
		`${nomap:key|d%{ENV:FOO}}`: "dbar",
		`$9%9$`:                    "$",
		`trailing\`:                `trailing\`,
		`%`:                        "%",
	} {
		if got := x.expand(in, nil, nil); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
	if strings.Join(x.varyThis, ",") != "User-Agent" {
		t.Errorf("vary %q", x.varyThis)
	}
}

func TestQmarkTracking(t *testing.T) {
	srv := &fakeServer{}
	r := request("/p", srv)
	x := &evalCtx{r: r, rrSrc: "a?b", rrM: []int{0, 3, 0, 3}, rrOK: true}
	for _, tc := range []struct {
		in    string
		flags ruleFlag
		want  int
	}{
		{"/x?q=$1", 0, 0},
		{"/$1", 0, 1},
		{"/$1?x", 0, 1},
		{"/$1?x", flagQSLast, 0},
		{"/x?$1", flagQSLast, 1},
		{"/plain", 0, -1},
	} {
		q := -1
		x.expand(tc.in, &Rule{flags: tc.flags}, &q)
		if q != tc.want {
			t.Errorf("%q flags %x: qmark %d, want %d", tc.in, tc.flags, q, tc.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for args, want := range map[string]string{
		"":               "RewriteRule: bad argument line ''",
		"a":              "RewriteRule: bad argument line 'a'",
		"a b c":          "RewriteRule: bad flag delimiters",
		"a b [Foo]":      "RewriteRule: unknown flag 'Foo'",
		"a b [L,,NC]":    "RewriteRule: unknown flag ''",
		"a b [R=299]":    "RewriteRule: invalid HTTP response code '299' for flag 'R'",
		"a b [BNE]":      "RewriteRule: flag 'BNE' wants a list of characters (i.e. [BNE=...])",
		"( b":            "RewriteRule: cannot compile regular expression '('",
		"a** b":          "RewriteRule: cannot compile regular expression 'a**'",
		`"a b" c [L]`:    "",
		"a b [Dunknown]": "",
		"(?=x) b":        "",
	} {
		_, _, err := parseRule(args)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("RewriteRule %s: %q, want %q", args, got, want)
		}
	}
	// A lookahead runs on PCRE; without PCRE it loads as a finding.
	r, issue, _ := parseRule("(?=x) b")
	if apregex.PCRE() && (r.re == nil || issue != nil) {
		t.Errorf("lookahead with PCRE: re %v issue %+v", r.re, issue)
	}
	if !apregex.PCRE() && (r.re != nil || issue == nil || issue.Unsupported == "") {
		t.Errorf("lookahead without PCRE: re %v issue %+v", r.re, issue)
	}
	for args, want := range map[string]string{
		"a":          "RewriteCond: bad argument line 'a'",
		"a b [OR,X]": "RewriteCond: unknown flag 'X'",
		"a ( ":       "RewriteCond: cannot compile regular expression '('",
		"a -f [NC]":  "",
	} {
		_, _, err := parseCond(args)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("RewriteCond %s: %q, want %q", args, got, want)
		}
	}
}

func TestCondOperators(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, []byte("data"), 0o755)
	empty := filepath.Join(dir, "e")
	os.WriteFile(empty, nil, 0o644)
	link := filepath.Join(dir, "l")
	os.Symlink(file, link)
	srv := &fakeServer{}
	r := request("/p", srv)
	x := &evalCtx{r: r}
	for args, want := range map[string]bool{
		file + " -f":     true,
		file + " !-f":    false,
		dir + " -f":      false,
		dir + " -d":      true,
		file + " -s":     true,
		empty + " -s":    false,
		link + " -l":     true,
		file + " -L":     false,
		file + " -x":     true,
		empty + " -x":    false,
		"10 -lt9":        false,
		"10 -gt9":        true,
		"10 -eq10":       true,
		"10 !-ne10":      true,
		"abc <abd":       true,
		"abc <ab":        false, // shorter is smaller
		"ab <=abc":       true,
		"b >abc":         false,
		"ABC =abc":       false,
		"ABC =abc [NC]":  true,
		`x =""`:          false,
		"Abc ^abc [NC]":  true,
		"abc !^b":        true,
		"1 -U":           true,
		`expr "1 -eq 1"`: true,
	} {
		c, _, err := parseCond(args)
		if err != nil {
			t.Fatalf("%s: %v", args, err)
		}
		if got := x.applyCond(c); got != want {
			t.Errorf("RewriteCond %s = %v, want %v", args, got, want)
		}
	}
}

func TestMerge(t *testing.T) {
	_, parent := conf(t, "/p/", "RewriteRule ^a /pa")
	_, child := conf(t, "/p/c/", "RewriteRule ^b /cb")
	if m := MergeDir(parent, child); len(m.Rules) != 1 || m.Rules[0].Output != "/cb" || m.Directory != "/p/c/" {
		t.Errorf("no inherit: %+v", m)
	}
	child.AddOptions(OptInherit)
	if m := MergeDir(parent, child); len(m.Rules) != 2 || m.Rules[1].Output != "/pa" {
		t.Errorf("Inherit: rules %v", m.Rules)
	}
	child.Options = OptInheritBefore
	if m := MergeDir(parent, child); len(m.Rules) != 2 || m.Rules[0].Output != "/pa" {
		t.Errorf("InheritBefore: rules %v", m.Rules)
	}
	if MergeDir(parent, nil) != parent || MergeDir(nil, child) != child {
		t.Errorf("nil merges")
	}
	mainConf, _ := conf(t, "", "RewriteRule ^a /main")
	vh, _ := conf(t, "", "RewriteRule ^b /vhost")
	if m := MergeServer(mainConf, vh); len(m.Rules) != 1 {
		t.Errorf("vhost without Inherit sees %d rules", len(m.Rules))
	}
	vh.AddOptions(OptInherit)
	if m := MergeServer(mainConf, vh); len(m.Rules) != 2 || m.Rules[1].Output != "/main" {
		t.Errorf("vhost Inherit: %v", m.Rules)
	}
}

func TestTxtMap(t *testing.T) {
	data := "# comment\n key skipped\nalpha one two\nbeta\nbeta second\nalpha again\n" + strings.Repeat("x", 1030) + " long\n"
	m := parseTxtMap([]byte(data))
	for k, want := range map[string]string{"alpha": "one", "beta": "second", "key": "", "#": ""} {
		if m[k] != want {
			t.Errorf("%q = %q, want %q", k, m[k], want)
		}
	}
	if _, ok := m[strings.Repeat("x", 1024)]; ok {
		t.Errorf("a line over 1024 bytes is read in pieces")
	}
	if got := unescapeMapKey("a%2Fb%zz%41%00c"); got != "a/b%zzA" {
		t.Errorf("unescape %q", got)
	}
}

func TestCookie(t *testing.T) {
	srv := &fakeServer{}
	r := request("/p", srv)
	x := &evalCtx{r: r}
	x.addCookie("a:1:example.test")
	x.addCookie(";b;2;.example.test;0;/p;true;true;Strict")
	x.addCookie("c:3:d:0:/:false:true")
	x.addCookie("short:1")
	want := []string{"a=1; path=/; domain=example.test",
		"b=2; path=/p; domain=.example.test; secure; HttpOnly; SameSite=Strict",
		"c=3; path=/; domain=d"}
	if strings.Join(srv.cookies, "|") != strings.Join(want, "|") {
		t.Errorf("cookies %q", srv.cookies)
	}
}

func TestUnimplementedMaps(t *testing.T) {
	same := func(p string) string { return p }
	for _, src := range []string{"dbm=ndbm:/etc/hostname", "dbm=sdbm:/etc/hostname.x"} {
		m, err := ParseMap("m", src, "", same, false)
		if strings.HasSuffix(src, ".x") {
			if err == nil || err.Error() != "RewriteMap: file for map m not found:/etc/hostname.x.dir" {
				t.Errorf("%s: %v", src, err)
			}
			continue
		}
		if err != nil || m.Unimplemented == "" {
			t.Fatalf("%s: %v %+v", src, err, m)
		}
		if v, ok := m.lookup("key", nil); ok {
			t.Errorf("%s found %q", src, v)
		}
	}
	if _, err := ParseMap("m", "dbd:SELECT 1", "", same, false); err == nil || err.Error() != "RewriteMap types dbd and fastdbd require mod_dbd!" {
		t.Errorf("dbd without mod_dbd: %v", err)
	}
	if _, err := ParseMap("m", "int:nosuch", "", same, false); err == nil || err.Error() != "RewriteMap: internal map not found:nosuch" {
		t.Errorf("int: %v", err)
	}
}
