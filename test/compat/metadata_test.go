package compat

import "fmt"

// metadataMods are the modules of the metadata sites.
var metadataMods = append(append([]string(nil), stdMods...), "headers", "setenvif", "env", "expires", "wsgi")

// metadataApp is a WSGI application whose responses carry headers of
// their own for Header to work on.
const metadataApp = `def application(environ, start_response):
    p = environ.get('PATH_INFO', '')
    ct = [('Content-Type', 'text/plain')]
    body = [('path %s\n' % p).encode()]
    if p == '/hdrs':
        start_response('200 OK', ct + [('X-App', 'one'), ('X-Multi', 'a'), ('X-Multi', 'b'),
                                       ('Cache-Control', 'private')])
        return body
    if p == '/404':
        start_response('404 Not Found', ct + [('X-App', 'one')])
        return body
    if p == '/exc':
        raise RuntimeError('failed on purpose')
    if p == '/html':
        start_response('200 OK', [('Content-Type', 'text/html')])
        return body
    if p == '/noct':
        start_response('200 OK', [])
        return body
    if p == '/expires':
        start_response('200 OK', ct + [('Expires', 'Thu, 01 Jan 2037 00:00:00 GMT')])
        return body
    if p == '/cc':
        start_response('200 OK', ct + [('Cache-Control', 'no-cache')])
        return body
    if p == '/redirect':
        start_response('302 Found', ct + [('Location', 'http://elsewhere.test/')])
        return body
    if p == '/auth':
        start_response('401 Unauthorized', ct + [('WWW-Authenticate', 'Basic realm="x"'), ('X-Other', 'o')])
        return body
    start_response('200 OK', ct)
    return body
`

// A date between the files' modification time and now: If-Modified-Since
// with it gives 304.
const afterFiles = "If-Modified-Since: Wed, 01 May 2024 00:00:00 GMT"

// headersSite covers mod_headers: every action of Header and
// RequestHeader, "always" against "onsuccess" on handler responses (static
// files, a WSGI application, 304, 206) and on Apache's own errors and
// redirects (404, 403, 405, 416, 302, an ErrorDocument), env= and expr=
// conditions, early, the format specifiers, Content-Type, the headers
// Apache keeps for itself, .htaccess, and a value Apache refuses to send.
func headersSite() site {
	conf := head(metadataMods...) + `Listen 127.0.0.1:${P1}
ServerName headers.test
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all granted
</Directory>
WSGIScriptAlias /app $DIR/app.wsgi
Redirect /redir /set/f.html
Redirect gone /gone
Redirect /ctframe/old /set/f.html
<Location /ctframe>
  # h5bp's recipe: the type is the response's, an error page's too.
  Header always set X-Frame-Options DENY "expr=%{CONTENT_TYPE} =~ m#text/html#i"
</Location>
ErrorDocument 410 /errdoc/410.html
Header always set X-Always always
Header set X-Onsuccess onsuccess
Header set X-Early early early
Header always set X-Early-Always early-always early
RequestHeader set X-Req-Early req-early early
RequestHeader append X-Req-Late late
SetEnvIf X-Req-Early (.+) SAW_EARLY=$1
SetEnvIf X-Req-Late (.+) SAW_LATE=$1
SetEnvIf X-Flag ^on$ FLAG
Header set X-Saw "%{SAW_EARLY}e|%{SAW_LATE}e"
<Directory $DIR/htdocs/set>
  Header set X-Set one
  Header set X-Set two
  Header set x-lower lower
</Directory>
<Directory $DIR/htdocs/add>
  Header add X-Add a
  Header add X-Add b
</Directory>
<Directory $DIR/htdocs/append>
  Header append X-Append a
  Header append X-Append b
  Header append X-Onsuccess more
</Directory>
<Directory $DIR/htdocs/merge>
  Header merge X-Merge a
  Header merge X-Merge a
  Header merge X-Merge "b c"
  Header merge X-Merge b
  Header set X-Merge2 "\"a, b\", c"
  Header merge X-Merge2 a
  Header merge X-Merge2 c
</Directory>
<Directory $DIR/htdocs/unset>
  Header unset X-Onsuccess
  Header unset Last-Modified
  Header unset ETag
  Header unset Accept-Ranges
  Header always unset X-Always
  Header unset X-Early
</Directory>
<Directory $DIR/htdocs/always-unset>
  Header always unset ETag
  Header always unset X-Early-Always
  Header always unset X-Onsuccess
</Directory>
<Directory $DIR/htdocs/setifempty>
  Header setifempty X-Onsuccess never
  Header setifempty X-Sie set
  Header setifempty Accept-Ranges never
</Directory>
<Directory $DIR/htdocs/echo>
  Header echo ^X-Echo
  Header always echo ^X-Also
</Directory>
<Directory $DIR/htdocs/edit>
  Header set X-Edit "alpha beta alpha"
  Header edit X-Edit alpha omega
  Header set X-EditAll "alpha beta alpha"
  Header edit* X-EditAll alpha omega
  Header set X-EditAnchor aaa
  Header edit* X-EditAnchor ^a b
  Header set X-EditRef "key=value"
  Header edit X-EditRef "^(\w+)=(\w+)$" "$2=$1 %{FLAG}e"
  Header edit X-Onsuccess "(on)(success)" "$2-$1"
  Header add X-Multi m1
  Header add X-Multi m2
  Header edit X-Multi m(\d) n$1
</Directory>
<Directory $DIR/htdocs/cond>
  Header set X-Env yes env=FLAG
  Header set X-NotEnv yes env=!FLAG
  Header set X-Expr yes "expr=%{HTTP:X-Flag} == 'on'"
  Header set X-ExprQ yes "expr=%{QUERY_STRING} =~ /q=1/"
  Header unset X-Onsuccess env=FLAG
</Directory>
<Directory $DIR/htdocs/format>
  Header set X-Time "%t"
  Header set X-Dur "%D"
  Header set X-Fmt "v=%{FLAG}e host=%{HTTP_HOST}e ssl=%{HTTPS}s pct=%% tab=\t end"
  Header set X-Value "expr=%{REQUEST_METHOD} %{REQUEST_URI} %{HTTP:X-Flag}"
  Header set X-Resp "expr=%{resp:X-Value}|%{resp:X-Always}|%{resp:Content-Type}"
</Directory>
<Directory $DIR/htdocs/ctype>
  <Files set.html>
    Header set Content-Type text/plain
  </Files>
  <Files unset.html>
    Header unset Content-Type
  </Files>
  <Files edit.html>
    Header edit Content-Type ^text/ application/x-
  </Files>
  <Files add.unknown>
    Header add Content-Type x/added
  </Files>
  <Files always.html>
    Header always set Content-Type text/css
  </Files>
</Directory>
<Directory $DIR/htdocs/own>
  Header set Date bogus
  Header set Server bogus
  Header set Content-Length 1
</Directory>
<Directory $DIR/htdocs/invalid>
  Header set X-Bad "a\nb"
</Directory>
<Directory $DIR/htdocs/denied>
  Require all denied
  Header set X-Denied-Onsuccess 1
  Header always set X-Denied-Always 1
</Directory>
<Directory $DIR/htdocs/errdoc>
  Header set X-Errdoc onsuccess
  Header always set X-Errdoc-Always always
</Directory>
<Directory $DIR/htdocs/idx>
  Header set X-Index dir
</Directory>
<Directory $DIR/htdocs/ht>
  AllowOverride FileInfo
</Directory>
<Location /app>
  Header append X-App appended
  Header unset X-Multi
  Header edit Cache-Control private public
  Header set X-Host "%{HTTP_HOST}e|%{SCRIPT_NAME}e"
</Location>
<Location /app/cl>
  Header set Content-Length 3
</Location>
# mod_wsgi puts an application's WWW-Authenticate in err_headers_out.
WSGIScriptAlias /auth1 $DIR/app.wsgi
WSGIScriptAlias /auth2 $DIR/app.wsgi
<Location /auth1>
  Header unset WWW-Authenticate
  Header unset X-Other
</Location>
<Location /auth2>
  Header always unset WWW-Authenticate
  Header always set X-Seen "expr=%{resp:WWW-Authenticate}"
</Location>
`
	reqs := []request{
		get("/set/f.html"), get("/add/f.html"), get("/append/f.html"), get("/merge/f.html"),
		get("/ctframe/x.json", also("X-Frame-Options")), get("/ctframe/missing.json", also("X-Frame-Options")),
		get("/ctframe/old", also("X-Frame-Options")), do("PUT", "/ctframe/x.json", body("{}"), also("X-Frame-Options")),
		get("/unset/f.html"), get("/always-unset/f.html"), get("/setifempty/f.html"),
		get("/echo/f.html", hdr("X-Echo-One: 1", "X-Echo-Two: 2", "X-Also: a", "X-Other: no")),
		get("/echo/f.html", hdr("x-echo-b: 1", "X-Echo-A: 2", "x-ALSO: a", "X-ECHO-b: 3"), also("X-Echo-A", "X-Echo-B", "X-Also")),
		get("/edit/f.html"), get("/edit/f.html", hdr("X-Flag: on")),
		get("/cond/f.html"), get("/cond/f.html", hdr("X-Flag: on")), get("/cond/f.html?q=1", hdr("X-Flag: off")),
		get("/format/f.html", hdr("X-Flag: on")), do("HEAD", "/format/f.html"),
		get("/ctype/set.html"), get("/ctype/unset.html"), get("/ctype/edit.html"), get("/ctype/add.unknown"),
		get("/ctype/always.html"),
		get("/own/f.html"),
		get("/invalid/f.html"),
		get("/denied/f.html"), get("/nothing"), get("/redir"), get("/gone"),
		get("/set/f.html", hdr(afterFiles)), get("/set/f.html", hdr("Range: bytes=0-1")),
		get("/set/f.html", hdr("Range: bytes=50-60")),
		get("/idx/"), get("/idx"), get("/ht/f.html"),
		do("OPTIONS", "/set/f.html"), do("POST", "/set/f.html", body("x=1")), do("DELETE", "/set/f.html"),
		get("/set/f.html", http10()),
		get("/app/hdrs"), get("/app/404"), get("/app/exc"), get("/app/html"), get("/app/noct"),
		get("/app/redirect"), get("/app/hdrs", hdr("X-Req-Early: client", "X-Req-Late: client")),
		get("/auth1/auth"), get("/auth2/auth"),
		get("/app/cl", known("Apache sends Header's Content-Length, shorter than the body; gowsgid keeps the framing its own")),
		// A 304 keeps the Content-Type Header set, not the file's.
		get("/ctype/set.html", hdr(afterFiles)), get("/ctype/edit.html", hdr(afterFiles)),
		get("/ctype/add.unknown", hdr(afterFiles)), get("/ctype/unset.html", hdr(afterFiles)),
	}
	files := map[string]string{
		"app.wsgi":                 metadataApp,
		"htdocs/ctframe/x.json":    "{}\n",
		"htdocs/ctype/set.html":    "set\n",
		"htdocs/ctype/unset.html":  "unset\n",
		"htdocs/ctype/edit.html":   "edit\n",
		"htdocs/ctype/add.unknown": "add\n",
		"htdocs/ctype/always.html": "always\n",
		"htdocs/errdoc/410.html":   "<p>custom gone</p>\n",
		"htdocs/idx/index.html":    "<p>index</p>\n",
		"htdocs/ht/.htaccess":      "Header set X-Htaccess yes\nHeader always set X-Ht-Always yes\n",
	}
	for _, d := range []string{"set", "add", "append", "merge", "unset", "always-unset", "setifempty", "echo",
		"edit", "cond", "format", "own", "invalid", "denied", "ht"} {
		files["htdocs/"+d+"/f.html"] = "<p>" + d + "</p>\n"
	}
	return site{
		name: "headers", host: "headers.test", conf: conf, ports: 1, files: files, reqs: reqs,
		headers: []string{"X-Always", "X-Onsuccess", "X-Early", "X-Early-Always", "X-Saw", "X-Set", "X-Lower",
			"X-Add", "X-Append", "X-Merge", "X-Merge2", "X-Sie", "X-Echo-One", "X-Echo-Two", "X-Also", "X-Other",
			"X-Edit", "X-EditAll", "X-EditAnchor", "X-EditRef", "X-Multi", "X-Env", "X-NotEnv", "X-Expr",
			"X-ExprQ", "X-Time", "X-Dur", "X-Fmt", "X-Value", "X-Resp", "X-Bad", "X-Denied-Onsuccess", "X-Denied-Always",
			"X-Errdoc", "X-Errdoc-Always", "X-Index", "X-Htaccess", "X-Ht-Always", "X-App", "X-Host",
			"Cache-Control", "Expires", "X-Seen"},
	}
}

// headerExprsSite covers what expressions and Header actions see of a
// request and its response: the Host and Transfer-Encoding fields of
// headers_in (in <If>, Require expr, Header expr=, SetEnvIf and
// SetEnvIfExpr), the Vary an <If> condition adds, REQUEST_STATUS as the
// response filters see it (the error's, the redirect's, a 304's; 200 for
// a file's range), a "close" that Header puts in Connection, a Redirect
// in <Location> answered before mod_env's fixup sets variables, and an
// error page's type without its charset under suppress-error-charset.
func headerExprsSite() site {
	conf := head(metadataMods...) + `Listen 127.0.0.1:${P1}
ServerName hexpr.test
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all granted
</Directory>
WSGIScriptAlias /app $DIR/app.wsgi
Redirect /redir /f.html
Redirect gone /gone
ErrorDocument 410 /errdoc.html
Header always set X-St "expr=%{REQUEST_STATUS}"
Header set X-Cache-Err no-store "expr=%{REQUEST_STATUS} >= 300"
Header always set X-Host "expr=%{HTTP_HOST}|%{HTTP:Host}|%{req_novary:Host}"
Header always set X-TE "expr=%{HTTP:Transfer-Encoding}"
SetEnvIf Transfer-Encoding (.+) TE=$1
SetEnvIf Host (.+) HOSTNAME=$1
SetEnvIfExpr "%{HTTP_HOST} == 'hexpr.test'" HOSTOK
Header always set X-Env "%{TE}e|%{HOSTNAME}e|%{HOSTOK}e"
<If "%{HTTP:X-Foo} == 'bar'">
  Header set X-Foo-Matched yes
</If>
<Location /admin>
  <If "%{HTTP_HOST} == 'hexpr.test'">
    Require ip 10.0.0.0/8
  </If>
</Location>
<Location /host-expr>
  Require expr "%{HTTP:Host} == 'hexpr.test'"
</Location>
<Location /lang>
  <If "%{HTTP:Accept-Language} =~ /de/">
    Header set X-De yes
  </If>
</Location>
<Directory $DIR/htdocs/conn>
  Header set Connection close
</Directory>
SetEnv SE srv
Header always set X-Env2 "SE=%{SE}e DSE=%{DSE}e"
Header always set X-Cond yes env=DSE
<Directory $DIR/htdocs/d>
  SetEnv DSE dir
</Directory>
<Location /d/red>
  Redirect /d/red /f.html
</Location>
BrowserMatch ^SEC suppress-error-charset
Header always set X-UE "%{UE}e|%{UE2}e|%{OTHER}e"
<Directory $DIR/htdocs/ue>
  SetEnv UE one
  SetEnv UE2 two
  <Files "f.html">
    UnsetEnv UE
  </Files>
  <FilesMatch "\.html$">
    SetEnv OTHER x
  </FilesMatch>
  <If "true">
    UnsetEnv UE2
  </If>
  <If "-n 'x'">
    SetEnv OTHER y
  </If>
</Directory>
<Directory $DIR/htdocs/conn-always>
  Header always set Connection "Close, x"
</Directory>
`
	chunked := func(path string) string {
		return "POST " + path + " HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
	}
	keep := also("Connection", "Keep-Alive")
	reqs := []request{
		get("/f.html"), get("/f.html", hdr("X-Foo: bar")), get("/missing"), get("/f.html", hdr(afterFiles)),
		get("/f.html", hdr("Range: bytes=0-1")), get("/redir"), get("/gone"), get("/dir"),
		get("/app/404"), get("/app/redirect"), get("/app/hdrs"),
		get("/admin/f.html"), get("/admin/f.html", host("other.test")),
		get("/host-expr/f.html"), get("/host-expr/f.html", host("other.test")),
		get("/lang/f.html"), get("/lang/f.html", hdr("Accept-Language: de")),
		get("/d/red", also("X-Env2", "X-Cond")), get("/d/f.html", also("X-Env2", "X-Cond")),
		get("/ue/f.html", also("X-UE")), get("/nothing", hdr("User-Agent: SEC")), get("/redir", hdr("User-Agent: SEC")),
		raw("chunked to a file", chunked("/f.html")), raw("chunked to the application", chunked("/app/x")),
		raw("Header set Connection close", "GET /conn/f.html HTTP/1.1\r\nHost: $HOST\r\n\r\n"+rawGetClosing("hexpr.test"), keep),
		raw("Header set Connection close, HTTP/1.0 keep-alive", "GET /conn/f.html HTTP/1.0\r\nHost: $HOST\r\nConnection: keep-alive\r\n\r\n"+rawGetClosing("hexpr.test"), keep),
		raw("Header always set Connection close on a 404", "GET /conn-always/nothing HTTP/1.1\r\nHost: $HOST\r\n\r\n"+rawGetClosing("hexpr.test"), keep),
	}
	files := map[string]string{
		"app.wsgi":                  metadataApp,
		"htdocs/f.html":             "<p>file</p>\n",
		"htdocs/x.txt":              "x\n",
		"htdocs/errdoc.html":        "<p>gone</p>\n",
		"htdocs/dir/index.html":     "<p>index</p>\n",
		"htdocs/admin/f.html":       "<p>admin</p>\n",
		"htdocs/host-expr/f.html":   "<p>host</p>\n",
		"htdocs/lang/f.html":        "<p>lang</p>\n",
		"htdocs/conn/f.html":        "<p>conn</p>\n",
		"htdocs/d/f.html":           "<p>d</p>\n",
		"htdocs/ue/f.html":          "<p>ue</p>\n",
		"htdocs/conn-always/f.html": "<p>conn</p>\n",
	}
	return site{
		name: "header-exprs", host: "hexpr.test", conf: conf, ports: 1, files: files, reqs: reqs,
		headers: []string{"X-St", "X-Cache-Err", "X-Host", "X-TE", "X-Env", "X-Foo-Matched", "X-De"},
	}
}

// envSite covers what reaches a WSGI application's environ: SetEnv,
// UnsetEnv and PassEnv at server and <Location> level, SetEnvIf on every
// attribute it knows (the URI before and after decoding), on headers (by
// name and by a regex of names), on earlier variables, with $n, !VAR and
// literal patterns, NoCase, BrowserMatch(NoCase), SetEnvIfExpr, RequestHeader
// (late, unseen by SetEnvIf), and names that differ from the CGI ones only
// in case; Apache's quirks too: UnsetEnv lost when a second <Location>
// matches, and SetEnvIf entries in a row on one name reading it once.
// Static files show the variables through Header.
func envSite() site { return envModeSite("env", "") }

// envDaemonSite is envSite with the application in a daemon process
// group: the variables travel to the worker with the request.
func envDaemonSite() site {
	return envModeSite("env-daemon", `User www-data
Group www-data
WSGIDaemonProcess envd processes=1 threads=2
WSGIProcessGroup envd
`)
}

// envModeSite is the env site under a name, with extra server
// directives.
func envModeSite(name, extra string) site {
	port := freePort()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	conf := head(metadataMods...) + extra + `Listen ` + addr + `
ServerName env.test
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all granted
</Directory>
WSGIScriptAlias /env $DIR/env.wsgi
WSGIScriptAlias /loc $DIR/env.wsgi
WSGIScriptAlias /case $DIR/env.wsgi
SetEnv SERVER_VAR server
SetEnv OVERRIDDEN server
SetEnv EMPTY
SetEnv TO_UNSET x
UnsetEnv TO_UNSET
PassEnv GOWSGID_COMPAT_PASSED GOWSGID_COMPAT_UNDEFINED
SetEnvIf Request_URI "^/(env|loc)/(.*)$" URI_TAIL=$2 URI_WHOLE=$0
SetEnvIf Request_Method ^(POST|PUT)$ WRITE=$1
SetEnvIf Request_Protocol ^HTTP/1\.0$ OLD_PROTOCOL
SetEnvIf Remote_Addr ^127\.0\.0\.1$ LOCAL_CLIENT
SetEnvIf Remote_Host ^127\. LOCAL_HOST=$0
SetEnvIf Server_Addr ^127\. LOCAL_SERVER
SetEnvIf X-Test "^v(\d+)$" X_TEST_NUM=$1
SetEnvIfNoCase X-Test ^V2$ X_TEST_NOCASE
SetEnvIf ^X-Re.*$ "^(.+)$" X_RE=$1
BrowserMatch ^Mozilla MOZILLA
BrowserMatch "MSIE [6-8]" OLD_IE !MOZILLA
BrowserMatchNoCase CURL CURL_UA=yes
SetEnvIf User-Agent "\(compatible" COMPAT_LITERAL
SetEnvIf URI_TAIL ^x TAIL_X
SetEnvIfExpr "%{HTTP:X-Test} =~ /^v(\d)/" EXPR_MATCH=$1
SetEnvIfExpr "%{REQUEST_METHOD} == 'GET'" EXPR_GET
SetEnvIf X-Unset . !URI_TAIL
SetEnvIf X-Test ^v1$ lower=from-setenvif
SetEnv LOWER from-setenv
SetEnvIf NOT_A_HEADER ^$ NOT_A_HEADER=set
SetEnvIf NOT_A_HEADER ^set$ SAW_SET
<Location /loc>
  SetEnv OVERRIDDEN location
  SetEnv LOC_VAR loc
  UnsetEnv SERVER_VAR
  SetEnvIf Request_URI "^/loc/(.*)$" DIR_TAIL=$1
  SetEnvIf X-Late . SAW_LATE
  RequestHeader set X-Late late
  RequestHeader set X-Test-Req req
</Location>
<Location /loc/deep>
  SetEnv DEEP deep
</Location>
<Location /case>
  SetEnv http_host fake
  SetEnv request_method fake
  SetEnv script_name fake
  SetEnv PATH /fake
</Location>
<Directory $DIR/htdocs>
  Header set X-Env "%{URI_TAIL}e|%{SERVER_VAR}e|%{OVERRIDDEN}e|%{MOZILLA}e|%{X_TEST_NUM}e|%{LOWER}e"
</Directory>
`
	reqs := []request{
		get("/env/x"), get("/env/x%20y"), get("/env/a/b?q=1"),
		get("/env/x", hdr("X-Test: v12")), get("/env/x", hdr("X-Test: V2")), get("/env/x", hdr("X-Test: v1")),
		get("/env/x", hdr("X-Regex: hello")),
		// A regex of names takes the last field it matches, in the
		// order and spelling sent.
		get("/env/x", hdr("X-Rez: z", "X-Rea: a")), get("/env/x", hdr("X-Rea: a", "X-Rez: z")),
		get("/env/x", hdr("X-Rea: a", "x-rez: lower")),
		get("/env/x", hdr("User-Agent: Mozilla/5.0 (compatible; MSIE 7.0)")), get("/env/x", hdr("User-Agent: curl/8")),
		do("POST", "/env/x", body("a=1")), get("/env/x", http10()), get("/env/x", hdr("X-Unset: 1")),
		get("/loc/a%20b", hdr("X-Late: client")), get("/loc/x"), get("/loc/deep/x"), get("/case/x"),
		get("/f.html", hdr("User-Agent: Mozilla/5", "X-Test: v1")), get("/f.html"),
	}
	return site{
		name: name, host: addr, conf: conf, fixed: true, fixedAddrs: []string{addr},
		env: map[string]string{"GOWSGID_COMPAT_PASSED": "passed value"},
		files: map[string]string{
			"env.wsgi":      wsgiEnvApp,
			"htdocs/f.html": "<p>f</p>\n",
		},
		reqs:    reqs,
		headers: []string{"X-Env"},
	}
}

// expiresSite covers mod_expires: ExpiresByType exact and type/* (lost in
// a section with an ExpiresByType of its own), ExpiresDefault, both code
// syntaxes ("Access plus 1 day" is A0 in Apache), access and
// modification bases, ExpiresActive Off, what counts (below 400: 200,
// 206, 304, redirects; no 404, no WSGI 500), an Expires the application
// set, a Cache-Control it set, and Header changing the result.
func expiresSite() site {
	conf := head(metadataMods...) + `Listen 127.0.0.1:${P1}
ServerName expires.test
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all granted
</Directory>
WSGIScriptAlias /app $DIR/app.wsgi
Redirect /redir /a.html
ExpiresActive On
ExpiresByType text/html "access plus 1 month 2 days"
ExpiresByType text/plain "Access plus 1 day"
ExpiresByType image/* A600
ExpiresByType text/css "modification plus 1 hour"
ExpiresDefault "now plus 10 minutes"
<Directory $DIR/htdocs/off>
  ExpiresActive Off
</Directory>
<Directory $DIR/htdocs/html-only>
  ExpiresByType text/html A30
</Directory>
<Directory $DIR/htdocs/unset>
  Header unset Expires
  Header append Cache-Control no-transform
</Directory>
<Directory $DIR/htdocs/newdefault>
  ExpiresDefault A5
</Directory>
<Directory $DIR/htdocs/mtime>
  ExpiresDefault M3600
</Directory>
`
	reqs := []request{
		get("/a.html"), get("/t.txt"), get("/x.png"), get("/s.css"), get("/u.unknownext"),
		get("/off/a.html"), get("/html-only/x.png"), get("/html-only/a.html"), get("/unset/a.html"),
		get("/newdefault/a.html"), get("/mtime/a.html"),
		get("/redir"), get("/nothing"), get("/a.html", hdr(afterFiles)), do("HEAD", "/a.html"),
		get("/a.html", hdr("Range: bytes=0-1")), get("/dir"), get("/dir/"),
		get("/app/plain"), get("/app/html"), get("/app/expires"), get("/app/cc"), get("/app/404"), get("/app/exc"),
	}
	return site{
		name: "expires", host: "expires.test", conf: conf, ports: 1, reqs: reqs,
		files: map[string]string{
			"app.wsgi":                 metadataApp,
			"htdocs/a.html":            "<p>a</p>\n",
			"htdocs/t.txt":             "t\n",
			"htdocs/x.png":             "png\n",
			"htdocs/s.css":             "p {}\n",
			"htdocs/u.unknownext":      "u\n",
			"htdocs/off/a.html":        "off\n",
			"htdocs/html-only/x.png":   "png\n",
			"htdocs/html-only/a.html":  "a\n",
			"htdocs/unset/a.html":      "a\n",
			"htdocs/newdefault/a.html": "a\n",
			"htdocs/mtime/a.html":      "a\n",
			"htdocs/dir/index.html":    "index\n",
		},
		headers: []string{"Expires", "Cache-Control"},
	}
}
