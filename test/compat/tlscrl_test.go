package compat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// tlsCRLSite covers revocation lists: SSLCARevocationFile and -Path
// with SSLCARevocationCheck leaf, chain and no_crl_for_cert_ok, a list
// that has expired and a CA without a list, for SSLVerifyClient
// require and optional; and a chain longer than SSLVerifyDepth allows.
// A refused certificate is logged as mod_ssl
// logs it (AH02039 with OpenSSL's error number and text, AH02040).
func tlsCRLSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	vhost := func(name, extra string) string {
		return `<VirtualHost ` + addr + `>
  ServerName ` + name + `
  SSLEngine on
  SSLCertificateFile $DIR/s.crt
  SSLCertificateKeyFile $DIR/s.key
  SSLCACertificateFile $DIR/ca.crt
  SSLVerifyClient require
` + extra + `</VirtualHost>
`
	}
	conf := head(append(append([]string(nil), stdMods...), "ssl")...) + `Listen ` + addr + ` https
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error
<Directory />
  Require all granted
</Directory>
` + vhost("leaf.test", "  SSLCARevocationFile $DIR/ca.crl\n  SSLCARevocationCheck leaf\n") +
		vhost("chain.test", "  SSLCARevocationPath $DIR/crls\n  SSLCARevocationCheck chain\n") +
		vhost("nolist.test", "  SSLCARevocationFile $DIR/other.crl\n  SSLCARevocationCheck leaf\n") +
		vhost("nolistok.test", "  SSLCARevocationFile $DIR/other.crl\n  SSLCARevocationCheck leaf no_crl_for_cert_ok\n") +
		vhost("expired.test", "  SSLCARevocationFile $DIR/expired.crl\n  SSLCARevocationCheck leaf\n") +
		vhost("unchecked.test", "  SSLCARevocationFile $DIR/ca.crl\n") +
		vhost("optional.test", "  SSLVerifyClient optional\n  SSLCARevocationFile $DIR/ca.crl\n  SSLCARevocationCheck chain\n") +
		vhost("depth0.test", "  SSLVerifyDepth 0\n") +
		vhost("v1file.test", "  SSLCARevocationFile $DIR/v1.crl\n  SSLCARevocationCheck leaf\n") +
		vhost("v1path.test", "  SSLCARevocationPath $DIR/v1crls\n  SSLCARevocationCheck chain\n") +
		vhost("noca.test", "  SSLVerifyClient optional_no_ca\n  SSLCARevocationFile $DIR/ca.crl\n  SSLCARevocationCheck leaf\n")
	var reqs []request
	for _, name := range []string{"leaf.test", "chain.test", "nolist.test", "nolistok.test", "expired.test", "unchecked.test", "optional.test", "depth0.test", "v1file.test", "v1path.test", "noca.test"} {
		over := []reqOpt{overTLS(name), host(name)}
		reqs = append(reqs, get("/x.txt", append(over, clientCert())...), get("/x.txt", append(over, revokedCert())...))
	}
	reqs = append(reqs, get("/x.txt", overTLS("optional.test"), host("optional.test")))
	return site{
		name: "tls-crl", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/x.txt": "x\n"}, reqs: reqs, errorLog: true,
		setup: func(t *testing.T, dir string) {
			writeSelfSigned(t, dir, "s", "s.test")
			p := testPKI()
			now := time.Now()
			other, err := certgen.NewCA(certgen.Spec{CommonName: "Other CA", Serial: 7})
			if err != nil {
				t.Fatal(err)
			}
			write := func(name string, data []byte, err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("ca.crt", p.caPEM, nil)
			// Version 1 lists (openssl ca -gencrl without
			// crl_extensions): in a file, and hash-named in a directory.
			crl, err := p.ca.CRLv1(now.Add(-time.Hour), now.Add(24*time.Hour), revokedSerial)
			write("v1.crl", crl, err)
			write("v1crls/ca.pem", crl, nil)
			hash, err := exec.Command("openssl", "crl", "-hash", "-noout", "-in", filepath.Join(dir, "v1.crl")).Output()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(dir, "v1crls/ca.pem"), filepath.Join(dir, "v1crls", strings.TrimSpace(string(hash))+".r0")); err != nil {
				t.Fatal(err)
			}
			crl, err = p.ca.CRL(1, now.Add(-time.Hour), now.Add(24*time.Hour), revokedSerial)
			write("ca.crl", crl, err)
			write("crls/ca.pem", crl, nil)
			// OpenSSL finds a directory's lists by the hash of their
			// issuer's name (what openssl rehash links).
			out, err := exec.Command("openssl", "crl", "-hash", "-noout", "-in", filepath.Join(dir, "crls/ca.pem")).Output()
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(filepath.Join(dir, "crls/ca.pem"), filepath.Join(dir, "crls", strings.TrimSpace(string(out))+".r0")); err != nil {
				t.Fatal(err)
			}
			crl, err = other.CRL(1, now.Add(-time.Hour), now.Add(24*time.Hour), 0x1234ab)
			write("other.crl", crl, err)
			crl, err = p.ca.CRL(2, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
			write("expired.crl", crl, err)
		},
	}
}
