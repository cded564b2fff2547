package compat

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"time"
)

// wsgiEnvApp prints the environ the way both servers must build it, in
// its order (mod_wsgi's: ap_add_cgi_vars, then ap_add_common_vars with
// the header fields as the client sent them, then mod_wsgi's own keys).
// Over HTTP/2 the variables of header fields are printed sorted, as
// docs/compat.md says gowsgid gives them. The values that differ from run to run (ports of
// the client, times, process and thread counters, object addresses, the
// server banner) are printed as their type only.
const wsgiEnvApp = `import sys
VOLATILE = {'REMOTE_PORT', 'SERVER_SOFTWARE', 'mod_wsgi.request_id', 'mod_wsgi.request_start',
            'mod_wsgi.script_start', 'mod_wsgi.thread_id', 'mod_wsgi.thread_requests',
            'mod_wsgi.total_requests', 'wsgi.input', 'wsgi.multiprocess', 'wsgi.multithread',
            'mod_wsgi.daemon_start', 'mod_wsgi.queue_start', 'H2_STREAM_TAG', 'mod_wsgi.connection_id'}

def application(environ, start_response):
    body = environ['wsgi.input'].read()
    out = ['module %s argv %r' % (__name__, sys.argv), 'body %r' % (body,)]
    keys = list(environ)
    if environ.get('SERVER_PROTOCOL') == 'HTTP/2.0':
        field = lambda k: k.startswith('HTTP_') or k in ('CONTENT_TYPE', 'CONTENT_LENGTH')
        fields = iter(sorted(k for k in keys if field(k)))
        keys = [next(fields) if field(k) else k for k in keys]
    for k in keys:
        v = environ[k]
        if k == 'REDIRECT_mod_wsgi.magic':
            continue  # the secret of mod_wsgi's daemon socket; gowsgid has none
        if k in VOLATILE or k.startswith('REDIRECT_') and k[9:] in VOLATILE:
            out.append('%s <%s>' % (k, type(v).__name__))
        else:
            out.append('%s %r' % (k, v))
    data = ('\n'.join(out) + '\n').encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8'),
                              ('Content-Length', str(len(data)))])
    return [data]
`

// wsgiBehaveApp exercises PEP 3333's corners; mod_wsgi's answers to each
// path are the reference.
const wsgiBehaveApp = `import sys

class Closing:
    def __init__(self, items, environ):
        self.items, self.environ = items, environ
    def __iter__(self):
        return iter(self.items)
    def close(self):
        self.environ['wsgi.errors'].write('close() called\n')

def gen(start_response, ct, fail):
    start_response('200 OK', ct)
    yield b'first\n'
    yield b''
    yield b'second\n'
    if fail:
        raise RuntimeError('after the first chunk')

def application(environ, start_response):
    p = environ.get('PATH_INFO', '')
    ct = [('Content-Type', 'text/plain')]
    if p == '/exc':
        raise ValueError('before start_response')
    if p == '/exc-after':
        return gen(start_response, ct, True)
    if p == '/gen':
        return gen(start_response, ct, False)
    if p == '/str-item':
        start_response('200 OK', ct); return ['a native str']
    if p == '/bad-status':
        start_response('200', ct); return [b'x']
    if p == '/bad-header':
        start_response('200 OK', ct + [('X-Bad', 'a\r\nInjected: yes')]); return [b'x']
    if p == '/latin1-header':
        start_response('200 OK', ct + [('X-Latin', 'caf\xe9')]); return [b'x\n']
    if p == '/no-start':
        return [b'x']
    if p == '/empty':
        start_response('204 No Content', []); return []
    if p.startswith('/close-'):
        # A list or tuple subclass's close() runs after the body went
        # out: what it writes follows the body, and a new status is
        # refused.
        w = start_response('200 OK', ct)
        class L(list):
            def close(self):
                if p == '/close-restart':
                    try:
                        start_response('500 Again', ct)
                    except RuntimeError as e:
                        environ['wsgi.errors'].write('close: %s\n' % e)
                else:
                    w(b'from close\n')
        class T(tuple):
            def close(self):
                w(b'from close\n')
        return T((b'item\n',)) if p == '/close-tuple' else L([b'item\n'])
    if p == '/w-raise':
        # The callable raises after write() sent bytes: Apache's 500
        # page follows them (embedded mode).
        w = start_response('200 OK', ct)
        w(b'partial\n')
        raise KeyError('after write')
    if p == '/write':
        w = start_response('200 OK', ct); w(b'from write\n'); return [b'from iterable\n']
    if p.startswith('/w-empty'):
        # An empty write hands the headers over and sends nothing.
        w = start_response('200 OK', ct)
        w(b'')
        if p == '/w-empty-raise':
            raise KeyError('after an empty write')
        if p == '/w-empty-badgen':
            def bad():
                raise KeyError('in the generator')
                yield b''
            return bad()
        if p == '/w-empty-file':
            return environ['wsgi.file_wrapper'](open(environ['SCRIPT_FILENAME'], 'rb'), 4096)
        if p == '/w-empty-list':
            return [b'data\n']
        if p == '/w-empty-twice':
            start_response('201 Created', ct)
        return []
    if p == '/gen-empty':
        start_response('200 OK', ct)
        return (x for x in [])
    if p == '/write-str':
        w = start_response('200 OK', ct); w('str'); return [b'x']
    if p == '/filewrapper':
        start_response('200 OK', ct)
        return environ['wsgi.file_wrapper'](open(environ['SCRIPT_FILENAME'], 'rb'), 4096)
    if p.startswith('/fw-ranges/'):
        # A file_wrapper with the validators, length, position and
        # status the path names, for the byterange filter to work on.
        opts = p.split('/')[2:]
        hs = list(ct)
        if 'etag' in opts:
            hs.append(('ETag', '"app-tag"'))
        if 'lm' in opts:
            hs.append(('Last-Modified', 'Tue, 02 Jan 2018 00:00:00 GMT'))
        if 'cl' in opts:
            hs.append(('Content-Length', '50'))
        if 'crange' in opts:
            hs.append(('content-range', 'bytes 0-9/10'))
        if 'none' in opts:
            hs.append(('Accept-Ranges', 'none'))
        if 'auth' in opts:
            hs.append(('WWW-Authenticate', 'Basic realm="app"'))
        f = open(environ['SCRIPT_FILENAME'], 'rb')
        if 'seek' in opts:
            f.seek(100)
        start_response('201 Created' if '201' in opts else '200 Fine', hs)
        return environ['wsgi.file_wrapper'](f, 4096)
    if p == '/head':
        body = ('method=%s\n' % environ['REQUEST_METHOD']).encode()
        start_response('200 OK', ct + [('Content-Length', str(len(body)))]); return [body]
    if p == '/cl-long':
        start_response('200 OK', ct + [('Content-Length', '100')]); return [b'short\n']
    if p == '/cl-short':
        start_response('200 OK', ct + [('Content-Length', '3')]); return [b'0123456789\n']
    if p == '/cl-bad':
        start_response('200 OK', ct + [('Content-Length', 'abc')]); return [b'x']
    if p == '/exit':
        raise SystemExit(3)
    if p == '/multi-header':
        start_response('200 OK', ct + [('X-Foo', 'a'), ('X-Foo', 'b'), ('Set-Cookie', 'a=1')]); return [b'multi\n']
    if p == '/status-404':
        start_response('404 Not Found', ct); return [b'app 404 body\n']
    if p == '/twice':
        start_response('200 OK', ct); start_response('201 Created', ct); return [b'twice\n']
    if p == '/close':
        start_response('200 OK', ct); return Closing([b'closing\n'], environ)
    if p == '/location':
        start_response('302 Found', ct + [('Location', 'http://elsewhere.test/')]); return [b'moved\n']
    if p == '/readline':
        i = environ['wsgi.input']
        lines = [i.readline(), i.readline(3), i.readline()]
        rest = list(i)
        start_response('200 OK', ct); return [('lines=%r rest=%r\n' % (lines, rest)).encode()]
    if p == '/readmore':
        data = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0) + 100)
        more = environ['wsgi.input'].read()
        start_response('200 OK', ct); return [('read=%r more=%r\n' % (data, more)).encode()]
    if p == '/big':
        body = b'0123456789abcdef' * 8192
        start_response('200 OK', ct + [('Content-Length', str(len(body)))]); return [body]
    if p == '/sha':
        import hashlib
        data = environ['wsgi.input'].read()
        start_response('200 OK', ct)
        return [('%d %s\n' % (len(data), hashlib.sha256(data).hexdigest())).encode()]
    if p == '/duplex':
        import hashlib
        start_response('200 OK', ct)
        def answer():
            yield b'started\n'
            data = environ['wsgi.input'].read()
            yield ('%d %s\n' % (len(data), hashlib.sha256(data).hexdigest())).encode()
        return answer()
    if p == '/ctl-header':
        start_response('200 OK', ct + [('X-A', 'a\x0bb')]); return [b'x\n']
    if p == '/bad-name':
        start_response('200 OK', ct + [('X(A)', 'v')]); return [b'x\n']
    if p == '/body-304':
        w = start_response('304 Not Modified', [('ETag', '"x"')]); w(b'body'); return []
    if p == '/type-304':
        start_response('304 Not Modified', [('Content-Type', 'text/plain'), ('ETag', '"x"')]); return []
    if p == '/dup-headers':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Type', 'text/html'),
                                  ('Location', 'http://a.test/'), ('Location', 'http://b.test/'),
                                  ('Content-Length', '9'), ('Content-Length', '9'), ('X-Twice', 'a'), ('X-Twice', 'b')])
        return [b'dup body\n']
    if p == '/status-header':
        start_response('200 OK', ct + [('Status', '404 Nope')]); return [b'status header\n']
    if p == '/lm-future':
        start_response('200 OK', ct + [('Last-Modified', 'Fri, 01 Jan 2100 00:00:00 GMT')]); return [b'future\n']
    if p == '/lm-garbage':
        start_response('200 OK', ct + [('Last-Modified', 'garbage')]); return [b'garbage\n']
    if p == '/vary2':
        start_response('200 OK', ct + [('Vary', 'Accept'), ('Vary', 'Cookie, accept')]); return [b'vary\n']
    if p == '/empty-200':
        start_response('200 OK', ct); return []
    if p == '/cl-empty':
        # strtol reads an empty Content-Length as 0.
        start_response('200 OK', ct + [('Content-Length', '')]); return [b'dropped\n']
    if p == '/cl-plus':
        start_response('200 OK', ct + [('Content-Length', '+5')]); return [b'five\n']
    if p == '/empty-ct':
        start_response('200 OK', [('Content-Type', '')]); return [b'no type\n']
    if p == '/204-ct':
        start_response('204 No Content', ct); return []
    if p == '/override/401':
        start_response('401 Unauthorized', ct + [('WWW-Authenticate', 'Basic realm="app"')]); return [b'app 401 body\n']
    if p == '/override/404':
        start_response('404 Not Found', ct + [('X-App', 'yes')]); return [b'app 404 body\n']
    if p == '/etag':
        start_response('200 OK', ct + [('ETag', '"abc"'), ('Last-Modified', 'Mon, 01 Jan 2018 00:00:00 GMT')])
        return [b'etag body\n']
    if p == '/local-location':
        start_response('200 OK', ct + [('Location', '/index.html'), ('X-App', 'yes')]); return [b'discarded\n']
    if p == '/local-location-env':
        start_response('200 OK', ct + [('Location', '/env/redirected?q=2')]); return [b'discarded\n']
    if p == '/local-location-302':
        start_response('302 Found', ct + [('Location', '/index.html')]); return [b'moved\n']
    if p == '/200-error':
        start_response('200 Error', ct); return [b'not an error\n']
    if p.startswith('/reason/'):
        code, _, text = p[8:].partition('/')
        start_response(code + ' ' + text.replace('_', ' '), ct); return [b'reason\n']
    if p.startswith('/hdr-edge/'):
        start_response('200 OK', ct + [('X-Big', 'x' * int(p[10:]))]); return [b'big header\n']
    if p == '/locale':
        import locale, os
        start_response('200 OK', ct)
        return [('%s %s %d %r\n' % (sys.getfilesystemencoding(), locale.getpreferredencoding(),
                                    sys.flags.utf8_mode, os.environ.get('LC_CTYPE'))).encode()]
    if p == '/syspath':
        start_response('200 OK', ct); return [('%r\n' % (sys.path[:2],)).encode()]
    if p == '/modinfo':
        import mod_wsgi
        start_response('200 OK', ct)
        return [('%r %r %r\n' % (mod_wsgi.version, mod_wsgi.process_group, mod_wsgi.application_group)).encode()]
    start_response('200 OK', ct)
    return [('SCRIPT_NAME=%r PATH_INFO=%r group=%r\n' % (environ['SCRIPT_NAME'], environ['PATH_INFO'],
                                                       environ['mod_wsgi.application_group'])).encode()]
`

// freePort is a loopback port that was free a moment ago.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// wsgiSite runs WSGI applications in embedded mode on both servers and
// compares what the applications see (the environ) and what the clients
// get: request bodies (Content-Length and chunked), exceptions before and
// after the headers, write(), generators, file_wrapper, close(),
// start_response's checks, Content-Length handling, application groups,
// WSGIScriptAlias forms and the handler's errors. The servers take turns
// on one port, which the environ shows.
func wsgiSite() site { return wsgiModeSite("wsgi-embedded", "") }

// wsgiDaemonSite is wsgiSite with every application in a daemon process
// group of two processes of three threads, and request bodies that break
// while the server sends them to the daemon: mod_wsgi answers with
// Apache's error (400 for a broken chunk, 413 for a chunk size that
// overflows or a body over LimitRequestBody), not with the application's
// answer, and logs why; then its own 500 page follows, which the access
// log records.
func wsgiDaemonSite() site {
	s := wsgiModeSite("wsgi-daemon", `User www-data
Group www-data
WSGIDaemonProcess beh processes=2 threads=3 display-name=%{GROUP} home=$DIR/wsgi
WSGIProcessGroup beh
`)
	const chunked = "Host: $HOST\r\nTransfer-Encoding: chunked\r\n\r\n"
	s.reqs = append(s.reqs,
		raw("broken chunk", "POST /env-chunked/upload HTTP/1.1\r\n"+chunked+"5\r\nhello\r\nzz\r\n"),
		raw("broken chunk, chunked not enabled", "POST /b/hello HTTP/1.1\r\n"+chunked+"zz\r\n"),
		raw("chunk size overflows", "POST /env-chunked/upload HTTP/1.1\r\n"+chunked+"fffffffffffffffffff\r\nx\r\n"),
		raw("chunked body over LimitRequestBody", "POST /env-chunked/limited HTTP/1.1\r\n"+chunked+
			"14\r\n01234567890123456789\r\n0\r\n\r\n"),
		raw("chunked body under LimitRequestBody", "POST /env-chunked/limited HTTP/1.1\r\nConnection: close\r\n"+chunked+
			"5\r\nhello\r\n0\r\n\r\n"),
	)
	return s
}

// wsgiCaseSite covers WSGICaseSensitivity Off: the module name (in the
// environ dump) comes from the script's path as written, capitals kept.
func wsgiCaseSite() site {
	addr := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen ` + addr + `
ServerName wsgi.test
WSGICaseSensitivity Off
DocumentRoot $DIR/htdocs
<Directory />
  Require all granted
</Directory>
WSGIScriptAlias /Mixed $DIR/wsgi/Mixed/Env.wsgi
`
	return site{
		name: "wsgi-case", host: addr, conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{"htdocs/index.html": "<p>static</p>\n", "wsgi/Mixed/Env.wsgi": wsgiEnvApp},
		reqs:  []request{get("/Mixed"), get("/Mixed/Path")},
	}
}

// wsgiDispatchScript picks the application group and the callable by
// path, and fails on purpose for /bad (a number) and /latin (a name
// outside latin-1).
const wsgiDispatchScript = `def application_group(environ):
    if environ['PATH_INFO'].startswith('/named'):
        return 'chosen'
    return None

def callable_object(environ):
    if environ['PATH_INFO'].startswith('/alt'):
        return 'alternate'

def process_group(environ):
    if environ['PATH_INFO'].startswith('/bad'):
        return 42
    if environ['PATH_INFO'].startswith('/latin'):
        return '\u20ac'
    return None
`

// wsgiDaemonVhostsSite covers mod_wsgi's rule on which virtual hosts
// may use a daemon process group: one defined in the main server serves
// every host, one defined in a virtual host serves it and the virtual
// hosts of the same ServerName on other addresses, and no other (500).
func wsgiDaemonVhostsSite() site {
	a1 := fmt.Sprintf("127.0.0.1:%d", freePort())
	a2 := fmt.Sprintf("127.0.0.1:%d", freePort())
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + `Listen ` + a1 + `
Listen ` + a2 + `
User www-data
Group www-data
ServerName main.test
WSGIDaemonProcess shared threads=2
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all granted
</Directory>
<VirtualHost ` + a1 + `>
  ServerName one.test
  WSGIDaemonProcess one threads=2
  WSGIScriptAlias /own $DIR/who.wsgi process-group=one
  WSGIScriptAlias /shared $DIR/who.wsgi process-group=shared
  WSGIScriptAlias /theirs $DIR/who.wsgi process-group=two
</VirtualHost>
<VirtualHost ` + a1 + `>
  ServerName two.test
  WSGIDaemonProcess two threads=2
  WSGIScriptAlias /own $DIR/who.wsgi process-group=two
  WSGIScriptAlias /theirs $DIR/who.wsgi process-group=one
</VirtualHost>
<VirtualHost ` + a2 + `>
  ServerName one.test
  WSGIScriptAlias /sibling $DIR/who.wsgi process-group=one
  WSGIScriptAlias /theirs $DIR/who.wsgi process-group=two
</VirtualHost>
`
	reqs := []request{
		get("/own", host("one.test")), get("/shared", host("one.test")), get("/theirs", host("one.test")),
		get("/own", host("two.test")), get("/theirs", host("two.test")),
		get("/sibling", host("one.test"), port(1)), get("/theirs", host("one.test"), port(1)),
	}
	return site{
		name: "wsgi-daemon-vhosts", host: "one.test", conf: conf, fixed: true, fixedAddrs: []string{a1, a2},
		files: map[string]string{
			"htdocs/index.html": "<p>static</p>\n",
			"who.wsgi": "def application(environ, start_response):\n" +
				"    start_response('200 OK', [('Content-Type', 'text/plain')])\n" +
				"    return [('%s %s\\n' % (environ['mod_wsgi.process_group'], environ['SERVER_NAME'])).encode()]\n",
		},
		reqs: reqs,
	}
}

// refusedHeaderLength: when its http_header filter refuses a response's
// header, Apache sends its 500 page with a Content-Length two bytes
// longer than the page (571 bytes, announced as 573), then closes the
// connection; gowsgid announces the page's length.
const refusedHeaderLength = "Apache's Content-Length for the 500 page of a refused header is 2 more than the page it sends"

// wsgiEnvLogFields are the access log fields of the WSGI sites that
// read the request's environment: the variables mod_wsgi sets there.
var wsgiEnvLogFields = []string{"%{SCRIPT_NAME}e", "%{PATH_INFO}e", "%{mod_wsgi.process_group}e",
	"%{mod_wsgi.application_group}e", "%{mod_wsgi.callable_object}e", "%{HTTP_HOST}e", "%{SCRIPT_FILENAME}e",
	"%{mod_wsgi.daemon_connects}e", "%{mod_wsgi.request_start}e", "%{mod_wsgi.queue_start}e",
	"%{mod_wsgi.script_start}e", "%{mod_wsgi.request_id}e"}

// wsgiEnvLogs check the wsgienv log, with the times and the request id
// by their shape, and the logs of the requests that have
// mod_wsgi.script_start (embedded mode) and mod_wsgi.queue_start
// (daemon mode).
func wsgiEnvLogs(daemon bool) []logCheck {
	timeRE := regexp.MustCompile(`^(-|\d{16})$`)
	started := logCheck{name: "scriptstart"}
	if daemon {
		started = logCheck{name: "queuestart"}
	}
	return []logCheck{{name: "wsgienv", shapes: map[int]*regexp.Regexp{8: timeRE, 9: timeRE, 10: timeRE, 11: logIDRE}}, started}
}

// wsgiModeSite is the WSGI site under a name, with extra server
// directives (the daemon group).
func wsgiModeSite(name, extra string) site {
	port := freePort()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	conf := head(append(append([]string(nil), stdMods...), "wsgi")...) + extra + `Listen ` + addr + `
ServerName wsgi.test
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/wsgi>
  Require all granted
</Directory>
# mod_wsgi adds the environ's variables to the request's environment,
# where the access log finds them.
LogFormat "` + strings.Join(wsgiEnvLogFields, `\t`) + `" wsgienv
CustomLog logs/${SIDE}-wsgienv.log wsgienv
CustomLog logs/${SIDE}-scriptstart.log "%U" env=mod_wsgi.script_start
CustomLog logs/${SIDE}-queuestart.log "%U" env=mod_wsgi.queue_start
WSGIScriptAlias /env $DIR/wsgi/env.wsgi
WSGIScriptAlias /env-auth $DIR/wsgi/env.wsgi
WSGIScriptAlias /env-chunked $DIR/wsgi/env.wsgi
WSGIScriptAlias /env-global $DIR/wsgi/env.wsgi application-group=%{GLOBAL}
WSGIScriptAlias /env-server $DIR/wsgi/env.wsgi application-group=%{SERVER}
WSGIScriptAlias /env-named $DIR/wsgi/env.wsgi application-group=named process-group=%{GLOBAL}
WSGIScriptAlias /env-head $DIR/wsgi/env.wsgi
WSGIScriptAlias /b $DIR/wsgi/behave.wsgi
WSGIScriptAlias /slash/ $DIR/wsgi/behave.wsgi
WSGIScriptAlias /dir/ $DIR/wsgi/dir/
WSGIScriptAliasMatch ^/match/([^/]+) $DIR/wsgi/dir/$1.wsgi
WSGIScriptAlias /missing $DIR/wsgi/does-not-exist.wsgi
WSGIScriptAlias /callable $DIR/wsgi/callable.wsgi callable-object=app
WSGIScriptAlias /noapp $DIR/wsgi/callable.wsgi
WSGIScriptAlias /broken $DIR/wsgi/broken.wsgi
WSGIScriptAlias /nogroup $DIR/wsgi/behave.wsgi process-group=nosuchgroup
WSGIScriptAlias /noct $DIR/wsgi/noct.py
WSGIScriptAlias /cs $DIR/wsgi/behave.wsgi
<Location /cs>
  AddDefaultCharset utf-8
</Location>
<Location /env-auth>
  WSGIPassAuthorization On
</Location>
<Location /env-chunked>
  WSGIChunkedRequest On
</Location>
<Location /env-chunked/limited>
  LimitRequestBody 10
</Location>
<Location /env-head>
  WSGIMapHEADToGET On
</Location>
<Location /b/fw-ranges/max>
  MaxRanges 1
</Location>
<Location /b/override>
  WSGIErrorOverride On
</Location>
<Directory $DIR/htdocs/scripts>
  Options ExecCGI
  AddHandler wsgi-script .wsgi
</Directory>
<Directory $DIR/htdocs/noexec>
  AddHandler wsgi-script .wsgi
</Directory>
WSGIHandlerScript py-env $DIR/wsgi/handler.wsgi
WSGIScriptAlias /dispatched $DIR/wsgi/dispatched.wsgi
<Location /dispatched>
  WSGIDispatchScript $DIR/wsgi/dispatch.wsgi
</Location>
<Directory $DIR/htdocs/handled>
  Options ExecCGI
  AddHandler py-env .py
</Directory>
<Directory $DIR/htdocs/handled-noexec>
  AddHandler py-env .py
</Directory>
<Location /handled/grouped>
  WSGIHandlerScript py-env $DIR/wsgi/handler.wsgi application-group=handlers
</Location>
`
	reqs := []request{
		get("/handled/page.py?x=1"), get("/handled/page.py/extra/path"), get("/handled/missing.py"),
		get("/handled-noexec/page.py"), get("/handled/grouped/page.py"), do("POST", "/handled/page.py", body("a=1")),
		get("/dispatched/plain"), get("/dispatched/named/x"), get("/dispatched/alt/x"), get("/dispatched/bad/x"),
		get("/dispatched/latin/x"),
		get("/env?a=1&b=hello%20world&c=%2F&d=caf%C3%A9&e=a+b&flag"),
		get("/env/some/path%20with%20space/caf%C3%A9/%7Euser//double/trail/?q=1"),
		get("/env/"), get("/env"), get("//env//x"),
		// PATH_TRANSLATED maps PATH_INFO escaped again: decoded once.
		get("/env/%2541"), get("/env/%252e%252e/x"), get("/env/100%25"), get("/env/%25zz"),
		// A declared length over LimitRequestBody: the input filter's
		// 413, its page without a length.
		do("POST", "/env-chunked/limited", body("0123456789abcdef"), also("Connection", "Transfer-Encoding")),
		do("POST", "/env/form", body("name=value&x=1&unicode=caf%C3%A9")),
		raw("chunked POST", "POST /env-chunked/upload HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n"+
			"Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
		raw("chunked POST refused", "POST /env/upload HTTP/1.1\r\nHost: $HOST\r\nConnection: close\r\n"+
			"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
		// The 411 closes the connection (ap_status_drops_connection),
		// and nothing more of the body is waited for
		// (ap_discard_request_body), though the client goes on.
		raw("chunked POST refused, body unfinished", "POST /env/upload HTTP/1.1\r\nHost: $HOST\r\n"+
			"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", closesWithin(2*time.Second)),

		get("/env", hdr("Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: Basic eDp5",
			"X-Custom-Header: v1", "X-Custom-Header: v2", "X_Under_Score: dropped", "Cookie: a=1; b=2")),
		get("/env-auth/x", hdr("Authorization: Basic dXNlcjpwYXNz", "Proxy-Authorization: Basic eDp5")),
		get("/env", http10(), noHost()),
		get("/env", host("WSGI.test:"+fmt.Sprint(port))),
		get("/env", host("other.name")),
		get("/env-global/x"), get("/env-server/x"), get("/env-named/x"),
		do("HEAD", "/env-head/x"), do("HEAD", "/b/head"), get("/b/head"),
		get("/b/exc"), get("/b/exc-after"), get("/b/gen"), get("/b/str-item"), get("/b/bad-status"),
		get("/b/bad-header"), get("/b/latin1-header"), get("/b/no-start"), get("/b/empty"),
		get("/b/w-empty"), get("/b/w-empty-raise"), get("/b/w-empty-badgen"), get("/b/w-empty-file"),
		get("/b/w-empty-list", also("Transfer-Encoding")), get("/b/w-empty-twice"), get("/b/gen-empty"),
		get("/b/write"), get("/b/write-str"), get("/b/w-raise"), do("HEAD", "/b/w-raise"),
		get("/b/close-write"), get("/b/close-tuple"), get("/b/close-restart"),
		get("/b/filewrapper"), get("/b/cl-long"), get("/b/cl-short"),
		// Range on a file_wrapper: Apache's byterange filter sees the
		// body whole in embedded mode (206, multipart, 416 with its page
		// and without the application's headers), in pieces from a
		// daemon (200). If-Range compares the application's validators.
		get("/b/fw-ranges/", hdr("Range: bytes=0-99")), get("/b/fw-ranges/seek", hdr("Range: bytes=-20")),
		get("/b/fw-ranges/cl", hdr("Range: bytes=40-")), get("/b/fw-ranges/", hdr("Range: bytes=0-9,20-29,5-12")),
		do("HEAD", "/b/fw-ranges/", hdr("Range: bytes=0-9,30-39")), do("HEAD", "/b/fw-ranges/", hdr("Range: bytes=10-19")),
		get("/b/fw-ranges/etag/auth", hdr("Range: bytes=999999-")), get("/b/fw-ranges/", hdr("Range: bytes=5-1")),
		get("/b/fw-ranges/etag", hdr("Range: bytes=0-9", `If-Range: "app-tag"`)),
		get("/b/fw-ranges/etag", hdr("Range: bytes=0-9", `If-Range: "other"`)),
		get("/b/fw-ranges/lm", hdr("Range: bytes=0-9", "If-Range: Tue, 02 Jan 2018 00:00:00 GMT")),
		get("/b/fw-ranges/lm", hdr("Range: bytes=0-9", "If-Range: Tue, 02 Jan 2018 00:00:01 GMT")),
		get("/b/fw-ranges/", hdr("Range: bytes=0-9", "If-Range: Tue, 02 Jan 2018 00:00:00 GMT")),
		get("/b/fw-ranges/201", hdr("Range: bytes=0-9")), get("/b/fw-ranges/crange", hdr("Range: bytes=0-9")),
		get("/b/fw-ranges/none", hdr("Range: bytes=0-9")), get("/b/fw-ranges/", hdr("Range: lines=0-9")),
		get("/b/fw-ranges/", hdr("Range: bytes=0-9"), http10()),
		get("/b/fw-ranges/max", hdr("Range: bytes=0-9,20-29")), get("/b/fw-ranges/max", hdr("Range: bytes=0-9")),
		get("/cs/fw-ranges/", hdr("Range: bytes=0-9,20-29")),
		get("/b/cl-bad"), get("/b/exit"), get("/b/multi-header"), get("/b/status-404"), get("/b/twice"),
		get("/b/close"), get("/b/location"), get("/b/big"), get("/b/modinfo"),
		do("POST", "/b/readline", body("line1\nline2\nline3\nline4")),
		do("POST", "/b/readmore", body("hello")),
		get("/b"), get("/b/"), get("/B/x"), get("/bx"),
		get("/slash"), get("/slash/"), get("/slash/x"),
		get("/dir/one.wsgi/p/q"), get("/dir/"), get("/dir/nonexistent.wsgi"),
		get("/match/one/extra?q=1"), get("/match/zzz"),
		get("/scripts/s.wsgi/pi"), get("/noexec/s.wsgi"),
		get("/missing"), get("/callable/x"), get("/noapp"), get("/broken"), get("/nogroup"),
		get("/env/a%2Fb"),
		do("POST", "/b/sha", body(strings.Repeat("0123456789abcdef", 20000))),
		do("POST", "/b/sha", body("small"), hdr("Expect: 100-continue")),
		// WSGIErrorOverride (daemon mode only): Apache's error document,
		// with the application's challenge.
		get("/b/override/401"), get("/b/override/404"),
		// Repeated and special headers, read in daemon mode as Apache
		// reads a CGI script's.
		get("/b/dup-headers"), get("/b/status-header"), get("/b/lm-future"), get("/b/lm-garbage"),
		// The application's status line goes out as it gave it: its
		// own reason phrase, an empty one, a code Apache does not know.
		get("/b/reason/200/Everything_Fine"), get("/b/reason/500/Oops"), get("/b/reason/404/"),
		get("/b/reason/299/Custom"), get("/b/reason/299/"), get("/b/reason/200/__two_spaces"),
		get("/b/reason/600/Big"), do("HEAD", "/b/reason/201/Made"),
		// Headers Apache's http_header filter refuses (500), and a body
		// on a 304, which goes nowhere.
		get("/b/ctl-header", known(refusedHeaderLength)), get("/b/bad-name", known(refusedHeaderLength)), get("/b/body-304"), get("/b/type-304"),
		// Input read after the response began (Apache allows it).
		do("POST", "/b/duplex", body(strings.Repeat("0123456789abcdef", 400))),
		get("/b/gen", http10()), do("HEAD", "/b/gen"), get("/b/write", http10()),
		get("/b/gen", http10(), hdr("Connection: keep-alive"), also("Connection", "Keep-Alive")),
		do("HEAD", "/b/gen", http10(), hdr("Connection: keep-alive"), also("Connection", "Keep-Alive")),
		get("/b/etag", hdr(`If-None-Match: "abc"`)),
		get("/b/etag", hdr("If-Modified-Since: Tue, 02 Jan 2018 00:00:00 GMT")),
		do("OPTIONS", "/b/x"), do("DELETE", "/env/thing"), do("PUT", "/b/sha", body("put body")),
		// The Content-Type Apache's header filter sends: mod_mime's type
		// of the script when the application gives none, AddDefaultCharset
		// on the application's, none for an empty one or a 204.
		get("/noct"), get("/cs/gen"), get("/cs/etag"), get("/b/empty-ct"), get("/b/204-ct"),
		get("/b/empty-200"), get("/b/cl-plus"), get("/b/cl-empty"), get("/b/vary2"),
		// WSGIPassAuthorization: a repeated header merged, an empty one kept.
		get("/env-auth", hdr("Authorization: Basic YTpi", "Authorization: Bearer zzz")),
		get("/env-auth", hdr("Authorization:")),
		// A 200 with a local Location: an internal redirect (a GET
		// without the body) in daemon mode, passed on in embedded mode;
		// "200 Error" is daemon mode's mark of a failed call.
		get("/b/local-location"), do("HEAD", "/b/local-location"), get("/b/local-location-302"),
		do("POST", "/b/local-location-env", body("a=1")), get("/b/200-error"),
		// A daemon group's home= is first on sys.path.
		get("/b/syspath"),
		// Python's locale as Py_Initialize leaves it (no UTF-8 mode).
		get("/b/locale"),
		// An absolute-form target's host replaces the Host header.
		raw("absolute-form target", fmt.Sprintf("GET http://WSGI.Test:%d/env/abs HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n", port)),
		// The longest header line a daemon may send (header-buffer-size).
		get("/b/hdr-edge/32758"), get("/b/hdr-edge/32759"),
	}
	if extra == "" {
		// Embedded mode reads a body only when the application asks:
		// a client waiting for "100 Continue" gets the final answer of
		// an application that does not read. (In daemon mode both
		// servers send the body to the daemon first.)
		reqs = append(reqs, do("POST", "/b/status-404", hdr("Content-Length: 5", "Expect: 100-continue")))
	}
	return site{
		name: name, host: addr, conf: conf, fixed: true, fixedAddrs: []string{addr},
		logs: wsgiEnvLogs(strings.Contains(extra, "WSGIDaemonProcess")),
		// Debian's envvars gives Apache LANG=C: the C locale, which
		// Python must take as mod_wsgi's Python takes it.
		env: map[string]string{"LANG": "C"},
		files: map[string]string{
			"htdocs/index.html":     "<p>static</p>\n",
			"wsgi/env.wsgi":         wsgiEnvApp,
			"wsgi/behave.wsgi":      wsgiBehaveApp,
			"wsgi/noct.py":          "def application(environ, start_response):\n    start_response('200 OK', [])\n    return [b'no type\\n']\n",
			"wsgi/dir/one.wsgi":     wsgiBehaveApp,
			"htdocs/scripts/s.wsgi": wsgiBehaveApp,
			"htdocs/noexec/s.wsgi":  wsgiBehaveApp,
			// A handler script serves the .py files as data: its
			// handle_request dumps the environ.
			"wsgi/handler.wsgi":              wsgiEnvApp + "\nhandle_request = application\n",
			"htdocs/handled/page.py":         "print('not run')\n",
			"wsgi/dispatched.wsgi":           wsgiEnvApp + "\nalternate = application\n",
			"wsgi/dispatch.wsgi":             wsgiDispatchScript,
			"htdocs/handled/grouped/page.py": "print('not run')\n",
			"htdocs/handled-noexec/page.py":  "print('not run')\n",
			"wsgi/callable.wsgi": "def app(environ, start_response):\n" +
				"    start_response('200 OK', [('Content-Type', 'text/plain')])\n" +
				"    return [b'callable-object app\\n']\n",
			"wsgi/broken.wsgi": "raise ImportError('no such thing')\n",
		},
		reqs: reqs,
	}
}

// wsgiAuthHooks are the scripts of the wsgi-auth site: the access hook
// reads a request header, the password hook knows bob (and renames
// alias), the group hook puts bob in staff.
const wsgiAuthHooks = `def allow_access(environ, host):
    v = environ.get('HTTP_X_ALLOW')
    if v == 'raise':
        raise RuntimeError('the access hook fails')
    if v == 'str':
        return 'yes'
    return {'yes': True, 'no': False}.get(v)

def check_password(environ, user, password):
    if user == 'bob':
        return password == 'secret'
    if user == 'alias' and password == 'secret':
        return 'robert'
    if user == 'bytes' and password == 'secret':
        return True
    return None

def groups_for_user(environ, user):
    return {'bob': ['staff'], 'robert': ['users'], 'bytes': [b'staff']}.get(user, [])
`

// wsgiAuthSite checks mod_wsgi's authentication hooks against Apache's:
// WSGIAccessScript (with Satisfy All and Any), AuthBasicProvider wsgi
// through WSGIAuthUserScript (granted, refused, unknown, renamed user),
// and Require wsgi-group through WSGIAuthGroupScript, in front of static
// files and of a WSGI application that shows REMOTE_USER.
func wsgiAuthSite() site {
	port := freePort()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	mods := append(append([]string(nil), authMods...), "wsgi")
	conf := head(mods...) + `Listen ` + addr + `
ServerName auth.test
DocumentRoot $DIR/htdocs
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Require all granted
</Directory>
<Directory $DIR/wsgi>
  Require all granted
</Directory>
<Directory $DIR/htdocs/access>
  WSGIAccessScript $DIR/hooks.wsgi
</Directory>
<Directory $DIR/htdocs/access-any>
  WSGIAccessScript $DIR/hooks.wsgi
  Satisfy Any
  AuthType Basic
  AuthName "any"
  AuthBasicProvider wsgi
  WSGIAuthUserScript $DIR/hooks.wsgi
  Require valid-user
</Directory>
<Directory $DIR/htdocs/users>
  AuthType Basic
  AuthName "users"
  AuthBasicProvider wsgi
  WSGIAuthUserScript $DIR/hooks.wsgi
  Require valid-user
</Directory>
<Directory $DIR/htdocs/staff>
  AuthType Basic
  AuthName "staff"
  AuthBasicProvider wsgi
  WSGIAuthUserScript $DIR/hooks.wsgi
  WSGIAuthGroupScript $DIR/hooks.wsgi
  Require wsgi-group staff
</Directory>
WSGIScriptAlias /whoami $DIR/wsgi/whoami.wsgi
<Location /whoami>
  AuthType Basic
  AuthName "app"
  AuthBasicProvider wsgi
  WSGIAuthUserScript $DIR/hooks.wsgi
  Require valid-user
</Location>
`
	bob, alias := auth("bob", "secret"), auth("alias", "secret")
	reqs := []request{
		get("/access/x.txt"), get("/access/x.txt", hdr("X-Allow: yes")), get("/access/x.txt", hdr("X-Allow: no")),
		get("/access-any/x.txt", hdr("X-Allow: yes")), get("/access-any/x.txt", hdr("X-Allow: no")),
		get("/access-any/x.txt", hdr("X-Allow: no"), bob), get("/access-any/x.txt"),
		get("/users/x.txt"), get("/users/x.txt", bob), get("/users/x.txt", auth("bob", "wrong")),
		get("/users/x.txt", auth("carol", "secret")), get("/users/x.txt", alias),
		get("/staff/x.txt", bob), get("/staff/x.txt", alias), get("/staff/x.txt"),
		// Groups as bytes; an access hook that fails or answers a string.
		get("/staff/x.txt", auth("bytes", "secret")),
		get("/access/x.txt", hdr("X-Allow: raise")), get("/access/x.txt", hdr("X-Allow: str")),
		get("/whoami", bob), get("/whoami", alias), get("/whoami"), get("/whoami", auth("bob", "nope")),
	}
	return site{
		name: "wsgi-auth", host: addr, conf: conf, fixed: true, fixedAddrs: []string{addr},
		files: map[string]string{
			"hooks.wsgi":              wsgiAuthHooks,
			"htdocs/access/x.txt":     "access\n",
			"htdocs/access-any/x.txt": "access-any\n",
			"htdocs/users/x.txt":      "users\n",
			"htdocs/staff/x.txt":      "staff\n",
			"wsgi/whoami.wsgi": "def application(environ, start_response):\n" +
				"    start_response('200 OK', [('Content-Type', 'text/plain')])\n" +
				"    return [('%s %s\\n' % (environ.get('REMOTE_USER'), environ.get('AUTH_TYPE'))).encode()]\n",
		},
		reqs: reqs,
	}
}
