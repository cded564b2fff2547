package compat

import "testing"

// coreDirectivesSite covers core, mod_alias, mod_mime, mod_dir and
// mod_authz_core directives real configurations carry: MergeSlashes (On
// on the first port, Off in the second port's virtual host: <Location>
// matches the merged URI, <LocationMatch>, Alias and WSGI applications
// see the slashes), RedirectRelative (server, <Location> expression and
// <Directory> redirects), the one-argument Alias of a <Location> with
// and without AliasPreservePath, DefaultLanguage, DirectoryCheckHandler,
// AuthzSendForbiddenOnFailure, QualifyRedirectURL (REDIRECT_URL in an
// ErrorDocument's WSGI environ) and EnableSendfile Off.
func coreDirectivesSite() site {
	mods := append(append([]string(nil), authMods...), "wsgi")
	conf := head(mods...) + `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName core.test
LogLevel info wsgi:warn
DefaultType text/plain
MaxMemFree 2048
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/aliasdir>
  Options Indexes
  Require all granted
</Directory>
<Directory $DIR/wsgi>
  Require all granted
</Directory>
WSGIScriptAlias /app $DIR/wsgi/env.wsgi
WSGIScriptAlias /errapp $DIR/wsgi/env.wsgi
Alias /al $DIR/aliasdir
<Location /loc/sub>
  ErrorDocument 404 "location-prefix
</Location>
<LocationMatch "^/lm//x">
  ErrorDocument 404 "locationmatch-double
</LocationMatch>

Redirect /rd-abs /target/abs
Redirect /rd-url http://example.com/url
<Location /rr>
  RedirectRelative On
</Location>
Redirect /rr/srv /target/srv
Redirect /rr/url http://example.com/rr
<Location /rrexpr>
  RedirectRelative On
  Redirect "/target/expr"
</Location>
<Directory $DIR/htdocs/rrdir>
  RedirectRelative On
  Redirect /rrdir/x /target/dir
</Directory>

<Location /lal>
  Alias $DIR/aliasdir/one.txt
</Location>
<Location /pal>
  AliasPreservePath On
  Alias $DIR/aliasdir
</Location>
<Location /pal/off>
  AliasPreservePath Off
</Location>

<Directory $DIR/htdocs/lang>
  DefaultLanguage de
  AddLanguage fr .fr
</Directory>

<Directory $DIR/htdocs/ch-off>
  SetHandler default-handler
</Directory>
<Directory $DIR/htdocs/ch-on>
  SetHandler default-handler
  DirectoryCheckHandler On
</Directory>

<Directory $DIR/htdocs/authf>
  AuthType Basic
  AuthName "Forbidden on failure"
  AuthUserFile $DIR/htpasswd
  Require user other
  AuthzSendForbiddenOnFailure On
</Directory>
<Directory $DIR/htdocs/auth401>
  AuthType Basic
  AuthName "Unauthorized"
  AuthUserFile $DIR/htpasswd
  Require user other
</Directory>

<Location /q>
  ErrorDocument 404 /errapp/q
</Location>
<Location /errapp/q>
  QualifyRedirectURL On
</Location>
<Location /nq>
  ErrorDocument 404 /errapp/nq
</Location>

<Directory $DIR/htdocs/nosendfile>
  EnableSendfile Off
</Directory>

<VirtualHost *:${P2}>
  ServerName off.core.test
  MergeSlashes Off
</VirtualHost>
`
	var reqs []request
	for p := 0; p < 2; p++ {
		reqs = append(reqs,
			get("/loc//sub/nope", port(p)), get("/loc/sub//nope", port(p)),
			get("/lm//x/nope", port(p)), get("/lm/x/nope", port(p)),
			get("/app//a//b?x=1", port(p)), get("/app/a//b", port(p)), get("//app/c", port(p)),
			get("/sub//file.txt", port(p)), get("//sub/file.txt", port(p)),
			get("/al//one.txt", port(p)), get("/al/sub//two.txt", port(p)),
			get("/pal//one.txt", port(p)), get("/rd-abs//x", port(p)),
		)
	}
	reqs = append(reqs,
		get("/rd-abs"), get("/rd-abs/x?q=1"), get("/rd-url/y"),
		get("/rr/srv"), get("/rr/srv/z?q=2"), get("/rr/url"),
		get("/rrexpr"), get("/rrexpr/deeper"), get("/rrdir/x"), get("/rrdir/x/y?q=3"),
		get("/lal"), get("/lal/anything"), get("/lal/x/y"),
		get("/pal"), get("/pal/"), get("/pal/one.txt"), get("/pal/sub/two.txt"), get("/pal/nope"),
		get("/pal/off"), get("/pal/off/x"), get("/palx"),
		get("/lang/a.html"), get("/lang/b.html.fr"), get("/lang/"), get("/other.html"),
		get("/ch-off"), get("/ch-off/"), get("/ch-on"), get("/ch-on/"), get("/ch-on/index.html"),
		get("/authf/x.txt"), get("/authf/x.txt", auth("usha", "pw-sha")), get("/authf/x.txt", auth("usha", "wrong")),
		get("/auth401/x.txt", auth("usha", "pw-sha")),
		get("/q/nope?y=1"), get("/q/nope"), get("/nq/nope?y=1"),
		get("/nosendfile/big.txt"), get("/nosendfile/big.txt", hdr("Range: bytes=10-19")),
		get("/nosendfile/big.txt", hdr("Range: bytes=0-1,5-6")),
	)
	big := make([]byte, 0, 100000)
	for len(big) < 100000 {
		big = append(big, "0123456789abcdefghijklmnopqrstuvwxyz\n"...)
	}
	return site{
		name: "coredirs", host: "core.test", ports: 2, reqs: reqs, errorLog: true,
		headers: []string{"Content-Language"},
		conf:    conf,
		files: map[string]string{
			"htdocs/file.txt":           "file\n",
			"htdocs/sub/file.txt":       "sub file\n",
			"htdocs/other.html":         "<p>other</p>\n",
			"htdocs/rrdir/index.html":   "rrdir\n",
			"htdocs/lang/a.html":        "<p>a</p>\n",
			"htdocs/lang/b.html.fr":     "<p>b</p>\n",
			"htdocs/lang/index.html":    "<p>lang index</p>\n",
			"htdocs/ch-off/index.html":  "<p>ch-off index</p>\n",
			"htdocs/ch-on/index.html":   "<p>ch-on index</p>\n",
			"htdocs/authf/x.txt":        "x\n",
			"htdocs/auth401/x.txt":      "x\n",
			"htdocs/nosendfile/big.txt": string(big),
			"aliasdir/one.txt":          "one\n",
			"aliasdir/sub/two.txt":      "two\n",
			"wsgi/env.wsgi": `def application(environ, start_response):
    keys = ("SCRIPT_NAME", "PATH_INFO", "REQUEST_URI", "QUERY_STRING", "REDIRECT_URL",
            "REDIRECT_QUERY_STRING", "REDIRECT_STATUS")
    body = "".join("%s=%s\n" % (k, environ.get(k, "-")) for k in keys).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
`,
		},
		setup: func(t *testing.T, dir string) {
			htpasswd(t, dir, "s", "htpasswd", "usha", "pw-sha")
		},
	}
}
