package compat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The mod_rewrite sites: each is a rule set real configurations use, and
// the requests that walk through its rules and their corners.

// rewriteMods are the modules of the rewrite sites without WSGI.
var rewriteMods = append(append([]string(nil), stdMods...), "rewrite")

// rewriteRedirectsSite covers the HTTP→HTTPS and www redirects in virtual
// hosts: conditions on HTTP_HOST, HTTPS and a forwarded-proto header,
// every R= form, the query string kept, replaced, appended or dropped,
// an absolute substitution naming this host (reduced to a local path
// when its port is the virtual host's: the third has no ServerName, so
// its port is its address's) or another, and the redirect of a bare host
// to www.
func rewriteRedirectsSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
Listen 127.0.0.1:${P3}
ServerName rw.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<VirtualHost *:${P1}>
  ServerName example.test
  ServerAlias www.example.test
  DocumentRoot $DIR/htdocs
  RewriteEngine On
  RewriteCond %{HTTP_HOST} ^www\.(.+)$ [NC]
  RewriteRule ^ http://%1%{REQUEST_URI} [R=301,L]
  RewriteCond %{HTTPS} off
  RewriteRule ^/secure(/.*)?$ https://%{HTTP_HOST}%{REQUEST_URI} [R=301,L]
  RewriteCond %{HTTP:X-Forwarded-Proto} =http [NC]
  RewriteRule ^/shop https://%{SERVER_NAME}%{REQUEST_URI} [R=308,L]
  RewriteRule ^/old-page$ /new-page.html [R]
  RewriteRule ^/perm/(.*)$ /new/$1 [R=permanent,L]
  RewriteRule ^/see$ /x [R=seeother]
  RewriteRule ^/temp$ /x [R=temp]
  RewriteRule ^/r307$ /x [R=307]
  RewriteRule ^/abs$ http://other.test/path?x=1 [R]
  RewriteRule ^/implicit$ http://other.test/implicit
  RewriteRule ^/self$ http://example.test/index.html
  RewriteRule ^/qs$ /target?a=1 [R]
  RewriteRule ^/qsa$ /target?a=1 [R,QSA]
  RewriteRule ^/qsd$ /target [R,QSD]
  RewriteRule ^/keepqs$ /target [R]
  RewriteRule ^/dropqs$ /target? [R]
  RewriteRule ^/relative$ target [R]
  RewriteRule ^/internal$ /index.html [L]
  RewriteRule ^/mailto$ mailto:someone@example.test [R]
</VirtualHost>
<VirtualHost *:${P2}>
  ServerName www.example.test
  ServerAlias example.test
  DocumentRoot $DIR/htdocs
  RewriteEngine On
  RewriteCond %{HTTP_HOST} !^www\. [NC]
  RewriteCond %{HTTP_HOST} !^$
  RewriteRule ^/?(.*) http://www.%{HTTP_HOST}/$1 [R=301,L,NE]
</VirtualHost>
<VirtualHost *:${P3}>
  ServerAlias self.test
  DocumentRoot $DIR/htdocs
  RewriteEngine On
  RewriteRule ^/selfport$ http://self.test:${P3}/index.html
  RewriteRule ^/otherport$ http://self.test:1/index.html
</VirtualHost>
`
	p1 := port(0)
	p2 := port(1)
	reqs := []request{
		get("/", p1, host("www.example.test")), get("/a/b?x=1", p1, host("WWW.Example.test")),
		get("/a/b?x=1", p1, host("example.test")), get("/index.html", p1, host("example.test")),
		get("/secure", p1, host("example.test")), get("/secure/cart?id=3", p1, host("example.test")),
		get("/securex", p1, host("example.test")),
		get("/shop/item", p1, host("example.test"), hdr("X-Forwarded-Proto: HTTP")),
		get("/shop/item", p1, host("example.test"), hdr("X-Forwarded-Proto: https")),
		get("/old-page", p1, host("example.test")), get("/old-page?keep=1", p1, host("example.test")),
		get("/perm/a%20b", p1, host("example.test")), get("/see", p1, host("example.test")),
		get("/temp", p1, host("example.test")), get("/r307", p1, host("example.test")),
		do("POST", "/r307", p1, host("example.test"), body("a=1")),
		get("/abs", p1, host("example.test")), get("/abs?y=2", p1, host("example.test")),
		get("/implicit?z", p1, host("example.test")), get("/self", p1, host("example.test")),
		get("/selfport", port(2), host("self.test")), get("/otherport", port(2), host("self.test")),
		get("/qs?b=2", p1, host("example.test")),
		get("/qsa?b=2", p1, host("example.test")), get("/qsd?b=2", p1, host("example.test")),
		get("/keepqs?b=2&c=%20", p1, host("example.test")), get("/dropqs?b=2", p1, host("example.test")),
		get("/relative", p1, host("example.test")), get("/internal", p1, host("example.test")),
		get("/mailto", p1, host("example.test")), do("HEAD", "/old-page", p1, host("example.test")),
		get("/old-page", p1, host("example.test:8080")),
		get("/", p2, host("example.test")), get("/a/b%20c?q=1", p2, host("example.test")),
		get("/x", p2, host("www.example.test")), get("/x", p2, host("example.test:81")),
		get("/index.html", p2, noHost(), http10()),
	}
	return site{
		name: "rewrite-redirects", host: "example.test", ports: 3, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html":    "<p>home</p>\n",
			"htdocs/new-page.html": "<p>new</p>\n",
		},
	}
}

// rewriteMaintenanceSite is a maintenance switch: a file under the
// document root turns it on, the maintenance page and static files stay
// reachable, an admin header gets through; one host answers 503 with
// the page as ErrorDocument, another redirects to it, a third switches
// with an environment variable set by an earlier rule.
func rewriteMaintenanceSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
Listen 127.0.0.1:${P3}
ServerName maint.test
<Directory />
  Require all denied
</Directory>
<Directory $DIR/on>
  Require all granted
</Directory>
<Directory $DIR/off>
  Require all granted
</Directory>
<VirtualHost *:${P1}>
  ServerName maint.test
  DocumentRoot $DIR/on
  ErrorDocument 503 /maintenance.html
  RewriteEngine On
  RewriteCond %{DOCUMENT_ROOT}/maintenance.on -f
  RewriteCond %{REQUEST_URI} !=/maintenance.html
  RewriteCond %{REQUEST_URI} !^/static/
  RewriteCond %{HTTP:X-Admin} !=letmein
  RewriteRule ^ - [R=503,L]
</VirtualHost>
<VirtualHost *:${P2}>
  ServerName maint.test
  DocumentRoot $DIR/off
  RewriteEngine On
  RewriteCond %{DOCUMENT_ROOT}/maintenance.on -f
  RewriteRule ^ - [R=503,L]
  RewriteCond %{DOCUMENT_ROOT}/redirect.on -f
  RewriteCond %{REQUEST_URI} !=/maintenance.html
  RewriteRule ^ /maintenance.html [R=302,L]
</VirtualHost>
<VirtualHost *:${P3}>
  ServerName maint.test
  DocumentRoot $DIR/off
  RewriteEngine On
  RewriteRule ^/flag/ - [E=MAINT:yes]
  RewriteCond %{QUERY_STRING} (^|&)maint=1(&|$)
  RewriteRule ^ - [E=MAINT:yes]
  RewriteCond %{ENV:MAINT} =yes
  RewriteCond %{REQUEST_URI} !=/maintenance.html
  RewriteRule ^ /maintenance.html [L]
  RewriteCond %{TIME_YEAR} <2000
  RewriteRule ^ - [G]
  RewriteCond %{TIME_YEAR} "-gt 1999"
  RewriteRule ^/year$ /index.html [L]
</VirtualHost>
`
	p1, p2, p3 := port(0), port(1), port(2)
	reqs := []request{
		get("/", p1), get("/index.html", p1), get("/maintenance.html", p1), get("/static/app.css", p1),
		get("/other?x=1", p1), do("HEAD", "/index.html", p1), do("POST", "/index.html", p1, body("a=1")),
		get("/index.html", p1, hdr("X-Admin: letmein")), get("/index.html", p1, hdr("X-Admin: nope")),
		get("/", p2), get("/index.html", p2), get("/maintenance.html", p2), get("/x?y", p2),
		get("/index.html", p3), get("/flag/x", p3), get("/index.html?maint=1", p3), get("/index.html?amaint=1", p3),
		get("/index.html?a=2&maint=1&b", p3), get("/maintenance.html?maint=1", p3), get("/year", p3),
	}
	return site{
		name: "rewrite-maintenance", host: "maint.test", ports: 3, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"on/index.html": "<p>on index</p>\n", "on/maintenance.html": "<p>down for maintenance</p>\n",
			"on/maintenance.on": "", "on/static/app.css": "body{}\n",
			"off/index.html": "<p>off index</p>\n", "off/maintenance.html": "<p>down for maintenance</p>\n",
			"off/redirect.on": "",
		},
	}
}

// rewriteHtaccessSite covers per-directory rules in .htaccess files: the
// directory prefix stripped from the path before matching and added back
// to a relative substitution, RewriteBase (and its absence, where a
// redirect shows the file system path), the internal redirect a local
// result becomes, the trailing-slash case mod_dir redirects first, a
// nested .htaccess with its own rules (the parent's are not inherited)
// or RewriteOptions Inherit, [DPI], RewriteEngine Off in a
// subdirectory, and rules inside <Directory>.
func rewriteHtaccessSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName ht.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR/htdocs>
  Require all granted
  AllowOverride All
  Options FollowSymLinks
</Directory>
<Directory $DIR/htdocs/dirconf>
  RewriteEngine On
  RewriteRule ^old\.html$ new.html [L]
  RewriteRule ^gone - [G]
  RewriteRule ^away$ http://elsewhere.test/ [R=301,L]
</Directory>
<Directory $DIR/htdocs/nosym>
  Options -FollowSymLinks
</Directory>
`
	reqs := []request{
		get("/blog/"), get("/blog/2024/hello"), get("/blog/2024/hello?c=1"), get("/blog/post.html"),
		get("/blog/feed"), get("/blog/old/x.html"), get("/blog/redir/x"), get("/blog/abs"),
		get("/blog/sub/"), get("/blog/sub/page"), get("/blog/sub/x.txt"),
		get("/blog/inherit/a.html"), get("/blog/inherit/page"), get("/blog/off/page"), get("/blog/off/x.txt"),
		get("/nobase/page"), get("/nobase/go"), get("/nobase/there"), get("/nobase/index.html"),
		get("/docroot-strip/a"), get("/dpi/file.txt/extra"), get("/dpi/keep.txt/extra"),
		get("/dirconf/old.html"), get("/dirconf/gone"), get("/dirconf/away"), get("/dirconf/new.html"),
		get("/slash"), get("/slash/"), get("/nosym/x"), get("/loop/a"), get("/end/a"),
		do("POST", "/blog/2024/hello", body("x=1")), do("HEAD", "/blog/2024/hello"),
		get("/fcheck/q"), get("/fcheck/r"), get("/diridx/"), get("/diridx"),
		get("/vary/page", hdr("X-Mobile: 1")), get("/vary/page"), get("/vary/gone", hdr("X-Mobile: 1")),
		get("/nobase/pt"), get("/nobase/qsa?b=2"),
	}
	return site{
		name: "rewrite-htaccess", host: "ht.test", ports: 1, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html": "<p>home</p>\n",
			"htdocs/blog/.htaccess": "RewriteEngine On\nRewriteBase /blog/\n" +
				"RewriteRule ^feed$ feed.xml [T=application/rss+xml,L]\n" +
				"RewriteRule ^old/(.*)$ $1 [L]\n" +
				"RewriteRule ^redir/(.*)$ $1 [R=301,L]\n" +
				"RewriteRule ^abs$ /index.html [R,L]\n" +
				"RewriteCond %{REQUEST_FILENAME} !-f\n" +
				"RewriteCond %{REQUEST_FILENAME} !-d\n" +
				"RewriteRule ^(.*)$ index.html [L]\n",
			"htdocs/blog/index.html":        "<p>blog front</p>\n",
			"htdocs/blog/post.html":         "<p>post</p>\n",
			"htdocs/blog/feed.xml":          "<rss/>\n",
			"htdocs/blog/x.html":            "<p>x</p>\n",
			"htdocs/blog/sub/.htaccess":     "RewriteEngine On\nRewriteRule ^page$ x.txt [L]\n",
			"htdocs/blog/sub/x.txt":         "sub x\n",
			"htdocs/blog/sub/index.html":    "<p>sub index</p>\n",
			"htdocs/blog/inherit/.htaccess": "RewriteEngine On\nRewriteOptions Inherit\nRewriteRule ^a\\.html$ b.html [L]\n",
			"htdocs/blog/inherit/b.html":    "<p>b</p>\n",
			"htdocs/blog/off/.htaccess":     "RewriteEngine Off\n",
			"htdocs/blog/off/x.txt":         "off x\n",
			"htdocs/nobase/.htaccess": "RewriteEngine On\nRewriteRule ^page$ index.html\nRewriteRule ^go$ index.html [R]\nRewriteRule ^there$ /index.html [R]\n" +
				"RewriteRule ^pt$ index.html [PT]\nRewriteRule ^qsa$ index.html?a=1 [QSA]\n",
			"htdocs/nobase/index.html":       "<p>nobase index</p>\n",
			"htdocs/docroot-strip/.htaccess": "RewriteEngine On\nRewriteRule ^a$ b.txt\n",
			"htdocs/docroot-strip/b.txt":     "b\n",
			"htdocs/dpi/.htaccess":           "RewriteEngine On\nRewriteRule ^file\\.txt/extra$ target.txt [DPI]\nRewriteRule ^keep\\.txt/extra$ target.txt\n",
			"htdocs/dpi/file.txt":            "file\n",
			"htdocs/dpi/keep.txt":            "keep\n",
			"htdocs/dpi/target.txt":          "target\n",
			"htdocs/dirconf/new.html":        "<p>dirconf new</p>\n",
			"htdocs/slash/.htaccess":         "RewriteEngine On\nRewriteRule ^$ other.txt [L]\n",
			"htdocs/slash/other.txt":         "other\n",
			"htdocs/slash/index.html":        "<p>slash index</p>\n",
			"htdocs/nosym/.htaccess":         "RewriteEngine On\nRewriteRule ^x$ y.txt\n",
			"htdocs/nosym/y.txt":             "y\n",
			"htdocs/loop/.htaccess":          "RewriteEngine On\nRewriteRule ^(.*)$ a$1 [L]\n",
			"htdocs/end/.htaccess":           "RewriteEngine On\nRewriteRule ^(.*)$ e$1 [END]\n",
			"htdocs/end/ea":                  "end ea\n",
			"htdocs/fcheck/.htaccess": "RewriteEngine On\nRewriteCond real.txt -F\nRewriteRule ^q$ real.txt [L]\n" +
				"RewriteCond nope.txt -F\nRewriteRule ^r$ real.txt [L]\n",
			"htdocs/fcheck/real.txt":   "real\n",
			"htdocs/diridx/.htaccess":  "RewriteEngine On\nRewriteRule ^index\\.html$ other.txt [L]\n",
			"htdocs/diridx/index.html": "<p>diridx index</p>\n",
			"htdocs/diridx/other.txt":  "diridx other\n",
			"htdocs/vary/.htaccess": "RewriteEngine On\nRewriteCond %{HTTP:X-Mobile} =1\nRewriteRule ^page$ m.txt [L]\n" +
				"RewriteCond %{HTTP:X-Mobile} =1\nRewriteRule ^gone$ - [G]\n",
			"htdocs/vary/m.txt": "mobile\n",
		},
	}
}

// rewriteCondsSite covers RewriteCond's tests: -f -d -s -l -F -U on
// paths built from variables, lexical (= < > <= >=) and integer (-lt
// -le -eq -ne -ge -gt) comparisons, regexes with [NC], [OR] chains,
// negation, [NV], the headers a condition reads showing in Vary, and
// ap_expr conditions.
func rewriteCondsSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName conds.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
  Options FollowSymLinks
</Directory>
<Directory $DIR/htdocs/private>
  Require all denied
</Directory>
RewriteEngine On
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} -f
RewriteRule ^/f/ /yes.txt [L]
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} -d
RewriteRule ^/d/ /yes.txt [L]
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} -s
RewriteRule ^/s/ /yes.txt [L]
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} -l
RewriteRule ^/l/ /yes.txt [L]
RewriteCond %{DOCUMENT_ROOT}/%{QUERY_STRING} -F
RewriteRule ^/F$ /yes.txt [L]
RewriteCond /%{QUERY_STRING} -U
RewriteRule ^/U$ /yes.txt [L]
RewriteCond %{QUERY_STRING} =abc
RewriteRule ^/eq$ /yes.txt [L]
RewriteCond %{QUERY_STRING} =""
RewriteRule ^/empty$ /yes.txt [L]
RewriteCond %{QUERY_STRING} <m
RewriteRule ^/lt$ /yes.txt [L]
RewriteCond %{QUERY_STRING} >=m
RewriteRule ^/ge$ /yes.txt [L]
RewriteCond %{QUERY_STRING} -lt10
RewriteRule ^/ilt$ /yes.txt [L]
RewriteCond %{QUERY_STRING} "-ge 10"
RewriteRule ^/ige$ /yes.txt [L]
RewriteCond %{QUERY_STRING} !-ne7
RewriteRule ^/ieq$ /yes.txt [L]
RewriteCond %{HTTP_USER_AGENT} (curl|wget) [NC,OR]
RewriteCond %{HTTP:X-Bot} ^yes$
RewriteRule ^/bot$ /yes.txt [L]
RewriteCond %{HTTP_REFERER} !^$
RewriteCond %{HTTP_REFERER} !^http://conds\.test/ [NC]
RewriteRule \.png$ - [F]
RewriteCond %{HTTP:Accept-Language} ^fr [NV]
RewriteRule ^/lang$ /fr.txt [L]
RewriteCond %{HTTP:Accept-Language} ^de
RewriteRule ^/lang$ /de.txt [L]
RewriteCond %{HTTP_COOKIE} (^|;\s*)beta=1
RewriteRule ^/beta$ /yes.txt [L]
RewriteCond %{REQUEST_METHOD} =POST
RewriteRule ^/post$ /yes.txt [L]
RewriteCond expr "%{QUERY_STRING} =~ /^id=(\d+)$/"
RewriteRule ^/expr$ /yes.txt [L]
RewriteCond %{LA-U:REQUEST_FILENAME} -f
RewriteRule ^/lau/ /yes.txt [L]
RewriteRule ^/lavar/(.*)$ http://conds.test/?f=%{LA-U:REQUEST_FILENAME}&p=%{LA-U:PATH_INFO} [R,L]
RewriteCond %{REMOTE_ADDR} ^127\.
RewriteCond %{SERVER_PORT} -gt0
RewriteCond %{THE_REQUEST} ^GET\ /local
RewriteRule ^/local$ /yes.txt [L]
`
	reqs := []request{
		get("/f/file.txt"), get("/f/missing"), get("/d/dir"), get("/d/file.txt"), get("/s/file.txt"),
		get("/s/empty.txt"), get("/l/link.txt"), get("/l/file.txt"),
		get("/F?yes.txt"), get("/F?missing.txt"), get("/F?private/p.txt"), get("/U?index.html"), get("/U?private/p.txt"),
		get("/eq?abc"), get("/eq?abcd"), get("/empty"), get("/empty?x"),
		get("/lt?a"), get("/lt?zz"), get("/ge?m"), get("/ge?a"),
		get("/ilt?9"), get("/ilt?10"), get("/ige?10"), get("/ige?x"), get("/ieq?7"), get("/ieq?8"),
		get("/bot", hdr("User-Agent: Curl/8")), get("/bot", hdr("X-Bot: yes")), get("/bot", hdr("User-Agent: firefox")),
		get("/img.png", hdr("Referer: http://evil.test/")), get("/img.png", hdr("Referer: http://CONDS.test/page")),
		get("/img.png"),
		get("/lang", hdr("Accept-Language: fr-FR")), get("/lang", hdr("Accept-Language: de")), get("/lang"),
		get("/beta", hdr("Cookie: a=2; beta=1")), get("/beta", hdr("Cookie: xbeta=1")),
		do("POST", "/post", body("x=1")), get("/post"),
		get("/expr?id=42"), get("/expr?id=x"), get("/local"),
		get("/lau/file.txt"), get("/lau/missing"), get("/lavar/x"),
	}
	return site{
		name: "rewrite-conds", host: "conds.test", ports: 1, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html": "<p>home</p>\n", "htdocs/yes.txt": "yes\n", "htdocs/fr.txt": "fr\n",
			"htdocs/de.txt": "de\n", "htdocs/img.png": "png\n",
			"htdocs/f/file.txt": "f\n", "htdocs/d/dir/": "", "htdocs/d/file.txt": "d\n",
			"htdocs/s/file.txt": "s\n", "htdocs/s/empty.txt": "", "htdocs/l/file.txt": "l\n",
			"htdocs/private/p.txt": "private\n", "htdocs/lau/file.txt": "lau\n",
		},
		setup: func(t *testing.T, dir string) {
			symlink(t, dir, "$DIR/htdocs/l/file.txt", "htdocs/l/link.txt")
		},
	}
}

// rewriteBackrefsSite covers back-references: $N of the rule, %N of the
// last matching condition, both in one substitution, groups that did not
// take part, $0, [C] chains, [S] skips, [N] rounds (and their limit),
// [NC], negated patterns (which set no $N), and escaped specials.
func rewriteBackrefsSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName refs.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/user/([a-z]+)/(\d+)$ http://refs.test/profile?name=$1&id=$2 [R,L]
RewriteCond %{HTTP_HOST} ^([a-z]+)\.refs\.test$
RewriteRule ^/sub/(.*)$ http://refs.test/%1/$1 [R,L]
RewriteCond %{QUERY_STRING} (?:^|&)page=(\d+)
RewriteRule ^/list$ http://refs.test/list/%1? [R,L]
RewriteCond %{HTTP:X-A} (a+)
RewriteCond %{HTTP:X-B} (b+)
RewriteRule ^/last$ http://refs.test/last/%1 [R,L]
RewriteCond %{HTTP:X-A} (a+) [OR]
RewriteCond %{HTTP:X-B} (b+)
RewriteRule ^/or$ http://refs.test/or/%1 [R,L]
RewriteCond %{HTTP:X-A} !(z+)
RewriteRule ^/negcond$ http://refs.test/negcond/[%1] [R,L]
RewriteRule ^/opt/(a)?(b)$ http://refs.test/opt/[$1][$2] [R,L]
RewriteRule ^/zero/.*$ http://refs.test/zero?$0 [R,L]
RewriteRule ^/esc/(.*)$ http://refs.test/esc/\$1/\%1/$1 [R,L]
RewriteRule ^/CASE/(.*)$ http://refs.test/case/$1 [NC,R,L]
RewriteRule ^/neg/(x+)y(.*)$ /neg/$1$2 [N]
RewriteRule ^/neg/x+$ http://refs.test/rounds [R,L]
RewriteRule ^/neg/loop/(.*)$ /neg/loop/a$1 [N=4]
RewriteRule ^/neg/chain/(.*)$ /index.html [C]
RewriteRule ^/index\.html$ http://refs.test/chained/$1 [R,L]
RewriteRule ^/neg/nochain/(.*)$ /nomatch [C]
RewriteRule ^/never$ http://refs.test/never [R,L]
RewriteRule ^/neg/skip - [S=2]
RewriteRule ^/neg/ http://refs.test/notskipped1 [R,L]
RewriteRule ^/neg/ http://refs.test/notskipped2 [R,L]
RewriteRule ^/neg/skip http://refs.test/skipped-to [R,L]
RewriteCond %{QUERY_STRING} ^f=(.+)$
RewriteRule ^/dl$ /files/%1 [PT,L]
RewriteRule !^/(neg|index|nomatch|files|dl) http://refs.test/negated/$1 [R,L]
<Directory $DIR/outside>
  Require all granted
</Directory>
`
	reqs := []request{
		get("/user/alice/42"), get("/user/Alice/42"), get("/user/bob/x"),
		get("/sub/a/b", host("shop.refs.test")), get("/sub/a/b", host("refs.test")),
		get("/list?page=7"), get("/list?x=1&page=12&y"), get("/list?page=x"),
		get("/opt/ab"), get("/opt/b"), get("/zero/some/path"), get("/esc/v"),
		get("/CASE/X"), get("/case/y"), get("/Case/z"),
		get("/last", hdr("X-A: aa", "X-B: bbb")), get("/or", hdr("X-B: bb")), get("/or", hdr("X-A: a", "X-B: b")),
		get("/negcond", hdr("X-A: yy")),
		get("/other/thing"), get("/neg/chain/abc"), get("/neg/nochain/abc"), get("/neg/skip"), get("/neg/xxyyy"),
		get("/neg/loop/x"), get("/neg/other"), get("/index.html"),
		// A [PT] result with ".." in it: within the document root it
		// maps; above it, Apache refuses it (AH00127) even where the
		// file it names is granted.
		get("/dl?f=a.txt"), get("/dl?f=../index.html"), get("/dl?f=sub/../a.txt"),
		get("/dl?f=../../outside/s.txt"), get("/dl?f=../../../../../../etc/passwd"),
	}
	return site{
		name: "rewrite-backrefs", host: "refs.test", ports: 1, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{"htdocs/index.html": "<p>home</p>\n", "htdocs/files/a.txt": "a\n",
			"outside/s.txt": "outside the document root\n"},
	}
}

// rewriteEscapingSite covers what reaches the Location header: [NE],
// [B] and its variants (B=chars, BNP, BCTLS, BNE), [QSA] with an empty or
// repeated query, [QSL], [QSD], a query string with spaces after a
// rewrite, a '?' a back-reference brings (refused), [UnsafeAllow3F],
// percent signs and fragments; and patterns with PCRE's (*UTF) and
// (*CRLF), where a path that is not UTF-8 matches nothing.
func rewriteEscapingSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName esc.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/ne/(.*)$ http://esc.test/to/$1#anchor [R,NE]
RewriteRule ^/esc/(.*)$ http://esc.test/to/$1#anchor [R]
RewriteRule ^/b/(.*)$ http://esc.test/search?q=$1 [B,R]
RewriteRule ^/bnp/(.*)$ http://esc.test/search?q=$1 [B,BNP,R]
RewriteRule ^/bchars/(.*)$ http://esc.test/search?q=$1 [B=&?,R]
RewriteRule ^/bctls/(.*)$ http://esc.test/search?q=$1 [BCTLS,R]
RewriteRule ^/bne/(.*)$ http://esc.test/search?q=$1 [B,BNE=/,R]
RewriteRule ^/nob/(.*)$ http://esc.test/search?q=$1 [R]
RewriteRule ^/local/(.*)$ /index.html?q=$1 [B,R]
RewriteRule ^/qsa/(.*)$ http://esc.test/t?a=$1 [QSA,R]
RewriteRule ^/qsl/(.*)$ http://esc.test/t?x=$1? [QSA,QSL,R]
RewriteRule ^/qsdq/(.*)$ http://esc.test/t?x=$1 [QSD,R]
RewriteRule ^/unsafe/(.*)$ /index.html/$1 [L]
RewriteRule ^/allow3f/(.*)$ http://esc.test/a/$1 [R,UnsafeAllow3F]
RewriteRule ^/space/(.*)$ /index.html?q=$1 [L]
RewriteRule ^/pct/(.*)$ http://esc.test/p/$1 [R]
RewriteRule ^/pctne/(.*)$ http://esc.test/p/$1 [R,NE]
RewriteRule "(*UTF)(*CRLF)^/utf/(.)$" http://esc.test/one/$1 [R]
RewriteCond %{REQUEST_URI} ^/nutf/
RewriteRule "!(*UTF)x" http://esc.test/negated [R]
`
	reqs := []request{
		get("/ne/a%20b"), get("/esc/a%20b"), get("/ne/x%23y"), get("/esc/x%23y"),
		get("/b/a%20b&c=d"), get("/bnp/a%20b"), get("/bchars/a&b%3Fc%20d"), get("/bctls/a%20b&c"),
		get("/bne/a/b%20c"), get("/nob/a%20b&c"), get("/local/x%2By"),
		get("/qsa/1"), get("/qsa/1?b=2"), get("/qsa/1?"), get("/qsl/1?b=2"), get("/qsdq/1?b=2"),
		get("/unsafe/a%3Fb"), get("/allow3f/a%3Fb"), get("/space/a%20b"), get("/space/ok"),
		get("/pct/100%25"), get("/pctne/100%25"), get("/esc/%C3%A9t%C3%A9"), get("/esc/a+b?c%20d"),
		get("/ne/a%0Ab"), get("/ne/a%09b"), get("/esc/a%0Ab"),
		get("/utf/%C3%A9"), get("/utf/a"), get("/utf/%FF"), get("/nutf/x"), get("/nutf/%FFx"), get("/nutf/y"),
	}
	return site{
		name: "rewrite-escaping", host: "esc.test", ports: 1, reqs: reqs,
		conf:  head(rewriteMods...) + conf,
		files: map[string]string{"htdocs/index.html": "<p>home</p>\n"},
	}
}

// rewriteMapsSite covers RewriteMap: txt: (comments, first match,
// values with more words), rnd: (one choice, so the answer is fixed),
// int:tolower, toupper, escape and unescape, default values, a key
// that is itself an expansion, and a missing map.
func rewriteMapsSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName maps.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
RewriteMap redirects txt:$DIR/redirects.map
RewriteMap pick rnd:$DIR/pick.map
RewriteMap lc int:tolower
RewriteMap uc int:toupper
RewriteMap esc int:escape
RewriteMap unesc int:unescape
RewriteMap bare $DIR/redirects.map
RewriteEngine On
RewriteCond ${redirects:$1} !=""
RewriteRule ^/go/(.*)$ http://maps.test${redirects:$1} [R=301,L]
RewriteRule ^/godef/(.*)$ http://maps.test/${redirects:$1|notfound} [R,L]
RewriteRule ^/bare/(.*)$ http://maps.test/${bare:$1|none} [R,L]
RewriteRule ^/pick/(.*)$ http://maps.test/${pick:$1} [R,L]
RewriteRule ^/lc/(.*)$ http://maps.test/${lc:$1} [R,L]
RewriteRule ^/uc/(.*)$ http://maps.test/${uc:$1} [R,L]
RewriteRule ^/esc/(.*)$ http://maps.test/${esc:$1} [R,L,NE]
RewriteRule ^/unesc/(.*)$ http://maps.test/${unesc:$1} [R,L,NE]
RewriteRule ^/nomap/(.*)$ http://maps.test/${nosuch:$1|dflt} [R,L]
RewriteRule ^/nested/(.*)$ http://maps.test/${lc:${uc:$1}x} [R,L]
RewriteRule ^/host/ http://maps.test/${lc:%{HTTP_HOST}} [R,L]
RewriteRule ^/broken/(.*)$ http://maps.test/${lc$1} [R,L]
`
	reqs := []request{
		get("/go/home"), get("/go/about"), get("/go/missing"), get("/go/dup"), get("/go/spaced"),
		get("/godef/home"), get("/godef/zzz"), get("/bare/about"), get("/bare/x"),
		get("/pick/one"), get("/pick/none"),
		get("/lc/MiXeD"), get("/uc/MiXeD"), get("/esc/a%20b%25c"), get("/unesc/a%2520b"),
		get("/nomap/x"), get("/nested/Ab"), get("/host/", host("MAPS.Test")), get("/broken/x"),
	}
	return site{
		name: "rewrite-maps", host: "maps.test", ports: 1, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html": "<p>home</p>\n",
			"redirects.map": "# old path -> new path\nhome /index.html\nabout /about-us.html more words\n" +
				" indented /never\n#commented /never\ndup /first\ndup /second\nspaced\t\t/tabbed\nnovalue\n",
			"pick.map": "one /only-choice\n",
		},
	}
}

// rewritePrgMap is a prg: map's program: it answers each key on its own
// line, and reports what it was started with (its environment, its
// directory, its arguments, its user), so both servers' programs can be
// compared through the redirects they make.
const rewritePrgMap = `#!/usr/bin/python3 -u
import os, sys
n = 0
for line in sys.stdin:
    key = line[:-1] if line.endswith("\n") else line
    n += 1
    if key == "env":
        out = "+".join(sorted(os.environ)) or "none"
    elif key == "cwd":
        out = os.getcwd()
    elif key == "args":
        out = "+".join(a.replace(" ", "_") for a in sys.argv[1:]) or "none"
    elif key == "uid":
        out = "%d.%d" % (os.getuid(), os.getgid())
    elif key == "null":
        out = "NULL"
    elif key == "mixed":
        out = "nUlL"
    elif key == "empty":
        out = ""
    elif key == "two":
        out = "first\nsecond"
    elif key == "nul":
        out = "abc\0def"
    elif key == "die":
        sys.exit(3)
    else:
        out = "%s-%d" % (key, n)
    sys.stdout.write(out + "\n")
`

// rewritePrgSite covers RewriteMap prg: maps: the program runs in its
// own directory with an empty environment and its arguments split as
// APR splits them; lookups are answered in order (a count shows each
// key reaches the program once); NULL in any case and a key with a
// newline (which is never sent) take the default; an empty answer is a
// value, an answer ends at a NUL byte; a program whose interpreter is
// missing leaves the server serving, its lookups empty; an answer of two lines leaves the program a step behind; after
// the program ends every lookup gives the empty string. A virtual host
// whose RewriteEngine is off starts no program for its map, so its
// per-directory rules get the default; one that inherits the main
// server's maps shares its program.
func rewritePrgSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName prg.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
RewriteEngine On
RewriteMap m "prg:bin/map.py"
RewriteMap args "prg:'bin/map.py' plain two\ words 'quoted one'"
RewriteMap dead "prg:bin/dead.sh"
RewriteRule ^/m/(.*)$ http://prg.test/to/${m:$1|dflt} [R,L,NE]
RewriteRule ^/args$ http://prg.test/to/${args:args|dflt} [R,L,NE]
RewriteRule ^/dead/(.*)$ http://prg.test/to/${dead:$1|dflt} [R,L,NE]
<VirtualHost *:${P1}>
  ServerName shared.test
  DocumentRoot $DIR/htdocs
  RewriteEngine On
  RewriteOptions Inherit
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName off.test
  DocumentRoot $DIR/htdocs
  RewriteEngine Off
  RewriteMap idle "prg:bin/map.py"
  <Directory $DIR/htdocs/idle>
    RewriteEngine On
    RewriteRule ^(.*)$ http://off.test/to/${idle:$1|never-started} [R,L]
  </Directory>
</VirtualHost>
`
	reqs := []request{
		get("/m/first"), get("/m/env"), get("/m/cwd"), get("/args"), get("/m/uid"),
		get("/m/null"), get("/m/mixed"), get("/m/empty"), get("/m/new%0aline"), get("/m/nul"), get("/m/after"),
		get("/dead/x"),
		get("/m/shared", host("shared.test")), get("/idle/x", host("off.test")),
		get("/m/two"), get("/m/behind"), get("/m/still"),
		get("/m/die"), get("/m/gone"), get("/m/gone2"),
	}
	return site{
		name: "rewrite-prg", host: "prg.test", ports: 1, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html":      "<p>home</p>\n",
			"htdocs/idle/index.html": "<p>idle</p>\n",
			"bin/map.py":             rewritePrgMap,
			"bin/dead.sh":            "#!/no/such/interpreter\n",
		},
		setup: func(t *testing.T, dir string) {
			for _, f := range []string{"bin/map.py", "bin/dead.sh"} {
				if err := os.Chmod(filepath.Join(dir, f), 0o755); err != nil {
					t.Fatal(err)
				}
			}
		},
	}
}

// rewriteDBMSite covers RewriteMap dbm: maps as httxt2dbm writes them:
// the default type (Berkeley DB hash) with enough keys for many buckets,
// sdbm, gdbm, a key given twice (the last wins), keys that are missing, a file
// that is no database (AH00656) and an sdbm map whose .pag is gone
// (AH00663), with the error log lines compared.
func rewriteDBMSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName dbm.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
RewriteEngine On
RewriteMap db "dbm:maps/db.map"
RewriteMap dbtyped "dbm=db:$DIR/maps/db.map"
RewriteMap sdbm "dbm=SDBM:maps/s.map"
RewriteMap gdbm "dbm=gdbm:maps/g.map"
RewriteMap bad "dbm:maps/bad.map"
RewriteMap half "dbm=sdbm:maps/half"
RewriteRule ^/db/(.*)$ http://dbm.test/to${db:$1|/dflt} [R,L]
RewriteRule ^/typed/(.*)$ http://dbm.test/to${dbtyped:$1|/dflt} [R,L]
RewriteRule ^/sdbm/(.*)$ http://dbm.test/to${sdbm:$1|/dflt} [R,L]
RewriteRule ^/gdbm/(.*)$ http://dbm.test/to${gdbm:$1|/dflt} [R,L]
RewriteRule ^/bad/(.*)$ http://dbm.test/to${bad:$1|/dflt} [R,L]
RewriteRule ^/half/(.*)$ http://dbm.test/to${half:$1|/dflt} [R,L]
RewriteCond ${db:%{QUERY_STRING}} ^(/.+)$
RewriteRule ^/cond$ http://dbm.test/cond%1? [R,L]
`
	var text strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&text, "page%d /pages/%d.html\n", i, i*3)
	}
	text.WriteString("# a comment\ntwice /first\ntwice /second\nspaced\t\t/tabbed\n")
	reqs := []request{
		get("/db/page0"), get("/db/page1999"), get("/db/page777"), get("/db/twice"), get("/db/spaced"),
		get("/db/nope"), get("/db/"), get("/typed/page5"),
		get("/sdbm/page0"), get("/sdbm/page1999"), get("/sdbm/twice"), get("/sdbm/nope"),
		get("/gdbm/page0"), get("/gdbm/page1234"), get("/gdbm/twice"), get("/gdbm/nope"),
		get("/bad/page0"), get("/half/page0"), get("/cond?page42"), get("/cond?nope"),
	}
	return site{
		name: "rewrite-dbm", host: "dbm.test", ports: 1, reqs: reqs, errorLog: true,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html": "<p>home</p>\n",
			"maps/map.txt":      text.String(),
			"maps/bad.map":      "page0 /not-a-database\n",
		},
		setup: func(t *testing.T, dir string) {
			in := filepath.Join(dir, "maps/map.txt")
			for _, args := range [][]string{
				{"-i", in, "-o", filepath.Join(dir, "maps/db.map")},
				{"-f", "SDBM", "-i", in, "-o", filepath.Join(dir, "maps/s.map")},
				{"-f", "GDBM", "-i", in, "-o", filepath.Join(dir, "maps/g.map")},
				{"-f", "SDBM", "-i", in, "-o", filepath.Join(dir, "maps/half")},
			} {
				if out, err := exec.Command("httxt2dbm", args...).CombinedOutput(); err != nil {
					t.Fatalf("httxt2dbm %v: %v\n%s", args, err, out)
				}
			}
			if err := os.Remove(filepath.Join(dir, "maps/half.pag")); err != nil {
				t.Fatal(err)
			}
		},
	}
}

// rewriteWSGISite covers the interplay with Alias and WSGIScriptAlias:
// [PT] hands the rewritten URI to mod_alias and mod_wsgi (SCRIPT_NAME
// and PATH_INFO as Apache gives them), a server rule without [PT] maps a
// path to a file, a front controller in .htaccess reaches a .wsgi
// script by internal redirect (REDIRECT_* variables), [E=] shows in the
// environ, SCRIPT_URL and SCRIPT_URI, [H=] and [T=].
func rewriteWSGISite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), rewriteMods...), "wsgi")...) + `Listen ` + addr + `
ServerName wsgirw.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
  AllowOverride All
  Options FollowSymLinks ExecCGI
  AddHandler wsgi-script .wsgi
</Directory>
<Directory $DIR/wsgi>
  Require all granted
</Directory>
<Directory $DIR/static>
  Require all granted
</Directory>
Alias /static $DIR/static
WSGIScriptAlias /app $DIR/wsgi/env.wsgi
RewriteEngine On
RewriteRule ^/api/(.*)$ /app/v1/$1 [PT,E=API:yes,QSA]
RewriteRule ^/assets/(.*)$ /static/$1 [PT]
RewriteRule ^/nopt/(.*)$ /static/$1
RewriteRule ^/direct$ $DIR/static/s.txt
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} !-f
RewriteRule ^/site/(.*)$ /app/site/$1 [PT,L]
RewriteRule ^/typed$ /static/s.txt [PT,T=text/x-typed]
RewriteRule ^/handled$ /front/index.wsgi [H=wsgi-script,L]
`
	reqs := []request{
		get("/api/users"), get("/api/users?limit=5"), get("/assets/s.txt"), get("/nopt/s.txt"),
		get("/direct"), get("/site/page"), get("/site/exists.txt"), get("/typed"), get("/handled"),
		get("/app/plain"), get("/front/"), get("/front/some/page?x=1"), get("/front/index.wsgi/direct"),
		get("/front/static.txt"), do("POST", "/front/form", body("a=1")),
	}
	return site{
		name: "rewrite-wsgi", host: addr, conf: conf, fixed: true, fixedAddrs: []string{addr}, reqs: reqs,
		files: map[string]string{
			"htdocs/index.html":       "<p>home</p>\n",
			"htdocs/site/exists.txt":  "exists\n",
			"htdocs/front/.htaccess":  "RewriteEngine On\nRewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule ^(.*)$ index.wsgi/$1 [L,QSA]\n",
			"htdocs/front/index.wsgi": wsgiEnvApp,
			"htdocs/front/static.txt": "static in front\n",
			"static/s.txt":            "static s\n",
			"wsgi/env.wsgi":           wsgiEnvApp,
		},
	}
}

// rewriteFrontControllerSite is a WSGI application behind a front
// controller in the server's rules, as Django and Flask deployments
// write it: static and media files served as they are, a trailing slash
// added by a redirect, a language prefix turned into an environment
// variable, everything else passed through to the WSGIScriptAlias; and
// an .htaccess front controller in an Alias'd directory, where the
// context prefix replaces the directory in the internal redirect.
func rewriteFrontControllerSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), rewriteMods...), "wsgi")...) + `Listen ` + addr + `
ServerName front.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/wsgi>
  Require all granted
</Directory>
<Directory $DIR/aliased>
  Require all granted
  AllowOverride All
</Directory>
Alias /aliased $DIR/aliased
WSGIScriptAlias /django $DIR/wsgi/env.wsgi
RewriteEngine On
RewriteRule ^/(static|media|aliased)/ - [L]
RewriteRule ^/favicon\.ico$ - [L]
RewriteCond %{REQUEST_URI} !/$
RewriteCond %{REQUEST_URI} !\.[a-z0-9]+$
RewriteRule ^/(.*)$ /$1/ [R=301,L]
RewriteRule ^/(en|fr)/(.*)$ /django/$2 [PT,E=LANG:$1,L]
RewriteRule ^/(.*)$ /django/$1 [PT,L]
`
	reqs := []request{
		get("/"), get("/blog/"), get("/blog"), get("/blog?page=2"), get("/blog/post.html"),
		get("/fr/accueil/"), get("/en/"), get("/de/x/"), get("/static/site.css"), get("/static/missing.css"),
		get("/favicon.ico"), get("/media/"), do("POST", "/form/", body("a=1")), do("HEAD", "/blog/"),
		get("/aliased/"), get("/aliased/page"), get("/aliased/real.txt"), get("/aliased/deep/er?q=1"),
		get("/aliased/go"),
	}
	return site{
		name: "rewrite-front-controller", host: addr, conf: conf, fixed: true, fixedAddrs: []string{addr}, reqs: reqs,
		files: map[string]string{
			"htdocs/static/site.css": "body{}\n",
			"htdocs/favicon.ico":     "ico\n",
			"htdocs/media/":          "",
			"wsgi/env.wsgi":          wsgiEnvApp,
			"aliased/.htaccess": "RewriteEngine On\nRewriteRule ^go$ real.txt [R,L]\n" +
				"RewriteCond %{REQUEST_FILENAME} !-f\nRewriteRule ^(.*)$ index.html?path=$1 [L,QSA]\n",
			"aliased/index.html": "<p>aliased front</p>\n",
			"aliased/real.txt":   "real\n",
		},
	}
}

// rewriteOptionsSite covers RewriteOptions (InheritDown,
// InheritDownBefore, IgnoreInherit, MergeBase, AllowNoSlash,
// IgnoreContextInfo, AllowAnyURI), maps and engines per virtual host,
// rules in <If>, file system substitutions (prefix_stat: only a path
// whose first segment exists and that the substitution names literally
// is taken as a file, else it is under the DocumentRoot), literal double
// slashes, [E=!VAR] and the server variables a Location can show.
func rewriteOptionsSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
Listen 127.0.0.1:${P3}
ServerName opts.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR/htdocs>
  Require all granted
  AllowOverride All
</Directory>
<Directory $DIR/tmpdir>
  Require all granted
</Directory>
RewriteMap lc int:tolower
RewriteEngine On
RewriteOptions InheritDown
RewriteRule ^/down$ /from-main.txt [L]
RewriteRule ^/fs/(.*)$ /$1 [L]
RewriteRule ^/tmpfile$ $DIR/tmpdir/t.txt [L]
RewriteRule ^/tmpvar$ %{DOCUMENT_ROOT}/../tmpdir/t.txt [L]
RewriteRule ^/dbl(.*)$ //x$1 [L]
RewriteRule ^/vars$ http://v.test/%{REQUEST_SCHEME}/%{SERVER_NAME}/%{SERVER_PORT}/%{HTTPS}/%{REQUEST_METHOD}/%{IS_SUBREQ}/%{SERVER_PROTOCOL}? [R,L]
RewriteRule ^/setenv$ - [E=A:1,E=B:2]
RewriteRule ^/setenv$ - [E=!A]
RewriteCond %{ENV:A} ^$
RewriteCond %{ENV:B} =2
RewriteRule ^/setenv$ /from-main.txt [L]
<If "%{QUERY_STRING} == 'if'">
  RewriteEngine On
  RewriteRule ^ifdir/(.*)$ /from-main.txt [L]
</If>
<VirtualHost *:${P2}>
  ServerName down.test
  RewriteEngine On
  RewriteRule ^/own$ /from-vhost.txt [L]
  RewriteRule ^/map/(.*)$ http://x.test/${lc:$1|nomap} [R,L]
</VirtualHost>
<VirtualHost *:${P3}>
  ServerName ignore.test
  RewriteEngine On
  RewriteOptions IgnoreInherit
  RewriteRule ^/own$ /from-vhost.txt [L]
</VirtualHost>
`
	p1, p2, p3 := port(0), port(1), port(2)
	reqs := []request{
		get("/down", p1), get("/down", p2, host("down.test")), get("/own", p2, host("down.test")),
		get("/map/ABC", p2, host("down.test")), get("/down", p3, host("ignore.test")), get("/own", p3, host("ignore.test")),
		get("/fs/etc/hostname", p1), get("/fs/index.html", p1), get("/tmpfile", p1), get("/tmpvar", p1),
		get("/dbl/y", p1), get("/vars", p1), get("/vars", p1, http10()), get("/vars", p1, host("opts.test:8123")),
		get("/setenv", p1), get("/ifdir/a?if", p1), get("/ifdir/a?no", p1),
		get("/merge/sub/page", p1), get("/merge/sub/go", p1), get("/nomerge/sub/page", p1),
		get("/downdir/sub/x", p1), get("/downdir/sub/y", p1), get("/ignoredir/sub/x", p1),
		get("/noslash", p1), get("/noslash/", p1), get("/ctx/page", p1),
	}
	return site{
		name: "rewrite-options", host: "opts.test", ports: 3, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html":      "<p>home</p>\n",
			"htdocs/from-main.txt":   "main\n",
			"htdocs/from-vhost.txt":  "vhost\n",
			"htdocs/x/y":             "double slash target\n",
			"htdocs/etc/hostname":    "docroot hostname\n",
			"tmpdir/t.txt":           "tmp t\n",
			"htdocs/merge/.htaccess": "RewriteEngine On\nRewriteBase /base/\nRewriteOptions MergeBase\n",
			"htdocs/merge/sub/.htaccess": "RewriteEngine On\nRewriteRule ^page$ target.txt [L]\n" +
				"RewriteRule ^go$ target.txt [R,L]\n",
			"htdocs/nomerge/.htaccess":       "RewriteEngine On\nRewriteBase /base/\n",
			"htdocs/nomerge/sub/.htaccess":   "RewriteEngine On\nRewriteRule ^page$ target.txt [L]\n",
			"htdocs/base/target.txt":         "base target\n",
			"htdocs/merge/sub/target.txt":    "merge sub target\n",
			"htdocs/nomerge/sub/target.txt":  "nomerge sub target\n",
			"htdocs/downdir/.htaccess":       "RewriteEngine On\nRewriteOptions InheritDownBefore\nRewriteRule ^sub/x$ /from-main.txt [L]\n",
			"htdocs/downdir/sub/.htaccess":   "RewriteEngine On\nRewriteRule ^y$ /from-vhost.txt [L]\nRewriteRule ^x$ /index.html [L]\n",
			"htdocs/ignoredir/.htaccess":     "RewriteEngine On\nRewriteOptions InheritDown\nRewriteRule ^x$ /from-main.txt [L]\n",
			"htdocs/ignoredir/sub/.htaccess": "RewriteEngine On\nRewriteOptions IgnoreInherit\nRewriteRule ^y$ /from-vhost.txt [L]\n",
			"htdocs/ignoredir/sub/x":         "ignored sub x\n",
			"htdocs/noslash/.htaccess":       "RewriteEngine On\nRewriteOptions AllowNoSlash\nRewriteRule ^$ /from-vhost.txt [L]\n",
			"htdocs/noslash/index.html":      "<p>noslash index</p>\n",
		},
	}
}

// rewriteCommonSite is the two rule sets most found in the wild: the
// redirect certbot writes into a port-80 virtual host ([END,NE,
// R=permanent] on SERVER_NAME), and WordPress's .htaccess front
// controller in the DocumentRoot (RewriteBase /, the index.php guard,
// -f and -d conditions).
func rewriteCommonSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName common.test
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR/wp>
  Require all granted
  AllowOverride All
  Options FollowSymLinks
</Directory>
<VirtualHost *:${P1}>
  ServerName blog.example
  ServerAlias www.blog.example
  DocumentRoot $DIR/wp
  RewriteEngine on
  RewriteCond %{SERVER_NAME} =blog.example [OR]
  RewriteCond %{SERVER_NAME} =www.blog.example
  RewriteRule ^ https://%{SERVER_NAME}%{REQUEST_URI} [END,NE,R=permanent]
</VirtualHost>
<VirtualHost *:${P2}>
  ServerName blog.example
  DocumentRoot $DIR/wp
</VirtualHost>
`
	p1, p2 := port(0), port(1)
	reqs := []request{
		get("/", p1, host("blog.example")), get("/2024/05/hello-world/?replytocom=3", p1, host("www.blog.example")),
		get("/a%20b", p1, host("blog.example")), get("/x", p1, host("other.example")),
		get("/", p2, host("blog.example")), get("/index.php", p2, host("blog.example")),
		get("/2024/05/hello-world/", p2, host("blog.example")), get("/feed?x=1", p2, host("blog.example")),
		get("/wp-content/style.css", p2, host("blog.example")), get("/wp-content/", p2, host("blog.example")),
		get("/wp-content/missing.css", p2, host("blog.example")), get("/wp-admin", p2, host("blog.example")),
		do("POST", "/wp-login.php", p2, host("blog.example"), body("log=a")),
		do("HEAD", "/some/page", p2, host("blog.example")),
	}
	return site{
		name: "rewrite-common", host: "blog.example", ports: 2, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"wp/.htaccess": "# BEGIN WordPress\n<IfModule mod_rewrite.c>\nRewriteEngine On\nRewriteBase /\n" +
				"RewriteRule ^index\\.php$ - [L]\nRewriteCond %{REQUEST_FILENAME} !-f\n" +
				"RewriteCond %{REQUEST_FILENAME} !-d\nRewriteRule . /index.php [L]\n</IfModule>\n# END WordPress\n",
			"wp/index.php":            "<?php /* front controller, served as text here */ ?>\n",
			"wp/wp-login.php":         "<?php /* login */ ?>\n",
			"wp/wp-content/style.css": "body{}\n",
			"wp/wp-admin/index.php":   "<?php /* admin */ ?>\n",
		},
	}
}

// rewriteScopesSite covers where rules live and how they merge: the main
// server's rules and a virtual host's (not inherited unless
// RewriteOptions Inherit or InheritBefore), RewriteEngine Off in a
// <Location>, rules in <Location>, [END] against [L] in a loop, the
// internal redirect limit, [CO=] cookies, [F], [G] and [R=4xx], and a
// lookahead in a <Directory>.
func rewriteScopesSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
Listen 127.0.0.1:${P3}
ServerName scopes.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR/htdocs>
  Require all granted
  AllowOverride All
</Directory>
RewriteEngine On
RewriteRule ^/main$ /from-main.txt [L]
RewriteRule ^/both$ /from-main.txt [L]
RewriteRule ^/forbidden - [F]
RewriteRule ^/gone - [G]
RewriteRule ^/teapot - [R=404]
RewriteRule ^/unavailable - [R=503]
RewriteRule ^/cookie$ /index.html [CO=sess:abc:scopes.test,CO=other:1:.scopes.test:0:/p:secure:HttpOnly]
RewriteRule ^/cookieredir$ http://elsewhere.test/ [R,CO=r:1:scopes.test]
<Directory $DIR/htdocs/look>
  RewriteEngine On
  RewriteRule "^x(?=y)" /index.html
</Directory>
<Location /quiet>
  RewriteEngine Off
</Location>
RewriteRule ^/quiet/x$ /from-main.txt [L]
<Location /loc>
  RewriteEngine On
  RewriteRule ^x\.txt$ /from-main.txt [L]
  RewriteRule loc/y$ /index.html [L]
</Location>
<VirtualHost *:${P2}>
  ServerName inherit.test
  RewriteEngine On
  RewriteOptions Inherit
  RewriteRule ^/both$ /from-vhost.txt [L]
  RewriteRule ^/vhost$ /from-vhost.txt [L]
</VirtualHost>
<VirtualHost *:${P3}>
  ServerName before.test
  RewriteEngine On
  RewriteOptions InheritBefore
  RewriteRule ^/both$ /from-vhost.txt [L]
</VirtualHost>
`
	p1, p2, p3 := port(0), port(1), port(2)
	reqs := []request{
		get("/main", p1), get("/both", p1), get("/vhost", p1), get("/forbidden", p1), get("/gone", p1),
		get("/teapot", p1), get("/unavailable", p1),
		get("/cookie", p1, also("Set-Cookie")), get("/cookieredir", p1, also("Set-Cookie")),
		get("/quiet/x", p1), get("/loc/x.txt", p1), get("/loc/y", p1),
		get("/loop/a", p1), get("/end/a", p1), get("/chain/a", p1),
		get("/main", p2, host("inherit.test")), get("/both", p2, host("inherit.test")),
		get("/vhost", p2, host("inherit.test")), get("/forbidden", p2, host("inherit.test")),
		get("/main", p3, host("before.test")), get("/both", p3, host("before.test")),
		get("/look/xy", p1), get("/look/xz", p1),
	}
	return site{
		name: "rewrite-scopes", host: "scopes.test", ports: 3, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"htdocs/index.html":      "<p>home</p>\n",
			"htdocs/look/xy":         "xy\n",
			"htdocs/look/xz":         "xz\n",
			"htdocs/from-main.txt":   "main\n",
			"htdocs/from-vhost.txt":  "vhost\n",
			"htdocs/loc/x.txt":       "loc x\n",
			"htdocs/loop/.htaccess":  "RewriteEngine On\nRewriteRule ^(.*)$ a$1 [L]\n",
			"htdocs/end/.htaccess":   "RewriteEngine On\nRewriteRule ^(.*)$ e$1 [END]\n",
			"htdocs/end/ea":          "end ea\n",
			"htdocs/chain/.htaccess": "RewriteEngine On\nRewriteCond %{ENV:REDIRECT_STATUS} ^$\nRewriteRule ^(.*)$ b.txt [L]\n",
			"htdocs/chain/b.txt":     "chain b\n",
		},
	}
}

// rewritePCRESite covers patterns as PCRE2 reads them, where Go's RE2
// cannot or reads them otherwise: lookahead and lookbehind,
// backreferences (also under [NC] and in a RewriteCond), atomic groups
// and possessive quantifiers, recursion, (*FAIL), \Z, "." and [NC] on a
// byte of a UTF-8 character without (*UTF) and on the character with
// it, (*UCP), \s and a vertical tab. Each rule redirects, so that the
// Location shows the groups.
func rewritePCRESite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName pcre.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
RewriteEngine On
RewriteRule "^/la/(?!static/)(.*)$" /to/la/$1 [R,L]
RewriteRule "^/lb/(.*)(?<=\.php)$" /to/lb/$1 [R,L]
RewriteRule "^/lbn/(.*)(?<!\.php)$" /to/lbn/$1 [R,L]
RewriteRule "^/br/(\w+)/\1$" /to/br/$1 [R,L]
RewriteRule "^/ci/(\w+)/\1$" /to/ci/$1 [R,L,NC]
RewriteRule "^/named/(?<w>\w+)-\k<w>$" /to/named/$1 [R,L]
RewriteRule "^/at/((?>a+))b$" /to/at/$1 [R,L]
RewriteRule "^/po/(a++)a$" /to/po/$1 [R,L]
RewriteRule "^/rec/(\((?:[^()]|(?1))*\))$" /to/rec [R,L]
RewriteRule "^/fail/(*FAIL)|^/fail/ok$" /to/fail [R,L]
RewriteRule "^/z/x\Z" /to/z [R,L]
RewriteRule "^/dot/(.)$" /to/dot/$1 [R,L,B]
RewriteRule "(*UTF)^/udot/(.)$" /to/udot/$1 [R,L,B]
RewriteRule "^/nc/\xc3\xa9$" /to/nc [R,L,NC]
RewriteRule "(*UCP)^/ucp/(\w+)$" /to/ucp/$1 [R,L,B]
RewriteRule "^/ws/a\sb$" /to/ws [R,L]
RewriteRule "^/cond/" - [C]
RewriteCond %{QUERY_STRING} ^(\w+)=\1$
RewriteRule "^/cond/(.*)$" /to/cond/$1/%1? [R,L]
RewriteRule "^/cond2/(.*)$" /to/cond2/$1? [R,L]
`
	reqs := []request{
		get("/la/app/x"), get("/la/static/x"),
		get("/lb/a.php"), get("/lb/a.txt"), get("/lbn/a.php"), get("/lbn/a.txt"),
		get("/br/ab/ab"), get("/br/ab/ac"), get("/ci/Ab/aB"), get("/ci/Ab/aC"),
		get("/named/xy-xy"), get("/named/xy-yx"),
		get("/at/aaab"), get("/po/aaa"),
		get("/rec/(a(b)c)"), get("/rec/(a(b)c"),
		get("/fail/ok"), get("/fail/x"),
		get("/z/x"), get("/z/x%0A"), get("/z/x%0Ay"),
		get("/dot/%C3%A9"), get("/dot/e"), get("/udot/%C3%A9"), get("/udot/%FF"),
		get("/nc/%C3%A9"), get("/nc/%C3%89"),
		get("/ucp/%C3%A9t%C3%A9"), get("/ucp/abc"),
		get("/ws/a%0Bb"), get("/ws/a%20b"),
		get("/cond/x?ab=ab"), get("/cond/x?ab=ba"),
	}
	return site{
		name: "rewrite-pcre", host: "pcre.test", ports: 1, reqs: reqs,
		conf:  head(rewriteMods...) + conf,
		files: map[string]string{"htdocs/index.html": "<p>home</p>\n"},
	}
}

// rewriteVhostEngineSite covers what virtual hosts take from the main
// server's mod_rewrite configuration when it says RewriteEngine On: the
// engine state, through the per-directory defaults that
// ap_fixup_virtual_hosts merges into each virtual host (so .htaccess
// files and the main server's <Directory> rules run there without a
// RewriteEngine of their own), and, in a virtual host without any
// mod_rewrite directive, the main server's whole server configuration:
// its RewriteMaps, but not its rules, nor SCRIPT_URL and SCRIPT_URI
// (hook_uri2file declines when the configuration is not the server's
// own). A directive nested in a <Directory> of the virtual host is
// enough to give it a configuration of its own.
func rewriteVhostEngineSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/main
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR>
  Require all granted
  AllowOverride All
</Directory>
RewriteEngine On
RewriteMap m txt:$DIR/map.txt
RewriteRule ^/mainrule$ /o.txt [L]
<Directory $DIR/other/redir>
  RewriteRule ^go$ /o.txt [R]
</Directory>
<Directory $DIR/other/p>
  RewriteEngine On
  RewriteRule ^(.*)$ /o.txt?v=${m:k1|DEF} [R]
</Directory>
<Directory $DIR/other/show>
  RewriteRule ^x$ http://show.test/?url=%{ENV:SCRIPT_URL}&uri=%{ENV:SCRIPT_URI} [R]
</Directory>
<VirtualHost *:${P1}>
  ServerName plain.test
  DocumentRoot $DIR/other
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName rules.test
  DocumentRoot $DIR/other
  RewriteRule ^/x$ /o.txt
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName nested.test
  DocumentRoot $DIR/other
  <Directory $DIR/other/nest>
    RewriteEngine On
  </Directory>
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName off.test
  DocumentRoot $DIR/other
  RewriteEngine Off
</VirtualHost>
`
	var reqs []request
	for _, h := range []string{"plain.test", "rules.test", "nested.test", "off.test"} {
		reqs = append(reqs, get("/priv/secret.txt", host(h)), get("/priv/open.txt", host(h)),
			get("/redir/go", host(h)), get("/p/any", host(h)), get("/show/x", host(h)),
			get("/x", host(h)), get("/mainrule", host(h)), get("/o.txt", host(h)))
	}
	return site{
		name: "rewrite-vhost-engine", host: "plain.test", ports: 1, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"map.txt":               "k1 v1\n",
			"main/o.txt":            "main o\n",
			"other/o.txt":           "other o\n",
			"other/priv/.htaccess":  "RewriteRule ^secret\\.txt$ - [F]\n",
			"other/priv/secret.txt": "secret\n",
			"other/priv/open.txt":   "open\n",
			"other/redir/":          "",
			"other/p/":              "",
			"other/show/":           "",
			"other/nest/":           "",
		},
	}
}

// rewriteVhostInheritDownSite is a main server whose engine is on only
// in a <Location>, with RewriteOptions InheritDown and a rule of its
// own: a virtual host with mod_rewrite directives inherits the rule; one
// without any shares the main server's configuration, and Apache's
// translate hook then does nothing (no rule, no SCRIPT_URI).
func rewriteVhostInheritDownSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName main.test
DocumentRoot $DIR/main
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR>
  Require all granted
</Directory>
RewriteOptions InheritDown
RewriteRule ^/o\.txt$ /p/pf.txt
<Location />
  RewriteEngine On
  RewriteRule show/x$ http://show.test/?url=%{ENV:SCRIPT_URL}&uri=%{ENV:SCRIPT_URI} [R]
</Location>
<VirtualHost *:${P1}>
  ServerName plain.test
  DocumentRoot $DIR/other
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName own.test
  DocumentRoot $DIR/other
  RewriteRule ^/own$ /o.txt
</VirtualHost>
`
	p1, p2 := port(0), port(1)
	reqs := []request{
		get("/o.txt", p1), get("/show/x", p1), get("/p/pf.txt", p1),
		get("/o.txt", p1, host("own.test")), get("/own", p1, host("own.test")), get("/show/x", p1, host("own.test")),
		get("/o.txt", p2, host("main.test")), get("/show/x", p2, host("main.test")),
	}
	return site{
		name: "rewrite-vhost-inheritdown", host: "plain.test", ports: 2, reqs: reqs,
		conf: head(rewriteMods...) + conf,
		files: map[string]string{
			"main/o.txt":     "main o\n",
			"main/p/pf.txt":  "main pf\n",
			"other/o.txt":    "other o\n",
			"other/p/pf.txt": "other pf\n",
			"other/show/":    "",
		},
	}
}

// rewriteUnsafeSite covers values built from the request that Apache
// refuses late: a [T=] content type or a [CO=] cookie with control
// characters (the response headers check, AH02430: 500, on a file, a
// missing file and a redirect), and a substitution longer than twice the
// LimitRequestLine of the request's server (500).
func rewriteUnsafeSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName unsafe.test
DocumentRoot $DIR/htdocs
LimitRequestLine 100
<Directory />
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
RewriteEngine On
RewriteRule ^/ty/(.*)$ /hello.txt [T=$1]
RewriteRule ^/co/(.*)$ /hello.txt [CO=c:$1:unsafe.test]
RewriteRule ^/co404/(.*)$ /missing.txt [CO=c:$1:unsafe.test]
RewriteRule ^/cor/(.*)$ http://unsafe.test/hello.txt [R,CO=c:$1:unsafe.test]
RewriteRule ^/long/(.*)$ /d/$1/$1/$1/$1/$1/$1/$1/$1/$1/$1
<VirtualHost *:${P2}>
  ServerName wide.test
  LimitRequestLine 300
  RewriteEngine On
  RewriteRule ^/long/(.*)$ /d/$1/$1/$1/$1/$1/$1/$1/$1/$1/$1
</VirtualHost>
`
	reqs := []request{
		get("/ty/text/plain"), get("/ty/text%01x"),
		get("/ty/text%0d%0aX-Inj:%201"), get("/ty/text%09x"),
		get("/ty/text%0d%0a%09x"), do("HEAD", "/ty/text%01x"),
		get("/co/ok", also("Set-Cookie")), get("/co/a%0d%0aX-Inj:%201", also("Set-Cookie")),
		get("/co/a%01b", also("Set-Cookie")), get("/co/a%0d%0a%20%20b", also("Set-Cookie")),
		get("/co404/a%01b", also("Set-Cookie")), get("/co404/ok", also("Set-Cookie")),
		get("/cor/a%0d%0aX-Inj:%201", also("Set-Cookie")),
		get("/cor/a%7fb", also("Set-Cookie")), get("/cor/a%0d%0a%20b", also("Set-Cookie")),
		get("/cor/ok", also("Set-Cookie")),
		get("/long/abc"), get("/long/abcdefghijklmnopqrstuvwxyz0123"),
		get("/long/abcdefghijklmnopqrstuvwxyz0123", port(1), host("wide.test")),
	}
	return site{
		name: "rewrite-unsafe", host: "unsafe.test", ports: 2, reqs: reqs, errorLog: true,
		conf:  head(rewriteMods...) + conf,
		files: map[string]string{"htdocs/hello.txt": "hello\n"},
	}
}
