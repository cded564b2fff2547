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
	conf := head(stdMods...) + `Listen 127.0.0.1:${P1}
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
	}
	return site{
		name: "autoindex", host: "main.test", conf: conf, ports: 1, files: files,
		reqs: []request{
			get("/plain/"), get("/plain/?C=S;O=D"), get("/plain/?C=M;O=A"), get("/plain/?C=N;O=D"),
			get("/readme/"), get("/described/"), get("/described/?C=D;O=A"), do("HEAD", "/plain/"),
		},
	}
}
