package compat

import (
	"fmt"
	"strings"
)

// keepAliveSite covers MaxKeepAliveRequests and KeepAliveTimeout as
// ap_set_keepalive applies them, per virtual host: the connection
// closes after the last request it may keep alive ("Connection:
// close"), an HTTP/1.0 client asking for keep-alive is told the timeout
// and how many requests are left, and 0 means no limit. Requests go
// pipelined on one connection; each answer is compared, and the %k and
// %X that ap_set_keepalive's count gives each request.
func keepAliveSite() site {
	conf := head(stdMods...) + `Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/htdocs
MaxKeepAliveRequests 3
CustomLog logs/${SIDE}-ka.log "%k\t%X\t%>s\t%r"
<Directory />
  Require all granted
</Directory>
<VirtualHost *:${P1}>
  ServerName main.test
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName unlimited.test
  MaxKeepAliveRequests 0
  KeepAliveTimeout 7
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName urldoc.test
  ErrorDocument 501 http://example.com/e501
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName localdoc.test
  ErrorDocument 501 /x.txt
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName off.test
  KeepAlive Off
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName limited.test
  LimitRequestBody 5
</VirtualHost>
`
	pipelined := func(n int, req string) string { return strings.Repeat(req, n) }
	keep := also("Connection", "Keep-Alive")
	framed := also("Connection", "Keep-Alive", "Transfer-Encoding")
	return site{
		name: "keepalive", host: "main.test", conf: conf, ports: 1, errorLog: true,
		// %k and %X as ap_set_keepalive counts: a last request that
		// closes is not counted unless MaxKeepAliveRequests ends it.
		reqLogs: []logCheck{{name: "ka"}},
		files:   map[string]string{"htdocs/x.txt": "x\n", "htdocs/big.bin": strings.Repeat("0123456789abcdef", 1<<16)},
		reqs: []request{
			raw("HTTP/1.1, one more than the limit", pipelined(4, rawGet11("main.test")), keep),
			raw("HTTP/1.1, past the limit", pipelined(6, rawGet11("main.test")), keep),
			raw("HTTP/1.0 keep-alive, one more than the limit", pipelined(4, rawGet10KeepAlive("main.test")), keep),
			raw("HTTP/1.0 without keep-alive", "GET /x.txt HTTP/1.0\r\n\r\n", keep),
			raw("empty lines before the request line", "\r\n\r\nGET /x.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", keep),
			raw("bare LF before the request line", "\r\n\nGET /x.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", keep),
			raw("HTTP/1.1 closing", "GET /x.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", keep),
			raw("HTTP/1.0 keep-alive, no limit", pipelined(5, rawGet10KeepAlive("unlimited.test"))+"GET /x.txt HTTP/1.0\r\n\r\n", keep),
			raw("HTTP/1.1, no limit", pipelined(5, rawGet11("unlimited.test"))+"GET /x.txt HTTP/1.1\r\nHost: unlimited.test\r\nConnection: close\r\n\r\n", keep),
			// ap_status_drops_connection: the server's own 400, 414 and
			// 501 end the connection; a 404 does not.
			raw("a 501 ends the connection", "FOO /x.txt HTTP/1.1\r\nHost: main.test\r\n\r\n"+rawGet11("main.test"), keep),
			raw("a 414 ends the connection", "GET /"+strings.Repeat("a", 9000)+" HTTP/1.1\r\nHost: main.test\r\n\r\n"+rawGet11("main.test"), keep),
			raw("a 400 ends the connection", "GET /x.txt HTTP/1.1\r\nHost:\r\n\r\n"+rawGet11("main.test"), keep),
			// CONNECT's target is host:port (apr_uri_parse_hostinfo).
			raw("CONNECT host:port", "CONNECT main.test:80 HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", keep),
			raw("CONNECT without a host", "CONNECT :80 HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", keep),
			raw("CONNECT a path", "CONNECT /x.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\n\r\n", keep),
			// Also when an ErrorDocument answers for the status.
			raw("a 501 answered by a URL ErrorDocument", "FOO /x.txt HTTP/1.1\r\nHost: urldoc.test\r\n\r\n"+rawGet11("urldoc.test"), keep),
			raw("a 501 answered by a local ErrorDocument", "FOO /x.txt HTTP/1.1\r\nHost: localdoc.test\r\n\r\n"+rawGet11("localdoc.test"), keep),
			// RFC 9112 6.1: framing two parties could read two ways
			// is read as chunks, and the connection ends after it.
			raw("Content-Length beside chunked ends the connection", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n1\r\na\r\n0\r\n\r\n"+rawGet11("main.test"), keep),
			// ap_check_request_header: an expectation other than
			// 100-continue is the name-based host's 417, and the
			// connection ends (ap_read_request failed), unannounced.
			raw("Expect other than 100-continue", "GET /x.txt HTTP/1.1\r\nHost: localdoc.test\r\nExpect: tea\r\n\r\n"+rawGet11("main.test"), keep),
			raw("Expect 100-continue and another", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nExpect: 100-continue\r\nExpect: tea\r\nContent-Length: 0\r\n\r\n"+rawGet11("main.test"), keep),
			// r->expecting_100 with no 100 Continue sent: the
			// connection ends after the answer, which says so
			// (ap_set_keepalive).
			raw("GET with Expect: 100-Continue", "GET /x.txt HTTP/1.1\r\nHost: main.test\r\nExpect: 100-Continue\r\n\r\n"+rawGet11("main.test"), keep),
			raw("POST of no body with Expect: 100-continue", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n"+rawGet11("main.test"), keep),
			raw("HTTP/1.0 keep-alive with Expect: 100-continue", "GET /x.txt HTTP/1.0\r\nHost: main.test\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n"+rawGet10KeepAlive("main.test"), keep),
			raw("HTTP/1.0 POST with Expect: 100-continue", "POST /x.txt HTTP/1.0\r\nHost: main.test\r\nConnection: keep-alive\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab"+rawGet10KeepAlive("main.test"), keep),
			raw("Expect: 100-continue in two fields is no 100-continue", "GET /x.txt HTTP/1.1\r\nHost: main.test\r\nExpect: 100-continue\r\nExpect: 100-continue\r\n\r\n"+rawGet11("main.test"), keep),
			// The body read sends 100 Continue: the connection stays.
			raw("POST with Expect: 100-continue, body read", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab"+rawGetClosing("main.test"), keep),
			raw("a 404 keeps it", "GET /missing HTTP/1.0\r\nHost: main.test\r\nConnection: keep-alive\r\n\r\n"+rawGet10KeepAlive("main.test"), keep),
			// An error page the output filters raise has no length
			// (the 416 page, a body over LimitRequestBody):
			// chunked on a connection that stays, ended by the close
			// on one that closes, and the close for an HTTP/1.0
			// client. The 416 is counted twice against
			// MaxKeepAliveRequests (ap_set_keepalive runs for the
			// refused response and for the page).
			raw("a 416 page kept alive, counted twice", unsatisfiable("GET", "HTTP/1.1", "main.test", "")+pipelined(3, rawGet11("main.test")), framed),
			raw("a 416 page on a closing connection", unsatisfiable("GET", "HTTP/1.1", "main.test", "Connection: close\r\n"), framed),
			raw("a 416 page under KeepAlive Off", unsatisfiable("GET", "HTTP/1.1", "off.test", ""), framed),
			raw("a 416 page to HTTP/1.0 keep-alive", unsatisfiable("GET", "HTTP/1.0", "main.test", "Connection: keep-alive\r\n")+rawGet10KeepAlive("main.test"), framed),
			raw("a 416 answer to HEAD over HTTP/1.0 keep-alive", unsatisfiable("HEAD", "HTTP/1.0", "main.test", "Connection: keep-alive\r\n")+rawGet10KeepAlive("main.test"), framed),
			// A multipart answer of many ranges goes out without a
			// length: no keep-alive for HTTP/1.0, whatever it asked.
			raw("many ranges to HTTP/1.0 keep-alive", "GET /big.bin HTTP/1.0\r\nHost: main.test\r\nConnection: keep-alive\r\nRange: bytes="+manyRanges(40)+"\r\n\r\n"+rawGet10KeepAlive("main.test"), framed),
			raw("many ranges to HTTP/1.1", "GET /big.bin HTTP/1.1\r\nHost: main.test\r\nRange: bytes="+manyRanges(40)+"\r\n\r\n"+rawGetClosing("main.test"), framed),
			raw("a 413 page", "POST /x.txt HTTP/1.1\r\nHost: limited.test\r\nContent-Length: 10\r\n\r\n0123456789"+rawGet11("limited.test"), framed),
			raw("a 413 page of a chunked body", "POST /x.txt HTTP/1.1\r\nHost: limited.test\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"+rawGet11("limited.test"), framed),
		},
	}
}

// framingSite covers the request framing ap_read_request refuses, before
// it reads anything more or looks at the Host: a Content-Length, its
// fields merged, that is not one number (AH10242), and a
// Transfer-Encoding whose last coding is not chunked (AH02539), of any
// HTTP version, get the connection's server's 400 (not localdoc's), and
// the connection ends. A last coding of chunked is a chunked body
// (ap_is_chunked). The error logs are compared at core's debug level.
func framingSite() site {
	conf := head(stdMods...) + `Listen 127.0.0.1:${P1}
LogLevel info core:debug
ServerName main.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all granted
</Directory>
<VirtualHost *:${P1}>
  ServerName main.test
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName localdoc.test
  ErrorDocument 400 "localdoc's 400"
</VirtualHost>
`
	keep := also("Connection", "Keep-Alive")
	return site{
		name: "framing", host: "main.test", conf: conf, ports: 1, errorLog: true,
		files: map[string]string{"htdocs/x.txt": "x\n"},
		reqs: []request{
			// Before them the request line's checks (AH03445), after
			// them ap_check_request_header's Host check (AH00569).
			raw("a method not a token", "G@T /x.txt HTTP/1.1\r\nContent-Length: 2x\r\n\r\n"),
			// ap_parse_request_line's deferred errors, as its debug
			// lines name them.
			// (Each ends with an empty line: gowsgid reads a head
			// to its end before it judges the request line.)
			raw("a line of spaces", "   \r\n\r\n"),
			raw("a method alone", "GET\r\n\r\n"),
			raw("a space before a bad method", " @GET / HTTP/1.1\r\n\r\n"),
			raw("a tab in the request-target", "GET /x\t.txt HTTP/1.1\r\n\r\n"),
			raw("two spaces after the method", "GET  /x.txt HTTP/1.1\r\n\r\n"),
			raw("HEAD as HTTP/0.9", "HEAD /x.txt\r\n\r\n"),
			raw("a lower-case protocol", "GET /x.txt http/1.1\r\n\r\n"),
			raw("no Host", "GET /x.txt?a=1 HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"),
			raw("two equal Content-Length fields", "POST /x.txt HTTP/1.1\r\nHost: localdoc.test\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab"+rawGet11("main.test"), keep),
			raw("two Content-Length fields that differ", "POST /x.txt?a=1 HTTP/1.1\r\nHost: main.test\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab"+rawGet11("main.test"), keep),
			raw("a Content-Length not a number", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nContent-Length: 2x\r\n\r\nab"+rawGet11("main.test"), keep),
			raw("a Content-Length not a number beside chunked", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nContent-Length: -1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"+rawGet11("main.test"), keep),
			raw("Transfer-Encoding gzip", "POST /x.txt HTTP/1.1\r\nHost: localdoc.test\r\nTransfer-Encoding: gzip\r\n\r\n2\r\nab\r\n0\r\n\r\n"+rawGet11("main.test"), keep),
			raw("Transfer-Encoding chunked, then gzip", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n2\r\nab\r\n0\r\n\r\n"+rawGet11("main.test"), keep),
			raw("HTTP/1.0 Transfer-Encoding gzip", "POST /x.txt HTTP/1.0\r\nHost: main.test\r\nConnection: keep-alive\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\nab"+rawGet10KeepAlive("main.test"), keep),
			// ap_is_chunked: chunked last is a chunked body.
			raw("Transfer-Encoding gzip, chunked", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: gzip, chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"+rawGetClosing("main.test"), keep),
			raw("Transfer-Encoding chunked twice", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"+rawGetClosing("main.test"), keep),
		},
	}
}

// keepAliveOffSite covers KeepAlive Off in the main server: every
// answer says "Connection: close", also to an HTTP/1.0 client that
// asked for keep-alive, and a virtual host may turn it on again.
func keepAliveOffSite() site {
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/htdocs
KeepAlive Off
WSGIScriptAlias /app $DIR/app.wsgi
<Directory />
  Require all granted
</Directory>
<VirtualHost *:${P1}>
  ServerName main.test
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName on.test
  KeepAlive On
</VirtualHost>
`
	keep := also("Connection", "Keep-Alive")
	get10 := func(h string) string {
		return "GET /x.txt HTTP/1.0\r\nHost: " + h + "\r\nConnection: keep-alive\r\n\r\n"
	}
	get11 := func(h string) string { return "GET /x.txt HTTP/1.1\r\nHost: " + h + "\r\n\r\n" }
	return site{
		name: "keepalive-off", host: "main.test", conf: conf, ports: 1,
		files: map[string]string{"htdocs/x.txt": "x\n", "app.wsgi": connectionApp},
		reqs: []request{
			// An application's own Connection header: Apache adds its
			// "close" to it, and closes.
			raw("an application asking for keep-alive", "GET /app/keep-alive HTTP/1.1\r\nHost: on.test\r\n\r\n"+get11("on.test"), keep),
			// (The Connection header's text differs: closeFirst. Whether
			// the connection closes shows in the answers that follow.)
			raw("an application asking for keep-alive, KeepAlive Off", "GET /app/keep-alive HTTP/1.1\r\nHost: main.test\r\n\r\n"+get11("main.test")),
			raw("an application closing with Close", "GET /app/Close HTTP/1.1\r\nHost: on.test\r\n\r\n"+get11("on.test")),
			raw("HTTP/1.0 keep-alive", get10("main.test")+get10("main.test"), keep),
			raw("HTTP/1.1", get11("main.test")+get11("main.test"), keep),
			raw("HTTP/1.1, KeepAlive On in the host", get11("on.test")+get11("on.test")+"GET /x.txt HTTP/1.1\r\nHost: on.test\r\nConnection: close\r\n\r\n", keep),
		},
	}
}

// connectionApp answers with the Connection header its path names.
const connectionApp = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '3'),
                              ('Connection', environ['PATH_INFO'][1:])])
    return [b'ok\n']
`

// closeFirst: net/http closes a connection only when the first
// Connection value is exactly "close", so gowsgid sends "close" first,
// then the application's value, where Apache merges them as
// "keep-alive, close" or keeps "Close" (docs/compat.md).

// The raw GETs of /x.txt the keep-alive sites send for host h: HTTP/1.1,
// HTTP/1.0 asking to be kept alive, and HTTP/1.1 asking to close.
func rawGet11(h string) string { return "GET /x.txt HTTP/1.1\r\nHost: " + h + "\r\n\r\n" }

func rawGet10KeepAlive(h string) string {
	return "GET /x.txt HTTP/1.0\r\nHost: " + h + "\r\nConnection: keep-alive\r\n\r\n"
}

// unsatisfiable is a request for /x.txt with a range past its end, the
// byterange filter's 416; extra ends with CRLF.
func unsatisfiable(method, proto, host, extra string) string {
	return method + " /x.txt " + proto + "\r\nHost: " + host + "\r\nRange: bytes=9999-\r\n" + extra + "\r\n"
}

// manyRanges is a Range value of n small ranges 20000 bytes apart.
func manyRanges(n int) string {
	rs := make([]string, n)
	for i := range rs {
		rs[i] = fmt.Sprintf("%d-%d", i*20000, i*20000+100)
	}
	return strings.Join(rs, ",")
}

func rawGetClosing(h string) string {
	return "GET /x.txt HTTP/1.1\r\nHost: " + h + "\r\nConnection: close\r\n\r\n"
}
