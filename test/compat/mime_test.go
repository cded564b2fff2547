package compat

// mimeSite covers mod_mime and core's type settings: the types file (a
// custom TypesConfig in one host), AddType with and without the dot and
// with parameters, every extension of a name counting (the rightmost type
// wins), AddCharset, AddEncoding, AddLanguage, RemoveType, RemoveEncoding,
// RemoveLanguage and RemoveCharset, ForceType (and "None"), AddDefaultCharset On/Off/charset (text/html and text/plain
// only), DefaultType none, and names with no known type (no Content-Type
// at all).
func mimeSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName mime.test
ServerTokens Prod
DocumentRoot $DIR/htdocs
DefaultType none
AddType application/x-custom .cust
AddType text/x-nodot nodot
AddType "text/html; charset=ISO-8859-2" .h2
AddType text/x-params;a=b .prm
AddCharset UTF-8 .utf8
AddEncoding x-gzip .gz
AddEncoding x-compress .Z
AddLanguage en .en
AddLanguage de .de
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/charset-on>
  AddDefaultCharset On
</Directory>
<Directory $DIR/htdocs/charset-utf8>
  AddDefaultCharset utf-8
</Directory>
<Directory $DIR/htdocs/charset-utf8/off>
  AddDefaultCharset Off
</Directory>
<Directory $DIR/htdocs/force>
  ForceType application/x-forced
</Directory>
<Directory $DIR/htdocs/force/none>
  ForceType None
</Directory>
<Directory $DIR/htdocs/charset-force>
  AddDefaultCharset utf-8
  ForceType text/html
</Directory>
<Directory $DIR/htdocs/removed>
  RemoveType .txt .cust
</Directory>
<Directory $DIR/htdocs/local>
  AddType text/x-local .txt
  AddCharset ISO-8859-1 .txt
</Directory>
# RemoveEncoding, RemoveLanguage and RemoveCharset undo what a section
# inherits; removals apply after the section's own additions too, and
# are not inherited.
<Directory $DIR/htdocs/unmapped>
  RemoveEncoding .gz
  RemoveLanguage .EN
  RemoveCharset utf8
</Directory>
<Directory $DIR/htdocs/unmapped/readd>
  AddEncoding gzip .gz
  AddLanguage en-GB .en
</Directory>
# Under a section with mod_mime settings of its own, the removals apply
# to that section's tables only: the server's AddEncoding stays.
<Directory $DIR/htdocs/typed>
  AddType text/x-typed .typ
</Directory>
<Directory $DIR/htdocs/typed/unmapped>
  RemoveEncoding .gz
  RemoveCharset .utf8
</Directory>
<Directory $DIR/htdocs/unmapped/both>
  RemoveEncoding .Z
  AddEncoding x-compress2 .Z
  AddLanguage fr .de
  RemoveLanguage .de
  AddCharset KOI8-R .utf8
</Directory>
<Files "*.forcefile">
  ForceType text/x-by-files
</Files>
<VirtualHost *:${P2}>
  ServerName types.test
  TypesConfig $DIR/mini.types
  RemoveEncoding .Z
</VirtualHost>
`
	names := []string{"a.txt", "a.html", "a.css", "a.js", "a.json", "a.png", "a.svg", "a.pdf", "a.cust", "a.nodot",
		"a.h2", "a.prm", "a.txt.utf8", "a.html.utf8", "a.tar.gz", "a.txt.gz", "a.txt.Z", "a.html.en", "a.en.html",
		"a.html.de.en", "a.TXT", "a.Cust", "a.unknownext", "README", "a.txt.unknownext", "a.unknownext.txt",
		".hidden", "a.", "a.gz", "a.forcefile", "a.html.forcefile"}
	files := map[string]string{"mini.types": "text/x-mini txt\n# comment\napplication/x-mini-html html htm\n"}
	var reqs []request
	for _, n := range names {
		files["htdocs/"+n] = "content of " + n + "\n"
		reqs = append(reqs, get("/"+n))
	}
	for _, d := range []string{"charset-on", "charset-utf8", "charset-utf8/off", "force", "force/none", "charset-force", "removed", "local"} {
		for _, n := range []string{"a.txt", "a.html", "a.css", "a.cust", "a.txt.utf8", "a.h2", "a.unknownext"} {
			files["htdocs/"+d+"/"+n] = "content of " + n + "\n"
			reqs = append(reqs, get("/"+d+"/"+n))
		}
	}
	for _, n := range []string{"a.txt", "a.html", "a.cust", "a.css", "a.txt.Z", "a.txt.gz"} {
		reqs = append(reqs, get("/"+n, port(1), host("types.test")))
	}
	for _, d := range []string{"unmapped", "unmapped/readd", "unmapped/both", "typed/unmapped"} {
		for _, n := range []string{"a.txt.gz", "a.txt.Z", "a.html.en", "a.html.de", "a.txt.utf8", "a.html.de.en"} {
			files["htdocs/"+d+"/"+n] = "content of " + n + "\n"
			reqs = append(reqs, get("/"+d+"/"+n))
		}
	}
	reqs = append(reqs, do("HEAD", "/a.txt.gz"), get("/a.txt.gz", hdr("Range: bytes=0-3")),
		get("/a.html.en", hdr("Range: bytes=0-1,3-4")), do("OPTIONS", "/a.html.en"))
	return site{
		name: "mime", host: "mime.test", ports: 2, reqs: reqs,
		conf: head(stdMods...) + conf, files: files,
	}
}
