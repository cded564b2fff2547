package compat

import "fmt"

// hostnameSite covers HostnameLookups: with Double (and On in a
// <Location>), the client 127.0.0.1 is "localhost" (from /etc/hosts,
// which resolves back) in the access log's %h, in a WSGI app's
// REMOTE_HOST, and for mod_rewrite's %{REMOTE_HOST}, SetEnvIf's
// Remote_Host and <If>'s REMOTE_HOST. A name looked up is the
// connection's: where lookups are Off it is still used, as Apache
// keeps it in the conn_rec; a virtual host with lookups Off throughout
// gives the address, and no REMOTE_HOST.
func hostnameSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi", "rewrite", "setenvif", "headers")...) + `Listen ` + addr + `
ServerName main.test
DocumentRoot $DIR/htdocs
HostnameLookups Double
WSGIScriptAlias /env $DIR/env.wsgi
WSGIScriptAlias /off/env $DIR/env.wsgi
WSGIScriptAlias /on/env $DIR/env.wsgi
SetEnvIf Remote_Host "^localhost$" NAMED=yes
Header always set X-Named "%{NAMED}e"
<If "%{REMOTE_HOST} == 'localhost'">
  Header always set X-If named
</If>
<Directory />
  Require all granted
</Directory>
<Location /off>
  HostnameLookups Off
</Location>
<Location /on>
  HostnameLookups On
</Location>
<VirtualHost ` + addr + `>
  ServerName main.test
  RewriteEngine On
  RewriteRule ^/whoami$ /host/%{REMOTE_HOST} [R=302,L]
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName off.test
  HostnameLookups Off
  WSGIScriptAlias /env $DIR/env.wsgi
</VirtualHost>
`
	named := also("X-Named", "X-If", "Location")
	return site{
		name: "hostname", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/x.txt": "x\n", "htdocs/off/x.txt": "off\n", "env.wsgi": wsgiEnvApp},
		reqs: []request{
			get("/x.txt", named), get("/env", named), get("/whoami", named),
			get("/off/x.txt", named), get("/off/env", named), get("/on/env", named),
			get("/x.txt", host("off.test"), named), get("/env", host("off.test"), named),
		},
	}
}
