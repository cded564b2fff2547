package robust

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const whoApp = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [environ['REMOTE_ADDR'].encode()]
`

// proxyExtra turns the PROXY protocol on or off; /who answers
// REMOTE_ADDR in embedded and daemon mode.
func proxyExtra(on string) string {
	return `LoadModule remoteip_module /usr/lib/apache2/modules/mod_remoteip.so
RemoteIPProxyProtocol ` + on + `
WSGIScriptAlias /who $DIR/who.wsgi
WSGIScriptAlias /daemon-who $DIR/who.wsgi process-group=life application-group=%{GLOBAL}
`
}

// ask sends GET path on c (keep-alive) and returns the body.
func ask(t *testing.T, c net.Conn, br *bufio.Reader, path string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: localhost\r\n\r\n", path)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, res.StatusCode, b)
	}
	return string(b)
}

// TestProxyProtocolConnection: a PROXY header names the client for
// every request of the connection (keep-alive, embedded and daemon
// mode), and a graceful restart that turns RemoteIPProxyProtocol off
// applies to the next connections on the kept listener.
func TestProxyProtocolConnection(t *testing.T) {
	addr, _, srv := startLifecycle(t, proxyExtra("On"))
	if err := os.WriteFile(filepath.Join(srv.Dir, "who.wsgi"), []byte(whoApp), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "PROXY TCP4 198.51.100.7 10.0.0.1 4567 80\r\n")
	br := bufio.NewReader(c)
	for _, path := range []string{"/who", "/daemon-who", "/who"} {
		if got := ask(t, c, br, path); got != "198.51.100.7" {
			t.Errorf("%s: REMOTE_ADDR %q, want the PROXY header's client 198.51.100.7", path, got)
		}
	}

	// A connection without a header is closed unanswered.
	plain, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	plain.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(plain, "GET /who HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if b, _ := io.ReadAll(plain); len(b) != 0 {
		t.Errorf("a connection without a PROXY header was answered: %q", b)
	}
	plain.Close()

	rewriteConf(t, srv, addr, proxyExtra("Off"))
	signalServer(t, srv, "graceful")
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := ""
		if c2, err := net.Dial("tcp", addr); err == nil {
			c2.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c2, "GET /who HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
			if res, err := http.ReadResponse(bufio.NewReader(c2), nil); err == nil {
				b, _ := io.ReadAll(res.Body)
				got = string(b)
			}
			c2.Close()
		}
		if got == "127.0.0.1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the graceful restart to Off, a plain connection got %q, want REMOTE_ADDR 127.0.0.1", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(srv.ErrorLog(), "AH03492: RemoteIPProxyProtocol: enabled on 0.0.0.0:0") {
		t.Errorf("no AH03492 notice in the error log")
	}
}
