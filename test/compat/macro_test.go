package compat

// macroSite covers mod_macro on a served site: name-based virtual hosts
// stamped out by one macro (an '@' parameter quotes a path with a space;
// the first is the default host of the port, so it answers the requests
// without a Host of its own),
// a <Directory> opened by one Use and closed by another, a macro used
// inside a section, and .htaccess files that use a macro of the server
// configuration or define one of their own.
func macroSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName macro.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
</Directory>
<Macro Site $host @root $listing>
<VirtualHost *:${P1}>
  ServerName $host
  ServerAlias www.$host
  DocumentRoot @root
  <Directory @root>
    Options $listing
    AllowOverride All
    Require all granted
  </Directory>
</VirtualHost>
</Macro>
<Macro Shut $what>
  Require $what denied
</Macro>
<Macro OpenDir $d>
<Directory $d>
</Macro>
<Macro CloseDir>
</Directory>
</Macro>
<Macro Typed %type>
  ForceType %type
</Macro>
Use OpenDir $DIR/htdocs
  Require all granted
  AllowOverride All
Use CloseDir
<Location /shut>
  Use Shut all
</Location>
Use Site a.macro.test "$DIR/site a" Indexes
Use Site b.macro.test $DIR/b -Indexes
UndefMacro Site
`
	return site{
		name: "macro", host: "macro.test", ports: 1,
		conf: head(append(stdMods, "macro")...) + conf,
		reqs: []request{
			get("/x.txt"), get("/shut/x.txt"), get("/served/x.txt"), get("/own/x.txt"),
			get("/", host("a.macro.test")), get("/x.txt", host("www.a.macro.test")),
			get("/", host("b.macro.test")), get("/x.txt", host("b.macro.test")),
		},
		files: map[string]string{
			"htdocs/x.txt":            "main\n",
			"site a/shut/x.txt":       "shut\n",
			"site a/served/.htaccess": "Use Typed text/x-from-server\n",
			"site a/served/x.txt":     "served\n",
			"site a/own/.htaccess":    "<Macro Mine $t>\nForceType $t\n</Macro>\nUse Mine text/x-own\n",
			"site a/own/x.txt":        "own\n",
			"site a/x.txt":            "a\n",
			"b/x.txt":                 "b\n",
		},
	}
}
