package compat

import "fmt"

// remoteIPSite covers mod_remoteip's X-Forwarded-For processing: every
// proxy trusted (no list; private addresses refused), an internal proxy
// presenting a trusted external one, and an untrusted peer whose header
// is left alone. The environ dump shows REMOTE_ADDR, REMOTE_PORT and the
// header as left; /restricted allows 203.0.113.0/24 by Require ip.
func remoteIPSite() site {
	a1 := fmt.Sprintf("127.0.0.1:%d", freePort())
	a2 := fmt.Sprintf("127.0.0.1:%d", freePort())
	a3 := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi", "remoteip")...) + `Listen ` + a1 + `
Listen ` + a2 + `
Listen ` + a3 + `
ServerName main.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all granted
</Directory>
<Location /restricted>
  Require ip 203.0.113.0/24
</Location>
<Location /connexpr>
  Require expr "%{CONN_REMOTE_ADDR} -ipmatch '203.0.113.0/24'"
</Location>
<Location /v6only>
  Require ip 2001:db8::/32
</Location>
RemoteIPHeader X-Forwarded-For
RemoteIPProxiesHeader X-Forwarded-By
WSGIScriptAlias /env $DIR/env.wsgi
<VirtualHost ` + a1 + `>
  ServerName all.test
</VirtualHost>
<VirtualHost ` + a2 + `>
  ServerName internal.test
  RemoteIPInternalProxy 127.0.0.1
  RemoteIPTrustedProxy 198.51.100.0/24
</VirtualHost>
<VirtualHost ` + a3 + `>
  ServerName untrusted.test
  RemoteIPTrustedProxyList $DIR/proxies.txt
</VirtualHost>
`
	xff := func(v ...string) reqOpt {
		var hs []string
		for _, s := range v {
			hs = append(hs, "X-Forwarded-For: "+s)
		}
		return hdr(hs...)
	}
	var reqs []request
	for i, h := range []string{"all.test", "internal.test", "untrusted.test"} {
		on := []reqOpt{host(h), port(i)}
		for _, v := range [][]string{
			{"203.0.113.9"}, {"10.1.2.3"}, {"203.0.113.9, 198.51.100.7"}, {"garbage, 203.0.113.9"},
			{"203.0.113.9, "}, {"203.0.113.9", "198.51.100.7"}, {"2001:db8::1"}, {"fe80::1"},
			{"::ffff:203.0.113.9"}, {"198.51.100.7, 10.9.9.9"}, {"a.example"}, {", 203.0.113.9"},
			// getaddrinfo's numeric IPv4 forms: 8.8.8.8 and
			// 198.51.100.7.
			{"8.8.2056"}, {"0x8.8.8.8"}, {"203.0.113.9, 198.51.25607"},
		} {
			reqs = append(reqs, get("/env", append(on, xff(v...))...))
		}
		reqs = append(reqs, get("/env", on...),
			get("/restricted/x.txt", append(on, xff("203.0.113.9"))...),
			get("/restricted/x.txt", append(on, xff("192.0.2.1"))...),
			get("/restricted/x.txt", on...))
	}
	// CONN_REMOTE_ADDR is the connection's peer, whatever the header
	// says; an IPv6 zone is taken as getaddrinfo takes it (a numeric
	// one dropped, any other refused).
	reqs = append(reqs, get("/connexpr/x.txt", host("all.test"), xff("203.0.113.7")),
		get("/v6only/x.txt", host("all.test"), xff("2001:db8::1%evil")),
		get("/env", host("all.test"), xff("2001:db8::1%x")), get("/env", host("all.test"), xff("2001:db8::1%1")))
	return site{
		name: "remoteip", host: "all.test", conf: conf, fixed: true, fixedAddrs: []string{a1, a2, a3},
		files: map[string]string{
			"htdocs/restricted/x.txt": "restricted\n",
			"htdocs/connexpr/x.txt":   "connexpr\n",
			"htdocs/v6only/x.txt":     "v6only\n",
			"env.wsgi":                wsgiEnvApp,
			"proxies.txt":             "# the only trusted proxies\n10.0.0.0/8  # not the test client\n192.0.2.9 \\\n198.51.100.0/24\n",
		},
		reqs: reqs,
	}
}

// remoteIPMergeSite: proxies listed in the main server and in a virtual
// host are merged (Apache 2.4.71, AH10633), the host's entries first.
func remoteIPMergeSite() site {
	a1 := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi", "remoteip")...) + `Listen ` + a1 + `
ServerName main.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all granted
</Directory>
<Location /restricted>
  Require ip 127.0.0.0/8
</Location>
RemoteIPHeader X-Forwarded-For
RemoteIPTrustedProxy 127.0.0.1
WSGIScriptAlias /env $DIR/env.wsgi
<VirtualHost ` + a1 + `>
  ServerName merged.test
  RemoteIPInternalProxy 198.51.100.0/24
</VirtualHost>
`
	xff := func(v string) reqOpt { return hdr("X-Forwarded-For: " + v) }
	return site{
		name: "remoteip-merge", host: "merged.test", conf: conf, fixed: true, fixedAddrs: []string{a1},
		files: map[string]string{"htdocs/restricted/x.txt": "restricted\n", "env.wsgi": wsgiEnvApp},
		reqs: []request{
			get("/restricted/x.txt", xff("8.8.8.8")), get("/restricted/x.txt"),
			get("/env", xff("8.8.8.8")), get("/env", xff("10.9.9.9, 198.51.100.4")),
		},
	}
}
