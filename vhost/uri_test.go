package vhost

import "testing"

func TestNormalizePath(t *testing.T) {
	tests := []struct {
		in, out string
		ok      bool
	}{
		{"/sub/../file.txt", "/file.txt", true},
		{"/../file.txt", "/file.txt", false},
		{"/a/./b", "/a/b", true},
		{"/a/b/..", "/a/", true},
		{"/a/b/.", "/a/b/", true},
		{"//a///b", "/a/b", true},
		{"/%2e%2e/x", "/x", false},
		{"/a/%2e%2e/x", "/x", true},
		{"/a/.%2e/x", "/x", true},
		{"/%41%7e%2F", "/A~%2F", true},
		{"/a%zz", "/a%zz", false},
		{"*", "*", true},
		{"", "", false},
		{"abc", "abc", false},
		{"/.hidden", "/.hidden", true},
		{"/a..b/", "/a..b/", true},
	}
	for _, tt := range tests {
		got, ok := NormalizePath(tt.in, true, true)
		if got != tt.out || ok != tt.ok {
			t.Errorf("NormalizePath(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.out, tt.ok)
		}
	}
	if got, _ := NormalizePath("//a//b", false, true); got != "//a//b" {
		t.Errorf("MergeSlashes Off: %q", got)
	}
}

func TestUnescape(t *testing.T) {
	tests := []struct {
		in      string
		slashes int
		out     string
		status  int
	}{
		{"/a%20b", slashesForbid, "/a b", 0},
		{"/a%2Fb", slashesForbid, "/a/b", 404},
		{"/a%2fb", slashesDecode, "/a/b", 0},
		{"/a%2Fb", slashesNoDecode, "/a%2Fb", 0},
		{"/a%00b", slashesDecode, "/a\x00b", 404},
		{"/a%zzb", slashesDecode, "/a%zzb", 400},
		{"/caf%C3%A9", slashesForbid, "/caf\xc3\xa9", 0},
		{"/%41", slashesForbid, "/%41", 0}, // unreserved: already decoded by NormalizePath
	}
	for _, tt := range tests {
		got, st := Unescape(tt.in, tt.slashes)
		if got != tt.out || st != tt.status {
			t.Errorf("Unescape(%q, %d) = %q, %d; want %q, %d", tt.in, tt.slashes, got, st, tt.out, tt.status)
		}
	}
}

func TestNormalizeHost(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port int
		ok   bool
	}{
		{"Example.ORG", "example.org", 0, true},
		{"example.org.", "example.org", 0, true},
		{"b.test:1", "b.test", 1, true},
		{"[::1]:8080", "::1", 8080, true},
		{"[FE80::1]", "fe80::1", 0, true},
		{"12345", "", 0, false},
		{"a,b", "", 0, false},
		{"a/b", "", 0, false},
		{"a..b", "", 0, false},
		{"127.0.0.1", "127.0.0.1", 0, true},
		{"127.0.1", "", 0, false},
		{"127.000.0.1", "", 0, false},
		{"host.123", "", 0, false},
		{"my_host.test", "my_host.test", 0, true},
		{"", "", 0, true},
		{"a.test:99999", "", 0, false},
	}
	for _, tt := range tests {
		h, p, ok := NormalizeHost(tt.in)
		if ok != tt.ok || (ok && (h != tt.host || p != tt.port)) {
			t.Errorf("NormalizeHost(%q) = %q, %d, %v; want %q, %d, %v", tt.in, h, p, ok, tt.host, tt.port, tt.ok)
		}
	}
}

func TestWildMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*.b.test", "y.z.b.test", true},
		{"*.b.test", "b.test", false},
		{"w?.test", "w1.test", true},
		{"w?.test", "w12.test", false},
		{"*", "", true},
		{"a*b*c", "axxbyyc", true},
		{"a*b*c", "axxbyy", false},
	}
	for _, tt := range tests {
		if got := wildMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("wildMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in, method string
		path       string
		query      string
		hasQuery   bool
		other, ok  bool
	}{
		{"/a?b=1", "GET", "/a", "b=1", true, false, true},
		{"/a?", "GET", "/a", "", true, false, true},
		{"//a//b", "GET", "/a//b", "", false, false, true},
		{"http://h/x?q", "GET", "/x", "q", true, false, true},
		{"HTTP://H:81/x", "GET", "/x", "", false, false, true},
		{"http://h", "GET", "/", "", false, false, true},
		{"http://h", "OPTIONS", "*", "", false, false, true},
		{"http://h?q=1", "GET", "/", "q=1", true, false, true},
		{"ftp://h/x", "GET", "/x", "", false, true, true},
		{"/a#f", "GET", "", "", false, false, false},
		{"/a?x#f", "GET", "", "", false, false, false},
		{"http://u:p@h/x", "GET", "", "", false, false, false},
		{"http://[::1/x", "GET", "", "", false, false, false},
		{"http://h:8x/x", "GET", "", "", false, false, false},
		{"http://[::1]:80/x", "GET", "/x", "", false, false, true},
		{"a/b", "GET", "a/b", "", false, false, true},
		{"*", "OPTIONS", "*", "", false, false, true},
	}
	for _, tt := range tests {
		got, ok := ParseTarget(tt.in, tt.method)
		if ok != tt.ok || (ok && (got.Path != tt.path || got.Query != tt.query || got.HasQuery != tt.hasQuery || got.OtherScheme != tt.other)) {
			t.Errorf("ParseTarget(%q) = %+v, %v", tt.in, got, ok)
		}
	}
}

// TestNormalizePathPlain checks the shortcut for paths NormalizePath
// leaves alone against the full normalisation, over every path of up to
// six bytes from the bytes that matter.
func TestNormalizePathPlain(t *testing.T) {
	const alphabet = "/.%2eA"
	var walk func(p string)
	walk = func(p string) {
		for _, merge := range []bool{false, true} {
			for _, decode := range []bool{false, true} {
				got, gotOK := NormalizePath(p, merge, decode)
				want, wantOK := normalizePath(p, merge, decode)
				if got != want || gotOK != wantOK {
					t.Fatalf("NormalizePath(%q, %v, %v) = %q, %v; want %q, %v", p, merge, decode, got, gotOK, want, wantOK)
				}
			}
		}
		if len(p) == 7 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			walk(p + alphabet[i:i+1])
		}
	}
	walk("/")
}
