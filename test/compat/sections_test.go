package compat

// sectionsSite covers the precedence of per-directory sections. Each
// section sets ForceType (or access) so the answer shows which won:
// <Directory> by depth, wildcard and regex directories (sorted by the
// number of '/' in the regex), <Files>/<FilesMatch> at server level and
// nested, <Location>/<LocationMatch> in config order, <If>/<ElseIf>/
// <Else>, and a virtual host's sections after the main server's.
func sectionsSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName sections.test
ServerTokens Min
ServerSignature Off
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
  ForceType text/x-dir-htdocs
</Directory>
<Directory $DIR/htdocs/a>
  ForceType text/x-dir-a
</Directory>
<Directory $DIR/htdocs/*>
  ForceType text/x-dir-wild
</Directory>
<Directory $DIR/htdocs/b>
  ForceType text/x-dir-b
  <Files nested.txt>
    ForceType text/x-files-nested-in-b
  </Files>
</Directory>
<DirectoryMatch "^$DIR/htdocs/re">
  ForceType text/x-dirmatch
</DirectoryMatch>
<Directory ~ "htdocs/re/deep">
  ForceType text/x-dir-tilde
</Directory>
<DirectoryMatch "/re/$">
  ForceType text/x-dirmatch-dir-only
</DirectoryMatch>
<DirectoryMatch "^$DIR/htdocs/(?<site>[a-z]+)site">
  Require expr %{env:MATCH_SITE} == 'good'
</DirectoryMatch>
<Files "f.txt">
  ForceType text/x-files
</Files>
<Files "*.wild">
  ForceType text/x-files-wild
</Files>
<FilesMatch "\.fm$">
  ForceType text/x-filesmatch
</FilesMatch>
<Files ~ "^deny">
  Require all denied
</Files>
<Files "allow.txt">
  Require all granted
</Files>
<Directory $DIR/htdocs/locked>
  Require all denied
</Directory>
<Location /loc>
  ForceType text/x-location
</Location>
<Location /loc/inner>
  ForceType text/x-location-inner
</Location>
<Location /loc>
  ForceType text/x-location-again
</Location>
<LocationMatch "^/locm/(?<part>[a-z]+)">
  ForceType text/x-locationmatch
</LocationMatch>
<Location /a/f.txt>
  ForceType text/x-location-beats-files
</Location>
<Location /locdeny>
  Require all denied
</Location>
<Location /locked/open>
  Require all granted
</Location>
<Location "/wild/*/x.txt">
  ForceType text/x-location-wild
</Location>
<If "%{QUERY_STRING} == 'if'">
  ForceType text/x-if
</If>
<ElseIf "%{QUERY_STRING} == 'elseif'">
  ForceType text/x-elseif
</ElseIf>
<ElseIf "%{QUERY_STRING} == 'deny'">
  Require all denied
</ElseIf>
<If "%{REQUEST_URI} =~ m#^/ifdir/#">
  ForceType text/x-if-uri
</If>
<Else>
  AddDefaultCharset utf-8
</Else>
<VirtualHost *:${P2}>
  ServerName vh.test
  DocumentRoot $DIR/htdocs
  <Directory $DIR/htdocs/a>
    ForceType text/x-vhost-dir-a
  </Directory>
  <Files f.txt>
    ForceType text/x-vhost-files
  </Files>
  <Location /loc>
    ForceType text/x-vhost-location
  </Location>
</VirtualHost>
`
	paths := []string{
		"/top.txt", "/a/x.txt", "/a/f.txt", "/a/g.wild", "/a/h.fm", "/b/x.txt", "/b/f.txt", "/b/nested.txt",
		"/c/x.txt", "/re/x.txt", "/re/", "/re/deep/x.txt", "/re/deep/f.txt", "/loc/x.txt", "/loc/inner/x.txt",
		"/locm/abc", "/locm/9", "/locm", "/locdeny/x.txt", "/a/deny.txt", "/a/deny-not", "/locked/x.txt",
		"/locked/allow.txt", "/locked/open/x.txt", "/goodsite/x.txt", "/badsite/x.txt", "/wild/q/x.txt",
		"/wild/q/r/x.txt", "/ifdir/x.txt", "/top.txt?if", "/top.txt?elseif", "/top.txt?deny", "/a/f.txt?if",
		"/loc/x.txt?if", "/ifdir/x.txt?elseif", "/top.html",
	}
	var reqs []request
	for _, p := range paths {
		reqs = append(reqs, get(p))
	}
	for _, p := range []string{"/a/x.txt", "/a/f.txt", "/loc/x.txt", "/b/f.txt", "/top.txt"} {
		reqs = append(reqs, get(p, port(1), host("vh.test")))
	}
	files := map[string]string{}
	for _, p := range []string{"top.txt", "top.html", "a/x.txt", "a/f.txt", "a/g.wild", "a/h.fm", "a/deny.txt",
		"a/deny-not", "b/x.txt", "b/f.txt", "b/nested.txt", "c/x.txt", "re/x.txt", "re/deep/x.txt", "re/deep/f.txt",
		"loc/x.txt", "loc/inner/x.txt", "locm/abc", "locm/9", "locm/index.html", "locdeny/x.txt", "locked/x.txt",
		"locked/allow.txt", "locked/open/x.txt", "goodsite/x.txt", "badsite/x.txt", "wild/q/x.txt",
		"wild/q/r/x.txt", "ifdir/x.txt"} {
		files["htdocs/"+p] = "content of " + p + "\n"
	}
	return site{
		name: "sections", host: "sections.test", ports: 2, reqs: reqs,
		conf: head(stdMods...) + conf, files: files,
	}
}
