package wsgi_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/embedpy"
	"github.com/gowsgid/gowsgid/internal/statcache"
	"github.com/gowsgid/gowsgid/vhost"
	"github.com/gowsgid/gowsgid/wsgi"
)

// BenchmarkHandlerHello is the whole request path of a WSGI hello world
// inside the process: mapping, the environ, the embedded call and the
// response, without the network. `go test -bench Handler -cpuprofile`
// shows where a request's time goes.
func BenchmarkHandlerHello(b *testing.B) {
	h, ctx := benchSetup(b)
	for i := 0; i < b.N; i++ {
		serveHello(b, h, ctx)
	}
}

// benchSetup starts the engine once per process, and returns the
// handler and a request context on 127.0.0.1:8080, timers reset.
func benchSetup(b *testing.B) (*vhost.Handler, context.Context) {
	if !embedpy.Available {
		b.Skip("built without Python")
	}
	benchOnce.Do(func() { benchHandler, benchErr = setupBench() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	local, _ := net.ResolveTCPAddr("tcp", "127.0.0.1:8080")
	ctx := context.WithValue(context.Background(), http.LocalAddrContextKey, local)
	b.ReportAllocs()
	b.ResetTimer()
	return benchHandler, ctx
}

// serveHello sends GET /hello and checks the answer.
func serveHello(b *testing.B, h *vhost.Handler, ctx context.Context) {
	req := httptest.NewRequest("GET", "http://localhost:8080/hello", nil).WithContext(ctx)
	req.RemoteAddr = "127.0.0.1:50000"
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || w.Body.String() != "Hello, world!" {
		b.Fatalf("%d %q", w.Code, w.Body.String())
	}
}

var (
	benchOnce    sync.Once
	benchHandler *vhost.Handler
	benchErr     error
)

// setupBench starts the engine (once per process) and builds a table
// that maps /hello to a hello-world script.
func setupBench() (*vhost.Handler, error) {
	dir, err := os.MkdirTemp("", "wsgi-bench-")
	if err != nil {
		return nil, err
	}
	app := filepath.Join(dir, "hello.wsgi")
	os.WriteFile(app, []byte(`
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '13')])
    return [b'Hello, world!']
`), 0o644)
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	conf := filepath.Join(dir, "httpd.conf")
	os.WriteFile(conf, []byte(`ServerRoot `+dir+`
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen 127.0.0.1:8080
DocumentRoot `+dir+`
<Directory />
    Require all granted
</Directory>
<Directory />
    AllowOverride None
</Directory>
WSGIScriptAlias /hello `+app+` application-group=%{GLOBAL}
`), 0o644)
	tree, err := confparse.Read(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf})
	if err != nil {
		return nil, err
	}
	cfg, err := confparse.Process(tree, nil, confparse.ProcessOptions{})
	if err != nil {
		return nil, err
	}
	table, err := vhost.Build(cfg)
	if err != nil {
		return nil, err
	}
	// The server's stat cache, as in production.
	files, err := statcache.New()
	if err != nil {
		return nil, err
	}
	table.SetStatCache(files)
	eng, err := embedpy.Start(embedpy.Config{Threads: benchThreads, MultiThread: true})
	if err != nil {
		return nil, err
	}
	wh := wsgi.NewHandler(cfg)
	wh.Embedded = eng
	return &vhost.Handler{Table: table, Services: vhost.Services{WSGI: wh.Serve}}, nil
}

// BenchmarkHandlerHelloParallel is BenchmarkHandlerHello from every P at
// once: against the serial figure it shows what the requests contend on
// (the GIL, locks).
func BenchmarkHandlerHelloParallel(b *testing.B) {
	h, ctx := benchSetup(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			serveHello(b, h, ctx)
		}
	})
}

// benchThreads is the engine's request slots in the benchmarks: 4, or
// BENCH_THREADS (1 puts the GIL's queue in Go instead of the kernel).
var benchThreads = func() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_THREADS")); err == nil && n > 0 {
		return n
	}
	return 4
}()
