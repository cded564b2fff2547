package compat

import "strings"

// autoindexSite serves directory listings with Debian's stock
// autoindex.conf included as it is (FancyIndexing in an HTML table,
// VersionSort, the icons of /usr/share/apache2/icons by name, type and
// encoding, DefaultIcon, ReadmeName README.html, HeaderName
// HEADER.html, its IndexIgnore list), plus descriptions and alt texts
// of a section, a style sheet and a default order: each listing, and
// its sorted forms, as Apache draws them.
func autoindexSite() site {
	conf := head(authMods...) + `Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/htdocs
Include /etc/apache2/mods-available/autoindex.conf
<Directory />
  Require all granted
</Directory>
<Directory $DIR/htdocs>
  Options +Indexes
</Directory>
<Directory $DIR/htdocs/described>
  AddDescription "A text file" *.txt
  AddDescription "<b>the</b> archive" data.tar.gz
  AddAlt "[PIC]" *.png
  IndexStyleSheet /style.css
  IndexOrderDefault Descending Size
</Directory>
# IndexOptions with a keyword without +/- replaces all it inherits (here
# the stock VersionSort HTMLTable NameWidth=*...); +/- words adjust it.
<Directory $DIR/htdocs/merge>
  IndexOptions FancyIndexing FoldersFirst
</Directory>
<Directory $DIR/htdocs/merge/inc>
  IndexOptions +SuppressSize -FoldersFirst +VersionSort
</Directory>
<Directory $DIR/htdocs/merge/inc/plain>
  IndexOptions IgnoreCase
</Directory>
# The lines of one section add up as one: the plain keywords of the
# second line drop the +HTMLTable before them, and the incremental word
# after them is not inherited by the merge.
<Directory $DIR/htdocs/merge/lines>
  IndexOptions +HTMLTable
  IndexOptions FancyIndexing SuppressLastModified
  IndexOptions +IgnoreCase
</Directory>
# Two incremental sections in a row: the walk merges them with each
# other first, and the result is no longer "incremental only".
<Directory $DIR/htdocs/twice>
  IndexOptions +SuppressSize
</Directory>
<Directory $DIR/htdocs/twice/again>
  IndexOptions +SuppressLastModified
</Directory>
# IndexIgnoreReset On drops the IndexIgnore list a section inherits;
# the walk merges sections first, so only the first section of the walk
# with mod_autoindex settings reaches the server's list.
<Directory $DIR/htdocs/reset>
  IndexIgnoreReset On
  IndexIgnore *.txt
</Directory>
<Directory $DIR/htdocs/reset/deeper>
  IndexIgnore *.md
</Directory>
<Directory $DIR/htdocs/reset/off>
  IndexIgnoreReset Off
</Directory>
<Directory $DIR/htdocs/described/reset>
  IndexIgnoreReset On
</Directory>
<Directory $DIR/htdocs/resetht>
  AllowOverride Indexes
</Directory>
<Directory $DIR/htdocs/merge/ht>
  AllowOverride Indexes
</Directory>
# ShowForbidden lists the entries whose sub-request is refused with 401
# or 403 (and only those).
<Directory $DIR/htdocs/forbid>
  IndexOptions +ShowForbidden
  <Files "*.secret">
    Require all denied
  </Files>
</Directory>
<Directory $DIR/htdocs/forbid/locked>
  Require all denied
</Directory>
<Directory $DIR/htdocs/forbid/auth>
  AuthType Basic
  AuthName private
  AuthUserFile $DIR/missing
  Require valid-user
</Directory>
<Location /forbid/byloc>
  Require all denied
</Location>
<Directory $DIR/htdocs/forbid/off>
  IndexOptions -ShowForbidden
</Directory>
<Directory $DIR/htdocs/forbid/plain>
  IndexOptions ShowForbidden
</Directory>
`
	files := map[string]string{
		"htdocs/plain/a.txt": "a\n", "htdocs/plain/b.html": "<p>b</p>\n", "htdocs/plain/c.png": "png",
		"htdocs/plain/d.tar.gz": "gz", "htdocs/plain/e.pdf": "pdf", "htdocs/plain/f.unknownext": "x",
		"htdocs/plain/sub/.keep": "", "htdocs/plain/.hidden": "h", "htdocs/plain/backup~": "b",
		"htdocs/plain/file10.txt": "10", "htdocs/plain/file9.txt": "9", "htdocs/plain/script.py": "print(1)\n",
		"htdocs/readme/README.html": "<p>read me</p>\n", "htdocs/readme/HEADER.html": "<h2>header</h2>\n",
		"htdocs/readme/x.txt":        "x\n",
		"htdocs/described/notes.txt": strings.Repeat("n", 3000), "htdocs/described/data.tar.gz": "gz",
		"htdocs/described/photo.png": "png", "htdocs/described/other.bin": "bin",
		"htdocs/merge/ht/.htaccess":     "IndexOptions FancyIndexing SuppressSize\n",
		"htdocs/merge/ht/inc/.htaccess": "IndexOptions +HTMLTable +VersionSort\n",
		"htdocs/merge/ht/bad/.htaccess": "IndexOptions FancyIndexing\nIndexOptions NameWidth=3\n",
		"htdocs/merge/ht/bad/a.txt":     "a",
	}
	for _, d := range []string{"forbid", "forbid/off", "forbid/plain"} {
		for _, f := range []string{"a.txt", "b.secret", "locked/x.txt", "auth/x.txt", "byloc/x.txt"} {
			files["htdocs/"+d+"/"+f] = "x"
		}
	}
	for _, d := range []string{"reset", "reset/deeper", "reset/off", "described/reset", "resetht"} {
		for _, f := range []string{".hidden", "README", "a.txt", "b.md", "c~", "d.html"} {
			files["htdocs/"+d+"/"+f] = "x"
		}
	}
	files["htdocs/resetht/.htaccess"] = "IndexIgnoreReset on\nIndexIgnore *.md\n"
	// Each directory of merge/ has the same entries: names that sort
	// differently by version, by case, and folders.
	for _, d := range []string{"merge", "merge/inc", "merge/inc/plain", "merge/lines", "merge/ht", "merge/ht/inc", "twice", "twice/again"} {
		for _, f := range []string{"file10.txt", "file9.txt", "Zeta.txt", "alpha.txt", "Beta/.keep", "zdir/.keep"} {
			files["htdocs/"+d+"/"+f] = strings.Repeat("x", len(f)*100)
		}
	}
	return site{
		name: "autoindex", host: "main.test", conf: conf, ports: 1, files: files,
		reqs: []request{
			get("/plain/"), get("/plain/?C=S;O=D"), get("/plain/?C=M;O=A"), get("/plain/?C=N;O=D"),
			get("/readme/"), get("/described/"), get("/described/?C=D;O=A"), do("HEAD", "/plain/"),
			get("/merge/"), get("/merge/?C=S;O=A"), get("/merge/inc/"), get("/merge/inc/plain/"),
			get("/merge/lines/"), get("/merge/ht/"), get("/merge/ht/inc/"), get("/merge/ht/bad/"),
			get("/twice/"), get("/twice/again/"),
			get("/reset/"), get("/reset/deeper/"), get("/reset/off/"), get("/described/reset/"), get("/resetht/"),
			get("/forbid/"), get("/forbid/off/"), get("/forbid/plain/"),
		},
	}
}
