package compat

import "fmt"

// actionsSite covers mod_actions: Action for a handler name (AddHandler,
// SetHandler) and for a media type, with and without "virtual", and
// Script for a method, each served by a WSGI script through an internal
// redirect whose environ shows what mod_wsgi gives it (PATH_INFO, the
// REDIRECT_ variables, REDIRECT_HANDLER); a non-virtual action for a
// file that does not exist is a 404 (AH00652). SetHandler's value is
// a string expression, lower-cased once evaluated.
func actionsSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "actions", "wsgi", "setenvif")...) + `Listen ` + addr + `
ServerName main.test
DocumentRoot $DIR/htdocs
# mod_wsgi logs loading the script once per child process.
LogLevel info wsgi:warn
WSGIScriptAlias /render $DIR/render.wsgi
AddHandler markdown .md
Action markdown /render
AddType text/x-special .spc
Action text/x-special /render virtual
Action virt-handler /render virtual
<Directory />
  Require all granted
</Directory>
<Location /virtual>
  SetHandler virt-handler
</Location>
SetEnvIf Request_URI "^/exprh/" H=VIRT-Handler
<Location /exprh>
  SetHandler "%{ENV:H}"
</Location>
<Location /nofile>
  SetHandler markdown
</Location>
<Directory $DIR/htdocs/search>
  Script GET /render
  Script PUT /render
</Directory>
<Directory $DIR/htdocs/headscript>
  Script HEAD /render
</Directory>
`
	return site{
		name: "actions", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{
			"htdocs/doc.md":           "# title\n",
			"htdocs/sub/page.md":      "# page\n",
			"htdocs/x.spc":            "special\n",
			"htdocs/x.txt":            "plain\n",
			"htdocs/search/x.txt":     "searched\n",
			"htdocs/headscript/x.txt": "head\n",
			"htdocs/nofile/.keep":     "",
			"render.wsgi":             wsgiEnvApp,
		},
		reqs: []request{
			get("/doc.md"), get("/doc.md?a=1&b=%20"), get("/sub/page.md"), get("/missing.md"),
			get("/x.spc"), get("/virtual/anything/here"), get("/nofile/none"),
			get("/search/x.txt"), get("/search/x.txt?q=1"), do("PUT", "/search/x.txt", body("data")),
			// A HEAD is a GET to mod_actions, and "Script HEAD" is
			// "Script GET".
			do("HEAD", "/search/x.txt?q=1"), do("HEAD", "/search/x.txt"),
			get("/headscript/x.txt?q=1"), do("HEAD", "/headscript/x.txt?q=1"),
			do("POST", "/doc.md", body("a=1")), do("HEAD", "/doc.md"), get("/x.txt"), get("/exprh/some/where"),
		},
		errorLog: true,
	}
}
