package authz

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

// unitModules are the modules the unit-test configurations load (the
// shared objects are never opened by confparse).
var unitModules = []string{"mpm_event", "authz_core", "authz_host", "authz_user", "authz_groupfile",
	"authn_core", "authn_file", "auth_basic", "access_compat", "setenvif"}

// testUsers maps users to (password, hash). All passwords are "password"
// except where the name says otherwise.
var testUsers = []struct{ user, pw, hash string }{
	{"ubcrypt", "password", "$2y$04$thVxMjUt9WMeO9RZ1BBzmOXKYs7VryC8dmqxktwhlf9teLyhjKAAG"},
	{"umd5", "password", "$apr1$x6Yg9kDQ$PFnHsGt5IBngyBW06mj20."},
	{"usha", "password", "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g="},
	{"ucrypt", "password", "DlsrC3haRemEo"},
	{"usha256", "password", "$5$iE4OE1b2Qz/UYNG2$0vpeSKk01orSudCZSA2uE9dTSv6l6XACcECc5.MYb.2"},
	{"usha512", "password", "$6$lzvkc0wQHSu/5cnX$IcgoTK4mwauEXiX2oqkX6iqLtngZjJ9hIr1rjcO9kP9Q/pYYMdAwOwvlUjY4IqIL4p14I7GDfze4nIa0FyEtN0"},
	{"umd5crypt", "password", "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"},
	{"u2a", "\xff\xff\xff", "$2a$04$abcdefghijklmnopqrstuuo7KieJsG.qqFHPznD9IKYlIok1JYQ2W"},
	{"u2b", "\xff\xff\xff", "$2b$04$abcdefghijklmnopqrstuuRYRX5VC4nthKo7h6U37SxyZazTR0WNK"},
	{"u2x", "\xff\xa3abc\x80", ""}, // filled in by init from the vectors
	{"urounds", "password", ""},    // likewise
	{"ucolon", "pa:ss", "abrQrDn25U8WU"},
	{"uplain", "password", "password"},
}

func init() {
	for i, u := range testUsers {
		if u.hash != "" {
			continue
		}
		for _, v := range passwordVectors {
			if (u.user == "u2x" && v.pw == u.pw && strings.HasPrefix(v.hash, "$2x$")) ||
				(u.user == "urounds" && v.pw == u.pw && strings.HasPrefix(v.hash, "$6$rounds=")) {
				testUsers[i].hash = v.hash
				break
			}
		}
		if testUsers[i].hash == "" {
			panic("no vector for " + u.user)
		}
	}
}

const testGroups = "# groups\nadmins: umd5 ubcrypt\nstaff : usha ucrypt umd5\n\n'quoted group': usha\n"

// writeAuthFiles writes htpasswd and groups into dir.
func writeAuthFiles(t testing.TB, dir string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("# comment line\n\n")
	for _, u := range testUsers {
		fmt.Fprintf(&b, "%s:%s\n", u.user, u.hash)
	}
	b.WriteString("umd5:{SHA}ignored-second-entry\n")
	if err := os.WriteFile(filepath.Join(dir, "htpasswd"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "groups"), []byte(testGroups), 0o644); err != nil {
		t.Fatal(err)
	}
}

// loadConfig processes an httpd.conf body (with $DIR replaced) after a
// preamble that loads unitModules.
func loadConfig(t testing.TB, dir, body string) *confparse.Config {
	t.Helper()
	var b strings.Builder
	for _, m := range unitModules {
		fmt.Fprintf(&b, "LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n", m, m)
	}
	fmt.Fprintf(&b, "ErrorLog %s/error.log\n", dir)
	b.WriteString(strings.ReplaceAll(body, "$DIR", dir))
	conf := filepath.Join(dir, "test.conf")
	if err := os.WriteFile(conf, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf,
		Getenv: func(string) (string, bool) { return "", false }},
		confparse.ProcessOptions{NoDocumentRootCheck: true,
			Resolve: func(string) ([]string, error) { return []string{"127.0.0.1"}, nil }})
	if err != nil {
		t.Fatalf("config:\n%s\nerror: %v", b.String(), err)
	}
	return cfg
}

// dirFor merges the main server's defaults with the <Directory> sections
// whose path is a prefix of filename (shortest first) and the <Location>
// sections whose path is a prefix of uri (in config order): the subset of
// Apache's walks the tests' configurations need.
func dirFor(cfg *confparse.Config, uri, filename string) *confparse.DirConfig {
	dc := cfg.Main.Dir
	var dirs []*confparse.Section
	for _, s := range cfg.Main.Sections {
		if s.Kind == confparse.SectionDirectory && s.Regex == nil && strings.HasPrefix(filename, s.Path) {
			dirs = append(dirs, s)
		}
	}
	for i := range dirs {
		for j := i + 1; j < len(dirs); j++ {
			if len(dirs[j].Path) < len(dirs[i].Path) {
				dirs[i], dirs[j] = dirs[j], dirs[i]
			}
		}
	}
	for _, s := range dirs {
		dc = dc.Merge(s.Dir)
	}
	for _, s := range cfg.Main.Sections {
		if s.Kind == confparse.SectionLocation && s.Regex == nil && strings.HasPrefix(uri, s.Path) {
			dc = dc.Merge(s.Dir)
		}
	}
	return dc
}

// treq describes a test request.
type treq struct {
	method string
	ip     string // default 127.0.0.1
	local  string // default 127.0.0.1
	env    []string
	hdr    []string // "Name: value"
	user   string   // Basic credentials when creds is set
	pw     string
	creds  bool
}

func basic(user, pw string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
}

func (q treq) request(uri, filename string) *Request {
	r := &Request{Method: q.method, URI: uri, Filename: filename, RemotePort: 40000, Header: http.Header{}}
	if r.Method == "" {
		r.Method = "GET"
	}
	ip, local := q.ip, q.local
	if ip == "" {
		ip = "127.0.0.1"
	}
	if local == "" {
		local = "127.0.0.1"
	}
	r.RemoteIP, r.LocalIP = net.ParseIP(ip), net.ParseIP(local)
	for _, h := range q.hdr {
		k, v, _ := strings.Cut(h, ":")
		r.Header.Add(k, strings.TrimSpace(v))
	}
	if q.creds {
		r.Header.Set("Authorization", basic(q.user, q.pw))
	}
	if q.env != nil {
		env := map[string]string{}
		for _, e := range q.env {
			k, v, _ := strings.Cut(e, "=")
			env[strings.ToLower(k)] = v
		}
		r.Env = func(name string) (string, bool) {
			v, ok := env[strings.ToLower(name)]
			return v, ok
		}
	}
	return r
}

// hasLog reports whether res logged a message containing want ("" is
// always true).
func hasLog(res Result, want string) bool {
	if want == "" {
		return true
	}
	for _, l := range res.Logs {
		if strings.Contains("["+l.Module+":"+l.Level+"] "+l.Message, want) {
			return true
		}
	}
	return false
}

func logText(res Result) string {
	var b strings.Builder
	for _, l := range res.Logs {
		fmt.Fprintf(&b, "  [%s:%s] %s\n", l.Module, l.Level, l.Message)
	}
	return b.String()
}

// fakeResolver answers from maps; missing entries are "not found".
type fakeResolver struct {
	ptr map[string][]string
	ips map[string][]string
}

var errNotFound = errors.New("not found")

func (f fakeResolver) LookupAddr(_ context.Context, addr string) ([]string, error) {
	if n, ok := f.ptr[addr]; ok {
		return n, nil
	}
	return nil, errNotFound
}

func (f fakeResolver) LookupIP(_ context.Context, _, host string) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	a, ok := f.ips[strings.ToLower(host)]
	if !ok {
		return nil, errNotFound
	}
	var out []net.IP
	for _, s := range a {
		out = append(out, net.ParseIP(s))
	}
	return out, nil
}

var testResolver = fakeResolver{
	ptr: map[string][]string{
		"10.0.0.7": {"www.Example.ORG."},
		"10.0.0.8": {"liar.example.org."}, // forward lookup gives another address
		"10.0.0.9": {"host.nogood.org."},
	},
	ips: map[string][]string{
		"www.example.org":   {"10.0.0.7", "2001:db8::7"},
		"liar.example.org":  {"10.9.9.9"},
		"host.nogood.org":   {"10.0.0.9"},
		"fwd.example.net":   {"10.0.0.1", "10.0.0.2"},
		"other.example.net": {"10.0.0.3"},
	},
}
