package vhost

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

// parseMap reads a type map given as text.
func parseMap(t *testing.T, text string) ([]*variant, *mapProblem) {
	t.Helper()
	return parseTypeMap(newMapReader(strings.NewReader(text)), "/srv/doc.var", "/srv/doc.var")
}

// TestTypeMapHeaders: header names in any case, comment lines before
// and inside a header, continuation lines (appended after the line's
// newline, their leading white space dropped), parenthesised comments,
// a blank line of white space, and variants that name no file or say
// nothing about it left out.
func TestTypeMapHeaders(t *testing.T) {
	vars, p := parseMap(t, "# a comment\n"+
		"URI: doc\n"+ // no content: not a variant
		"\n"+
		"uri: doc.html.en\n"+
		"CONTENT-TYPE: text/html\n"+
		"# inside the header block\n"+
		"   ; qs=0.5 ; charset=ISO-8859-2\n"+
		"Content-Language: EN-gb, de;fr\n"+
		"Description: the English\n"+
		"\tone (with a comment)\n"+
		"Content-Encoding: x-gzip\n"+
		"Content-Length: 42\n"+
		"  \t \n"+
		"Content-Type: text/plain\n"+ // no URI: not a variant
		"\n"+
		"URI: sub/doc.txt\n"+
		"Content-Language: de\n")
	if p != nil {
		t.Fatalf("problem %+v", p)
	}
	if len(vars) != 2 {
		t.Fatalf("%d variants, want 2: %+v", len(vars), vars)
	}
	v := vars[0]
	if v.fileName != "doc.html.en" || v.mimeType != "text/html" || v.sourceQuality != 0.5 || v.charset != "iso-8859-2" || v.level != 2 {
		t.Errorf("type: %q %q q=%v charset %q level %v", v.fileName, v.mimeType, v.sourceQuality, v.charset, v.level)
	}
	if !slices.Equal(v.languages, []string{"en-gb", "de", "fr"}) {
		t.Errorf("languages %q", v.languages)
	}
	if want := "the English one " + strings.Repeat(" ", len("(with a comment)")); v.description != want {
		t.Errorf("description %q", v.description)
	}
	if v.encoding != "x-gzip" || !v.hasEnc || v.bytes != 42 || v.body != 0 {
		t.Errorf("encoding %q %v, bytes %d, body %d", v.encoding, v.hasEnc, v.bytes, v.body)
	}
	// Without a Content-Type the source quality stays 0: such a variant
	// is never chosen.
	if w := vars[1]; w.fileName != "sub/doc.txt" || w.mimeType != "" || w.sourceQuality != 0 || w.bytes != -1 {
		t.Errorf("second variant %+v", w)
	}
}

// TestTypeMapBody: a Body: runs up to its end tag, found anywhere within
// the next 8191 bytes; the rest of the tag's line is skipped and the map
// goes on; the variant is the map itself.
func TestTypeMapBody(t *testing.T) {
	text := "Content-Type: text/plain\n" +
		"Body:--end--  \n" +
		"first body\n" +
		"--end-- trailing words\n" +
		"Content-Language: de\n" +
		"\n" +
		"URI: after.txt\n" +
		"Content-Type: text/plain\n"
	vars, p := parseMap(t, text)
	if p != nil {
		t.Fatalf("problem %+v", p)
	}
	if len(vars) != 2 {
		t.Fatalf("%d variants: %+v", len(vars), vars)
	}
	v := vars[0]
	body := text[v.body : v.body+v.bytes]
	if body != "first body\n" || v.fileName != "doc.var" || !slices.Equal(v.languages, []string{"de"}) {
		t.Errorf("body %q (at %d), name %q, languages %q", body, v.body, v.fileName, v.languages)
	}
	if vars[1].fileName != "after.txt" {
		t.Errorf("after the body: %+v", vars[1])
	}

	// The tag beyond the first 8191 bytes is not found: the variants
	// before stay, and the map ends there.
	long := "URI: a.txt\nContent-Type: text/plain\n\nBody:--x--\n" + strings.Repeat("y", mapBufLen) + "--x--\n"
	vars, p = parseMap(t, long)
	if p == nil || p.fatal || !strings.HasPrefix(p.msg, "AH00685: Syntax error in type map, no end tag '--x--' found in /srv/doc.var") {
		t.Errorf("problem %+v", p)
	}
	if len(vars) != 1 || vars[0].fileName != "a.txt" {
		t.Errorf("variants %+v", vars)
	}
}

// TestTypeMapProblems: the lines Apache refuses, with its messages; a
// header without ':' or without a value fails the request, a bad
// Content-Length ends the map.
func TestTypeMapProblems(t *testing.T) {
	for _, c := range []struct {
		text, msg string
		fatal     bool
		vars      int
	}{
		{"URI: a\nContent-Type: text/html\n\nBad Line\n", "AH00681: Syntax error in type map, no ':' in /srv/doc.var for header bad line\n", true, 1},
		{"URI:   \n", "AH00682: Syntax error in type map --- no header body: /srv/doc.var for uri:   \n", true, 0},
		{"URI: a\nContent-Type: text/html\nContent-Length: 12x\n\nURI: b\nContent-Type: text/html\n", "AH00684: Parse error in type map, Content-Length: '12x' in /srv/doc.var is invalid.", false, 0},
		{"URI: a\nContent-Length: -1\n", "AH00684: Parse error in type map, Content-Length: '-1' in /srv/doc.var is invalid.", false, 0},
	} {
		vars, p := parseMap(t, c.text)
		if p == nil || p.msg != c.msg || p.fatal != c.fatal || len(vars) != c.vars {
			t.Errorf("%q: %d variants, problem %+v; want %q (fatal %v), %d variants", c.text, len(vars), p, c.msg, c.fatal, c.vars)
		}
	}
}

// TestTypeMapLongLine: a line longer than Apache's buffer is read in
// pieces of 8191 bytes, the rest a line of its own.
func TestTypeMapLongLine(t *testing.T) {
	m := newMapReader(strings.NewReader(strings.Repeat("a", mapBufLen+9) + "\nnext\n"))
	first, _ := m.gets()
	second, _ := m.gets()
	third, _ := m.gets()
	if len(first) != mapBufLen-1 || second != "aaaaaaaaaa\n" || third != "next\n" {
		t.Errorf("pieces of %d, %q, %q", len(first), second, third)
	}
	if _, ok := m.gets(); ok {
		t.Error("a line after the end")
	}
}

func TestStripParenComments(t *testing.T) {
	for in, want := range map[string]string{
		"text/html (the page); qs=0.5": "text/html           ; qs=0.5",
		`"a (b)" c`:                    `"a    " c`, // quotes protect nothing
		"x (unterminated":              "x              ",
		"plain":                        "plain",
	} {
		if got := stripParenComments(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// TestIsTypeMap: the handler names it, or the type where no handler
// does.
func TestIsTypeMap(t *testing.T) {
	for _, c := range []struct {
		handler, ct string
		want        bool
	}{
		{"type-map", "", true},
		{"application/x-type-map", "", true},
		{"", "application/x-type-map; charset=utf-8", true},
		{"", "application/x-type-map ", true},
		{"wsgi-script", "application/x-type-map", false},
		{"", "text/html", false},
	} {
		r := &Request{Handler: c.handler, ContentType: c.ct}
		if got := r.isTypeMap(); got != c.want {
			t.Errorf("handler %q type %q: %v", c.handler, c.ct, got)
		}
	}
}

// TestMapVariantURI: the variant's name after the directory of the map's
// URI (escaped, without the path info), then the path info and query.
func TestMapVariantURI(t *testing.T) {
	r := &Request{URI: "/a b/doc.var/more", PathInfo: "/more", Args: "x=1", HasArgs: true}
	if got := mapVariantURI(r, "doc.html.en"); got != "/a%20b/doc.html.en/more?x=1" {
		t.Errorf("got %q", got)
	}
	r = &Request{URI: "/doc.var", HasArgs: true}
	if got := mapVariantURI(r, "sub/x.html"); got != "/sub/x.html?" {
		t.Errorf("empty query: got %q", got)
	}
}

// TestTypeMapNotTransparent: a variant in another directory, or a Body:
// in the map, makes the negotiation of a GET non-transparent (no TCN,
// no Content-Location, Vary without "negotiate").
func TestTypeMapNotTransparent(t *testing.T) {
	for _, second := range []*variant{v("sub/p.de", "text/html", 10, "de"), func() *variant {
		x := v("doc.var", "text/html", 10, "de")
		x.body = 40
		return x
	}()} {
		r := &Request{HTTP: &http.Request{Header: http.Header{}}, Method: "GET", Dir: &confparse.DirConfig{}}
		neg := parseAcceptHeaders(r)
		neg.vars = []*variant{v("p.en", "text/html", 5, "en"), second}
		best, o := neg.doNegotiation(false)
		if o != nil || best.fileName != "p.en" {
			t.Fatalf("%+v %+v", best, o)
		}
		if neg.isTransparent || r.errHeadersOut.Has("TCN") || r.errHeadersOut.Has("Content-Location") {
			t.Errorf("%s: transparent: %v", second.fileName, r.errHeadersOut)
		}
		if vary, _ := r.errHeadersOut.Get("Vary"); vary != "accept-language" {
			t.Errorf("%s: Vary %q", second.fileName, vary)
		}
	}
}
