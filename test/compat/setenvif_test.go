package compat

import "fmt"

// setEnvIfRedirectSite covers mod_setenvif across internal redirects, the
// load-balancer recipe (SetEnvIf X-Forwarded-Proto "^https$" HTTPS=on) in
// front of the mod_wsgi "hide the .wsgi" rewrite: mod_setenvif takes the
// server's rules on its first call for a request_rec, so the rewritten
// request gets them again (HTTPS=on reaches wsgi.url_scheme), and the
// directory's rules only on the request read from the connection. An
// ErrorDocument served by the application and a .htaccess rewrite do the
// same.
func setEnvIfRedirectSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(stdMods, "wsgi", "setenvif", "rewrite")...) + `Listen ` + addr + `
ServerName lb.test
# At info, the 404 a rewrite does not catch (AH00128) is logged before
# the application serves its ErrorDocument: the connection then has a log
# id, which mod_wsgi passes as mod_wsgi.connection_id.
LogLevel info
<VirtualHost ` + addr + `>
  ServerName lb.test
  SetEnvIf X-Forwarded-Proto "^https$" HTTPS=on
  SetEnvIf X-Forwarded-Proto "^https$" FROM_SERVER=yes
  SetEnvIf Request_URI "^" SEEN_URI=$0
  DocumentRoot $DIR/docs
  ErrorDocument 404 /env.wsgi/notfound
  <Directory $DIR/docs>
    Options ExecCGI FollowSymLinks
    AddHandler wsgi-script .wsgi
    AllowOverride All
    Require all granted
    SetEnvIf Request_URI "^" FROM_DIR=$0
    RewriteEngine On
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteCond %{REQUEST_URI} !^/ht/
    RewriteRule ^(.*)$ /env.wsgi/$1 [QSA,PT,L]
  </Directory>
</VirtualHost>
`
	proto := hdr("X-Forwarded-Proto: https")
	return site{
		name: "setenvif-redirect", host: "lb.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		reqs: []request{
			get("/some/page?x=1", proto), get("/some/page"), get("/env.wsgi/direct", proto),
			get("/ht/page", proto), get("/ht/missing.txt", proto), get("/x.txt", proto),
		},
		files: map[string]string{
			"docs/env.wsgi":     wsgiEnvApp,
			"docs/x.txt":        "x\n",
			"docs/ht/.htaccess": "RewriteEngine On\nRewriteRule ^page$ /env.wsgi/from-htaccess [PT,L]\n",
			"docs/ht/.keep":     "",
		},
	}
}
