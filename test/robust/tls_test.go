package robust

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
	"github.com/gowsgid/gowsgid/internal/certgen"
)

const tlsConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
ServerName localhost
Listen %s https
ErrorLog $DIR/logs/error.log
PidFile $DIR/logs/httpd.pid
DocumentRoot $DIR
<Directory />
    Require all granted
</Directory>
<VirtualHost %s>
    ServerName site.test
    SSLEngine on
    SSLCertificateFile $DIR/site.crt
    SSLCertificateKeyFile $DIR/site.key
</VirtualHost>
`

// writeSiteCert writes a self-signed certificate for site.test whose
// organisation is org, as dir/site.crt and dir/site.key.
func writeSiteCert(t *testing.T, dir, org string) {
	t.Helper()
	c, err := certgen.SelfSigned(certgen.Spec{CommonName: "site.test", Organization: org, NotAfter: time.Now().Add(time.Hour)})
	if err == nil {
		err = c.WriteFiles(dir, "site")
	}
	if err != nil {
		t.Fatal(err)
	}
}

// servedOrg is the organisation of the certificate the server shows
// for site.test, and what it answers for /x.txt over that connection.
func servedOrg(t *testing.T, addr string) (string, string) {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "site.test", InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET /x.txt HTTP/1.1\r\nHost: site.test\r\nConnection: close\r\n\r\n")
	b, _ := io.ReadAll(c)
	return c.ConnectionState().PeerCertificates[0].Subject.Organization[0], string(b)
}

// A graceful restart loads the certificates anew: after the files are
// replaced and -k graceful, new connections get the new certificate;
// a key that no longer matches leaves the server serving the old one.
func TestTLSCertificateReload(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "x.txt"), []byte("x\n"), 0o644)
	writeSiteCert(t, dir, "first")
	addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
	srv := apachetest.StartGowsgid(t, dir, fmt.Sprintf(tlsConf, addr, addr), nil, addr)
	if org, body := servedOrg(t, addr); org != "first" || !strings.Contains(body, "200 OK") {
		t.Fatalf("before: certificate of %q, answer %q", org, body)
	}
	writeSiteCert(t, dir, "second")
	signalServer(t, srv, "graceful")
	deadline := time.Now().Add(10 * time.Second)
	for {
		org, _ := servedOrg(t, addr)
		if org == "second" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after -k graceful the server still shows the certificate of %q", org)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// A key from elsewhere: the reload fails, the last certificate stays.
	crt, _ := os.ReadFile(filepath.Join(dir, "site.crt"))
	writeSiteCert(t, dir, "third")
	os.WriteFile(filepath.Join(dir, "site.crt"), crt, 0o600)
	signalServer(t, srv, "graceful")
	time.Sleep(time.Second)
	if org, body := servedOrg(t, addr); org != "second" || !strings.Contains(body, "200 OK") {
		t.Errorf("after a reload with a mismatched key: certificate of %q, answer %q", org, body)
	}
}
