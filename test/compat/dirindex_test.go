package compat

import "testing"

// dirIndexSite covers what mod_dir passes on from the sub-request of an
// index name that fails: the last name's 401 goes out with its
// challenge, a 406 or 300 of the last (or only) name with its
// negotiation headers and variant list, the failure of an earlier name
// is logged (AH00690) and the next name tried; DirectorySlash
// redirects a HEAD under redirect-carefully as a GET; a directory
// listing refused without any index lookup says "(none)"; and a
// FallbackResource file served for a MultiViews miss carries the
// variant list's validator in its ETag.
func dirIndexSite() site {
	conf := head(append(append([]string(nil), authMods...), "negotiation", "setenvif")...) + `Listen 127.0.0.1:${P1}
ServerName dirindex.test
DocumentRoot $DIR/htdocs
AddLanguage en .en
AddLanguage de .de
BrowserMatch carefully redirect-carefully
<Directory />
  AllowOverride None
  Require all granted
  Options -Indexes
</Directory>
<Directory $DIR/htdocs/last>
  DirectoryIndex a.html b.html
  <Files b.html>
    AuthType Basic
    AuthName "idx"
    AuthUserFile $DIR/htpasswd
    Require valid-user
  </Files>
</Directory>
<Directory $DIR/htdocs/neg>
  Options +MultiViews
  DirectoryIndex index.html index.txt
</Directory>
<Directory $DIR/htdocs/one>
  Options +MultiViews
</Directory>
<Directory $DIR/htdocs/mv>
  Options +MultiViews
  DirectoryIndex index.html index.txt
</Directory>
<Directory $DIR/htdocs/noslash>
  DirectorySlash Off
</Directory>
<Directory $DIR/htdocs/fb>
  Options +MultiViews
  FallbackResource /fb/front.html
</Directory>
`
	reqs := []request{
		get("/last/"), get("/last/", auth("u", "pw")), get("/last/", auth("u", "wrong")),
		get("/neg/", hdr("Accept-Language: ja"), also("Alternates", "TCN")),
		get("/neg/", hdr("Accept-Language: en"), also("Alternates", "TCN")),
		get("/one/", hdr("Accept-Language: ja"), also("Alternates", "TCN")),
		do("HEAD", "/one/", hdr("Accept-Language: ja"), also("Alternates", "TCN")),
		get("/one/", hdr("Negotiate: vlist"), also("Alternates", "TCN")),
		get("/mv/", hdr("Accept-Language: ja")),
		do("HEAD", "/neg", hdr("User-Agent: carefully")), do("POST", "/neg", hdr("User-Agent: carefully"), body("a=1")),
		get("/noslash"), get("/fb/nothing", also("ETag")),
	}
	files := map[string]string{
		"htdocs/last/b.html":       "b\n",
		"htdocs/neg/index.html.en": "<p>en</p>\n",
		"htdocs/neg/index.txt.en":  "en\n",
		"htdocs/one/index.html.en": "<p>en</p>\n",
		"htdocs/one/index.html.de": "<p>de</p>\n",
		"htdocs/mv/index.html.en":  "<p>en</p>\n",
		"htdocs/mv/index.txt":      "plain\n",
		"htdocs/noslash/x.txt":     "x\n",
		"htdocs/fb/front.html":     "<p>front</p>\n",
	}
	return site{
		name: "dirindex", host: "dirindex.test", ports: 1, reqs: reqs, errorLog: true,
		conf: conf, files: files,
		setup: func(t *testing.T, dir string) { htpasswd(t, dir, "B", "htpasswd", "u", "pw") },
	}
}
