package confparse

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// writeCert writes dir/name.crt and dir/name.key, valid until notAfter.
func writeCert(t *testing.T, dir, name string, notAfter time.Time) {
	t.Helper()
	c, err := certgen.SelfSigned(certgen.Spec{CommonName: name, NotAfter: notAfter})
	if err == nil {
		err = c.WriteFiles(dir, name)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// configtest reports, at the line that named the file, what keeps
// mod_ssl from starting (a key that does not match its certificate, an
// encrypted key, no certificate) as fatal, and an expired certificate
// as a warning; a good pair and a server without SSLEngine give none.
func TestCertificateFindings(t *testing.T) {
	certs := t.TempDir()
	writeCert(t, certs, "a", time.Now().Add(24*time.Hour))
	writeCert(t, certs, "b", time.Now().Add(24*time.Hour))
	writeCert(t, certs, "old", time.Now().Add(-24*time.Hour))
	rsaCert, err := certgen.SelfSigned(certgen.Spec{CommonName: "rsa", RSA: true})
	if err == nil {
		err = rsaCert.WriteFiles(certs, "rsa")
	}
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(certs, "enc.key"), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("x")}), 0o600)
	vhost := func(name, engine, cert, key string) string {
		return "<VirtualHost 127.0.0.1:8443>\nServerName " + name + "\nSSLEngine " + engine + "\nSSLCertificateFile " + certs + "/" + cert +
			"\nSSLCertificateKeyFile " + certs + "/" + key + "\n</VirtualHost>\n"
	}
	for _, tc := range []struct {
		name, conf string
		want       string // "" for no finding
		line       int
		fatal      bool
	}{
		{"good pair", vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"engine off", vhost("a.test", "off", "a.crt", "b.key"), "", 0, false},
		{"mismatch", vhost("a.test", "on", "a.crt", "b.key"), "AH02565: Certificate and private key a.test:8443:0 from " + certs + "/a.crt and " + certs + "/b.key do not match", 5, true},
		{"encrypted key", vhost("a.test", "on", "a.crt", "enc.key"), "AH02564: Failed to configure encrypted (?) private key a.test:8443:0, check " + certs + "/enc.key", 5, true},
		{"expired", vhost("a.test", "on", "old.crt", "old.key"), "the certificate " + certs + "/old.crt of a.test:8443 expired on", 4, false},
		{"crl check without lists", "SSLCARevocationCheck chain\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH01899: Host a.test:8443: CRL checking has been enabled, but neither SSLCARevocationFile nor SSLCARevocationPath is configured", 2, true},
		{"crl lists unchecked", "SSLCARevocationFile " + certs + "/a.crt\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH01902: Host a.test:8443: X.509 CRL storage locations configured, but CRL checking (SSLCARevocationCheck) is not enabled", 2, false},
		{"crl checks with lists", "SSLCARevocationCheck leaf\nSSLCARevocationPath " + certs + "\n" + vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"cipher string matches nothing", "SSLCipherSuite FOO\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH01898: Unable to configure permitted SSL ciphers (SSL Library Error: error:0A0000B9:SSL routines::no cipher match)", 1, true},
		{"cipher string invalid", "SSLCipherSuite HIGH:_x\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"error:0A000118:SSL routines::invalid command", 1, true},
		{"no suite Go implements", "SSLCipherSuite DHE-RSA-AES128-GCM-SHA256:CAMELLIA\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"a.test:8443: TLS 1.2 and earlier are off: Go's crypto/tls implements none of the", 1, false},
		{"no suite Go implements, TLS 1.3 only", "SSLProtocol TLSv1.3\nSSLCipherSuite DHE-RSA-AES128-GCM-SHA256\n" + vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"a TLS 1.3 list", "SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"offers every TLS 1.3 suite", 1, false},
		{"P-256 at security level 3", "SSLCipherSuite HIGH:@SECLEVEL=3\n" + vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"P-256 at security level 4", "SSLCipherSuite HIGH:@SECLEVEL=4\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH02562: Failed to configure certificate a.test:8443:0 (with chain), check " + certs + "/a.crt (SSL Library Error: error:0A00018F:SSL routines::ee key too small)", 5, true},
		{"RSA 2048 at security level 2", vhost("a.test", "on", "rsa.crt", "rsa.key"), "", 0, false},
		{"RSA 2048 at security level 3", "SSLCipherSuite HIGH:@SECLEVEL=3\n" + vhost("a.test", "on", "rsa.crt", "rsa.key"),
			"ee key too small", 5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := loadServing(t, "LoadModule ssl_module m.so\n"+tc.conf)
			fs := CertificateFindings(cfg, time.Now())
			if tc.want == "" {
				if len(fs) != 0 {
					t.Errorf("findings %+v, want none", fs)
				}
				return
			}
			if len(fs) != 1 || !strings.Contains(fs[0].Message, tc.want) || fs[0].Fatal != tc.fatal ||
				fs[0].Line != tc.line+6 || !strings.HasSuffix(fs[0].File, "httpd.conf") {
				t.Errorf("findings %+v, want %q (fatal %v) at line %d", fs, tc.want, tc.fatal, tc.line+6)
			}
		})
	}
}
