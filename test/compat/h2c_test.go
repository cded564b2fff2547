package compat

import (
	"fmt"
	"strings"
)

// manyFields is n header lines X-F-0: v ... X-F-(n-1): v.
func manyFields(n int) []string {
	fields := make([]string, n)
	for i := range fields {
		fields[i] = fmt.Sprintf("X-F-%d: v", i)
	}
	return fields
}

// h2App answers /status-103 with that status as its final one and
// /file with a file_wrapper of a 256 KiB file.
const h2App = `import os
def application(environ, start_response):
    if environ['PATH_INFO'] == '/status-103':
        start_response('103 Early Hints', [('Content-Type', 'text/plain')])
        return [b'hint']
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    f = open(os.path.join(os.path.dirname(__file__), 'htdocs', 'big.bin'), 'rb')
    return environ['wsgi.file_wrapper'](f)
`

// h2cSite covers HTTP/2 without TLS: with mod_http2 and Protocols h2c,
// a client with prior knowledge speaks HTTP/2 on the cleartext port
// (mod_http2's H2Direct, on for h2c), static files and a WSGI environ
// alike; HTTP/1.1 goes on working on the same port. An HTTP/1.1 request
// that asks for h2c (Upgrade, HTTP2-Settings) is switched with a 101 and
// answered as HTTP/2 stream 1, unless it has a body, misses a part of
// the asking or H2Upgrade is off (for the host or a <Location>); the first answer of a connection offers h2c (Upgrade) when
// the host lists it before http/1.1.
func h2cSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	direct := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "http2", "wsgi", "headers")...) + `Listen ` + addr + `
ServerName main.test
DocumentRoot $DIR/htdocs
LogLevel info wsgi:warn
Protocols h2c http/1.1
# %{HTTP2} tells the streams of an HTTP/2 connection.
Header always set X-H2 "expr=%{HTTP2}"
<If "%{HTTP2} == 'on'">
  Header always set X-If-H2 yes
</If>
Listen ` + direct + `
WSGIScriptAlias /env $DIR/env.wsgi
WSGIScriptAlias /app $DIR/app.wsgi
<Directory />
  Require all granted
</Directory>
<VirtualHost ` + addr + `>
  ServerName main.test
  <Location /noup>
    H2Upgrade off
  </Location>
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName off.test
  H2Upgrade off
</VirtualHost>
<VirtualHost ` + direct + `>
  ServerName nodirect.test
  H2Direct off
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName plain.test
  Protocols http/1.1 h2c
</VirtualHost>
`
	proto := also("X-Proto", "X-H2", "X-If-H2")
	const upgrade = "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n"
	return site{
		name: "h2c", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr, direct},
		files: map[string]string{"htdocs/x.txt": "x\n", "htdocs/noup/x.txt": "noup\n", "env.wsgi": wsgiEnvApp,
			"app.wsgi": h2App, "htdocs/big.bin": strings.Repeat("0123456789abcdef", 16<<10)},
		reqs: []request{
			get("/x.txt", overH2C(), proto), get("/env?a=1", overH2C(), proto),
			// mod_http2's limits on a stream's fields: 431, no byte of
			// slack ("x-big: " and the value against 8190).
			get("/x.txt", overH2C(), hdr("X-Big: "+strings.Repeat("a", 8183))),
			get("/x.txt", overH2C(), hdr("X-Big: "+strings.Repeat("a", 8184))),
			// LimitRequestFields (100) counts the stream's fields (here
			// with its User-Agent), not the Host mod_http2 makes of
			// :authority.
			get("/x.txt", overH2C(), hdr(manyFields(99)...)), get("/x.txt", overH2C(), hdr(manyFields(100)...), logKnown("mod_http2 logs a request it refused for its fields without them (User-Agent -)")),
			do("POST", "/env", overH2C(), body("k=v"), proto), get("/x.txt", also("Upgrade", "Connection")),
			get("/x.txt", host("plain.test"), also("Upgrade", "Connection")),
			raw("h2c upgrade", "GET /x.txt HTTP/1.1\r\nHost: $HOST\r\n"+upgrade+"\r\n", viaH2CUpgrade(), proto),
			raw("h2c upgrade to a WSGI app", "GET /env?up=1 HTTP/1.1\r\nHost: $HOST\r\nX-Test: yes\r\n"+upgrade+"\r\n", viaH2CUpgrade(), proto),
			raw("h2c upgrade with an absolute-form target", "GET http://$HOST/x.txt HTTP/1.1\r\nHost: $HOST\r\n"+upgrade+"\r\n", viaH2CUpgrade(), proto,
				logKnown("mod_http2 logs stream 1 with the path alone as its target (GET /x.txt HTTP/2.0); gowsgid with the absolute-form target the upgrade asked for")),
			raw("h2c upgrade to a missing file", "GET /nope HTTP/1.1\r\nHost: $HOST\r\n"+upgrade+"\r\n", viaH2CUpgrade(), proto),
			raw("h2c upgrade to a host listing h2c last", "GET /x.txt HTTP/1.1\r\nHost: plain.test\r\n"+upgrade+"\r\n", viaH2CUpgrade(), proto),
			raw("h2c upgrade where H2Upgrade is off", "GET /noup/x.txt HTTP/1.1\r\nHost: $HOST\r\n"+upgrade+"Connection: close\r\n\r\n", viaH2CUpgrade()),
			raw("h2c upgrade to a host with H2Upgrade off", "GET /x.txt HTTP/1.1\r\nHost: off.test\r\n"+upgrade+"Connection: close\r\n\r\n", viaH2CUpgrade()),
			raw("h2c upgrade with a body", "POST /env HTTP/1.1\r\nHost: $HOST\r\n"+upgrade+"Connection: close\r\nContent-Length: 3\r\n\r\na=1", viaH2CUpgrade()),
			raw("h2c upgrade without settings", "GET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: Upgrade, close\r\nUpgrade: h2c\r\n\r\n", viaH2CUpgrade()),
			raw("h2c upgrade not in Connection", "GET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: HTTP2-Settings, close\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n", viaH2CUpgrade()),
			get("/x.txt", overH2C(), port(1), proto),
			raw("h2c upgrade where H2Direct is off", "GET /x.txt HTTP/1.1\r\nHost: nodirect.test\r\n"+upgrade+"\r\n", viaH2CUpgrade(), port(1), proto),
			// A 1xx as an application's final status cannot end a stream:
			// mod_http2 resets it. HEAD of a file_wrapper sends no body.
			get("/app/status-103", overH2C(), logKnown("mod_http2 logs the reset stream with the application's status and the bytes it gave; gowsgid logs 200 and none (the answers match)")),
			do("HEAD", "/app/file", overH2C(), logKnown("Apache's %b counts the file it did not send")),
			raw("second request on a connection", "GET /x.txt HTTP/1.1\r\nHost: $HOST\r\n\r\nGET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\r\n", also("Upgrade", "Connection")),
		},
	}
}
