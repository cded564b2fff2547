package robust

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
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

	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /static.txt HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"+
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
