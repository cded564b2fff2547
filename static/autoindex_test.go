package static

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// listDir builds a directory from name -> content ("/" suffix: directory)
// with mtimes one minute apart in name order.
func listDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	i := 0
	for _, name := range sortedKeys(files) {
		p := filepath.Join(dir, name)
		mt := time.Date(2024, 1, 2, 3, 4, 0, 0, time.Local).Add(time.Duration(i) * time.Minute)
		i++
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		} else {
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		os.Chtimes(p, mt, mt)
	}
	return dir
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func index(t *testing.T, method, target, dir string, o IndexOptions) (*httptest.ResponseRecorder, error) {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	w := httptest.NewRecorder()
	err := ServeIndex(w, r, dir, o)
	return w, err
}

// TestServeIndexCapture reproduces the captured plain listing of
// apache-http/200-autoindex.txt byte for byte.
func TestServeIndexCapture(t *testing.T) {
	raw, err := os.ReadFile("/work/shared/spec/apache-http/200-autoindex.txt")
	if err != nil {
		t.Skip("capture not available:", err)
	}
	_, resp, _ := strings.Cut(string(raw), ">>> RESPONSE (raw, CRLF preserved)\n")
	_, want, _ := strings.Cut(resp, "\r\n\r\n")
	dir := listDir(t, map[string]string{"rlink/": "", "x.txt": "x"})
	w, err := index(t, "GET", "/opts/", dir, IndexOptions{
		Signature: "<address>Apache/2.4.71 (Debian) Server at main.test Port 28083</address>\n"})
	if err != nil {
		t.Fatal(err)
	}
	checkResponse(t, "capture", w, 200, map[string]string{
		"Content-Type": "text/html;charset=ISO-8859-1", "Content-Length": "394"}, want)
}

func TestServeIndexMethods(t *testing.T) {
	dir := listDir(t, map[string]string{"a.txt": "a"})
	tests := []struct {
		method string
		status int
		err    bool
		want   map[string]string
	}{
		{"HEAD", 200, false, map[string]string{"Content-Type": "text/html;charset=ISO-8859-1", "Content-Length": ""}},
		{"OPTIONS", 200, false, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD,TRACE", "Content-Type": "httpd/unix-directory", "Content-Length": "0"}},
		{"POST", 404, true, nil},
		{"PUT", 405, true, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD,TRACE"}},
		{"BREW", 501, true, map[string]string{"Allow": "GET,POST,OPTIONS,HEAD,TRACE"}},
	}
	for _, tt := range tests {
		w, err := index(t, tt.method, "/d/", dir, IndexOptions{})
		var he *HTTPError
		if tt.err {
			if !errors.As(err, &he) || he.Status != tt.status {
				t.Errorf("%s: %v, want HTTPError %d", tt.method, err, tt.status)
				continue
			}
			for k, v := range tt.want {
				if he.Header.Get(k) != v {
					t.Errorf("%s: %s = %q, want %q", tt.method, k, he.Header.Get(k), v)
				}
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.method, err)
			continue
		}
		checkResponse(t, tt.method, w, tt.status, tt.want, "")
	}
	_, err := index(t, "GET", "/missing/", filepath.Join(dir, "missing"), IndexOptions{})
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 403 {
		t.Errorf("unreadable directory: %v, want 403", err)
	}
}

func debianIndex(t *testing.T) IndexOptions {
	var o IndexOptions
	addIndexConf(t, &o, debianAutoindexConf, "")
	o.Types = ParseTypes(strings.NewReader("text/plain txt\ntext/html html\nimage/png png\naudio/ogg ogg\napplication/x-tar tar\n"))
	o.Mime = MimeDir{Types: map[string]string{"gz": "application/x-gzip"}, Encodings: map[string]string{"z": "x-compress"}}
	return o
}

// TestServeIndexDebian checks the rows of a listing with Debian's stock
// autoindex.conf: icons by type, encoding and name, alt texts, sizes,
// VersionSort, IndexIgnore, and the HTML header and readme.
func TestServeIndexDebian(t *testing.T) {
	dir := listDir(t, map[string]string{
		"a.txt": "a", "b.html": "<b>", "c.tar.gz": strings.Repeat("c", 2000), "d.txt.Z": "d",
		"file9.txt": "9", "file10.txt": "10", "image.png": strings.Repeat("i", 5000), "README": "r",
		"song.ogg": "s", "noext": "n", ".hidden": "h", "backup~": "b", "sub/": "",
		"big.bin": strings.Repeat("x", 1100000),
	})
	o := debianIndex(t)
	w, err := index(t, "GET", "/d/", dir, o)
	if err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	// Names sort case-sensitively (README first), directories among the
	// files, and AddIconByType text/* comes before AddIcon .html.
	rows := []string{
		`<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/hand.right.gif" alt="[   ]"></td><td><a href="README">README</a></td>`,
		`<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="a.txt">a.txt</a></td><td align="right">2024-01-02 03:06  </td><td align="right">  1 </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/text.gif" alt="[TXT]"></td><td><a href="b.html">b.html</a></td><td align="right">2024-01-02 03:07  </td><td align="right">  3 </td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/binary.gif" alt="[   ]"></td><td><a href="big.bin">big.bin</a></td><td align="right">2024-01-02 03:09  </td><td align="right">1.0M</td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/compressed.gif" alt="[   ]"></td><td><a href="c.tar.gz">c.tar.gz</a></td><td align="right">2024-01-02 03:10  </td><td align="right">2.0K</td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/compressed.gif" alt="[CMP]"></td><td><a href="d.txt.Z">d.txt.Z</a></td>`,
		`<a href="file9.txt">file9.txt</a>`,
		`<a href="file10.txt">file10.txt</a>`,
		`<tr><td valign="top"><img src="/icons/image2.gif" alt="[IMG]"></td><td><a href="image.png">image.png</a></td><td align="right">2024-01-02 03:14  </td><td align="right">4.9K</td><td>&nbsp;</td></tr>`,
		`<tr><td valign="top"><img src="/icons/unknown.gif" alt="[   ]"></td><td><a href="noext">noext</a></td>`,
		`<tr><td valign="top"><img src="/icons/sound2.gif" alt="[SND]"></td><td><a href="song.ogg">song.ogg</a></td>`,
		`<tr><td valign="top"><img src="/icons/folder.gif" alt="[DIR]"></td><td><a href="sub/">sub/</a></td><td align="right">2024-01-02 03:17  </td><td align="right">  - </td><td>&nbsp;</td></tr>`,
	}
	last := -1
	for _, row := range rows {
		i := strings.Index(body, row)
		if i < 0 {
			t.Errorf("row missing: %s\nin:\n%s", row, body)
			continue
		}
		if i < last {
			t.Errorf("row out of order: %s", row)
		}
		last = i
	}
	if !strings.Contains(body, `<a href="file10.txt">`) || strings.Index(body, "file9.txt") > strings.Index(body, "file10.txt") {
		t.Error("VersionSort: file9 must come before file10")
	}
	for _, hidden := range []string{".hidden", "backup~"} {
		if strings.Contains(body, hidden) {
			t.Errorf("IndexIgnore: %s listed", hidden)
		}
	}
	if w.Header().Get("Content-Type") != "text/html;charset=UTF-8" {
		t.Errorf("Content-Type %q", w.Header().Get("Content-Type"))
	}
	head := `<table>
   <tr><th valign="top"><img src="/icons/blank.gif" alt="[ICO]"></th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
`
	if !strings.Contains(body, head) {
		t.Errorf("table head missing:\n%s", body)
	}

	// HEADER.html and README.html are included; the response is then
	// sent without Content-Length, as Apache streams sub-requests.
	os.WriteFile(filepath.Join(dir, "HEADER.html"), []byte("<h2>head</h2>\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.html"), []byte("<p>readme</p>\n"), 0o644)
	o.Signature = "<address>sig</address>\n"
	w, err = index(t, "GET", "/d/", dir, o)
	if err != nil {
		t.Fatal(err)
	}
	body = w.Body.String()
	if !strings.Contains(body, " <body>\n<h2>head</h2>\n  <table>") || strings.Contains(body, "<h1>") {
		t.Errorf("header file not used in place of <h1>:\n%s", body)
	}
	if !strings.HasSuffix(body, "</table>\n<p>readme</p>\n</body></html>\n") || strings.Contains(body, "sig") {
		t.Errorf("readme not used in place of the signature:\n%s", body)
	}
	if w.Header().Get("Content-Length") != "" {
		t.Errorf("Content-Length %q with an HTML header", w.Header().Get("Content-Length"))
	}
}

func TestServeIndexSorting(t *testing.T) {
	dir := listDir(t, map[string]string{"b": "22", "a": "333", "C": "1", "d/": ""})
	tests := []struct {
		query string
		opts  []string
		order string
	}{
		{"", nil, "C a b d/"},
		{"C=N;O=D", nil, "d/ b a C"},
		{"C=S;O=A", []string{"FancyIndexing"}, "d/ C b a"},
		{"C=S;O=D", []string{"FancyIndexing"}, "a b C d/"},
		{"C=S;O=D", []string{"FancyIndexing", "FoldersFirst"}, "d/ a b C"},
		{"C=M;O=D", []string{"FancyIndexing"}, "d/ b a C"},
		{"C=M;O=A", []string{"FancyIndexing"}, "C a b d/"},
		{"", []string{"IgnoreCase"}, "a b C d/"},
		{"O=D", []string{"IgnoreCase"}, "d/ C b a"},
		{"C=N;O=D", []string{"IgnoreClient"}, "C a b d/"},
		{"C=Z;O=D", nil, "C a b d/"}, // a bad item stops the parsing
		{"O=D&C=X", nil, "d/ b a C"},
	}
	re := regexp.MustCompile(`<a href="([^"?]*)">`)
	for _, tt := range tests {
		o := IndexOptions{}
		if tt.opts != nil {
			o.Options = [][]string{tt.opts}
		}
		w, err := index(t, "GET", "/x/?"+tt.query, dir, o)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, m := range re.FindAllStringSubmatch(w.Body.String(), -1) {
			if m[1] != "/" {
				names = append(names, m[1])
			}
		}
		if got := strings.Join(names, " "); got != tt.order {
			t.Errorf("?%s %v: order %q, want %q", tt.query, tt.opts, got, tt.order)
		}
	}
}

func TestServeIndexOptions(t *testing.T) {
	dir := listDir(t, map[string]string{"a_long_name_for_the_width.txt": "x", "b.txt": "y", "d/": ""})
	tests := []struct {
		name  string
		o     IndexOptions
		query string
		want  []string
		not   []string
	}{
		{"pre", IndexOptions{Options: [][]string{{"FancyIndexing"}}}, "",
			[]string{"<pre>      <a href=\"?C=N;O=D\">Name</a>                    <a href=\"?C=M;O=A\">Last modified</a>      <a href=\"?C=S;O=A\">Size</a>  <a href=\"?C=D;O=A\">Description</a><hr>",
				"      <a href=\"a_long_name_for_the_width.txt\">a_long_name_for_the_..&gt;</a> 2024-01-02 03:04    1   \n",
				"      <a href=\"d/\">d/</a>                      2024-01-02 03:06    -   \n"}, nil},
		{"pre NameWidth=*", IndexOptions{Options: [][]string{{"FancyIndexing", "NameWidth=*"}}}, "",
			[]string{"<a href=\"a_long_name_for_the_width.txt\">a_long_name_for_the_width.txt</a> 2024"}, nil},
		{"pre NameWidth=8", IndexOptions{Options: [][]string{{"FancyIndexing", "NameWidth=8"}}}, "",
			[]string{"<a href=\"b.txt\">b.txt</a>    2024", "a_lon..&gt;</a> 2024"}, nil},
		{"suppress columns", IndexOptions{Options: [][]string{{"FancyIndexing", "SuppressLastModified", "SuppressSize", "SuppressDescription", "SuppressIcon", "SuppressRules", "SuppressColumnSorting"}}}, "",
			[]string{"<pre>Name                    \n<a href=\"/\">Parent Directory</a>        \n", "\n<a href=\"b.txt\">b.txt</a>                   \n", "                      \n</pre>\n"},
			[]string{"<hr>", "?C="}},
		{"incremental merge", IndexOptions{Options: [][]string{{"FancyIndexing", "HTMLTable"}, {"-HTMLTable", "+SuppressSize"}}}, "",
			[]string{"<pre>", "Last modified"}, []string{"<table>", "Size"}},
		{"plain replaces", IndexOptions{Options: [][]string{{"FancyIndexing", "HTMLTable"}, {"IgnoreCase"}}}, "",
			[]string{"<ul>"}, []string{"<table>"}},
		{"None clears", IndexOptions{Options: [][]string{{"FancyIndexing"}, {"None"}}}, "",
			[]string{"<ul>"}, []string{"<pre>"}},
		{"F=2 query", IndexOptions{}, "F=2&V=1&C=S",
			[]string{"<a href=\"?C=N;O=A;F=2;V=1\">Name</a>", "<a href=\"?C=S;O=D;F=2;V=1\">Size</a>"}, nil},
		{"P= query", IndexOptions{}, "P=b*",
			[]string{"<a href=\"b.txt\">"}, []string{"a_long", "d/"}},
		{"XHTML", IndexOptions{Options: [][]string{{"HTMLTable", "XHTML"}}, DefaultIcon: "/u.gif"}, "",
			[]string{"<html xmlns=\"http://www.w3.org/1999/xhtml\">", "<hr /></th>", "alt=\"[   ]\" />"}, nil},
		{"icon size and links", IndexOptions{Options: [][]string{{"FancyIndexing", "IconWidth", "IconHeight=9", "IconsAreLinks"}}, DefaultIcon: "/u.gif"}, "",
			[]string{"<a href=\"b.txt\"><img src=\"/u.gif\" alt=\"[   ]\" width=\"20\" height=\"9\"></a> <a href=\"b.txt\">b.txt</a>"}, nil},
		{"style sheet", IndexOptions{Options: [][]string{{"HTMLTable", "AddAltClass"}}, StyleSheet: "/s.css", HeadInsert: "<meta>\n",
			Alts: []IndexItem{{Kind: ByPath, Match: ".txt", Value: "TXT"}}}, "",
			[]string{"  <link rel=\"stylesheet\" href=\"/s.css\" type=\"text/css\">\n<meta>\n </head>", "  <h1 id=\"indextitle\">Index of /x</h1>",
				"<table id=\"indexlist\">", "   <tr class=\"even-txt\">", "<td class=\"indexcolname\">"}, nil},
		{"Type and Charset", IndexOptions{Options: [][]string{{"Type=text/plain", "Charset=UTF-8"}}}, "", nil, nil},
		{"descriptions", IndexOptions{Options: [][]string{{"FancyIndexing", "DescriptionWidth=12"}},
			Descriptions: []IndexDescription{{Match: "b.txt", Text: "a long &amp; <i>styled</i> text"}, {Match: "*.txt", Text: "not used for b"}}}, "",
			[]string{"a long &amp; <i>st>\n", "not used fo>\n"}, nil},
		{"IndexIgnore in another directory", IndexOptions{Ignore: []IndexIgnore{{Pattern: "b.txt", Dir: "/elsewhere/"}}}, "",
			[]string{"b.txt"}, nil},
		{"IndexIgnore", IndexOptions{Ignore: []IndexIgnore{{Pattern: "/any/path/b.*"}, {Pattern: ".."}}}, "",
			nil, []string{"b.txt", "Parent Directory"}},
		{"Hide", IndexOptions{Hide: func(name string, _ os.FileInfo) bool { return name == "d" }}, "",
			[]string{"b.txt"}, []string{"d/"}},
	}
	for _, tt := range tests {
		w, err := index(t, "GET", "/x/?"+tt.query, dir, tt.o)
		if err != nil {
			t.Fatal(err)
		}
		body := w.Body.String()
		for _, s := range tt.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: missing %q in:\n%s", tt.name, s, body)
			}
		}
		for _, s := range tt.not {
			if strings.Contains(body, s) {
				t.Errorf("%s: unexpected %q in:\n%s", tt.name, s, body)
			}
		}
	}
	w, _ := index(t, "GET", "/x/", dir, IndexOptions{Options: [][]string{{"Type=text/plain", "Charset="}}})
	if ct := w.Header().Get("Content-Type"); ct != "text/plain" {
		t.Errorf("Charset= empty: Content-Type %q", ct)
	}
}

func TestServeIndexTrackModifiedAndChunking(t *testing.T) {
	files := map[string]string{}
	for i := range 200 {
		files[fmt.Sprintf("file_%03d.txt", i)] = ""
	}
	dir := listDir(t, files)
	mt := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(dir, mt, mt)
	w, err := index(t, "GET", "/big/", dir, IndexOptions{Options: [][]string{{"TrackModified"}}, ETag: ETagBits{MTime: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Last-Modified": "Tue, 02 Jan 2024 03:04:05 GMT", "ETag": fmt.Sprintf(`"%x"`, mt.UnixMicro()), "Content-Length": ""}
	for k, v := range want {
		if got := field(w.Header(), k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if w.Body.Len() <= 8000 {
		t.Fatalf("listing of %d bytes; the test needs more than 8000", w.Body.Len())
	}
	// Just under Apache's 8000-byte buffer: Content-Length.
	small := map[string]string{}
	for i := range 10 {
		small[fmt.Sprintf("f%d", i)] = ""
	}
	w, _ = index(t, "GET", "/s/", listDir(t, small), IndexOptions{})
	if w.Header().Get("Content-Length") != fmt.Sprint(w.Body.Len()) {
		t.Errorf("small listing: Content-Length %q, body %d", w.Header().Get("Content-Length"), w.Body.Len())
	}
}

func TestServeIndexTextHeader(t *testing.T) {
	dir := listDir(t, map[string]string{"HEADER.txt": "<x> & y\n", "FOOTER.txt": "end\n", "page.html": "<title>\nThe title</title>"})
	o := IndexOptions{HeaderName: "HEADER.txt", ReadmeName: "FOOTER.txt", Signature: "<address>sig</address>\n",
		Options: [][]string{{"FancyIndexing", "ScanHTMLTitles", "SuppressHTMLPreamble"}},
		Types:   ParseTypes(strings.NewReader("text/plain txt\ntext/html html\n"))}
	w, err := index(t, "GET", "/t/", dir, o)
	if err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	for _, s := range []string{
		"<!DOCTYPE HTML PUBLIC", // a text header always gets the preamble
		" <body>\n<pre>\n&lt;x&gt; &amp; y\n</pre>\n<pre>",
		"  The title\n",
		"<hr></pre>\n<pre>\nend\n</pre>\n</body></html>\n",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("missing %q in:\n%s", s, body)
		}
	}
	if strings.Contains(body, "<h1>") || strings.Contains(body, "sig") {
		t.Errorf("<h1> or signature despite header and readme:\n%s", body)
	}
	o.Include = func(name string) (string, TypeInfo, bool) { return "", TypeInfo{}, false }
	w, _ = index(t, "GET", "/t/", dir, o)
	if !strings.Contains(w.Body.String(), "<h1>Index of /t</h1>") || !strings.HasSuffix(w.Body.String(), "<address>sig</address>\n</body></html>\n") {
		t.Errorf("Include refusing: no <h1> or signature:\n%s", w.Body.String())
	}
}

func TestAddOptsMerge(t *testing.T) {
	tests := []struct {
		sections [][]string
		opts     int
		nw, na   int
		dw, da   int
		iw, ih   int
	}{
		{nil, optionUnset, 23, kUnset, 23, kUnset, 0, 0},
		{[][]string{{"FancyIndexing", "htmltable"}}, fancyIndexing | tableIndexing, 23, kUnset, 23, kUnset, 0, 0},
		{[][]string{{"FancyIndexing"}, {"+HTMLTable"}}, fancyIndexing | tableIndexing, 23, kUnset, 23, kUnset, 0, 0},
		{[][]string{{"FancyIndexing", "HTMLTable"}, {"-HTMLTable"}}, fancyIndexing, 23, kUnset, 23, kUnset, 0, 0},
		{[][]string{{"FancyIndexing"}, {"VersionSort"}}, versionSort, 23, kUnset, 23, kUnset, 0, 0},
		{[][]string{{"+FancyIndexing", "VersionSort"}}, versionSort, 23, kUnset, 23, kUnset, 0, 0}, // a plain word drops pending +/-
		{[][]string{{"FancyIndexing"}, {"None"}}, noOptions, 23, kUnset, 23, kUnset, 0, 0},
		{[][]string{{"None"}, {"+FancyIndexing"}}, fancyIndexing, 23, kUnset, 23, kUnset, 0, 0},
		{[][]string{{"NameWidth=*", "DescriptionWidth=40"}}, 0, 23, kAdjust, 40, kNoAdjust, 0, 0},
		{[][]string{{"NameWidth=30"}, {"-NameWidth"}}, 0, 23, kNoAdjust, 23, kUnset, 0, 0},
		{[][]string{{"NameWidth=3"}}, 0, 23, kUnset, 23, kUnset, 0, 0}, // refused by Apache
		{[][]string{{"IconWidth", "IconHeight=5"}, {"IconWidth=7"}}, 0, 23, kUnset, 23, kUnset, 7, 5},
		{[][]string{{"IconWidth"}, {"-IconWidth"}}, 0, 23, kUnset, 23, kUnset, 20, 0}, // 0 inherits
	}
	for _, tt := range tests {
		d := (&IndexOptions{Options: tt.sections}).config()
		opts := d.opts &^ optionUnset
		want := tt.opts &^ optionUnset
		if opts != want || d.nameWidth != tt.nw || d.nameAdjust != tt.na || d.descWidth != tt.dw || d.descAdjust != tt.da ||
			d.iconWidth != tt.iw || d.iconHeight != tt.ih {
			t.Errorf("%v: opts %#x nw %d/%d dw %d/%d icon %dx%d; want %#x nw %d/%d dw %d/%d icon %dx%d", tt.sections,
				opts, d.nameWidth, d.nameAdjust, d.descWidth, d.descAdjust, d.iconWidth, d.iconHeight,
				want, tt.nw, tt.na, tt.dw, tt.da, tt.iw, tt.ih)
		}
	}
}

func TestParseAddIcon(t *testing.T) {
	tests := []struct {
		icon      string
		url, alt  string
		wantAlt   bool
		wantError bool
	}{
		{"/icons/a.gif", "/icons/a.gif", "", false, false},
		{"(TXT,/icons/t.gif)", "/icons/t.gif", "TXT", true, false},
		{"(TXT)", "", "TXT)", true, false},
		{"(TXT,/x", "", "", false, true},
	}
	for _, tt := range tests {
		icons, alts, err := ParseAddIcon(ByType, "/d/", tt.icon, "text/*", "x")
		if (err != nil) != tt.wantError {
			t.Errorf("%q: err %v", tt.icon, err)
			continue
		}
		if err != nil {
			continue
		}
		if len(icons) != 2 || icons[0] != (IndexItem{Kind: ByType, Match: "text/*", Value: tt.url, Dir: "/d/"}) {
			t.Errorf("%q: icons %+v", tt.icon, icons)
		}
		if tt.wantAlt != (len(alts) == 2) || (tt.wantAlt && alts[1].Value != tt.alt) {
			t.Errorf("%q: alts %+v, want %q", tt.icon, alts, tt.alt)
		}
	}
}

func TestFindItem(t *testing.T) {
	list := []IndexItem{
		{Kind: ByEncoding, Match: "X-GZIP", Value: "enc"},
		{Kind: ByType, Match: "text/*", Value: "type"},
		{Kind: ByPath, Match: ".txt", Value: "txt", Dir: "/only/"},
		{Kind: ByPath, Match: "**DIRECTORY**", Value: "dir"},
		{Kind: ByPath, Match: "READ?E", Value: "never"}, // wildcards: matched against the full path
		{Kind: ByPath, Match: "*/READ?E", Value: "readme"},
	}
	s := func(v string) *string { return &v }
	tests := []struct {
		ct, enc  *string
		path     string
		pathOnly bool
		want     string
	}{
		{s("text/plain"), nil, "/srv/a.txt", false, "type"},
		{s("TEXT/PLAIN"), nil, "/srv/a.txt", false, "type"},
		{s("text/plain"), s("x-gzip"), "/srv/a.txt.gz", false, "enc"},
		{s("text/plain"), nil, "/only/a.txt", true, "txt"},
		{nil, nil, "/srv/a.txt", false, ""},
		{nil, nil, "^^DIRECTORY^^", true, "dir"},
		{nil, nil, "/srv/READMEE", true, ""},
		{nil, nil, "/srv/README", true, "readme"},
	}
	for _, tt := range tests {
		got := findItem(tt.ct, tt.enc, tt.path, list, tt.pathOnly)
		if (got == nil && tt.want != "") || (got != nil && *got != tt.want) {
			t.Errorf("findItem(%v, %v, %q) = %v, want %q", tt.ct, tt.enc, tt.path, got, tt.want)
		}
	}
}

func TestStrcmpMatch(t *testing.T) {
	tests := []struct {
		str, pat string
		fold     bool
		want     int
	}{
		{"abc", "abc", false, 0},
		{"abc", "a*", false, 0},
		{"abc", "*c", false, 0},
		{"abc", "a?c", false, 0},
		{"abc", "*", false, 0},
		{"", "*", false, 0},
		{"abc", "abd", false, 1},
		{"ab", "abc", false, -1},
		{"abcd", "abc", false, 1},
		{"ABC", "abc", false, 1},
		{"ABC", "abc", true, 0},
		{"x.tar.gz", "*.gz", false, 0},
		{".hidden", ".??*", false, 0},
		{"..", ".??*", false, -1},
		{"a*b", "a**b", false, 0},
	}
	for _, tt := range tests {
		if got := strcmpMatch(tt.str, tt.pat, tt.fold); got != tt.want {
			t.Errorf("strcmpMatch(%q, %q, %v) = %d, want %d", tt.str, tt.pat, tt.fold, got, tt.want)
		}
	}
}

func TestFnmatch(t *testing.T) {
	tests := []struct {
		pat, str string
		flags    int
		want     bool
	}{
		{"*.txt", "a.txt", 0, true},
		{"*.txt", "a.txtx", 0, false},
		{"a?c", "abc", 0, true},
		{"[a-c]x", "bx", 0, true},
		{"[!a-c]x", "bx", 0, false},
		{"[^a-c]x", "dx", 0, true},
		{"[]]x", "]x", 0, true},
		{"[a-", "[a-", 0, true},
		{`\*`, "*", 0, true},
		{`\*`, `\*`, fnmNoEscape, true},
		{"*", ".hidden", fnmPeriod, false},
		{".*", ".hidden", fnmPeriod, true},
		{"*/b*", "a/bc", 0, true},
		{"*b", "a/b", fnmPathname, false},
		{"a/*", "a/b", fnmPathname, true},
		{"*A*", "xay", fnmCaseBlind, true},
		{"*a*b*c*", "xaybzc", 0, true},
		{"*a*b*c*", "xaybz", 0, false},
		{"", "", 0, true},
		{"", "a", 0, false},
	}
	for _, tt := range tests {
		if got := fnmatch(tt.pat, tt.str, tt.flags); got != tt.want {
			t.Errorf("fnmatch(%q, %q, %#x) = %v, want %v", tt.pat, tt.str, tt.flags, got, tt.want)
		}
	}
	for _, tt := range []struct {
		pat  string
		want bool
	}{{"abc", false}, {"a*", true}, {"a?", true}, {"[ab]", true}, {"[ab", false}, {`a\*`, false}, {`a\`, false}} {
		if got := fnmatchTest(tt.pat); got != tt.want {
			t.Errorf("fnmatchTest(%q) = %v", tt.pat, got)
		}
	}
}

func TestStrnatcmp(t *testing.T) {
	tests := []struct {
		a, b string
		fold bool
		want int
	}{
		{"file9", "file10", false, -1},
		{"file10", "file9", false, 1},
		{"a", "a", false, 0},
		{"1.01", "1.1", false, -1},
		{"x 2", "x  2", false, 0},
		{"A", "a", false, -1},
		{"A", "a", true, 0},
		{"b", "A", true, 1},
		{"007", "7", false, -1},
		{"a\xe9", "ab", false, -1}, // signed char: bytes >= 0x80 sort first
	}
	for _, tt := range tests {
		got := strnatcmp(tt.a, tt.b, tt.fold)
		if (got < 0) != (tt.want < 0) || (got > 0) != (tt.want > 0) {
			t.Errorf("strnatcmp(%q, %q, %v) = %d, want sign of %d", tt.a, tt.b, tt.fold, got, tt.want)
		}
	}
}

func TestStrfsize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{-1, "  - "}, {0, "  0 "}, {5, "  5 "}, {972, "972 "}, {973, "1.0K"}, {1024, "1.0K"}, {2000, "2.0K"},
		{5000, "4.9K"}, {9 * 1024, "9.0K"}, {10 * 1024, " 10K"}, {10*1024 + 600, " 11K"}, {996147, "973K"},
		{1 << 20, "1.0M"}, {1100000, "1.0M"}, {5 << 30, "5.0G"},
	}
	for _, tt := range tests {
		if got := strfsize(tt.n); got != tt.want {
			t.Errorf("strfsize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

func TestEscapes(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`a<b>&"c'`, `a&lt;b&gt;&amp;&quot;c'`}, {"plain", "plain"},
	} {
		if got := escapeHTML(tt.in); got != tt.want {
			t.Errorf("escapeHTML(%q) = %q", tt.in, got)
		}
	}
	for _, tt := range []struct {
		in      string
		partial bool
		want    string
	}{
		{"a b.txt", false, "a%20b.txt"},
		{"sub/", false, "sub/"},
		{"a:b", false, "./a:b"},
		{"a:b", true, "a:b"},
		{"d/a:b", false, "d/a:b"},
		{"%#?\"<>é", false, "%25%23%3f%22%3c%3e%c3%a9"},
		{"$-_.+!*'(),:;@&=~", true, "$-_.+!*'(),:;@&=~"},
	} {
		if got := osEscapePath(tt.in, tt.partial); got != tt.want {
			t.Errorf("osEscapePath(%q, %v) = %q, want %q", tt.in, tt.partial, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{{"a%2Ab", "a*b", true}, {"%zz", "", false}, {"a%2fb", "", false}, {"%00", "", false}, {"%4", "", false}} {
		got, ok := unescapeURL(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("unescapeURL(%q) = %q, %v", tt.in, got, ok)
		}
	}
}

func TestNormalizeParent(t *testing.T) {
	for _, tt := range []struct {
		uri, want string
		ok        bool
	}{
		{"/", "", false}, {"/a/", "/", true}, {"/a/b/", "/a/", true}, {"/a/b", "/a/", true}, {"/a//", "/a/", true}, {"/a/./", "/", true},
	} {
		got, ok := normalizeParent(tt.uri)
		if got != tt.want || ok != tt.ok {
			t.Errorf("normalizeParent(%q) = %q, %v; want %q, %v", tt.uri, got, ok, tt.want, tt.ok)
		}
	}
}

func TestTerminateDescription(t *testing.T) {
	l := &listing{d: &aiConfig{descAdjust: kNoAdjust}}
	for _, tt := range []struct {
		desc  string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"longer than ten", 10, "longer th>"},
		{"<b>bold</b> and more text", 10, "<b>bold</b> and >"},
		{"&amp;&amp;&amp; x", 3, "&amp;&amp;&amp>"}, // Apache overwrites the last ';'
		{"ab&amp;cd", 3, "ab&amp>"},
		{"&amp;&amp;&amp;&amp; x", 3, "&amp;&amp;&amp>"},
		{"<unterminated", 3, "<unterminated"},
	} {
		if got := l.terminateDescription(tt.desc, 0, tt.width); got != tt.want {
			t.Errorf("terminateDescription(%q, %d) = %q, want %q", tt.desc, tt.width, got, tt.want)
		}
	}
	l.d.descAdjust = kUnset
	if got := l.terminateDescription("0123456789ABCDEF", suppressIcon, 5); got != "0123456789>" {
		t.Errorf("unset width with SuppressIcon: %q", got)
	}
}

func TestFindTitle(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		content string
		ti      TypeInfo
		want    string
		ok      bool
	}{
		{"<html><TITLE>Hello</title>", TypeInfo{ContentType: "text/html"}, "Hello", true},
		{"<title>\nline\nbreak</title>", TypeInfo{ContentType: "text/html; charset=utf-8"}, "line break", true},
		{"<title>x</title>", TypeInfo{ContentType: "text/plain"}, "", false},
		{"<title>x</title>", TypeInfo{ContentType: "text/html", Encodings: []string{"gzip"}}, "", false},
		{"no title here", TypeInfo{ContentType: "text/html"}, "", false},
		{"<tit<title>ok", TypeInfo{ContentType: "text/html"}, "", false}, // no restart on the mismatching '<'
		{"<ti<title>ok", TypeInfo{ContentType: "text/html"}, "", false},
		{"x<title>ok", TypeInfo{ContentType: "text/html"}, "ok", true},
	} {
		p := filepath.Join(dir, "f.html")
		os.WriteFile(p, []byte(tt.content), 0o644)
		got := findTitle(p, tt.ti)
		if (got != nil) != tt.ok || (got != nil && *got != tt.want) {
			t.Errorf("findTitle(%q) = %v, want %q", tt.content, got, tt.want)
		}
	}
}

func TestStrftime(t *testing.T) {
	tm := time.Date(2024, 3, 7, 9, 5, 0, 0, time.UTC)
	for _, tt := range []struct{ f, want string }{
		{"%Y-%m-%d %H:%M", "2024-03-07 09:05"},
		{"%d-%b-%Y %H:%M", "07-Mar-2024 09:05"},
		{"%%x%", "%%x%"},
	} {
		if got := strftime(tt.f, tm); got != tt.want {
			t.Errorf("strftime(%q) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
