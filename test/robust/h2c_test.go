package robust

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// h2cConf offers h2c with a single worker.
const h2cConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule http2_module /usr/lib/apache2/modules/mod_http2.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/httpd.pid
ThreadsPerChild 1
MaxRequestWorkers 1
Protocols h2c http/1.1
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
`

// TestH2CUpgradeWithOneWorker checks that a request that switches its
// connection to HTTP/2 gives its worker back before the session serves
// it again as stream 1: with MaxRequestWorkers 1, stream 1 is answered.
func TestH2CUpgradeWithOneWorker(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "static.txt"), []byte("static\n"), 0o644)
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	apachetest.StartGowsgid(t, dir, fmt.Sprintf(h2cConf, addr), nil, addr)

	fr := upgradeH2C(t, addr, "/static.txt", 5*time.Second)
	var status, body string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("stream 1 not answered: %v (status %q, body %q)", err, status, body)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			status = f.PseudoValue("status")
		case *http2.DataFrame:
			body += string(f.Data())
			if f.StreamEnded() {
				if status != "200" || body != "static\n" {
					t.Fatalf("stream 1: %s %q", status, body)
				}
				return
			}
		}
	}
}

// upgradeH2C sends a GET for path asking to upgrade to h2c, checks the
// 101, and returns the framer of the HTTP/2 session that follows, its
// preface and settings sent (stream 1 answers the GET). The connection
// closes with the test; timeout bounds all of its reads and writes.
func upgradeH2C(t *testing.T, addr, path string, timeout time.Duration) *http2.Framer {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(timeout))
	io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"+
		"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade answered %v, %v", resp, err)
	}
	io.WriteString(c, http2.ClientPreface)
	fr := http2.NewFramer(c, br)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	return fr
}

// TestH2Settings reads the SETTINGS frame gowsgid and Apache open an
// HTTP/2 connection with (prior knowledge, h2c): H2MaxSessionStreams
// and H2WindowSize set, and mod_http2's defaults where they are not.
func TestH2Settings(t *testing.T) {
	for _, tc := range []struct {
		name, extra     string
		streams, window uint32
	}{
		{name: "defaults", streams: 100, window: 65535},
		{name: "set", extra: "H2MaxSessionStreams 7\nH2WindowSize 70000\n", streams: 7, window: 70000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ports := apachetest.FreePorts(t, 2)
			for i, start := range []func(dir, conf, addr string){
				func(dir, conf, addr string) { apachetest.Start(t, dir, conf, addr) },
				func(dir, conf, addr string) { apachetest.StartGowsgid(t, dir, conf, nil, addr) },
			} {
				side := []string{"apache", "gowsgid"}[i]
				addr := fmt.Sprintf("127.0.0.1:%d", ports[i])
				start(t.TempDir(), fmt.Sprintf(h2cConf, addr)+tc.extra, addr)
				streams, window := h2Settings(t, addr)
				if streams != tc.streams || window != tc.window {
					t.Errorf("%s: MAX_CONCURRENT_STREAMS %d, INITIAL_WINDOW_SIZE %d; want %d, %d", side, streams, window, tc.streams, tc.window)
				}
			}
		})
	}
}

// h2Settings opens an h2c connection with prior knowledge and returns
// the two settings of the server's first SETTINGS frame (an unsent
// INITIAL_WINDOW_SIZE is the protocol's 65535).
func h2Settings(t *testing.T, addr string) (streams, window uint32) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, http2.ClientPreface)
	fr := http2.NewFramer(c, c)
	fr.WriteSettings()
	f, err := fr.ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	sf, ok := f.(*http2.SettingsFrame)
	if !ok {
		t.Fatalf("first frame %v, not SETTINGS", f)
	}
	window = 65535
	sf.ForeachSetting(func(s http2.Setting) error {
		switch s.ID {
		case http2.SettingMaxConcurrentStreams:
			streams = s.Val
		case http2.SettingInitialWindowSize:
			window = s.Val
		}
		return nil
	})
	return streams, window
}

// h2cSlowConf serves a slow WSGI application over h2c.
const h2cSlowConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule http2_module /usr/lib/apache2/modules/mod_http2.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/logs/httpd.pid
Protocols h2c http/1.1
WSGIScriptAlias /slow $DIR/slow.wsgi
<Directory />
    Require all granted
</Directory>
`

const slowApp = `import time
def application(environ, start_response):
    time.sleep(1)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'slept\n']
`

// TestH2CGracefulStop stops the server gracefully while a stream of an
// h2c-upgraded connection is being answered: the session hears GOAWAY,
// the stream still gets its whole answer, and the server then exits.
func TestH2CGracefulStop(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "slow.wsgi"), []byte(slowApp), 0o644)
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	srv := apachetest.StartGowsgid(t, dir, fmt.Sprintf(h2cSlowConf, addr), nil, addr)

	fr := upgradeH2C(t, addr, "/slow", 10*time.Second)
	go func() {
		time.Sleep(300 * time.Millisecond)
		signalServer(t, srv, "graceful-stop")
	}()
	var goAway bool
	var status, body string
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			break // the server closed the connection
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.GoAwayFrame:
			goAway = true
		case *http2.MetaHeadersFrame:
			status = f.PseudoValue("status")
		case *http2.DataFrame:
			body += string(f.Data())
		}
	}
	if !goAway || status != "200" || body != "slept\n" {
		t.Errorf("GOAWAY %v, stream 1 answered %q %q; want GOAWAY and 200 %q", goAway, status, body, "slept\n")
	}
	select {
	case <-srv.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not exit after graceful-stop")
	}
}

// TestH2WSGIConnectionHeader: an application's "Connection: close" does
// not end an HTTP/2 connection (HTTP/2 has no such header; mod_http2
// drops it, and Go's server would send GOAWAY): the next request on the
// connection reuses it.
func TestH2WSGIConnectionHeader(t *testing.T) {
	dir := t.TempDir()
	app := "def application(environ, start_response):\n" +
		"    if environ['PATH_INFO'] == '/raise':\n" +
		"        raise RuntimeError('a 500, which closes an HTTP/1 connection')\n" +
		"    start_response('200 OK', [('Content-Type', 'text/plain'), ('Connection', 'close')])\n" +
		"    return [b'ok']\n"
	if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	conf := fmt.Sprintf(h2cConf, addr) + "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\n" +
		"WSGIScriptAlias /app $DIR/app.wsgi\n"
	apachetest.StartGowsgid(t, dir, conf, nil, addr)
	tr := &http2.Transport{AllowHTTP: true, DialTLSContext: func(ctx context.Context, network, a string, _ *tls.Config) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, a)
	}}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	// The application's Connection: close, then an error answer (whose
	// Connection: close is HTTP/1's), each followed by a request that
	// must find the connection still open.
	for i, path := range []string{"/app", "/app", "/app/raise", "/app"} {
		reused := false
		trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused }}
		req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "http://"+addr+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		want := 200
		if path == "/app/raise" {
			want = 500
		}
		if resp.ProtoMajor != 2 || resp.StatusCode != want {
			t.Fatalf("GET %s: %s %d, want HTTP/2 %d", path, resp.Proto, resp.StatusCode, want)
		}
		if i > 0 && !reused {
			t.Errorf("GET %s needed a new connection: the answer before it ended the HTTP/2 connection", path)
		}
	}
}

// TestH2FieldsAsModHTTP2: the hop-by-hop response fields mod_http2 drops
// (set by mod_headers or by an application) do not reach an HTTP/2
// client, which would reset the stream; and a stream's own host field
// does not stand in for its :authority in the application's HTTP_HOST.
func TestH2FieldsAsModHTTP2(t *testing.T) {
	dir := t.TempDir()
	app := "def application(environ, start_response):\n" +
		"    start_response('200 OK', [('Content-Type', 'text/plain'), ('Upgrade', 'foo'), ('Keep-Alive', 'timeout=5')])\n" +
		"    return [environ.get('HTTP_HOST', '-').encode()]\n"
	os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(app), 0o644)
	os.WriteFile(filepath.Join(dir, "x.txt"), []byte("x\n"), 0o644)
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	conf := fmt.Sprintf(h2cConf, addr) + "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\n" +
		"LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n" +
		"WSGIScriptAlias /app $DIR/app.wsgi\n" +
		"<Location /x.txt>\n  Header set Upgrade foo\n  Header set Keep-Alive timeout=9\n</Location>\n"
	apachetest.StartGowsgid(t, dir, conf, nil, addr)
	for _, path := range []string{"/x.txt", "/app"} {
		fields, _ := h2Get(t, addr, path, "localhost", "")
		for _, f := range fields {
			if f.Name == "upgrade" || f.Name == "keep-alive" {
				t.Errorf("GET %s over HTTP/2 answered with %s: %s, which mod_http2 drops", path, f.Name, f.Value)
			}
		}
	}
	if _, body := h2Get(t, addr, "/app", "localhost", "other.test"); string(body) != "localhost" {
		t.Errorf("HTTP_HOST %q for :authority localhost and host other.test, want the :authority, as mod_http2 gives it", body)
	}
}

// h2Get sends a GET on a new h2c connection with prior knowledge, with
// a host field when host is not "" (Go's client sends none), and returns
// the answer's fields and body.
func h2Get(t *testing.T, addr, path, authority, host string) ([]hpack.HeaderField, []byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, http2.ClientPreface)
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	fr.WriteSettings()
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":authority", authority}, {":path", path}, {"host", host}} {
		if f[1] != "" {
			enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
		}
	}
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, BlockFragment: block.Bytes(), EndStream: true, EndHeaders: true})
	var fields []hpack.HeaderField
	var body []byte
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("GET %s: reading the answer: %v", path, err)
		}
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.MetaHeadersFrame:
			fields = append(fields, f.Fields...)
			if f.StreamEnded() {
				return fields, body
			}
		case *http2.DataFrame:
			body = append(body, f.Data()...)
			if f.StreamEnded() {
				return fields, body
			}
		case *http2.RSTStreamFrame:
			t.Fatalf("GET %s: stream reset: %v", path, f.ErrCode)
		}
	}
}
