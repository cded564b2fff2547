package compat

// errorsSite covers Apache's error responses: 400, 401, 403, 404, 405,
// 410, 413, 500 and 501 pages, ServerSignature On/Off/EMail, ServerTokens
// Full with mod_wsgi loaded, and ErrorDocument as a local path (kept
// status; a missing or forbidden one adds "Additionally, ..."), a URL
// (302), a message, an expression, "default", for HEAD and POST too.
func errorsSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so
ServerName errors.test
ServerAdmin admin@errors.test
ServerTokens Full
ServerSignature On
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/deny>
  Require all denied
</Directory>
<Directory $DIR/htdocs/nosig>
  ServerSignature Off
</Directory>
<Directory $DIR/htdocs/email>
  ServerSignature EMail
</Directory>
<Directory $DIR/htdocs/auth>
  AuthType Basic
  AuthName "Errors"
  AuthUserFile $DIR/htpasswd
  Require valid-user
</Directory>
<Directory $DIR/htdocs/broken>
  AllowOverride All
</Directory>
<Location /limit>
  LimitRequestBody 10
</Location>
Redirect gone /gone
Redirect gone /errdoc/gone
<Directory $DIR/htdocs/errdoc>
  ErrorDocument 404 /errdocs/404.html
  ErrorDocument 403 "Custom forbidden text
  ErrorDocument 410 http://example.com/gone-doc
  ErrorDocument 405 /errdocs/405.html
  ErrorDocument 501 "Not implemented here
  ErrorDocument 500 "Custom 500
  ErrorDocument 401 /errdocs/401.html
</Directory>
<Directory $DIR/htdocs/errdoc/deny>
  Require all denied
</Directory>
<Directory $DIR/htdocs/errdoc/default>
  ErrorDocument 404 default
</Directory>
<Directory $DIR/htdocs/errdoc/missing>
  ErrorDocument 404 /errdocs/none.html
</Directory>
<Directory $DIR/htdocs/errdoc/forbidden>
  ErrorDocument 404 /deny/page.html
</Directory>
<Directory $DIR/htdocs/errdoc/expr>
  ErrorDocument 404 "Not here: %{REQUEST_URI}
</Directory>
<Directory $DIR/htdocs/errdoc/word>
  ErrorDocument 404 oops
</Directory>
<Directory $DIR/htdocs/errdoc/dir>
  ErrorDocument 404 /errdocs/
</Directory>
<Directory $DIR/htdocs/errdoc/auth>
  AuthType Basic
  AuthName "Errors"
  AuthUserFile $DIR/htpasswd
  Require valid-user
</Directory>
ErrorDocument 410 "Server-wide gone
WSGIScriptAlias /wsgi-err $DIR/err.wsgi
<Directory $DIR>
  <Files err.wsgi>
    Require all granted
  </Files>
</Directory>
<Directory $DIR/htdocs/errdoc/wsgi>
  ErrorDocument 404 /wsgi-err
  ErrorDocument 403 /wsgi-err/forbidden
</Directory>
<Directory $DIR/htdocs/errdoc/wsgi/deny>
  Require all denied
</Directory>
<Directory $DIR/htdocs/errdoc/wsgi/auth>
  AuthType Basic
  AuthName "Errors"
  AuthUserFile $DIR/htpasswd
  Require valid-user
</Directory>
<VirtualHost *:${P2}>
  ServerName vh.errors.test
  ServerAdmin http://example.com/contact
  ServerSignature EMail
  ErrorDocument 404 /errdocs/404.html
</VirtualHost>
`
	reqs := []request{
		get("/nope"), do("HEAD", "/nope"), do("POST", "/nope", body("a=1")), get("/deny/page.html"),
		do("HEAD", "/deny/page.html"), get("/gone"), do("HEAD", "/gone"), do("PUT", "/page.html", body("x")),
		do("DELETE", "/page.html"), do("FOO", "/page.html"), do("HEAD", "/nosig/x"), get("/nosig/x"),
		get("/email/x"), get("/auth/x"), do("HEAD", "/auth/x"), get("/broken/x.txt"), get("/../x"),
		do("POST", "/limit/x.txt", body("0123456789abcdef")), do("POST", "/limit/x.txt", body("0123456789")),
		// A chunked body is counted as it comes (AH01591).
		raw("chunked over the limit", "POST /limit/x.txt HTTP/1.1\r\nHost: $HOST\r\nTransfer-Encoding: chunked\r\n"+
			"Connection: close\r\n\r\n14\r\n0123456789abcdefghij\r\n0\r\n\r\n"),
		raw("chunked within the limit", "POST /limit/x.txt HTTP/1.1\r\nHost: $HOST\r\nTransfer-Encoding: chunked\r\n"+
			"Connection: close\r\n\r\n5\r\n01234\r\n0\r\n\r\n"),
		// A directory without an index and without Options Indexes:
		// mod_autoindex declines all but GET and HEAD to the default
		// handler, which reads the body away first.
		get("/limit/"), do("POST", "/limit/", body("0123456789abcdef")), do("POST", "/limit/", body("01234")),
		do("OPTIONS", "/limit/"), do("PUT", "/limit/"), do("FOO", "/limit/"),
		do("POST", "/page.html", body("0123456789abcdef")),
		get("/errdoc/nope"), do("HEAD", "/errdoc/nope"), do("POST", "/errdoc/nope", body("a=1")),
		get("/errdoc/nope", hdr("If-Modified-Since: Sat, 01 Jan 2050 00:00:00 GMT")),
		get("/errdoc/nope", hdr("Range: bytes=0-3")),
		get("/errdoc/deny/x"), do("HEAD", "/errdoc/deny/x"), get("/errdoc/gone"),
		do("PUT", "/errdoc/page.html"), do("FOO", "/errdoc/page.html"), get("/errdoc/broken-dir/x.txt"),
		get("/errdoc/default/nope"), get("/errdoc/missing/nope"), get("/errdoc/forbidden/nope"),
		get("/errdoc/expr/nope"), get("/errdoc/word/nope"), get("/errdoc/dir/nope"), get("/errdoc/auth/x"),
		get("/gone", port(1), host("vh.errors.test")), get("/nope", port(1), host("vh.errors.test")),
		get("/deny/x", port(1), host("vh.errors.test")), get("/nope", port(1), host("vh.errors.test:8080")),
		get("/nope", http10(), noHost()),
		// HTTP/1.1 wants a Host field even where the absolute-URI names
		// the host; HTTP/1.0 does not.
		get("http://errors.test/page.html", noHost()), get("http://errors.test/page.html", http10(), noHost()),
		get("http://errors.test/page.html", noHost(), hdr("Host:")),
		get("/errdoc/wsgi/nope?a=1"), get("/errdoc/wsgi/deny/x"), do("HEAD", "/errdoc/wsgi/nope"),
		do("POST", "/errdoc/wsgi/nope", body("k=v")),
		// The error document of an authenticated request sees its
		// user as REDIRECT_REMOTE_USER.
		get("/errdoc/wsgi/auth/nope", hdr("Authorization: Basic dTpwYXNzd29yZA==")),
	}
	return site{
		name: "errors", host: "errors.test", ports: 2, reqs: reqs,
		conf: head(authMods...) + conf,
		files: map[string]string{
			"htdocs/page.html":                   "<p>page</p>\n",
			"htdocs/deny/page.html":              "<p>denied page</p>\n",
			"htdocs/limit/x.txt":                 "x\n",
			"htdocs/auth/x":                      "x\n",
			"htdocs/errdoc/page.html":            "<p>errdoc page</p>\n",
			"htdocs/errdoc/gone":                 "",
			"htdocs/errdoc/deny/x":               "x\n",
			"htdocs/errdoc/broken-dir/x.txt":     "x\n",
			"htdocs/errdoc/broken-dir/.htaccess": "Bogus\n",
			"htdocs/errdocs/404.html":            "<p>custom 404 page</p>\n",
			"htdocs/errdocs/405.html":            "<p>custom 405 page</p>\n",
			"htdocs/errdocs/401.html":            "<p>custom 401 page</p>\n",
			"htdocs/errdocs/index.html":          "<p>errdocs index</p>\n",
			"htdocs/broken/.htaccess":            "Bogus directive\n",
			"htdocs/broken/x.txt":                "x\n",
			"htpasswd":                           "u:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n",
			"htdocs/errdoc/wsgi/deny/x":          "x\n",
			"htdocs/errdoc/wsgi/auth/x":          "x\n",
			"err.wsgi": `def application(environ, start_response):
    keys = ("REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "REDIRECT_STATUS", "REDIRECT_URL",
            "REDIRECT_QUERY_STRING", "REDIRECT_REQUEST_METHOD", "REMOTE_USER", "REDIRECT_REMOTE_USER")
    body = "".join("%s=%s\n" % (k, environ.get(k, "-")) for k in keys).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body))), ("X-Env", body.decode().replace("\n", " "))])
    return [body]
`,
		},
	}
}
