package compat

import (
	"os"
	"strings"
	"testing"
)

// noStatus is why the machine-readable server status differs: it is
// made of each server's own counters.
const (
	noStatus = "server-status?auto reports each server's own run: its byte and duration totals, CPU times, connection counts and scoreboard differ (and Apache divides by an uptime of 0)"
)

// vhostsSSite is the configuration the HTTP captures of the spec were
// taken with (spec/apache-configtest/vhosts-S/httpd.conf), with /srv/run
// moved to $DIR and its ports 28081-28085 to ${P1}-${P5}; 127.0.0.2 serves
// the IP-based hosts. Apache runs it as www-data (its User line).
func vhostsSSite() site {
	b, err := os.ReadFile("/work/shared/spec/apache-configtest/vhosts-S/httpd.conf")
	if err != nil {
		b = []byte("# vhosts-S configuration missing: " + err.Error() + "\n")
	}
	conf := strings.NewReplacer("/srv/run", "$DIR", "28081", "${P1}", "28082", "${P2}", "28083", "${P3}",
		"28084", "${P4}", "28085", "${P5}", "ErrorLog logs/error.log", "ErrorLog logs/${SIDE}.log",
		"CustomLog logs/", "CustomLog logs/${SIDE}-").Replace(string(b))
	p3 := port(2)
	reqs := []request{
		get("/opts/", host("main.test:28083"), p3), do("OPTIONS", "*", host("main.test:28083"), p3),
		get("/file.txt", host("main.test:28083"), p3), get("/sub", host("main.test:28083"), p3),
		get("/old/a?q=1", host("main.test:28083"), p3), get("/file.txt", host("main.test:28083"), p3,
			hdr("If-Modified-Since: "+oldTime.Add(3600e9).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"))),
		raw("GARBAGE", "GARBAGE\r\n\r\n", p3),
		get("/", noHost(), p3),
		get("/auth/x.txt", host("main.test:28083"), p3), get("/auth/x.txt", host("main.test:28083"), p3, auth("alice", "alicepw")),
		get("/auth/x.txt", host("main.test:28083"), p3, auth("alice", "nope")),
		get("/deny/x.txt", host("main.test:28083"), p3), get("/errdoc/missing", host("main.test:28083"), p3),
		get("/errdoc/x.txt", host("main.test:28083"), p3), get("/nope.html", host("main.test:28083"), p3),
		get("/nosig/nonexist", host("main.test:28083"), p3), do("TRACE", "/", host("c.test:28082"), port(1)),
		do("TRACE", "/file.txt", host("main.test:28083"), p3),
		get("/gone", host("main.test:28083"), p3), get("/gone2", host("main.test:28083"), p3),
		do("POST", "/limit/x.txt", host("main.test:28083"), p3, body(strings.Repeat("x", 100))),
		get("/broken/x.txt", host("main.test:28083"), p3), do("FOO", "/file.txt", host("main.test:28083"), p3),
		get("/sub", http10(), noHost(), p3),
		get("/calias", host("other.name:28082"), port(1)), get("/calias/", host("other.name:28082"), port(1)),
		get("/", host("A.TEST."), port(0)), get("/", host("a.test:9999")), get("/", host("x.b.test")),
		get("/", host("y.z.b.test")), get("/", host("w1.test")), get("/", host("w12.test")),
		get("/", host("unknown.test")), get("/", host("main.test")), get("/", host("b.test"), at("127.0.0.2")),
		get("/", host("ip2b.test"), at("127.0.0.2")), get("/", http10(), noHost(), at("127.0.0.2")),
		get("/order1/x.txt", p3), get("/order2/x.txt", p3), get("/order3/x.txt", p3),
		get("/req/x.txt", p3), get("/req/x.txt", p3, hdr("User-Agent: BadBot/1.0")),
		get("/admin-only/x.txt", p3), get("/admin-only/x.txt", p3, auth("alice", "alicepw")),
		get("/admin-only/x.txt", p3, auth("root", "rootpw")),
		get("/al", p3), get("/al/", p3), get("/al/one.txt", p3), get("/al2", p3), get("/al2/two.txt", p3),
		get("/am/one.txt", p3), get("/perm/x", p3), get("/rm/abc", p3), get("/.htaccess", p3),
		get("/opts/link.txt", p3), get("/opts/foreign.txt", p3), get("/noindex/", p3),
		get("/server-status?auto", p3, known(noStatus)),
		get("/a/x.txt", host("ord.test"), port(3)),
		get("/index.html", host("example.test"), port(4)), get("/x", host("example.test"), port(4), hdr("X-Forwarded-Proto: http")),
		get("/x", host("www.example.test"), port(4)),
	}
	files := map[string]string{
		"htdocs/file.txt":         "file txt\n",
		"htdocs/index.html":       "<p>main index</p>\n",
		"htdocs/sub/index.html":   "<p>sub</p>\n",
		"htdocs/deny/x.txt":       "x\n",
		"htdocs/opts/real.txt":    "real\n",
		"htdocs/noindex/a.txt":    "a\n",
		"htdocs/order1/x.txt":     "x\n",
		"htdocs/order2/x.txt":     "x\n",
		"htdocs/order3/x.txt":     "x\n",
		"htdocs/auth/x.txt":       "x\n",
		"htdocs/req/x.txt":        "x\n",
		"htdocs/errdoc/404.html":  "custom 404 page\n",
		"htdocs/errdoc/x.txt":     "x\n",
		"htdocs/nosig/x.txt":      "x\n",
		"htdocs/limit/x.txt":      "x\n",
		"htdocs/broken/.htaccess": "Bogus\n",
		"htdocs/broken/x.txt":     "x\n",
		"htdocs/.htaccess":        "# nothing\n",
		"auth/groups":             "admins: root\n",
		"aliasdir/one.txt":        "one\n",
		"aliasdir2/two.txt":       "two\n",
		"htdocs-a/index.html":     "a.test\n",
		"htdocs-b/index.html":     "b.test\n",
		"htdocs-ip2/index.html":   "ip2\n",
		"htdocs-ip2b/index.html":  "ip2b\n",
		"htdocs-c/index.html":     "c\n",
		"ord/a/x.txt":             "x\n",
		"ord/a/.htaccess":         "Header add X-Order \"htaccess-a\"\n",
		"rw/index.html":           "rw\n",
		"logs/":                   "",
	}
	return site{
		name: "vhosts-S", host: "main.test", ports: 5, reqs: reqs,
		conf: conf, files: files,
		// The capture configuration's own logs: the common format, and
		// a "debug" format of most directives (spec's
		// sample-access-log-debugformat.txt).
		reqLogs: []logCheck{commonLog.named("access"), {name: "debug"}},
		// The order of Header add in each kind of section shows Apache's
		// merge order.
		headers: []string{"X-Order"},
		setup: func(t *testing.T, dir string) {
			htpasswd(t, dir, "m", "auth/htpasswd", "alice", "alicepw")
			htpasswd(t, dir, "B", "auth/htpasswd", "root", "rootpw")
			symlink(t, dir, "real.txt", "htdocs/opts/link.txt")
			symlink(t, dir, "real.txt", "htdocs/opts/foreign.txt")
			if os.Geteuid() == 0 {
				os.Lchown(dir+"/htdocs/opts/foreign.txt", 65534, 65534)
			}
		},
	}
}
