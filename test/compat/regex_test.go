package compat

// regexPCRESite covers the patterns of sections and directives other
// than mod_rewrite's, which Apache compiles with PCRE2 too: lookahead in
// <LocationMatch>, lookbehind in <FilesMatch>, a backreference in
// <DirectoryMatch>, AliasMatch and RedirectMatch, named groups exported
// as MATCH_*, SetEnvIf, Header edit, an <If> expression and
// <IfVersion ~>, "." on a byte of a UTF-8 character, and the case of
// <FilesMatch>, <Files ~>, <DirectoryMatch> and <Directory ~>, which
// Apache compiles without folding it (except on Windows).
func regexPCRESite() site {
	conf := `Listen 127.0.0.1:${P1}
ServerName regex.test
DocumentRoot $DIR/htdocs
<Directory />
  Require all denied
  AllowOverride None
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<LocationMatch "^/area/(?!pub/)">
  Require all denied
</LocationMatch>
<FilesMatch "(?<!\.public)\.secret$">
  Require all denied
</FilesMatch>
<DirectoryMatch "/htdocs/(\w+)/\1/">
  Require all denied
</DirectoryMatch>
<FilesMatch "^UPPER\.txt$">
  Require all denied
</FilesMatch>
<Files ~ "^Tilde\.txt$">
  Require all denied
</Files>
<DirectoryMatch "/htdocs/CASEDIR/">
  Require all denied
</DirectoryMatch>
<Directory ~ "/htdocs/TildeDir/">
  Require all denied
</Directory>
<LocationMatch "^/named/(?<first>\w+)/(?<second>\w+)">
  Header set X-Named "%{MATCH_FIRST}e-%{MATCH_SECOND}e"
</LocationMatch>
AliasMatch "^/al/(?!x)(\w+)$" "$DIR/htdocs/files/$1.txt"
RedirectMatch "^/rd/(\w+)-\1$" "http://regex.test/twin/$1"
RedirectMatch "^/dot/(.)$" "http://regex.test/one"
RedirectMatch "(*UTF)^/udot/(.)$" "http://regex.test/uone"
SetEnvIf Request_URI "^/env/(?!no)" WANT=1
Header set X-Want "%{WANT}e" env=WANT
Header set X-Edit "abab"
Header edit* X-Edit "(?<=a)b" "B"
<If "%{REQUEST_URI} =~ m#^/if/(?!skip)#">
  Header set X-If "matched"
</If>
<IfVersion ~ "^2\.4\.(?!0$)\d+$">
  Header set X-Version "2.4.x"
</IfVersion>
`
	x := also("X-Named", "X-Want", "X-Edit", "X-If", "X-Version")
	reqs := []request{
		get("/area/pub/x.txt", x), get("/area/priv/x.txt", x),
		get("/f/a.secret", x), get("/f/a.public.secret", x),
		get("/tw/tw/x.txt", x), get("/tw/tx/x.txt", x),
		get("/named/a/b.txt", x),
		get("/al/ab", x), get("/al/xy", x),
		get("/rd/ab-ab", x), get("/rd/ab-ba", x),
		get("/dot/%C3%A9", x), get("/dot/e", x), get("/udot/%C3%A9", x),
		get("/env/yes.txt", x), get("/env/no.txt", x),
		get("/if/a.txt", x), get("/if/skip.txt", x),
		get("/case/UPPER.txt"), get("/case/upper.txt"), get("/case/Tilde.txt"), get("/case/tilde.txt"),
		get("/CASEDIR/x.txt"), get("/casedir/x.txt"), get("/TildeDir/x.txt"), get("/tildedir/x.txt"),
	}
	return site{
		name: "regex-pcre", host: "regex.test", ports: 1, reqs: reqs,
		conf: head(append(append([]string(nil), stdMods...), "headers", "setenvif")...) + conf,
		files: map[string]string{
			"htdocs/area/pub/x.txt":    "pub\n",
			"htdocs/area/priv/x.txt":   "priv\n",
			"htdocs/f/a.secret":        "secret\n",
			"htdocs/f/a.public.secret": "public\n",
			"htdocs/tw/tw/x.txt":       "twin\n",
			"htdocs/tw/tx/x.txt":       "not twin\n",
			"htdocs/named/a/b.txt":     "named\n",
			"htdocs/files/ab.txt":      "ab\n",
			"htdocs/files/xy.txt":      "xy\n",
			"htdocs/env/yes.txt":       "yes\n",
			"htdocs/env/no.txt":        "no\n",
			"htdocs/if/a.txt":          "if a\n",
			"htdocs/if/skip.txt":       "if skip\n",
			"htdocs/case/UPPER.txt":    "UPPER\n",
			"htdocs/case/upper.txt":    "upper\n",
			"htdocs/case/Tilde.txt":    "Tilde\n",
			"htdocs/case/tilde.txt":    "tilde\n",
			"htdocs/CASEDIR/x.txt":     "CASEDIR\n",
			"htdocs/casedir/x.txt":     "casedir\n",
			"htdocs/TildeDir/x.txt":    "TildeDir\n",
			"htdocs/tildedir/x.txt":    "tildedir\n",
		},
	}
}
