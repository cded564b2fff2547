package compat

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
)

// proxyV1 is a PROXY protocol version 1 header line.
func proxyV1(words string) string { return "PROXY " + words + "\r\n" }

// proxyV2 is a PROXY protocol version 2 header: command byte, family
// byte and the address block (with any TLVs) as given.
func proxyV2(verCmd, fam byte, block []byte) string {
	var b bytes.Buffer
	b.WriteString("\r\n\r\n\x00\r\nQUIT\n")
	b.WriteByte(verCmd)
	b.WriteByte(fam)
	binary.Write(&b, binary.BigEndian, uint16(len(block)))
	b.Write(block)
	return b.String()
}

// proxyBlock is a v2 address block: source and destination addresses,
// then their ports.
func proxyBlock(src, dst string, sport, dport uint16) []byte {
	var b bytes.Buffer
	b.Write(netip.MustParseAddr(src).AsSlice())
	b.Write(netip.MustParseAddr(dst).AsSlice())
	binary.Write(&b, binary.BigEndian, sport)
	binary.Write(&b, binary.BigEndian, dport)
	return b.Bytes()
}

// portApp tells whether REMOTE_PORT is the port a PROXY header named
// (4567): mod_wsgi gives the connection's own peer port instead, whose
// value differs between the two servers.
const portApp = `def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'header port\n' if environ['REMOTE_PORT'] == '4567' else b'peer port\n']
`

// proxyProtocolSite covers mod_remoteip's RemoteIPProxyProtocol: the
// main server turns it on everywhere, one virtual host's address off,
// another's on again, and 127.0.0.2 is an exception. Version 1 and 2
// headers name the client (REMOTE_ADDR, Require ip, the access log's
// %h, the error log's client); RemoteIPHeader is not consulted on such a
// connection. Every header mod_remoteip refuses ends the connection
// without an answer, with its error-log line (compared line by line).
func proxyProtocolSite() site {
	a1 := fmt.Sprintf("127.0.0.1:%d", freePort())
	a2 := fmt.Sprintf("127.0.0.1:%d", freePort())
	a3 := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi", "remoteip")...) + `LogLevel warn
Listen ` + a1 + `
Listen ` + a2 + `
Listen ` + a3 + `
ServerName main.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all granted
</Directory>
<Location /restricted>
  Require ip 198.51.100.0/24 2001:db8::/32
</Location>
RemoteIPHeader X-Forwarded-For
WSGIScriptAlias /env $DIR/env.wsgi
WSGIScriptAlias /port $DIR/port.wsgi
RemoteIPProxyProtocol On
RemoteIPProxyProtocolExceptions 127.0.0.2 10.0.0.0/8
<VirtualHost ` + a2 + `>
  ServerName plain.test
  RemoteIPProxyProtocol Off
</VirtualHost>
<VirtualHost ` + a3 + `>
  ServerName again.test
  RemoteIPProxyProtocol On
</VirtualHost>
`
	xff := hdr("X-Forwarded-For: 203.0.113.9")
	v4 := proxyV1("TCP4 198.51.100.7 10.0.0.1 4567 80")
	v6 := proxyV1("TCP6 2001:db8::9 ::1 4567 80")
	b4 := proxyV2(0x21, 0x11, proxyBlock("198.51.100.7", "10.0.0.1", 4567, 80))
	b6 := proxyV2(0x21, 0x21, proxyBlock("2001:db8::9", "::1", 4567, 80))
	named := func(name string, r request) request { r.name = name; return r }
	reqs := []request{
		named("v1 tcp4", get("/env", ahead(v4), xff)),
		named("v1 tcp6", get("/env", ahead(v6), xff)),
		named("v1 unknown", get("/env", ahead(proxyV1("UNKNOWN 1.2.3.4 5.6.7.8 1 2")), xff)),
		named("v1 spaces, port wrap", get("/env", ahead(proxyV1("TCP4  198.51.100.8 10.0.0.1  70000 80")))),
		named("v1 short address", get("/env", ahead(proxyV1("TCP4 10.1 10.0.0.1 4567 80")),
			known("a v1 address in a form inet_aton accepts but no balancer sends (10.1) reaches the application in canonical form (10.0.0.1); Apache passes the text as written"))),
		named("v1 port", get("/port", ahead(v4))),
		named("v1 static", get("/x.txt", ahead(v4))),
		named("v1 restricted allowed", get("/restricted/x.txt", ahead(v4))),
		named("v1 restricted refused", get("/restricted/x.txt", ahead(proxyV1("TCP4 203.0.113.9 10.0.0.1 4567 80")), xff)),
		named("v2 tcp4", get("/env", ahead(b4), xff)),
		named("v2 tcp6", get("/env", ahead(b6))),
		named("v2 port", get("/port", ahead(b4))),
		named("v2 restricted tcp6", get("/restricted/x.txt", ahead(b6))),
		named("v2 local", get("/env", ahead(proxyV2(0x20, 0x00, nil)), xff)),
		named("v2 tlv", get("/env", ahead(proxyV2(0x21, 0x11, append(proxyBlock("198.51.100.7", "10.0.0.1", 4567, 80), 4, 0, 2, 'a', 'b'))))),
		// Refused: closed unanswered, with mod_remoteip's error line.
		named("no header", get("/env")),
		named("v1 line of 15 bytes", get("/env", ahead(proxyV1("UNKNOWN")))),
		named("v1 family", get("/env", ahead(proxyV1("TCP5 1.2.3.4 1.2.3.4 1 2")))),
		named("v1 address chars", get("/env", ahead(proxyV1("TCP4 2001:db8::1 1.2.3.4 1 2")))),
		named("v1 address value", get("/env", ahead(proxyV1("TCP4 999.1.1.1 1.2.3.4 1 2")))),
		named("v1 port", get("/env", ahead(proxyV1("TCP4 1.2.3.4 1.2.3.4 x 2")))),
		named("v1 no port", get("/env", ahead(proxyV1("TCP4 1.2.3.4 1.2.3.4")))),
		named("v1 too long", get("/env", ahead(proxyV1("TCP4 "+strings.Repeat("1", 120))))),
		named("v2 unspec", get("/env", ahead(proxyV2(0x21, 0x00, nil)))),
		named("v2 udp", get("/env", ahead(proxyV2(0x21, 0x12, proxyBlock("1.2.3.4", "1.2.3.4", 1, 2))))),
		named("v2 too long", get("/env", ahead(proxyV2(0x21, 0x11, make([]byte, 300))))),
		named("v2 short tcp4", get("/env", ahead(proxyV2(0x21, 0x11, make([]byte, 6))))),
		named("v2 short tcp6", get("/env", ahead(proxyV2(0x21, 0x21, make([]byte, 12))))),
		named("v2 command", get("/env", ahead(proxyV2(0x22, 0x11, proxyBlock("1.2.3.4", "1.2.3.4", 1, 2))))),
		// The address turned off: RemoteIPHeader applies, a header is
		// a bad request line.
		named("off: plain", get("/env", port(1), host("plain.test"), xff)),
		named("off: header sent", get("/env", port(1), host("plain.test"), ahead(v4))),
		// An exception: the peer never sends a header.
		named("exception: plain", get("/env", from("127.0.0.2"), xff)),
		// Turned on again by its own virtual host.
		named("again: v1", get("/env", port(2), host("again.test"), ahead(v4))),
		named("again: none", get("/env", port(2), host("again.test"))),
	}
	return site{
		name: "proxyproto", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{a1, a2, a3},
		files: map[string]string{
			"htdocs/x.txt":            "x\n",
			"htdocs/restricted/x.txt": "restricted\n",
			"env.wsgi":                wsgiEnvApp,
			"port.wsgi":               portApp,
		},
		reqs:     reqs,
		errorLog: true,
	}
}
