package compat

import "fmt"

// fallbackSite covers mod_dir's FallbackResource: a front controller
// (a WSGI script through AddHandler, and a static page) for URLs that
// map to nothing, with the query kept and the method kept; a relative
// target; "disabled"; a target that does not exist or is denied;
// existing files and directories untouched. The WSGI environ shows
// what mod_wsgi gives a request taken over this way.
func fallbackSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen ` + addr + `
ServerName main.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all granted
</Directory>
<Directory $DIR/htdocs>
  Options +ExecCGI
  AddHandler wsgi-script .wsgi
  FallbackResource /front.wsgi
</Directory>
<Directory $DIR/htdocs/static>
  FallbackResource /front.html
</Directory>
<Directory $DIR/htdocs/off>
  FallbackResource disabled
</Directory>
<Directory $DIR/htdocs/rel>
  FallbackResource page.html
</Directory>
<Directory $DIR/htdocs/missing>
  FallbackResource /nope.html
</Directory>
<Directory $DIR/htdocs/denied>
  FallbackResource /secret/x.html
</Directory>
<Directory $DIR/htdocs/secret>
  Require all denied
</Directory>
`
	reqs := []request{
		get("/real.txt"), get("/nothing"), get("/nothing?a=1&b=%41"), get("/a/b/c"),
		do("POST", "/nothing", body("x=1")), do("HEAD", "/nothing"), do("PUT", "/nothing", body("y")),
		get("/static/none"), get("/static/none?q"), get("/static/real.txt"),
		get("/off/none"), get("/rel/none"), get("/rel/sub/none"), get("/missing/none"),
		get("/denied/none"), get("/dir/"), get("/dir"), get("/front.wsgi/extra"),
	}
	return site{
		name: "fallback", host: "main.test", conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{
			"htdocs/real.txt":        "real\n",
			"htdocs/front.wsgi":      wsgiEnvApp,
			"htdocs/front.html":      "<p>front</p>\n",
			"htdocs/static/real.txt": "static real\n",
			"htdocs/off/.keep":       "",
			"htdocs/rel/page.html":   "relative\n",
			"htdocs/rel/sub/.keep":   "",
			"htdocs/missing/.keep":   "",
			"htdocs/denied/.keep":    "",
			"htdocs/secret/x.html":   "secret\n",
			"htdocs/dir/a.txt":       "a\n",
		},
		reqs: reqs,
	}
}
