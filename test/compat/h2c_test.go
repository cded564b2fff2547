package compat

import "fmt"

// h2cSite covers HTTP/2 without TLS: with mod_http2 and Protocols h2c,
// a client with prior knowledge speaks HTTP/2 on the cleartext port
// (mod_http2's H2Direct, on for h2c), static files and a WSGI environ
// alike; HTTP/1.1 goes on working on the same port.
func h2cSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "http2", "wsgi")...) + `Listen ` + addr + `
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info wsgi:warn
Protocols h2c http/1.1
WSGIScriptAlias /env $DIR/env.wsgi
<Directory />
  Require all granted
</Directory>
`
	proto := also("X-Proto")
	return site{
		name: "h2c", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/x.txt": "x\n", "env.wsgi": wsgiEnvApp},
		reqs: []request{
			get("/x.txt", overH2C(), proto), get("/env?a=1", overH2C(), proto),
			do("POST", "/env", overH2C(), body("k=v"), proto), get("/x.txt"),
		},
	}
}
