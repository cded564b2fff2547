package vhost

import (
	"net/http"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

func TestAtoq(t *testing.T) {
	for in, want := range map[string]float32{"": 1, "1": 1, "0": 0, "0.5": 0.5, ".25": 0.25, " 0.125": 0.125,
		"0.1234": 0.123, "0.0001": 0, "2": 1, "abc": 1, "0.": 0, "0.9x": 0.9} {
		if got := atoq(in); got != want {
			t.Errorf("atoq(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestGetEntry(t *testing.T) {
	recs, _ := doHeaderLine(http.Header{"Accept": {`Text/HTML;Level=3;q=0.5, text/plain; charset="UTF-8" ,image/* ;qs=0.2 x/y`}}, "Accept")
	want := []acceptRec{{"text/html", 0.5, 3, ""}, {"text/plain", 1, 0, "utf-8"}, {"image/*", 0.2, 0, ""}} // a parameter takes white space: x/y is its

	if len(recs) != len(want) {
		t.Fatalf("%+v", recs)
	}
	for i := range want {
		if recs[i] != want[i] {
			t.Errorf("%d: %+v, want %+v", i, recs[i], want[i])
		}
	}
}

// testNeg negotiates among variants (type, languages, encoding,
// charset, size) for the request headers.
func testNeg(t *testing.T, hdr http.Header, prio []string, force int, vars ...*variant) string {
	t.Helper()
	r := &Request{HTTP: &http.Request{Header: hdr}, Method: "GET", Dir: &confparse.DirConfig{LanguagePriority: prio, ForceLanguagePriority: force}}
	neg := parseAcceptHeaders(r)
	neg.vars = vars
	best, o := neg.doNegotiation(false)
	if o != nil {
		return "status " + http.StatusText(o.Status)
	}
	return best.fileName
}

func v(name, typ string, size int64, langs ...string) *variant {
	x := newVariant()
	a, _ := getEntry(typ)
	x.setMimeFields(a)
	x.fileName, x.languages, x.bytes = name, langs, size
	return x
}

func TestNegotiationScoring(t *testing.T) {
	langs := func() []*variant {
		return []*variant{v("p.de", "text/html", 30, "de"), v("p.en", "text/html", 15, "en"), v("p.fr", "text/html", 29, "fr")}
	}
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Add(kv[i], kv[i+1])
		}
		return out
	}
	for _, c := range []struct {
		name  string
		hdr   http.Header
		prio  []string
		force int
		vars  []*variant
		want  string
	}{
		{"smallest wins a tie", nil, nil, 0, langs(), "p.en"},
		{"language q", h("Accept-Language", "de;q=0.2, fr;q=0.9"), nil, 0, langs(), "p.fr"},
		{"en-US fiddles to en at 0.001", h("Accept-Language", "en-US"), nil, 0, langs(), "p.en"},
		{"no language acceptable", h("Accept-Language", "ja"), nil, 0, langs(), "status Not Acceptable"},
		{"star", h("Accept-Language", "ja, *;q=0.1"), nil, 0, langs(), "p.en"},
		{"LanguagePriority orders a tie", nil, []string{"fr", "de"}, 0, langs(), "p.fr"},
		{"Fallback", h("Accept-Language", "ja"), []string{"de"}, confparse.FLPFallback, langs(), "p.de"},
		{"None: priority ignored", nil, []string{"fr"}, confparse.FLPNone, langs(), "p.en"},
		{"prefix range matches a longer tag", h("Accept-Language", "en"), nil, 0,
			[]*variant{v("u.en-gb", "text/html", 5, "en-gb"), v("u.de", "text/html", 1, "de")}, "u.en-gb"},
		{"wildcards low without q", nil, nil, 0,
			[]*variant{v("d.html", "text/html", 64), v("d.txt", "text/plain", 16)}, "d.txt"},
		{"explicit type", h("Accept", "text/html"), nil, 0,
			[]*variant{v("d.html", "text/html", 64), v("d.txt", "text/plain", 16)}, "d.html"},
		{"type/* beats */* only by q", h("Accept", "text/*;q=0.3, text/html;q=0.2"), nil, 0,
			[]*variant{v("d.html", "text/html", 64), v("d.txt", "text/plain", 16)}, "d.txt"},
		{"qs", h("Accept", "text/html"), nil, 0,
			[]*variant{v("q.html", "text/html", 64), v("q.low", "text/html; qs=0.4", 16)}, "q.html"},
		{"html level 2 by default", h("Accept", "text/html"), nil, 0,
			[]*variant{v("l3", "text/html; level=3", 1), v("l2", "text/html; level=2", 9)}, "l2"},
		{"charset", h("Accept-Charset", "iso-8859-2, utf-8;q=0.5"), nil, 0,
			[]*variant{v("c.u", "text/html; charset=utf-8", 1), v("c.l", "text/html; charset=iso-8859-2", 9)}, "c.l"},
		{"charset not acceptable", h("Accept-Charset", "koi8-r"), nil, 0,
			[]*variant{v("c.u", "text/html; charset=utf-8", 1)}, "status Not Acceptable"},
		{"Negotiate: trans lists", h("Negotiate", "trans"), nil, 0, langs(), "status Multiple Choices"},
		{"Negotiate: * chooses", h("Negotiate", "*", "Accept-Language", "de"), nil, 0, langs(), "p.de"},
		{"Negotiate: 1.0 lists the indefinite", h("Negotiate", "1.0", "Accept-Language", "fr"), nil, 0, langs(), "status Multiple Choices"},
	} {
		if got := testNeg(t, c.hdr, c.prio, c.force, c.vars...); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// Encodings: identity is preferred without Accept-Encoding, the coding
// named with it; "x-" prefixes match either way.
func TestEncodingQuality(t *testing.T) {
	plain, gz := v("e.txt", "text/plain", 64), v("e.txt.gz", "application/gzip", 51)
	gz.encoding, gz.hasEnc = "gzip", true
	for ae, want := range map[string]string{"": "e.txt", "gzip": "e.txt.gz", "x-gzip": "e.txt.gz", "identity;q=0.5, gzip;q=0.4": "e.txt"} {
		hdr := http.Header{}
		if ae != "" {
			hdr.Set("Accept-Encoding", ae)
		}
		a, b := *plain, *gz
		if got := testNeg(t, hdr, nil, 0, &a, &b); got != want {
			t.Errorf("Accept-Encoding %q: %s, want %s", ae, got, want)
		}
	}
}

func TestMimeExceptions(t *testing.T) {
	d := &confparse.DirConfig{Types: map[string]string{"html": "text/html"}, Languages: map[string]string{"en": "en"}, Handlers: map[string]string{"wsgi": "wsgi-script"}}
	for _, c := range []struct {
		name, req string
		mm        int
		ok        bool
	}{
		{"page.html.en", "page", 0, true},
		{"page.html.en", "page.html", 0, true},
		{"foo.html.zzz", "foo.html", 0, false},
		{"foo.html.zzz", "foo.zzz", 0, true},
		{"foo.html.zzz", "foo.html", confparse.MultiMatchAny, true},
		{"only.zzz", "only", 0, false},
		{"app.wsgi", "app", 0, false},
		{"app.wsgi", "app", confparse.MultiMatchHandlers, true},
	} {
		d.MultiviewsMatch = c.mm
		exc, found := mimeExceptions(c.name, nil, d)
		if ok := found && exceptionsMatch(c.req, exc); ok != c.ok {
			t.Errorf("%s for %s (MultiviewsMatch %d): %v (exceptions %q)", c.name, c.req, c.mm, ok, exc)
		}
	}
}

func TestQString(t *testing.T) {
	for q, want := range map[float32]string{1: "1", 0.4: "0.4", 0.25: "0.25", 0.125: "0.125", 0: "0"} {
		if got := qString(q); got != want {
			t.Errorf("qString(%v) = %q, want %q", q, got, want)
		}
	}
}
