package compat

import (
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// multiviewsSite covers mod_negotiation's MultiViews: a name without its
// extensions resolved to one of the files "name.*" of its directory by
// the Accept headers (media type with q values and wildcards, language
// with prefix matching, charset, encoding) and the tie-breakers (source
// quality from a type's qs, LanguagePriority with ForceLanguagePriority
// Prefer and Fallback, the smallest file); Vary, Content-Location, TCN
// and the ETag with its variant list validator; the 406 and 300 pages
// with their list of variants; Negotiate (trans, vlist, "*", 1.0);
// MultiviewsMatch (NegotiatedOnly, Any, Handlers, with a WSGI script as
// a variant that a query string prefers); names with no variant that
// can be negotiated; directories among the candidates; DirectoryIndex
// "index"; PATH_INFO after the name with AcceptPathInfo; variants denied
// by <Files>; Options MultiViews from .htaccess; HEAD, conditional and
// range requests; HTTP/1.0; fix_encoding's x-gzip; the no-gzip and
// prefer-language variables; and names that exist (no negotiation).
func multiviewsSite() site {
	conf := `Listen 127.0.0.1:${P1}
# mod_wsgi's lines about loading scripts depend on Apache's processes.
LogLevel info wsgi:warn
ServerName mv.test
ServerTokens Prod
DocumentRoot $DIR/htdocs
AddLanguage en .en
AddLanguage de .de
AddLanguage fr .fr
AddLanguage en-GB .uk
AddEncoding gzip .gz
AddCharset UTF-8 .utf8
AddCharset ISO-8859-2 .latin2
AddType "text/html; qs=0.4" .lowq
BrowserMatch nogzip no-gzip
BrowserMatch french prefer-language=fr
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/mv>
  Options +MultiViews
</Directory>
<Directory $DIR/htdocs/mv/prio>
  LanguagePriority de fr en
</Directory>
<Directory $DIR/htdocs/mv/fallback>
  LanguagePriority fr de
  ForceLanguagePriority Fallback
</Directory>
<Directory $DIR/htdocs/mv/both>
  LanguagePriority fr de
  ForceLanguagePriority Prefer Fallback
</Directory>
<Directory $DIR/htdocs/mv/any>
  MultiviewsMatch Any
</Directory>
<Directory $DIR/htdocs/mv/handlers>
  MultiviewsMatch Handlers
  Options +ExecCGI
  AddHandler wsgi-script .wsgi
</Directory>
<Directory $DIR/htdocs/mv/hnone>
  Options +ExecCGI
  AddHandler wsgi-script .wsgi
</Directory>
<Directory $DIR/htdocs/mv/pi>
  AcceptPathInfo On
</Directory>
<Directory $DIR/htdocs/mv/idx>
  DirectoryIndex index
</Directory>
<Directory $DIR/htdocs/mv/deny>
  <Files "*.de">
    Require all denied
  </Files>
</Directory>
<Directory $DIR/htdocs/mv/alldeny>
  <Files "x.*">
    Require all denied
  </Files>
</Directory>
<Directory $DIR/htdocs/ht>
  AllowOverride Options=MultiViews
</Directory>
<Directory $DIR/htdocs/ht/strict>
  AllowOverride Options
</Directory>
`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("the compressed text of enc\n"))
	zw.Close()
	app := `def application(environ, start_response):
    body = ('app %s|%s|%s\n' % (environ.get('SCRIPT_NAME'), environ.get('PATH_INFO'),
            environ.get('QUERY_STRING'))).encode()
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body]
`
	files := map[string]string{
		"htdocs/mv/page.html.en":        "<p>English</p>\n",
		"htdocs/mv/page.html.de":        "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/mv/page.html.fr":        "<p>Francais, un peu plus</p>\n",
		"htdocs/mv/doc.html":            "<html><body>the doc in html, longer than the text</body></html>\n",
		"htdocs/mv/doc.txt":             "the doc in text\n",
		"htdocs/mv/enc.txt":             "the plain text of enc, which is longer than its compressed form\n",
		"htdocs/mv/enc.txt.gz":          gz.String(),
		"htdocs/mv/cs.html.utf8":        "<p>caf\xc3\xa9</p>\n",
		"htdocs/mv/cs.html.latin2":      "<p>caf\xe9 latin2</p>\n",
		"htdocs/mv/q.html":              "<p>q html, the longer of the two files</p>\n",
		"htdocs/mv/q.lowq":              "<p>low qs</p>\n",
		"htdocs/mv/uk.html.en":          "<p>en</p>\n",
		"htdocs/mv/uk.html.uk":          "<p>en-GB, longer</p>\n",
		"htdocs/mv/sub/x.txt":           "x\n",
		"htdocs/mv/sub.html":            "<p>sub.html</p>\n",
		"htdocs/mv/dir.d/x.txt":         "x\n",
		"htdocs/mv/dir.txt":             "dir.txt\n",
		"htdocs/mv/only.zzz":            "no metadata\n",
		"htdocs/mv/foo.html.zzz":        "backup\n",
		"htdocs/mv/bak.html.bak":        "backup\n",
		"htdocs/mv/any/foo.html.zzz":    "backup in any\n",
		"htdocs/mv/any/only.zzz":        "no type\n",
		"htdocs/ht/strict/.htaccess":    "Options +MultiViews\n",
		"htdocs/ht/strict/page.html.en": "<p>English</p>\n",
		"htdocs/mv/prio/page.html.en":   "<p>English</p>\n",
		"htdocs/mv/prio/page.html.de":   "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/mv/prio/page.html.fr":   "<p>Francais, un peu plus</p>\n",
		"htdocs/mv/fallback/p.html.en":  "<p>English</p>\n",
		"htdocs/mv/fallback/p.html.de":  "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/mv/fallback/p.html.fr":  "<p>Francais, un peu plus</p>\n",
		"htdocs/mv/both/p.html.en":      "<p>English</p>\n",
		"htdocs/mv/both/p.html.de":      "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/mv/both/p.html.fr":      "<p>Francais, un peu plus</p>\n",
		"htdocs/mv/handlers/app.wsgi":   app,
		"htdocs/mv/handlers/app.html":   "<p>app.html</p>\n",
		"htdocs/mv/hnone/app.wsgi":      app,
		"htdocs/mv/pi/page.html.en":     "<p>English</p>\n",
		"htdocs/mv/idx/index.html.en":   "<p>index en</p>\n",
		"htdocs/mv/idx/index.html.de":   "<p>index de</p>\n",
		"htdocs/mv/deny/page.html.en":   "<p>English</p>\n",
		"htdocs/mv/deny/page.html.de":   "<p>Deutsch</p>\n",
		"htdocs/mv/deny/page.html.fr":   "<p>Francais, un peu plus</p>\n",
		"htdocs/mv/alldeny/x.html":      "<p>x</p>\n",
		"htdocs/mv/alldeny/x.txt":       "x\n",
		"htdocs/ht/.htaccess":           "Options +MultiViews\n",
		"htdocs/ht/page.html.en":        "<p>English</p>\n",
		"htdocs/ht/page.html.de":        "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/ht/off/.htaccess":       "Options -MultiViews\n",
		"htdocs/ht/off/page.html.en":    "<p>English</p>\n",
		"htdocs/plain/page.html.en":     "<p>English</p>\n",
	}
	neg := also("Content-Location", "TCN", "Alternates", "ETag", "Expires")
	al := func(v string) reqOpt { return hdr("Accept-Language: " + v) }
	ac := func(v string) reqOpt { return hdr("Accept: " + v) }
	reqs := []request{
		// Languages.
		get("/mv/page", neg), get("/mv/page", al("de"), neg), get("/mv/page", al("fr, de;q=0.5"), neg),
		get("/mv/page", al("de;q=0.2, fr;q=0.9, en;q=0.5"), neg), get("/mv/page", al("en-US"), neg),
		get("/mv/page", al("ja"), neg), get("/mv/page", al("ja, *;q=0.1"), neg), get("/mv/page", al("*"), neg),
		get("/mv/page", al("DE"), neg), get("/mv/page.html", al("fr"), neg),
		get("/mv/uk", al("en-gb"), neg), get("/mv/uk", al("en"), neg), get("/mv/uk", al("en-us"), neg),
		// LanguagePriority and ForceLanguagePriority.
		get("/mv/prio/page", neg), get("/mv/prio/page", al("en"), neg), get("/mv/prio/page", al("en;q=0.5, fr;q=0.5"), neg),
		get("/mv/prio/page", al("ja"), neg), get("/mv/fallback/p", al("ja"), neg), get("/mv/fallback/p", neg),
		get("/mv/fallback/p", al("en"), neg), get("/mv/both/p", al("ja"), neg), get("/mv/both/p", al("en;q=0.5, de;q=0.5"), neg),
		// Media types.
		get("/mv/doc", neg), get("/mv/doc", ac("text/plain"), neg), get("/mv/doc", ac("text/html"), neg),
		get("/mv/doc", ac("text/*"), neg), get("/mv/doc", ac("text/html;q=0.5, text/plain;q=0.6"), neg),
		get("/mv/doc", ac("text/*;q=0.3, text/html;q=0.2"), neg), get("/mv/doc", ac("image/png"), neg),
		get("/mv/doc", ac("image/png"), al("en"), neg), get("/mv/q", neg), get("/mv/q", ac("text/html"), neg),
		// Encodings and charsets.
		get("/mv/enc", neg), get("/mv/enc", hdr("Accept-Encoding: gzip"), neg),
		get("/mv/enc", hdr("Accept-Encoding: x-gzip"), neg), get("/mv/enc", hdr("Accept-Encoding: identity;q=0.5, gzip;q=0.4"), neg),
		get("/mv/enc", hdr("Accept-Encoding: gzip", "User-Agent: nogzip"), neg), get("/mv/enc.txt.gz", hdr("Accept-Encoding: x-gzip"), neg),
		get("/mv/cs", neg), get("/mv/cs", hdr("Accept-Charset: utf-8"), neg), get("/mv/cs", hdr("Accept-Charset: iso-8859-2, utf-8;q=0.5"), neg),
		get("/mv/cs", hdr("Accept-Charset: koi8-r"), neg), get("/mv/cs", hdr("Accept-Charset: koi8-r, *;q=0.1"), neg),
		// prefer-language.
		get("/mv/page", hdr("User-Agent: french"), al("de"), neg),
		// Negotiate: transparent content negotiation.
		get("/mv/page", hdr("Negotiate: trans"), neg), get("/mv/page", hdr("Negotiate: vlist"), al("de"), neg),
		get("/mv/page", hdr("Negotiate: *"), al("de"), neg), get("/mv/page", hdr("Negotiate: 1.0"), al("fr"), neg),
		get("/mv/page", hdr("Negotiate: 1.0"), neg), get("/mv/page", hdr("Negotiate: trans", "User-Agent: Lynx/2.8"), neg),
		// Names that do not negotiate, or not to a file.
		get("/mv/doc.html", neg), get("/mv/nothing", neg), get("/mv/PAGE", neg), get("/mv/sub", neg), get("/mv/su", neg),
		get("/mv/dir", neg), get("/mv/only", neg), get("/mv/foo.html", neg), get("/mv/bak", neg), get("/mv/any/foo.html", neg), get("/mv/any/only", neg),
		get("/plain/page", neg), get("/ht/page", al("de"), neg), get("/ht/off/page", neg), get("/ht/strict/page", neg),
		get("/mv/deny/page", al("de"), neg), get("/mv/deny/page", al("de, fr;q=0.1"), neg), get("/mv/alldeny/x", neg),
		// Scripts as variants: MultiviewsMatch Handlers.
		get("/mv/handlers/app", neg), get("/mv/handlers/app?x=1", neg), do("POST", "/mv/handlers/app", body("a=1"), neg),
		get("/mv/handlers/app/more", neg), get("/mv/hnone/app", neg),
		// DirectoryIndex, PATH_INFO.
		get("/mv/idx/", al("de"), neg), get("/mv/idx/", neg), get("/mv/page/extra", neg), get("/mv/pi/page/extra", neg),
		get("/mv/pi/page/", neg),
		// Methods, conditions, ranges, HTTP/1.0.
		do("HEAD", "/mv/page", al("de"), neg), do("POST", "/mv/page", body("x=1"), neg), do("OPTIONS", "/mv/page", neg),
		do("PUT", "/mv/page", body("x"), neg), get("/mv/page?q=1", neg),
		get("/mv/page", hdr("If-Modified-Since: Wed, 01 Jan 2025 00:00:00 GMT"), neg),
		get("/mv/page", hdr("If-None-Match: *"), neg), get("/mv/page", hdr("Range: bytes=0-3"), neg),
		get("/mv/page", http10(), neg), get("/mv/doc", http10(), ac("text/plain"), neg),
	}
	return site{
		name: "multiviews", host: "mv.test", ports: 1, reqs: reqs, errorLog: true,
		conf:  head(append(append([]string(nil), stdMods...), "negotiation", "setenvif", "wsgi")...) + conf,
		files: files,
		// The directories' times too: the variant list validator is
		// the directory's modification time, weak within a second.
		setup: func(t *testing.T, dir string) {
			filepath.WalkDir(filepath.Join(dir, "htdocs"), func(p string, d fs.DirEntry, err error) error {
				if err == nil && d.IsDir() {
					os.Chtimes(p, oldTime, oldTime)
				}
				return nil
			})
		},
	}
}
