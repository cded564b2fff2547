package compat

import (
	"crypto/md5"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// The Digest test cannot use the fixed requests of the shared harness: a
// client must answer each server's own nonce. It starts Apache and
// gowsgid on the same configuration, gets each one's challenge, computes
// the answer for it, and compares statuses, the shapes of
// WWW-Authenticate and Authentication-Info (nonce values differ, their
// format must not), what the WSGI application sees, and the auth_digest
// and mod_wsgi lines of the error logs.

const digestConf = `ServerRoot "$DIR"
` + "%s" + `User www-data
Group www-data
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
LogLevel info
PidFile $DIR/httpd.pid
WSGIScriptAlias / $DIR/env.wsgi
<Location /file/>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    Require valid-user
</Location>
<Location /nc/>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    AuthDigestProvider file
    AuthDigestNcCheck On
    AuthDigestDomain /nc/ http://localhost/other/
    AuthDigestQop auth
    AuthDigestAlgorithm MD5
    Require valid-user
</Location>
<Location /short/>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    AuthDigestNonceLifetime 1
    Require valid-user
</Location>
<Location /otn/>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    AuthDigestNonceLifetime 0
    Require valid-user
</Location>
<Location /user/>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    Require user bob
</Location>
<Location /noname/>
    AuthType Digest
    AuthUserFile $DIR/htdigest
    Require valid-user
</Location>
<Location /nofile/>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/missing
    Require valid-user
</Location>
<Location /quote/>
    AuthType Digest
    AuthName "say \"hi\""
    AuthUserFile $DIR/htdigest
    Require valid-user
</Location>
<Location /hack/>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    Require valid-user
</Location>
SetEnvIf Request_URI ^/hack/ AuthDigestEnableQueryStringHack=On
<Location /wsgi/>
    AuthType Digest
    AuthName "WSGI realm"
    AuthDigestProvider wsgi
    WSGIAuthUserScript $DIR/auth.wsgi
    Require valid-user
</Location>
<Location /wsgi-bad/>
    AuthType Digest
    AuthName "WSGI realm"
    AuthDigestProvider wsgi
    WSGIAuthUserScript $DIR/bad.wsgi
    Require valid-user
</Location>
<Location /wsgi-none/>
    AuthType Digest
    AuthName "WSGI realm"
    AuthDigestProvider wsgi
    WSGIAuthUserScript $DIR/none.wsgi
    Require valid-user
</Location>
`

const digestEnvApp = `def application(environ, start_response):
    out = ['%s=%r' % (k, environ.get(k)) for k in ('REMOTE_USER', 'AUTH_TYPE', 'HTTP_AUTHORIZATION', 'PATH_INFO', 'QUERY_STRING')]
    data = ('\n'.join(out) + '\n').encode()
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [data]
`

const digestAuthScript = `import hashlib
def get_realm_hash(environ, user, realm):
    if user == 'carol':
        return hashlib.md5(('carol:%s:wsgipass' % realm).encode()).hexdigest()
    if user == 'bytes':
        return hashlib.md5(('bytes:%s:wsgipass' % realm).encode()).hexdigest().encode()
    if user == 'weird':
        return 42
    return None
`

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

var (
	nonceRE    = regexp.MustCompile(`nonce="[A-Za-z0-9+/]{11}=[0-9a-f]{40}"`)
	rspauthRE  = regexp.MustCompile(`rspauth="[0-9a-f]{32}"`)
	challParam = regexp.MustCompile(`(\w+)="?([^",]*)"?`)
)

// digestStep is one request of a scenario: get a challenge from path,
// then send what answer makes of it.
type digestStep struct {
	name   string
	path   string // request-target of the answer (and of the challenge)
	method string // of the answer; "" is GET
	answer func(ch map[string]string) string
	// wait is slept between the challenge and the answer.
	wait time.Duration
	// reuse sends the previous step's challenge instead of a new one.
	// An answer with a newline is sent as several Authorization fields.
	reuse bool
	// host is the Host header of the answer ("" for the address).
	host string
	// challenge is where the challenge is asked for ("" for path).
	challenge string
}

// digestAnswer returns an answer function: user and password in realm,
// uri (the path when ""), nc, with qop=auth unless noQop.
func digestAnswer(user, pw, realm, uri, nc string, mod func(string) string) func(map[string]string) string {
	return digestAnswerFor("GET", user, pw, realm, uri, nc, mod)
}

func digestAnswerFor(method, user, pw, realm, uri, nc string, mod func(string) string) func(map[string]string) string {
	return func(ch map[string]string) string {
		u := uri
		ha1 := md5hex(user + ":" + realm + ":" + pw)
		resp := md5hex(ha1 + ":" + ch["nonce"] + ":" + nc + ":0a4f113b:auth:" + md5hex(method+":"+u))
		a := fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", qop=auth, nc=%s, cnonce="0a4f113b"`,
			user, realm, ch["nonce"], u, resp, nc)
		if o, ok := ch["opaque"]; ok {
			a += `, opaque="` + o + `"`
		}
		if mod != nil {
			a = mod(a)
		}
		return a
	}
}

// digestRun runs the steps against a server (base is "http://addr" or
// "https://addr", reached through tr) and returns one line per step,
// normalized.
func digestRun(t *testing.T, base string, tr http.RoundTripper, steps []digestStep) []string {
	var out []string
	var ch map[string]string
	for _, s := range steps {
		if !s.reuse || ch == nil {
			from := s.challenge
			if from == "" {
				from = s.path
			}
			res := digestDo(t, tr, "GET", base, from, "", s.host)
			ch = map[string]string{}
			for _, m := range challParam.FindAllStringSubmatch(res.Header.Get("WWW-Authenticate"), -1) {
				ch[m[1]] = m[2]
			}
		}
		time.Sleep(s.wait)
		auth := ""
		if s.answer != nil {
			auth = s.answer(ch)
		}
		res := digestDo(t, tr, s.method, base, s.path, auth, s.host)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		line := fmt.Sprintf("%s: %d\n  WWW-Authenticate: %s\n  Authentication-Info: %s", s.name, res.StatusCode,
			digestNormalize(res.Header.Values("WWW-Authenticate")), digestNormalize(res.Header.Values("Authentication-Info")))
		if res.StatusCode == 200 {
			line += "\n  " + strings.ReplaceAll(strings.TrimSpace(string(body)), "\n", "\n  ")
		}
		out = append(out, line)
	}
	return out
}

func digestDo(t *testing.T, tr http.RoundTripper, method, base, path, auth, host string) *http.Response {
	t.Helper()
	if method == "" {
		method = "GET"
	}
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	for _, a := range strings.Split(auth, "\n") {
		if a != "" {
			req.Header.Add("Authorization", a)
		}
	}
	res, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// digestNormalize replaces the values that differ from server to server
// by their shape.
func digestNormalize(vs []string) string {
	s := strings.Join(vs, " | ")
	s = nonceRE.ReplaceAllString(s, `nonce="<b64 time>=<sha1>"`)
	return rspauthRE.ReplaceAllString(s, `rspauth="<md5>"`)
}

var logDropRE = regexp.MustCompile(`^\[[^\]]*\] \[([a-z_]+):(\w+)\] \[pid [^\]]*\](?: [a-z_.]+\.c\(\d+\):)?(?: \[client [^\]]*\])? `)

// digestLogs returns the auth_digest and wsgi lines of an error log, with
// time, pid and client port removed and nonces replaced by their shape.
func digestLogs(path string) []string {
	b, _ := os.ReadFile(path)
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		m := logDropRE.FindStringSubmatch(l)
		if m == nil || (m[1] != "auth_digest" && m[1] != "wsgi") || m[2] == "debug" {
			continue
		}
		msg := l[len(m[0]):]
		msg = regexp.MustCompile(`[A-Za-z0-9+/]{11}=[0-9a-f]{40}`).ReplaceAllString(msg, "<nonce>")
		msg = regexp.MustCompile(`hash is not [0-9a-f]{40}`).ReplaceAllString(msg, "hash is not <sha1>")
		msg = regexp.MustCompile(`pid=\d+`).ReplaceAllString(msg, "pid=N")
		msg = regexp.MustCompile(`/tmp/\S+/(\w+\.wsgi)`).ReplaceAllString(msg, "$$DIR/$1")
		if strings.Contains(msg, "Attach interpreter") || strings.Contains(msg, "Create interpreter") ||
			strings.Contains(msg, "Adding '") || strings.Contains(msg, "Loading Python script") ||
			strings.Contains(msg, "Initializing Python") || strings.Contains(msg, "Python home") ||
			strings.Contains(msg, "Destroying interpreters") || strings.Contains(msg, "Destroy interpreter") ||
			strings.Contains(msg, "End interpreter") || strings.Contains(msg, "Cleanup interpreter") ||
			strings.Contains(msg, "Terminating Python") || strings.Contains(msg, "Python has shutdown") {
			continue
		}
		out = append(out, "["+m[1]+":"+m[2]+"] "+msg)
	}
	return out
}

func TestDigestAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	steps := []digestStep{
		{name: "no credentials", path: "/file/x"},
		{name: "file: good", path: "/file/x", answer: digestAnswer("alice", "secret", "Private", "/file/x", "00000001", nil)},
		{name: "file: query", path: "/file/x?a=1&b=%41", answer: digestAnswer("alice", "secret", "Private", "/file/x?a=1&b=%41", "00000001", nil)},
		{name: "file: wrong password", path: "/file/x", answer: digestAnswer("alice", "nope", "Private", "/file/x", "00000001", nil)},
		{name: "file: unknown user", path: "/file/x", answer: digestAnswer("mallory", "secret", "Private", "/file/x", "00000001", nil)},
		{name: "file: uri mismatch", path: "/file/x", answer: digestAnswer("alice", "secret", "Private", "/file/y", "00000001", nil)},
		{name: "file: absolute uri", path: "/file/x", answer: digestAnswer("alice", "secret", "Private", "http://localhost/file/x", "00000001", nil)},
		{name: "file: realm mismatch", path: "/file/x", answer: digestAnswer("alice", "secret", "Other", "/file/x", "00000001", nil)},
		{name: "file: MD5-sess", path: "/file/x", answer: digestAnswer("alice", "secret", "Private", "/file/x", "00000001",
			func(a string) string { return a + ", algorithm=MD5-sess" })},
		{name: "file: RFC 2069", path: "/file/x", answer: func(ch map[string]string) string {
			ha1 := md5hex("alice:Private:secret")
			return fmt.Sprintf(`Digest username="alice", realm="Private", nonce="%s", uri="/file/x", response="%s"`,
				ch["nonce"], md5hex(ha1+":"+ch["nonce"]+":"+md5hex("GET:/file/x")))
		}},
		{name: "file: forged nonce", path: "/file/x", answer: digestAnswer("alice", "secret", "Private", "/file/x", "00000001",
			func(a string) string {
				return regexp.MustCompile(`nonce="(.{12})[0-9a-f]{40}"`).ReplaceAllString(a, `nonce="${1}`+strings.Repeat("0", 40)+`"`)
			})},
		{name: "file: missing cnonce", path: "/file/x", answer: digestAnswer("alice", "secret", "Private", "/file/x", "00000001",
			func(a string) string { return strings.Replace(a, `cnonce="0a4f113b"`, "", 1) })},
		{name: "file: wrong scheme", path: "/file/x", answer: func(map[string]string) string { return "Basic YWxpY2U6c2VjcmV0" }},
		{name: "nc: no credentials", path: "/nc/x"},
		{name: "nc: challenge and first use", path: "/nc/x", answer: digestAnswer("alice", "secret", "Private", "/nc/x", "00000001", nil)},
		{name: "nc: second use", path: "/nc/x", reuse: true, answer: digestAnswer("alice", "secret", "Private", "/nc/x", "00000002", nil)},
		{name: "nc: replay", path: "/nc/x", reuse: true, answer: digestAnswer("alice", "secret", "Private", "/nc/x", "00000002", nil)},
		{name: "nc: unknown opaque", path: "/nc/x", answer: func(ch map[string]string) string {
			ch["opaque"] = "7777"
			return digestAnswer("alice", "secret", "Private", "/nc/x", "00000001", nil)(ch)
		}},
		{name: "otn: first use", path: "/otn/x", answer: digestAnswer("alice", "secret", "Private", "/otn/x", "00000001", nil)},
		{name: "otn: second use", path: "/otn/x", reuse: true, answer: digestAnswer("alice", "secret", "Private", "/otn/x", "00000002", nil)},
		{name: "short: stale nonce", path: "/short/x", wait: 2100 * time.Millisecond,
			answer: digestAnswer("alice", "secret", "Private", "/short/x", "00000001", nil)},
		{name: "HEAD", path: "/file/x", method: "HEAD", answer: digestAnswerFor("HEAD", "alice", "secret", "Private", "/file/x", "00000001", nil)},
		{name: "HEAD answered as GET", path: "/file/x", method: "HEAD", answer: digestAnswer("alice", "secret", "Private", "/file/x", "00000001", nil)},
		{name: "user: not the required user", path: "/user/x", answer: digestAnswer("alice", "secret", "Private", "/user/x", "00000001", nil)},
		{name: "noname", path: "/noname/x", answer: digestAnswer("alice", "secret", "Private", "/noname/x", "00000001", nil)},
		{name: "nofile", path: "/nofile/x", answer: digestAnswer("alice", "secret", "Private", "/nofile/x", "00000001", nil)},
		{name: "quote: challenge", path: "/quote/x"},
		{name: "file: query left out", path: "/file/x?q=1", answer: digestAnswer("alice", "secret", "Private", "/file/x", "00000001", nil)},
		{name: "hack: query left out", path: "/hack/x?q=1", answer: digestAnswer("alice", "secret", "Private", "/hack/x", "00000001", nil)},
		{name: "two Authorization fields", path: "/file/x", answer: func(ch map[string]string) string {
			return digestAnswer("alice", "secret", "Private", "/file/x", "00000001", nil)(ch) + "\nBasic eDp5"
		}},
		{name: "wsgi: good", path: "/wsgi/x", answer: digestAnswer("carol", "wsgipass", "WSGI realm", "/wsgi/x", "00000001", nil)},
		{name: "wsgi: bytes", path: "/wsgi/x", answer: digestAnswer("bytes", "wsgipass", "WSGI realm", "/wsgi/x", "00000001", nil)},
		{name: "wsgi: wrong password", path: "/wsgi/x", answer: digestAnswer("carol", "x", "WSGI realm", "/wsgi/x", "00000001", nil)},
		{name: "wsgi: None", path: "/wsgi/x", answer: digestAnswer("dave", "x", "WSGI realm", "/wsgi/x", "00000001", nil)},
		{name: "wsgi: bad return", path: "/wsgi/x", answer: digestAnswer("weird", "x", "WSGI realm", "/wsgi/x", "00000001", nil)},
		{name: "wsgi: script raises", path: "/wsgi-bad/x", answer: digestAnswer("carol", "wsgipass", "WSGI realm", "/wsgi-bad/x", "00000001", nil)},
		{name: "wsgi: no get_realm_hash", path: "/wsgi-none/x", answer: digestAnswer("carol", "wsgipass", "WSGI realm", "/wsgi-none/x", "00000001", nil)},
	}

	run := func(start func(dir, conf, addr string) *apachetest.Instance) ([]string, []string) {
		dir := makeRoot(t)
		files := map[string]string{
			"htdigest":  "alice:Private:" + md5hex("alice:Private:secret") + "\n",
			"env.wsgi":  digestEnvApp,
			"auth.wsgi": digestAuthScript,
			"bad.wsgi":  "def get_realm_hash(environ, user, realm):\n    raise ValueError('no realm for ' + user)\n",
			"none.wsgi": "def check_password(environ, user, password):\n    return None\n",
		}
		for n, c := range files {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
		mods := apachetest.LoadModules("mpm_event", "authz_core", "authz_user", "authn_core", "authn_file", "auth_digest", "wsgi", "setenvif")
		in := start(dir, fmt.Sprintf(digestConf, mods, addr), addr)
		out := digestRun(t, "http://"+addr, http.DefaultTransport, steps)
		in.Stop()
		return out, digestLogs(filepath.Join(dir, "logs", "error.log"))
	}
	// The sub-request that computes PATH_TRANSLATED has the request's
	// configuration, so neither server authenticates it again: the
	// query string hack's info line comes once.
	compareDigestRuns(t, run)
}

// digestRedirectConf has Digest directories that internal redirects
// (RewriteRule, ErrorDocument) and DirectoryIndex subrequests reach, in
// the same directory as the request or from another.
const digestRedirectConf = `ServerRoot "$DIR"
` + "%s" + `User www-data
Group www-data
ServerName localhost
Listen %s
ErrorLog $DIR/logs/error.log
LogLevel info
PidFile $DIR/httpd.pid
DocumentRoot $DIR/htdocs
DirectoryIndex index.html
<Directory $DIR/htdocs>
    Require all granted
</Directory>
<Directory $DIR/htdocs/digest>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    Require valid-user
    RewriteEngine On
    RewriteRule ^(nc|otn)/alias$ $1/index.html [L]
    ErrorDocument 404 /digest/nc/index.html
</Directory>
<Directory $DIR/htdocs/digest/nc>
    AuthDigestNcCheck On
</Directory>
<Directory $DIR/htdocs/digest/otn>
    AuthDigestNonceLifetime 0
</Directory>
<Directory $DIR/htdocs/pub-otn>
    DirectoryIndex /digest/otn/index.html
</Directory>
<Directory $DIR/htdocs/pub-nc>
    DirectoryIndex /digest/nc/index.html
</Directory>
`

// TestDigestRedirectsAgainstApache compares what Apache checks again:
// an internal redirect or subrequest with the configuration of the
// request before it is not authenticated again (its nonce is not
// counted twice), one with another configuration is, nonce count and
// one-time nonce included, so a captured Authorization header does not
// replay through a DirectoryIndex. It also compares clients the server
// does not know (a nonce without an opaque where one is needed, AH10618)
// and a one-time nonce kept through a challenge sent to its opaque.
func TestDigestRedirectsAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	good := func(uri, nc string) func(map[string]string) string {
		return digestAnswer("alice", "secret", "Private", uri, nc, nil)
	}
	steps := []digestStep{
		{name: "nc: rewritten in the directory", path: "/digest/nc/alias", answer: good("/digest/nc/alias", "00000001")},
		{name: "otn: rewritten in the directory", path: "/digest/otn/alias", answer: good("/digest/otn/alias", "00000001")},
		{name: "nc: ErrorDocument in the directory", path: "/digest/nc/missing", answer: good("/digest/nc/missing", "00000001")},
		{name: "nc: DirectoryIndex in the directory", path: "/digest/nc/", answer: good("/digest/nc/", "00000001")},
		{name: "otn: DirectoryIndex from elsewhere", path: "/pub-otn/", challenge: "/digest/otn/", answer: good("/pub-otn/", "00000001")},
		{name: "otn: replayed", path: "/pub-otn/", reuse: true, answer: good("/pub-otn/", "00000001")},
		{name: "otn: replayed again", path: "/pub-otn/", reuse: true, answer: good("/pub-otn/", "00000002")},
		{name: "nc: DirectoryIndex from elsewhere", path: "/pub-nc/", challenge: "/digest/nc/", answer: good("/pub-nc/", "00000001")},
		{name: "nc: replayed", path: "/pub-nc/", reuse: true, answer: good("/pub-nc/", "00000001")},
		{name: "nc: next count", path: "/pub-nc/", reuse: true, answer: good("/pub-nc/", "00000002")},
		{name: "otn: nonce without opaque", path: "/digest/otn/index.html", challenge: "/digest/index.html", answer: good("/digest/otn/index.html", "00000001")},
		{name: "nc: nonce without opaque", path: "/digest/nc/index.html", challenge: "/digest/index.html", answer: good("/digest/nc/index.html", "00000001")},
		{name: "otn: challenge to the opaque", path: "/digest/otn/index.html",
			answer: digestAnswer("alice", "nope", "Private", "/digest/otn/index.html", "00000001", nil)},
		{name: "otn: nonce held through it", path: "/digest/otn/index.html", reuse: true, answer: good("/digest/otn/index.html", "00000001")},
	}
	run := func(start func(dir, conf, addr string) *apachetest.Instance) ([]string, []string) {
		dir := makeRoot(t)
		writeTree(t, dir, map[string]string{
			"htdigest":                     "alice:Private:" + md5hex("alice:Private:secret") + "\n",
			"htdocs/digest/index.html":     "digest\n",
			"htdocs/digest/nc/index.html":  "nc\n",
			"htdocs/digest/otn/index.html": "otn\n",
			"htdocs/pub-otn/x.txt":         "x\n",
			"htdocs/pub-nc/x.txt":          "x\n",
		})
		addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
		mods := apachetest.LoadModules("mpm_event", "authz_core", "authz_user", "authn_core", "authn_file", "auth_digest", "rewrite", "dir")
		in := start(dir, fmt.Sprintf(digestRedirectConf, mods, addr), addr)
		out := digestRun(t, "http://"+addr, http.DefaultTransport, steps)
		in.Stop()
		return out, digestLogs(filepath.Join(dir, "logs", "error.log"))
	}
	compareDigestRuns(t, run)
}

// digestTLSConf serves Digest over TLS with UseCanonicalName On and a
// ServerName without a port: the request's port is then the default
// port, 443, whatever port the server listens on.
const digestTLSConf = `ServerRoot "$DIR"
` + "%s" + `User www-data
Group www-data
ServerName localhost
UseCanonicalName On
Listen %s
ErrorLog $DIR/logs/error.log
LogLevel info
PidFile $DIR/httpd.pid
DocumentRoot $DIR/htdocs
SSLEngine on
SSLCertificateFile $DIR/s.crt
SSLCertificateKeyFile $DIR/s.key
<Directory $DIR/htdocs>
    AuthType Digest
    AuthName Private
    AuthUserFile $DIR/htdigest
    Require valid-user
</Directory>
`

// TestDigestTLSAgainstApache compares a uri attribute that names the
// host without a port over TLS: it must be for the request's port when
// that is 443 (ap_default_port), not 80; the request's port is the Host
// header's when it names one.
func TestDigestTLSAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	var steps []digestStep
	// With a Host header that names the port, the request is for that
	// port (Apache keeps it in r->parsed_uri), UseCanonicalName or not.
	for _, host := range []string{"localhost", ""} {
		for _, uri := range []string{"https://localhost/x.txt", "https://localhost:443/x.txt", "https://localhost:80/x.txt", "/x.txt"} {
			steps = append(steps, digestStep{name: uri + " Host " + host, path: "/x.txt", host: host,
				answer: digestAnswer("alice", "secret", "Private", uri, "00000001", nil)})
		}
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{ServerName: "localhost", InsecureSkipVerify: true}}
	defer tr.CloseIdleConnections()
	run := func(start func(dir, conf, addr string) *apachetest.Instance) ([]string, []string) {
		dir := makeRoot(t)
		writeTree(t, dir, map[string]string{
			"htdigest":     "alice:Private:" + md5hex("alice:Private:secret") + "\n",
			"htdocs/x.txt": "x\n",
		})
		writeSelfSigned(t, dir, "s", "localhost")
		addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
		mods := apachetest.LoadModules("mpm_event", "authz_core", "authz_user", "authn_core", "authn_file", "auth_digest", "ssl")
		in := start(dir, fmt.Sprintf(digestTLSConf, mods, addr), addr)
		out := digestRun(t, "https://"+addr, tr, steps)
		in.Stop()
		return out, digestLogs(filepath.Join(dir, "logs", "error.log"))
	}
	compareDigestRuns(t, run)
}

// TestDigestConfigtestAgainstApache compares `-t` on mod_auth_digest's
// directives: 2.4.71's checks and messages.
func TestDigestConfigtestAgainstApache(t *testing.T) {
	bin := apachetest.Binary(t)
	gw := apachetest.GowsgidBinary(t)
	dir := t.TempDir()
	for _, c := range []struct{ server, dir string }{
		{"", "AuthDigestAlgorithm MD5-sess"}, {"", "AuthDigestAlgorithm md5"}, {"", "AuthDigestQop auth-int"},
		{"", "AuthDigestQop none"}, {"", "AuthDigestQop auth Auth"}, {"", "AuthDigestProvider anon"},
		{"", "AuthDigestProvider dbm"}, {"", "AuthDigestProvider wsgi file"}, {"", "AuthDigestNonceLifetime 1x"},
		{"", "AuthDigestNonceLifetime -1"}, {"", "AuthDigestNcCheck maybe"}, {"", "AuthDigestShmemSize 1000"},
		{"", "AuthDigestDomain /a http://x/b"}, {"", "AuthDigestNonceFormat x"},
		{"AuthDigestShmemSize 10", ""}, {"AuthDigestShmemSize 87", ""}, {"AuthDigestShmemSize 88", ""},
		{"AuthDigestShmemSize 5x", ""}, {"AuthDigestShmemSize 2M", ""}, {"AuthDigestQop auth", ""},
	} {
		conf := filepath.Join(dir, "t.conf")
		body := "ServerRoot " + dir + "\nServerName localhost\nListen 127.0.0.1:1\n" +
			apachetest.LoadModules("mpm_event", "authz_core", "authn_core", "authn_file", "authn_anon", "auth_digest", "wsgi") +
			c.server + "\n<Location />\nAuthType Digest\nAuthName x\n" + c.dir + "\n</Location>\n"
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		a, aerr := exec.Command(bin, "-t", "-f", conf).CombinedOutput()
		g, gerr := exec.Command(gw, "-t", "-f", conf).CombinedOutput()
		want := strings.ReplaceAll(string(a), "apache2:", "gowsgid:")
		if string(g) != want || (aerr == nil) != (gerr == nil) {
			t.Errorf("%s%s:\napache  %q %v\ngowsgid %q %v", c.server, c.dir, a, aerr, g, gerr)
		}
	}
}

// compareDigestRuns runs a Digest test's steps on Apache, then on
// gowsgid (run starts the server with start), and compares the answers
// step by step and the error log lines.
func compareDigestRuns(t *testing.T, run func(start func(dir, conf, addr string) *apachetest.Instance) ([]string, []string)) {
	t.Helper()
	aOut, aLogs := run(func(dir, conf, addr string) *apachetest.Instance {
		return apachetest.Start(t, dir, conf, addr)
	})
	gOut, gLogs := run(func(dir, conf, addr string) *apachetest.Instance {
		return apachetest.StartGowsgid(t, dir, conf, nil, addr)
	})
	for i := range aOut {
		if aOut[i] != gOut[i] {
			t.Errorf("differs:\napache  %s\ngowsgid %s", aOut[i], gOut[i])
		} else if testing.Verbose() {
			t.Logf("same: %s", aOut[i])
		}
	}
	if strings.Join(aLogs, "\n") != strings.Join(gLogs, "\n") {
		t.Errorf("error logs differ:\napache:\n  %s\ngowsgid:\n  %s", strings.Join(aLogs, "\n  "), strings.Join(gLogs, "\n  "))
	}
}
