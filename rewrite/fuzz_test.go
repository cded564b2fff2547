package rewrite

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
)

// FuzzRewrite feeds random patterns, substitutions, flags, conditions
// and request URIs through the parser and both hooks. A rule list must
// never panic, must end (loops are bounded by [N]'s rounds and the
// length limit), and must leave the request in a state the server can
// use: a mapped file name is absolute, an answer has a status, a
// redirect a Location.
func FuzzRewrite(f *testing.F) {
	seeds := [][5]string{
		{"^/old/(.*)$", "/new/$1", "[R=301,L]", "%{HTTP_HOST} ^www\\.(.+)$ [NC]", "/old/a?b=1"},
		{"^(.*)$", "index.php?p=$1", "[L,QSA,B]", "%{REQUEST_FILENAME} !-f", "/x y"},
		{"^/(.*)a(.*)$", "/$1b$2", "[N]", "%{QUERY_STRING} (.*)", "/aaaa"},
		{"^/(.*)$", "/$1$1", "[N=100]", "%{HTTP:X} =1 [OR]", "/ab"},
		{"!^/static", "http://%1/${lc:$1|x}#f", "[NE,R,CO=a:b:c]", "%{TIME} >0", "/q?x"},
		{"^/s/(.*)", "/$1?%{QUERY_STRING}", "[QSA,QSL,E=V:$1,T=text/x-$1]", "expr \"%{REQUEST_URI} =~ /(s)/\"", "/s/%3F"},
		{"^", "-", "[F]", "%{ENV:X} !^$", "/"},
		{"(?=x)", "-", "[S=1]", "a -lt5", "/x"},
		{"(*UTF)(*CRLF)^/(.)$", "/u/$1", "[L]", "%{HTTP_HOST} (*UCP)[[:alpha:]-]", "/\xff"},
		{"(?<n>a)\\k<n>[\\d-]{2}(*FAIL)|b", "/$0", "[NC]", "%{QUERY_STRING} (?x) a # [\\d-z]", "/ab"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, pattern, subst, flags, cond, uri string) {
		if len(pattern)+len(subst)+len(flags)+len(cond)+len(uri) > 2000 {
			return
		}
		args := quoteArg(pattern) + " " + quoteArg(subst) + " " + flags
		for _, dir := range []string{"", "/d/"} {
			sc, dc := &ServerConf{}, NewDirConf(dir)
			dc.SetEngine(true)
			list := &sc.ruleList
			if dir != "" {
				list = &dc.ruleList
				dc.SetBase("/b/")
			}
			sc.AddMap(&Map{Name: "lc", kind: mapInt, fn: apexpr.ASCIILower})
			list.AddCond(cond)
			if _, err := list.AddRule(args, "fuzz", 1); err != nil {
				return
			}
			list.AddRule("^(.*)$ $1 [C,N=3]", "fuzz", 2)
			srv := &fakeServer{vars: map[string]string{"HOST": "h.test", "REMOTE_ADDR": "192.0.2.1"},
				header: http.Header{"X": {"1"}}, env: map[string]string{}}
			r := request("/", srv)
			p, q, has := strings.Cut(uri, "?")
			r.URI, r.UnparsedURI, r.Args, r.HasArgs = "/"+strings.TrimLeft(p, "/"), uri, q, has
			r.LimitRequestLine = 256
			// A rule list that does not end within seconds is a hang: the
			// fuzzer reports a crashed worker with this input.
			watchdog := time.AfterFunc(10*time.Second, func() {
				panic("rewriting does not end: " + args + " | " + cond + " | " + uri)
			})
			start := time.Now()
			var res Result
			if dir == "" {
				res = Translate(sc, dc, r)
			} else {
				r.Filename = "/d" + r.URI
				res = Fixup(sc, dc, r)
			}
			watchdog.Stop()
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
			switch res.Action {
			case Mapped:
				if !strings.HasPrefix(r.Filename, "/") {
					t.Fatalf("mapped to a relative file name %q", r.Filename)
				}
			case Answer:
				if res.Status < 100 || res.Status > 599 {
					t.Fatalf("answer with status %d", res.Status)
				}
				if res.Status >= 300 && res.Status < 400 && res.Location == "" {
					t.Fatalf("redirect %d without a Location", res.Status)
				}
			case Redirect:
				if !strings.HasPrefix(res.Location, "/") || r.Handler != RedirectHandler {
					t.Fatalf("internal redirect to %q, handler %q", res.Location, r.Handler)
				}
			}
		}
	})
}

// quoteArg quotes a word for parseArgLine when it has spaces.
func quoteArg(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\"") {
		return "'" + strings.ReplaceAll(s, "'", "") + "'"
	}
	return s
}
