package apachetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStartServesAFile(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "htdocs"), 0o755)
	os.WriteFile(filepath.Join(dir, "htdocs", "x.txt"), []byte("hello\n"), 0o644)
	port := FreePorts(t, 1)[0]
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	conf := "ServerRoot $DIR\n" + LoadModules("mpm_event", "authz_core", "mime") +
		"Listen " + addr + "\nServerName localhost\nPidFile logs/httpd.pid\nErrorLog logs/error.log\n" +
		"TypesConfig /etc/mime.types\nDocumentRoot $DIR/htdocs\n<Directory $DIR/htdocs>\nRequire all granted\n</Directory>\n"
	Start(t, dir, conf, addr)
	resp, err := RawRequest(addr, "GET /x.txt HTTP/1.0\r\n\r\n", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(resp), "HTTP/1.1 200 OK\r\n") || !strings.HasSuffix(string(resp), "\r\n\r\nhello\n") {
		t.Fatalf("response:\n%s", resp)
	}
}
