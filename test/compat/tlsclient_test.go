package compat

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// pki is a test CA and a client certificate it signed.
type pki struct {
	caPEM  []byte
	client tls.Certificate
}

// testPKI makes the CA and the client certificate once per test run.
var testPKI = sync.OnceValue(func() *pki {
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ca := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA", Organization: []string{"gowsgid"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, ca, ca, &caKey.PublicKey, caKey)
	if err != nil {
		panic(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(0x1234ab), Subject: pkix.Name{CommonName: "alice", Organization: []string{"Example"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, leaf, caCert, &key.PublicKey, caKey)
	if err != nil {
		panic(err)
	}
	return &pki{caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		client: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}}
})

// sslEnvApp prints the mod_ssl variables a WSGI application sees.
const sslEnvApp = `KEYS = ['HTTPS', 'SSL_TLS_SNI', 'SSL_PROTOCOL', 'SSL_CIPHER', 'SSL_CIPHER_EXPORT', 'SSL_CIPHER_USEKEYSIZE',
        'SSL_CIPHER_ALGKEYSIZE', 'SSL_COMPRESS_METHOD', 'SSL_SESSION_RESUMED', 'SSL_CLIENT_VERIFY',
        'SSL_CLIENT_M_VERSION', 'SSL_CLIENT_M_SERIAL', 'SSL_CLIENT_S_DN', 'SSL_CLIENT_S_DN_CN', 'SSL_CLIENT_S_DN_O',
        'SSL_CLIENT_I_DN', 'SSL_CLIENT_I_DN_CN', 'SSL_CLIENT_I_DN_O', 'SSL_CLIENT_A_KEY', 'SSL_CLIENT_A_SIG',
        'SSL_SERVER_M_VERSION', 'SSL_SERVER_S_DN', 'SSL_SERVER_S_DN_CN', 'SSL_SERVER_I_DN_CN', 'SSL_SERVER_A_KEY',
        'SSL_SERVER_A_SIG', 'wsgi.url_scheme']

def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [''.join('%s=%r\n' % (k, environ.get(k)) for k in KEYS).encode()]
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
