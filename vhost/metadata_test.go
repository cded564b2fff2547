package vhost

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// metadataModules loads mod_env, mod_setenvif, mod_headers and
// mod_expires.
const metadataModules = `LoadModule env_module /usr/lib/apache2/modules/mod_env.so
LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so
LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so
LoadModule expires_module /usr/lib/apache2/modules/mod_expires.so
`

func TestVars(t *testing.T) {
	var v Vars
	v.Add("a", "1")
	v.Add("B", "2")
	v.Add("A", "3")
	if got, _ := v.Get("A"); got != "1" {
		t.Errorf("Get = %q, want the first", got)
	}
	v.Set("A", "4")
	if want := (Vars{{"a", "4"}, {"B", "2"}}); !reflect.DeepEqual(v, want) {
		t.Errorf("Set: %v, want %v", v, want)
	}
	v.Merge("b", "x")
	v.Merge("c", "y")
	if want := (Vars{{"a", "4"}, {"B", "2, x"}, {"c", "y"}}); !reflect.DeepEqual(v, want) {
		t.Errorf("Merge: %v, want %v", v, want)
	}
	v.Unset("C")
	if v.Has("c") || len(v) != 2 {
		t.Errorf("Unset: %v", v)
	}
	env := []EnvVar{{"foo", "1"}, {"X", "2"}, {"FOO", "3"}, {"y", "4"}, {"Foo", "5"}}
	if got, want := compress(env, 2), []EnvVar{{"foo", "5"}, {"X", "2"}, {"y", "4"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("compress: %v, want %v", got, want)
	}
}

// Server-context SetEnvIf runs before the URI is decoded, directory
// context after mapping; $n, !VAR, literal patterns and NoCase.
func TestSetEnvIf(t *testing.T) {
	conf := metadataModules + grantedDocroot + `SetEnvIf Request_URI "^/(.*)\.html$" SRV=$1 GONE
SetEnvIf X-Drop . !GONE
BrowserMatchNoCase MOZILLA MOZ
SetEnvIf User-Agent "x.y" DOT=$0
SetEnvIf Remote_Addr ^192\.0\.2\. LOCAL=yes
<Directory $R/htdocs>
  SetEnvIf Request_URI "^/(.*)\.html$" DIR=$1
  SetEnvIfExpr "%{REQUEST_METHOD} == 'GET'" EXPR
</Directory>
Header set X-Env "%{SRV}e|%{DIR}e|%{GONE}e|%{MOZ}e|%{DOT}e|%{LOCAL}e|%{EXPR}e"
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/a b.html": "x"})
	w := serve(h, "GET /a%20b.html\nUser-Agent: Mozilla/5 xzy", "")
	wantResponse(t, w, 200, map[string]string{"X-Env": "a%20b|a b|1|1|xzy|yes|1"}, "")
	w = serve(h, "GET /a%20b.html\nX-Drop: 1\nUser-Agent: curl", "")
	wantResponse(t, w, 200, map[string]string{"X-Env": "a%20b|a b|(null)|(null)|(null)|yes|1"}, "")
}

// SetEnv, UnsetEnv and PassEnv in the fixups; SetEnvIf's earlier value
// stays the first (what %{VAR}e reads).
func TestSetEnv(t *testing.T) {
	t.Setenv("GOWSGID_TEST_PASS", "passed")
	conf := metadataModules + grantedDocroot + `SetEnv A server
SetEnv B server
PassEnv GOWSGID_TEST_PASS
SetEnvIf Request_URI . C=setenvif
SetEnv C setenv
<Directory $R/htdocs/sub>
  UnsetEnv A
  SetEnv B sub
</Directory>
Header set X-Env "%{A}e|%{B}e|%{C}e|%{GOWSGID_TEST_PASS}e"
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/x.html": "x", "htdocs/sub/x.html": "x"})
	wantResponse(t, serve(h, "GET /x.html", ""), 200, map[string]string{"X-Env": "server|server|setenvif|passed"}, "")
	wantResponse(t, serve(h, "GET /sub/x.html", ""), 200, map[string]string{"X-Env": "(null)|sub|setenvif|passed"}, "")
}

func TestHeaderActions(t *testing.T) {
	conf := metadataModules + grantedDocroot + `Header set X-Set one
Header add X-Add a
Header add X-Add b
Header append X-App a
Header append X-App b
Header merge X-Merge "a"
Header merge X-Merge "a"
Header merge X-Merge "b"
Header setifempty X-Set never
Header setifempty X-Sie set
Header set X-Edit "foo-bar foo"
Header edit X-Edit "foo" "baz"
Header set X-Editall "aaa"
Header edit* X-Editall "^a" "b"
Header unset Last-Modified
Header always set X-Always yes
Header always unset ETag
Header echo ^X-In
Header set X-Cond yes env=COND
Header set X-Notcond yes env=!COND
Header set X-Expr yes "expr=%{REQUEST_URI} =~ m#^/x#"
Header set X-Value "expr=%{REQUEST_METHOD}"
Header set X-Esc "a\tb\\c"
Header set Date bogus
Header set Server bogus
Header set Content-Length 1
ErrorDocument 410 "gone"
Redirect 410 /gone
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/x.html": "hello"})
	w := serve(h, "GET /x.html\nX-In-One: 1", "")
	wantResponse(t, w, 200, map[string]string{
		"X-Set": "one", "X-App": "a, b", "X-Merge": "a, b", "X-Sie": "set", "X-Edit": "baz-bar foo",
		"X-Editall": "bbb", "Last-Modified": "-", "X-Always": "yes", "X-In-One": "1",
		"X-Cond": "-", "X-Notcond": "yes", "X-Expr": "yes", "X-Value": "GET", "X-Esc": "a\tb\\c",
		"Server": h.Table.Banner, "Content-Length": "5", "Content-Type": "text/html",
	}, "hello")
	if got := w.Header()["X-Add"]; !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("X-Add %q", got)
	}
	if len(w.Header()["ETag"]) == 0 {
		t.Errorf("Header always unset removed the handler's ETag")
	}
	if d := w.Header().Get("Date"); d == "bogus" || d == "" {
		t.Errorf("Date %q", d)
	}
	// An error of Apache's own: only "always".
	w = serve(h, "GET /gone", "")
	wantResponse(t, w, 410, map[string]string{"X-Always": "yes", "X-Set": "-", "Content-Type": "text/html; charset=iso-8859-1"}, "gone")
}

func TestHeaderContentType(t *testing.T) {
	conf := metadataModules + grantedDocroot + `AddDefaultCharset utf-8
<Files set.txt>
  Header set Content-Type text/html
</Files>
<Files unset.txt>
  Header unset Content-Type
</Files>
<Files edit.txt>
  Header edit Content-Type ^text/ application/
</Files>
<Files always.txt>
  Header always unset Content-Type
</Files>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/set.txt": "x", "htdocs/unset.txt": "x",
		"htdocs/edit.txt": "x", "htdocs/always.txt": "x"})
	wantResponse(t, serve(h, "GET /set.txt", ""), 200, map[string]string{"Content-Type": "text/html; charset=utf-8"}, "")
	wantResponse(t, serve(h, "GET /unset.txt", ""), 200, map[string]string{"Content-Type": "-"}, "")
	wantResponse(t, serve(h, "GET /edit.txt", ""), 200, map[string]string{"Content-Type": "application/plain; charset=utf-8"}, "")
	wantResponse(t, serve(h, "GET /always.txt", ""), 200, map[string]string{"Content-Type": "-"}, "")
}

// A value with a newline is not a header Apache sends: 500.
func TestHeaderInvalid(t *testing.T) {
	conf := metadataModules + grantedDocroot + `Header set X-Bad "a\nb"
Header always set X-Always yes
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/x.html": "hello"})
	var logged []string
	h.Services.Log = func(level, module string, r *Request, msg string) { logged = append(logged, msg) }
	w := serve(h, "GET /x.html", "")
	wantResponse(t, w, 500, map[string]string{"X-Bad": "-", "X-Always": "yes", "ETag": "-"}, "Internal Server Error")
	// The value as it is: the error log escapes it.
	want := "AH02430: Response header 'X-Bad' value of 'a\nb' contains invalid characters, aborting request"
	if len(logged) == 0 || logged[len(logged)-1] != want {
		t.Errorf("logged %q, want %q", logged, want)
	}
}

// check_header takes an obs-fold (CRLF, then spaces or tabs) for one
// space, and quotes the value from the run it stopped in.
func TestCheckHeader(t *testing.T) {
	cases := []struct{ name, value, want, msg string }{
		{"X", "a\tb", "a\tb", ""},
		{"X", "a\r\n b", "a b", ""},
		{"X", "a\r\n\t \tb\r\n c", "a b c", ""},
		{"X", "a\r\n", "", "AH02430: Response header 'X' value of 'a\r\n' contains invalid characters, aborting request"},
		{"X", "a\r\nb", "", "AH02430: Response header 'X' value of 'a\r\nb' contains invalid characters, aborting request"},
		{"X", "a\r\n b\x01", "", "AH02430: Response header 'X' value of 'b\x01' contains invalid characters, aborting request"},
		{"X", "a\x7f", "", "AH02430: Response header 'X' value of 'a\x7f' contains invalid characters, aborting request"},
		{"X", "caf\xc3\xa9", "caf\xc3\xa9", ""},
		{"X Y", "a", "", "AH02429: Response header name 'X Y' contains invalid characters, aborting request"},
		{"", "a", "", "AH02428: Empty response header name, aborting request"},
	}
	for _, c := range cases {
		got, msg := checkHeader(c.name, c.value)
		if msg != c.msg || (msg == "" && got != c.want) {
			t.Errorf("checkHeader(%q, %q) = %q, %q; want %q, %q", c.name, c.value, got, msg, c.want, c.msg)
		}
	}
}

func TestRequestHeader(t *testing.T) {
	conf := metadataModules + grantedDocroot + `RequestHeader set X-Early early early
RequestHeader append X-App two
RequestHeader unset X-Gone
SetEnvIf X-Early (.*) EARLY=$1
SetEnvIf X-App two LATE
Header echo ^X-
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/x.html": "hello"})
	w := serve(h, "GET /x.html\nX-App: one\nX-Gone: 1", "")
	wantResponse(t, w, 200, map[string]string{"X-Early": "early", "X-App": "one, two", "X-Gone": "-"}, "")
}

func TestExpires(t *testing.T) {
	conf := metadataModules + grantedDocroot + `ExpiresActive On
ExpiresByType text/html "access plus 1 hour"
ExpiresByType image/* A60
ExpiresDefault M0
Redirect /moved /x.html
<Directory $R/htdocs/off>
  ExpiresActive Off
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/x.html": "x", "htdocs/y.txt": "x",
		"htdocs/off/x.html": "x", "mime.types": ""})
	w := serve(h, "GET /x.html", "")
	wantResponse(t, w, 200, map[string]string{"Cache-Control": "max-age=3600"}, "")
	if exp, err := http.ParseTime(w.Header().Get("Expires")); err != nil || time.Until(exp) < 3590*time.Second {
		t.Errorf("Expires %q", w.Header().Get("Expires"))
	}
	// M0 on a file older than now: expires now.
	wantResponse(t, serve(h, "GET /y.txt", ""), 200, map[string]string{"Cache-Control": "max-age=0"}, "")
	// A redirect is below 400: it gets one too; a 404 does not.
	wantResponse(t, serve(h, "GET /moved", ""), 302, map[string]string{"Cache-Control": "max-age=3600"}, "")
	wantResponse(t, serve(h, "GET /nothing", ""), 404, map[string]string{"Cache-Control": "-", "Expires": "-"}, "")
	wantResponse(t, serve(h, "GET /off/x.html", ""), 200, map[string]string{"Cache-Control": "-"}, "")
	etag := serve(h, "GET /x.html", "").Header()["ETag"][0]
	wantResponse(t, serve(h, "GET /x.html\nIf-None-Match: "+etag, ""), 304, map[string]string{"Cache-Control": "max-age=3600"}, "")
}

// An ErrorDocument's request is a request of its own: its directory's
// Header (onsuccess) applies, and the early actions run again.
func TestHeaderErrorDocument(t *testing.T) {
	conf := metadataModules + grantedDocroot + `ErrorDocument 404 /errors/404.html
Header always set X-Always yes
Header set X-Early yes early
<Directory $R/htdocs/errors>
  Header set X-Errdoc yes
</Directory>
`
	h, _ := newTestHandler(t, conf, map[string]string{"htdocs/errors/404.html": "custom"})
	w := serve(h, "GET /nothing", "")
	wantResponse(t, w, 404, map[string]string{"X-Always": "yes", "X-Early": "yes", "X-Errdoc": "yes"}, "custom")
	if strings.Count(strings.Join(w.Header()["X-Always"], ","), "yes") != 1 {
		t.Errorf("X-Always %q", w.Header()["X-Always"])
	}
}

// TestNotesReadWhileSet: a line logged about a request from another
// goroutine (a Python thread writing to wsgi.errors, with %{name}n in
// ErrorLogFormat) reads its notes while the response's headers set one
// (Header note): the reader sees the notes before or after, never a map
// being changed (which the race detector, and at times the runtime,
// would stop the server for).
func TestNotesReadWhileSet(t *testing.T) {
	r := &Request{}
	r.SetNote("first", "1")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 2000; i++ {
			if v, ok := r.Note("first"); !ok || v != "1" {
				t.Errorf("note first = %q, %v while others were set", v, ok)
				return
			}
			for range r.Notes() {
			}
		}
	}()
	for i := 0; i < 2000; i++ {
		r.SetNote("n", string(rune('a'+i%26)))
	}
	<-done
	if v, _ := r.Note("n"); v != string(rune('a'+1999%26)) {
		t.Errorf("note n = %q after the last set", v)
	}
}

// The Transfer-Encoding mod_http2 adds to an HTTP/2 stream's body
// without a length (kept apart from the header map, as net/http keeps
// it) is a request header like the others, last; once RequestHeader
// has rewritten the headers (an unset Transfer-Encoding among them),
// their new order decides.
func TestStreamTransferEncodingHeader(t *testing.T) {
	req := httptest.NewRequest("POST", "/x.html", strings.NewReader("body"))
	req.Host = "main.test"
	req.Header.Set("X-A", "a")
	req.Proto, req.ProtoMajor, req.ProtoMinor = "HTTP/2.0", 2, 0
	req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
	r := &Request{HTTP: req}
	want := Vars{{"Host", "main.test"}, {"X-A", "a"}, {"Transfer-Encoding", "chunked"}}
	if got := requestHeaderTable(r); !reflect.DeepEqual(got, want) {
		t.Errorf("a stream's headers: %v, want %v", got, want)
	}
	r.fieldOrder = []string{"Host", "X-A"} // as editRequestHeaders leaves an unset Transfer-Encoding
	if got := requestHeaderTable(r); !reflect.DeepEqual(got, want[:2]) {
		t.Errorf("after RequestHeader unset Transfer-Encoding: %v, want %v", got, want[:2])
	}
}
