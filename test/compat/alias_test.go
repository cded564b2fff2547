package compat

// aliasSite covers mod_alias and mod_dir: Alias and AliasMatch with and
// without trailing slashes, overlapping aliases, every Redirect form at
// server level, in <Directory> and in <Location>, DocumentRoot,
// DirectoryIndex lists (relative, absolute, disabled, escaped names and
// directories), DirectorySlash and
// the query string in redirects.
func aliasSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName alias.test
ServerTokens Minor
ServerSignature On
DocumentRoot $DIR/htdocs
DirectoryIndex index.html index.txt
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Options Indexes FollowSymLinks
  Require all granted
</Directory>
<Directory $DIR/aliasdir>
  Require all granted
</Directory>
<Directory $DIR/aliasdir2>
  Require all granted
</Directory>
Alias /al $DIR/aliasdir
Alias /al2/ $DIR/aliasdir2/
Alias /file-alias $DIR/aliasdir/one.txt
Alias /nested/deep $DIR/aliasdir/sub
Alias /nested $DIR/aliasdir2
Alias /al/shadowed $DIR/aliasdir2
Alias /denied $DIR/forbidden
Alias /rel aliasdir
AliasMatch "^/am/(.*)\.txt$" "$DIR/aliasdir/$1.txt"
AliasMatch "^/amdir(/.*)?$" "$DIR/aliasdir$1"
AliasMatch "^/amesc/(.*)$" "$DIR/aliasdir/\$1"
Redirect /old http://example.com/new
Redirect permanent /perm /sub/
Redirect temp /tmp-r http://example.com/t
Redirect seeother /so http://example.com/so
Redirect 307 /r307 http://example.com/307
Redirect 308 /r308 http://example.com/308/
Redirect 404 /r404
RedirectMatch 301 "^/rm/(.*)$" "/sub/$1"
RedirectMatch "^/rmq/(.*)$" "http://example.com/q?x=$1"
RedirectMatch "^/rmf/(.*)$" "http://example.com/f#$1"
RedirectMatch gone "^/rmgone"
RedirectPermanent /rp http://example.com/rp
RedirectTemp /rt /sub
Redirect gone /gone
Redirect 410 /gone2
Redirect /al/redirected http://example.com/beats-alias
<Directory $DIR/htdocs/redir>
  Redirect /redir/inner http://example.com/inner
</Directory>
<Location /locredir>
  Redirect "http://example.com/loc"
</Location>
<Location /locredir/301>
  Redirect 301 "http://example.com/loc301"
</Location>
<Directory $DIR/htdocs/noslash>
  DirectorySlash Off
</Directory>
<Directory $DIR/htdocs/idx2>
  DirectoryIndex default.htm /fallback.html
</Directory>
<Directory $DIR/htdocs/idx3>
  DirectoryIndex missing.html /sub/index.html
</Directory>
<Directory $DIR/htdocs/disabled>
  DirectoryIndex disabled
</Directory>
<Directory $DIR/htdocs/idxesc>
  DirectoryIndex a%20b.html
</Directory>
# DirectoryIndexRedirect answers with a redirect to the index file
# instead of serving it; Off (or unset) serves it. The index file's URI
# has no query string.
<Directory $DIR/htdocs/dir1>
  DirectoryIndexRedirect on
</Directory>
<Directory $DIR/htdocs/dir1/off>
  DirectoryIndexRedirect off
</Directory>
<Directory $DIR/htdocs/dir1/inherit>
  DirectoryIndex other.html
</Directory>
<Directory $DIR/htdocs/dir2>
  DirectoryIndexRedirect permanent
</Directory>
<Directory $DIR/htdocs/dir3>
  DirectoryIndexRedirect 307
  DirectoryIndex missing.html /sub/index.html
</Directory>
<Directory $DIR/htdocs/dir4>
  DirectoryIndexRedirect SeeOther
</Directory>
<Directory $DIR/htdocs/dir5>
  DirectoryIndexRedirect temp
</Directory>
<Directory "$DIR/htdocs/d i r">
  DirectoryIndexRedirect 300
</Directory>
<Directory $DIR/htdocs/idxdenied>
  <Files index.html>
    Require all denied
  </Files>
</Directory>
`
	reqs := []request{
		get("/"), get("/index.html"), get("/sub"), get("/sub/"), get("/sub?x=1&y=2"), get("/sub/?x=1"),
		do("POST", "/sub", body("a=1")), do("HEAD", "/sub"),
		get("/al"), get("/al/"), get("/al/one.txt"), get("/al//one.txt"), get("/al///sub//two.txt"),
		get("/alx.txt"), get("/al/missing"), get("/al/shadowed/two.txt"),
		get("/al2"), get("/al2/"), get("/al2/two.txt"), get("/al2x"),
		get("/file-alias"), get("/file-alias/"), get("/file-alias/x"),
		get("/nested/deep/x.txt"), get("/nested/deep"), get("/nested/two.txt"),
		get("/denied/"), get("/denied/x.txt"), get("/rel/one.txt"),
		get("/am/one.txt"), get("/am/sub/x.txt"), get("/am/one.html"), get("/amdir"), get("/amdir/"),
		get("/amdir/one.txt"), get("/amesc/one.txt"),
		get("/old"), get("/old/"), get("/old/a/b?q=1"), get("/oldx"), get("/old/a%20b"), get("/old/%C3%BC"),
		get("/old/a b"),
		get("/perm"), get("/perm/x"), get("/tmp-r"), get("/so"), get("/r307"), get("/r308/z"), get("/r404"),
		get("/rm/abc"), get("/rm/a%20b?z=1"), get("/rmq/abc"), get("/rmq/abc?y=1"), get("/rmf/frag"),
		get("/rmgone/x"), get("/rp/zz"), get("/rt"), get("/rt?k=v"), get("/gone"), get("/gone2/x"),
		do("HEAD", "/gone"), get("/al/redirected/x"),
		get("/redir/inner"), get("/redir/inner/deeper?q=2"), get("/redir/other.txt"),
		get("/locredir"), get("/locredir/x"), get("/locredir/301/y"),
		get("/noslash"), get("/noslash/"), get("/idx2/"), get("/idx3/"), get("/disabled/"), get("/disabled"),
		get("/idxdenied/"), get("/sub/index.txt"), get("/txtidx/"),
		get("/dir1/"), get("/dir1/?a=1&b=2"), do("HEAD", "/dir1/"), do("POST", "/dir1/", body("x=1")),
		get("/dir1"), get("/dir1/off/"), get("/dir1/inherit/"), get("/dir1/empty/"), get("/dir2/"),
		get("/dir3/"), get("/dir4/"), get("/dir5/"), get("/d%20i%20r/"), get("/dir1/", http10(), noHost()),
		// DirectoryIndex names are escaped URIs, taken from the escaped
		// directory: a directory named "%2e%2e" is not "..", and
		// "a%20b.html" names "a b.html".
		get("/dots/%252e%252e/"), get("/sp%20ace/"), get("/idxesc/"),
		get("/sub", http10(), noHost()), get("/old/a", http10(), noHost()),
		get("/sub", host("alias.test:8080")), get("/perm/x", host("other.test:81")),
	}
	return site{
		name: "alias", host: "alias.test", ports: 1, reqs: reqs,
		conf: head(stdMods...) + conf,
		files: map[string]string{
			"htdocs/index.html":              "<p>home</p>\n",
			"htdocs/sub/index.html":          "<p>sub</p>\n",
			"htdocs/sub/index.txt":           "sub txt\n",
			"htdocs/txtidx/index.txt":        "only a txt index\n",
			"htdocs/fallback.html":           "<p>fallback</p>\n",
			"htdocs/idx2/default.htm":        "<p>default.htm</p>\n",
			"htdocs/idx3/x.txt":              "x",
			"htdocs/redir/other.txt":         "other\n",
			"htdocs/noslash/index.html":      "<p>noslash</p>\n",
			"htdocs/disabled/index.html":     "<p>disabled</p>\n",
			"htdocs/idxdenied/index.html":    "<p>denied index</p>\n",
			"htdocs/idxdenied/a.txt":         "a",
			"htdocs/dir1/index.html":         "<p>dir1</p>\n",
			"htdocs/dir1/off/index.html":     "<p>off</p>\n",
			"htdocs/dir1/inherit/other.html": "<p>other</p>\n",
			"htdocs/dir1/empty/x.txt":        "x",
			"htdocs/dir2/index.html":         "<p>dir2</p>\n",
			"htdocs/dir3/x.txt":              "x",
			"htdocs/dir4/index.html":         "<p>dir4</p>\n",
			"htdocs/dir5/index.html":         "<p>dir5</p>\n",
			"htdocs/d i r/index.html":        "<p>d i r</p>\n",
			"htdocs/dots/%2e%2e/index.html":  "<p>in a directory named %2e%2e</p>\n",
			"htdocs/sp ace/index.html":       "<p>in a directory with a space</p>\n",
			"htdocs/idxesc/a b.html":         "<p>a b</p>\n",
			"htdocs/locredir/x":              "x",
			"aliasdir/one.txt":               "one\n",
			"aliasdir/sub/two.txt":           "two in aliasdir/sub\n",
			"aliasdir/sub/x.txt":             "x in aliasdir/sub\n",
			"aliasdir/$1.txt":                "literal dollar\n",
			"aliasdir/index.html":            "<p>aliasdir index</p>\n",
			"aliasdir2/two.txt":              "two\n",
			"aliasdir2/sub/two.txt":          "two in aliasdir2/sub\n",
			"forbidden/x.txt":                "x",
			"htdocs/al/shadowed/two.txt":     "docroot copy\n",
			"htdocs/alx.txt":                 "alx\n",
			"htdocs/al2":                     "a file named al2\n",
			"htdocs/oldx":                    "oldx\n",
			"htdocs/nested/deep/x.txt":       "docroot copy\n",
			"htdocs/file-alias/x":            "docroot copy\n",
			"htdocs/sub/.keep":               "",
			"htdocs/redir/inner/deeper/no":   "",
		},
	}
}
