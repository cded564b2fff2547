package compat

// errdocListingSite covers ErrorDocuments whose local path is answered
// by something other than a file: a directory listing (mod_autoindex)
// served as the error document reads the redirect's method (a GET) and
// query, not the client's, and a Range is ignored (the byterange filter
// handles only 200); an ErrorDocument that fails itself (a 403, a
// DirectorySlash redirect, a missing file) gives the canned page that
// names the original error ("Additionally, a 404 Not Found error...").
// Under DEFLATE, a listing's answer to HEAD keeps its header as it is
// (mod_autoindex passes only the end; mod_deflate then steps aside).
func errdocListingSite() site {
	conf := head(append(append([]string(nil), stdMods...), "autoindex", "filter", "deflate")...) + `Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/htdocs
<Directory $DIR/htdocs/gz>
  SetOutputFilter DEFLATE
</Directory>
<Directory />
  Require all granted
</Directory>
<Directory $DIR/htdocs>
  Options Indexes
</Directory>
<Directory $DIR/htdocs/forb>
  Require all denied
</Directory>
<Directory $DIR/htdocs/ed/listing>
  ErrorDocument 404 /idx/
</Directory>
<Directory $DIR/htdocs/ed/sorted>
  ErrorDocument 404 /idx/?C=S;O=D
</Directory>
<Directory $DIR/htdocs/ed/forbidden>
  ErrorDocument 404 /forb/page.html
</Directory>
<Directory $DIR/htdocs/ed/slash>
  ErrorDocument 404 /idx
</Directory>
<Directory $DIR/htdocs/ed/missing>
  ErrorDocument 404 /nothing-here.html
</Directory>
`
	files := map[string]string{
		"htdocs/idx/a.txt":      "a",
		"htdocs/idx/bb.txt":     "bbbbbbbbbb",
		"htdocs/idx/ccc.txt":    "cc",
		"htdocs/forb/page.html": "forbidden page",
		"htdocs/ed/listing/x":   "x",
		"htdocs/ed/sorted/x":    "x",
		"htdocs/ed/forbidden/x": "x",
		"htdocs/ed/slash/x":     "x",
		"htdocs/ed/missing/x":   "x",
		"htdocs/gz/a.txt":       "a",
	}
	return site{
		name: "errdoc-listing", host: "main.test", conf: conf, ports: 1, files: files,
		reqs: []request{
			get("/ed/listing/nx"),
			get("/ed/listing/nx", hdr("Range: bytes=0-5")),
			get("/ed/listing/nx", hdr("Range: bytes=0-5,10-20")),
			get("/ed/listing/nx", hdr("Range: bytes=9999-")),
			get("/ed/listing/nx?C=N;O=D"),
			do("POST", "/ed/listing/nx"),
			do("HEAD", "/ed/listing/nx"),
			get("/ed/sorted/nx"),
			get("/ed/sorted/nx?C=N;O=A"),
			get("/ed/forbidden/nx"),
			get("/ed/slash/nx"),
			get("/ed/missing/nx"),
			do("HEAD", "/gz/", hdr("Accept-Encoding: gzip"), also("Content-Encoding")),
			get("/gz/", hdr("Accept-Encoding: gzip"), also("Content-Encoding")),
		},
	}
}
