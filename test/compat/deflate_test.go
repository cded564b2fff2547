package compat

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/gowsgid/gowsgid/internal/textgen"
)

// deflateSite covers mod_deflate and mod_brotli as Debian's deflate.conf
// sets them up (AddOutputFilterByType) and as sites add to it
// (SetOutputFilter, AddOutputFilter, BROTLI_COMPRESS before DEFLATE,
// DeflateAlterETag, no-gzip, gzip-only-text/html, force-gzip): which
// responses are compressed (Accept-Encoding with q values, small
// responses, responses already encoded, 304s, error pages, WSGI
// responses whole and streamed), and the header each gets (Vary,
// Content-Encoding, ETag suffix, Content-Length or chunked). Bodies are
// compared decoded.
func deflateSite() site {
	mods := append(append([]string(nil), stdMods...), "filter", "deflate", "brotli", "setenvif", "headers", "env", "wsgi")
	conf := head(mods...) + `Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/htdocs
AddOutputFilterByType DEFLATE text/html text/plain text/css application/json
AddEncoding gzip .gz
SetEnvIfNoCase Request_URI "\.json$" no-gzip
BrowserMatch "^OldBrowser" gzip-only-text/html=1
SetEnvIf Request_URI "^/force/" force-gzip
WSGIScriptAlias /app $DIR/app.wsgi
<Directory />
  Require all granted
</Directory>
<Directory $DIR/htdocs/set>
  SetOutputFilter DEFLATE
</Directory>
<Directory $DIR/htdocs/ext>
  AddOutputFilter DEFLATE .dat
</Directory>
<Location /br>
  AddOutputFilterByType BROTLI_COMPRESS;DEFLATE text/html
</Location>
# The http_header filter's last changes: force-no-vary drops Vary
# (and answers HTTP/1.0), nokeepalive closes the connection.
SetEnvIf Request_URI "^/nv/" force-no-vary
SetEnvIf Request_URI "^/nka/" nokeepalive
# As Debian's setenvif.conf: old Java clients get HTTP/1.0 answers.
BrowserMatch "Java/1\.0" force-response-1.0
Alias /nv $DIR/htdocs
Alias /nka $DIR/htdocs
WSGIScriptAlias /nvapp $DIR/app.wsgi
<Location /nvapp>
  SetEnv force-no-vary 1
</Location>
<Directory $DIR/htdocs/nommap>
  EnableMMAP Off
</Directory>
WSGIScriptAlias /brapp $DIR/app.wsgi
<Location /brapp>
  SetOutputFilter BROTLI_COMPRESS
</Location>
# mod_filter's AddOutputFilterByType filters only a 200, unless
# filter-errordocs is set; SetOutputFilter filters any status.
WSGIScriptAlias /setapp $DIR/app.wsgi
<Location /setapp>
  SetOutputFilter DEFLATE
</Location>
WSGIScriptAlias /errdocs $DIR/app.wsgi
<Location /errdocs>
  SetEnv filter-errordocs 1
</Location>
# A scope that names a filter in AddOutputFilterByType replaces the
# enclosing scopes' types for it; types are compared with case.
Alias /css-only $DIR/htdocs
<Location /css-only>
  AddOutputFilterByType DEFLATE text/css
</Location>
WSGIScriptAlias /upcase $DIR/app.wsgi
<Location /upcase>
  AddOutputFilterByType DEFLATE Text/HTML
</Location>
# mod_headers' filter runs after DEFLATE's: it sees and changes what
# DEFLATE made of the response, and cannot change what it decided.
Alias /hdr/edit $DIR/htdocs
Alias /hdr/unsetvary $DIR/htdocs
Alias /hdr/setvary $DIR/htdocs
Alias /hdr/append $DIR/htdocs
Alias /hdr/always $DIR/htdocs
Alias /hdr/setfilter $DIR/htdocs
Alias /hdr/ctoctet $DIR/htdocs
Alias /hdr/cthtml $DIR/htdocs
WSGIScriptAlias /hdr/app $DIR/app.wsgi
<Location /hdr/edit>
  Header edit ETag "^\"(.*)-gzip\"$" "\"$1\""
</Location>
<Location /hdr/unsetvary>
  Header unset Vary
</Location>
<Location /hdr/setvary>
  Header set Vary Cookie
</Location>
<Location /hdr/append>
  Header append Vary User-Agent
</Location>
<Location /hdr/always>
  Header always unset Vary
  Header always set X-CE "expr=%{resp:Content-Encoding}"
</Location>
<Location /hdr/setfilter>
  SetOutputFilter DEFLATE
  Header edit ETag "^\"(.*)-gzip\"$" "\"$1\""
  Header append Vary X-Mine
</Location>
<Location /hdr/ctoctet>
  Header set Content-Type application/octet-stream
</Location>
<Location /hdr/cthtml>
  Header set Content-Type text/html
</Location>
<Location /hdr/app>
  Header edit ETag "^\"(.*)-gzip\"$" "\"$1\""
  Header unset Vary
</Location>
<VirtualHost *:${P1}>
  ServerName main.test
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName css.test
  AddOutputFilterByType DEFLATE text/css
</VirtualHost>
<VirtualHost *:${P1}>
  ServerName etag.test
  DeflateAlterETag NoChange
  DeflateCompressionLevel 1
</VirtualHost>
`
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"alpha", "beta", "gamma", "delta", "omega", "lorem", "ipsum"}
	var b strings.Builder
	b.WriteString("<html>")
	for i := 0; i < 3000; i++ {
		b.WriteString(words[rng.IntN(len(words))] + " ")
	}
	b.WriteString("</html>\n")
	big := b.String()
	gz := also("ETag")
	ae := func(v string) reqOpt { return hdr("Accept-Encoding: " + v) }
	inm := func(tag string) reqOpt { return hdr(`If-None-Match: "` + tag + `"`) }
	// big.html's ETag (FileETag MTime Size), without its quotes.
	bigTag := fmt.Sprintf("%x-%x", len(big), oldTime.UnixMicro())
	reqs := []request{
		get("/big.html", gz), get("/big.html", ae("gzip"), gz), get("/big.html", ae("gzip;q=0"), gz),
		get("/big.html", ae("gzip;q=0.0, deflate"), gz), get("/big.html", ae("deflate, gzip;q=0.5"), gz),
		get("/big.html", ae("x-gzip"), gz), get("/big.html", ae("GZIP"), gz), get("/big.html", ae("identity"), gz),
		get("/big.html", ae("gzip"), host("etag.test"), gz),
		do("HEAD", "/big.html", ae("gzip"), gz, known("a HEAD for a compressed file gets the length of Go's gzip stream, not zlib's")),
		get("/big.html", ae("gzip"), hdr("Range: bytes=0-99"), gz, known("a Range of a compressible file is a range of the file, not compressed; Apache compresses the file and sends the range of the compressed bytes")),
		get("/big.html", ae("gzip"), hdr(`If-None-Match: "x"`), gz),
		get("/small.html", ae("gzip"), gz), get("/mid.html", ae("gzip"), gz), get("/edge.html", ae("gzip"), gz),
		get("/data.json", ae("gzip"), gz), get("/style.css", ae("gzip"), gz),
		get("/style.css", ae("gzip"), hdr("User-Agent: OldBrowser/1.0"), gz), get("/big.html", ae("gzip"), hdr("User-Agent: OldBrowser/1.0"), gz),
		get("/pre.html.gz", ae("gzip"), gz), get("/image.png", ae("gzip"), gz),
		get("/set/image.png", ae("gzip"), gz), get("/set/image.png", gz), get("/ext/blob.dat", ae("gzip"), gz), get("/ext/blob.bin", ae("gzip"), gz),
		get("/force/big.html", gz), get("/nope", ae("gzip"), gz),
		get("/br/big.html", ae("br"), gz), get("/br/big.html", ae("gzip, br"), gz), get("/br/big.html", ae("br;q=0, gzip"), gz),
		get("/br/big.html", gz), get("/br/small.html", ae("br"), gz),
		get("/app", ae("gzip")), get("/app"), get("/app/small", ae("gzip")), get("/app/stream", ae("gzip")),
		get("/app/encoded", ae("gzip")), get("/app/vary", ae("gzip")), get("/app/json", ae("gzip")),
		get("/app/notmodified", ae("gzip")), get("/app/empty", ae("gzip")), do("HEAD", "/app", ae("gzip")),
		get("/app/big", ae("gzip")),
		// Apache's tables find the application's header names in any
		// case: a body already gzipped, a 206, Content-MD5 and ETag.
		get("/app/lowergz", ae("gzip")), get("/app/lowerrange", ae("gzip")),
		get("/app/lower", ae("gzip"), also("Content-MD5", "ETag")),
		get("/app/md5", ae("gzip"), also("Content-MD5")),
		get("/hdr/edit/big.html", ae("gzip"), gz), get("/hdr/edit/big.html", ae("gzip"), inm(bigTag), gz),
		get("/hdr/edit/big.html", ae("gzip"), inm(bigTag+"-gzip"), gz),
		get("/hdr/unsetvary/big.html", ae("gzip"), gz), get("/hdr/setvary/big.html", ae("gzip"), gz),
		get("/hdr/append/big.html", ae("gzip"), gz), get("/hdr/always/big.html", ae("gzip"), also("X-CE")),
		get("/hdr/setfilter/big.html", ae("gzip"), gz), get("/hdr/setfilter/big.html", ae("gzip"), inm(bigTag), gz),
		get("/hdr/ctoctet/big.html", ae("gzip"), gz), get("/hdr/cthtml/image.png", ae("gzip"), gz),
		get("/hdr/app/etag", ae("gzip"), gz),
		get("/app/404", ae("gzip")), get("/app/201", ae("gzip")), get("/setapp/404", ae("gzip")),
		get("/setapp/201", ae("gzip")), get("/errdocs/404", ae("gzip")),
		get("/big.html", ae("gzip"), host("css.test"), gz), get("/style.css", ae("gzip"), host("css.test"), gz),
		get("/css-only/big.html", ae("gzip"), gz), get("/css-only/style.css", ae("gzip"), gz),
		get("/app/upper", ae("gzip")), get("/upcase/upper", ae("gzip")), get("/upcase/", ae("gzip")),
		// Accept-Encoding as ap_get_token reads it.
		get("/big.html", ae("gzip deflate"), gz), get("/big.html", ae("gzip;q=0 , br"), gz),
		get("/big.html", ae(",gzip"), gz), get("/br/big.html", ae("br;q=0 , gzip"), gz),
		// Content-Length or chunked, as zlib's blocks fall (the files
		// of at most 64 KiB are read at once); brotli's at its own
		// metablocks; a HEAD is compressed for its length.
		get("/w100k.html", ae("gzip")), get("/w300k.html", ae("gzip")), get("/l70k.html", ae("gzip")),
		get("/l60k.html", ae("gzip")), get("/l70k.html", ae("gzip"), host("etag.test")),
		get("/nommap/l64k.html", ae("gzip")), get("/l64k.html", ae("gzip")),
		do("HEAD", "/w300k.html", ae("gzip")),
		do("HEAD", "/w100k.html", ae("gzip"), known("a HEAD for a compressed file gets the length of Go's gzip stream, not zlib's")),
		get("/br/w300k.html", ae("br")), get("/br/w700k.html", ae("br")),
		do("HEAD", "/br/w300k.html", ae("br")), do("HEAD", "/br/w700k.html", ae("br")),
		// mod_wsgi's embedded mode: an empty body reaches the filters as
		// its end alone (mod_brotli compresses it, mod_deflate finds it
		// too small); a wsgi.file_wrapper file comes with its end.
		get("/brapp/empty", ae("br")), get("/brapp/notmodified", ae("br"), also("ETag")),
		get("/app/filewrapsmall", ae("gzip")), get("/app/filewrap", ae("gzip")),
		// Vary fields join at the end, Accept-Encoding in the first.
		get("/app/vary2", ae("gzip")),
		get("/nv/big.html", ae("gzip"), also("Connection")), get("/nvapp/vary2", ae("gzip"), also("Connection")),
		raw("nokeepalive closes the connection", "GET /nka/small.html HTTP/1.1\r\nHost: $HOST\r\n\r\n"+
			"GET /small.html HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n\r\n", also("Connection")),
		raw("HTTP/1.0 keep-alive, a compressed body of unknown length", "GET /w300k.html HTTP/1.0\r\nHost: $HOST\r\n"+
			"Connection: keep-alive\r\nAccept-Encoding: gzip\r\n\r\n", also("Connection", "Keep-Alive")),
		do("HEAD", "/app/empty"), do("HEAD", "/empty.txt", ae("gzip")),
		// force-response-1.0: an HTTP/1.0 request's answer says HTTP/1.0
		// and ends the connection; an HTTP/1.1 request's is HTTP/1.1.
		raw("force-response-1.0, HTTP/1.0", "GET /small.html HTTP/1.0\r\nHost: $HOST\r\nUser-Agent: Java/1.0\r\n"+
			"Connection: keep-alive\r\n\r\nGET /small.html HTTP/1.0\r\nHost: $HOST\r\n\r\n", also("Connection", "Keep-Alive")),
		raw("force-response-1.0, HTTP/1.1", "GET /small.html HTTP/1.1\r\nHost: $HOST\r\nUser-Agent: Java/1.0\r\n"+
			"Connection: close\r\n\r\n", also("Connection")),
	}
	return site{
		name: "deflate", host: "main.test", conf: conf, ports: 1,
		files: map[string]string{
			"htdocs/big.html":         big,
			"htdocs/small.html":       "<p>tiny</p>\n",
			"htdocs/empty.txt":        "",
			"htdocs/mid.html":         strings.Repeat("x", 60) + "\n",
			"htdocs/edge.html":        strings.Repeat("e", 68),
			"htdocs/data.json":        `{"a": "` + strings.Repeat("b", 2000) + `"}`,
			"htdocs/style.css":        strings.Repeat("body { color: red; }\n", 100),
			"htdocs/pre.html.gz":      "\x1f\x8b" + strings.Repeat("z", 200),
			"htdocs/image.png":        strings.Repeat("\x89PNG", 100),
			"htdocs/set/image.png":    strings.Repeat("\x89PNG", 100),
			"htdocs/ext/blob.dat":     strings.Repeat("data ", 100),
			"htdocs/ext/blob.bin":     strings.Repeat("data ", 100),
			"htdocs/force/big.html":   big,
			"htdocs/br/big.html":      big,
			"htdocs/br/small.html":    "<p>tiny</p>\n",
			"htdocs/w100k.html":       string(textgen.Words(4, 100000)),
			"htdocs/w300k.html":       string(textgen.Words(5, 300000)),
			"htdocs/br/w300k.html":    string(textgen.Words(5, 300000)),
			"htdocs/br/w700k.html":    string(textgen.Words(9, 700000)),
			"htdocs/l60k.html":        string(textgen.Letters(1, 60000)),
			"htdocs/l70k.html":        string(textgen.Letters(1, 70000)),
			"htdocs/l64k.html":        string(textgen.Letters(3, 65536)),
			"htdocs/nommap/l64k.html": string(textgen.Letters(3, 65536)),
			"app.wsgi":                deflateApp,
		},
		reqs: reqs,
	}
}

// deflateApp is the WSGI application of the compression sites.
const deflateApp = `import gzip
import os

def application(environ, start_response):
    path = environ.get('PATH_INFO', '')
    body = b'<html>' + b'hello world ' * 300 + b'</html>'
    headers = [('Content-Type', 'text/html')]
    if path == '/small':
        body = b'<p>hi</p>'
    elif path == '/big':
        body = b''.join(b'line %d of a long page\n' % i for i in range(20000))
    elif path == '/stream':
        start_response('200 OK', headers)
        return (b'chunk %d ' % i * 50 for i in range(20))
    elif path == '/encoded':
        headers.append(('Content-Encoding', 'br'))
    elif path == '/vary':
        headers.append(('Vary', 'Cookie'))
    elif path == '/json':
        headers = [('Content-Type', 'application/json')]
    elif path == '/notmodified':
        start_response('304 Not Modified', [('ETag', '"v1"')])
        return [b'']
    elif path == '/empty':
        body = b''
    elif path == '/lowergz':
        headers = [('content-type', 'text/html'), ('content-encoding', 'gzip')]
        body = gzip.compress(body, mtime=0)
    elif path == '/lowerrange':
        start_response('206 Partial Content', [('content-type', 'text/html'), ('content-range', 'bytes 0-99/1000')])
        return [body[:100]]
    elif path == '/lower':
        headers = [('content-type', 'text/html'), ('vary', 'Cookie'), ('etag', '"low"'), ('content-md5', 'abc')]
    elif path in ('/404', '/201'):
        status = {'/404': '404 Not Found', '/201': '201 Created'}[path]
        start_response(status, headers)
        return [body]
    elif path == '/upper':
        headers = [('Content-Type', 'Text/HTML; charset=UTF-8')]
    elif path == '/auth':
        start_response('401 Unauthorized', headers + [('WWW-Authenticate', 'Basic realm="x"')])
        return [b'auth']
    elif path in ('/filewrap', '/filewrapsmall'):
        name = 'big.html' if path == '/filewrap' else 'small.html'
        f = open(os.path.join(os.path.dirname(__file__), 'htdocs', name), 'rb')
        start_response('200 OK', headers)
        return environ['wsgi.file_wrapper'](f)
    elif path == '/vary2':
        headers += [('Vary', 'Cookie'), ('Vary', 'User-Agent')]
    elif path == '/etag':
        headers.append(('ETag', '"abc"'))
    elif path == '/md5':
        headers.append(('Content-MD5', 'xxxx'))
    start_response('200 OK', headers + [('Content-Length', str(len(body)))])
    return [body]
`

// daemonEmpty is why a daemon's empty body may differ: mod_wsgi passes a
// flush when the daemon's end has not arrived by its first read, and the
// compressed empty body then goes out chunked rather than with a length;
// gowsgid does the same, with its own timing.
const daemonEmpty = "a daemon's empty body is chunked when its end arrives after the header, as mod_wsgi reads it, else it has a Content-Length"

// deflateDaemonSite is the deflate site's application in a daemon
// process group: mod_wsgi's server side reads the daemon's header as a
// CGI header (the media type lowered, WWW-Authenticate into
// err_headers_out) and passes the body on as it arrives.
func deflateDaemonSite() site {
	mods := append(append([]string(nil), stdMods...), "filter", "deflate", "brotli", "headers", "env", "wsgi")
	conf := head(mods...) + `User www-data
Group www-data
WSGIDaemonProcess defd processes=1 threads=4
WSGIProcessGroup defd
Listen 127.0.0.1:${P1}
ServerName main.test
DocumentRoot $DIR/htdocs
AddOutputFilterByType DEFLATE text/html text/plain
<Directory />
  Require all granted
</Directory>
WSGIScriptAlias /app $DIR/app.wsgi
WSGIScriptAlias /auth1 $DIR/app.wsgi
WSGIScriptAlias /auth2 $DIR/app.wsgi
<Location /auth1>
  Header unset WWW-Authenticate
</Location>
<Location /auth2>
  Header always unset WWW-Authenticate
  Header always set X-Seen "expr=%{resp:WWW-Authenticate}"
</Location>
WSGIScriptAlias /setapp $DIR/app.wsgi
<Location /setapp>
  SetOutputFilter DEFLATE
</Location>
WSGIScriptAlias /brapp $DIR/app.wsgi
<Location /brapp>
  SetOutputFilter BROTLI_COMPRESS
</Location>
`
	ae := hdr("Accept-Encoding: gzip")
	br := hdr("Accept-Encoding: br")
	reqs := []request{
		get("/app", ae), get("/app/upper", ae),
		get("/auth1/auth", ae), get("/auth2/auth", ae, also("X-Seen")),
		// The filters see a daemon's answer start before its end: an
		// empty body is compressed, a 304 gets the coding's header.
		get("/app/empty", ae, timing(daemonEmpty)), get("/setapp/notmodified", ae, also("ETag")),
		get("/brapp/empty", br, timing(daemonEmpty)),
		get("/brapp/notmodified", br, also("ETag")), get("/app/small", ae), get("/app/vary2", ae),
		get("/app/filewrapsmall", ae), get("/app/filewrap", ae),
	}
	return site{
		name: "deflate-daemon", host: "main.test", conf: conf, ports: 1,
		files: map[string]string{"app.wsgi": deflateApp, "htdocs/big.html": string(textgen.Words(4, 17000)),
			"htdocs/small.html": "<p>tiny</p>\n"},
		reqs: reqs,
	}
}
