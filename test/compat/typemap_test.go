package compat

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// typemapSite covers mod_negotiation's type maps: the type-map handler
// (AddHandler type-map var, or the type application/x-type-map) on maps
// whose variants differ by type with qs, language, charset and encoding,
// named by URI in the map's directory and in a subdirectory, or inline
// after Body:; header names in any case, comment and continuation lines;
// a map MultiViews finds (MultiviewsMatch Handlers) and one it leaves out
// (NegotiatedOnly); DirectoryIndex index.html.var; maps Apache refuses
// (a line without ':', a header without value, a bad Content-Length, a
// Body: without its end tag, a missing map) and variants that fail (a
// missing file, a variant that is a map itself, one without a type);
// Accept, Accept-Language with LanguagePriority and ForceLanguagePriority,
// Accept-Charset and Accept-Encoding; the 300 (Negotiate: vlist, trans,
// 1.0) and 406 pages with their Alternates and descriptions; HEAD,
// OPTIONS, POST, PUT, conditional and range requests, with the ETag and
// its variant list validator; HTTP/1.0's Expires and CacheNegotiatedDocs;
// Debian's localized error pages (type maps with Body:s) as an
// ErrorDocument, without mod_include, and a URI map as one; the error
// log.
func typemapSite() site {
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName tm.test
ServerTokens Prod
DocumentRoot $DIR/htdocs
AddHandler type-map var
AddLanguage en .en
AddLanguage de .de
AddLanguage fr .fr
AddEncoding gzip .gz
AddCharset UTF-8 .utf8
AddCharset ISO-8859-2 .latin2
Alias /error/ /usr/share/apache2/error/
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/htdocs/mv>
  Options +MultiViews
  MultiviewsMatch Handlers
</Directory>
<Directory $DIR/htdocs/mvn>
  Options +MultiViews
</Directory>
<Directory $DIR/htdocs/idx>
  DirectoryIndex index.html.var
</Directory>
<Directory $DIR/htdocs/ct>
  RemoveHandler .var
  AddType application/x-type-map .map
</Directory>
<Directory $DIR/htdocs/prio>
  LanguagePriority de en
  ForceLanguagePriority Fallback
</Directory>
<Directory $DIR/htdocs/maps>
  <Files "secret.html">
    Require all denied
  </Files>
</Directory>
<Directory $DIR/htdocs/ed>
  ErrorDocument 404 /error/HTTP_NOT_FOUND.html.var
  ErrorDocument 403 /maps/page.var
  <Files "denied.txt">
    Require all denied
  </Files>
</Directory>
# Debian's localized-error-pages.conf, without mod_include's filter.
<Directory "/usr/share/apache2/error">
  AllowOverride None
  Options IncludesNoExec
  AddHandler type-map var
  Require all granted
  LanguagePriority en cs de es fr it ja ko nl pl pt-br ro sv tr
  ForceLanguagePriority Prefer Fallback
</Directory>
<VirtualHost 127.0.0.1:${P2}>
  ServerName cached.tm.test
  CacheNegotiatedDocs On
</VirtualHost>
`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("the compressed text\n"))
	zw.Close()
	pageMap := "# The page in three languages.\n" +
		"URI: page\n" +
		"\n" +
		"URI: page.html.en\n" +
		"Content-Type: text/html\n" +
		"Content-Language: en\n" +
		"Description: English\n" +
		"\n" +
		"uri: page.html.de\n" +
		"CONTENT-TYPE: text/html\n" +
		"  ; qs=0.9\n" +
		"content-language: de\n" +
		"Description: German (Deutsch)\n" +
		"  version\n" +
		"\n" +
		"URI: page.html.fr\n" +
		"# A length of its own, which Alternates shows.\n" +
		"Content-Type: text/html; qs=0.8\n" +
		"Content-Language: fr\n" +
		"Content-Length: 99\n"
	bodyMap := "Content-Language: en\n" +
		"Content-Type: text/plain\n" +
		"Body:----en----\n" +
		"Hello in English\n" +
		"----en----\n" +
		"\n" +
		"Content-Language: de\n" +
		"Content-Type: text/plain; charset=UTF-8\n" +
		"Body:----de----\n" +
		"Hallo auf Deutsch, gr\xc3\xbc\xc3\x9f dich\n" +
		"----de---- trailing words\n"
	files := map[string]string{
		"htdocs/maps/page.var":     pageMap,
		"htdocs/maps/page.html.en": "<p>English</p>\n",
		"htdocs/maps/page.html.de": "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/maps/page.html.fr": "<p>Francais</p>\n",
		"htdocs/maps/types.var": "URI: doc.html\nContent-Type: text/html; qs=0.9\n\n" +
			"URI: doc.txt\nContent-Type: text/plain; qs=0.5\n\nURI: doc.pdf\nContent-Type: application/pdf\n",
		"htdocs/maps/doc.html": "<html><body>the doc in html</body></html>\n",
		"htdocs/maps/doc.txt":  "the doc in text\n",
		"htdocs/maps/doc.pdf":  "%PDF-1.4 not really\n",
		"htdocs/maps/cs.var": "URI: cs.html.utf8\nContent-Type: text/html; charset=UTF-8\n\n" +
			"URI: cs.html.latin2\nContent-Type: text/html; charset=iso-8859-2\n",
		"htdocs/maps/cs.html.utf8":   "<p>caf\xc3\xa9</p>\n",
		"htdocs/maps/cs.html.latin2": "<p>caf\xe9 latin2</p>\n",
		"htdocs/maps/enc.var": "URI: enc.txt\nContent-Type: text/plain\n\n" +
			"URI: enc.txt.gz\nContent-Type: text/plain\nContent-Encoding: gzip\n",
		"htdocs/maps/enc.txt":    "the plain text, longer than its compressed form, which is why it is longer\n",
		"htdocs/maps/enc.txt.gz": gz.String(),
		"htdocs/maps/body.var":   bodyMap,
		"htdocs/maps/rel.var": "URI: sub/x.html\nContent-Type: text/html\n\n" +
			"URI: y.txt\nContent-Type: text/plain\n",
		"htdocs/maps/sub/x.html":  "<p>x in sub</p>\n",
		"htdocs/maps/y.txt":       "y\n",
		"htdocs/maps/missing.var": "URI: nothere.html\nContent-Type: text/html\n",
		"htdocs/maps/broken.var":  "URI: page.html.en\nContent-Type: text/html\n\nthis line has no colon\n",
		"htdocs/maps/empty.var":   "URI:\n",
		"htdocs/maps/clen.var": "URI: page.html.en\nContent-Type: text/html\nContent-Length: 12x\n\n" +
			"URI: page.html.de\nContent-Type: text/html\n",
		"htdocs/maps/noend.var": "URI: y.txt\nContent-Type: text/plain\n\n" +
			"Content-Type: text/html\nBody:--end--\nno end tag here\n",
		"htdocs/maps/rec.var":       "URI: page.var\nContent-Type: text/html\n",
		"htdocs/maps/notype.var":    "URI: page.html.en\nContent-Language: en\n",
		"htdocs/mv/page.var":        pageMap,
		"htdocs/mv/page.html.en":    "<p>English</p>\n",
		"htdocs/mv/page.html.de":    "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/mv/page.html.fr":    "<p>Francais</p>\n",
		"htdocs/mv/page.txt":        "a candidate the map replaces\n",
		"htdocs/mv/body.var":        bodyMap,
		"htdocs/mv/broken.var":      "URI: page.html.en\nContent-Type: text/html\n\nno colon\n",
		"htdocs/mvn/page.var":       pageMap,
		"htdocs/mvn/page.html.en":   "<p>English</p>\n",
		"htdocs/mvn/page.html.de":   "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/idx/index.html.var": "URI: start.html.en\nContent-Type: text/html\nContent-Language: en\n\nURI: start.html.de\nContent-Type: text/html\nContent-Language: de\n",
		"htdocs/idx/start.html.en":  "<p>start</p>\n",
		"htdocs/idx/start.html.de":  "<p>Anfang</p>\n",
		"htdocs/ct/page.map":        "URI: page.html.en\nContent-Type: text/html\nContent-Language: en\n\nURI: page.html.de\nContent-Type: text/html\nContent-Language: de\n",
		"htdocs/ct/page.html.en":    "<p>English</p>\n",
		"htdocs/ct/page.html.de":    "<p>Deutsch</p>\n",
		"htdocs/prio/page.var":      pageMap,
		"htdocs/prio/page.html.en":  "<p>English</p>\n",
		"htdocs/prio/page.html.de":  "<p>Deutsch, etwas laenger</p>\n",
		"htdocs/prio/page.html.fr":  "<p>Francais</p>\n",
		"htdocs/ed/denied.txt":      "secret\n",
		"htdocs/maps/names.var": "URI: my%20page.html\nContent-Type: text/html\nDescription: <b>spaced</b> & escaped\n\n" +
			"URI: page.html.en\nContent-Type: text/html; qs=0.5\nContent-Encoding: x-gzip\nContent-Language: en, de\n",
		"htdocs/maps/my page.html": "<p>a name with a space</p>\n",
		"htdocs/maps/deny.var":     "URI: secret.html\nContent-Type: text/html\n",
		"htdocs/maps/secret.html":  "<p>secret</p>\n",
		"htdocs/maps/up.var":       "URI: ../maps/y.txt\nContent-Type: text/plain\n",
		"htdocs/maps/abs.var":      "URI: /maps/y.txt\nContent-Type: text/plain\n",
		"htdocs/mv/missing.var":    "URI: nothere.html\nContent-Type: text/html\n",
		"htdocs/mv/index.html.var": "URI: start.html.en\nContent-Type: text/html\nContent-Language: en\n\nURI: start.html.de\nContent-Type: text/html\nContent-Language: de\n",
		"htdocs/mv/start.html.en":  "<p>start</p>\n",
		"htdocs/mv/start.html.de":  "<p>Anfang</p>\n",
		"htdocs/mvn/neg.var":       "URI: page\nContent-Type: text/html\n",
	}
	// The ETag of page.html.en negotiated from maps/page.var: the
	// file's, then the map's as the variant list validator (which, as
	// Apache writes it, has no closing quote).
	mtime := strconv.FormatInt(oldTime.UnixMicro(), 16)
	etag := fmt.Sprintf(`"%x-%s;%x-%s`, len(files["htdocs/maps/page.html.en"]), mtime, len(pageMap), mtime)
	neg := also("Content-Location", "TCN", "Alternates", "ETag", "Variant-Vary")
	al := func(v string) reqOpt { return hdr("Accept-Language: " + v) }
	ac := func(v string) reqOpt { return hdr("Accept: " + v) }
	reqs := []request{
		// A map of files by language, requested by its name.
		get("/maps/page.var", neg), get("/maps/page.var", al("de"), neg), get("/maps/page.var", al("fr;q=0.5, de;q=0.4"), neg),
		get("/maps/page.var", al("ja"), neg), get("/maps/page.var", al("ja, *;q=0.1"), neg), get("/maps/page.var", ac("image/png"), neg),
		get("/maps/page.var", hdr("Negotiate: vlist"), neg), get("/maps/page.var", hdr("Negotiate: trans"), al("de"), neg),
		get("/maps/page.var", hdr("Negotiate: 1.0"), neg), get("/maps/page.var?x=1", al("fr"), neg), get("/maps/page.var/extra", neg),
		// Methods, conditions, ranges, HTTP/1.0 and CacheNegotiatedDocs.
		do("HEAD", "/maps/page.var", al("de"), neg), do("OPTIONS", "/maps/page.var", neg), do("POST", "/maps/page.var", body("a=1"), neg),
		do("PUT", "/maps/page.var", body("a"), neg), get("/maps/page.var", hdr("If-None-Match: "+etag), neg),
		get("/maps/page.var", hdr("If-Modified-Since: Wed, 01 Jan 2025 00:00:00 GMT"), neg), get("/maps/page.var", hdr("Range: bytes=0-3"), neg),
		get("/maps/page.var", http10(), neg), get("/maps/page.var", http10(), port(1), host("cached.tm.test"), neg),
		get("/maps/page.var", http10(), ac("image/png"), neg),
		// Types with qs, charsets, encodings.
		get("/maps/types.var", neg), get("/maps/types.var", ac("text/plain"), neg), get("/maps/types.var", ac("text/html;q=0.5, text/plain"), neg),
		get("/maps/types.var", ac("text/*"), neg), get("/maps/types.var", ac("application/pdf, text/*;q=0.1"), neg),
		get("/maps/cs.var", neg), get("/maps/cs.var", hdr("Accept-Charset: iso-8859-2"), neg), get("/maps/cs.var", hdr("Accept-Charset: koi8-r"), neg),
		get("/maps/enc.var", neg), get("/maps/enc.var", hdr("Accept-Encoding: gzip"), neg), get("/maps/enc.var", hdr("Accept-Encoding: x-gzip"), neg),
		get("/maps/enc.var", hdr("Accept-Encoding: identity"), neg),
		// Bodies inside the map.
		get("/maps/body.var", neg), get("/maps/body.var", al("de"), neg), get("/maps/body.var", al("de"), hdr("Accept-Charset: iso-8859-1"), neg),
		do("HEAD", "/maps/body.var", al("de"), neg), do("OPTIONS", "/maps/body.var", neg), do("POST", "/maps/body.var", body("a=1"), neg),
		do("PUT", "/maps/body.var", body("a"), neg), get("/maps/body.var", hdr("If-Modified-Since: Wed, 01 Jan 2025 00:00:00 GMT"), neg),
		get("/maps/body.var", hdr("If-Modified-Since: Wed, 01 Jan 2020 00:00:00 GMT"), neg), get("/maps/body.var", hdr("If-None-Match: *"), neg),
		get("/maps/body.var", hdr(`If-Match: "x"`), neg), get("/maps/body.var", hdr("Range: bytes=0-4"), neg),
		get("/maps/body.var", hdr("Range: bytes=100-200"), neg), get("/maps/body.var", http10(), al("de"), neg),
		get("/maps/body.var", hdr("Negotiate: vlist"), neg), get("/maps/body.var", ac("image/png"), neg),
		// Variants elsewhere, missing, negotiating themselves, typeless.
		get("/maps/rel.var", neg), get("/maps/rel.var", ac("text/html"), neg), get("/maps/missing.var", neg), get("/maps/rec.var", neg),
		get("/maps/notype.var", neg), get("/maps/names.var", neg), get("/maps/names.var", ac("image/png"), neg),
		get("/maps/names.var", hdr("Accept-Encoding: gzip"), ac("text/html;q=0.1"), al("de"), neg), get("/maps/deny.var", neg),
		get("/maps/deny.var", hdr("Negotiate: vlist"), neg), get("/maps/up.var", neg), get("/maps/abs.var", neg), get("/mv/missing", neg),
		get("/mvn/neg.var", neg), get("/mvn/neg.var/x", neg),
		// Maps Apache refuses.
		get("/maps/broken.var", neg), get("/maps/empty.var", neg), get("/maps/clen.var", neg), get("/maps/noend.var", neg),
		get("/maps/noend.var", ac("text/html"), neg), get("/maps/nosuch.var", neg),
		// Maps found by MultiViews, or not; DirectoryIndex; the type.
		get("/mv/page", neg), get("/mv/page", al("de"), hdr("Negotiate: vlist"), neg), get("/mv/page", al("fr"), neg),
		get("/mv/page/extra", neg), get("/mv/body", al("de"), neg), get("/mv/broken", neg), get("/mvn/page", al("de"), neg),
		get("/mv/page", http10(), neg), get("/mv/body", http10(), neg), get("/mv/", al("de"), neg),
		get("/idx/", neg), get("/idx/", al("de"), neg), get("/ct/page.map", al("de"), neg),
		get("/prio/page.var", al("ja"), neg), get("/prio/page.var", neg),
		// Debian's localized error pages, and a map as an ErrorDocument.
		get("/ed/nothing", neg), get("/ed/nothing", al("de"), neg), get("/ed/nothing", al("ja, fr;q=0.5"), neg),
		do("HEAD", "/ed/nothing", al("fr"), neg), get("/ed/denied.txt", al("de"), neg),
	}
	return site{
		name: "typemap", host: "tm.test", ports: 2, reqs: reqs, errorLog: true,
		headers: []string{"Expires"},
		conf:    head(append(append([]string(nil), stdMods...), "negotiation")...) + conf,
		files:   files,
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
