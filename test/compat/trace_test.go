package compat

import "strings"

// traceSite covers TraceEnable extended: a TRACE's body is echoed after
// the request's head (Content-Length or chunked), up to Apache's 64 KiB;
// a larger one, or any body where TraceEnable is on, is a 413.
func traceSite() site {
	conf := head(stdMods...) + `Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/htdocs
TraceEnable extended
<Directory />
  Require all granted
</Directory>
<VirtualHost *:${P1}>
  ServerName main.test
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName on.test
  TraceEnable on
</VirtualHost>
`
	return site{
		name: "trace", host: "main.test", conf: conf, ports: 1,
		files: map[string]string{"htdocs/x.txt": "x\n"},
		reqs: []request{
			do("TRACE", "/x.txt"),
			do("TRACE", "/x.txt", body("echo me")),
			raw("chunked TRACE", "TRACE /x.txt HTTP/1.1\r\nHost: main.test\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
			do("TRACE", "/x.txt", body(strings.Repeat("b", 65536))),
			do("TRACE", "/x.txt", body(strings.Repeat("b", 65537))),
			do("TRACE", "/x.txt", body("echo me"), host("on.test")),
			// The fields come back in the order and spelling sent,
			// repeated names joined under the first spelling.
			do("TRACE", "/x.txt", hdr("user-agent: ua", "X-B: 1", "accept: */*", "x-b: 2", "X-A: 3", "CONTENT-type: a/b")),
		},
	}
}
