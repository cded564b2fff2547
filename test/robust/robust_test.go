// Package robust checks that the gowsgid binary stays up and answers the
// way it should when WSGI applications and clients misbehave: an
// application that never returns, a client that leaves mid-response, a
// 100 MB upload, and many requests without memory growth.
package robust

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

const app = `
import hashlib, time

def application(environ, start_response):
    path = environ['PATH_INFO']
    if path == '/hang':
        time.sleep(3600)
    if path == '/hang-after':
        def stalled():
            yield b'first block\n'
            time.sleep(3600)
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return stalled()
    if path == '/upload':
        digest, size = hashlib.sha256(), 0
        stream = environ['wsgi.input']
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            size += len(chunk)
            digest.update(chunk)
        body = ('%d %s' % (size, digest.hexdigest())).encode()
        start_response('200 OK', [('Content-Length', str(len(body)))])
        return [body]
    if path == '/slow':
        return Slow(environ, start_response)
    body = b'Hello, world!'
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]

class Slow:
    # Streams a block every 50 ms; close() records that it ran.
    closed = 0
    def __init__(self, environ, start_response):
        start_response('200 OK', [('Content-Type', 'text/plain')])
    def __iter__(self):
        for i in range(200):
            yield b'x' * 1024
            time.sleep(0.05)
    def close(self):
        Slow.closed += 1
        open(__file__ + '.closed', 'w').write(str(Slow.closed))
`

const conf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/httpd.pid
Timeout 2
LimitRequestBody 0
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
WSGIScriptAlias / $DIR/app.wsgi
`

func start(t *testing.T) (addr, dir string, srv *apachetest.Instance) {
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	addr = fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	srv = apachetest.StartGowsgid(t, dir, fmt.Sprintf(conf, addr), nil, addr)
	return addr, dir, srv
}

func get(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMisbehaviour(t *testing.T) {
	addr, dir, srv := start(t)

	t.Run("app never returns", func(t *testing.T) {
		began := time.Now()
		status, _ := get(t, addr, "/hang")
		if took := time.Since(began); status != 504 || took > 5*time.Second {
			t.Errorf("hanging application: status %d after %s, want 504 within Timeout (2s)", status, took)
		}
		if status, body := get(t, addr, "/"); status != 200 || body != "Hello, world!" {
			t.Errorf("after the hang: %d %q", status, body)
		}
		if !strings.Contains(srv.ErrorLog(), "no response from the WSGI application within Timeout") {
			t.Error("the timeout is not in the error log")
		}
	})

	t.Run("app stops after the headers", func(t *testing.T) {
		began := time.Now()
		resp, err := http.Get("http://" + addr + "/hang-after")
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		// The connection is cut: the client sees a truncated response.
		if took := time.Since(began); resp.StatusCode != 200 || string(b) != "first block\n" || err == nil || took > 5*time.Second {
			t.Errorf("stalled stream: %d %q err=%v after %s, want the first block then a cut connection within Timeout", resp.StatusCode, b, err, took)
		}
		if status, _ := get(t, addr, "/"); status != 200 {
			t.Errorf("after the stalled stream: %d", status)
		}
	})

	t.Run("client leaves mid-response", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET /slow HTTP/1.1\r\nHost: localhost\r\n\r\n")
		br := bufio.NewReader(conn)
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200") {
			t.Fatalf("status line %q, %v", line, err)
		}
		conn.Close()
		marker := filepath.Join(dir, "app.wsgi.closed")
		deadline := time.Now().Add(5 * time.Second)
		for {
			if _, err := os.Stat(marker); err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("close() was not called on the iterable after the client left")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if status, _ := get(t, addr, "/"); status != 200 {
			t.Errorf("after the client left: %d", status)
		}
	})

	t.Run("100 MB upload read in chunks", func(t *testing.T) {
		const size = 100 << 20
		pr, pw := io.Pipe()
		h := sha256.New()
		go func() {
			block := make([]byte, 1<<16)
			for i := range block {
				block[i] = byte(i * 7)
			}
			for n := 0; n < size; n += len(block) {
				h.Write(block)
				if _, err := pw.Write(block); err != nil {
					return
				}
			}
			pw.Close()
		}()
		req, _ := http.NewRequest("POST", "http://"+addr+"/upload", pr)
		req.ContentLength = size
		before := rss(t, srv)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		want := fmt.Sprintf("%d %s", size, hex.EncodeToString(h.Sum(nil)))
		if resp.StatusCode != 200 || string(b) != want {
			t.Errorf("upload: %d %q, want %q", resp.StatusCode, b, want)
		}
		// Streamed, not buffered: the server did not grow by the body.
		if grew := rss(t, srv) - before; grew > 50<<20 {
			t.Errorf("RSS grew by %d MB during a 100 MB upload", grew>>20)
		}
	})
}

// TestNoLeak sends 200k requests and checks that the server's memory
// stays flat after a warm-up.
func TestNoLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	addr, _, srv := start(t)
	// ab (apache2-utils) drives the load: a load generator inside this
	// test binary would run under the race detector and be the bottleneck.
	ab, err := exec.LookPath("ab")
	if err != nil {
		t.Fatal("ab is missing (make test installs apache2-utils)")
	}
	load := func(n int) {
		out, err := exec.Command(ab, "-q", "-k", "-c", "8", "-n", strconv.Itoa(n), "http://"+addr+"/").CombinedOutput()
		if err != nil {
			t.Fatalf("ab: %v\n%s", err, out)
		}
		text := string(out)
		if !strings.Contains(text, "Complete requests:      "+strconv.Itoa(n)) ||
			!strings.Contains(text, "Failed requests:        0") || strings.Contains(text, "Non-2xx") {
			t.Fatalf("ab reported failures:\n%s", text)
		}
	}
	load(20000)
	before := rss(t, srv)
	load(200000)
	after := rss(t, srv)
	t.Logf("RSS %d kB before, %d kB after 200k requests", before>>10, after>>10)
	if after-before > 8<<20 {
		t.Errorf("RSS grew by %d kB over 200k requests", (after-before)>>10)
	}
}

// rss is the resident set size of the server process in bytes.
func rss(t *testing.T, srv *apachetest.Instance) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", srv.Pid()))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
