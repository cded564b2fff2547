package compat

import (
	"crypto/tls"
	"fmt"
	"slices"
	"testing"

	"github.com/gowsgid/gowsgid/internal/certgen"
	"github.com/gowsgid/gowsgid/internal/ciphers"
)

// cipherApp shows the negotiated suite as mod_ssl exports it.
const cipherApp = `def application(environ, start_response):
    body = ''.join('%s=%s\n' % (k, environ.get(k)) for k in
                   ('SSL_PROTOCOL', 'SSL_CIPHER', 'SSL_CIPHER_USEKEYSIZE', 'SSL_CIPHER_ALGKEYSIZE')).encode()
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body]
`

// noRenegotiation is why a TLS 1.2 request for a location with its own
// SSLCipherSuite differs: Apache renegotiates with the location's list,
// which Go's client (as Chrome's and most others today) refuses, so the
// client gets no answer; gowsgid, which cannot renegotiate, answers the
// 403 Apache logs. Both log AH02261 and the same access line.
const noRenegotiation = "Apache asks for a renegotiation the client refuses (no answer); gowsgid answers the 403 Apache logs"

// noHTTP2Renegotiation is why an HTTP/2 request over TLS 1.2 to a
// location with its own SSLCipherSuite differs: mod_http2 resets the
// stream (HTTP_1_1_REQUIRED) where mod_ssl refuses it, so the client
// gets no answer and may retry over HTTP/1.1; gowsgid answers 403.
const noHTTP2Renegotiation = "Apache resets the stream (HTTP_1_1_REQUIRED); gowsgid answers 403"

// knownIfServed marks a request with reason when c.test's cipher string
// permits suite: the handshake succeeds and the location is reached.
func knownIfServed(suite uint16, reason string) reqOpt {
	sel, err := ciphers.Select("HIGH:!kRSA:!SHA1:!aNULL:!eNULL:!EXP")
	if err != nil || !slices.Contains(sel.Go, suite) {
		return func(*request) {}
	}
	return known(reason)
}

// tlsCiphersSite covers SSLCipherSuite: a client offering one suite of
// TLS 1.2 is served where the server's cipher string permits it, and
// refused in the handshake where it does not: a TLS 1.2-only port with
// ECDHE+AESGCM, a name-based host beside it with its own string, a port
// with forward secrecy and no SHA-1 whose /strong location permits
// fewer suites (mod_ssl renegotiates there; TLS 1.3 is left alone), and
// a port with mod_ssl's default. SSL_CIPHER and its key sizes are
// mod_ssl's, with OpenSSL's names. A fourth port's SSLOpenSSLConfCmd
// lines choose its groups, its cipher string and its highest protocol.
// The certificate's key is RSA.
func tlsCiphersSite() site {
	addrs := []string{fmt.Sprintf("127.0.0.1:%d", freePort()), fmt.Sprintf("127.0.0.1:%d", freePort()), fmt.Sprintf("127.0.0.1:%d", freePort()),
		fmt.Sprintf("127.0.0.1:%d", freePort())}
	conf := head(append(append([]string(nil), stdMods...), "ssl", "http2", "wsgi")...) + `Listen ` + addrs[0] + ` https
Listen ` + addrs[1] + ` https
Listen ` + addrs[2] + ` https
Listen ` + addrs[3] + ` https
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error wsgi:warn
WSGIScriptAlias /cipher $DIR/cipher.wsgi
SSLCertificateFile $DIR/s.crt
SSLCertificateKeyFile $DIR/s.key
<Directory />
  Require all granted
</Directory>
<VirtualHost ` + addrs[0] + `>
  ServerName a.test
  SSLEngine on
  SSLProtocol -all +TLSv1.2
  SSLCipherSuite ECDHE+AESGCM
</VirtualHost>
<VirtualHost ` + addrs[0] + `>
  ServerName b.test
  SSLEngine on
  SSLProtocol -all +TLSv1.2
  SSLCipherSuite AES128-SHA:ECDHE-RSA-AES128-SHA
</VirtualHost>
<VirtualHost ` + addrs[1] + `>
  ServerName c.test
  SSLEngine on
  SSLOptions +StdEnvVars
  SSLCipherSuite HIGH:!kRSA:!SHA1
  <Location /strong>
    SSLCipherSuite ECDHE+AESGCM
  </Location>
</VirtualHost>
<VirtualHost ` + addrs[2] + `>
  ServerName d.test
  SSLEngine on
</VirtualHost>
<VirtualHost ` + addrs[3] + `>
  ServerName e.test
  SSLEngine on
  SSLOpenSSLConfCmd Curves prime256v1:X448
  SSLOpenSSLConfCmd CipherString ECDHE+CHACHA20
  SSLOpenSSLConfCmd MaxProtocol TLSv1.2
  SSLOpenSSLConfCmd NumTickets 1
  Protocols h2 http/1.1
  <Location /same>
    SSLCipherSuite ECDHE+CHACHA20
  </Location>
  <Location /other>
    SSLCipherSuite ECDHE+AESGCM
  </Location>
</VirtualHost>
`
	offered := []uint16{
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
		tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA256,
	}
	var reqs []request
	for _, id := range offered {
		reqs = append(reqs,
			get("/x.txt", overTLS("a.test"), host("a.test"), suites(id)),
			get("/x.txt", overTLS("b.test"), host("b.test"), suites(id)),
			get("/cipher", overTLS("c.test"), host("c.test"), port(1), suites(id)),
			get("/strong/x.txt", overTLS("c.test"), host("c.test"), port(1), suites(id), knownIfServed(id, noRenegotiation)),
			get("/x.txt", overTLS("d.test"), host("d.test"), port(2), suites(id)),
			get("/x.txt", overTLS("e.test"), host("e.test"), port(3), suites(id)),
		)
	}
	// SSLOpenSSLConfCmd: the groups a client must offer, TLS 1.3 off.
	for _, g := range []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384} {
		reqs = append(reqs, get("/x.txt", overTLS("e.test"), host("e.test"), port(3), groups(g)))
	}
	// A location whose list is the connection's (set by CipherString)
	// needs no renegotiation; another does; over HTTP/2 any other
	// string is refused.
	reqs = append(reqs,
		get("/same/x.txt", overTLS("e.test"), host("e.test"), port(3)),
		get("/other/x.txt", overTLS("e.test"), host("e.test"), port(3), known(noRenegotiation)),
		get("/same/x.txt", overH2("e.test"), host("e.test"), port(3), known(noHTTP2Renegotiation)),
		get("/x.txt", overH2("e.test"), host("e.test"), port(3)),
	)
	reqs = append(reqs,
		get("/x.txt", overTLS("a.test"), host("a.test")), // TLS 1.3 offered: 1.2 spoken
		get("/cipher", overTLS("c.test"), host("c.test"), port(1)),
		get("/strong/x.txt", overTLS("c.test"), host("c.test"), port(1)),
	)
	return site{
		name: "tls-ciphers", host: "main.test", conf: conf, fixed: true, fixedAddrs: addrs,
		files: map[string]string{"htdocs/x.txt": "x\n", "htdocs/strong/x.txt": "strong\n", "htdocs/same/x.txt": "same\n",
			"htdocs/other/x.txt": "other\n", "cipher.wsgi": cipherApp},
		reqs: reqs, errorLog: true,
		setup: func(t *testing.T, dir string) {
			c, err := certgen.SelfSigned(certgen.Spec{CommonName: "s.test", RSA: true})
			if err == nil {
				err = c.WriteFiles(dir, "s")
			}
			if err != nil {
				t.Fatal(err)
			}
		},
	}
}
