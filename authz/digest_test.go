package authz

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
)

func h(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// digestFixture is a configuration with AuthType Digest in <Location /t/>
// and an htdigest file with alice (password "secret") in realm "Private".
type digestFixture struct {
	t   *testing.T
	cfg *confparse.Config
	ck  *Checker
}

func newDigestFixture(t *testing.T, extra string, opts Options) *digestFixture {
	t.Helper()
	dir := t.TempDir()
	pw := "# users\nalice:Private:" + h("alice:Private:secret") + "\nalice:Other:" + h("alice:Other:x") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "htdigest"), []byte(pw), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := loadConfig(t, dir, "LoadModule auth_digest_module x\n<Location /t/>\nAuthType Digest\nAuthName Private\n"+
		"AuthUserFile $DIR/htdigest\nRequire valid-user\n"+extra+"</Location>\n")
	return &digestFixture{t: t, cfg: cfg, ck: NewChecker(opts)}
}

// check sends a request for /t/x (request-target target, "" for /t/x)
// with an Authorization header ("" for none).
func (f *digestFixture) check(auth, target string, at time.Time) Result {
	q := treq{}
	if auth != "" {
		q.hdr = []string{"Authorization: " + auth}
	}
	r := q.request("/t/x", "/srv/t/x")
	r.RequestURI = target
	if target == "" {
		r.RequestURI = "/t/x"
	}
	r.ServerName, r.ServerPort, r.Time = "localhost", 80, at
	return f.ck.Check(dirFor(f.cfg, "/t/x", "/srv/t/x"), r)
}

var challengeRE = regexp.MustCompile(`^Digest realm="Private", nonce="([A-Za-z0-9+/]{11}=[0-9a-f]{40})", algorithm=MD5(, opaque="([0-9a-f]+)")?(, domain="[^"]*")?(, stale=true)?, qop="auth"$`)

// challenge gets a 401 and returns its nonce and opaque.
func (f *digestFixture) challenge(at time.Time) (nonce, opaque string) {
	f.t.Helper()
	res := f.check("", "", at)
	if res.Status != 401 {
		f.t.Fatalf("status %d, want 401\n%s", res.Status, logText(res))
	}
	m := challengeRE.FindStringSubmatch(res.Header.Get("WWW-Authenticate"))
	if m == nil {
		f.t.Fatalf("challenge %q", res.Header.Get("WWW-Authenticate"))
	}
	return m[1], m[3]
}

// answer is the client's Authorization header for a challenge.
func answer(user, pw, realm, nonce, uri, opaque, nc string) string {
	ha1 := h(user + ":" + realm + ":" + pw)
	resp := h(ha1 + ":" + nonce + ":" + nc + ":c0ffee:auth:" + h("GET:"+uri))
	a := fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", qop=auth, nc=%s, cnonce="c0ffee", algorithm=MD5`,
		user, realm, nonce, uri, resp, nc)
	if opaque != "" {
		a += `, opaque="` + opaque + `"`
	}
	return a
}

func TestDigestChallengeAndGoodResponse(t *testing.T) {
	f := newDigestFixture(t, "", Options{})
	now := time.Now()
	nonce, opaque := f.challenge(now)
	if opaque != "" {
		t.Errorf("opaque %q without AuthDigestNcCheck", opaque)
	}
	res := f.check(answer("alice", "secret", "Private", nonce, "/t/x", "", "00000001"), "", now.Add(time.Second))
	if res.Status != 0 || res.User != "alice" || res.AuthType != "Digest" {
		t.Fatalf("status %d user %q type %q\n%s", res.Status, res.User, res.AuthType, logText(res))
	}
	ha1 := h("alice:Private:secret")
	want := `rspauth="` + h(ha1+":"+nonce+":00000001:c0ffee:auth:"+h(":/t/x")) + `", cnonce="c0ffee", nc=00000001, qop=auth`
	if res.AuthInfo != want {
		t.Errorf("Authentication-Info %q, want %q", res.AuthInfo, want)
	}
}

func TestDigestFailures(t *testing.T) {
	f := newDigestFixture(t, "", Options{})
	now := time.Now()
	nonce, _ := f.challenge(now)
	good := answer("alice", "secret", "Private", nonce, "/t/x", "", "00000001")
	noQop := fmt.Sprintf(`Digest username="alice", realm="Private", nonce="%s", uri="/t/x", response="%s"`,
		nonce, h(h("alice:Private:secret")+":"+nonce+":"+h("GET:/t/x")))
	cases := []struct {
		name, auth, target string
		status             int
		log                string
		stale              bool
	}{
		{"no header", "", "", 401, "", false},
		{"basic", "Basic YTpi", "", 401, "[auth_digest:error] AH01781: client used wrong authentication scheme `Basic': /t/x", false},
		{"missing cnonce", strings.Replace(good, `cnonce="c0ffee"`, `x="y"`, 1), "", 401,
			"[auth_digest:error] AH01782: missing user, realm, nonce, uri, digest, cnonce, or nonce_count in authorization header: /t/x", false},
		{"not a nonce", strings.Replace(good, nonce, strings.Repeat("x", 52), 1), "", 401, "AH01782", false},
		{"wrong password", answer("alice", "nope", "Private", nonce, "/t/x", "", "00000001"), "", 401,
			"[auth_digest:error] AH01794: user alice: password mismatch: /t/x", false},
		{"unknown user", answer("bob", "secret", "Private", nonce, "/t/x", "", "00000001"), "", 401,
			"[auth_digest:error] AH01790: user `bob' in realm `Private' not found: /t/x", false},
		{"other realm", answer("alice", "x", "Other", nonce, "/t/x", "", "00000001"), "", 401,
			"[auth_digest:error] AH01788: realm mismatch - got `Other' but expected `Private'", false},
		{"uri mismatch", answer("alice", "secret", "Private", nonce, "/t/y", "", "00000001"), "", 400,
			"[auth_digest:error] AH01786: uri mismatch - </t/y> does not match request-uri </t/x>", false},
		{"absolute uri", answer("alice", "secret", "Private", nonce, "http://localhost/t/x", "", "00000001"), "", 0, "", false},
		{"escaped uri", answer("alice", "secret", "Private", nonce, "/t/%78", "", "00000001"), "", 0, "", false},
		{"query missing", answer("alice", "secret", "Private", nonce, "/t/x", "", "00000001"), "/t/x?a=1", 400, "AH01786", false},
		{"MD5-sess", strings.Replace(good, "algorithm=MD5", "algorithm=MD5-sess", 1), "", 401,
			"[auth_digest:error] AH01789: unknown algorithm `MD5-sess' received: /t/x", false},
		{"RFC 2069", noQop, "", 401,
			"[auth_digest:error] AH10560: invalid or missing qop value '(null)', RFC 2069 is no longer supported: /t/x", false},
		{"auth-int", strings.Replace(good, "qop=auth", "qop=auth-int", 1), "", 401, "AH10560: invalid or missing qop value 'auth-int'", false},
		{"forged nonce", answer("alice", "secret", "Private", nonce[:12]+strings.Repeat("0", 40), "/t/x", "", "00000001"), "", 401,
			"[auth_digest:error] AH01776: invalid nonce " + nonce[:12], true},
		{"bad opaque", good + `, opaque="zz"`, "", 401, "[auth_digest:error] AH01787: received invalid opaque - got `zz'", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := f.check(c.auth, c.target, now.Add(time.Second))
			if res.Status != c.status {
				t.Fatalf("status %d, want %d\n%s", res.Status, c.status, logText(res))
			}
			if !hasLog(res, c.log) {
				t.Errorf("no log %q in\n%s", c.log, logText(res))
			}
			www := res.Header.Get("WWW-Authenticate")
			if c.status == 401 {
				if !challengeRE.MatchString(www) {
					t.Errorf("challenge %q", www)
				}
				if strings.Contains(www, "stale=true") != c.stale {
					t.Errorf("challenge %q, want stale %v", www, c.stale)
				}
			} else if www != "" {
				t.Errorf("WWW-Authenticate %q on %d", www, c.status)
			}
			if c.status == 400 && (res.User != "alice" || res.AuthType != "Digest") {
				t.Errorf("user %q type %q: Apache sets them before the uri check", res.User, res.AuthType)
			}
		})
	}
}

// A uri attribute naming a host without a port is for the default port
// of the connection (ap_default_port: 443 over TLS).
func TestDigestURIDefaultPort(t *testing.T) {
	f := newDigestFixture(t, "", Options{})
	now := time.Now()
	nonce, _ := f.challenge(now)
	for _, c := range []struct {
		uri                 string
		serverPort, defPort int
		status              int
	}{
		{"https://localhost/t/x", 443, 443, 0},
		{"https://localhost/t/x", 443, 0, 400},
		{"http://localhost/t/x", 80, 443, 400},
		{"https://localhost:443/t/x", 443, 443, 0},
		{"https://localhost/t/x", 8443, 443, 400},
	} {
		q := treq{hdr: []string{"Authorization: " + answer("alice", "secret", "Private", nonce, c.uri, "", "00000001")}}
		r := q.request("/t/x", "/srv/t/x")
		r.RequestURI, r.ServerName, r.ServerPort, r.DefaultPort, r.Time = "/t/x", "localhost", c.serverPort, c.defPort, now
		if res := f.ck.Check(dirFor(f.cfg, "/t/x", "/srv/t/x"), r); res.Status != c.status {
			t.Errorf("%s on port %d (default %d): %d, want %d\n%s", c.uri, c.serverPort, c.defPort, res.Status, c.status, logText(res))
		}
	}
}

func TestDigestStaleNonce(t *testing.T) {
	f := newDigestFixture(t, "AuthDigestNonceLifetime 10\n", Options{})
	now := time.Now()
	nonce, _ := f.challenge(now)
	auth := answer("alice", "secret", "Private", nonce, "/t/x", "", "00000001")
	if res := f.check(auth, "", now.Add(5*time.Second)); res.Status != 0 {
		t.Fatalf("fresh nonce: %d\n%s", res.Status, logText(res))
	} else if !strings.Contains(res.AuthInfo, `nextnonce="`) {
		t.Errorf("no nextnonce 5s before expiry (lifetime 10 < 30s): %q", res.AuthInfo)
	}
	res := f.check(auth, "", now.Add(12*time.Second))
	if res.Status != 401 || !strings.HasSuffix(res.Header.Get("WWW-Authenticate"), `, stale=true, qop="auth"`) {
		t.Fatalf("stale nonce: %d %q", res.Status, res.Header.Get("WWW-Authenticate"))
	}
	if !hasLog(res, "[auth_digest:info] AH01778: user alice: nonce expired (12.00 seconds old - max lifetime 10.00) - sending new nonce") {
		t.Errorf("log:\n%s", logText(res))
	}
	if res := f.check(auth, "", now.Add(-time.Second)); res.Status != 401 || !hasLog(res, "AH01777") {
		t.Errorf("time travel: %d\n%s", res.Status, logText(res))
	}
}

func TestDigestNonceCount(t *testing.T) {
	f := newDigestFixture(t, "AuthDigestNcCheck On\nAuthDigestDomain /t/ http://localhost/u/\n", Options{})
	now := time.Now()
	res := f.check("", "", now)
	www := res.Header.Get("WWW-Authenticate")
	if !strings.Contains(www, `, domain="/t/ http://localhost/u/", qop="auth"`) {
		t.Errorf("challenge %q", www)
	}
	nonce, opaque := f.challenge(now)
	if opaque == "" {
		t.Fatal("no opaque with AuthDigestNcCheck On")
	}
	for i, want := range []int{0, 0, 401} {
		nc := fmt.Sprintf("%08x", i+1)
		if i == 2 {
			nc = "00000002" // replayed
		}
		res := f.check(answer("alice", "secret", "Private", nonce, "/t/x", opaque, nc), "", now)
		if res.Status != want {
			t.Fatalf("request %d: %d, want %d\n%s", i+1, res.Status, want, logText(res))
		}
		if want == 401 && !hasLog(res, "AH01774: Warning, possible replay attack: nonce-count check failed: 2 is not above 2 for nonce") {
			t.Errorf("log:\n%s", logText(res))
		}
	}
	// An opaque the server never gave: a new one, and stale=true.
	res = f.check(answer("alice", "secret", "Private", nonce, "/t/x", "ffffff", "00000001"), "", now)
	if res.Status != 401 || !strings.Contains(res.Header.Get("WWW-Authenticate"), "stale=true") {
		t.Errorf("unknown opaque: %d %q", res.Status, res.Header.Get("WWW-Authenticate"))
	}
}

func TestDigestOneTimeNonce(t *testing.T) {
	f := newDigestFixture(t, "AuthDigestNonceLifetime 0\n", Options{})
	now := time.Now()
	nonce, opaque := f.challenge(now)
	auth := answer("alice", "secret", "Private", nonce, "/t/x", opaque, "00000001")
	res := f.check(auth, "", now)
	if res.Status != 0 || !strings.Contains(res.AuthInfo, "nextnonce=") {
		t.Fatalf("first use: %d %q\n%s", res.Status, res.AuthInfo, logText(res))
	}
	if res := f.check(auth, "", now); res.Status != 401 || !hasLog(res, "AH01779: user alice: one-time-nonce "+nonce+" already used - sending new nonce") {
		t.Errorf("second use: %d\n%s", res.Status, logText(res))
	}
}

// A client Apache no longer knows (its entry was dropped) gets a new
// opaque and stale=true, with AH10618, when its nonce must be checked:
// one-time nonces and nonce counts alike.
func TestDigestForgottenClient(t *testing.T) {
	for _, extra := range []string{"AuthDigestNonceLifetime 0\n", "AuthDigestNcCheck On\n"} {
		f := newDigestFixture(t, extra, Options{})
		now := time.Now()
		nonce, opaque := f.challenge(now)
		key := parseOpaque(opaque)
		digestTable.mu.Lock()
		delete(digestTable.clients, key)
		digestTable.mu.Unlock()
		res := f.check(answer("alice", "secret", "Private", nonce, "/t/x", opaque, "00000001"), "", now)
		www := res.Header.Get("WWW-Authenticate")
		if res.Status != 401 || !strings.Contains(www, "stale=true") || strings.Contains(www, `opaque="`+opaque+`"`) ||
			!hasLog(res, fmt.Sprintf("[auth_digest:info] AH10618: client %d is no longer known - sending new nonce", key)) {
			t.Errorf("%s: %d %q\n%s", extra, res.Status, www, logText(res))
		}
	}
}

// Only a request that authenticates changes what a client's nonce and
// count are checked against: a challenge sent to anyone quoting the
// opaque leaves the one-time nonce the client holds usable, and a
// nonce older than the one the client used last is refused.
func TestDigestClientState(t *testing.T) {
	f := newDigestFixture(t, "AuthDigestNonceLifetime 0\n", Options{})
	now := time.Now()
	nonce, opaque := f.challenge(now)
	if res := f.check(answer("alice", "nope", "Private", nonce, "/t/x", opaque, "00000001"), "", now); res.Status != 401 {
		t.Fatalf("wrong password: %d", res.Status)
	}
	if res := f.check(answer("alice", "secret", "Private", nonce, "/t/x", opaque, "00000001"), "", now); res.Status != 0 {
		t.Errorf("one-time nonce after another challenge: %d\n%s", res.Status, logText(res))
	}

	f = newDigestFixture(t, "AuthDigestNcCheck On\n", Options{})
	old, opaque := f.challenge(now)
	res := f.check(answer("alice", "nope", "Private", old, "/t/x", opaque, "00000001"), "", now.Add(time.Second))
	newer := challengeRE.FindStringSubmatch(res.Header.Get("WWW-Authenticate"))[1]
	if res := f.check(answer("alice", "secret", "Private", newer, "/t/x", opaque, "00000001"), "", now.Add(2*time.Second)); res.Status != 0 {
		t.Fatalf("newer nonce: %d\n%s", res.Status, logText(res))
	}
	res = f.check(answer("alice", "secret", "Private", old, "/t/x", opaque, "00000005"), "", now.Add(3*time.Second))
	if res.Status != 401 || !hasLog(res, "AH01774: Warning, possible replay attack: nonce-count check failed: 5 is not above 1 for nonce "+old) {
		t.Errorf("older nonce: %d\n%s", res.Status, logText(res))
	}
}

// A subrequest that is authenticated (its configuration differs from
// its main request's) has its nonce checked like any request: a
// captured header does not replay through one.
func TestDigestSubRequestReplay(t *testing.T) {
	for _, extra := range []string{"AuthDigestNonceLifetime 0\n", "AuthDigestNcCheck On\n"} {
		f := newDigestFixture(t, extra, Options{})
		now := time.Now()
		nonce, opaque := f.challenge(now)
		auth := answer("alice", "secret", "Private", nonce, "/t/x", opaque, "00000001")
		for i, want := range []int{0, 401, 401} {
			r := treq{hdr: []string{"Authorization: " + auth}}.request("/t/x", "/srv/t/x")
			r.RequestURI, r.ServerName, r.ServerPort, r.Time, r.SubRequest = "/t/x", "localhost", 80, now, true
			res := f.ck.Check(dirFor(f.cfg, "/t/x", "/srv/t/x"), r)
			if res.Status != want {
				t.Errorf("%suse %d: %d, want %d\n%s", extra, i+1, res.Status, want, logText(res))
			}
			if res.AuthInfo != "" {
				t.Errorf("%suse %d: Authentication-Info %q in a subrequest", extra, i+1, res.AuthInfo)
			}
		}
	}
}

func TestDigestModuleAndConfig(t *testing.T) {
	f := newDigestFixture(t, "", Options{ModuleLoaded: func(m string) bool { return m != "mod_auth_digest.c" }})
	if res := f.check("", "", time.Now()); res.Status != 500 || !hasLog(res, "AH01796: AuthType Digest configured without corresponding module") {
		t.Errorf("without mod_auth_digest: %d\n%s", res.Status, logText(res))
	}
	dir := t.TempDir()
	for _, c := range []struct{ line, err string }{
		{"AuthDigestAlgorithm MD5-sess", "Unsupported algorithm in AuthDigestAlgorithm: MD5-sess"},
		{"AuthDigestQop auth-int", "AuthDigestQop is deprecated: only 'auth' is supported"},
		{"AuthDigestQop none", "AuthDigestQop is deprecated: only 'auth' is supported"},
		{"AuthDigestProvider anon", "Unknown Authn provider: anon"},
		{"AuthDigestNonceLifetime 5x", "Invalid time in AuthDigestNonceLifetime: 5x"},
	} {
		conf := filepath.Join(dir, "c.conf")
		body := "LoadModule authn_core_module x\nLoadModule authn_file_module x\nLoadModule auth_digest_module x\n" +
			"LoadModule authz_core_module x\nLoadModule mpm_event_module x\n<Location />\n" + c.line + "\n</Location>\n"
		if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf,
			Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{NoDocumentRootCheck: true})
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want %q", c.line, err, c.err)
		}
	}
}

// fakeRealm is a ScriptHooks whose get_realm_hash knows alice.
type fakeRealm struct{ ScriptHooks }

func (fakeRealm) RealmHash(_ *Request, _ *confparse.WSGIScriptRef, user, realm string) (ScriptVerdict, string) {
	switch user {
	case "alice":
		return ScriptYes, h("alice:" + realm + ":secret")
	case "broken":
		return ScriptFailed, ""
	}
	return ScriptNone, ""
}

func TestDigestWSGIProvider(t *testing.T) {
	unitModules = append(unitModules, "wsgi")
	defer func() { unitModules = unitModules[:len(unitModules)-1] }()
	f := newDigestFixture(t, "AuthDigestProvider wsgi\nWSGIAuthUserScript /srv/auth.wsgi\n", Options{Scripts: fakeRealm{}})
	now := time.Now()
	nonce, _ := f.challenge(now)
	if res := f.check(answer("alice", "secret", "Private", nonce, "/t/x", "", "00000001"), "", now); res.Status != 0 || res.User != "alice" {
		t.Errorf("alice: %d %q\n%s", res.Status, res.User, logText(res))
	}
	if res := f.check(answer("bob", "secret", "Private", nonce, "/t/x", "", "00000001"), "", now); res.Status != 401 || !hasLog(res, "AH01790") {
		t.Errorf("bob: %d\n%s", res.Status, logText(res))
	}
	if res := f.check(answer("broken", "secret", "Private", nonce, "/t/x", "", "00000001"), "", now); res.Status != 500 {
		t.Errorf("failing hook: %d\n%s", res.Status, logText(res))
	}
}

func TestDigestClientMethodAndQuotedRealm(t *testing.T) {
	f := newDigestFixture(t, "", Options{})
	now := time.Now()
	nonce, _ := f.challenge(now)
	ha1 := h("alice:Private:secret")
	head := fmt.Sprintf(`Digest username="alice", realm="Private", nonce="%s", uri="/t/x", response="%s", qop=auth, nc=00000001, cnonce="c"`,
		nonce, h(ha1+":"+nonce+":00000001:c:auth:"+h("HEAD:/t/x")))
	// A sub-request (a GET) of a HEAD checks the HEAD's hash, as Apache
	// hashes the initial request's method.
	r := treq{hdr: []string{"Authorization: " + head}}.request("/t/x", "/srv/t/x")
	r.RequestURI, r.ClientMethod, r.SubRequest, r.Time = "/t/x", "HEAD", true, now
	if res := f.ck.Check(dirFor(f.cfg, "/t/x", "/srv/t/x"), r); res.Status != 0 || res.AuthInfo != "" {
		t.Errorf("sub-request of a HEAD: %d %q\n%s", res.Status, res.AuthInfo, logText(res))
	}

	dir := t.TempDir()
	cfg := loadConfig(t, dir, "LoadModule auth_digest_module x\n<Location /t/>\nAuthType Digest\nAuthName \"say \\\"hi\\\"\"\n"+
		"AuthUserFile $DIR/none\nRequire valid-user\n</Location>\n")
	res := NewChecker(Options{}).Check(dirFor(cfg, "/t/x", "/srv/t/x"), treq{}.request("/t/x", "/srv/t/x"))
	if www := res.Header.Get("WWW-Authenticate"); !strings.HasPrefix(www, `Digest realm="say \"hi\"", nonce="`) {
		t.Errorf("quoted realm: %q", www)
	}
}

// An opaque is a client id when all of it is a hex number from 1 to
// 2^32-1 (strtol's syntax: white space, sign and 0x before it).
func TestParseOpaque(t *testing.T) {
	for in, want := range map[string]uint64{
		"1": 1, "1f": 31, "0x1F": 31, " 2": 2, "+3": 3, "ffffffff": 1<<32 - 1,
		"100000000": 0, "-1": 0, "0": 0, "": 0, "zz": 0, "1 ": 0, "0x": 0,
	} {
		if got := parseOpaque(in); got != want {
			t.Errorf("parseOpaque(%q) = %d, want %d", in, got, want)
		}
	}
}
