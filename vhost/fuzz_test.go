package vhost_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gowsgid/gowsgid/authz"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
)

// mapperConf is the configuration FuzzMap serves: two name-based
// virtual hosts on 127.0.0.1 and an IP-based one on 127.0.0.2, Alias,
// AliasMatch, ScriptAlias-free static mapping, Redirect, Directory rules
// that allow and forbid symbolic links, a denied directory, listings and
// the ".ht*" rule. $R is the fuzz tree's root.
const mapperConf = `LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule authz_host_module /usr/lib/apache2/modules/mod_authz_host.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so
LoadModule rewrite_module /usr/lib/apache2/modules/mod_rewrite.so
Listen 127.0.0.1:80
Listen 127.0.0.2:80
ServerName main.test
ErrorLog /dev/null
TypesConfig /dev/null
DocumentRoot $R/site
<Directory />
    Options None
    AllowOverride None
    Require all denied
</Directory>
<Files ".ht*">
    Require all denied
</Files>
<Directory $R/site>
    Options Indexes
    Require all granted
</Directory>
<Directory $R/site/follow>
    Options +FollowSymLinks
</Directory>
<Directory $R/site/owner>
    Options +SymLinksIfOwnerMatch
</Directory>
<Directory $R/site/private>
    Require all denied
</Directory>
<Directory $R/alias>
    Options Indexes FollowSymLinks
    AllowOverride All
    Require all granted
</Directory>
<Directory $R/vhostb>
    Options Indexes
    Require all granted
</Directory>
Alias /al/ $R/alias/
Alias /al2 $R/alias
AliasMatch ^/am/(.*)$ $R/alias/$1
Redirect /old http://main.test/new
<VirtualHost 127.0.0.1:80>
    ServerName a.test
    DocumentRoot $R/site
    RewriteEngine On
    # (.+): with (.*), "/rw/" becomes "/", which prefix_stat takes for
    # the file system's root as Apache does (<Directory /> denies it).
    RewriteRule ^/rw/(.+)$ /$1
    RewriteRule ^/rwfs/(.*)$ $R/site/$1
    RewriteRule ^/rwpt/(.*)$ /al/$1 [PT]
    RewriteRule ^/rwq/(.*)$ /pub.txt?q=$1 [QSA,B]
</VirtualHost>
<VirtualHost 127.0.0.1:80>
    ServerName b.test
    ServerAlias *.b.test
    DocumentRoot $R/vhostb
    AllowEncodedSlashes On
</VirtualHost>
<VirtualHost 127.0.0.2:80>
    ServerName ip2.test
    DocumentRoot $R/vhostb
    AllowEncodedSlashes NoDecode
    Alias /up $R/site/follow
</VirtualHost>
`

// secretMark is in every file outside the mapped roots, in every .ht*
// file and in every file of a denied directory: no response may ever
// show it, nor the name of anything outside the roots.
const secretMark = "SECRET-8d3f"

// mapperTree is the fuzz tree: the roots site/, alias/ and vhostb/, and
// outside/, which nothing maps. Values starting with "->" are symbolic
// links (relative to the link's directory).
var mapperTree = map[string]string{
	"site/index.html":                      "<p>index</p>\n",
	"site/pub.txt":                         "public\n",
	"site/.htaccess":                       "# " + secretMark + "\n",
	"site/.htpasswd":                       "u:" + secretMark + "\n",
	"site/private/p.txt":                   secretMark + " private\n",
	"site/follow/in":                       "->../pub.txt",
	"site/follow/indir":                    "->../../alias",
	"site/nofollow/out":                    "->../../outside/secret.txt",
	"site/nofollow/outdir":                 "->../../outside",
	"site/nofollow/in":                     "->../pub.txt",
	"site/owner/out":                       "->../../outside/owned-by-other.txt",
	"site/owner/in":                        "->../pub.txt",
	"site/sub/x.txt":                       "x\n",
	"alias/a.txt":                          "a\n",
	"alias/.htaccess":                      "# " + secretMark + "\nRewriteEngine On\nRewriteRule ^x/(.*)$ $1 [L]\n",
	"alias/d/b.txt":                        "b\n",
	"vhostb/index.html":                    "<p>b</p>\n",
	"vhostb/c.txt":                         "c\n",
	"vhostb/nolink":                        "->../outside/secret.txt",
	"outside/secret.txt":                   secretMark + " outside\n",
	"outside/owned-by-other.txt":           secretMark + " other owner\n",
	"outside/" + secretMark + "-dir/f.txt": secretMark + "\n",
}

// mapper is the fuzz target's fixture.
type mapper struct {
	root    string
	roots   []string // the mapped roots, symbolic links resolved
	handler *vhost.Handler
	access  *recordingAccess
}

// newMapper builds the fixture in a temporary directory of tb.
func newMapper(tb testing.TB) *mapper {
	tb.Helper()
	m, err := buildMapper(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func buildMapper(dir string) (*mapper, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, err
	}
	if err := writeMapperTree(root); err != nil {
		return nil, err
	}
	conf := filepath.Join(root, "httpd.conf")
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(mapperConf, "$R", root)), 0o644); err != nil {
		return nil, err
	}
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: root, ConfigFile: conf,
		Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{})
	if err != nil {
		return nil, fmt.Errorf("loading the fuzz configuration: %w", err)
	}
	table, err := vhost.Build(cfg)
	if err != nil {
		return nil, fmt.Errorf("building the fuzz table: %w", err)
	}
	checker := authz.NewChecker(authz.Options{ModuleLoaded: cfg.Tree.IsLoaded})
	m := &mapper{root: root, access: &recordingAccess{next: vhost.AuthzAccess{Checker: checker}}}
	for _, r := range []string{"site", "alias", "vhostb"} {
		m.roots = append(m.roots, filepath.Join(root, r))
	}
	m.handler = &vhost.Handler{Table: table, Services: vhost.Services{Access: m.access}}
	return m, nil
}

func writeMapperTree(root string) error {
	for name, content := range mapperTree {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		var err error
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			return fmt.Errorf("writing the fuzz tree: %w", err)
		}
	}
	// SymLinksIfOwnerMatch refuses owner/out only when its target has
	// another owner; root can arrange that, others remove the link.
	other := filepath.Join(root, "outside/owned-by-other.txt")
	if os.Geteuid() != 0 || os.Lchown(other, 65534, 65534) != nil {
		return os.Remove(filepath.Join(root, "site/owner/out"))
	}
	return nil
}

// recordingAccess records the file of every request that reaches the
// access check (the main request and DirectoryIndex sub-requests), then
// decides as authz does.
type recordingAccess struct {
	next  vhost.AccessChecker
	mu    sync.Mutex
	files []string
}

func (a *recordingAccess) CheckAccess(r *vhost.Request) vhost.AccessResult {
	if r.Info != nil {
		a.mu.Lock()
		a.files = append(a.files, r.Filename)
		a.mu.Unlock()
	}
	return a.next.CheckAccess(r)
}

func (a *recordingAccess) take() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	f := a.files
	a.files = nil
	return f
}

// inside reports whether path, symbolic links resolved, is one of the
// roots or below one.
func (m *mapper) inside(path string) bool {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return true // gone or unreadable: nothing can be served from it
	}
	for _, r := range m.roots {
		if real == r || strings.HasPrefix(real, r+"/") {
			return true
		}
	}
	return false
}

// request is what net/http would hand the handler for this request line
// and Host, or nil when net/http refuses it itself.
func fuzzRequest(method, target, host string, local net.IP) *http.Request {
	raw := method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
	hr, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		return nil
	}
	addr := &net.TCPAddr{IP: local, Port: 80}
	hr = hr.WithContext(context.WithValue(context.Background(), http.LocalAddrContextKey, addr))
	hr.RemoteAddr = "127.0.0.9:40000"
	return hr
}

var fuzzMethods = []string{"GET", "HEAD", "POST", "OPTIONS", "PUT", "TRACE"}

// FuzzMap sends random request targets and Host headers through the
// whole request pipeline (vhost selection, URL mapping, the directory
// walk with its symbolic link rules, access control, DirectoryIndex,
// listings and the file handler) and checks that it never panics, never
// lets a request reach a file outside the mapped roots, and never
// answers with anything outside the roots or behind a denial.
func FuzzMap(f *testing.F) {
	for _, target := range []string{"/", "/pub.txt", "/index.html", "/../outside/secret.txt",
		"/%2e%2e/outside/secret.txt", "/%2E%2E%2Foutside%2Fsecret.txt", "/..%2f..%2foutside/secret.txt",
		"/..%5c..%5coutside%5csecret.txt", `/..\..\outside\secret.txt`, "/pub.txt%00.html", "/%00",
		"/nofollow/out", "/nofollow/outdir/secret.txt", "/nofollow/outdir/", "/nofollow/in",
		"/follow/in", "/follow/indir/a.txt", "/owner/out", "/owner/in", "/private/p.txt", "/.htaccess",
		"/.htpasswd", "/.HTPASSWD", "/sub/../.htpasswd", "/al/", "/al/.htaccess", "/al/d/", "/al2/a.txt",
		"/al/../outside/secret.txt", "/am/a.txt", "/am/../outside/secret.txt", "/am/%2e%2e/outside/secret.txt",
		"/am/%2e%2e%2f%2e%2e%2foutside/secret.txt", "/old/x", "/sub/", "/sub", "/up/in", "/up/indir/",
		"/nolink", "/c.txt", "*", "http://b.test/c.txt", "http://a.test/../../outside/secret.txt",
		"//outside/secret.txt", "/./pub.txt", "/sub/.", "/sub/..", "/private/", "/?C=N;O=D",
		"/rw/pub.txt", "/rw/outside/secret.txt", "/rw/%2e%2e/outside/secret.txt", "/rwfs/../outside/secret.txt",
		"/rwfs/private/p.txt", "/rwpt/../outside/secret.txt", "/rwq/x?y", "/al/x/../.htaccess", "/al/x/d/b.txt"} {
		for _, host := range []string{"a.test", "b.test"} {
			f.Add(uint8(0), target, host, false)
		}
	}
	f.Add(uint8(1), "/up/in", "ip2.test", true)
	f.Add(uint8(0), "/", "x.b.test:80", false)
	f.Add(uint8(2), "/nolink", "[::1]", true)
	f.Add(uint8(0), "/c.txt", "", false)
	m := newMapper(f)
	f.Fuzz(func(t *testing.T, method uint8, target, host string, second bool) {
		local := net.IPv4(127, 0, 0, 1)
		if second {
			local = net.IPv4(127, 0, 0, 2)
		}
		hr := fuzzRequest(fuzzMethods[int(method)%len(fuzzMethods)], target, host, local)
		if hr == nil {
			return
		}
		m.access.take()
		w := httptest.NewRecorder()
		m.handler.ServeHTTP(w, hr)
		for _, file := range m.access.take() {
			if !m.inside(file) {
				t.Errorf("%s %q (Host %q) reached %s, outside the mapped roots", hr.Method, target, host, file)
			}
		}
		if body := w.Body.String(); strings.Contains(body, secretMark) {
			t.Errorf("%s %q (Host %q) answered %d with a secret:\n%s", hr.Method, target, host, w.Code, body)
		}
	})
}

// TestMapperFixture pins what FuzzMap's fixture answers, so the fuzz
// target cannot pass by mapping nothing: public files are served, every
// way out of the roots is refused.
func TestMapperFixture(t *testing.T) {
	m := newMapper(t)
	type fixtureCase struct {
		target, host string
		second       bool
		status       int
		body         string
	}
	cases := []fixtureCase{
		{"/pub.txt", "a.test", false, 200, "public\n"},
		{"/follow/in", "a.test", false, 200, "public\n"},
		{"/follow/indir/a.txt", "a.test", false, 200, "a\n"},
		{"/al/a.txt", "a.test", false, 200, "a\n"},
		{"/am/d/b.txt", "a.test", false, 200, "b\n"},
		{"/c.txt", "b.test", false, 200, "c\n"},
		{"/up/in", "ip2.test", true, 200, "public\n"},
		{"/nofollow/in", "a.test", false, 403, ""},
		{"/nofollow/out", "a.test", false, 403, ""},
		{"/nofollow/outdir/secret.txt", "a.test", false, 403, ""},
		{"/nolink", "b.test", false, 403, ""},
		{"/private/p.txt", "a.test", false, 403, ""},
		{"/.htaccess", "a.test", false, 403, ""},
		{"/al/.htaccess", "a.test", false, 403, ""},
		{"/../outside/secret.txt", "a.test", false, 400, ""},
		{"/%2e%2e/outside/secret.txt", "a.test", false, 400, ""},
		{"/..%2foutside/secret.txt", "a.test", false, 404, ""},
		{"/rw/pub.txt", "a.test", false, 200, "public\n"},
		{"/rw/outside/secret.txt", "a.test", false, 404, ""},
		{"/rwfs/pub.txt", "a.test", false, 200, "public\n"},
		{"/rwpt/a.txt", "a.test", false, 200, "a\n"},
		{"/rwq/a%20b", "a.test", false, 200, "public\n"},
		{"/al/x/d/b.txt", "a.test", false, 200, "b\n"},
	}
	if os.Geteuid() == 0 { // only root can give owner/out's target another owner
		cases = append(cases, fixtureCase{"/owner/out", "a.test", false, 403, ""},
			fixtureCase{"/owner/in", "a.test", false, 200, "public\n"})
	}
	for _, c := range cases {
		local := net.IPv4(127, 0, 0, 1)
		if c.second {
			local = net.IPv4(127, 0, 0, 2)
		}
		w := httptest.NewRecorder()
		m.handler.ServeHTTP(w, fuzzRequest("GET", c.target, c.host, local))
		if w.Code != c.status || (c.body != "" && w.Body.String() != c.body) {
			t.Errorf("GET %s (Host %s): %d %q, want %d %q", c.target, c.host, w.Code, w.Body.String(), c.status, c.body)
		}
	}
}
