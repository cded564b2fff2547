package authz

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// apacheLocations are the <Location> sections of the differential test,
// in config order. Each maps to $DIR/htdocs<path>x.txt.
var apacheLocations = []struct{ path, body string }{
	{"/granted/", "Require all granted"},
	{"/denied/", "Require all denied"},
	{"/ip/", "Require ip 127.0.0.1"},
	{"/ipno/", "Require ip 10.0.0.0/8 192.168.1"},
	{"/notip/", "<RequireAll>\nRequire all granted\nRequire not ip 127.0.0.0/8\n</RequireAll>"},
	{"/env/", "Require env letmein"},
	{"/method/", "Require method GET POST"},
	{"/expr/", "Require expr %{REQUEST_METHOD} == 'POST' || req('X-Token') == 'secret'"},
	{"/local/", "Require local"},
	{"/host/", "Require host localhost"},
	{"/fwd/", "Require forward-dns localhost"},
	{"/valid/", basicAuth + "Require valid-user"},
	{"/user/", basicAuth + "Require user umd5 ubcrypt"},
	{"/group/", basicAuth + "Require group admins"},
	{"/all/", "<RequireAll>\nRequire ip 127.0.0.0/8\nRequire not env blockme\n</RequireAll>"},
	{"/any/", basicAuth + "<RequireAny>\nRequire env letmein\nRequire valid-user\n</RequireAny>"},
	{"/none/", "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire env blockme\nRequire env letmein\n</RequireNone>\n</RequireAll>"},
	{"/notgroup/", basicAuth + "<RequireAll>\nRequire valid-user\nRequire not group admins\n</RequireAll>"},
	{"/userexpr/", basicAuth + "Require expr %{REMOTE_USER} == 'usha'"},
	{"/order1/", "Order allow,deny\nAllow from 127.0.0.1"},
	{"/order2/", "Order deny,allow\nDeny from all\nAllow from env=letmein\nRequire all granted"},
	{"/order3/", "Order allow,deny\nAllow from all\nDeny from 127.0.0\nRequire all granted"},
	{"/mutual/", "Order mutual-failure\nAllow from 127.0.0.1\nDeny from env=blockme"},
	{"/orderhost/", "Order allow,deny\nAllow from localhost"},
	{"/satany/", basicAuth + "Order deny,allow\nDeny from all\nAllow from env=letmein\nSatisfy any\nRequire valid-user"},
	{"/satall/", basicAuth + "Order deny,allow\nDeny from all\nAllow from env=letmein\nSatisfy all\nRequire valid-user"},
	{"/satanyonly/", basicAuth + "Satisfy any\nRequire valid-user"},
	{"/satlimit/", basicAuth + "Order deny,allow\nDeny from all\n<Limit POST>\nSatisfy any\n</Limit>\nRequire valid-user"},
	{"/limit/", basicAuth + "<Limit POST PUT>\nRequire valid-user\n</Limit>"},
	{"/limitexcept/", basicAuth + "<LimitExcept GET>\nRequire valid-user\n</LimitExcept>"},
	{"/limitmix/", "Require env letmein\n<Limit POST>\nRequire all denied\n</Limit>"},
	{"/limitall/", basicAuth + "<RequireAll>\nRequire ip 127.0.0.1\n<Limit POST>\nRequire valid-user\n</Limit>\n</RequireAll>"},
	{"/authnoreq/", "AuthType Basic\nAuthName x"},
	{"/noauthtype/", "Require valid-user"},
	{"/noname/", "AuthType Basic\nAuthUserFile $DIR/htpasswd\nRequire valid-user"},
	{"/nofile/", "AuthType Basic\nAuthName x\nAuthUserFile $DIR/missing\nRequire valid-user"},
	{"/nogroupfile/", "AuthType Basic\nAuthName x\nAuthUserFile $DIR/htpasswd\nRequire group admins"},
	{"/digest/", "AuthType Digest\nAuthName x\nRequire valid-user"},
	{"/typenone/", "AuthType None\nRequire all granted"},
	{"/realmq/", "AuthType basic\nAuthName \"say \\\"hi\\\"\"\nAuthUserFile $DIR/htpasswd\nRequire valid-user"},
	{"/m/", "Require env letmein"},
	{"/m/and/", "AuthMerging And\nRequire env other"},
	{"/m/or/", "AuthMerging Or\nRequire env other"},
	{"/m/off/", "Require env other"},
	{"/m/inherit/", "AuthName inherit"},
	{"/dirblock/open/", "Require all granted"},
	{"/m/offonly/", "AuthMerging Off"},
	{"/realmexpr/", "AuthType Basic\nAuthName \"Realm %{REQUEST_METHOD}\"\nAuthUserFile $DIR/htpasswd\nRequire valid-user"},
	{"/userhdr/", basicAuth + "Require user %{req:X-U}"},
	{"/envq/", "Require env \"let me\" letmein"},
	{"/limitnot/", "<RequireAll>\nRequire all granted\n<Limit POST>\nRequire not env blockme\n</Limit>\n</RequireAll>"},
	{"/denylimit/", "Order allow,deny\nAllow from all\n<Limit POST>\nDeny from env=blockme\n</Limit>"},
}

// apacheDirectories are <Directory> sections (paths under $DIR/htdocs),
// written before the <Location> sections; a <Location> for
// /dirblock/open/ overrides the first.
var apacheDirectories = []struct{ path, body string }{
	{"/dirblock/", "Require all denied"},
	{"/dirauth/", basicAuth + "Require group staff"},
	{"/dirauth/sub/", "AuthMerging And\n<RequireAll>\nRequire not env blockme\nRequire all granted\n</RequireAll>"},
}

// handLocations are sections confparse does not accept (although Apache
// does), with the DirConfig built by hand; see TestApacheDifferential.
var handLocations = []struct {
	path, body string
	dir        func(dir string) *confparse.DirConfig
}{
	{"/exprq/", `Require expr "%{REQUEST_METHOD} == 'POST'"`, func(string) *confparse.DirConfig {
		return &confparse.DirConfig{Authz: container(false, false, leaf("expr", `"%{REQUEST_METHOD} == 'POST'"`, false))}
	}},
	{"/mhead/", "Require method HEAD", func(string) *confparse.DirConfig {
		return &confparse.DirConfig{Authz: container(false, false, leaf("method", "HEAD", false))}
	}},
}

// knownDiffs are the locations where the Checker, given the DirConfig
// confparse builds, cannot agree with Apache, with the reason.
var knownDiffs = map[string]string{}

// apacheCase is one request of the differential test.
type apacheCase struct {
	method string
	path   string
	hdr    []string
	auth   string // Authorization header value, "" for none
}

func apacheCases() []apacheCase {
	var cs []apacheCase
	add := func(method, path string, auth string, hdr ...string) {
		cs = append(cs, apacheCase{method, path, hdr, auth})
	}
	good := func(u string) string {
		for _, x := range testUsers {
			if x.user == u {
				return basic(u, x.pw)
			}
		}
		panic(u)
	}
	// Every location: a plain GET, with letmein, and with blockme.
	for _, l := range apacheLocations {
		add("GET", l.path, "")
		add("GET", l.path, "", "X-Let: 1")
		add("GET", l.path, "", "X-Block: yes")
	}
	for _, d := range apacheDirectories {
		add("GET", d.path, "")
		add("GET", d.path, good("usha"))
		add("GET", d.path, good("ubcrypt"), "X-Block: yes")
	}
	for _, l := range handLocations {
		add("GET", l.path, "")
		add("POST", l.path, "")
		add("HEAD", l.path, "")
	}
	for _, m := range []string{"HEAD", "POST", "PUT", "DELETE", "OPTIONS"} {
		add(m, "/method/", "")
		add(m, "/limit/", "")
		add(m, "/limitexcept/", "")
		add(m, "/limitmix/", "")
		add(m, "/limitall/", "")
		add(m, "/satlimit/", "")
	}
	add("POST", "/limit/", good("umd5"))
	add("POST", "/limitall/", good("umd5"))
	add("POST", "/limitmix/", "", "X-Let: 1")
	add("POST", "/satlimit/", good("umd5"))
	add("GET", "/satlimit/", good("umd5"))
	add("GET", "/expr/", "", "X-Token: secret")
	add("GET", "/expr/", "", "X-Token: wrong")
	// Basic authentication with every hash format, right and wrong.
	for _, u := range testUsers {
		add("GET", "/valid/", basic(u.user, u.pw))
		add("GET", "/valid/", basic(u.user, "x"+u.pw))
	}
	add("GET", "/valid/", basic("nobody", "password"))
	add("GET", "/valid/", "Bearer abcdef")
	add("GET", "/valid/", "Basic !!!")
	add("GET", "/valid/", "Basic dXNoYQ==") // "usha", no colon
	add("GET", "/valid/", "basic   "+good("usha")[6:])
	add("GET", "/valid/", basic("", ""))
	for _, p := range []string{"/user/", "/group/", "/notgroup/", "/userexpr/", "/any/", "/satany/", "/satall/",
		"/satanyonly/", "/nofile/", "/nogroupfile/", "/noname/", "/digest/", "/realmq/"} {
		add("GET", p, good("umd5"))
		add("GET", p, good("usha"))
		add("GET", p, good("usha256"))
	}
	add("GET", "/satany/", basic("umd5", "wrong"))
	add("GET", "/satall/", good("umd5"), "X-Let: 1")
	add("GET", "/satany/", "", "X-Let: 1")
	add("GET", "/m/and/", "", "X-Let: 1", "X-Other: 1")
	add("GET", "/m/or/", "", "X-Other: 1")
	add("GET", "/m/off/", "", "X-Other: 1")
	add("GET", "/realmexpr/", good("usha"))
	add("POST", "/realmexpr/", "")
	add("GET", "/userhdr/", good("usha"), "X-U: usha")
	add("GET", "/userhdr/", good("umd5"), "X-U: usha")
	add("POST", "/limitnot/", "", "X-Block: yes")
	add("POST", "/limitnot/", "")
	add("POST", "/denylimit/", "", "X-Block: yes")
	add("GET", "/valid/", "Basic\t"+good("usha")[6:])
	add("GET", "/valid/", "Basic "+base64.StdEncoding.EncodeToString([]byte("usha:password\x00junk")))
	add("GET", "/valid/", "Basic "+base64.StdEncoding.EncodeToString([]byte("usha:password"))+"=junk")
	add("GET", "/valid/", good("usha"), "Authorization: Basic Zm9vOmJhcg==")
	return cs
}

var logLineRE = regexp.MustCompile(`^\[(\w+):(\w+)\] (?:\[127\.0\.0\.1:\d+\] )?(.*)$`)

// logModules are the modules whose messages the test compares.
var logModules = map[string]bool{"authz_core": true, "access_compat": true, "auth_basic": true, "authn_file": true,
	"authn_core": true, "authz_user": true, "authz_groupfile": true, "authz_host": true, "core": true}

// TestApacheDifferential runs real Apache httpd with a configuration of
// many <Location> sections and compares, request by request, its status,
// WWW-Authenticate header and error log lines (at LogLevel debug for the
// access modules) with the Checker's decision for the DirConfig confparse
// builds from the same configuration.
func TestApacheDifferential(t *testing.T) {
	apachetest.Binary(t)
	dir := t.TempDir()
	writeAuthFiles(t, dir)
	port := apachetest.FreePorts(t, 1)[0]
	addr := fmt.Sprintf("127.0.0.1:%d", port)

	var sections strings.Builder
	for _, d := range apacheDirectories {
		fmt.Fprintf(&sections, "<Directory $DIR/htdocs%s>\n%s\n</Directory>\n", d.path, d.body)
	}
	for _, l := range apacheLocations {
		fmt.Fprintf(&sections, "<Location %s>\n%s\n</Location>\n", l.path, l.body)
	}
	var handSections strings.Builder
	for _, l := range handLocations {
		fmt.Fprintf(&handSections, "<Location %s>\n%s\n</Location>\n", l.path, l.body)
	}
	paths := []string{}
	for _, l := range apacheLocations {
		paths = append(paths, l.path)
	}
	for _, l := range handLocations {
		paths = append(paths, l.path)
	}
	for _, d := range apacheDirectories {
		paths = append(paths, d.path)
	}
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Join(dir, "htdocs", p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "htdocs", p, "x.txt"), []byte("hello\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	common := fmt.Sprintf(`ServerName localhost
PidFile logs/httpd.pid
ErrorLog logs/error.log
LogLevel error authz_core:debug authz_host:debug authz_user:debug authz_groupfile:debug auth_basic:debug authn_file:debug authn_core:debug access_compat:debug
ErrorLogFormat "[%%m:%%l] [%%a] %%E: %%M"
DocumentRoot $DIR/htdocs
SetEnvIf X-Let . letmein
SetEnvIf X-Block ^yes blockme
SetEnvIf X-Other . other
`)
	mods := []string{"mpm_event", "authz_core", "authz_host", "authz_user", "authz_groupfile",
		"authn_core", "authn_file", "auth_basic", "access_compat", "setenvif"}
	conf := "ServerRoot $DIR\n" + apachetest.LoadModules(mods...) + "Listen " + addr + "\n" + common +
		sections.String() + handSections.String()
	in := apachetest.Start(t, dir, conf, addr)

	// The same configuration for confparse, without the sections it
	// refuses.
	cfg := loadConfig(t, dir, common+sections.String())
	handDirs := map[string]*confparse.DirConfig{}
	for _, l := range handLocations {
		handDirs[l.path] = cfg.Main.Dir.Merge(l.dir(dir))
	}

	ck := NewChecker(Options{ModuleLoaded: cfg.Tree.IsLoaded})
	cases := apacheCases()
	logOffset := len(in.ErrorLog())
	var same, diffs, known, logLines int
	statuses := map[int]int{}
	for _, c := range cases {
		uri := c.path + "x.txt"
		filename := filepath.Join(dir, "htdocs", c.path, "x.txt")
		var raw strings.Builder
		fmt.Fprintf(&raw, "%s %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n", c.method, uri)
		if c.method == "POST" || c.method == "PUT" {
			raw.WriteString("Content-Length: 0\r\n")
		}
		for _, h := range c.hdr {
			raw.WriteString(h + "\r\n")
		}
		if c.auth != "" {
			raw.WriteString("Authorization: " + c.auth + "\r\n")
		}
		raw.WriteString("\r\n")
		respBytes, err := apachetest.RawRequest(addr, raw.String(), 10*time.Second)
		if err != nil {
			t.Fatalf("%s %s: %v", c.method, uri, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(respBytes)), &http.Request{Method: c.method})
		if err != nil {
			t.Fatalf("%s %s: bad response %q: %v", c.method, uri, respBytes, err)
		}
		resp.Body.Close()
		// Apache's log lines for this request.
		var apacheLogs []string
		full := in.ErrorLog()
		for _, line := range strings.Split(full[logOffset:], "\n") {
			if m := logLineRE.FindStringSubmatch(line); m != nil && logModules[m[1]] {
				apacheLogs = append(apacheLogs, "["+m[1]+":"+m[2]+"] "+m[3])
			}
		}
		logOffset = len(full)
		logLines += len(apacheLogs)
		statuses[resp.StatusCode]++

		// The Checker's decision.
		req := &Request{Method: c.method, URI: uri, Filename: filename, RemoteIP: net.IPv4(127, 0, 0, 1),
			LocalIP: net.IPv4(127, 0, 0, 1), RemotePort: 1, Header: http.Header{}}
		for _, h := range c.hdr {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Add(k, strings.TrimSpace(v))
		}
		if c.auth != "" {
			req.Header.Add("Authorization", c.auth)
		}
		req.Env = setEnvIf(req.Header)
		dc := dirFor(cfg, uri, filename)
		if hd, ok := handDirs[c.path]; ok {
			dc = hd
		}
		res := ck.Check(dc, req)
		var ourLogs []string
		for _, l := range res.Logs {
			ourLogs = append(ourLogs, "["+l.Module+":"+l.Level+"] "+l.Message)
		}

		apacheStatus := resp.StatusCode
		switch apacheStatus {
		case 401, 403, 500:
		default:
			apacheStatus = 0 // granted: the handler answered (200, 405, ...)
		}
		var problems []string
		if apacheStatus != res.Status {
			problems = append(problems, fmt.Sprintf("status: apache %d (%s), checker %d", apacheStatus, resp.Status, res.Status))
		}
		if a, o := resp.Header.Get("WWW-Authenticate"), res.Header.Get("WWW-Authenticate"); a != o {
			problems = append(problems, fmt.Sprintf("WWW-Authenticate: apache %q, checker %q", a, o))
		}
		if strings.Join(apacheLogs, "\n") != strings.Join(ourLogs, "\n") {
			problems = append(problems, fmt.Sprintf("logs:\napache:\n  %s\nchecker:\n  %s",
				strings.Join(apacheLogs, "\n  "), strings.Join(ourLogs, "\n  ")))
		}
		if reason, ok := knownDiffs[c.path]; ok && len(problems) > 0 {
			known++
			t.Logf("known difference, %s: %s %s hdr=%q:\n%s", reason, c.method, uri, c.hdr, strings.Join(problems, "\n"))
		} else if len(problems) > 0 {
			diffs++
			t.Errorf("%s %s hdr=%q auth=%q:\n%s", c.method, uri, c.hdr, c.auth, strings.Join(problems, "\n"))
		} else {
			same++
		}
	}
	t.Logf("%d requests (Apache statuses %v, %d log lines): %d identical (status, WWW-Authenticate, log lines), %d known differences, %d different",
		len(cases), statuses, logLines, same, known, diffs)
	if len(cases) < 80 {
		t.Errorf("only %d cases", len(cases))
	}
}

// setEnvIf emulates the test configuration's SetEnvIf lines.
func setEnvIf(h http.Header) func(string) (string, bool) {
	env := map[string]string{}
	if h.Get("X-Let") != "" {
		env["letmein"] = "1"
	}
	if strings.HasPrefix(h.Get("X-Block"), "yes") {
		env["blockme"] = "1"
	}
	if h.Get("X-Other") != "" {
		env["other"] = "1"
	}
	return func(name string) (string, bool) {
		v, ok := env[strings.ToLower(name)]
		return v, ok
	}
}
