package compat

import (
	"fmt"
	"testing"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// tlsSite covers mod_ssl's name-based virtual hosts on one TLS port:
// SNI picks the certificate and the host, a Host that names a host with
// another certificate than the SNI's is 421 (AH02032), no SNI or an
// unknown name is the first host's, and the WSGI environ over TLS
// (wsgi.url_scheme https, SSL_TLS_SNI, HTTPS consumed by mod_wsgi) is
// mod_wsgi's. A host with Protocols h2 speaks HTTP/2 (ALPN), others
// HTTP/1.1. The certificates are made by the test.
func tlsSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "ssl", "http2", "wsgi", "headers", "env")...) + `Listen ` + addr + ` https
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error wsgi:warn
WSGIScriptAlias /env $DIR/env.wsgi
# mod_wsgi sets HTTPS=1 for a WSGI request over TLS (mod_ssl's "on" for
# the others), over what SetEnv says.
CustomLog logs/${SIDE}-https.log "%U\t%{HTTPS}e"
Header always set X-HTTPS "%{HTTPS}e"
SetEnv HTTPS off
<Directory />
  Require all granted
</Directory>
<VirtualHost ` + addr + `>
  ServerName a.test
  SSLEngine on
  SSLCertificateFile $DIR/a.crt
  SSLCertificateKeyFile $DIR/a.key
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName b.test
  Protocols h2 http/1.1
  SSLEngine on
  SSLCertificateFile $DIR/b.crt
  SSLCertificateKeyFile $DIR/b.key
</VirtualHost>
<VirtualHost ` + addr + `>
  # An RSA and an ECDSA certificate: OpenSSL serves the ECDSA one to a
  # client that takes both.
  ServerName dual.test
  SSLEngine on
  SSLCertificateFile $DIR/dual-rsa.crt
  SSLCertificateKeyFile $DIR/dual-rsa.key
  SSLCertificateFile $DIR/dual-ec.crt
  SSLCertificateKeyFile $DIR/dual-ec.key
  Header always set X-Key "%{SSL_SERVER_A_KEY}s %{SSL_SERVER_S_DN_O}s"
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName alias.test
  SSLEngine on
  SSLCertificateFile $DIR/a.crt
  SSLCertificateKeyFile $DIR/a.key
</VirtualHost>
`
	return site{
		name: "tls", host: "a.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/x.txt": "x\n", "env.wsgi": wsgiEnvApp},
		setup: func(t *testing.T, dir string) {
			for _, name := range []string{"a", "b"} {
				writeSelfSigned(t, dir, name, name+".test")
			}
			for name, rsa := range map[string]bool{"dual-rsa": true, "dual-ec": false} {
				c, err := certgen.SelfSigned(certgen.Spec{CommonName: "dual.test", Organization: name, RSA: rsa})
				if err == nil {
					err = c.WriteFiles(dir, name)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		},
		reqs: []request{
			get("/x.txt", overTLS("a.test"), also("X-HTTPS")), get("/env", overTLS("a.test"), also("X-HTTPS")),
			get("/x.txt", overTLS("b.test"), host("b.test"), also("Upgrade", "Connection")), get("/env?q=1", overTLS("b.test"), host("b.test")),
			get("/x.txt", overTLS("a.test"), host("b.test")),
			get("/x.txt", overTLS("a.test"), host("alias.test")),
			get("/x.txt", overTLS("dual.test"), host("dual.test"), also("X-Key")),
			get("/x.txt", overTLS("")), get("/x.txt", overTLS(""), host("b.test")),
			get("/x.txt", overTLS("unknown.test"), host("unknown.test")),
			get("/nope", overTLS("b.test"), host("b.test")),
			get("/x.txt", overH2("b.test"), host("b.test"), also("X-Proto")),
			get("/env?h2=1", overH2("b.test"), host("b.test"), also("X-Proto")),
			do("POST", "/env", overH2("b.test"), host("b.test"), body("a=1&b=2"), also("X-Proto")),
			get("/x.txt", overH2("a.test"), also("X-Proto")),
			get("/x.txt"),
		},
		reqLogs:  []logCheck{{name: "https"}},
		errorLog: true,
	}
}

// tlsInheritSite has SSLEngine on in the main server: mod_ssl merges it
// into every virtual host that does not set it, so a host on another
// port speaks TLS too (plain HTTP there gets mod_ssl's 400), and one
// with SSLEngine off does not.
func tlsInheritSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	inherits := fmt.Sprintf("127.0.0.1:%d", freePort())
	plain := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "ssl")...) + `Listen ` + addr + `
Listen ` + inherits + `
Listen ` + plain + `
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error
SSLEngine on
SSLCertificateFile $DIR/main.crt
SSLCertificateKeyFile $DIR/main.key
<Directory />
  Require all granted
</Directory>
<VirtualHost ` + inherits + `>
  ServerName v.test
</VirtualHost>
<VirtualHost ` + plain + `>
  ServerName p.test
  SSLEngine off
</VirtualHost>
`
	return site{
		name: "tls-inherit", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr, inherits, plain},
		files: map[string]string{"htdocs/x.txt": "x\n"},
		setup: func(t *testing.T, dir string) { writeSelfSigned(t, dir, "main", "main.test") },
		reqs: []request{
			get("/x.txt", overTLS("main.test")),
			get("/x.txt", overTLS("v.test"), port(1), host("v.test")),
			get("/x.txt", port(1), host("v.test")),
			get("/x.txt", port(2), host("p.test")),
		},
	}
}

// writeSelfSigned writes dir/name.crt and dir/name.key: a self-signed
// certificate for host.
func writeSelfSigned(t *testing.T, dir, name, host string) {
	t.Helper()
	c, err := certgen.SelfSigned(certgen.Spec{CommonName: host})
	if err == nil {
		err = c.WriteFiles(dir, name)
	}
	if err != nil {
		t.Fatal(err)
	}
}
