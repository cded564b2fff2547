package authz

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
)

func TestAuthMerging(t *testing.T) {
	dir := t.TempDir()
	writeAuthFiles(t, dir)
	cfg := loadConfig(t, dir, `
<Location /m/>
Require env letmein
</Location>
<Location /m/and/>
AuthMerging And
Require ip 10.0.0.0/8
</Location>
<Location /m/or/>
AuthMerging Or
Require env other
</Location>
<Location /m/off/>
Require env other
</Location>
<Location /m/inherit/>
AuthName inherit
</Location>
<Location /m/and/deeper/>
AuthMerging Or
Require all denied
</Location>
`)
	cases := []struct {
		uri    string
		req    treq
		status int
		log    string
	}{
		{"/m/x", treq{env: []string{"letmein="}}, 0, ""},
		{"/m/x", treq{}, 403, ""},
		{"/m/and/x", treq{env: []string{"letmein="}}, 403, "AH01626: authorization result of AuthMerging All: denied"},
		{"/m/and/x", treq{ip: "10.1.1.1"}, 403, ""},
		{"/m/and/x", treq{ip: "10.1.1.1", env: []string{"letmein="}}, 0, "AH01626: authorization result of AuthMerging All: granted"},
		{"/m/or/x", treq{env: []string{"other="}}, 0, "AuthMerging Any: granted"},
		{"/m/or/x", treq{env: []string{"letmein="}}, 0, ""},
		{"/m/or/x", treq{}, 403, ""},
		{"/m/off/x", treq{env: []string{"letmein="}}, 403, ""},
		{"/m/off/x", treq{env: []string{"other="}}, 0, ""},
		{"/m/inherit/x", treq{env: []string{"letmein="}}, 0, ""},
		{"/m/inherit/x", treq{}, 403, ""},
		// (letmein AND ip) OR denied
		{"/m/and/deeper/x", treq{ip: "10.1.1.1", env: []string{"letmein="}}, 0, ""},
		{"/m/and/deeper/x", treq{ip: "10.1.1.1"}, 403, ""},
	}
	ck := NewChecker(Options{})
	for _, c := range cases {
		res := ck.Check(dirFor(cfg, c.uri, ""), c.req.request(c.uri, ""))
		if res.Status != c.status || !hasLog(res, c.log) {
			t.Errorf("%s %+v: status %d, want %d (log %q)\n%s", c.uri, c.req, res.Status, c.status, c.log, logText(res))
		}
	}
}

// leaf and container build Require trees by hand, for what confparse
// refuses or cannot express.
func leaf(provider, args string, negate bool, limits ...confparse.MethodLimit) *confparse.AuthzSection {
	return &confparse.AuthzSection{Provider: provider, Args: args, Negate: negate, Limits: limits, File: "x", Line: 1}
}

func container(and, negate bool, children ...*confparse.AuthzSection) *confparse.AuthzSection {
	return &confparse.AuthzSection{And: and, Negate: negate, Children: children, File: "x", Line: 1}
}

func TestHandBuiltTrees(t *testing.T) {
	post := confparse.MethodLimit{Methods: []string{"POST"}}
	cases := []struct {
		name   string
		tree   *confparse.AuthzSection
		req    treq
		status int
		log    string
	}{
		{"method HEAD names GET", container(false, false, leaf("method", "HEAD", false)), treq{method: "GET"}, 0, ""},
		{"method HEAD names GET: PUT", container(false, false, leaf("method", "HEAD", false)), treq{method: "PUT"}, 403, ""},
		// <RequireAll> with <RequireNone> is flattened (De Morgan): the
		// children appear as negated lines of the RequireAll.
		{"none flattened", container(false, false, container(true, false, leaf("all", "granted", false),
			container(false, true, leaf("env", "a", false), leaf("env", "b", false)))), treq{env: []string{"b="}}, 403,
			"AH01626: authorization result of Require not env b: denied"},
		{"none flattened ok", container(false, false, container(true, false, leaf("all", "granted", false),
			container(false, true, leaf("env", "a", false), leaf("env", "b", false)))), treq{}, 0,
			"AH01626: authorization result of Require not env a: neutral"},
		// A flattened negated line limited to another method counts as
		// granted in the AND.
		{"limited negation in AND", container(false, false, container(true, false, leaf("env", "x", false),
			container(false, true, leaf("all", "granted", false, post)))), treq{env: []string{"x="}}, 0,
			"AH01625: authorization result of Require not all granted: granted (directive limited to other methods)"},
		{"double negation", container(false, false, container(true, false, leaf("all", "granted", false),
			container(false, true, container(true, false, leaf("env", "a", false), leaf("env", "b", true))))), treq{env: []string{"a="}}, 403, ""},
		{"negated DNU is neutral", container(false, false, container(true, false, leaf("env", "e", false), leaf("valid-user", "", true))),
			treq{env: []string{"e="}}, 0, "AH01626: authorization result of Require not valid-user : neutral"},
		{"DNU beats granted in AND", container(true, false, leaf("all", "granted", false), leaf("valid-user", "", false)), treq{}, 500, "AH00027"},
		{"denied beats DNU in OR", container(false, false, leaf("valid-user", "", false), leaf("all", "denied", false)), treq{}, 500, "AH00027"},
		{"unsupported provider", container(false, false, leaf("file-owner", "", false)), treq{}, 500, "Require file-owner is not supported"},
		{"general error stops", container(false, false, leaf("file-owner", "", false), leaf("all", "granted", false)), treq{}, 500, ""},
		{"expr evaluation error", container(false, false, leaf("expr", "%{REQUEST_METHOD} =~ /(/", false)), treq{}, 500, "AH02320"},
	}
	ck := NewChecker(Options{})
	for _, c := range cases {
		dc := &confparse.DirConfig{Authz: c.tree}
		res := ck.Check(dc, c.req.request("/x", ""))
		if res.Status != c.status || !hasLog(res, c.log) {
			t.Errorf("%s: status %d, want %d (log %q)\n%s", c.name, res.Status, c.status, c.log, logText(res))
		}
	}
}

func TestFileReload(t *testing.T) {
	dir := t.TempDir()
	pwfile := filepath.Join(dir, "htpasswd")
	grfile := filepath.Join(dir, "groups")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		// Make the change visible even on coarse timestamps.
		future := time.Now().Add(time.Duration(len(s)) * time.Second)
		os.Chtimes(p, future, future)
	}
	write(pwfile, "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n")
	write(grfile, "g: alice\n")
	dc := &confparse.DirConfig{AuthType: ptr("Basic"), AuthName: ptr("r"), AuthUserFile: &pwfile, AuthGroupFile: &grfile,
		Authz: container(false, false, leaf("group", "g", false))}
	ck := NewChecker(Options{})
	try := func(user, pw string) Result {
		return ck.Check(dc, treq{creds: true, user: user, pw: pw}.request("/x", ""))
	}
	if res := try("alice", "password"); res.Status != 0 {
		t.Fatalf("initial: %d\n%s", res.Status, logText(res))
	}
	write(pwfile, "alice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n")
	if res := try("bob", "password"); res.Status != 401 || !hasLog(res, "AH01666") {
		t.Errorf("bob before group change: %d\n%s", res.Status, logText(res))
	}
	write(grfile, "g: alice bob\n")
	if res := try("bob", "password"); res.Status != 0 {
		t.Errorf("bob after group change: %d\n%s", res.Status, logText(res))
	}
	write(pwfile, "bob:"+desCrypt("other", "ab")+"\n")
	if res := try("alice", "password"); res.Status != 401 || !hasLog(res, "AH01618: user alice not found") {
		t.Errorf("alice after removal: %d\n%s", res.Status, logText(res))
	}
	if res := try("bob", "other"); res.Status != 0 {
		t.Errorf("bob new password: %d\n%s", res.Status, logText(res))
	}
	os.Remove(pwfile)
	if res := try("bob", "other"); res.Status != 500 || !hasLog(res, "(2)No such file or directory: AH01620") {
		t.Errorf("removed file: %d\n%s", res.Status, logText(res))
	}
	write(pwfile, "bob:"+desCrypt("third", "cd")+"\n")
	if res := try("bob", "third"); res.Status != 0 {
		t.Errorf("recreated file: %d\n%s", res.Status, logText(res))
	}
}

func ptr(s string) *string { return &s }

func TestConcurrentChecks(t *testing.T) {
	dir := t.TempDir()
	writeAuthFiles(t, dir)
	cfg := loadConfig(t, dir, "<Location /t/>\n"+basicAuth+"Require group admins\n</Location>\n")
	dc := dirFor(cfg, "/t/x", "")
	ck := NewChecker(Options{})
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 20; j++ {
				user, want := "umd5", 0
				if (i+j)%2 == 1 {
					user, want = "usha", 401
				}
				if res := ck.Check(dc, treq{creds: true, user: user, pw: "password"}.request("/t/x", "")); res.Status != want {
					errs <- fmt.Sprintf("%s: %d", user, res.Status)
					return
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestWords(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"a b  c", []string{"a", "b", "c"}},
		{`"a b" 'c d' e`, []string{"a b", "c d", "e"}},
		{`"a \" b" x\\y`, []string{`a " b`, `x\y`}},
		{`a "" b`, []string{"a"}},
		{"  \t", nil},
	} {
		if got := confWords(c.in); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("confWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{base64.StdEncoding.EncodeToString([]byte("user:pw")), "user:pw"},
		{"dXNlcjpwdw", "user:pw"},
		{"dXNlcjpwdw==junk", "user:pw"},
		{"dXNl cjpwdw", "use"},
		{"!!!", ""},
		{base64.StdEncoding.EncodeToString([]byte("a:b\x00c")), "a:b"},
		{"d", ""},
	} {
		if got := aprBase64Decode(c.in); got != c.want {
			t.Errorf("aprBase64Decode(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct{ in, want string }{
		{`a"b`, `a\"b`}, {`a\"b`, `a\"b`}, {`x\`, `x\`}, {"plain", "plain"},
	} {
		if got := escapeQuotes(c.in); got != c.want {
			t.Errorf("escapeQuotes(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, c := range []struct {
		domain, what string
		want         bool
	}{
		{"example.org", "www.example.org", true}, {"example.org", "example.org", true},
		{"example.org", "badexample.org", false}, {".example.org", "www.example.org", true},
		{"EXAMPLE.org", "www.example.ORG", true}, {"www.example.org", "example.org", false},
	} {
		if got := inDomain(c.domain, c.what); got != c.want {
			t.Errorf("inDomain(%q, %q) = %v", c.domain, c.what, got)
		}
	}
}

func TestCfgLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want []string
	}{
		{"a\n  b  \r\n\nc", 100, []string{"a", "b", "", "c"}},
		{"a\\\nb\nc\\\r\nd\n", 100, []string{"ab", "cd"}},
		{"short\n" + strings.Repeat("x", 9) + "\nafter\n", 10, []string{"short"}},
		{"short\n" + strings.Repeat("x", 8) + "\nafter\n", 10, []string{"short", "xxxxxxxx", "after"}},
		{"nul\x00here\nnext", 100, []string{"nul", "next"}},
	} {
		if got := cfgLines([]byte(c.in), c.max); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("cfgLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	uf := parseUserFile([]byte("# c\nu1:h1:extra\nu2::h2\nu3\nu1:second\n")).(*userFile)
	if uf.users["u1"] != "h1" || uf.users["u2"] != "h2" || uf.users["u3"] != "" || len(uf.users) != 3 {
		t.Errorf("parseUserFile: %q", uf.users)
	}
	gf := parseGroupFile([]byte("g1 : a b\ng2:b \"c d\"\n#g3: a\n")).(*groupFile)
	if fmt.Sprint(gf.groups["a"]) != "[g1]" || fmt.Sprint(gf.groups["b"]) != "[g1 g2]" || fmt.Sprint(gf.groups["c d"]) != "[g2]" {
		t.Errorf("parseGroupFile: %q", gf.groups)
	}
}
