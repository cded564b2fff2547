package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
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
	name               string
	rsaAddr, ecdsaAddr string
	cmd                *exec.Cmd
	out                bytes.Buffer
	done               chan struct{}
}

// startServer runs bin (gowsgid or apache2) in the foreground on the
// shared configuration and waits until both ports listen.
func startServer(ctx context.Context, name, dir, bin string) (*server, error) {
	ports := make([]int, 2)
	for i := range ports {
		p, err := freePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	s := &server{
		name:      name,
		rsaAddr:   net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		ecdsaAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])),
		done:      make(chan struct{}),
	}
	s.cmd = exec.CommandContext(ctx, bin, "-DFOREGROUND", "-f", filepath.Join(dir, "httpd", "httpd.conf"))
	s.cmd.Env = append(os.Environ(), "BENCH_RSA="+strconv.Itoa(ports[0]), "BENCH_ECDSA="+strconv.Itoa(ports[1]), "BENCH_SIDE="+name)
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	for _, a := range []string{s.rsaAddr, s.ecdsaAddr} {
		if err := s.waitListening(a, 10*time.Second); err != nil {
			s.stop()
			logText, _ := os.ReadFile(filepath.Join(dir, "httpd", "logs", name+"-error.log"))
			return nil, fmt.Errorf("%s did not listen on %s: %w\n%s%s", name, a, err, s.out.String(), logText)
		}
	}
	return s, nil
}

func (s *server) waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("it exited")
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop ends the server's process group: SIGTERM, then SIGKILL.
func (s *server) stop() {
	pgid := -s.cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		syscall.Kill(pgid, syscall.SIGKILL)
		<-s.done
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
