package compat

import "strings"

// protocolOptionsSite covers HttpProtocolOptions RegisteredMethods on one
// address and the default LenientMethods on another: a method Apache
// does not know is refused on the request line (501, before the header
// is read) under RegisteredMethods, and by the handler otherwise (501
// from the default handler, AH00135); a method the configuration
// registered (RegisterHttpMethod, <Limit>) is known, so a static file
// answers it 405 under both.
func protocolOptionsSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
Listen 127.0.0.1:${P3}
ServerName protocol.test
DocumentRoot $DIR/htdocs
RegisterHttpMethod BAR
<Directory />
  Require all granted
</Directory>
<Location /limited>
  <Limit BAZ>
    Require all denied
  </Limit>
</Location>
<VirtualHost *:${P1}>
  ServerName registered.test
  HttpProtocolOptions Strict RegisteredMethods Require1.0
</VirtualHost>
<VirtualHost *:${P2}>
  ServerName lenient.test
  HttpProtocolOptions LenientMethods
</VirtualHost>
<VirtualHost *:${P3}>
  ServerName unsafe.test
  HttpProtocolOptions Unsafe
</VirtualHost>
`
	var reqs []request
	for _, p := range []int{0, 1} {
		for _, m := range []string{"FOO", "BAR", "BAZ", "PATCH", "GET"} {
			reqs = append(reqs, do(m, "/x.txt", port(p)), do(m, "/limited/x.txt", port(p)))
		}
	}
	// A bare LF ends a line only under HttpProtocolOptions Unsafe; the
	// default Strict answers 400 (read_request_line, and
	// ap_get_mime_headers_core for a header line).
	for _, p := range []int{1, 2} {
		reqs = append(reqs,
			raw("bare LF request line", "GET /x.txt HTTP/1.1\nHost: $HOST\r\nConnection: close\r\n\r\n", port(p)),
			raw("bare LF header line", "GET /x.txt HTTP/1.1\r\nHost: $HOST\nConnection: close\r\n\r\n", port(p)),
			raw("bare LF end of head", "GET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\n", port(p)),
			raw("bare LF empty line first", "\r\n\nGET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\r\n", port(p)),
			// Up to ten empty lines before a request line are skipped.
			raw("empty lines first", strings.Repeat("\r\n", 10)+"GET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\r\n", port(p)),
			raw("eleven empty lines first", strings.Repeat("\r\n", 11)+"GET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\r\n", port(p)),
			raw("a line of spaces first", "   \r\nGET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\r\n", port(p)),
			raw("empty lines between", "GET /x.txt HTTP/1.1\r\nHost: $HOST\r\n\r\n\r\n\r\nGET /x.txt HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\r\n", port(p)),
			raw("bare LF, pipelined", "GET /x.txt HTTP/1.1\r\nHost: $HOST\r\n\r\nGET /x.txt HTTP/1.1\r\nHost: $HOST\nConnection: close\r\n\r\n", port(p)),
		)
	}
	return site{
		name: "protocol-options", host: "protocol.test", ports: 3, errorLog: true,
		conf:  head(stdMods...) + conf,
		reqs:  reqs,
		files: map[string]string{"htdocs/x.txt": "x\n", "htdocs/limited/x.txt": "limited\n"},
	}
}
