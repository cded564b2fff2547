package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/benchproc"
	"github.com/gowsgid/gowsgid/internal/certgen"
)

// httpdConf is the configuration gowsgid and Apache both read: two
// HTTPS virtual hosts, one per key type, HTTP/2 offered first, keep-alive
// without a request limit, no access log. The ports and the side's name
// come from each one's environment.
const httpdConf = `ServerRoot @DIR@/httpd
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so
LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
LoadModule http2_module /usr/lib/apache2/modules/mod_http2.so
Listen 127.0.0.1:${BENCH_RSA} https
Listen 127.0.0.1:${BENCH_ECDSA} https
Listen 127.0.0.1:${BENCH_GROUPS} https
ServerName bench.test
PidFile logs/${BENCH_SIDE}.pid
ErrorLog logs/${BENCH_SIDE}-error.log
LogLevel warn
TypesConfig /etc/mime.types
KeepAlive On
KeepAliveTimeout 30
MaxKeepAliveRequests 0
Protocols h2 http/1.1
SSLSessionCache shmcb:logs/${BENCH_SIDE}-ssl_scache(512000)
DocumentRoot @DIR@/htdocs
<Directory />
    AllowOverride None
    Require all denied
</Directory>
<Directory @DIR@/htdocs>
    Require all granted
</Directory>
<VirtualHost 127.0.0.1:${BENCH_RSA}>
    SSLEngine on
    SSLCertificateFile @DIR@/rsa.crt
    SSLCertificateKeyFile @DIR@/rsa.key
</VirtualHost>
<VirtualHost 127.0.0.1:${BENCH_ECDSA}>
    SSLEngine on
    SSLCertificateFile @DIR@/ecdsa.crt
    SSLCertificateKeyFile @DIR@/ecdsa.key
</VirtualHost>
# Mozilla's recommended groups: the same key exchange on both sides.
<VirtualHost 127.0.0.1:${BENCH_GROUPS}>
    SSLEngine on
    SSLCertificateFile @DIR@/ecdsa.crt
    SSLCertificateKeyFile @DIR@/ecdsa.key
    SSLOpenSSLConfCmd Curves X25519:prime256v1:secp384r1
</VirtualHost>
`

// writeSite writes the document root, the two certificates with their
// keys, and the configuration.
func writeSite(dir string) error {
	for _, d := range []string{"htdocs", "httpd/logs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "htdocs", "hello.txt"), helloBody, 0o644); err != nil {
		return err
	}
	for _, k := range []struct {
		name string
		rsa  bool
	}{{"rsa", true}, {"ecdsa", false}} {
		c, err := certgen.SelfSigned(certgen.Spec{CommonName: "bench.test", RSA: k.rsa})
		if err != nil {
			return err
		}
		if err := c.WriteFiles(dir, k.name); err != nil {
			return err
		}
	}
	conf := strings.ReplaceAll(httpdConf, "@DIR@", dir)
	return os.WriteFile(filepath.Join(dir, "httpd", "httpd.conf"), []byte(conf), 0o644)
}

// server is one running server under test.
type server struct {
	*benchproc.Process
	rsaAddr, ecdsaAddr, groupsAddr string
}

// startServer runs bin (gowsgid or apache2) in the foreground on the
// shared configuration and waits until its ports listen.
func startServer(ctx context.Context, name, dir, bin string) (*server, error) {
	ports := make([]int, 3)
	for i := range ports {
		p, err := benchproc.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	s := &server{
		rsaAddr:    benchproc.Loopback(ports[0]),
		ecdsaAddr:  benchproc.Loopback(ports[1]),
		groupsAddr: benchproc.Loopback(ports[2]),
	}
	cmd := exec.CommandContext(ctx, bin, "-DFOREGROUND", "-f", filepath.Join(dir, "httpd", "httpd.conf"))
	cmd.Env = append(os.Environ(), "BENCH_RSA="+strconv.Itoa(ports[0]), "BENCH_ECDSA="+strconv.Itoa(ports[1]),
		"BENCH_GROUPS="+strconv.Itoa(ports[2]), "BENCH_SIDE="+name)
	p, err := benchproc.Start(name, cmd, []string{s.rsaAddr, s.ecdsaAddr, s.groupsAddr}, 10*time.Second,
		filepath.Join(dir, "httpd", "logs", name+"-error.log"))
	if err != nil {
		return nil, err
	}
	s.Process = p
	return s, nil
}
