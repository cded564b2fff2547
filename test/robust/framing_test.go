package robust

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

const framingConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule alias_module /usr/lib/apache2/modules/mod_alias.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/httpd.pid
Timeout 5
LimitRequestBody 0
DocumentRoot $DIR/htdocs
<Directory />
    Require all granted
</Directory>
WSGIScriptAlias /app $DIR/app.wsgi
WSGIScriptAlias /chunked $DIR/app.wsgi
<Location /chunked>
    WSGIChunkedRequest On
</Location>
`

// startFraming serves app.wsgi (which never reads its input) at /app
// and an empty DocumentRoot.
func startFraming(t *testing.T) string {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "htdocs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	apachetest.StartGowsgid(t, dir, fmt.Sprintf(framingConf, addr), nil, addr)
	return addr
}

// responses sends raw on a new connection and reads the responses that
// come back until the server closes the connection or stays quiet for
// wait.
func responses(t *testing.T, addr, raw string, wait time.Duration) []*http.Response {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go c.Write([]byte(raw))
	br := bufio.NewReader(c)
	var got []*http.Response
	for {
		c.SetReadDeadline(time.Now().Add(wait))
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return got
		}
		resp.Body.Close()
		got = append(got, resp)
	}
}

// TestUnreadBodyIsNotARequest: the body of a request whose handler did
// not read it is never taken for the next request on the connection,
// however long it is (net/http gives up draining after 256 KiB and must
// then close the connection).
func TestUnreadBodyIsNotARequest(t *testing.T) {
	addr := startFraming(t)
	smuggled := "GET /app/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
	for _, size := range []int{1000, 300000} {
		body := smuggled + strings.Repeat("p", size-len(smuggled))
		raw := fmt.Sprintf("POST /app/noread HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
		got := responses(t, addr, raw, 2*time.Second)
		if len(got) != 1 || got[0].StatusCode != 200 {
			var statuses []int
			for _, r := range got {
				statuses = append(statuses, r.StatusCode)
			}
			t.Errorf("a %d-byte body the application did not read: responses %v, want one 200", size, statuses)
		}
	}
}

// TestMalformedChunkIsNotARequest: after a chunked body that breaks (an
// unreadable chunk size), no byte is read as another request: the
// connection ends after the answer, as Apache ends it; and a request
// inside a chunk Apache takes (blanks before its extension, which Go's
// chunked reader refused) stays the chunk's data. An embedded
// application that never reads its input answered, and net/http, whose
// body swallows a chunk error, served what followed the broken chunk:
// request smuggling.
func TestMalformedChunkIsNotARequest(t *testing.T) {
	addr := startFraming(t)
	smuggled := "GET /app/smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
	for name, body := range map[string]string{
		"bad size":        "zz\r\n" + smuggled,
		"space before ;":  fmt.Sprintf("%x ;x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled),
		"after one chunk": "5\r\nhello\r\nzz\r\n" + smuggled,
	} {
		raw := "POST /chunked/noread HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + body
		got := responses(t, addr, raw, 2*time.Second)
		if len(got) != 1 {
			var statuses []int
			for _, r := range got {
				statuses = append(statuses, r.StatusCode)
			}
			t.Errorf("%s: responses %v, want one (nothing after the broken body served)", name, statuses)
		}
	}
}

// TestExpectContinueOnError: a client waiting for "100 Continue" gets the
// final answer of a request that fails before its body is needed, at
// once.
func TestExpectContinueOnError(t *testing.T) {
	addr := startFraming(t)
	began := time.Now()
	got := responses(t, addr, "POST /missing HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n", 3*time.Second)
	if len(got) == 0 {
		t.Fatal("no answer while the client waits for 100 Continue")
	}
	if last := got[len(got)-1]; last.StatusCode != 404 || time.Since(began) > 2*time.Second {
		t.Errorf("answer %d after %s, want 404 at once", last.StatusCode, time.Since(began))
	}
}
