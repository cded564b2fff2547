package compat

import "fmt"

// wsgiProxySite covers mod_wsgi's WSGITrustedProxyHeaders and
// WSGITrustedProxies: the client's address, scheme, host, port, server
// name and mount point taken from a balancer's headers, only from a
// trusted peer, each header family cut down to the trusted member. The
// environ dump shows REMOTE_ADDR, wsgi.url_scheme, HTTPS, HTTP_HOST,
// SERVER_NAME, SERVER_PORT, SCRIPT_NAME and the headers left.
func wsgiProxySite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen ` + addr + `
ServerName main.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all granted
</Directory>
WSGIScriptAlias /any $DIR/env.wsgi
WSGIScriptAlias /trusted $DIR/env.wsgi
WSGIScriptAlias /untrusted $DIR/env.wsgi
WSGIScriptAlias /flags $DIR/env.wsgi
WSGIScriptAlias /realip $DIR/env.wsgi
WSGIScriptAlias /nobody $DIR/env.wsgi
WSGIScriptAlias /twice $DIR/env.wsgi
<Location /any>
  WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Host X-Forwarded-Proto X-Forwarded-Port X-Forwarded-Server X-Script-Name
</Location>
<Location /trusted>
  WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Host X-Forwarded-Proto
  WSGITrustedProxies 127.0.0.1 10.0.0.0/8
</Location>
<Location /untrusted>
  WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto
  WSGITrustedProxies 192.0.2.0/24
</Location>
<Location /flags>
  WSGITrustedProxyHeaders X-Forwarded-SSL X-Forwarded-Scheme
</Location>
<Location /realip>
  WSGITrustedProxyHeaders X-Real-IP X-Forwarded-HTTPS X-Host
</Location>
<Location /nobody>
  WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto
  WSGITrustedProxies
</Location>
<Location /twice>
  WSGITrustedProxyHeaders X-Forwarded-For
  WSGITrustedProxyHeaders X-Forwarded-Proto
  WSGITrustedProxies 192.0.2.1
  WSGITrustedProxies 127.0.0.1
</Location>
`
	all := hdr("X-Forwarded-For: 203.0.113.9, 10.1.2.3", "X-Client-IP: 198.51.100.1", "X-Real-IP: 198.51.100.2",
		"X-Forwarded-Host: www.example.com", "X-Host: other.example", "X-Forwarded-Proto: https",
		"X-Forwarded-SSL: on", "X-Scheme: http", "X-Forwarded-Port: 8443", "X-Forwarded-Server: front.example",
		"X-Script-Name: /mounted", "X-Forwarded-Script-Name: /elsewhere")
	var reqs []request
	// An empty WSGITrustedProxies trusts no one; repeated lines add up.
	for _, p := range []string{"/any", "/trusted", "/untrusted", "/flags", "/realip", "/nobody", "/twice"} {
		reqs = append(reqs,
			get(p+"/x", all),
			get(p+"/x"),
			get(p+"/x", hdr("X-Forwarded-For: 203.0.113.9")),
			get(p+"/x", hdr("X-Forwarded-For: 203.0.113.9, 10.9.9.9, 127.0.0.1")),
			get(p+"/x", hdr("X-Forwarded-For:   , 203.0.113.9")),
			// mod_wsgi keeps empty items, and reads each as
			// getaddrinfo does (127.1 is 127.0.0.1, 10.1 10.0.0.1).
			get(p+"/x", hdr("X-Forwarded-For: ,, 1.1.1.1 ,,127.0.0.1, ")),
			get(p+"/x", hdr("X-Forwarded-For: 1.1.1.1, 127.1")),
			get(p+"/x", hdr("X-Forwarded-For: 1.1.1.1, 0x0a.1 , 127.0.0.1")),
			get(p+"/x", hdr("X-Forwarded-Proto: HTTPS")),
			get(p+"/x", hdr("X-Forwarded-Proto: ftp")),
			get(p+"/x", hdr("X-Forwarded-SSL: 1", "X-Forwarded-Scheme: http")),
			get(p+"/x", hdr("X-Forwarded-HTTPS: true", "X-Real-IP: 2001:db8::5", "X-Host: h.example:81")),
			get(p+"/x", hdr("X-Forwarded-Host: a.example", "X-Forwarded-Host: b.example")),
		)
	}
	return site{
		name: "wsgi-proxy", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/.keep": "", "env.wsgi": wsgiEnvApp},
		reqs:  reqs,
	}
}
