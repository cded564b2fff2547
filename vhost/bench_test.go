package vhost_test

import (
	"context"
	"crypto/rand"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/accesslog"
	"github.com/gowsgid/gowsgid/authz"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/statcache"
	"github.com/gowsgid/gowsgid/status"
	"github.com/gowsgid/gowsgid/vhost"
)

// benchConf is the static benchmark's configuration
// (internal/bench/static): a document root under <Directory />
// denied, the root granted, no .htaccess.
const benchConf = `ServerRoot $R
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
Listen 127.0.0.1:8080
ServerName bench.test
ErrorLog /dev/null
LogLevel warn
TypesConfig /etc/mime.types
EnableSendfile On
DocumentRoot $R/htdocs
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<Directory $R/htdocs>
    Require all granted
</Directory>
`

// BenchmarkStatic is the whole request path of the static benchmark's
// cases inside the process: vhost selection, mapping, access control
// and the file handler, without the network. `go test -bench Static
// -cpuprofile` shows where a request's time goes.
func BenchmarkStatic(b *testing.B) {
	h, root := newBenchHandler(b)
	etag, lastMod := benchValidators(b, h)
	for _, c := range []struct {
		name   string
		header []string
		status int
	}{
		{"4k", nil, 200},
		{"304", []string{"If-None-Match", etag, "If-Modified-Since", lastMod}, 304},
		{"range", []string{"Range", "bytes=1024-2047"}, 206},
	} {
		b.Run(c.name, func(b *testing.B) {
			w := &discardWriter{}
			b.ReportAllocs()
			for b.Loop() {
				req := benchRequest("/4k.bin")
				for i := 0; i < len(c.header); i += 2 {
					req.Header.Set(c.header[i], c.header[i+1])
				}
				w.reset()
				h.ServeHTTP(w, req)
				if w.status != c.status {
					b.Fatalf("%d, want %d", w.status, c.status)
				}
			}
		})
	}
	_ = root
}

// BenchmarkStaticLogged is BenchmarkStatic's 4k case without an access
// log and with one in the combined format (to a file), so that what
// logging adds to a request is seen: `go test -bench StaticLogged
// -benchmem ./vhost`.
func BenchmarkStaticLogged(b *testing.B) {
	h, root := newBenchHandler(b)
	conf := strings.ReplaceAll(benchConf, "$R", root) + "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\"\" combined\n" +
		"CustomLog " + filepath.Join(root, "access.log") + " combined\n"
	os.WriteFile(filepath.Join(root, "logged.conf"), []byte(conf), 0o644)
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: root, ConfigFile: filepath.Join(root, "logged.conf"),
		Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{})
	if err != nil {
		b.Fatal(err)
	}
	logs, err := accesslog.Open(cfg, accesslog.Options{KeepAlive: true})
	if err != nil {
		b.Fatal(err)
	}
	defer logs.Close()
	logged := &vhost.Handler{Table: h.Table, Services: h.Services}
	logged.Services.Transaction = logs.Transaction
	// counted is what the server runs: the status counters without and
	// with an access log.
	stats := status.New()
	counted := &vhost.Handler{Table: h.Table, Services: h.Services}
	counted.Services.Transaction = stats.Recorder().Record
	countedLogged := &vhost.Handler{Table: h.Table, Services: h.Services}
	record := stats.Recorder().Record
	countedLogged.Services.Transaction = func(r *vhost.Request) { record(r); logs.Transaction(r) }
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"4k", h}, {"4k-combined", logged}, {"4k-counted", countedHandler{stats, counted}},
		{"4k-combined-counted", countedHandler{stats, countedLogged}}} {
		b.Run(c.name, func(b *testing.B) {
			w := &discardWriter{}
			b.ReportAllocs()
			for b.Loop() {
				req := benchRequest("/4k.bin")
				w.reset()
				c.h.ServeHTTP(w, req)
				if w.status != 200 {
					b.Fatalf("%d, want 200", w.status)
				}
			}
		})
	}
	line, _ := os.ReadFile(filepath.Join(root, "access.log"))
	if !strings.HasSuffix(string(line), `"GET /4k.bin HTTP/1.1" 200 4096 "-" "bench"`+"\n") {
		b.Fatalf("access log ends with %q", line[max(0, len(line)-80):])
	}
}

// countedHandler counts requests in progress as the server does.
type countedHandler struct {
	stats *status.Stats
	h     http.Handler
}

func (c countedHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.stats.Begin()
	defer c.stats.End()
	c.h.ServeHTTP(w, r)
}

// benchValidators are the ETag and Last-Modified /4k.bin is served with.
func benchValidators(b *testing.B, h *vhost.Handler) (string, string) {
	w := &discardWriter{}
	w.reset()
	h.ServeHTTP(w, benchRequest("/4k.bin"))
	if w.status != 200 {
		b.Fatalf("GET /4k.bin: %d", w.status)
	}
	var etag string
	if v := w.header["ETag"]; len(v) > 0 {
		etag = v[0]
	}
	return etag, w.header.Get("Last-Modified")
}

var benchCtx = context.WithValue(context.Background(), http.LocalAddrContextKey,
	&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080})

// benchRequest is a request as net/http hands it to the handler.
func benchRequest(target string) *http.Request {
	req := &http.Request{Method: "GET", RequestURI: target, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Host: "bench.test", Header: http.Header{"User-Agent": {"bench"}}, RemoteAddr: "127.0.0.1:50000",
		Body: http.NoBody}
	req.URL = &url.URL{Path: target}
	return req.WithContext(benchCtx)
}

func newBenchHandler(b *testing.B) (*vhost.Handler, string) {
	return newBenchHandlerConf(b, benchConf)
}

// newBenchHandlerConf serves conf ($R is the tree's root, with
// htdocs/4k.bin).
func newBenchHandlerConf(b *testing.B, benchConf string) (*vhost.Handler, string) {
	root, err := filepath.EvalSymlinks(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "htdocs"), 0o755)
	data := make([]byte, 4<<10)
	rand.Read(data)
	if err := os.WriteFile(filepath.Join(root, "htdocs", "4k.bin"), data, 0o644); err != nil {
		b.Fatal(err)
	}
	conf := filepath.Join(root, "httpd.conf")
	os.WriteFile(conf, []byte(strings.ReplaceAll(benchConf, "$R", root)), 0o644)
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: root, ConfigFile: conf,
		Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{})
	if err != nil {
		b.Fatal(err)
	}
	table, err := vhost.Build(cfg)
	if err != nil {
		b.Fatal(err)
	}
	// The server's stat cache, as in production.
	files, err := statcache.New()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { files.Close() })
	table.SetStatCache(files)
	checker := authz.NewChecker(authz.Options{ModuleLoaded: cfg.Tree.IsLoaded,
		Logged: func(level string) bool { return level != authz.LevelDebug && level != authz.LevelInfo }})
	return &vhost.Handler{Table: table, Services: vhost.Services{Access: vhost.AuthzAccess{Checker: checker}}}, root
}

// discardWriter is a ResponseWriter that keeps the status and headers
// and drops the body (through ReadFrom, as net/http's sendfile path).
type discardWriter struct {
	header http.Header
	status int
}

// reset starts a response: net/http makes a new header map for each.
func (w *discardWriter) reset() { w.header, w.status = make(http.Header), 0 }

func (w *discardWriter) Header() http.Header { return w.header }

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(200)
	return len(p), nil
}

func (w *discardWriter) ReadFrom(r io.Reader) (int64, error) {
	w.WriteHeader(200)
	return io.Copy(io.Discard, r)
}
