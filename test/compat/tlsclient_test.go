package compat

import (
	"crypto/tls"
	"encoding/asn1"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/certgen"
)

// pki is a test CA and the client certificates it signed: alice's,
// bob's, which its revocation lists revoke, and others: "rich", whose
// subject has attributes of every kind (richSubject), "expired", and
// two it did not sign: "self" (self-signed) and "stranger" (signed by
// another CA).
type pki struct {
	ca              *certgen.Cert
	caPEM           []byte
	client, revoked tls.Certificate
	other           map[string]tls.Certificate
}

// dnAttr is an attribute of a DN: its type, its value's ASN.1 string
// type and bytes.
type dnAttr struct {
	oid   asn1.ObjectIdentifier
	tag   int
	value string
}

// rawDN encodes an RDNSequence, each RDN's attributes in the order given.
func rawDN(rdns ...[]dnAttr) []byte {
	var seq []byte
	for _, rdn := range rdns {
		var set []byte
		for _, a := range rdn {
			atv, err := asn1.Marshal(struct {
				Type  asn1.ObjectIdentifier
				Value asn1.RawValue
			}{a.oid, asn1.RawValue{Class: asn1.ClassUniversal, Tag: a.tag, Bytes: []byte(a.value)}})
			if err != nil {
				panic(err)
			}
			set = append(set, atv...)
		}
		b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: set})
		seq = append(seq, b...)
	}
	b, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: seq})
	return b
}

// richSubject has what a DN printer must get right: attributes
// crypto/x509's pkix.Name does not know (DC, UID, title, emailAddress,
// an unknown OID), a multi-valued RDN, a repeated CN, RFC 2253's
// special characters, leading and trailing spaces, a control character,
// UTF-8, a T61String in Latin-1 and a BMPString.
var richSubject = rawDN(
	[]dnAttr{{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, asn1.TagIA5String, "org"}},
	[]dnAttr{{asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 25}, asn1.TagIA5String, "example"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 10}, asn1.TagUTF8String, "Ünïcode, Inc."}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.TagUTF8String, "second"}, {asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}, asn1.TagUTF8String, "u1"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 12}, asn1.TagPrintableString, "Boss"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 3}, asn1.TagUTF8String, `#hash;x=y"q\<>+`}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 11}, asn1.TagUTF8String, " trail "}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 7}, asn1.TagT61String, "K\xf6ln"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 8}, asn1.TagBMPString, "\x00B\x00\xe4\x00r"}},
	[]dnAttr{{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}, asn1.TagIA5String, "w@x.org"}},
	[]dnAttr{{asn1.ObjectIdentifier{1, 2, 3, 4}, asn1.TagUTF8String, "custom"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 13}, asn1.TagUTF8String, "tab\there"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 5}, asn1.TagPrintableString, "42"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 42}, asn1.TagUTF8String, "Gina"}, {asn1.ObjectIdentifier{2, 5, 4, 4}, asn1.TagUTF8String, "Sur"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 43}, asn1.TagUTF8String, "II"}},
	[]dnAttr{{asn1.ObjectIdentifier{2, 5, 4, 17}, asn1.TagUTF8String, "12345"}},
)

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
	other := map[string]tls.Certificate{}
	stranger, err := certgen.NewCA(certgen.Spec{CommonName: "Stranger CA", Serial: 5})
	if err != nil {
		panic(err)
	}
	for name, make := range map[string]func() (*certgen.Cert, error){
		"rich": func() (*certgen.Cert, error) {
			return ca.Sign(certgen.Spec{Client: true, Serial: 0x3333, RawSubject: richSubject})
		},
		"expired": func() (*certgen.Cert, error) {
			return ca.Sign(certgen.Spec{CommonName: "old", Client: true, Serial: 0x4444, NotAfter: time.Now().Add(-24 * time.Hour)})
		},
		"self": func() (*certgen.Cert, error) {
			return certgen.SelfSigned(certgen.Spec{CommonName: "selfie", Client: true, Serial: 0x5555})
		},
		"stranger": func() (*certgen.Cert, error) {
			return stranger.Sign(certgen.Spec{CommonName: "carl", Client: true, Serial: 0x6666})
		},
	} {
		c, err := make()
		if err != nil {
			panic(err)
		}
		other[name] = c.TLS()
	}
	return &pki{ca: ca, caPEM: ca.CertPEM, client: client.TLS(), revoked: bob.TLS(), other: other}
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
    out += ''.join('%s=%r\n' % (k, environ[k]) for k in sorted(environ) if k.startswith(('SSL_CLIENT_S_DN', 'SSL_CLIENT_I_DN', 'SSL_CLIENT_CERT_RFC')))
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
// one, and exports the variables only where a <Location> says so. A
// Header format's %{...}s reads them (and what else mod_ssl's lookup
// answers) whatever SSLOptions says.
func tlsClientSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "ssl", "wsgi", "headers")...) + `Listen ` + addr + ` https
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error wsgi:warn
CustomLog logs/${SIDE}-ssl.log "%{SSL_PROTOCOL}x\t%{SSL_CLIENT_S_DN_CN}x\t%{SSL_CLIENT_VERIFY}x\t%{HTTPS}x\t%{version}c\t%{cipher}c\t%{subjectdn}c\t%{issuerdn}c\t%{errcode}c"
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
  Header always set X-Fmt "%{SSL_CLIENT_S_DN_CN}s|%{SSL_CLIENT_VERIFY}s|%{HTTPS}s|%{SSL_NOPE}s|%{REQUEST_METHOD}s"
  # mod_ssl's lookup takes names in any case, but a DN attribute's.
  Header always set X-Case "%{ssl_protocol}s|%{Ssl_Client_S_Dn_CN}s|%{SSL_CLIENT_S_DN_cn}s|%{ssl_client_san_email_0}s"
  Header always set X-Case-Expr "expr=%{SSL_CLIENT_SAN_Email_0}|%{ssl_client_san_DNS_1}|%{SSL_CLIENT_S_DN_cn}|%{ssl_client_s_dn_O}|%{ssl_cipher_usekeysize}"
  <Location /san>
    SSLRequire %{SSL_CLIENT_SAN_Email_0} eq "alice@example.com"
  </Location>
  Header always set X-DN "expr=%{SSL_CLIENT_S_DN_CN_1}|%{SSL_CLIENT_S_DN_SP}|%{SSL_CLIENT_S_DN_ST_RAW}|%{SSL_CLIENT_S_DN_L_RAW}|%{SSL_CLIENT_S_DN_UID_0}|%{SSL_CLIENT_I_DN_CN}"
  <Location /dn>
    # What a DN printer that drops unknown attributes would print.
    Require expr %{SSL_CLIENT_S_DN} =~ /^serialNumber=42,CN=/
  </Location>
  <Location /dn3>
    Require expr %{SSL_CLIENT_S_DN} =~ /,title=Boss,UID=u1\+CN=second,/
  </Location>
  <Location /dn2>
    SSLRequire %{SSL_CLIENT_S_DN} eq "CN=second,UID=u1"
  </Location>
  <Location /user>
    SSLUserName SSL_CLIENT_S_DN_CN_1
  </Location>
  <Location /user2>
    SSLUserName ssl_client_san_email_0
  </Location>
  <Location /user3>
    SSLUserName SSL_CLIENT_S_DN_Email
  </Location>
  # A depth below the handshake's asks for a new verification, which
  # a client that cannot do post-handshake authentication does not get.
  <Location /depth0>
    SSLVerifyDepth 0
  </Location>
  <Location /depth2>
    SSLVerifyDepth 2
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
<VirtualHost ` + addr + `>
  ServerName noca.test
  SSLEngine on
  SSLCertificateFile $DIR/c.crt
  SSLCertificateKeyFile $DIR/c.key
  SSLCACertificateFile $DIR/ca.crt
  SSLVerifyClient optional_no_ca
  SSLOptions +StdEnvVars
  WSGIScriptAlias /ssl $DIR/ssl.wsgi
  <Location /rv>
    Require ssl-verify-client
  </Location>
  <Location /sr>
    SSLRequire %{SSL_CLIENT_VERIFY} eq "SUCCESS"
  </Location>
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
			get("/x.txt", overTLS("c.test"), clientCert(), also("X-Fmt", "X-Case", "X-Case-Expr")),
			get("/san/x", overTLS("c.test"), clientCert()),
			get("/x.txt", overTLS("c.test"), also("X-Fmt")), get("/missing", overTLS("c.test"), clientCert(), also("X-Fmt")),
			get("/private/ssl", overTLS("c.test"), clientCert()),
			get("/private/ssl", overTLS("c.test")),
			get("/ssl", overTLS("c.test"), richCert(), also("X-DN")),
			get("/x.txt", overTLS("c.test"), richCert(), also("X-DN")),
			get("/dn/x", overTLS("c.test"), richCert()), get("/dn2/x", overTLS("c.test"), richCert()),
			get("/dn3/x", overTLS("c.test"), richCert()),
			get("/user/x", overTLS("c.test"), richCert()), get("/user2/x", overTLS("c.test"), clientCert()),
			get("/user3/x", overTLS("c.test"), richCert()),
			get("/depth0/x", overTLS("c.test"), clientCert()), get("/depth2/x", overTLS("c.test"), clientCert()),
			get("/ssl", overTLS("d.test"), host("d.test"), clientCert()),
			get("/plain", overTLS("d.test"), host("d.test"), clientCert()),
			get("/ssl", overTLS("d.test"), host("d.test")),
			// Certificates require refuses in the handshake: AH02039
			// with OpenSSL's error in the host's log.
			get("/ssl", overTLS("d.test"), host("d.test"), otherCert("self")),
			get("/ssl", overTLS("d.test"), host("d.test"), otherCert("stranger")),
			get("/ssl", overTLS("d.test"), host("d.test"), otherCert("expired")),
			// optional_no_ca verifies, and lets an unknown issuer pass.
			get("/ssl", overTLS("noca.test"), host("noca.test"), clientCert()),
			get("/ssl", overTLS("noca.test"), host("noca.test"), otherCert("self")),
			get("/ssl", overTLS("noca.test"), host("noca.test"), otherCert("stranger")),
			get("/ssl", overTLS("noca.test"), host("noca.test"), otherCert("expired")),
			get("/ssl", overTLS("noca.test"), host("noca.test")),
			get("/rv/x", overTLS("noca.test"), host("noca.test"), clientCert()),
			get("/rv/x", overTLS("noca.test"), host("noca.test"), otherCert("self")),
			get("/sr/x", overTLS("noca.test"), host("noca.test"), clientCert()),
			get("/sr/x", overTLS("noca.test"), host("noca.test"), otherCert("stranger")),
		},
		errorLog: true,
		// mod_ssl's %{VAR}x and %{name}c.
		reqLogs: []logCheck{{name: "ssl"}},
	}
}
