package confparse

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
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
	os.WriteFile(filepath.Join(certs, "bad-enc.key"), pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("x")}), 0o600)
	rsaKey, _ := pem.Decode(rsaCert.KeyPEM)
	k, _ := x509.ParsePKCS8PrivateKey(rsaKey.Bytes)
	//lint:ignore SA1019 the legacy form is one mod_ssl reads.
	enc, err := x509.EncryptPEMBlock(rand.Reader, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey)), []byte("s3cret"), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(certs, "enc.key"), pem.EncodeToMemory(enc), 0o600)
	dh, err := asn1.Marshal(struct{ P, G *big.Int }{big.NewInt(23), big.NewInt(5)})
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(certs, "good.dh"), pem.EncodeToMemory(&pem.Block{Type: "DH PARAMETERS", Bytes: dh}), 0o644)
	os.WriteFile(filepath.Join(certs, "bad.dh"), []byte("garbage\n"), 0o644)
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
		{"mismatch", vhost("a.test", "on", "a.crt", "b.key"), "AH02565: Certificate and private key a.test:443:0 from " + certs + "/a.crt and " + certs + "/b.key do not match", 5, true},
		{"encrypted key, builtin dialog", vhost("a.test", "on", "a.crt", "enc.key"),
			"the private key " + certs + "/enc.key of a.test:443 is encrypted: it is decrypted when the server starts (SSLPassPhraseDialog builtin asks on the server's terminal, or reads its standard input)", 5, false},
		{"an encrypted key that cannot be read", "SSLPassPhraseDialog exec:/bin/true\n" + vhost("a.test", "on", "a.crt", "bad-enc.key"),
			"AH02564: Failed to configure encrypted (?) private key a.test:443:0, check " + certs + "/bad-enc.key: encrypted private key: asn1", 6, true},
		{"encrypted key, exec: dialog", "SSLPassPhraseDialog exec:/bin/true\n" + vhost("a.test", "on", "rsa.crt", "enc.key"),
			"the private key " + certs + "/enc.key of a.test:443 is encrypted: it is decrypted when the server starts (exec:/bin/true)", 6, false},
		{"encrypted key, certificate too weak for the level", "SSLPassPhraseDialog exec:/bin/true\nSSLCipherSuite HIGH:@SECLEVEL=3\n" + vhost("a.test", "on", "rsa.crt", "enc.key"),
			"ee key too small", 6, true},
		{"key as certificate", vhost("a.test", "on", "a.key", "a.key"), "AH02562: Failed to configure certificate a.test:443:0 (with chain), check " + certs + "/a.key (SSL Library Error: error:0480006C:PEM routines::no start line", 4, true},
		{"no key", "<VirtualHost 127.0.0.1:8443>\nServerName a.test\nSSLEngine on\nSSLCertificateFile " + certs + "/a.crt\n</VirtualHost>\n", "AH02579: Init: Private key not found", 4, true},
		{"expired", vhost("a.test", "on", "old.crt", "old.key"), "the certificate " + certs + "/old.crt of a.test:443 expired on", 4, false},
		{"crl check without lists", "SSLCARevocationCheck chain\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH01899: Host a.test:443: CRL checking has been enabled, but neither SSLCARevocationFile nor SSLCARevocationPath is configured", 2, true},
		{"crl lists unchecked", "SSLCARevocationFile " + certs + "/a.crt\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH01902: Host a.test:443: X.509 CRL storage locations configured, but CRL checking (SSLCARevocationCheck) is not enabled", 2, false},
		{"crl checks with lists", "SSLCARevocationCheck leaf\nSSLCARevocationPath " + certs + "\n" + vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"cipher string matches nothing", "SSLCipherSuite FOO\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH01898: Unable to configure permitted SSL ciphers (SSL Library Error: error:0A0000B9:SSL routines::no cipher match)", 1, true},
		{"cipher string invalid", "SSLCipherSuite HIGH:_x\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"error:0A000118:SSL routines::invalid command", 1, true},
		{"no suite Go implements", "SSLCipherSuite DHE-RSA-AES128-GCM-SHA256:CAMELLIA\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"a.test:443: TLS 1.2 and earlier are off: Go's crypto/tls implements none of the", 1, false},
		{"no suite Go implements, TLS 1.3 only", "SSLProtocol TLSv1.3\nSSLCipherSuite DHE-RSA-AES128-GCM-SHA256\n" + vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"a TLS 1.3 list", "SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"offers every TLS 1.3 suite", 1, false},
		{"P-256 at security level 3", "SSLCipherSuite HIGH:@SECLEVEL=3\n" + vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"P-256 at security level 4", "SSLCipherSuite HIGH:@SECLEVEL=4\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH02562: Failed to configure certificate a.test:443:0 (with chain), check " + certs + "/a.crt (SSL Library Error: error:0A00018F:SSL routines::ee key too small)", 5, true},
		{"RSA 2048 at security level 2", vhost("a.test", "on", "rsa.crt", "rsa.key"), "", 0, false},
		{"a TLS 1.3 list of nothing", "SSLCipherSuite TLSv1.3 FOO\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"AH10127: Unable to configure permitted TLSv1.3 ciphers (SSL Library Error: error:0A0000B9:SSL routines::no cipher match)", 1, true},
		{"a group OpenSSL does not know", "SSLOpenSSLConfCmd Curves X25519:bogus\n" + vhost("a.test", "on", "a.crt", "a.key"),
			`AH02407: "SSLOpenSSLConfCmd Curves X25519:bogus" failed for a.test:443 (SSL Library Error: error:0A080106:SSL routines::passed invalid argument (group 'bogus' cannot be set))`, 1, true},
		{"no group Go implements", "SSLOpenSSLConfCmd Groups X448:ffdhe2048\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"a.test:443: Go's crypto/tls implements none of the groups Groups names (X448, ffdhe2048)", 1, true},
		{"a group Go lacks", "SSLOpenSSLConfCmd Curves X25519:X448\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"a.test:443: Go's crypto/tls does not implement the groups X448", 1, false},
		{"a command without effect", "SSLOpenSSLConfCmd NumTickets 2\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"a.test:443: gowsgid does not apply SSLOpenSSLConfCmd NumTickets", 1, false},
		{"a cipher string of nothing", "SSLOpenSSLConfCmd CipherString FOO\n" + vhost("a.test", "on", "a.crt", "a.key"),
			`AH02407: "SSLOpenSSLConfCmd CipherString FOO:!aNULL:!eNULL:!EXP" failed for a.test:443 (SSL Library Error: error:0A0000B9:SSL routines::no cipher match)`, 1, true},
		{"a protocol list with a space", `SSLOpenSSLConfCmd Protocol "-ALL TLSv1.2"` + "\n" + vhost("a.test", "on", "a.crt", "a.key"),
			`AH02407: "SSLOpenSSLConfCmd Protocol -ALL TLSv1.2" failed for a.test:443`, 1, true},
		{"an option OpenSSL 3.0 added", `SSLOpenSSLConfCmd Options "-ClientRenegotiation, ServerPreference"` + "\n" + vhost("a.test", "on", "a.crt", "a.key"), "", 0, false},
		{"a group in the wrong case", "SSLOpenSSLConfCmd Curves SECP384R1\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"group 'SECP384R1' cannot be set", 1, true},
		{"a group twice", "SSLOpenSSLConfCmd Curves X25519:x25519\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"listed twice", 1, true},
		{"the level of SSLCipherSuite for the key", "SSLOpenSSLConfCmd CipherString DEFAULT:@SECLEVEL=4\n" + vhost("a.test", "on", "rsa.crt", "rsa.key"), "", 0, false},
		{"a protocol in lower case", "SSLOpenSSLConfCmd MinProtocol tlsv1.2\n" + vhost("a.test", "on", "a.crt", "a.key"),
			`AH02407: "SSLOpenSSLConfCmd MinProtocol tlsv1.2" failed for a.test:443`, 1, true},
		{"DH parameters OpenSSL cannot decode", "SSLOpenSSLConfCmd DHParameters " + certs + "/bad.dh\n" + vhost("a.test", "on", "a.crt", "a.key"),
			`AH02407: "SSLOpenSSLConfCmd DHParameters ` + certs + `/bad.dh" failed for a.test:443 (SSL Library Error: error:1E08010C:DECODER routines::unsupported`, 1, true},
		{"DH parameters", "SSLOpenSSLConfCmd DHParameters " + certs + "/good.dh\n" + vhost("a.test", "on", "a.crt", "a.key"),
			"a.test:443: gowsgid does not apply SSLOpenSSLConfCmd DHParameters", 1, false},
		{"a host without ServerName", "<VirtualHost 127.0.0.1:8443>\nSSLEngine on\nSSLCertificateFile " + certs + "/a.crt\nSSLCertificateKeyFile " + certs + "/b.key\n</VirtualHost>\n",
			":8443:0 from " + certs + "/a.crt and " + certs + "/b.key do not match", 4, true},
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

// TestOpenSSLConf checks the protocols, groups and session tickets a
// server ends with: SSLProtocol's range without holes, SSLOpenSSLConfCmd's
// bounds (which replace it) and Protocol switches (which only narrow
// it), the main server's lines first, and OpenSSL 3.0's refusal of TLS
// 1.0 and 1.1 from security level 1.
func TestOpenSSLConf(t *testing.T) {
	const seclevel0 = "SSLCipherSuite DEFAULT:@SECLEVEL=0\n"
	for _, tc := range []struct {
		name, main, vhost string
		protocols         string
		groups            []tls.CurveID
		noTickets         *bool
	}{
		{name: "none", protocols: "TLSv1.2 TLSv1.3"},
		{name: "none at security level 0", main: seclevel0, protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"},
		{name: "no holes", main: seclevel0 + "SSLProtocol all -TLSv1.1", protocols: "TLSv1.2 TLSv1.3"},
		{name: "bounds", main: "SSLOpenSSLConfCmd MinProtocol TLSv1.2", vhost: "SSLOpenSSLConfCmd MaxProtocol TLSv1.2", protocols: "TLSv1.2"},
		{name: "a bound replaced", main: "SSLProtocol TLSv1.3", vhost: "SSLOpenSSLConfCmd MinProtocol TLSv1.2", protocols: "TLSv1.2 TLSv1.3"},
		{name: "bounds lifted", main: seclevel0 + "SSLProtocol TLSv1.2", vhost: "SSLOpenSSLConfCmd MinProtocol None\nSSLOpenSSLConfCmd MaxProtocol None", protocols: "TLSv1 TLSv1.1 TLSv1.2 TLSv1.3"},
		{name: "switches narrow", main: "SSLProtocol TLSv1.2", vhost: "SSLOpenSSLConfCmd Protocol ALL", protocols: "TLSv1.2"},
		{name: "switch list", vhost: `SSLOpenSSLConfCmd Protocol "-ALL,tlsv1.2, +TLSv1.3"`, protocols: "TLSv1.2 TLSv1.3"},
		{name: "a hole", main: seclevel0, vhost: "SSLOpenSSLConfCmd Protocol -TLSv1.2", protocols: "TLSv1.3"},
		{name: "groups", main: "SSLOpenSSLConfCmd Curves X25519", vhost: `SSLOpenSSLConfCmd Groups "secp384r1: X448:prime256v1"`,
			protocols: "TLSv1.2 TLSv1.3", groups: []tls.CurveID{tls.CurveP384, tls.CurveP256}},
		{name: "tickets", main: "SSLSessionTickets off", vhost: "SSLOpenSSLConfCmd Options \"ServerPreference, +SessionTicket\"",
			protocols: "TLSv1.2 TLSv1.3", noTickets: new(bool)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _ := loadServing(t, "LoadModule ssl_module m.so\n"+tc.main+"\n<VirtualHost 127.0.0.1:8443>\nServerName a.test\n"+tc.vhost+"\n</VirtualHost>\n")
			conf, err := cfg.OpenSSLConf(cfg.VirtualHosts[0])
			if err != nil {
				t.Fatal(err)
			}
			enabled := cfg.TLSProtocols(cfg.VirtualHosts[0])
			var protocols []string
			for _, v := range tlsVersions {
				if enabled[v] {
					protocols = append(protocols, v)
				}
			}
			if got := strings.Join(protocols, " "); got != tc.protocols {
				t.Errorf("protocols %q, want %q", got, tc.protocols)
			}
			if !slices.Equal(conf.Groups, tc.groups) {
				t.Errorf("groups %v, want %v", conf.Groups, tc.groups)
			}
			if (conf.NoSessionTickets == nil) != (tc.noTickets == nil) || tc.noTickets != nil && *conf.NoSessionTickets != *tc.noTickets {
				t.Errorf("NoSessionTickets %v, want %v", conf.NoSessionTickets, tc.noTickets)
			}
		})
	}
}
