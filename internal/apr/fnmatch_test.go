package apr

import "testing"

// The expected results are apr_fnmatch's (libapr1 1.7.2).
var fnmatchTests = []struct {
	pattern, s string
	flags      int
	want       bool
}{
	// Literals, '?', '*'.
	{"abc", "abc", 0, true},
	{"abc", "abd", 0, false},
	{"abc", "ab", 0, false},
	{"", "", 0, true},
	{"", "a", 0, false},
	{"*", "", 0, true},
	{"a*", "a", 0, true},
	{"a*c", "abbbc", 0, true},
	{"a*c", "abbbd", 0, false},
	{"*b*", "abc", 0, true},
	{"a*b*c", "aXbYbZc", 0, true},
	{"a?c", "abc", 0, true},
	{"a?c", "ac", 0, false},
	{"??", "a", 0, false},
	{"*?", "", 0, false},
	// A C string ends at its first NUL.
	{"ab\x00x", "ab", 0, true},
	{"ab", "ab\x00y", 0, true},
	// Bracket expressions.
	{"[a-c]x", "bx", 0, true},
	{"[a-c]x", "dx", 0, false},
	{"[!a-c]x", "dx", 0, true},
	{"[^a-c]x", "dx", 0, true},
	{"[^a-c]x", "ax", 0, false},
	{"a[]]c", "a]c", 0, true},
	{"a[!]]c", "a]c", 0, false},
	{"[a-]", "-", 0, true},
	{"[a-m-z]", "-", 0, true},
	{"[a-m-z]", "z", 0, true},
	{"[a-m-z]", "n", 0, false},
	{"a[c", "a[c", 0, true},
	{"a[c", "ac", 0, false},
	{"[\\]]", "]", 0, true},
	{"[a-\\]]", "]", 0, false},
	{"[\\]-a]", "^", 0, true},
	// Ranges compare as signed char: 0xe9 sorts before 'a'.
	{"[\xe0-\xef]", "\xe9", 0, true},
	{"[\x01-a]", "\xe9", 0, false},
	// Backslash escaping, and FNMNoEscape.
	{"a\\*c", "a*c", 0, true},
	{"a\\*c", "abc", 0, false},
	{"a\\*c", "a\\bc", FNMNoEscape, true},
	{"a\\*c", "a*c", FNMNoEscape, false},
	{"a\\", "a\\", 0, true},
	{"\\[a]", "[a]", 0, true},
	{"\\[a]", "a", 0, false},
	{"[\\!]", "!", 0, true},
	{"[\\!]", "\\", FNMNoEscape, true},
	{"[\\!]", "!", FNMNoEscape, true},
	// FNMCaseBlind.
	{"ABC", "abc", 0, false},
	{"ABC", "abc", FNMCaseBlind, true},
	{"a?C", "AbC", FNMCaseBlind, true},
	{"[A-C]x", "bX", FNMCaseBlind, true},
	{"[a-c]", "B", FNMCaseBlind, true},
	{"[a-c]", "B", 0, false},
	{"[B]", "b", FNMCaseBlind, true},
	{"*.HTML", "index.html", FNMCaseBlind, true},
	{"\xc9", "\xe9", FNMCaseBlind, false},
	// FNMPathname: '/' only matches '/'.
	{"/a/*", "/a/b", FNMPathname, true},
	{"/a/*", "/a/b/c", FNMPathname, false},
	{"/a/*", "/a/b/c", 0, true},
	{"a?b", "a/b", FNMPathname, false},
	{"a?b", "a/b", 0, true},
	{"a[/]b", "a/b", FNMPathname, false},
	{"a[/]b", "a/b", 0, true},
	{"a*b", "a/b", FNMPathname, false},
	{"*/b", "a/b", FNMPathname, true},
	{"a\\/b", "a/b", FNMPathname, true},
	{"a/", "a", FNMPathname, false},
	{"a/", "a/", FNMPathname, true},
	{"/", "", FNMPathname, false},
	{"*/", "a", FNMPathname, false},
	{"a//b", "a/b", FNMPathname, false},
	{"a/*/c", "a/b/c", FNMPathname, true},
	{"a/*/c", "a/b/d/c", FNMPathname, false},
	// FNMPeriod: a leading period needs a literal period.
	{"*", ".hidden", 0, true},
	{"*", ".hidden", FNMPeriod, false},
	{"?hidden", ".hidden", FNMPeriod, false},
	{"[.]hidden", ".hidden", FNMPeriod, false},
	{".*", ".hidden", FNMPeriod, true},
	{"\\.*", ".hidden", FNMPeriod, true},
	{"\\.*", ".hidden", FNMPeriod | FNMNoEscape, false},
	{"*.conf", "a.conf", FNMPeriod, true},
	{"*.conf", ".a.conf", FNMPeriod, false},
	{".", ".", FNMPeriod, true},
	{"*", "a.", FNMPeriod, true},
	// Without FNMPathname only the start of the string counts.
	{"a/*", "a/.b", FNMPeriod, true},
	{"a/*", "a/.b", FNMPeriod | FNMPathname, false},
	{"a/.*", "a/.b", FNMPeriod | FNMPathname, true},
	{"*/b", ".a/b", FNMPeriod | FNMPathname, false},
	{".a/b", ".a/b", FNMPeriod | FNMPathname, true},
}

func TestFnmatch(t *testing.T) {
	for _, tt := range fnmatchTests {
		if got := Fnmatch(tt.pattern, tt.s, tt.flags); got != tt.want {
			t.Errorf("Fnmatch(%q, %q, %#x) = %v, want %v", tt.pattern, tt.s, tt.flags, got, tt.want)
		}
	}
}

// The expected results are apr_fnmatch_test's.
var fnmatchTestTests = []struct {
	pattern string
	want    bool
}{
	{"", false},
	{"/etc/apache2/conf.d", false},
	{"*.conf", true},
	{"a?c", true},
	{"a[bc]", true},
	{"a[bc", false},
	{"a]b[", false},
	{"a\\*b", false},
	{"a\\?", false},
	{"a\\", false},
	{"a\\[b]", false},
	{"a\\[b][c]", true},
	{"a[b\\]", false},
	{"test[/]this", true},
	{"ab\x00*", false},
}

func TestFnmatchTest(t *testing.T) {
	for _, tt := range fnmatchTestTests {
		if got := FnmatchTest(tt.pattern); got != tt.want {
			t.Errorf("FnmatchTest(%q) = %v, want %v", tt.pattern, got, tt.want)
		}
	}
}
