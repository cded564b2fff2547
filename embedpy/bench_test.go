//go:build cgo && !nopython

package embedpy

import (
	"os"
	"testing"

	"github.com/gowsgid/gowsgid/wsgi"
)

type nopResp struct{}

func (nopResp) Start(int, string, []wsgi.Header) error { return nil }
func (nopResp) Write([]byte) error                     { return nil }
func (nopResp) Flush() error                           { return nil }
func (nopResp) StartFile(int, string, []wsgi.Header, *os.File, int64, int64) error {
	return nil
}

func BenchmarkRunHello(b *testing.B) {
	dir := b.TempDir()
	p := dir + "/hello.wsgi"
	os.WriteFile(p, []byte("def application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '13')])\n    return [b'Hello, world!']\n"), 0o644)
	var env []wsgi.EnvVar
	for _, k := range []string{"REQUEST_METHOD", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "REQUEST_URI", "SCRIPT_FILENAME",
		"SERVER_NAME", "SERVER_PORT", "SERVER_ADDR", "REMOTE_ADDR", "REMOTE_PORT", "SERVER_PROTOCOL", "SERVER_SOFTWARE",
		"SERVER_SIGNATURE", "SERVER_ADMIN", "GATEWAY_INTERFACE", "DOCUMENT_ROOT", "CONTEXT_DOCUMENT_ROOT", "CONTEXT_PREFIX",
		"REQUEST_SCHEME", "HTTP_HOST", "HTTP_USER_AGENT", "HTTP_ACCEPT", "mod_wsgi.process_group", "mod_wsgi.application_group",
		"mod_wsgi.callable_object", "mod_wsgi.request_handler", "mod_wsgi.handler_script", "mod_wsgi.script_reloading",
		"mod_wsgi.listener_host", "mod_wsgi.listener_port", "mod_wsgi.enable_sendfile", "mod_wsgi.ignore_activity",
		"mod_wsgi.request_start", "mod_wsgi.request_id", "mod_wsgi.script_name", "mod_wsgi.path_info", "wsgi.url_scheme"} {
		env = append(env, wsgi.EnvVar{Key: k, Value: "value-of-" + k})
	}
	call := &wsgi.Call{Script: p, Module: wsgi.ModuleName(p, false), Callable: "application", Client: "1.2.3.4:5", Env: env, Response: nopResp{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := testEngine.Run(call); err != nil {
			b.Fatal(err)
		}
	}
}
