package compat

import (
	"strings"
	"testing"
)

// reqTimeoutSite covers mod_reqtimeout's RequestReadTimeout with short
// stages: a request head that stops arriving (after its request line:
// 408 from the connection's server; inside its request line: closed
// unanswered, logged as "-" when it is the connection's first), a body
// that stops arriving (the default handler's discard: 408; a WSGI
// app's read: mod_wsgi's "request data read error"), and requests that
// arrive in time, served as usual. The access and error logs are
// compared request by request (AH01382).
func reqTimeoutSite() site {
	conf := head(append(append([]string(nil), stdMods...), "wsgi", "reqtimeout")...) + `Listen 127.0.0.1:${P1}
` + reqTimeoutConf
	const head = "Host: main.test\r\n"
	reqs := []request{
		get("/x.txt"),
		do("POST", "/app", body("a=1&b=2")),
		raw("head stops after a field", "GET /x.txt HTTP/1.1\r\n"+head),
		raw("head stops after the request line", "GET /x.txt?q=1 HTTP/1.1\r\n"),
		raw("HTTP/1.0 head stops after the request line", "GET /x.txt HTTP/1.0\r\n"),
		raw("HEAD stops", "HEAD /x.txt HTTP/1.1\r\n"+head),
		raw("request line stops", "GET /x.t"),
		raw("static body stops", "POST /x.txt HTTP/1.1\r\n"+head+"Content-Length: 100\r\n\r\nabc"),
		raw("WSGI body stops", "POST /app HTTP/1.1\r\n"+head+"Content-Length: 100\r\n\r\nabc"),
		raw("a pipelined second request stops", "GET /x.txt HTTP/1.1\r\n"+head+"\r\nGET /x.txt HTTP/1.1\r\n"+head),
	}
	return site{
		name: "reqtimeout", host: "main.test", conf: conf, ports: 1,
		files: map[string]string{
			"htdocs/x.txt": "x\n",
			"app.wsgi": `def application(environ, start_response):
    try:
        body = b'read %d bytes\n' % len(environ['wsgi.input'].read())
    except OSError as e:
        body = ('%s\n' % e).encode()
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body]
`,
		},
		reqs:     reqs,
		errorLog: true,
	}
}

// reqTimeoutConf is the reqtimeout site's server, after Listen.
const reqTimeoutConf = `ServerName main.test
DocumentRoot $DIR/htdocs
RequestReadTimeout header=1-2,MinRate=500 body=1,MinRate=500
# mod_wsgi logs loading the script once per child process.
LogLevel info wsgi:warn
WSGIScriptAlias /app $DIR/app.wsgi
<Directory />
  Require all granted
</Directory>
`

// reqTimeoutTLSSite is reqTimeoutSite over TLS: the read timing sees
// the decrypted request, so a head cut off after its request line is
// answered with mod_reqtimeout's 408 through TLS, as Apache answers it.
// A client that speaks plain HTTP to the port gets mod_ssl's 400.
func reqTimeoutTLSSite() site {
	s := reqTimeoutSite()
	s.name = "reqtimeout-tls"
	s.conf = head(append(append([]string(nil), stdMods...), "wsgi", "reqtimeout", "ssl")...) + `Listen 127.0.0.1:${P1} https
SSLEngine on
SSLCertificateFile $DIR/s.crt
SSLCertificateKeyFile $DIR/s.key
` + strings.Replace(reqTimeoutConf, "LogLevel info wsgi:warn", "LogLevel info wsgi:warn ssl:error", 1)
	// Not the pipelined second request: Apache over TLS leaves it
	// waiting as an idle connection and closes it unanswered when
	// KeepAliveTimeout ends (docs/compat.md).
	var reqs []request
	for _, r := range s.reqs {
		if r.name != "a pipelined second request stops" {
			r.tls, r.sni = true, "main.test"
			reqs = append(reqs, r)
		}
	}
	s.reqs = reqs
	s.reqs = append(s.reqs, get("/x.txt"), get("/nope.txt", hdr("Accept: text/html")),
		raw("plain HTTP/1.0 without a Host", "GET /x.txt HTTP/1.0\r\n\r\n"))
	s.setup = func(t *testing.T, dir string) { writeSelfSigned(t, dir, "s", "main.test") }
	return s
}

// timeoutSite is reqTimeoutSite's requests without mod_reqtimeout:
// core's Timeout alone bounds each read of a request, with the same
// answers and no AH01382.
func timeoutSite() site {
	s := reqTimeoutSite()
	s.name = "timeout"
	s.conf = strings.Replace(strings.Replace(s.conf, "RequestReadTimeout header=1-2,MinRate=500 body=1,MinRate=500\n", "Timeout 1\n", 1),
		"LoadModule reqtimeout_module", "#LoadModule reqtimeout_module", 1)
	// A line the error logs must share, besides the none about timeouts.
	s.reqs = append(s.reqs, get("/nope"))
	return s
}
