package compat

// recursionSite covers LimitInternalRecursion: a per-directory rewrite
// that redirects forever stops at the server's limit of internal
// redirects (AH00124), a -U lookup whose subrequest looks itself up
// again stops at the limit of subrequest nesting (AH00125), and a
// virtual host with its own limit keeps it while another inherits the
// main server's.
func recursionSite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName recursion.test
DocumentRoot $DIR/htdocs
LimitInternalRecursion 4 2
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/loop>
  RewriteEngine On
  RewriteRule ^(a+)$ $1a [L]
</Directory>
<VirtualHost 127.0.0.1:${P1}>
  ServerName recursion.test
  RewriteEngine On
  RewriteCond %{REQUEST_URI} ^/nest/
  RewriteCond %{REQUEST_URI} -U
  RewriteRule ^/nest/(.*)$ /found.txt [L]
</VirtualHost>
<VirtualHost 127.0.0.1:${P1}>
  ServerName big.test
  LimitInternalRecursion 7
</VirtualHost>
`
	big := host("big.test")
	reqs := []request{
		get("/loop/a"), get("/loop/aaa"), get("/loop/a", big), get("/loop/b"),
		get("/nest/x"), get("/found.txt"),
	}
	return site{
		name: "recursion", host: "recursion.test", ports: 1, reqs: reqs, errorLog: true,
		conf: head(append(append([]string(nil), stdMods...), "rewrite")...) + conf,
		files: map[string]string{
			"htdocs/loop/b":    "b\n",
			"htdocs/found.txt": "found\n",
		},
	}
}
