package robust

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// slowReaderConf serves a large file, over plain HTTP and TLS, and a
// WSGI application that streams far more than a socket buffers, under
// a Timeout of 2 seconds; the access log says whether each connection
// was aborted (%X).
const slowReaderConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
Listen %s https
ErrorLog $DIR/logs/error.log
LogFormat "%%r %%>s %%X %%b" short
CustomLog $DIR/logs/access.log short
PidFile $DIR/logs/httpd.pid
Timeout 2
DocumentRoot $DIR/htdocs
<Directory />
    Require all granted
</Directory>
WSGIScriptAlias /stream $DIR/stream.wsgi
<VirtualHost %s>
    ServerName site.test
    SSLEngine on
    SSLCertificateFile $DIR/site.crt
    SSLCertificateKeyFile $DIR/site.key
</VirtualHost>
`

// streamApp streams 64 MiB in 64 KiB blocks and leaves a file behind
// when its close() runs.
const streamApp = `
import os

class Stream:
    def __init__(self, marker):
        self.marker = marker
    def __iter__(self):
        block = b'x' * 65536
        for _ in range(1024):
            yield block
    def close(self):
        open(self.marker, 'w').close()

def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    return Stream(os.path.join(os.path.dirname(__file__), 'closed', environ['QUERY_STRING']))
`

// A client that stops reading its answer holds nothing for long: once a
// write to it has waited Timeout, the server ends the connection (as
// Apache's core output filter does), for a static file, over TLS, and
// for a streaming WSGI application, whose close() then runs. A normal
// client is served meanwhile, and each cut answer is logged aborted, a
// file with its whole size.
func TestSlowReader(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 16<<20)
	for _, d := range []string{"htdocs", "closed"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o777); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{"htdocs/big.bin": big, "htdocs/small.txt": []byte("small\n"), "stream.wsgi": []byte(streamApp)}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeSiteCert(t, dir, "slow reader test")
	ports := apachetest.FreePorts(t, 2)
	addr, tlsAddr := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
	apachetest.StartGowsgid(t, dir, fmt.Sprintf(slowReaderConf, addr, tlsAddr, tlsAddr), nil, addr)

	type stalled struct {
		name, target string
		tls          bool
	}
	var clients []stalled
	for i := 0; i < 5; i++ {
		clients = append(clients,
			stalled{fmt.Sprintf("file %d", i), "/big.bin", false},
			stalled{fmt.Sprintf("file over TLS %d", i), "/big.bin", true},
			stalled{fmt.Sprintf("WSGI %d", i), fmt.Sprintf("/stream?s%d", i), false})
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for _, sc := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := stallReading(sc.target, sc.tls, addr, tlsAddr); err != nil {
				errs <- fmt.Errorf("%s: %w", sc.name, err)
			}
		}()
	}

	// A normal client meanwhile.
	for i := 0; i < 10; i++ {
		resp, err := http.Get("http://" + addr + "/small.txt")
		if err != nil {
			t.Fatalf("a normal request while clients stall: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "small\n" {
			t.Fatalf("a normal request while clients stall: %d %q", resp.StatusCode, b)
		}
		time.Sleep(200 * time.Millisecond)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	for i := 0; i < 5; i++ {
		if _, err := os.Stat(filepath.Join(dir, "closed", fmt.Sprintf("s%d", i))); err != nil {
			t.Errorf("the WSGI application's close() did not run for a stalled client: %v", err)
		}
	}
	log, _ := os.ReadFile(filepath.Join(dir, "logs", "access.log"))
	for _, target := range []string{"/big.bin", "/stream?s0"} {
		want := "GET " + target + " HTTP/1.1 200 X"
		if !strings.Contains(string(log), want) {
			t.Errorf("access log has no %q line:\n%s", want, log)
		}
	}
	// %b is what the server meant to send, as Apache's content-length
	// filter counts it: the whole file, however little the client took.
	for _, line := range strings.Split(string(log), "\n") {
		if strings.HasPrefix(line, "GET /big.bin ") && !strings.HasSuffix(line, fmt.Sprintf(" X %d", len(big))) {
			t.Errorf("an aborted download of the file is logged %q, want %%b %d", line, len(big))
		}
	}
}

// stallReading asks for target with a small receive buffer, reads
// nothing for twice the server's Timeout (2 s) plus slack, then reads
// what is left: the server must have ended the connection before the
// whole answer went out.
func stallReading(target string, overTLS bool, addr, tlsAddr string) error {
	var c net.Conn
	d := net.Dialer{Timeout: 5 * time.Second, Control: smallReceiveBuffer}
	if overTLS {
		tc, err := tls.DialWithDialer(&d, "tcp", tlsAddr, &tls.Config{ServerName: "site.test", InsecureSkipVerify: true})
		if err != nil {
			return err
		}
		c = tc
	} else {
		var err error
		if c, err = d.Dial("tcp", addr); err != nil {
			return err
		}
	}
	defer c.Close()
	if _, err := io.WriteString(c, "GET "+target+" HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
		return err
	}
	time.Sleep(6 * time.Second)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	n, err := io.Copy(io.Discard, c)
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("the connection was still open after %d bytes", n)
	case n >= 16<<20:
		return fmt.Errorf("the whole answer (%d bytes) went out to a client that stopped reading", n)
	}
	return nil
}

// smallReceiveBuffer gives a client socket a small receive buffer, so
// that what the kernel takes for it does not hide a server that waits.
func smallReceiveBuffer(network, address string, rc syscall.RawConn) error {
	var serr error
	err := rc.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10)
	})
	if err != nil {
		return err
	}
	return serr
}
