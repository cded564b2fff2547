package compat

// Reasons for differences in how requests are parsed.
const (
	// apacheDigitsPort: apr_uri_parse keeps the digits before a bad
	// character of a port ("8x": 8) in the parsed URI, and the 400
	// page's signature names that port.
	apacheDigitsPort = "Apache's 400 page for a port with a non-digit (8x) names the port as the digits before it (8); gowsgid names the connection's port"
)

// docroots writes who.txt (naming the tree) and sub/x.txt under each
// named document root.
func docroots(names ...string) map[string]string {
	files := map[string]string{}
	for _, n := range names {
		files[n+"/who.txt"] = n + "\n"
		files[n+"/sub/x.txt"] = "x in " + n + "\n"
	}
	return files
}

// nameVhostsSite covers name-based virtual hosts: ServerName and
// ServerAlias (wildcards with '*' and '?'), _default_ in a name set, the
// default of a set, no Host, Host with a port, absolute-URI request
// lines, bad Host headers, UseCanonicalName and the ServerName port in
// redirects and signatures.
func nameVhostsSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName main.test
ServerAdmin admin@main.test
ServerTokens Prod
ServerSignature On
DocumentRoot $DIR/main
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR>
  Require all granted
</Directory>
<VirtualHost *:${P1}>
  ServerName a.test
  DocumentRoot $DIR/a
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName b.test
  ServerAlias *.b.test w?.test alias-b.test
  DocumentRoot $DIR/b
</VirtualHost>
<VirtualHost _default_:${P1}>
  ServerName d.test
  ServerAdmin d@d.test
  ServerSignature EMail
  DocumentRoot $DIR/d
</VirtualHost>
<VirtualHost *:${P2}>
  ServerName c.test:8000
  UseCanonicalName On
  DocumentRoot $DIR/c
</VirtualHost>
<VirtualHost *:${P2}>
  ServerName e.test
  ServerAlias E.EXAMPLE.test under_score.test
  DocumentRoot $DIR/e
</VirtualHost>
`
	var reqs []request
	for _, h := range []string{"a.test", "A.TEST", "a.test.", "a.test:1234", "b.test", "x.b.test", "y.z.b.test",
		"b.test.x", "w1.test", "w12.test", "alias-b.test", "d.test", "unknown.test", "main.test", "127.0.0.1",
		"localhost", "under_score.test", "[::1]", "[::1]:80", "b.test:1", "a.test:"} {
		reqs = append(reqs, get("/who.txt", host(h)))
	}
	reqs = append(reqs,
		get("/who.txt", http10(), noHost()),
		get("/sub", http10(), noHost()),
		get("/sub", host("a.test:8080")),
		get("/sub", host("b.test:80")),
		get("/sub?x=1", host("x.b.test")),
		get("/nope", host("a.test:8080")),
		get("/nope", host("d.test")),
		get("/nope", http10(), noHost()),
		get("/who.txt", host("e.example.test"), port(1)),
		get("/who.txt", host("c.test"), port(1)),
		get("/who.txt", host("b.test"), port(1)),
		get("/who.txt", host("under_score.test"), port(1)),
		get("/sub", host("other.name:9999"), port(1)),
		get("/nope", host("other.name:9999"), port(1)),
		get("/sub", host("e.test:9999"), port(1)),
		get("/who.txt", http10(), noHost(), port(1)),
		// Absolute-URI request lines: the URI's host beats Host.
		get("http://b.test/who.txt", host("a.test")),
		get("http://b.test:99/sub", host("a.test")),
		get("http://unknown.test/who.txt", host("b.test")),
		get("HTTP://B.TEST/who.txt", host("a.test")),
		get("http://b.test", host("a.test")),
		get("http://b.test/who.txt", http10(), noHost()),
		// Host headers Apache refuses (HttpProtocolOptions Strict).
		get("/who.txt", noHost(), hdr("Host:")),
		get("/who.txt", host("12345")),
		get("/who.txt", host("010.0.0.1")),
		get("/who.txt", host("1.2.3")),
		get("/who.txt", host("a.1test")),
		get("/who.txt", host("a..test")),
		get("/who.txt", host("a.test:x")),
		get("/who.txt", host("[::1")),
		get("/who.txt", host("a/b.test")),
		get("/who.txt", host(`a\b.test`)),
		get("/who.txt", host("a,b.test")),
		get("/who.txt", http10(), noHost(), hdr("Host:")),
		get("ftp://b.test/who.txt", host("a.test")),
		get("ftp://b.test/who.txt", host("b.test")),
		get("http://user@b.test/who.txt", host("a.test")),
		get("http://[::1/who.txt", host("a.test")),
		get("http://b.test:8x/who.txt", host("a.test"), known(apacheDigitsPort)),
		get("/who.txt#frag", host("b.test")),
		get("/sub?a=1#frag", host("b.test")),
		get("/who.txt", noHost()),
		get("/who.txt", hdr("Host: b.test")),
	)
	return site{
		name: "namevhosts", host: "a.test", ports: 2, reqs: reqs,
		conf:  head(stdMods...) + conf,
		files: docroots("main", "a", "b", "c", "d", "e"),
	}
}

// ipVhostsSite covers IP-based virtual hosts: sets of one address that
// hide the '*' hosts, a wildcard port, a host with two addresses, a port
// with no virtual host (the main server), and names within an IP set.
func ipVhostsSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.2:${P1}
Listen 127.0.0.3:${P1}
Listen 127.0.0.1:${P2}
Listen 127.0.0.2:${P2}
Listen 127.0.0.3:${P2}
Listen [::1]:${P2}
ServerName main.test
ServerTokens Major
ServerSignature On
DocumentRoot $DIR/main
<Directory $DIR>
  Require all granted
</Directory>
<VirtualHost 127.0.0.2:${P1}>
  ServerName ip2.test
  DocumentRoot $DIR/ip2
</VirtualHost>
<VirtualHost 127.0.0.2:${P1}>
  ServerName ip2b.test
  DocumentRoot $DIR/ip2b
</VirtualHost>
<VirtualHost 127.0.0.3:*>
  ServerName ip3.test
  DocumentRoot $DIR/ip3
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName star.test
  DocumentRoot $DIR/star
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName star2.test
  DocumentRoot $DIR/star2
</VirtualHost>
<VirtualHost 127.0.0.2:${P2} 127.0.0.1:${P2}>
  ServerName two.test
  DocumentRoot $DIR/two
</VirtualHost>
<VirtualHost [::1]:${P2}>
  ServerName v6.test
  DocumentRoot $DIR/v6
</VirtualHost>
`
	var reqs []request
	for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
		for _, h := range []string{"star.test", "star2.test", "ip2.test", "ip2b.test", "ip3.test", "main.test", "two.test"} {
			reqs = append(reqs, get("/who.txt", host(h), at(ip)))
		}
		reqs = append(reqs,
			get("/who.txt", http10(), noHost(), at(ip)),
			get("/who.txt", host("other.test"), at(ip), port(1)),
			get("/sub", host("x.test"), at(ip), port(1)),
			get("/nope", http10(), noHost(), at(ip), port(1)),
		)
	}
	reqs = append(reqs,
		get("/who.txt", host("[::1]"), at("::1"), port(1)), get("/who.txt", host("two.test"), at("::1"), port(1)),
		get("/sub", host("[::1]:8080"), at("::1"), port(1)), get("/sub", http10(), noHost(), at("::1"), port(1)),
		get("/nope", host("[::1]"), at("::1"), port(1)),
	)
	return site{
		name: "ipvhosts", host: "star.test", ports: 2, reqs: reqs,
		conf:  head(stdMods...) + conf,
		files: docroots("main", "ip2", "ip2b", "ip3", "star", "star2", "two", "v6"),
	}
}
