package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/internal/bench/benchproc"
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
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ecDER, err := x509.MarshalECPrivateKey(ecKey)
	if err != nil {
		return err
	}
	for _, k := range []struct {
		name   string
		signer crypto.Signer
		block  *pem.Block
	}{
		{"rsa", rsaKey, &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}},
		{"ecdsa", ecKey, &pem.Block{Type: "EC PRIVATE KEY", Bytes: ecDER}},
	} {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(time.Now().UnixNano()),
			Subject:      pkix.Name{CommonName: "bench.test"},
			DNSNames:     []string{"bench.test"},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.signer.Public(), k.signer)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, k.name+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, k.name+".key"), pem.EncodeToMemory(k.block), 0o600); err != nil {
			return err
		}
	}
	conf := strings.ReplaceAll(httpdConf, "@DIR@", dir)
	return os.WriteFile(filepath.Join(dir, "httpd", "httpd.conf"), []byte(conf), 0o644)
}

// server is one running server under test.
type server struct {
	*benchproc.Process
	rsaAddr, ecdsaAddr string
}

// startServer runs bin (gowsgid or apache2) in the foreground on the
// shared configuration and waits until both ports listen.
func startServer(ctx context.Context, name, dir, bin string) (*server, error) {
	ports := make([]int, 2)
	for i := range ports {
		p, err := benchproc.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	s := &server{
		rsaAddr:   benchproc.Loopback(ports[0]),
		ecdsaAddr: benchproc.Loopback(ports[1]),
	}
	cmd := exec.CommandContext(ctx, bin, "-DFOREGROUND", "-f", filepath.Join(dir, "httpd", "httpd.conf"))
	cmd.Env = append(os.Environ(), "BENCH_RSA="+strconv.Itoa(ports[0]), "BENCH_ECDSA="+strconv.Itoa(ports[1]), "BENCH_SIDE="+name)
	p, err := benchproc.Start(name, cmd, []string{s.rsaAddr, s.ecdsaAddr}, 10*time.Second,
		filepath.Join(dir, "httpd", "logs", name+"-error.log"))
	if err != nil {
		return nil, err
	}
	s.Process = p
	return s, nil
}
