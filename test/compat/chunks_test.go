package compat

import "strings"

// chunksSite covers chunked request bodies as Apache's HTTP input filter
// reads them (parse_chunk_size and read_chunked_trailers, strict): what a
// chunk line may hold (leading zeros, up to ten blanks after the size,
// an extension without control characters, all within
// LimitRequestFieldSize), sizes past 63 bits (413), CRLF line ends, and
// a trailer read as a head is read (CRLF, token names right before the
// colon, no empty folded line, no 4 KiB limit of its own). Core's
// default handler reads the body away before it answers (a file, a 404,
// a 405, OPTIONS), so a refused body gets 400 or 413 and the connection
// ends: what follows it, even a request hidden
// in a trailer, is never served. HTTP/1.0 requests are read the same
// way, and one with Content-Length beside chunked closes.
func chunksSite() site {
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
  ServerName small.test
  LimitRequestFieldSize 100
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName limit.test
  LimitRequestBody 10
  ErrorDocument 413 /err.html
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName errdoc.test
  ErrorDocument 400 /err.html
  ErrorDocument 413 /err.html
</VirtualHost>
`
	keep := also("Connection", "Keep-Alive")
	next := rawGetClosing("main.test") // the server closes after it: no wait for the client's deadline
	post := func(host, body string) string {
		return "POST /x.txt HTTP/1.1\r\nHost: " + host + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body
	}
	return site{
		name: "chunks", host: "main.test", conf: conf, ports: 1, errorLog: true,
		files: map[string]string{"htdocs/x.txt": "x\n", "htdocs/err.html": "the error document\n"},
		reqs: []request{
			raw("leading zeros", post("main.test", "00000000000000000003\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("a size past 63 bits", post("main.test", "8000000000000000\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("seventeen digits of size", post("main.test", "10000000000000003\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("ten blanks after the size", post("main.test", "3 \t \t \t \t \t\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("eleven blanks after the size", post("main.test", "3 \t \t \t \t \t \r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("a blank before the size", post("main.test", " 3\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("0x before the size", post("main.test", "0x3\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("a blank inside the size", post("main.test", "1 0\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("an extension", post("main.test", "3;name=\"va lue\"\t;x\r\nabc\r\n0;last\r\n\r\n")+next, keep),
			raw("a NUL in an extension", post("main.test", "3;a\x00b\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("DEL in an extension", post("main.test", "3;a\x7fb\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("extensions of 18000 bytes in all", post("main.test", strings.Repeat("1;"+strings.Repeat("e", 1500)+"\r\na\r\n", 12)+"0\r\n\r\n")+next, keep),
			raw("a chunk line longer than LimitRequestFieldSize", post("small.test", "3;"+strings.Repeat("e", 120)+"\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("a chunk line within LimitRequestFieldSize", post("small.test", "3;"+strings.Repeat("e", 90)+"\r\nabc\r\n0\r\n\r\n")+next, keep),
			raw("a bare LF after the size", post("main.test", "3\nabc\r\n0\r\n\r\n")+next, keep),
			raw("a bare LF after the data", post("main.test", "3\r\nabc\n0\r\n\r\n")+next, keep),
			raw("data longer than its size", post("main.test", "3\r\nabcd\r\n0\r\n\r\n")+next, keep),
			raw("a trailer", post("main.test", "3\r\nabc\r\n0\r\nX-T: v\r\nX-U: w\r\n\r\n")+next, keep),
			raw("a folded trailer", post("main.test", "3\r\nabc\r\n0\r\nX-T: v\r\n  more\r\n\r\n")+next, keep),
			raw("a trailer of 5000 bytes", post("main.test", "3\r\nabc\r\n0\r\nX-T: "+strings.Repeat("v", 5000)+"\r\n\r\n")+next, keep),
			raw("a trailer longer than LimitRequestFieldSize", post("small.test", "3\r\nabc\r\n0\r\nX-T: "+strings.Repeat("v", 120)+"\r\n\r\n")+next, keep),
			raw("a request hidden behind a bare LF in the trailer", post("main.test", "0\r\n\nGET /x.txt?smuggled HTTP/1.1\r\nHost: main.test\r\n\r\n"), keep),
			raw("a trailer line ended by a bare LF", post("main.test", "3\r\nabc\r\n0\r\nX-T: a\n\r\n")+next, keep),
			raw("a blank before a trailer's colon", post("main.test", "3\r\nabc\r\n0\r\nX-T : a\r\n\r\n")+next, keep),
			raw("a trailer without a colon", post("main.test", "3\r\nabc\r\n0\r\nX-T\r\n\r\n")+next, keep),
			raw("a control character in a trailer's value", post("main.test", "3\r\nabc\r\n0\r\nX-T: a\x01b\r\n\r\n")+next, keep),
			raw("an empty folded trailer line", post("main.test", "3\r\nabc\r\n0\r\nX-T: a\r\n \r\n\r\n")+next, keep),
			raw("a folded line first in the trailer", post("main.test", "3\r\nabc\r\n0\r\n more\r\n\r\n")+next, keep),
			// core's default handler reads the body away before it
			// answers anything, a 404 or 405 too.
			raw("a broken chunk to a file that does not exist", "POST /missing HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"+next, keep),
			raw("a broken trailer to a file that does not exist", "POST /missing HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX : y\r\n\r\n"+next, keep),
			raw("a broken chunk with PUT", "PUT /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"+next, keep),
			raw("a broken chunk with OPTIONS", "OPTIONS /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX\r\n\r\n"+next, keep),
			raw("a body with PUT", "PUT /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"+next, keep),
			raw("a broken chunk, with an ErrorDocument", post("errdoc.test", "3\r\nabc\r\nzz\r\n")+next, keep),
			raw("a chunk too large, with an ErrorDocument", post("errdoc.test", "8000000000000000\r\n")+next, keep),
			raw("a broken trailer, with an ErrorDocument", post("errdoc.test", "0\r\nX : y\r\n\r\n")+next, keep),
			// Content-Length beside chunked: the connection closes,
			// and the discards read nothing of the body.
			raw("Content-Length beside a broken chunk", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n", keep),
			raw("Content-Length beside a broken chunk, to a file that does not exist", "POST /missing HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nzz\r\n", keep),
			// An error that drops the connection: its ErrorDocument is
			// served without reading the rest of the body.
			raw("an ErrorDocument for a body over LimitRequestBody", "POST /x.txt HTTP/1.1\r\nHost: limit.test\r\nContent-Length: 100\r\n\r\nabc", keep),
			raw("an ErrorDocument for a chunked body over LimitRequestBody", post("limit.test", "b\r\n0123456789a\r\n5\r\n"), keep),
			raw("CHUNKED in capitals", "POST /x.txt HTTP/1.1\r\nHost: main.test\r\nTransfer-Encoding: CHUNKED\r\n\r\n3\r\nabc\r\n0\r\n\r\n"+next, keep),
			raw("HTTP/1.0 chunked, keep-alive", "POST /x.txt HTTP/1.0\r\nHost: main.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /x.txt HTTP/1.0\r\nHost: main.test\r\n\r\n", keep),
			raw("HTTP/1.0 chunked beside Content-Length", "POST /x.txt HTTP/1.0\r\nHost: main.test\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n3\r\nabc\r\n0\r\n\r\n"+rawGet10KeepAlive("main.test"), keep),
			raw("a control character in the request-target", "GET /x.txt\x01 HTTP/1.1\r\nHost: main.test\r\n\r\n"+next, keep),
			raw("a tab in the request-target", "GET /x\t.txt HTTP/1.1\r\nHost: main.test\r\n\r\n"+next, keep),
			raw("DEL in the query", "GET /x.txt?a\x7fb HTTP/1.1\r\nHost: main.test\r\n\r\n"+next, keep),
			raw("obs-text in the request-target", "GET /x.txt?\xe9 HTTP/1.1\r\nHost: main.test\r\n\r\n"+next, keep),
		},
	}
}
