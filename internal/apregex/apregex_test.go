//go:build cgo

package apregex

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
)

func mustCompile(t testing.TB, pattern string, opts Options) *Regexp {
	t.Helper()
	re, err := Compile(pattern, opts)
	if err != nil {
		t.Fatalf("Compile(%q): %v", pattern, err)
	}
	return re
}

// What RE2 cannot do and real configurations write: each pattern with
// the offsets PCRE2 gives, written out by hand.
func TestMatchPCREOnly(t *testing.T) {
	for _, c := range []struct {
		pattern string
		opts    Options
		subject string
		want    []int
	}{
		{`^/(?!static/)(.*)$`, Default, "/app/x", []int{0, 6, 1, 6}},
		{`^/(?!static/)(.*)$`, Default, "/static/x", nil},
		{`(?<=\.)(php|cgi)$`, Default, "/x.php", []int{3, 6, 3, 6}},
		{`^/(\w+)/\1$`, Default, "/ab/ab", []int{0, 6, 1, 3}},
		{`^/(\w+)/\1$`, Default, "/ab/ac", nil},
		{`^(?>a+)b`, Default, "aaab", []int{0, 4}},
		{`^a++a`, Default, "aaa", nil},
		{`^/(a)|(b)$`, Default, "/a", []int{0, 2, 1, 2, -1, -1}},
		{`^(a)?(b)?c$`, Default, "c", []int{0, 1, -1, -1, -1, -1}},
		{`^x.y$`, Default, "x\ny", []int{0, 3}},
		{`^x.y$`, 0, "x\ny", nil},
		{`^x$`, Default, "x\n", nil},
		{`^x$`, 0, "x\n", []int{0, 1}},
		{`^X$`, ICase, "x", []int{0, 1}},
		{`^b$`, Newline, "a\nb", []int{2, 3}},
		{`^/(.)$`, Default, "/\xc3\xa9", nil},
		{`(*UTF)^/(.)$`, Default, "/\xc3\xa9", []int{0, 3, 1, 3}},
		{`(*UTF)^/(.)$`, Default, "/\xff", nil},
		{`^$`, Default, "", []int{0, 0}},
	} {
		got := mustCompile(t, c.pattern, c.opts).FindStringSubmatchIndex(c.subject)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q (opts %b) on %q: %v, want %v", c.pattern, c.opts, c.subject, got, c.want)
		}
	}
}

// Where both can compile a pattern, PCRE2 and Go's regexp agree on ASCII
// subjects: the offsets are the same (a check of the ovector's
// translation, -1 for groups that did not take part included).
func TestAgreesWithGoRegexp(t *testing.T) {
	patterns := []string{`^/(.*)$`, `\.(gif|jpe?g|png)$`, `^/([a-z]+)/(\d+)?/?(x)?`, `(a|(b))+`,
		`^/(?P<year>\d{4})/(?P<slug>[^/]+)/?$`, `^$`, `a*`, `(?i)^/ADMIN`}
	subjects := []string{"/", "/a.png", "/blog/2024/", "ab", "/2024/hello/", "", "aaa", "/admin/x", "/x.jpeg", "bab"}
	for _, p := range patterns {
		pc := mustCompile(t, p, DotAll)
		re := regexp.MustCompile(`(?s)` + p)
		if pc.NumSubexp() != re.NumSubexp() || !reflect.DeepEqual(pc.SubexpNames(), re.SubexpNames()) {
			t.Errorf("%q: groups %d %q, Go %d %q", p, pc.NumSubexp(), pc.SubexpNames(), re.NumSubexp(), re.SubexpNames())
		}
		for _, s := range subjects {
			if got, want := pc.FindStringSubmatchIndex(s), re.FindStringSubmatchIndex(s); !reflect.DeepEqual(got, want) {
				t.Errorf("%q on %q: %v, Go %v", p, s, got, want)
			}
		}
	}
}

func TestCompileErrors(t *testing.T) {
	for pattern, want := range map[string]string{
		"(":      "missing closing parenthesis",
		"a**":    "quantifier does not follow a repeatable item",
		`[\d-z]`: "invalid range in character class",
		`a\1`:    "reference to non-existent subpattern",
	} {
		_, err := Compile(pattern, Default)
		var pe *Error
		if !errors.As(err, &pe) || !strings.Contains(pe.Message, want) {
			t.Errorf("Compile(%q): %v, want PCRE2's %q", pattern, err, want)
		}
	}
	// As in Apache, which passes the pattern as a C string, a NUL ends it.
	re := mustCompile(t, "^a\x00(", Default)
	if re.FindStringSubmatchIndex("a") == nil {
		t.Errorf("a pattern cut at its NUL does not match")
	}
}

// ap_regexec takes its subject as a C string: a NUL ends it too.
func TestSubjectEndsAtNUL(t *testing.T) {
	re := mustCompile(t, `^(a)$`, Default)
	if m := re.FindStringSubmatchIndex("a\x00b"); !reflect.DeepEqual(m, []int{0, 1, 0, 1}) {
		t.Errorf("a\\0b: %v, want the match of a", m)
	}
	if !re.MatchString("a\x00b") || re.MatchString("b\x00a") || re.MatchString("\x00a") {
		t.Errorf("MatchString does not stop at the NUL")
	}
}

func TestDuplicateNames(t *testing.T) {
	re := mustCompile(t, `^(?:(?<n>a)|(?<n>b))$`, Default)
	if got := re.SubexpNames(); !reflect.DeepEqual(got, []string{"", "n", "n"}) {
		t.Errorf("names %q", got)
	}
	if m := re.FindStringSubmatchIndex("b"); !reflect.DeepEqual(m, []int{0, 1, -1, -1, 0, 1}) {
		t.Errorf("match %v", m)
	}
}

// Many goroutines share one pattern (a configuration's), and many
// patterns come and go with reloads: no races, no crashes.
func TestConcurrentUse(t *testing.T) {
	re := mustCompile(t, `^/(?!x)(\w+)/(\d+)$`, Default)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 2000; i++ {
				if m := re.FindStringSubmatchIndex("/ab/12"); len(m) != 6 || m[5] != 6 {
					t.Errorf("match %v", m)
					return
				}
				if _, err := Compile(`(?<=a)b`, Default); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

var benchSubject = "/blog/2024/some-article-slug/"

func BenchmarkPCRE(b *testing.B) {
	re := mustCompile(b, `^/blog/(\d+)/([^/]+)/?$`, Default)
	for b.Loop() {
		if re.FindStringSubmatchIndex(benchSubject) == nil {
			b.Fatal("no match")
		}
	}
}

func BenchmarkGoRegexp(b *testing.B) {
	re := regexp.MustCompile(`(?s)^/blog/(\d+)/([^/]+)/?$`)
	for b.Loop() {
		if re.FindStringSubmatchIndex(benchSubject) == nil {
			b.Fatal("no match")
		}
	}
}
