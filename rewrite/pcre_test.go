package rewrite

import (
	"testing"

	"github.com/gowsgid/gowsgid/internal/apregex"
)

// TestCompileLikePCRE2 pins how patterns load against what apache2 -t
// (2.4.71 with PCRE2 10.42) says of them: "bad" is refused as Apache
// refuses it, the others load. With PCRE every other pattern runs;
// without it (compileRE2), "ok" runs on RE2 and "re2" loads as a
// pattern RE2 cannot run (a finding, 500 at request time).
func TestCompileLikePCRE2(t *testing.T) {
	cases := map[string]string{
		// Start-of-pattern options.
		`(*UTF)^/a$`: "ok", `(*CRLF)^/a$`: "ok", `(*UTF)(*CRLF)^/a$`: "ok", `(*UTF8)x`: "ok",
		`(*NO_JIT)(*UTF)x`: "ok", `(*LIMIT_MATCH=4294967289)x`: "ok", `(*BSR_UNICODE)x`: "ok",
		`(*UTF)`: "ok", `(*UCP)x`: "ok", `(*UCP)\d`: "re2", `(*NOTEMPTY)x`: "re2",
		`(*LIMIT_MATCH=4294967290)x`: "bad", `(*LIMIT_MATCH=)x`: "bad", `(*utf)x`: "bad",
		`(*UTF16)x`: "bad", `(*UTF )x`: "bad", `a(*UTF)`: "bad", `(*FOO)x`: "bad",
		// Verbs and assertions written with "(*".
		`a(*FAIL)`: "re2", `(*MARK:x)`: "re2", `(*:x)`: "re2", `(*pla:a)b`: "re2",
		`(*MARK)`: "bad", `(*foo:a)`: "bad", `(*`: "bad", `[[:<:]]`: "re2",
		// Ranges with a class at one end.
		`[\d-z]`: "bad", `[a-\d]`: "bad", `[\w-.]`: "bad", `[[:alpha:]-z]`: "bad", `[]\d-z]`: "bad",
		`[\d-z-]`: "bad", `[\p{L}-z]`: "bad", `(?x) [\d-z] # c`: "bad",
		`[\d-]`: "ok", `[-\d]`: "ok", `[a-z-\d]`: "ok", `[\d\-z]`: "ok", `[[:digit:]-]`: "ok",
		`\Q[\d-z]\E`: "ok", `(?x)a#[\d-z]`: "re2", `[\Q\d\E-z]`: "re2",
		// POSIX syntax outside and inside a class.
		`[:alpha:]`: "bad", `[[:foo:]]`: "bad", `[[.a.]]`: "bad", `[:alpha]`: "ok", `[:]`: "ok",
		// References to groups that do not exist.
		`(?P=n)`: "bad", `(?P<n>a)(?P=n)`: "re2", `(?P=n)(?P<n>a)`: "re2", `(?<N>a)(?P=n)`: "bad",
		`a\1`: "bad", `(a)\1`: "re2", `(a)\2`: "bad", `\8`: "bad", `\81`: "bad", `\10`: "ok", `[\8-z]`: "re2",
		`\k<n>`: "bad", `(?<n>a)\k{n}`: "re2", `\g{1}`: "bad", `(a)\g{-1}`: "re2", `(a)\g{-2}`: "bad",
		`(?1)`: "bad", `(a)(?+1)`: "bad", `(a)(?+1)(b)`: "re2", `(?&n)`: "bad", `(?(1)a|b)`: "bad",
		`(a)(?(1)a|b)`: "re2", `(?(R1)a|b)`: "bad", `(?(R)a|b)`: "re2", `(?n)(a)\1`: "bad",
		`(?<1n>a)`: "bad", `(?P<n>a)(?P<n>b)`: "ok",
		// Quantifiers after something PCRE2 does not repeat.
		`\b*`: "bad", `^+`: "bad", `(?i)*`: "bad", `(?#c)*`: "bad", `a(?#c)*`: "re2", `\Q\E*`: "bad",
		`a\Q\E*`: "ok", `(?C1)*`: "bad", `a{2}?`: "ok", `a*?+`: "bad", `(?=a)*`: "re2", `a{,3}`: "ok",
		// Structure.
		`\c`: "bad", `[\c]`: "bad", `(?P=n`: "bad", `(?`: "bad", `\(?+1):`: "bad",
		`^/(.*)$`: "ok", `\.(gif|jpe?g|png)$`: "ok", `^/x(?=y)`: "re2", `a*+`: "re2",
	}
	for pat, want := range cases {
		_, why, bad := compileRE2(pat, false)
		got := "ok"
		switch {
		case bad:
			got = "bad"
		case why != "":
			got = "re2"
		}
		if got != want {
			t.Errorf("without PCRE, %s: %s (%s), want %s", pat, got, why, want)
		}
		if !apregex.PCRE() {
			continue
		}
		p, why, bad := compile(pat, false)
		if bad != (want == "bad") || why != "" || (p == nil) != bad {
			t.Errorf("with PCRE, %s: pattern %v, unsupported %q, bad %v; want bad %v", pat, p, why, bad, want == "bad")
		}
	}
}

// With (*UTF), a subject that is not UTF-8 matches nothing: pcre2_match
// fails, which ap_regexec reports as no match.
func TestUTFPatternMatch(t *testing.T) {
	compilers := map[string]func(string, bool) (*pattern, string, bool){"RE2": compileRE2}
	if apregex.PCRE() {
		compilers["PCRE"] = compile
	}
	for name, compile := range compilers {
		p, why, bad := compile(`(*UTF)^/(.)$`, false)
		if p == nil || why != "" || bad {
			t.Fatalf("%s: compile: %v %q %v", name, p, why, bad)
		}
		if m := p.match("/\u00e9"); m == nil || m[3]-m[2] != 2 {
			t.Errorf("%s: /é: %v, want one two-byte character", name, m)
		}
		if m := p.match("/\xff"); m != nil {
			t.Errorf("%s: /\\xff: %v, want no match", name, m)
		}
		plain, _, _ := compile(`^/(.)$`, false)
		if plain.match("/\xff") == nil {
			t.Errorf("%s: without (*UTF), /\\xff does not match", name)
		}
	}
}

// FuzzCompile reads any pattern without panicking, and gives a pattern
// exactly when it neither refuses it nor finds it unsupported, with
// PCRE and without.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`(*UTF)^/(.)$`, `[\d-z]`, `(?P<n>a)(?P=n)`, `(?x) a # c`, `[[:<:]]x`,
		`(?(R&n)a|b)(?<n>c)`, `\Q(\E\g{-1}`, `(*LIMIT_MATCH=10)(*pla:a)*`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		for _, compile := range []func(string, bool) (*pattern, string, bool){compile, compileRE2} {
			p, why, bad := compile(expr, false)
			if (p != nil) == (bad || why != "") {
				t.Errorf("%q: pattern %v, unsupported %q, bad %v", expr, p, why, bad)
			}
		}
	})
}
