package compat

import (
	"fmt"
	"strings"
)

// reqLimitsSite covers LimitRequestLine, LimitRequestFieldSize and
// LimitRequestFields set low in the main server, and a virtual host on
// its own address that raises them (fields 0: no limit): each limit's
// status, page and log line as Apache gives them, just under and just
// over each limit, from the address's default host.
func reqLimitsSite() site {
	a1 := fmt.Sprintf("127.0.0.1:%d", freePort())
	a2 := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "headers")...) + `Listen ` + a1 + `
Listen ` + a2 + `
ServerName main.test
DocumentRoot $DIR/htdocs
LimitRequestLine 100
LimitRequestFieldSize 60
LimitRequestFields 6
<Directory />
  Require all granted
</Directory>
<VirtualHost ` + a1 + `>
  ServerName main.test
  Header always set X-VH first
</VirtualHost>
<VirtualHost ` + a1 + `>
  ServerName second.test
  Header always set X-VH second
</VirtualHost>
<VirtualHost ` + a2 + `>
  ServerName big.test
  LimitRequestLine 1000
  LimitRequestFields 0
</VirtualHost>
`
	// "GET " + target + " HTTP/1.1" is len(target)+13 bytes; a line or
	// field may be one byte over its limit (Apache's buffer holds the
	// limit and CRLF), two bytes over is refused.
	target := func(n int) string { return "/x.txt?" + strings.Repeat("a", n-7) }
	fields := func(n int) reqOpt {
		var hs []string
		for i := 0; i < n; i++ {
			hs = append(hs, fmt.Sprintf("X-F%d: v", i))
		}
		return hdr(hs...)
	}
	field := func(n int) reqOpt { return hdr("X-Long: " + strings.Repeat("b", n-len("X-Long: "))) }
	var reqs []request
	for i, h := range []string{"main.test", "big.test"} {
		on := []reqOpt{host(h), port(i)}
		reqs = append(reqs,
			get(target(87), on...), get(target(88), on...), get(target(89), on...), get("/x.txt?"+strings.Repeat("a", 900), on...),
			get("/x.txt", append(on, field(60))...), get("/x.txt", append(on, field(61))...), get("/x.txt", append(on, field(62))...),
			// Host and Connection count: 4 more make 6, 5 more make 7.
			get("/x.txt", append(on, fields(4))...), get("/x.txt", append(on, fields(5))...),
			get("/x.txt", append(on, fields(40))...),
			// A repeated field, merged with ", ", must fit as well.
			get("/x.txt", append(on, hdr("X-M: "+strings.Repeat("m", 29), "X-M: "+strings.Repeat("n", 29)))...),
			get("/x.txt", append(on, hdr("X-M: "+strings.Repeat("m", 30), "X-M: "+strings.Repeat("n", 30)))...),
		)
	}
	// A head refused for its limits is answered by the address's
	// default host, before the Host field named another.
	reqs = append(reqs, get("/x.txt", host("second.test"), also("X-VH")),
		get("/x.txt", host("second.test"), field(62), also("X-VH")),
		get(target(89), host("second.test"), also("X-VH")),
		get("/x.txt", host("second.test"), fields(5), also("X-VH")))
	return site{
		name: "reqlimits", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{a1, a2},
		files:    map[string]string{"htdocs/x.txt": "x\n"},
		reqs:     reqs,
		errorLog: true,
	}
}
