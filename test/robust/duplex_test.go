package robust

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// duplexApp answers before it reads its input, then reads all of it and
// says how much it read.
const duplexApp = `
import hashlib

def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    def answer():
        yield b'started\n'
        data = environ['wsgi.input'].read()
        yield ('%d %s\n' % (len(data), hashlib.sha256(data).hexdigest())).encode()
    return answer()
`

const duplexConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
PidFile $DIR/httpd.pid
Timeout 5
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
WSGIDaemonProcess duplex processes=1 threads=2
WSGIScriptAlias /embedded $DIR/app.wsgi
WSGIScriptAlias /daemon $DIR/app.wsgi process-group=duplex
`

// TestFullDuplex: an application may read its input after its response
// began, as under Apache (in both modes): the unread body is not
// discarded when the response's header goes out. The client sends the
// body as a client does, headers first, while it reads the answer.
func TestFullDuplex(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.wsgi"), []byte(duplexApp), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	apachetest.StartGowsgid(t, dir, fmt.Sprintf(duplexConf, addr), nil, addr)
	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	sum := sha256.Sum256(body)
	want := fmt.Sprintf("started\n%d %s\n", len(body), hex.EncodeToString(sum[:]))
	for _, mount := range []string{"/embedded", "/daemon"} {
		t.Run(mount[1:], func(t *testing.T) {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n", mount, len(body))
			go func() {
				for b := body; len(b) > 0; b = b[min(len(b), 16<<10):] {
					if _, err := c.Write(b[:min(len(b), 16<<10)]); err != nil {
						return
					}
				}
			}()
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(resp.Body)
			if err != nil || string(got) != want {
				t.Errorf("answer %q (%v), want %q", got, err, want)
			}
		})
	}
}
