package static

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const typesFile = `# comment line
text/html			html htm
text/plain			txt TEXT
  # indented comment
application/x-tar		tar
application/gzip		gz
application/x-split \
	split1 split2
image/png	"quoted ext"	'single'
application/only-type
text/plain	asc
text/x-later	asc
`

func TestParseTypes(t *testing.T) {
	ty := ParseTypes(strings.NewReader(typesFile))
	tests := []struct {
		ext, want string
		ok        bool
	}{
		{"html", "text/html", true},
		{"htm", "text/html", true},
		{"text", "text/plain", true}, // extensions are lower-cased
		{"TEXT", "", false},
		{"tar", "application/x-tar", true},
		{"split1", "application/x-split", true}, // continuation line
		{"split2", "application/x-split", true},
		{"quoted ext", "image/png", true},
		{"single", "image/png", true},
		{"asc", "text/x-later", true}, // a later line wins
		{"only-type", "", false},
		{"#", "", false},
		{"comment", "", false},
	}
	for _, tt := range tests {
		got, ok := ty.Lookup(tt.ext)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.ext, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseTypesStopsAtLongLine(t *testing.T) {
	long := "text/long " + strings.Repeat("x", 9000) + "\ntext/after after\n"
	ty := ParseTypes(strings.NewReader("text/before before\n" + long))
	if _, ok := ty.Lookup("before"); !ok {
		t.Error("line before the long one not read")
	}
	if _, ok := ty.Lookup("after"); ok {
		t.Error("Apache stops reading at a line longer than its buffer")
	}
}

func TestLoadTypes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mime.types")
	if err := os.WriteFile(p, []byte(typesFile), 0o644); err != nil {
		t.Fatal(err)
	}
	ty, err := LoadTypes(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := ty.Lookup("gz"); got != "application/gzip" {
		t.Errorf("gz = %q", got)
	}
	if _, err := LoadTypes(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestResolve(t *testing.T) {
	ty := ParseTypes(strings.NewReader(typesFile))
	base := MimeDir{
		Types:     map[string]string{"gz": "application/x-gzip", "es": "", "h2": "text/html; charset=iso-8859-2", "foo": "text/x-foo;a=b"},
		Charsets:  map[string]string{"utf8": "utf-8"},
		Encodings: map[string]string{"gz": "x-gzip", "z": "x-compress"},
		Languages: map[string]string{"en": "en", "de": "de", "es": "es"},
		Handlers:  map[string]string{"cgi": "cgi-script", "php": "application/x-httpd-php"},
	}
	with := func(f func(*MimeDir)) MimeDir {
		d := base
		f(&d)
		return d
	}
	tests := []struct {
		name string
		file string
		d    MimeDir
		want TypeInfo
	}{
		{"plain", "/srv/a.txt", base, TypeInfo{ContentType: "text/plain"}},
		{"directory part ignored", "/srv/x.html/a", base, TypeInfo{}},
		{"unknown extension", "/srv/a.unknownext", base, TypeInfo{}},
		{"no extension", "/srv/README", base, TypeInfo{}},
		{"base name is never an extension", "/srv/html", base, TypeInfo{}},
		{"leading dots belong to the base name", "/srv/.html", base, TypeInfo{}},
		{"leading dots then extension", "/srv/..x.html", base, TypeInfo{ContentType: "text/html"}},
		{"empty extension skipped", "/srv/x..html", base, TypeInfo{ContentType: "text/html"}},
		{"language after type", "/srv/x.html.en", base, TypeInfo{ContentType: "text/html", Languages: []string{"en"}}},
		{"language before type", "/srv/x.en.html", base, TypeInfo{ContentType: "text/html", Languages: []string{"en"}}},
		{"two languages", "/srv/x.html.en.de", base, TypeInfo{ContentType: "text/html", Languages: []string{"en", "de"}}},
		{"last type wins", "/srv/x.tar.gz", base, TypeInfo{ContentType: "application/x-gzip", Encodings: []string{"x-gzip"}}},
		{"types file when no AddType", "/srv/x.gz.tar", with(func(d *MimeDir) { d.Encodings = nil }), TypeInfo{ContentType: "application/x-tar"}},
		{"encodings accumulate", "/srv/x.txt.gz.z", base, TypeInfo{ContentType: "application/x-gzip", Encodings: []string{"x-gzip", "x-compress"}}},
		{"upper-case extension", "/srv/X.HTML", base, TypeInfo{ContentType: "text/html"}},
		{"RemoveType beats types file", "/srv/x.html.es", base, TypeInfo{ContentType: "text/html", Languages: []string{"es"}}},
		{"RemoveType alone", "/srv/x.es", with(func(d *MimeDir) { d.Types = map[string]string{"txt": ""} }), TypeInfo{Languages: []string{"es"}}},
		{"RemoveType on types-file extension", "/srv/x.txt", with(func(d *MimeDir) { d.Types = map[string]string{"txt": ""} }), TypeInfo{}},
		{"AddCharset appended", "/srv/x.txt.utf8", base, TypeInfo{ContentType: "text/plain; charset=utf-8"}},
		{"AddCharset replaces charset parameter", "/srv/x.h2.utf8", base, TypeInfo{ContentType: "text/html; charset=utf-8"}},
		{"AddCharset without type", "/srv/x.utf8", base, TypeInfo{}},
		{"parameters rewritten", "/srv/x.foo", base, TypeInfo{ContentType: "text/x-foo; a=b"}},
		{"handler", "/srv/x.cgi", base, TypeInfo{Handler: "cgi-script"}},
		{"last handler wins", "/srv/x.cgi.php.html", base, TypeInfo{ContentType: "text/html", Handler: "application/x-httpd-php"}},
		{"default language", "/srv/x.html", with(func(d *MimeDir) { d.DefaultLanguage = "it" }), TypeInfo{ContentType: "text/html", Languages: []string{"it"}}},
		{"default language not used", "/srv/x.html.de", with(func(d *MimeDir) { d.DefaultLanguage = "it" }), TypeInfo{ContentType: "text/html", Languages: []string{"de"}}},
		{"ForceType", "/srv/x.txt.utf8", with(func(d *MimeDir) { d.ForceType = "Application/X-Forced" }), TypeInfo{ContentType: "application/x-forced"}},
		{"ForceType none", "/srv/x.txt", with(func(d *MimeDir) { d.ForceType = "none" }), TypeInfo{ContentType: "text/plain"}},
		{"ForceType on unknown", "/srv/x", with(func(d *MimeDir) { d.ForceType = "text/plain" }), TypeInfo{ContentType: "text/plain"}},
		{"AddDefaultCharset text/plain", "/srv/x.txt", with(func(d *MimeDir) { d.DefaultCharset = "UTF-8" }), TypeInfo{ContentType: "text/plain; charset=UTF-8"}},
		{"AddDefaultCharset keeps charset", "/srv/x.txt.utf8", with(func(d *MimeDir) { d.DefaultCharset = "iso-8859-1" }), TypeInfo{ContentType: "text/plain; charset=utf-8"}},
		{"AddDefaultCharset not for other types", "/srv/x.tar", with(func(d *MimeDir) { d.DefaultCharset = "iso-8859-1" }), TypeInfo{ContentType: "application/x-tar"}},
		{"AddDefaultCharset with ForceType", "/srv/x.tar", with(func(d *MimeDir) { d.DefaultCharset = "iso-8859-1"; d.ForceType = "text/html" }), TypeInfo{ContentType: "text/html; charset=iso-8859-1"}},
		{"AddDefaultCharset no type", "/srv/x.bin", with(func(d *MimeDir) { d.DefaultCharset = "iso-8859-1" }), TypeInfo{}},
		{"AddType beats types file", "/srv/x.gz", with(func(d *MimeDir) { d.Encodings = nil }), TypeInfo{ContentType: "application/x-gzip"}},
	}
	for _, tt := range tests {
		got := Resolve(tt.file, ty, tt.d)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: Resolve(%q) = %+v, want %+v", tt.name, tt.file, got, tt.want)
		}
	}
	if got := Resolve("/x.txt", nil, MimeDir{}); got.ContentType != "" {
		t.Errorf("nil Types: %+v", got)
	}
}

func TestMakeContentType(t *testing.T) {
	tests := []struct{ typ, cs, want string }{
		{"", "utf-8", ""},
		{"text/plain", "", "text/plain"},
		{"text/plain", "utf-8", "text/plain; charset=utf-8"},
		{"text/html", "iso-8859-1", "text/html; charset=iso-8859-1"},
		{"TEXT/HTML", "x", "TEXT/HTML; charset=x"},
		{"text/html; level=1", "x", "text/html; level=1; charset=x"},
		{"text/html; CHARSET=y", "x", "text/html; CHARSET=y"},
		{"text/css", "x", "text/css"},
		{"application/xtext/plainx", "x", "application/xtext/plainx; charset=x"},
		{"image/png", "x", "image/png"},
	}
	for _, tt := range tests {
		if got := MakeContentType(tt.typ, tt.cs); got != tt.want {
			t.Errorf("MakeContentType(%q, %q) = %q, want %q", tt.typ, tt.cs, got, tt.want)
		}
	}
}

func TestRebuildContentType(t *testing.T) {
	tests := []struct{ in, charset, want string }{
		{"text/plain", "", "text/plain"},
		{"text/plain", "utf-8", "text/plain; charset=utf-8"},
		{"text/plain;charset=a;x=y", "b", "text/plain; charset=b; x=y"},
		{"text/plain; x=y; charset=a; charset=c", "b", "text/plain; x=y; charset=b"},
		{"text/plain; charset=a", "", "text/plain; charset=a"},
		{`text/plain; x="quoted value"`, "", `text/plain; x="quoted value"`},
		{"text /plain", "", "text /plain"},       // analyze_ct keeps the blank before the slash
		{"text/plain x=y", "", "text/plain x=y"}, // "x" taken as the ';', then "=y" fails
		{"textplain", "u", "textplain"},          // unparsable: left alone, no charset
		{"text/plain;", "u", "text/plain;"},
		{"text/plain; =x", "u", "text/plain; =x"},
		{"text/plain; a=", "u", "text/plain; a="},
		{"text/plain; a=b c", "u", "text/plain; a=b c"},
		{"  text/plain  ", "", "text/plain"},
	}
	for _, tt := range tests {
		if got := rebuildContentType(tt.in, tt.charset); got != tt.want {
			t.Errorf("rebuildContentType(%q, %q) = %q, want %q", tt.in, tt.charset, got, tt.want)
		}
	}
}

func TestGetwordConf(t *testing.T) {
	tests := []struct{ in, word, rest string }{
		{"  abc def", "abc", "def"},
		{`"a b" c`, "a b", "c"},
		{`'a\'b' c`, "a'b", "c"},
		{`"a\\b"`, `a\b`, ""},
		{`"unterminated`, "unterminated", ""},
		{"", "", ""},
		{"   ", "", ""},
	}
	for _, tt := range tests {
		w, r := getwordConf(tt.in)
		if w != tt.word || r != tt.rest {
			t.Errorf("getwordConf(%q) = %q, %q; want %q, %q", tt.in, w, r, tt.word, tt.rest)
		}
	}
}

// TestRebuildContentTypeShortcut checks that a type rebuildContentType
// returns unchanged is one analyze_ct would write back the same.
func TestRebuildContentTypeShortcut(t *testing.T) {
	for _, ct := range []string{"text/html", "application/octet-stream", "Text/HTML", "a/b/c", "/x", "x/",
		"x", "/", "", "image/svg+xml", "a/b;c=d", "a/b; charset=x", " a/b", "a /b", "a/ b", "a/b "} {
		for _, cs := range []string{"", "utf-8"} {
			if got, want := rebuildContentType(ct, cs), rewriteContentType(ct, cs); got != want {
				t.Errorf("rebuildContentType(%q, %q) = %q, want %q", ct, cs, got, want)
			}
		}
	}
}
