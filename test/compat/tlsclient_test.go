package compat

import (
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// pki is a test CA and two client certificates it signed: alice's, and
// bob's, which its revocation lists revoke.
type pki struct {
	ca              *certgen.Cert
	caPEM           []byte
	client, revoked tls.Certificate
}

// revokedSerial is the serial number of bob's certificate.
const revokedSerial = 0x2222

// testPKI makes the CA and the client certificate once per test run.
var testPKI = sync.OnceValue(func() *pki {
	ca, err := certgen.NewCA(certgen.Spec{CommonName: "Test CA", Organization: "gowsgid", Serial: 1})
	if err != nil {
		panic(err)
	}
	client, err := ca.Sign(certgen.Spec{CommonName: "alice", Organization: "Example", Client: true, Serial: 0x1234ab,
		DNSNames: []string{"alice.example", "desk.alice.example"}, Emails: []string{"alice@example.com"},
		UPNs: []string{"alice@corp.example"}})
	if err != nil {
		panic(err)
	}
	bob, err := ca.Sign(certgen.Spec{CommonName: "bob", Organization: "Example", Client: true, Serial: revokedSerial})
	if err != nil {
		panic(err)
	}
	return &pki{ca: ca, caPEM: ca.CertPEM, client: client.TLS(), revoked: bob.TLS()}
})

// sslEnvApp prints the mod_ssl variables a WSGI application sees.
const sslEnvApp = `KEYS = ['HTTPS', 'SSL_TLS_SNI', 'SSL_PROTOCOL', 'SSL_CIPHER', 'SSL_CIPHER_EXPORT', 'SSL_CIPHER_USEKEYSIZE',
        'SSL_CIPHER_ALGKEYSIZE', 'SSL_COMPRESS_METHOD', 'SSL_SESSION_RESUMED', 'SSL_CLIENT_VERIFY',
        'SSL_CLIENT_M_VERSION', 'SSL_CLIENT_M_SERIAL', 'SSL_CLIENT_S_DN', 'SSL_CLIENT_S_DN_CN', 'SSL_CLIENT_S_DN_O',
        'SSL_CLIENT_I_DN', 'SSL_CLIENT_I_DN_CN', 'SSL_CLIENT_I_DN_O', 'SSL_CLIENT_A_KEY', 'SSL_CLIENT_A_SIG',
        'SSL_SERVER_M_VERSION', 'SSL_SERVER_S_DN', 'SSL_SERVER_S_DN_CN', 'SSL_SERVER_I_DN_CN', 'SSL_SERVER_A_KEY',
        'SSL_SERVER_A_SIG', 'SSL_CLIENT_SAN_DNS_0', 'SSL_CLIENT_SAN_DNS_1', 'SSL_CLIENT_SAN_DNS_2',
        'SSL_CLIENT_SAN_Email_0', 'SSL_CLIENT_SAN_Email_1', 'SSL_CLIENT_SAN_OTHER_msUPN_0', 'SSL_SERVER_SAN_DNS_0',
        'SSL_SERVER_SAN_DNS_1', 'SSL_SERVER_SAN_Email_0', 'wsgi.url_scheme']

import re

def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    out = ''.join('%s=%r\n' % (k, environ.get(k)) for k in KEYS)
    # Random per session: its form only.
    sid = environ.get('SSL_SESSION_ID')
    out += 'SSL_SESSION_ID %s\n' % (sid if sid is None else bool(re.fullmatch('[0-9a-f]{64}', sid)))
    return [out.encode()]
`

// tlsClientSite covers client certificates: SSLVerifyClient optional
// for the host with SSLCACertificateFile and SSLVerifyDepth, require in
// a <Location>, and SSLOptions +StdEnvVars: the SSL_ variables of the
// connection, the server certificate and the client certificate (or
// SSL_CLIENT_VERIFY NONE) in the WSGI environ, compared with mod_ssl's;
// a host that requires a certificate (SNI) refuses a handshake without
// one, and exports the variables only where a <Location> says so.
func tlsClientSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "ssl", "wsgi")...) + `Listen ` + addr + ` https
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error wsgi:warn
<Directory />
  Require all granted
</Directory>
<VirtualHost ` + addr + `>
  ServerName c.test
  SSLEngine on
  SSLCertificateFile $DIR/c.crt
  SSLCertificateKeyFile $DIR/c.key
  SSLCACertificateFile $DIR/ca.crt
  SSLVerifyClient optional
  SSLVerifyDepth 1
  SSLOptions +StdEnvVars
  WSGIScriptAlias /ssl $DIR/ssl.wsgi
  WSGIScriptAlias /private/ssl $DIR/ssl.wsgi
  <Location /private>
    SSLVerifyClient require
  </Location>
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName d.test
  SSLEngine on
  SSLCertificateFile $DIR/c.crt
  SSLCertificateKeyFile $DIR/c.key
  SSLCACertificateFile $DIR/ca.crt
  SSLVerifyClient require
  <Location /ssl>
    SSLOptions +StdEnvVars
  </Location>
  WSGIScriptAlias /ssl $DIR/ssl.wsgi
  WSGIScriptAlias /plain $DIR/ssl.wsgi
</VirtualHost>
`
	return site{
		name: "tls-client", host: "c.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/x.txt": "x\n", "ssl.wsgi": sslEnvApp},
		setup: func(t *testing.T, dir string) {
			writeSelfSigned(t, dir, "c", "c.test")
			if err := os.WriteFile(filepath.Join(dir, "ca.crt"), testPKI().caPEM, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		reqs: []request{
			get("/ssl", overTLS("c.test"), clientCert()), get("/ssl", overTLS("c.test")),
			get("/x.txt", overTLS("c.test"), clientCert()),
			get("/private/ssl", overTLS("c.test"), clientCert()),
			get("/private/ssl", overTLS("c.test")),
			get("/ssl", overTLS("d.test"), host("d.test"), clientCert()),
			get("/plain", overTLS("d.test"), host("d.test"), clientCert()),
			get("/ssl", overTLS("d.test"), host("d.test")),
		},
		errorLog: true,
	}
}
