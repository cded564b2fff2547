//go:build cgo && !nopython

package embedpy

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/wsgi"
)

// CPython starts once per process: every test shares this engine and
// tells its requests apart by the client address in the log.
var (
	testEngine *Engine
	logMu      sync.Mutex
	logLines   []string
)

func TestMain(m *testing.M) {
	e, err := Start(Config{Threads: 4, MultiThread: true, MaximumProcesses: 1, ThreadsPerProcess: 4,
		RestrictSignal: true, MPMName: "event",
		Log: func(l Level, _ *confparse.Server, client, msg string, _ *wsgi.Call) {
			logMu.Lock()
			logLines = append(logLines, fmt.Sprintf("%s [%s] %s", l, client, msg))
			logMu.Unlock()
		}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testEngine = e
	os.Exit(m.Run())
}

// logFor returns the log lines of one client address.
func logFor(client string) []string {
	logMu.Lock()
	defer logMu.Unlock()
	var out []string
	for _, l := range logLines {
		if strings.Contains(l, "["+client+"]") {
			out = append(out, l)
		}
	}
	return out
}

// recorder is a Response that keeps everything it is given, in order.
type recorder struct {
	mu      sync.Mutex
	status  int
	line    string
	headers []wsgi.Header
	body    bytes.Buffer
	events  []string
	failAt  int // fail the Nth write (1-based) as a gone client
	writes  int
	file    []byte
}

func (r *recorder) Start(status int, line string, h []wsgi.Header) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.line = status, line
	r.headers = append([]wsgi.Header(nil), h...)
	r.events = append(r.events, "start")
	return nil
}

func (r *recorder) Write(p []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes++
	if r.failAt > 0 && r.writes >= r.failAt {
		return io.ErrClosedPipe
	}
	r.body.Write(p)
	r.events = append(r.events, "write:"+string(p))
	return nil
}

func (r *recorder) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "flush")
	return nil
}

func (r *recorder) StartFile(status int, line string, h []wsgi.Header, f *os.File, off, n int64) error {
	if err := r.Start(status, line, h); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	b := make([]byte, n)
	k, err := f.ReadAt(b, off)
	if err != nil && err != io.EOF {
		return err
	}
	r.file = b[:k]
	r.events = append(r.events, fmt.Sprintf("sendfile:%d:%d", off, n))
	return nil
}

func (r *recorder) header(name string) string {
	for _, h := range r.headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// script writes a WSGI script into a new directory.
func script(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "app.wsgi")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var clientSeq struct {
	sync.Mutex
	n int
}

// newClient is a client address unique to one request, to find its logs.
func newClient() string {
	clientSeq.Lock()
	defer clientSeq.Unlock()
	clientSeq.n++
	return fmt.Sprintf("10.0.0.1:%d", 10000+clientSeq.n)
}

type callOpt func(*wsgi.Call)

func group(g string) callOpt { return func(c *wsgi.Call) { c.ApplicationGroup = g } }
func env(kv ...string) callOpt {
	return func(c *wsgi.Call) {
		for i := 0; i+1 < len(kv); i += 2 {
			c.Env = append(c.Env, wsgi.EnvVar{Key: kv[i], Value: kv[i+1]})
		}
	}
}
func bodyOf(s string, length int64) callOpt {
	return func(c *wsgi.Call) { c.Body, c.ContentLength = strings.NewReader(s), length }
}

// run runs one request of path's script.
func run(t *testing.T, path string, rec *recorder, opts ...callOpt) (wsgi.Result, string) {
	t.Helper()
	client := newClient()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	call := &wsgi.Call{ApplicationGroup: "test", Script: path, Module: wsgi.ModuleName(path, false),
		Callable: "application", Reload: true, ScriptMTime: fi.ModTime().UnixMicro(), Client: client,
		Env: []wsgi.EnvVar{{Key: "REQUEST_METHOD", Value: "GET"}, {Key: "PATH_INFO", Value: "/"}}, Response: rec}
	for _, o := range opts {
		o(call)
	}
	res, err := testEngine.Run(call)
	if err != nil {
		t.Fatal(err)
	}
	return res, client
}

func TestHelloBuffered(t *testing.T) {
	p := script(t, `
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('X-A', '1'), ('X-A', '2')])
    return [b'Hello, ', b'world!']
`)
	rec := &recorder{}
	res, _ := run(t, p, rec)
	if !reflect.DeepEqual(res, wsgi.Result{}) || rec.status != 200 || rec.line != "200 OK" || rec.body.String() != "Hello, world!" {
		t.Fatalf("got %+v %d %q %q", res, rec.status, rec.line, rec.body.String())
	}
	want := []wsgi.Header{{Name: "Content-Type", Value: "text/plain"}, {Name: "X-A", Value: "1"}, {Name: "X-A", Value: "2"}}
	if fmt.Sprint(rec.headers) != fmt.Sprint(want) {
		t.Errorf("headers %v, want %v", rec.headers, want)
	}
	// A list is sent in one write, without a flush per item.
	if strings.Join(rec.events, ",") != "start,write:Hello, world!" {
		t.Errorf("events %v", rec.events)
	}
}

func TestEnvironObjects(t *testing.T) {
	p := script(t, `
import mod_wsgi, sys
def application(environ, start_response):
    out = []
    for k in sorted(environ):
        v = environ[k]
        if k in ('wsgi.input', 'wsgi.errors'):
            v = type(v).__module__ + '.' + type(v).__name__ + ':' + getattr(v, 'name', '')
        out.append('%s=%r' % (k, v))
    out.append('module=%s %s %s' % (mod_wsgi.application_group, mod_wsgi.version, sys.argv))
    start_response('200 OK', [])
    return ['\n'.join(out).encode()]
`)
	rec := &recorder{}
	run(t, p, rec, env("HTTP_X_LATIN", "caf\xe9", "SCRIPT_NAME", "/app"))
	got := rec.body.String()
	for _, want := range []string{
		"HTTP_X_LATIN='café'", "REQUEST_METHOD='GET'", "SCRIPT_NAME='/app'",
		"apache.version=(2, 4, 55)", "mod_wsgi.version=(4, 9, 4)",
		"mod_wsgi.thread_requests=", "mod_wsgi.total_requests=", "mod_wsgi.thread_id=",
		"wsgi.errors='_io.TextIOWrapper:<wsgi.errors>'", "wsgi.input='mod_wsgi.Input:'",
		"wsgi.file_wrapper=<class 'mod_wsgi.FileWrapper'>", "wsgi.input_terminated=True",
		"wsgi.multiprocess=False", "wsgi.multithread=True", "wsgi.run_once=False", "wsgi.version=(1, 0)",
		"module=test (4, 9, 4) ['mod_wsgi']",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("environ lacks %q:\n%s", want, got)
		}
	}
}

// TestTotalRequests: mod_wsgi.total_requests counts the requests the
// process finished before this one, as mod_wsgi counts them at their end.
func TestTotalRequests(t *testing.T) {
	p := script(t, `
def application(environ, start_response):
    start_response('200 OK', [])
    return [str(environ['mod_wsgi.total_requests']).encode()]
`)
	for range 2 {
		before := testEngine.total.Load()
		rec := &recorder{}
		run(t, p, rec)
		if got, want := rec.body.String(), fmt.Sprint(before); got != want {
			t.Errorf("total_requests %s with %s requests finished before", got, want)
		}
		if after := testEngine.total.Load(); after != before+1 {
			t.Errorf("%d requests finished after one more, want %d", after, before+1)
		}
	}
}

func TestStartResponseValidation(t *testing.T) {
	p := script(t, `
def application(environ, start_response):
    case = environ['PATH_INFO']
    ct = [('Content-Type', 'text/plain')]
    if case == '/status-3': start_response('200', ct)
    elif case == '/status-word': start_response('OK', ct)
    elif case == '/status-bytes': start_response(b'200 OK', ct)
    elif case == '/crlf': start_response('200 OK', [('X', 'a\r\nB: c')])
    elif case == '/euro': start_response('200 OK', [('X', '\u20ac')])
    elif case == '/notuple': start_response('200 OK', [['X', 'y']])
    elif case == '/short': start_response('200 OK', [('X',)])
    elif case == '/space': start_response('200 OK', [('X Y', 'z')])
    elif case == '/empty': start_response('200 OK', [('', 'z')])
    elif case == '/tuple': start_response('200 OK', (('X', 'y'),))
    elif case == '/nostart': pass
    elif case == '/strbody':
        start_response('200 OK', ct); return ['text']
    elif case == '/badcl':
        start_response('200 OK', [('Content-Length', 'x')])
    elif case == '/twice-after':
        w = start_response('200 OK', ct); w(b'x'); start_response('500 No', ct)
    return [b'body']
`)
	cases := map[string]string{
		"/status-3":     "ValueError: no space following status code",
		"/status-word":  "ValueError: status code is not a 3 digit integer",
		"/status-bytes": "TypeError: expected unicode object, value of type bytes found",
		"/crlf":         "ValueError: carriage return/line feed character present in header value",
		"/euro":         "ValueError: unicode object contains non latin-1 characters",
		"/notuple":      "TypeError: list of tuple values expected for headers, value of type list found",
		"/short":        "ValueError: tuple of length 2 expected for header, length is 1",
		"/space":        "ValueError: space character present in header name",
		"/empty":        "ValueError: header name is empty",
		"/tuple":        "TypeError: start_response() argument 2 must be list, not tuple",
		"/nostart":      "RuntimeError: response has not been started",
		"/strbody":      "TypeError: sequence of byte string values expected, value of type str found",
		"/badcl":        "ValueError: invalid content length",
	}
	for path, want := range cases {
		rec := &recorder{}
		res, client := run(t, p, rec, env("PATH_INFO", path))
		logs := strings.Join(logFor(client), "\n")
		if res.Status != 500 || rec.status != 0 {
			t.Errorf("%s: result %+v, sent %d", path, res, rec.status)
		}
		if !strings.Contains(logs, "Exception occurred processing WSGI script '"+p+"'.") || !strings.Contains(logs, want) {
			t.Errorf("%s: log lacks %q:\n%s", path, want, logs)
		}
	}
	// Once the headers went out, the callable's error is Apache's 500
	// page after the body.
	rec := &recorder{}
	res, client := run(t, p, rec, env("PATH_INFO", "/twice-after"))
	if !res.RaisedAfterBody || res.Incomplete || rec.status != 200 || !strings.Contains(strings.Join(logFor(client), "\n"), "RuntimeError: headers have already been sent") {
		t.Errorf("twice-after: %+v %d %v", res, rec.status, logFor(client))
	}
}

func TestExcInfo(t *testing.T) {
	p := script(t, `
import sys
def application(environ, start_response):
    ct = [('Content-Type', 'text/plain')]
    if environ['PATH_INFO'] == '/before':
        start_response('200 OK', ct)
        try:
            raise KeyError('x')
        except KeyError:
            start_response('500 Oops', ct, sys.exc_info())
        return [b'replaced']
    if environ['PATH_INFO'] == '/none':
        w = start_response('200 OK', ct)
        w(b'sent')
        try:
            # sys.exc_info() outside an except block, under a frame
            # that unwinds through a finally.
            start_response('500 Oops', ct, sys.exc_info())
        finally:
            pass
        return [b'never']
    w = start_response('200 OK', ct)
    w(b'sent')
    try:
        raise KeyError('late')
    except KeyError:
        start_response('500 Oops', ct, sys.exc_info())
    return [b'never']
`)
	rec := &recorder{}
	res, _ := run(t, p, rec, env("PATH_INFO", "/before"))
	if !reflect.DeepEqual(res, wsgi.Result{}) || rec.status != 500 || rec.line != "500 Oops" || rec.body.String() != "replaced" {
		t.Errorf("before: %+v %d %q %q", res, rec.status, rec.line, rec.body.String())
	}
	rec = &recorder{}
	res, client := run(t, p, rec, env("PATH_INFO", "/after"))
	if !res.RaisedAfterBody || res.Incomplete || rec.status != 200 || rec.body.String() != "sent" ||
		!strings.Contains(strings.Join(logFor(client), "\n"), "KeyError: 'late'") {
		t.Errorf("after: %+v %d %q %v", res, rec.status, rec.body.String(), logFor(client))
	}
	// (None, None, None) once headers went out is refused, not restored
	// as an exception (which corrupted the interpreter).
	rec = &recorder{}
	res, client = run(t, p, rec, env("PATH_INFO", "/none"))
	if !res.RaisedAfterBody || res.Incomplete || rec.body.String() != "sent" ||
		!strings.Contains(strings.Join(logFor(client), "\n"), "RuntimeError: headers have already been sent") {
		t.Errorf("none: %+v %d %q %v", res, rec.status, rec.body.String(), logFor(client))
	}
	rec = &recorder{}
	if res, _ := run(t, p, rec, env("PATH_INFO", "/before")); !reflect.DeepEqual(res, wsgi.Result{}) || rec.body.String() != "replaced" {
		t.Errorf("the interpreter after /none: %+v %q", res, rec.body.String())
	}
}

// TestModuleReplacedInSysModules: a script that puts another object in
// its sys.modules entry is served from that object's attributes (the
// lookup in a module dictionary that is not there crashed the server).
func TestModuleReplacedInSysModules(t *testing.T) {
	p := script(t, `
import sys, types
def _app(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'from the namespace']
sys.modules[__name__] = types.SimpleNamespace(application=_app)
`)
	for i := range 2 {
		rec := &recorder{}
		if res, _ := run(t, p, rec); !reflect.DeepEqual(res, wsgi.Result{}) || rec.body.String() != "from the namespace" {
			t.Fatalf("request %d: %+v %q", i+1, res, rec.body.String())
		}
	}
}

func TestStreamingWriteAndClose(t *testing.T) {
	p := script(t, `
class Body:
    def __init__(self, environ):
        self.environ = environ
    def __iter__(self):
        yield b'one'
        yield b''
        yield b'two'
        if self.environ['PATH_INFO'] == '/fail':
            raise RuntimeError('mid-stream')
    def close(self):
        self.environ['wsgi.errors'].write('closed\n')

def application(environ, start_response):
    w = start_response('200 OK', [('Content-Length', '5')])
    w(b'w')
    return Body(environ)
`)
	rec := &recorder{}
	res, client := run(t, p, rec)
	// Every non-empty block is flushed; output stops at Content-Length.
	if got := strings.Join(rec.events, ","); got != "start,write:w,flush,write:one,flush,write:t,flush" {
		t.Errorf("events %s", got)
	}
	if res.Incomplete || !strings.Contains(strings.Join(logFor(client), "\n"), "] closed") {
		t.Errorf("%+v %v", res, logFor(client))
	}
	rec = &recorder{}
	res, client = run(t, p, rec, env("PATH_INFO", "/fail"))
	logs := strings.Join(logFor(client), "\n")
	if !res.Incomplete || !strings.Contains(logs, "RuntimeError: mid-stream") || !strings.Contains(logs, "] closed") {
		t.Errorf("fail: %+v\n%s", res, logs)
	}
	// A client that goes away stops the iteration; close() still runs.
	rec = &recorder{failAt: 2}
	res, client = run(t, p, rec)
	logs = strings.Join(logFor(client), "\n")
	if res.Incomplete || !strings.Contains(logs, "Client closed connection.") || !strings.Contains(logs, "] closed") {
		t.Errorf("gone: %+v\n%s", res, logs)
	}
}

func TestInput(t *testing.T) {
	p := script(t, `
def application(environ, start_response):
    i = environ['wsgi.input']
    case = environ['PATH_INFO']
    if case == '/read':
        out = [i.read(3), i.read(), i.read(), i.read(0)]
    elif case == '/lines':
        out = [i.readline(), i.readline(2), i.readline(), i.readlines(), list(i)]
    elif case == '/iter':
        out = list(i)
    else:
        out = [i.read(None)]
    start_response('200 OK', [])
    return [repr(out).encode()]
`)
	body := "line1\nline2\nline3\n" + strings.Repeat("x", 100000) + "\nend"
	for _, tc := range []struct {
		path string
		cl   int64
		want string
	}{
		{"/read", int64(len("abcdef")), `[b'abc', b'def', b'', b'']`},
		{"/lines", int64(len(body)), fmt.Sprintf(`[b'line1\n', b'li', b'ne2\n', [b'line3\n', b'%s\n', b'end'], []]`, strings.Repeat("x", 100000))},
		{"/iter", -1, fmt.Sprintf(`[b'line1\n', b'line2\n', b'line3\n', b'%s\n', b'end']`, strings.Repeat("x", 100000))},
		{"/all", -1, fmt.Sprintf(`[b'%s']`, strings.ReplaceAll(body, "\n", `\n`))},
	} {
		src := body
		if tc.path == "/read" {
			src = "abcdef"
		}
		rec := &recorder{}
		run(t, p, rec, env("PATH_INFO", tc.path), bodyOf(src, tc.cl))
		if rec.body.String() != tc.want {
			got := rec.body.String()
			if len(got) > 200 {
				got = got[:200] + "..."
			}
			t.Errorf("%s: %s", tc.path, got)
		}
	}
}

func TestInputAfterRequest(t *testing.T) {
	p := script(t, `
kept = []
def application(environ, start_response):
    if kept:
        msgs = []
        for f in (lambda: kept[0]['wsgi.input'].read(), lambda: kept[0]['wsgi.errors'].write('x\n')):
            try:
                f()
            except Exception as e:
                msgs.append('%s: %s' % (type(e).__name__, e))
        start_response('200 OK', [])
        return [repr(msgs).encode()]
    kept.append(environ)
    start_response('200 OK', [])
    return [b'kept']
`)
	run(t, p, &recorder{})
	rec := &recorder{}
	run(t, p, rec)
	// mod_wsgi's log buffer never reports itself closed, so the wrapper
	// passes the write down and the buffer refuses it.
	want := `['RuntimeError: request object has expired', 'RuntimeError: log object has expired']`
	if rec.body.String() != want {
		t.Errorf("got %s, want %s", rec.body.String(), want)
	}
}

func TestFileWrapper(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data.bin")
	if err := os.WriteFile(data, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := script(t, fmt.Sprintf(`
import io
def application(environ, start_response):
    case = environ['PATH_INFO']
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    if case == '/file':
        f = open(%q, 'rb')
        f.seek(3)
        return environ['wsgi.file_wrapper'](f, 4)
    if case == '/after-write':
        w = start_response('200 OK', [('Content-Type', 'application/octet-stream')])
        w(b'')
        return environ['wsgi.file_wrapper'](open(%q, 'rb'), 4)
    return environ['wsgi.file_wrapper'](io.BytesIO(b'abcdefgh'), 3)
`, data, data))
	rec := &recorder{}
	run(t, p, rec, env("PATH_INFO", "/file"))
	if string(rec.file) != "3456789" || rec.header("Content-Length") != "7" || rec.events[1] != "sendfile:3:7" {
		t.Errorf("file: %q %q %v", rec.file, rec.header("Content-Length"), rec.events)
	}
	// An empty write() only hands the headers over (mod_wsgi sends
	// nothing): the file still goes out whole, with sendfile.
	rec = &recorder{}
	run(t, p, rec, env("PATH_INFO", "/after-write"))
	if string(rec.file) != "0123456789" || strings.Count(strings.Join(rec.events, ","), "start") != 1 ||
		!slices.Contains(rec.events, "sendfile:0:10") {
		t.Errorf("after write: %q %v", rec.file, rec.events)
	}
	rec = &recorder{}
	run(t, p, rec, env("PATH_INFO", "/bytesio"))
	if rec.body.String() != "abcdefgh" || strings.Count(strings.Join(rec.events, ","), "flush") != 3 {
		t.Errorf("bytesio: %q %v", rec.body.String(), rec.events)
	}
}

func TestApplicationGroups(t *testing.T) {
	p := script(t, `
import sys
count = 0
def application(environ, start_response):
    global count
    count += 1
    start_response('200 OK', [])
    return [('%d %s' % (count, __name__)).encode()]
`)
	for _, tc := range []struct{ group, want string }{
		{"g1", "1"}, {"g1", "2"}, {"g2", "1"}, {"", "1"}, {"g2", "2"}, {"", "2"},
	} {
		rec := &recorder{}
		run(t, p, rec, group(tc.group))
		if !strings.HasPrefix(rec.body.String(), tc.want+" _mod_wsgi_") {
			t.Errorf("group %q: %q, want count %s", tc.group, rec.body.String(), tc.want)
		}
	}
}

func TestReloadAndLoadErrors(t *testing.T) {
	p := script(t, "def application(e, s):\n    s('200 OK', [])\n    return [b'v1']\n")
	rec := &recorder{}
	run(t, p, rec)
	if rec.body.String() != "v1" {
		t.Fatalf("v1: %q", rec.body.String())
	}
	os.WriteFile(p, []byte("def application(e, s):\n    s('200 OK', [])\n    return [b'v2']\n"), 0o644)
	later := time.Now().Add(2 * time.Second)
	os.Chtimes(p, later, later)
	rec = &recorder{}
	_, client := run(t, p, rec)
	if rec.body.String() != "v2" || !strings.Contains(strings.Join(logFor(client), "\n"), "Reloading WSGI script '"+p+"'.") {
		t.Errorf("reload: %q %v", rec.body.String(), logFor(client))
	}

	bad := script(t, "raise ImportError('no such thing')\n")
	res, client := run(t, bad, &recorder{})
	logs := strings.Join(logFor(client), "\n")
	if res.Status != 500 || !strings.Contains(logs, "Failed to exec Python script file '"+bad+"'.") ||
		!strings.Contains(logs, "ImportError: no such thing") {
		t.Errorf("import error: %+v\n%s", res, logs)
	}
	syntax := script(t, "def application(:\n")
	res, client = run(t, syntax, &recorder{})
	logs = strings.Join(logFor(client), "\n")
	if res.Status != 500 || !strings.Contains(logs, "Could not read/compile source file '"+syntax+"'.") ||
		!strings.Contains(logs, "SyntaxError") {
		t.Errorf("syntax error: %+v\n%s", res, logs)
	}
	noapp := script(t, "x = 1\n")
	res, client = run(t, noapp, &recorder{})
	if res.Status != 404 || !strings.Contains(strings.Join(logFor(client), "\n"), "does not contain WSGI application 'application'.") {
		t.Errorf("no application: %+v %v", res, logFor(client))
	}
}

func TestStdioAndSignals(t *testing.T) {
	p := script(t, `
import signal, sys
def application(environ, start_response):
    print('to stdout')
    print('to stderr', file=sys.stderr)
    environ['wsgi.errors'].write('a\nb\npartial')
    environ['wsgi.errors'].write('-joined\nend-without-newline')
    old = signal.signal(signal.SIGUSR1, lambda *a: None)
    start_response('200 OK', [])
    return [repr(old).encode()]
`)
	rec := &recorder{}
	_, client := run(t, p, rec)
	logs := logFor(client)
	want := []string{"to stdout", "to stderr", "a", "b", "partial", "-joined", "end-without-newline"}
	var got []string
	for _, l := range logs {
		if strings.HasPrefix(l, "error ") {
			got = append(got, l[strings.Index(l, "] ")+2:])
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("log lines %q, want %q", got, want)
	}
	if !strings.HasPrefix(rec.body.String(), "<function application.<locals>.<lambda>") {
		t.Errorf("signal.signal returned %s", rec.body.String())
	}
	logMu.Lock()
	all := strings.Join(logLines, "\n")
	logMu.Unlock()
	if !strings.Contains(all, "Callback registration for signal 10 ignored.") {
		t.Error("no warning for signal.signal")
	}
}

// TestConcurrency runs sleeping requests side by side: the GIL is free
// while Python sleeps, so four slots finish four requests in about the
// time of one.
func TestConcurrency(t *testing.T) {
	p := script(t, `
import time
def application(environ, start_response):
    time.sleep(0.3)
    start_response('200 OK', [])
    return [b'ok']
`)
	run(t, p, &recorder{}) // load the script first
	start := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := &recorder{}
			run(t, p, rec)
			if rec.body.String() != "ok" {
				t.Errorf("got %q", rec.body.String())
			}
		}()
	}
	wg.Wait()
	if d := time.Since(start); d > 1100*time.Millisecond {
		t.Errorf("4 requests of 0.3s on 4 slots took %s", d)
	}
}

// TestValidator runs wsgiref.validate's checker around an application
// over several request shapes; it raises on any PEP 3333 violation, which
// would be a 500 here, and warnings are turned into errors.
func TestValidator(t *testing.T) {
	p := script(t, `
import warnings
warnings.simplefilter('error')
from wsgiref.validate import validator

def app(environ, start_response):
    case = environ['PATH_INFO']
    body = environ['wsgi.input'].read(int(environ['CONTENT_LENGTH']))
    environ['wsgi.errors'].write('seen %s\n' % case)
    environ['wsgi.errors'].flush()
    if case == '/gen':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        def gen():
            yield b'a'
            yield body
        return gen()
    if case == '/write':
        w = start_response('200 OK', [('Content-Type', 'text/plain')])
        w(b'written')
        return []
    if case == '/file':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        import io
        return environ['wsgi.file_wrapper'](io.BytesIO(b'wrapped'))
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]

application = validator(app)
`)
	for _, path := range []string{"/", "/gen", "/write", "/file"} {
		rec := &recorder{}
		res, client := run(t, p, rec, env("PATH_INFO", path, "SERVER_NAME", "localhost", "SERVER_PORT", "80",
			"SERVER_PROTOCOL", "HTTP/1.1", "QUERY_STRING", "", "SCRIPT_NAME", "", "wsgi.url_scheme", "http",
			"CONTENT_LENGTH", "4"), bodyOf("data", 4))
		if !reflect.DeepEqual(res, wsgi.Result{}) || rec.status != 200 {
			t.Errorf("%s: %+v %d\n%s", path, res, rec.status, strings.Join(logFor(client), "\n"))
		}
	}
}

func TestHooks(t *testing.T) {
	p := script(t, `
def allow_access(environ, host):
    return {'10.0.0.1': True, '10.0.0.2': False}.get(host)

def check_password(environ, user, password):
    if user == 'bob':
        return password == 'secret'
    if user == 'alias':
        return 'robert'
    if user == 'weird':
        return 42
    return None

def groups_for_user(environ, user):
    assert environ['REQUEST_METHOD'] == 'GET'
    return {'bob': ['staff', 'users']}.get(user, [])
`)
	call := func() *wsgi.Call {
		fi, _ := os.Stat(p)
		return &wsgi.Call{ApplicationGroup: "", Script: p, Module: wsgi.ModuleName(p, false), Reload: true,
			ScriptMTime: fi.ModTime().UnixMicro(), Client: newClient(),
			Env: []wsgi.EnvVar{{Key: "REQUEST_METHOD", Value: "GET"}}, Response: &recorder{}}
	}
	for _, tc := range []struct {
		kind wsgi.HookKind
		args []string
		want wsgi.HookResult
	}{
		{wsgi.HookAccess, []string{"10.0.0.1"}, wsgi.HookResult{Verdict: wsgi.VerdictYes}},
		{wsgi.HookAccess, []string{"10.0.0.2"}, wsgi.HookResult{Verdict: wsgi.VerdictNo}},
		{wsgi.HookAccess, []string{"10.0.0.3"}, wsgi.HookResult{Verdict: wsgi.VerdictNone}},
		{wsgi.HookPassword, []string{"bob", "secret"}, wsgi.HookResult{Verdict: wsgi.VerdictYes}},
		{wsgi.HookPassword, []string{"bob", "wrong"}, wsgi.HookResult{Verdict: wsgi.VerdictNo}},
		{wsgi.HookPassword, []string{"nobody", "x"}, wsgi.HookResult{Verdict: wsgi.VerdictNone}},
		{wsgi.HookPassword, []string{"alias", "x"}, wsgi.HookResult{Verdict: wsgi.VerdictYes, User: "robert"}},
		{wsgi.HookPassword, []string{"weird", "x"}, wsgi.HookResult{Verdict: wsgi.VerdictError}},
		{wsgi.HookGroups, []string{"bob"}, wsgi.HookResult{Verdict: wsgi.VerdictYes, Groups: []string{"staff", "users"}}},
		{wsgi.HookGroups, []string{"eve"}, wsgi.HookResult{Verdict: wsgi.VerdictYes}},
	} {
		c := call()
		got, err := testEngine.Hook(tc.kind, c, tc.args...)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("hook %d %v: %+v %v, want %+v\n%s", tc.kind, tc.args, got, err, tc.want, strings.Join(logFor(c.Client), "\n"))
		}
	}
	// A hook the script does not define is an error, with mod_wsgi's message.
	empty := script(t, "x = 1\n")
	c := call()
	c.Script, c.Module = empty, wsgi.ModuleName(empty, false)
	fi, _ := os.Stat(empty)
	c.ScriptMTime = fi.ModTime().UnixMicro()
	got, _ := testEngine.Hook(wsgi.HookAccess, c, "10.0.0.1")
	if got.Verdict != wsgi.VerdictError || !strings.Contains(strings.Join(logFor(c.Client), "\n"), "does not provide host validator.") {
		t.Errorf("missing hook: %+v %v", got, logFor(c.Client))
	}
}

func TestRealmHashHook(t *testing.T) {
	p := script(t, `
import hashlib
def get_realm_hash(environ, user, realm):
    assert environ['REQUEST_METHOD'] == 'GET'
    if user == 'alice':
        return hashlib.md5(('%s:%s:secret' % (user, realm)).encode()).hexdigest()
    if user == 'bytes':
        return b'0123456789abcdef0123456789abcdef'
    if user == 'weird':
        return 42
    if user == 'wide':
        return '\u20ac'
    return None
`)
	call := func(script string) *wsgi.Call {
		fi, _ := os.Stat(script)
		return &wsgi.Call{ApplicationGroup: "", Script: script, Module: wsgi.ModuleName(script, false), Reload: true,
			ScriptMTime: fi.ModTime().UnixMicro(), Client: newClient(),
			Env: []wsgi.EnvVar{{Key: "REQUEST_METHOD", Value: "GET"}}, Response: &recorder{}}
	}
	for _, tc := range []struct {
		user string
		want wsgi.HookResult
		log  string
	}{
		{"alice", wsgi.HookResult{Verdict: wsgi.VerdictYes}, ""},
		{"bytes", wsgi.HookResult{Verdict: wsgi.VerdictYes, User: "0123456789abcdef0123456789abcdef"}, ""},
		{"nobody", wsgi.HookResult{Verdict: wsgi.VerdictNone}, ""},
		{"weird", wsgi.HookResult{Verdict: wsgi.VerdictError}, "TypeError: Digest auth provider must return None or string object"},
		{"wide", wsgi.HookResult{Verdict: wsgi.VerdictError}, "value containing non 'latin-1' characters found"},
	} {
		c := call(p)
		got, err := testEngine.Hook(wsgi.HookRealmHash, c, tc.user, "Private")
		logs := strings.Join(logFor(c.Client), "\n")
		if tc.user == "alice" {
			tc.want.User = md5hex("alice:Private:secret")
		}
		if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) || !strings.Contains(logs, tc.log) {
			t.Errorf("%s: %+v %v, want %+v\n%s", tc.user, got, err, tc.want, logs)
		}
	}
	empty := script(t, "x = 1\n")
	c := call(empty)
	got, _ := testEngine.Hook(wsgi.HookRealmHash, c, "alice", "Private")
	if got.Verdict != wsgi.VerdictError || !strings.Contains(strings.Join(logFor(c.Client), "\n"),
		"does not provide 'Digest' auth provider.") {
		t.Errorf("missing get_realm_hash: %+v %v", got, logFor(c.Client))
	}
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestEnvironValuesExact sends many values that the value cache's hash
// could confuse (same length, differing in one byte anywhere, empty,
// short, latin-1 bytes, longer than the cache takes) and environ keys
// in changing orders (the key id cache goes by position), and checks
// that the application sees each one exactly.
func TestEnvironValuesExact(t *testing.T) {
	p := script(t, `
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    keys = sorted(k for k in environ if k.startswith('X_') or k in ('SERVER_NAME', 'HTTP_HOST'))
    return [repr([(k, environ[k]) for k in keys]).encode('utf-8')]
`)
	var values []string
	base := []byte("/srv/app/static/0123456789abcdef")
	for i := range base {
		v := append([]byte(nil), base...)
		v[i] ^= 1
		values = append(values, string(v))
	}
	values = append(values, "", "a", "ab", "abc", "abcd", "abcdefg", "abcdefgh", "abcdefghi", "caf\xe9",
		strings.Repeat("x", 127), strings.Repeat("x", 128), strings.Repeat("x", 129), strings.Repeat("y", 300))
	// Three orders, taken in turn: the engine's four slots each see all
	// of them (3 and 4 are coprime), known keys moving between places.
	orders := []func(v, other string) []string{
		func(v, other string) []string { return []string{"X_VALUE", v, "SERVER_NAME", other, "X_OTHER", other} },
		func(v, other string) []string { return []string{"HTTP_HOST", v, "X_OTHER", other, "X_VALUE", v} },
		func(v, other string) []string { return []string{"X_OTHER", v, "X_VALUE", other, "SERVER_NAME", v} },
	}
	n := 0
	for round := 0; round < 3; round++ {
		for i, v := range values {
			other := values[(i+round+1)%len(values)]
			kv := orders[n%len(orders)](v, other)
			n++
			rec := &recorder{}
			run(t, p, rec, env(kv...))
			want := map[string]string{}
			for j := 0; j < len(kv); j += 2 {
				want[kv[j]] = kv[j+1]
			}
			var keys []string
			for k := range want {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("(%s, %s)", pyRepr(k), pyRepr(want[k])))
			}
			if got := rec.body.String(); got != "["+strings.Join(parts, ", ")+"]" {
				t.Fatalf("round %d value %d: app saw %s, want [%s]", round, i, got, strings.Join(parts, ", "))
			}
		}
	}
}

// pyRepr is Python's repr of a str decoded from latin-1 bytes, for the
// characters the test uses.
func pyRepr(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		case c >= 0xa1:
			b.WriteString(string(rune(c)))
		default:
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// TestThreadReadingAfterReturn: a thread the application started that
// is still reading the body when the application returns keeps the
// request open until its read is done. The request used to end at
// once, and the read's callback then found no request on its slot (the
// server crashed) or the next request's body.
func TestThreadReadingAfterReturn(t *testing.T) {
	p := script(t, `
import threading, time
got = []
def application(environ, start_response):
    if environ['PATH_INFO'] == '/got':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [repr(got).encode()]
    inp = environ['wsgi.input']
    reading = threading.Event()
    def read():
        reading.set()
        got.append(inp.read(1))
    threading.Thread(target=read).start()
    reading.wait()
    time.sleep(0.05)  # the thread is inside read(), waiting for the body
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'started']
`)
	pr, pw := io.Pipe()
	go func() {
		time.Sleep(400 * time.Millisecond)
		pw.Write([]byte("x"))
		pw.Close()
	}()
	start := time.Now()
	rec := &recorder{}
	res, _ := run(t, p, rec, func(c *wsgi.Call) { c.Body, c.ContentLength = pr, -1 })
	if took := time.Since(start); took < 350*time.Millisecond {
		t.Fatalf("the request ended after %v, while a thread of it still read its body", took)
	}
	if !reflect.DeepEqual(res, wsgi.Result{}) || rec.body.String() != "started" {
		t.Fatalf("%+v %q", res, rec.body.String())
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		rec := &recorder{}
		run(t, p, rec, env("PATH_INFO", "/got"))
		if rec.body.String() == "[b'x']" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the thread read %s", rec.body.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestURLSchemeKeyIsLast: build_environ finds wsgi.url_scheme by its id
// (KEY_URL_SCHEME), the last of the C side's known keys.
func TestURLSchemeKeyIsLast(t *testing.T) {
	keys := knownKeys()
	if id, ok := keys["wsgi.url_scheme"]; !ok || int(id) != len(keys)-1 {
		t.Errorf("wsgi.url_scheme has id %d (known: %v) of %d keys; shim.c's KEY_URL_SCHEME takes the last", id, ok, len(keys))
	}
}
