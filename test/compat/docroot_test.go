package compat

import "fmt"

// docRootSite covers DocumentRoot as apr_filepath_merge leaves it: a
// trailing slash kept (written as "/", "//" or "/."), doubled slashes
// inside collapsed; DOCUMENT_ROOT, CONTEXT_DOCUMENT_ROOT and
// PATH_TRANSLATED in a WSGI environ show it, and the mapping of static
// files and directories does not double the slash.
func docRootSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen ` + addr + `
ServerName slash.test
<Directory />
  Require all granted
</Directory>
WSGIScriptAlias /env $DIR/env.wsgi
<VirtualHost ` + addr + `>
  ServerName slash.test
  DocumentRoot "$DIR/htdocs/"
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName double.test
  DocumentRoot "$DIR/htdocs//"
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName dot.test
  DocumentRoot "$DIR/htdocs/."
</VirtualHost>
<VirtualHost ` + addr + `>
  ServerName inner.test
  DocumentRoot "$DIR//htdocs"
</VirtualHost>
`
	var reqs []request
	for _, h := range []string{"slash.test", "double.test", "dot.test", "inner.test"} {
		reqs = append(reqs, get("/env/x", host(h)), get("/a.txt", host(h)), get("/sub", host(h)),
			get("/sub/", host(h)), get("/missing", host(h)))
	}
	return site{
		name: "docroot", host: "slash.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{
			"htdocs/a.txt":          "a\n",
			"htdocs/sub/index.html": "<p>sub</p>\n",
			"env.wsgi":              wsgiEnvApp,
		},
		reqs: reqs,
	}
}
