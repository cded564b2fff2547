package compat

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// whoApp shows who mod_ssl and the access checks made the user.
const whoApp = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    keys = ('REMOTE_USER', 'AUTH_TYPE', 'SSL_CLIENT_S_DN_CN', 'HTTPS')
    return [''.join('%s=%r\n' % (k, environ.get(k)) for k in keys).encode()]
`

// tlsAccessSite covers mod_ssl's access control on a cleartext and a
// TLS address: SSLRequireSSL (in <Location>, in .htaccess, under
// Satisfy Any with and without SSLOptions +StrictRequire), SSLRequire
// with the old syntax (eq, in {...}, m/.../, and) and its accumulation
// in nested scopes, SSLUserName, the Require providers ssl and
// ssl-verify-client, SSL_ variables in Require expr, <If> and
// mod_rewrite's %{SSL:...}, and SSLOptions +FakeBasicAuth (the
// certificate's DN as Basic credentials, SSLUserName or not) with its
// refusal of credentials that pose as one.
func tlsAccessSite() site {
	plain := fmt.Sprintf("127.0.0.1:%d", freePort())
	secure := fmt.Sprintf("127.0.0.1:%d", freePort())
	const basicAuth = "  Satisfy Any\n  AuthType Basic\n  AuthName \"Private Area\"\n  AuthUserFile $DIR/htpasswd\n  Require valid-user\n"
	mods := append(append([]string(nil), authMods...), "ssl", "wsgi", "headers", "rewrite")
	conf := head(mods...) + `Listen ` + plain + `
Listen ` + secure + ` https
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:error wsgi:warn
<Directory />
  Require all granted
  AllowOverride AuthConfig
</Directory>
<Location /secure>
  SSLRequireSSL
</Location>
<Location /anyauth>
  SSLRequireSSL
` + basicAuth + `</Location>
<Location /strict>
  SSLRequireSSL
  SSLOptions +StrictRequire
` + basicAuth + `</Location>
<Location /reqssl>
  Require ssl
</Location>
<Location /verified>
  Require ssl-verify-client
</Location>
<VirtualHost ` + secure + `>
  ServerName s.test
  SSLEngine on
  SSLCertificateFile $DIR/s.crt
  SSLCertificateKeyFile $DIR/s.key
  SSLCACertificateFile $DIR/ca.crt
  SSLVerifyClient optional
  WSGIScriptAlias /who $DIR/who.wsgi
  WSGIScriptAlias /cn/who $DIR/who.wsgi
  <Location /cn>
    SSLRequire %{SSL_CLIENT_S_DN_CN} eq "alice"
    SSLUserName SSL_CLIENT_S_DN_CN
  </Location>
  <Location /org>
    SSLRequire %{SSL_CLIENT_S_DN_O} in {"Other", "Example"} and %{SSL_CIPHER} !~ m/^(EXP|NULL)-/
  </Location>
  <Location /bob>
    SSLRequire %{SSL_CLIENT_S_DN_CN} eq "bob"
  </Location>
  <Location /two>
    SSLRequire %{SSL_CLIENT_VERIFY} eq "SUCCESS"
  </Location>
  <Location /two/more>
    SSLRequire %{SSL_CLIENT_S_DN_CN} eq "carol"
  </Location>
  <Location /expr>
    Require expr %{SSL_CLIENT_S_DN_CN} == 'alice'
  </Location>
  WSGIScriptAlias /fake/who $DIR/who.wsgi
  <Location /fake>
    SSLOptions +FakeBasicAuth
    AuthType Basic
    AuthName "Certificates"
    AuthUserFile $DIR/fakeusers
    Require valid-user
  </Location>
  <Location /fakerw>
    RewriteEngine On
    RewriteRule ^ /fake/who
  </Location>
  <Location /fake/missing>
    ErrorDocument 404 /fake/who
  </Location>
  <Location /fakecn>
    SSLOptions +FakeBasicAuth
    SSLUserName SSL_CLIENT_S_DN_CN
    AuthType Basic
    AuthName "Certificates"
    AuthUserFile $DIR/fakeusers
    Require valid-user
  </Location>
  RewriteEngine On
  RewriteCond %{SSL:SSL_CLIENT_S_DN_CN} =alice
  RewriteCond %{SSL:ssl_client_verify} ^SUCCESS$
  RewriteCond %{SSL:HTTPS} =on
  RewriteRule ^/whoami$ /x.txt [R=302,L]
  <If "%{SSL_PROTOCOL} == 'TLSv1.3' && %{SSL_CLIENT_VERIFY} == 'SUCCESS'">
    Header set X-Verified-TLS13 yes
  </If>
</VirtualHost>
`
	// Users as FakeBasicAuth names them, with crypt("password").
	files := map[string]string{"who.wsgi": whoApp, "htdocs/ht/.htaccess": "SSLRequireSSL\n",
		"fakeusers": "/O=Example/CN=alice:xxj31ZMTZzkVA\nalice:xxj31ZMTZzkVA\n"}
	for _, d := range []string{"", "secure/", "anyauth/", "strict/", "reqssl/", "verified/", "cn/", "org/", "bob/",
		"two/", "two/more/", "expr/", "ht/", "fakecn/"} {
		files["htdocs/"+d+"x.txt"] = d + "x\n"
	}
	tls := func(opts ...reqOpt) []reqOpt {
		return append([]reqOpt{port(1), overTLS("s.test"), host("s.test")}, opts...)
	}
	auth := hdr("Authorization: Basic " + basic("ann", "secret"))
	reqs := []request{
		get("/x.txt"), get("/secure/x.txt"), get("/ht/x.txt"), get("/reqssl/x.txt"), get("/verified/x.txt"),
		get("/anyauth/x.txt"), get("/anyauth/x.txt", auth), get("/strict/x.txt", auth), get("/strict/x.txt"),
		get("/anyauth/x.txt", hdr("Authorization: Basic "+basic("/CN=mallory", "password"))),
	}
	for _, cert := range []bool{false, true} {
		var opts []reqOpt
		if cert {
			opts = append(opts, clientCert())
		}
		for _, p := range []string{"/secure/x.txt", "/ht/x.txt", "/reqssl/x.txt", "/verified/x.txt", "/cn/x.txt",
			"/cn/who", "/who", "/org/x.txt", "/bob/x.txt", "/two/x.txt", "/two/more/x.txt", "/expr/x.txt", "/strict/x.txt", "/whoami", "/fake/who", "/fakecn/x.txt", "/fake/missing", "/fakerw"} {
			reqs = append(reqs, get(p, tls(opts...)...))
		}
		reqs = append(reqs, get("/x.txt", tls(append(opts, also("X-Verified-TLS13"))...)...))
	}
	return site{
		name: "tls-access", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{plain, secure},
		files: files, reqs: reqs, errorLog: true,
		setup: func(t *testing.T, dir string) {
			writeSelfSigned(t, dir, "s", "s.test")
			if err := os.WriteFile(filepath.Join(dir, "ca.crt"), testPKI().caPEM, 0o644); err != nil {
				t.Fatal(err)
			}
			htpasswd(t, dir, "B", "htpasswd", "ann", "secret")
		},
	}
}

// tlsOptionalSite covers SSLEngine optional on a cleartext port, which
// Apache 2.4.71 no longer supports (notice AH10510): no answer offers an
// upgrade to TLS (RFC 2817), and SSLRequireSSL refuses with 403 (no
// 426), as with SSLEngine off.
func tlsOptionalSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "ssl")...) + `Listen ` + addr + `
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info ssl:info
<Directory />
  Require all granted
</Directory>
<VirtualHost ` + addr + `>
  ServerName opt.test
  SSLEngine optional
  SSLCertificateFile $DIR/s.crt
  SSLCertificateKeyFile $DIR/s.key
  <Location /secure>
    SSLRequireSSL
  </Location>
</VirtualHost>
`
	hdrs := also("Upgrade", "Connection")
	return site{
		name: "tls-optional", host: "opt.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/x.txt": "x\n", "htdocs/secure/x.txt": "secure\n"},
		reqs: []request{
			get("/x.txt", hdrs), do("HEAD", "/x.txt", hdrs), get("/x.txt", http10(), hdrs),
			get("/nope", hdrs), get("/secure/x.txt", hdrs), get("/secure/nope", hdrs),
			get("/x.txt", hdr("Connection: keep-alive"), hdrs),
		},
		errorLog: true,
		setup: func(t *testing.T, dir string) {
			writeSelfSigned(t, dir, "s", "opt.test")
		},
	}
}
