package vhost

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/authz"
	"github.com/gowsgid/gowsgid/confparse"
)

// testModules are the modules the handler tests load.
const testModules = `LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule dir_module /usr/lib/apache2/modules/mod_dir.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule autoindex_module /usr/lib/apache2/modules/mod_autoindex.so
Listen 127.0.0.1:80
ServerName main.test
ErrorLog /dev/null
TypesConfig $R/mime.types
`

// newTestHandler writes files (relative to a temporary root $R; a value
// starting with "->" is a symbolic link) and the configuration, and
// builds a Handler with Apache's access control.
func newTestHandler(t *testing.T, conf string, files map[string]string) (*Handler, string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	files["mime.types"] = "text/plain txt\ntext/html html\ntext/css css\n"
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			err = os.Symlink(target, p)
		} else {
			err = os.WriteFile(p, []byte(strings.ReplaceAll(content, "$R", root)), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	table, err := buildTestTable(t, root, conf)
	if err != nil {
		t.Fatal(err)
	}
	checker := authz.NewChecker(authz.Options{ModuleLoaded: table.Config.Tree.IsLoaded})
	return &Handler{Table: table, Services: Services{Access: AuthzAccess{Checker: checker}}}, root
}

// buildTestTable writes conf, after the test modules ($R is root), to
// root/httpd.conf and builds its table; a configuration that does not
// load fails the test, Build's error is returned.
func buildTestTable(t *testing.T, root, conf string) (*Table, error) {
	t.Helper()
	path := filepath.Join(root, "httpd.conf")
	text := strings.ReplaceAll(testModules+conf, "$R", root)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: root, ConfigFile: path,
		Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return Build(cfg)
}

// serve sends one request ("METHOD target", with header lines after a
// newline) on 127.0.0.1:80 and returns the recorded response.
func serve(h *Handler, request string, body string) *httptest.ResponseRecorder {
	lines := strings.Split(request, "\n")
	method, target, _ := strings.Cut(lines[0], " ")
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "/", rd)
	req.RequestURI = target
	req.Host = "main.test"
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		if strings.EqualFold(k, "Host") {
			req.Host = v
			continue
		}
		req.Header.Add(k, v)
	}
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, net.Addr(local)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func wantResponse(t *testing.T, w *httptest.ResponseRecorder, status int, header map[string]string, body string) {
	t.Helper()
	if w.Code != status {
		t.Errorf("status %d, want %d (body %q)", w.Code, status, w.Body.String())
	}
	for k, v := range header {
		// Whatever the spelling: the static handler's ETag is not in
		// Go's canonical form.
		var got []string
		for hk, hv := range w.Header() {
			if strings.EqualFold(hk, k) {
				got = append(got, hv...)
			}
		}
		switch {
		case v == "-" && len(got) > 0:
			t.Errorf("%s: %q, want none", k, got)
		case v != "-" && (len(got) == 0 || got[0] != v):
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if body != "" && !strings.Contains(w.Body.String(), body) {
		t.Errorf("body %q does not contain %q", w.Body.String(), body)
	}
}

const grantedDocroot = `DocumentRoot $R/htdocs
<Directory $R/htdocs>
  Require all granted
</Directory>
`

// With FollowSymLinks, Apache's directory walk takes every component of
// an existing path for a directory, so a <Directory> wildcard that
// matches a file's own path applies to it; without it, it does not.
func TestDirectorySectionMatchesFileUnderFollowSymLinks(t *testing.T) {
	conf := grantedDocroot + `<Directory $R/htdocs/*>
  ForceType text/x-wild
</Directory>
<Directory $R/htdocs/strict>
  Options None
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/top.txt": "top", "htdocs/strict/a.txt": "a"})
	wantResponse(t, serve(h, "GET /top.txt", ""), 200, map[string]string{"Content-Type": "text/x-wild"}, "top")
	// strict/ is itself matched by the wildcard; a.txt (no symlinks
	// followed, so each component is stat'ed) is not.
	wantResponse(t, serve(h, "GET /strict/a.txt", ""), 200, map[string]string{"Content-Type": "text/x-wild"}, "a")
}

// A <Directory> section is merged for the final directory of a request
// too (it was skipped when the whole path existed).
func TestDirectorySectionOfRequestedDirectory(t *testing.T) {
	conf := grantedDocroot + `Options Indexes FollowSymLinks
<Directory $R/htdocs/noindex>
  Options -Indexes
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/noindex/a.txt": "a"})
	wantResponse(t, serve(h, "GET /noindex/", ""), 403, nil, "")
}

// A virtual host starts from the main server's defaults, core's built-in
// FollowSymLinks included.
func TestVirtualHostInheritsFollowSymLinks(t *testing.T) {
	conf := grantedDocroot + `<VirtualHost *:80>
  ServerName v.test
  DocumentRoot $R/htdocs
</VirtualHost>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/real.txt": "real", "htdocs/link.txt": "->real.txt"})
	wantResponse(t, serve(h, "GET /link.txt\nHost: v.test", ""), 200, nil, "real")
}

// "file/" is a file with path info "/": the default handler answers 404.
func TestTrailingSlashAfterFile(t *testing.T) {
	h, _ := newTestHandler(t, grantedDocroot+"Alias /fa $R/htdocs/f.txt\n", map[string]string{"htdocs/f.txt": "f"})
	wantResponse(t, serve(h, "GET /f.txt/", ""), 404, nil, "")
	wantResponse(t, serve(h, "GET /fa/", ""), 404, nil, "")
	wantResponse(t, serve(h, "GET /fa", ""), 200, nil, "f")
}

func TestErrorDocuments(t *testing.T) {
	conf := grantedDocroot + `ServerSignature Off
ErrorDocument 404 /errors/404.html
ErrorDocument 403 "Go away
ErrorDocument 410 http://example.com/gone
ErrorDocument 405 /errors/missing.html
Redirect gone /gone
<Directory $R/htdocs/deny>
  Require all denied
</Directory>
<Directory $R/htdocs/plain>
  ErrorDocument 404 default
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/errors/404.html": "custom 404", "htdocs/deny/x": "x",
		"htdocs/plain/x": "x", "htdocs/f.txt": "f"})
	// A local document keeps the status and is served as a file.
	wantResponse(t, serve(h, "GET /nope", ""), 404, map[string]string{"Content-Type": "text/html",
		"Content-Length": "10"}, "custom 404")
	w := serve(h, "POST /nope", "a=1")
	wantResponse(t, w, 404, map[string]string{"Content-Type": "text/html", "Content-Length": "10"}, "custom 404")
	if len(w.Header()["ETag"]) == 0 || w.Header().Get("Last-Modified") == "" {
		t.Errorf("error document without ETag or Last-Modified: %v", w.Header())
	}
	// HEAD: the document's headers, no body.
	w = serve(h, "HEAD /nope", "")
	wantResponse(t, w, 404, map[string]string{"Content-Length": "10"}, "")
	// A message, a URL (302), the canned page again.
	wantResponse(t, serve(h, "GET /deny/x", ""), 403, map[string]string{"Content-Type": "text/html; charset=iso-8859-1"}, "Go away")
	wantResponse(t, serve(h, "GET /gone", ""), 302, map[string]string{"Location": "http://example.com/gone"}, "here</a>")
	wantResponse(t, serve(h, "GET /plain/nope", ""), 404, nil, "<p>The requested URL was not found on this server.</p>\n</body>")
	// A missing document: the canned page with "Additionally", naming
	// the status the redirect inherited (ap_die_r's recursive_error is
	// the new request's r->status, the original error's).
	wantResponse(t, serve(h, "PUT /f.txt", "x"), 405, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD,TRACE"},
		"<p>Additionally, a 405 Method Not Allowed\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>")
}

// Apache sends error pages to HEAD without a body and without a
// Content-Length.
func TestErrorPageForHEAD(t *testing.T) {
	h, _ := newTestHandler(t, grantedDocroot, map[string]string{"htdocs/x": "x"})
	w := serve(h, "HEAD /nope", "")
	wantResponse(t, w, 404, map[string]string{"Content-Length": "-", "Content-Type": "text/html; charset=iso-8859-1"}, "")
	if w.Body.Len() != 0 {
		t.Errorf("body %q", w.Body.String())
	}
}

func TestErrorPageAdmin(t *testing.T) {
	h, _ := newTestHandler(t, grantedDocroot+`<Directory $R/htdocs/broken>
  AllowOverride All
</Directory>
`, map[string]string{"htdocs/broken/.htaccess": "Bogus\n", "htdocs/broken/x": "x"})
	wantResponse(t, serve(h, "GET /broken/x", ""), 500, nil, "administrator at \n [no address given] to inform")
}

// TRACE is echoed before the directory walk (no access control), and
// TraceEnable is a per-server setting.
func TestTrace(t *testing.T) {
	conf := grantedDocroot + `<Directory $R/htdocs/deny>
  Require all denied
</Directory>
<VirtualHost *:80>
  ServerName on.test
</VirtualHost>
<VirtualHost *:80>
  ServerName off.test
  TraceEnable Off
</VirtualHost>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/x": "x", "htdocs/deny/x": "x"})
	w := serve(h, "TRACE /deny/x\nHost: on.test\nX-A: 1", "")
	wantResponse(t, w, 200, map[string]string{"Content-Type": "message/http"}, "TRACE /deny/x HTTP/1.1\r\nHost: on.test\r\nX-A: 1\r\n\r\n")
	wantResponse(t, serve(h, "TRACE /x\nHost: off.test", ""), 405, map[string]string{"Allow": ""},
		"The requested method TRACE is not allowed")
	// The Allow header of 405 follows the host's TraceEnable.
	wantResponse(t, serve(h, "PUT /x\nHost: off.test", "x"), 405, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD"}, "")
	wantResponse(t, serve(h, "PUT /x\nHost: on.test", "x"), 405, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD,TRACE"}, "")
}

func TestLimitRequestBody(t *testing.T) {
	conf := grantedDocroot + `<Location /small>
  LimitRequestBody 10
</Location>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/small/x.txt": "x", "htdocs/x.txt": "x"})
	w := serve(h, "POST /small/x.txt", strings.Repeat("a", 11))
	wantResponse(t, w, 413, map[string]string{"Content-Length": "-"}, "does not allow request data with POST requests")
	wantResponse(t, serve(h, "POST /small/x.txt", strings.Repeat("a", 10)), 200, nil, "x")
	wantResponse(t, serve(h, "POST /x.txt", strings.Repeat("a", 11)), 200, nil, "x")
}

// mod_autoindex leaves out entries whose sub-request fails: links that
// Options do not let it follow, denied files, broken links.
func TestListingHidesFailingEntries(t *testing.T) {
	conf := grantedDocroot + `<Directory $R/htdocs/list>
  Options Indexes
</Directory>
<Files "secret.txt">
  Require all denied
</Files>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/list/a.txt": "a", "htdocs/list/link.txt": "->a.txt",
		"htdocs/list/secret.txt": "s", "htdocs/list/broken": "->nowhere"})
	w := serve(h, "GET /list/", "")
	wantResponse(t, w, 200, nil, `href="a.txt"`)
	for _, hidden := range []string{"link.txt", "secret.txt", "broken"} {
		if strings.Contains(w.Body.String(), hidden) {
			t.Errorf("listing shows %s:\n%s", hidden, w.Body.String())
		}
	}
}

// The DirectoryIndex fast redirect keeps the request's method.
func TestDirectoryIndexKeepsMethod(t *testing.T) {
	h, _ := newTestHandler(t, grantedDocroot, map[string]string{"htdocs/index.html": "<p>i</p>"})
	w := serve(h, "OPTIONS /", "")
	wantResponse(t, w, 200, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD,TRACE", "Content-Length": "0"}, "")
}

// mod_mime reads the main server's TypesConfig only.
func TestTypesConfigOfVirtualHostIgnored(t *testing.T) {
	conf := grantedDocroot + `<VirtualHost *:80>
  ServerName v.test
  TypesConfig $R/other.types
</VirtualHost>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/a.txt": "a", "other.types": "text/x-other txt\n"})
	wantResponse(t, serve(h, "GET /a.txt\nHost: v.test", ""), 200, map[string]string{"Content-Type": "text/plain"}, "a")
}

// RemoveType hides the types file's type too.
func TestRemoveType(t *testing.T) {
	conf := grantedDocroot + `<Directory $R/htdocs/r>
  RemoveType .txt
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/r/a.txt": "a"})
	wantResponse(t, serve(h, "GET /r/a.txt", ""), 200, map[string]string{"Content-Type": "-"}, "a")
}

func TestRequestLineChecks(t *testing.T) {
	h, _ := newTestHandler(t, grantedDocroot, map[string]string{"htdocs/a.txt": "a"})
	wantResponse(t, serve(h, "GET /a.txt#frag", ""), 400, nil, "")
	wantResponse(t, serve(h, "GET http://u@main.test/a.txt", ""), 400, nil, "")
	wantResponse(t, serve(h, "GET ftp://main.test/a.txt", ""), 400, nil, "")
	wantResponse(t, serve(h, "GET HTTP://MAIN.TEST/a.txt", ""), 200, nil, "a")
	wantResponse(t, serve(h, "GET /a.txt\nHost: ", ""), 400, nil, "")
}

// AllowOverride Options=... limits what Options a .htaccess may name.
func TestHtaccessOptionsList(t *testing.T) {
	conf := grantedDocroot + `<Directory $R/htdocs>
  AllowOverride Options=Indexes
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/ok/.htaccess": "Options +Indexes\n", "htdocs/ok/a": "a",
		"htdocs/bad/.htaccess": "Options +ExecCGI\n", "htdocs/bad/a": "a"})
	wantResponse(t, serve(h, "GET /ok/", ""), 200, nil, `href="a"`)
	wantResponse(t, serve(h, "GET /bad/a", ""), 500, nil, "")
}

// Apache's default request limits: the request line (414), one header
// field's size and the number of fields (400, with a note).
func TestRequestLimits(t *testing.T) {
	h, _ := newTestHandler(t, grantedDocroot, map[string]string{"htdocs/a.txt": "a"})
	wantResponse(t, serve(h, "GET /a.txt?"+strings.Repeat("q", 8190), ""), 414, nil, "exceeds the capacity")
	wantResponse(t, serve(h, "GET /a.txt?"+strings.Repeat("q", 8160), ""), 200, nil, "a")
	// A field may be one byte over the limit, as in Apache 2.4.71.
	wantResponse(t, serve(h, "GET /a.txt\nX-Big: "+strings.Repeat("b", 8185), ""), 400, nil,
		"<br />\nSize of a request header field exceeds server limit.</p>")
	wantResponse(t, serve(h, "GET /a.txt\nX-Big: "+strings.Repeat("b", 8184), ""), 200, nil, "a")
	var many []string
	for i := 0; i < 100; i++ {
		many = append(many, "X-H"+strings.Repeat("x", i)+": 1")
	}
	wantResponse(t, serve(h, "GET /a.txt\n"+strings.Join(many, "\n"), ""), 400, nil,
		"The number of request header fields exceeds this server's limit.")
	wantResponse(t, serve(h, "GET /a.txt\n"+strings.Join(many[:99], "\n"), ""), 200, nil, "a")
}

// Without TypesConfig, mod_mime reads mime.types under ServerRoot
// (AP_TYPES_CONFIG_FILE); without that file the server does not start.
func TestDefaultTypesConfig(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(testModules, "TypesConfig $R/mime.types\n", "", 1) + grantedDocroot
	if !strings.Contains(conf, "mod_mime.so") || strings.Contains(conf, "TypesConfig") {
		t.Fatal("the configuration must load mod_mime and name no TypesConfig")
	}
	if err := os.MkdirAll(filepath.Join(root, "htdocs"), 0o755); err != nil {
		t.Fatal(err)
	}
	load := func() (*Table, error) {
		path := filepath.Join(root, "httpd.conf")
		if err := os.WriteFile(path, []byte(strings.ReplaceAll(conf, "$R", root)), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: root, ConfigFile: path,
			Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return Build(cfg)
	}
	want := "AH01597: could not open mime types config file " + filepath.Join(root, "mime.types")
	if _, err := load(); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("no mime.types: Build error %v, want %q", err, want)
	}
	if err := os.WriteFile(filepath.Join(root, "mime.types"), []byte("text/x-root txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	table, err := load()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "htdocs/a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	checker := authz.NewChecker(authz.Options{ModuleLoaded: table.Config.Tree.IsLoaded})
	h := &Handler{Table: table, Services: Services{Access: AuthzAccess{Checker: checker}}}
	wantResponse(t, serve(h, "GET /a.txt", ""), 200, map[string]string{"Content-Type": "text/x-root"}, "a")
}

// TestBadLineNote: what ap_parse_request_line logs about a line it
// refuses, an empty one (the eleventh empty line) included: the first
// deferred error, except that a bad URI or bad trailing text replaces
// whatever came before, as in Apache's code; a word cut off by a NUL
// Apache wrote where it stopped leaves the URI empty (AH03454 ”). The
// framing site of test/compat compares several of these with Apache's
// debug lines. And the line as Apache rebuilds it for %r.
func TestBadLineNote(t *testing.T) {
	for line, want := range map[string]string{
		"":                         "AH03445: HTTP Request Line; Invalid method token: ''",
		"   ":                      "AH03454: HTTP Request Line; URI incorrectly encoded: ''",
		" @GET / HTTP/1.1":         "AH03454: HTTP Request Line; URI incorrectly encoded: ''",
		"G(ET / HTTP/1.1":          "AH03445: HTTP Request Line; Invalid method token: 'G(ET'",
		"GET":                      "AH03454: HTTP Request Line; URI incorrectly encoded: ''",
		"G@T":                      "AH03445: HTTP Request Line; Invalid method token: 'G@T'",
		"GET / HTTP/1.1 x":         "AH03448: HTTP Request Line; Excess whitespace (disallowed by HttpProtocolOptions Strict)",
		"GET  / HTTP/1.1":          "AH03448: HTTP Request Line; Excess whitespace (disallowed by HttpProtocolOptions Strict)",
		"GET\t/ HTTP/1.1":          "AH03447: HTTP Request Line; Invalid whitespace",
		"GET /x.txt\x01 HTTP/1.1":  "AH03454: HTTP Request Line; URI incorrectly encoded: '/x.txt\x01'",
		"GET /x\t.txt HTTP/1.1":    "AH03448: HTTP Request Line; Excess whitespace (disallowed by HttpProtocolOptions Strict)",
		"G@T /x\x7f HTTP/1.1":      "AH03454: HTTP Request Line; URI incorrectly encoded: '/x\x7f'",
		"GET / http/1.1":           "AH02418: HTTP Request Line; Unrecognized protocol 'http/1.1' (perhaps whitespace was injected?)",
		"GET / HTTP/1.1x":          "AH02418: HTTP Request Line; Unrecognized protocol 'HTTP/1.1x' (perhaps whitespace was injected?)",
		"HEAD /":                   "AH03444: HTTP Request Line; Invalid method token: 'HEAD' (only GET is allowed for HTTP/0.9 requests)",
		"GET http://a:b/ HTTP/0.9": "AH02418: HTTP Request Line; Unrecognized protocol 'HTTP/0.9' (perhaps whitespace was injected?)",
	} {
		if got, _ := badLineNote(line); got != want {
			t.Errorf("%q: %q, want %q", line, got, want)
		}
	}
	for line, want := range map[string]string{
		" @GET / HTTP/1.1": "", "G@T /x  HTTP/1.1": "G@T /x HTTP/1.1", "GET": "GET", "GET /x\x01 HTTP/1.1": "GET /x\x01 HTTP/1.1",
	} {
		if _, got := badLineNote(line); got != want {
			t.Errorf("%q: the request %q, want %q", line, got, want)
		}
	}
}

// TestChallengeSpelling: a 401's challenge goes out as Apache spells
// it, WWW-Authenticate (Go's canonical form is Www-Authenticate), with
// and without Header always on the error.
func TestChallengeSpelling(t *testing.T) {
	for _, extra := range []string{"", "LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\nHeader always set X-A a\n"} {
		h, _ := newTestHandler(t, `LoadModule authn_core_module /usr/lib/apache2/modules/mod_authn_core.so
LoadModule authn_file_module /usr/lib/apache2/modules/mod_authn_file.so
LoadModule auth_basic_module /usr/lib/apache2/modules/mod_auth_basic.so
LoadModule authz_user_module /usr/lib/apache2/modules/mod_authz_user.so
`+extra+`DocumentRoot $R/htdocs
<Directory $R/htdocs>
  AuthType Basic
  AuthName realm
  AuthUserFile $R/pw
  Require valid-user
</Directory>
`, map[string]string{"htdocs/x.txt": "x\n", "pw": ""})
		w := serve(h, "GET /x.txt", "")
		if v := w.Header()["WWW-Authenticate"]; w.Code != 401 || len(v) != 1 || v[0] != `Basic realm="realm"` {
			t.Errorf("%q: %d, header %v", extra, w.Code, w.Header())
		}
	}
}

// TestH2RequestWellFormed: an HTTP/2 request mod_http2 resets (a :path
// that is not origin form, a malformed or repeated Content-Length) is
// cut before anything runs; a well-formed one is served.
func TestH2RequestWellFormed(t *testing.T) {
	h, _ := newTestHandler(t, "DocumentRoot $R/htdocs\n<Directory />\n  Require all granted\n</Directory>\n",
		map[string]string{"htdocs/x.txt": "x\n"})
	for _, c := range []struct {
		method, path string
		cl           []string
		reset        bool
	}{
		{"GET", "/x.txt", nil, false},
		{"OPTIONS", "*", nil, false},
		{"POST", "/x.txt", []string{"3"}, false},
		{"GET", "http://main.test/x.txt", nil, true},
		{"GET", "/a b", nil, true},
		{"GET", "/a\x7fb", nil, true},
		{"GET", "*", nil, true},
		{"POST", "/x.txt", []string{"abc"}, true},
		{"POST", "/x.txt", []string{"-1"}, true},
		{"POST", "/x.txt", []string{"5", "5"}, true},
	} {
		req := httptest.NewRequest(c.method, "/", strings.NewReader("abc"))
		req.RequestURI, req.Proto, req.ProtoMajor, req.ProtoMinor = c.path, "HTTP/2.0", 2, 0
		req.Host = "main.test"
		if c.cl != nil {
			req.Header["Content-Length"] = c.cl
		}
		local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}
		req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, net.Addr(local)))
		w := httptest.NewRecorder()
		reset := func() (reset bool) {
			defer func() { reset = recover() == http.ErrAbortHandler }()
			h.ServeHTTP(w, req)
			return false
		}()
		if reset != c.reset || (reset && w.Body.Len() > 0) {
			t.Errorf("%s %q %q: reset %v (%d %q), want %v", c.method, c.path, c.cl, reset, w.Code, w.Body, c.reset)
		}
	}
}
