package compat

import "fmt"

// allowMethodsSite covers mod_allowmethods: AllowMethods in <Directory>
// and <Location>, methods adding up within a section, "reset", HEAD
// allowed with GET, methods Apache does not know refused with 405 before
// the handler would say 501, the Allow header of its 405 (TRACE only, or
// empty under TraceEnable off), a WSGI application behind it, an
// ErrorDocument for 405, and the AH01623 error log line.
func allowMethodsSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(stdMods, "allowmethods", "wsgi")...) + `Listen ` + addr + `
ServerName methods.test
DocumentRoot $DIR/htdocs
# mod_wsgi logs loading the script with its process id.
LogLevel info wsgi:warn
WSGIScriptAlias /app $DIR/app.wsgi
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
  AllowMethods GET
  AllowMethods OPTIONS
</Directory>
<Directory $DIR/htdocs/reset>
  AllowMethods reset
</Directory>
<Directory $DIR/htdocs/headonly>
  AllowMethods HEAD
</Directory>
<Files app.wsgi>
  Require all granted
  AllowMethods POST PUT
</Files>
<Location /post>
  AllowMethods POST
</Location>
<Location /doc>
  ErrorDocument 405 "methods: %{REQUEST_METHOD} refused"
</Location>
<VirtualHost ` + addr + `>
  ServerName methods.test
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName notrace.test
  TraceEnable off
</VirtualHost>
`
	var reqs []request
	for _, m := range []string{"GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "FOO"} {
		for _, u := range []string{"/x.txt", "/reset/x.txt", "/headonly/x.txt", "/post", "/missing", "/app/info", "/doc/x.txt"} {
			opts := []reqOpt{}
			if m == "POST" || m == "PUT" {
				opts = append(opts, body("a=1"))
			}
			reqs = append(reqs, do(m, u, opts...))
		}
	}
	reqs = append(reqs, do("PUT", "/x.txt", host("notrace.test"), body("a=1")),
		do("OPTIONS", "/x.txt", host("notrace.test")))
	return site{
		name: "allowmethods", host: "methods.test", errorLog: true, conf: conf,
		// The application's environ shows the listener's port.
		fixed: true, fixedAddrs: []string{addr},
		reqs: reqs,
		files: map[string]string{
			"htdocs/x.txt":          "x\n",
			"htdocs/reset/x.txt":    "reset\n",
			"htdocs/headonly/x.txt": "headonly\n",
			"htdocs/doc/x.txt":      "doc\n",
			"app.wsgi":              wsgiEnvApp,
		},
	}
}
