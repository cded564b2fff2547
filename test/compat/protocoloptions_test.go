package compat

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
`
	var reqs []request
	for _, p := range []int{0, 1} {
		for _, m := range []string{"FOO", "BAR", "BAZ", "PATCH", "GET"} {
			reqs = append(reqs, do(m, "/x.txt", port(p)), do(m, "/limited/x.txt", port(p)))
		}
	}
	return site{
		name: "protocol-options", host: "protocol.test", ports: 2, errorLog: true,
		conf:  head(stdMods...) + conf,
		reqs:  reqs,
		files: map[string]string{"htdocs/x.txt": "x\n", "htdocs/limited/x.txt": "limited\n"},
	}
}
