package static

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// The differential test runs real Apache (Debian's apache2) and an
// httptest server built on Resolve/ServeFile/ServeIndex over the same
// document root, with the options the Apache configuration implies, sends
// both the same raw requests and compares status, the headers that matter
// and bodies.
//
// Known differences, not compared:
//   - Date and Server headers.
//   - Error responses (403/404/405/416/501): only the status and the headers
//     Apache adds (Allow) are compared; the body, its Content-Type and
//     Content-Length belong to the caller's error page. (Apache even sends
//     the 416 page chunked.)
//   - Allow: Apache lists GET, POST, OPTIONS and HEAD in an order that
//     depends on a hash seed chosen at start-up (a rotation of
//     GET,POST,OPTIONS,HEAD); Allow is compared as a set.
//   - multipart/byteranges: the boundary is random on both sides; bodies
//     and Content-Type are compared with the boundary replaced, and each
//     side's Content-Length is checked against its own body.
//   - A file dated in the future: Last-Modified is the time of the response
//     on both sides, so each is checked against its own Date header.

// mimeConf is given to Apache verbatim and to mimeDirFromConf.
const mimeConf = `
AddType application/x-compress .Z
AddType application/x-gzip .gz .tgz
AddLanguage en .en
AddLanguage de .de
AddCharset UTF-8 .utf8
AddEncoding x-compress .Z
`

// mimeDirConf is a <Directory> section with more mod_mime settings.
const mimeDirConf = `
AddType "text/html; charset=ISO-8859-2" .h2
AddType text/x-foo;a=b .foo
AddLanguage fr .fr
DefaultLanguage it
RemoveType .txt
AddDefaultCharset On
`

// vhostBConf is the second virtual host's extra configuration.
const vhostBConf = `
AddDefaultCharset UTF-8
FileETag INode MTime Size
ServerSignature On
`

const xhtmlDirConf = `
IndexOptions +XHTML +FoldersFirst +IconsAreLinks +SuppressDescription
IndexOrderDefault Descending Size
`

// vhostCConf exercises the less common mod_autoindex settings.
const vhostCConf = `
IndexOptions FancyIndexing NameWidth=10 DescriptionWidth=15 IconWidth IconHeight=30 ScanHTMLTitles SuppressSize IgnoreCase TrackModified FoldersFirst
AddDescription "A <b>bold</b> description that is long" a.txt
AddDescription "Sub &amp; dir" sub
AddDescription "Wild" *.ogg
AddDescription "Full path" list/file9.txt
AddIcon /i/txt.png .txt
AddIcon /i/dir.png ^^DIRECTORY^^
AddAlt "Text file" *.txt
AddAltByType "Image" image/*
AddIconByType /i/image.png image/*
IndexIgnore *.bin
HeaderName HEADER.txt
ReadmeName FOOTER.txt
`

const styledDirConf = `
IndexOptions HTMLTable AddAltClass SuppressLastModified Type=text/plain Charset=
IndexStyleSheet /style.css
IndexHeadInsert "<meta name=\"x\" content=\"y\">"
IndexOrderDefault Descending Name
IndexIgnore one.txt
AddDefaultCharset utf-8
`

const subDirConf = `
IndexOptions +SuppressRules +SuppressColumnSorting -FoldersFirst +UseOldDateFormat
`

type docroot struct {
	root, htdocs string
	recent       time.Time
}

func writeFile(t *testing.T, path string, data []byte, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func pseudoRandom(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func makeDocroot(t *testing.T) docroot {
	root := t.TempDir()
	// Apache's children may run as another user.
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Dir(root), 0o755)
	h := filepath.Join(root, "htdocs")
	base := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	ten := bytes.Repeat([]byte("0123456789"), 10)
	files := map[string][]byte{
		"file.txt":            []byte("file txt\n"),
		"page.html":           []byte("<html><head><title>Page</title></head><body>p</body></html>\n"),
		"x.unknownext":        []byte("abc"),
		"archive.tar.gz":      pseudoRandom(300),
		"doc.html.en":         []byte("<p>english</p>\n"),
		"utf.txt.utf8":        []byte("utf-8 text\n"),
		"old.txt.Z":           pseudoRandom(40),
		"big.bin":             pseudoRandom(1 << 20),
		"empty.txt":           nil,
		"range.txt":           ten,
		"limits/file.txt":     ten,
		"list/a.txt":          []byte("a"),
		"list/b.html":         []byte("<b>b</b>"),
		"list/c.tar.gz":       pseudoRandom(2000),
		"list/d.txt.Z":        pseudoRandom(10),
		"list/file9.txt":      []byte("nine"),
		"list/file10.txt":     []byte("ten"),
		"list/image.png":      pseudoRandom(5000),
		"list/README":         []byte("readme"),
		"list/song.ogg":       pseudoRandom(20000),
		"list/A-upper.TXT":    []byte("upper"),
		"list/noext":          []byte("noext"),
		"list/.hidden":        []byte("hidden"),
		"list/backup~":        []byte("backup"),
		"list/zz.bin":         pseudoRandom(1 << 20),
		"list/amp&<q>\"x.txt": []byte("odd name"),
		"list/a_very_long_file_name_for_width_tests.txt": []byte("long"),
		"list/sub/inner.txt":                             []byte("inner"),
		"withheader/HEADER.html":                         []byte("<h2>Header part</h2>\n"),
		"withheader/README.html":                         []byte("<p>Readme part</p>\n"),
		"withheader/one.txt":                             []byte("one"),
		"xhtml/one.txt":                                  []byte("one"),
		"xhtml/two.html":                                 []byte("<i>two</i>"),
		"xhtml/dir/x.txt":                                []byte("x"),
		"mime/a.h2":                                      []byte("h2"),
		"mime/a.h2.utf8":                                 []byte("h2 utf8"),
		"mime/b.foo":                                     []byte("foo"),
		"mime/c.txt":                                     []byte("c"),
		"mime/d.html.en.fr":                              []byte("ddddd"),
		"mime/e.txt.de":                                  []byte("e"),
		"mime/f.html":                                    []byte("f"),
		"mime/g.FR.HTML":                                 []byte("g"),
		"mime/..h.html":                                  []byte("h"),
		"mime/i..html":                                   []byte("i"),
		"mime/force/a.txt":                               []byte("a"),
		"mime/force2/a.bin":                              []byte("a"),
		"texthead/HEADER.txt":                            []byte("<Header> & text\n"),
		"texthead/FOOTER.txt":                            []byte("footer & <end>\n"),
		"texthead/page.html":                             []byte("<html><head>\n<TITLE>\nMy page title</title></head></html>"),
		"texthead/a.txt":                                 []byte("a"),
		"texthead/song.ogg":                              []byte("ogg"),
		"texthead/z.bin":                                 []byte("z"),
		"texthead/B.txt":                                 []byte("B"),
		"texthead/sub/x":                                 []byte("x"),
		"texthead/long_file_name_truncated.txt":          []byte("long"),
		"styled/one.txt":                                 []byte("one"),
		"styled/image.png":                               []byte("png"),
		"styled/b.html":                                  []byte("<b>"),
		"styled/c.unknownext":                            []byte("c"),
		"styled/sub/x":                                   []byte("x"),
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		writeFile(t, filepath.Join(h, n), files[n], base.Add(time.Duration(i)*time.Minute))
	}
	os.Symlink("a.txt", filepath.Join(h, "list", "link.txt"))
	os.Symlink("missing", filepath.Join(h, "list", "broken"))
	for _, d := range []string{"list/sub", "list", "withheader", "xhtml/dir", "xhtml", "limits", "texthead/sub", "texthead", "styled/sub", "styled"} {
		os.Chtimes(filepath.Join(h, d), base, base)
	}
	now := time.Now()
	recent := now.Add(-10 * time.Second)
	writeFile(t, filepath.Join(h, "recent.txt"), []byte("recent\n"), recent)
	writeFile(t, filepath.Join(h, "future.txt"), []byte("future\n"), now.Add(time.Hour))
	return docroot{root: root, htdocs: h, recent: recent}
}

// goVhost is what the Go side knows about one virtual host.
type goVhost struct {
	htdocs    string
	types     *Types
	mime      MimeDir
	etag      ETagBits
	mimeFor   func(urlPath string) MimeDir
	signature string // with Host main.test:8080
	index     func(urlPath string) IndexOptions
}

func (v *goVhost) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := filepath.Join(v.htdocs, filepath.FromSlash(r.URL.Path))
	lfi, lerr := os.Lstat(p)
	var herr *HTTPError
	var err error
	switch {
	case lerr != nil:
		herr = &HTTPError{Status: http.StatusNotFound}
	case lfi.Mode()&os.ModeSymlink != 0:
		// Options Indexes without FollowSymLinks.
		herr = &HTTPError{Status: http.StatusForbidden}
	case lfi.IsDir():
		o := v.index(r.URL.Path)
		err = ServeIndex(w, r, p, o)
	default:
		f, ferr := os.Open(p)
		if ferr != nil {
			herr = &HTTPError{Status: http.StatusForbidden}
			break
		}
		defer f.Close()
		mime := v.mime
		if v.mimeFor != nil {
			mime = v.mimeFor(r.URL.Path)
		}
		ti := Resolve(p, v.types, mime)
		o := FileOptions{ContentType: ti.ContentType, Encodings: ti.Encodings, Languages: ti.Languages, ETag: v.etag}
		if strings.HasPrefix(r.URL.Path, "/limits/") {
			o.MaxRanges = 2
		}
		err = ServeFile(w, r, f, lfi, o)
	}
	if err != nil && !errors.As(err, &herr) {
		panic(err)
	}
	if herr != nil {
		for k, vs := range herr.Header {
			w.Header()[k] = vs
		}
		w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
		w.WriteHeader(herr.Status)
		fmt.Fprintf(w, "error %d\n", herr.Status)
	}
}

// response is a parsed raw HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
	raw    []byte
}

func parseResponse(raw []byte, head bool) (*response, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	line, err := br.ReadString('\n')
	if err != nil {
		return nil, err
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		return nil, fmt.Errorf("bad status line %q", line)
	}
	status, _ := strconv.Atoi(f[1])
	res := &response{status: status, header: http.Header{}, raw: raw}
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		res.header.Add(k, strings.TrimSpace(v))
	}
	if head || status == 304 {
		return res, nil
	}
	var body io.Reader = br
	if strings.EqualFold(res.header.Get("Transfer-Encoding"), "chunked") {
		body = httputil.NewChunkedReader(br)
	}
	res.body, err = io.ReadAll(body)
	return res, err
}

type diffCase struct {
	name    string
	vhost   int // 0: plain, 1: Debian autoindex
	method  string
	path    string
	headers []string
	body    string
	parts   int // HEAD with multipart/byteranges: the number of parts
}

func (c diffCase) request() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: main.test:8080\r\nConnection: close\r\n", c.method, c.path)
	for _, h := range c.headers {
		b.WriteString(h + "\r\n")
	}
	if c.body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\nContent-Type: application/x-www-form-urlencoded\r\n", len(c.body))
	}
	b.WriteString("\r\n" + c.body)
	return b.String()
}

func allowSet(v string) string {
	parts := strings.Split(v, ",")
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

var boundaryRE = regexp.MustCompile(`boundary=([0-9a-f]+)`)

// compareResponses returns the differences between Apache's and our
// response, each a human-readable line.
func compareResponses(c diffCase, a, g *response) []string {
	var diffs []string
	if a.status != g.status {
		return []string{fmt.Sprintf("status: apache %d, go %d", a.status, g.status)}
	}
	isError := a.status >= 400 && a.status != 412
	names := []string{"Content-Type", "Content-Length", "ETag", "Last-Modified", "Accept-Ranges",
		"Content-Range", "Vary", "Allow", "Content-Encoding", "Content-Language", "Transfer-Encoding"}
	if isError {
		names = []string{"ETag", "Last-Modified", "Accept-Ranges", "Content-Range", "Vary", "Allow"}
	}
	ab, gb := a.body, g.body
	if m := boundaryRE.FindStringSubmatch(a.header.Get("Content-Type")); m != nil {
		ab = bytes.ReplaceAll(ab, []byte(m[1]), []byte("BOUNDARY"))
		a.header.Set("Content-Type", strings.ReplaceAll(a.header.Get("Content-Type"), m[1], "BOUNDARY"))
		normalizeMultipartLength(c, a, m[1], &diffs)
	}
	if m := boundaryRE.FindStringSubmatch(g.header.Get("Content-Type")); m != nil {
		gb = bytes.ReplaceAll(gb, []byte(m[1]), []byte("BOUNDARY"))
		g.header.Set("Content-Type", strings.ReplaceAll(g.header.Get("Content-Type"), m[1], "BOUNDARY"))
		normalizeMultipartLength(c, g, m[1], &diffs)
	}
	future := strings.HasSuffix(c.path, "future.txt")
	for _, n := range names {
		av, gv := strings.Join(a.header.Values(n), "|"), strings.Join(g.header.Values(n), "|")
		if n == "Allow" {
			av, gv = allowSet(av), allowSet(gv)
		}
		if n == "Last-Modified" && future {
			if av != a.header.Get("Date") || gv != g.header.Get("Date") {
				diffs = append(diffs, fmt.Sprintf("Last-Modified of a future file is not the response date: apache %q/%q, go %q/%q", av, a.header.Get("Date"), gv, g.header.Get("Date")))
			}
			continue
		}
		if av != gv {
			diffs = append(diffs, fmt.Sprintf("%s: apache %q, go %q", n, av, gv))
		}
	}
	if !isError && !bytes.Equal(ab, gb) {
		diffs = append(diffs, fmt.Sprintf("body differs:\n--- apache\n%s\n--- go\n%s", clip(ab), clip(gb)))
	}
	return diffs
}

// normalizeMultipartLength checks a multipart response's Content-Length
// against its own body (GET) or rewrites it for a boundary of 8 characters
// (HEAD, where c.parts says how many parts there are).
func normalizeMultipartLength(c diffCase, r *response, boundary string, diffs *[]string) {
	cl := r.header.Get("Content-Length")
	if cl == "" {
		return
	}
	if c.method == "HEAD" {
		n, _ := strconv.Atoi(cl)
		r.header.Set("Content-Length", strconv.Itoa(n-(c.parts+1)*(len(boundary)-len("BOUNDARY"))))
		return
	}
	if cl != strconv.Itoa(len(r.body)) {
		*diffs = append(*diffs, "multipart Content-Length does not match the body")
	}
	r.header.Set("Content-Length", "checked")
}

func clip(b []byte) string {
	if len(b) > 3000 {
		return string(b[:3000]) + "..."
	}
	return string(b)
}

func TestDifferentialApache(t *testing.T) {
	apachetest.Binary(t)
	dr := makeDocroot(t)
	ports := apachetest.FreePorts(t, 3)
	var addrs []string
	for _, p := range ports {
		addrs = append(addrs, fmt.Sprintf("127.0.0.1:%d", p))
	}
	conf := "ServerRoot $DIR\n" +
		apachetest.LoadModules("mpm_event", "authz_core", "mime", "autoindex") +
		"Listen " + addrs[0] + "\nListen " + addrs[1] + "\nListen " + addrs[2] + "\n" +
		"ServerName localhost\nPidFile logs/httpd.pid\nErrorLog logs/error.log\nServerTokens OS\n" +
		"TypesConfig /etc/mime.types\n" + mimeConf +
		"DocumentRoot $DIR/htdocs\n" +
		"<Directory $DIR/htdocs>\nRequire all granted\nOptions Indexes\n</Directory>\n" +
		"<Directory $DIR/htdocs/limits>\nMaxRanges 2\n</Directory>\n" +
		"<Directory $DIR/htdocs/mime>\n" + mimeDirConf + "</Directory>\n" +
		"<Directory $DIR/htdocs/mime/force>\nForceType application/x-forced\n</Directory>\n" +
		"<Directory $DIR/htdocs/mime/force2>\nForceType text/HTML\n</Directory>\n" +
		"<VirtualHost " + addrs[0] + ">\nDocumentRoot $DIR/htdocs\n</VirtualHost>\n" +
		"<VirtualHost " + addrs[1] + ">\nDocumentRoot $DIR/htdocs\n" + vhostBConf + debianAutoindexConf +
		"<Directory $DIR/htdocs/xhtml>\n" + xhtmlDirConf + "</Directory>\n</VirtualHost>\n" +
		"<VirtualHost " + addrs[2] + ">\nDocumentRoot $DIR/htdocs\n" + vhostCConf +
		"<Directory $DIR/htdocs/styled>\n" + styledDirConf + "</Directory>\n" +
		"<Directory $DIR/htdocs/list/sub>\n" + subDirConf + "</Directory>\n</VirtualHost>\n"
	apachetest.Start(t, dr.root, conf, addrs...)

	types, err := LoadTypes("/etc/mime.types")
	if err != nil {
		t.Skip("no /etc/mime.types:", err)
	}
	// The server banner, as ServerTokens OS makes it.
	raw, err := apachetest.RawRequest(addrs[0], "HEAD /file.txt HTTP/1.0\r\n\r\n", 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	first, err := parseResponse(raw, true)
	if err != nil {
		t.Fatal(err)
	}
	banner := first.header.Get("Server")

	plainMime := mimeDirFromConf(mimeConf)
	debMime := mimeDirFromConf(mimeConf + vhostBConf)
	var debIndex IndexOptions
	addIndexConf(t, &debIndex, debianAutoindexConf, "")
	xhtmlIndex := debIndex
	addIndexConf(t, &xhtmlIndex, xhtmlDirConf, filepath.Join(dr.htdocs, "xhtml")+"/")
	hideLinks := func(name string, fi os.FileInfo) bool { return fi.Mode()&os.ModeSymlink != 0 }
	vhosts := []*goVhost{
		{htdocs: dr.htdocs, types: types, mime: plainMime, etag: ETagBits{MTime: true, Size: true}},
		{htdocs: dr.htdocs, types: types, mime: debMime, etag: ETagBits{INode: true, MTime: true, Size: true},
			signature: "<address>" + banner + " Server at main.test Port 8080</address>\n"},
		{htdocs: dr.htdocs, types: types, mime: plainMime, etag: ETagBits{MTime: true, Size: true}},
	}
	vhosts[2].index = func(p string) IndexOptions {
		var o IndexOptions
		addIndexConf(t, &o, vhostCConf, "")
		if strings.HasPrefix(p, "/styled/") {
			addIndexConf(t, &o, styledDirConf, filepath.Join(dr.htdocs, "styled")+"/")
		}
		if strings.HasPrefix(p, "/list/sub/") {
			addIndexConf(t, &o, subDirConf, filepath.Join(dr.htdocs, "list", "sub")+"/")
		}
		o.Types, o.Mime, o.Hide, o.ETag = types, plainMime, hideLinks, vhosts[2].etag
		if strings.HasPrefix(p, "/styled/") {
			o.Mime = mimeDirFromConf(mimeConf + styledDirConf)
		}
		return o
	}
	vhosts[0].mimeFor = func(p string) MimeDir {
		switch {
		case strings.HasPrefix(p, "/mime/force/"):
			return mimeDirFromConf(mimeConf + mimeDirConf + "ForceType application/x-forced\n")
		case strings.HasPrefix(p, "/mime/force2/"):
			return mimeDirFromConf(mimeConf + mimeDirConf + "ForceType text/HTML\n")
		case strings.HasPrefix(p, "/mime/"):
			return mimeDirFromConf(mimeConf + mimeDirConf)
		}
		return plainMime
	}
	vhosts[0].index = func(string) IndexOptions {
		return IndexOptions{Types: types, Mime: plainMime, Hide: hideLinks}
	}
	vhosts[1].index = func(p string) IndexOptions {
		o := debIndex
		if strings.HasPrefix(p, "/xhtml/") {
			o = xhtmlIndex
		}
		o.Types, o.Mime, o.Hide = types, debMime, hideLinks
		o.Signature, o.ETag = vhosts[1].signature, vhosts[1].etag
		return o
	}
	var goAddrs []string
	for _, v := range vhosts {
		srv := httptest.NewServer(v)
		t.Cleanup(srv.Close)
		goAddrs = append(goAddrs, srv.Listener.Addr().(*net.TCPAddr).String())
	}

	fi, err := os.Stat(filepath.Join(dr.htdocs, "file.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lm := fi.ModTime().UTC().Format(http.TimeFormat)
	older := fi.ModTime().Add(-time.Hour).UTC().Format(http.TimeFormat)
	etag := fmt.Sprintf(`"%x-%x"`, fi.Size(), fi.ModTime().UnixMicro())
	rfi, _ := os.Stat(filepath.Join(dr.htdocs, "range.txt"))
	rlm := rfi.ModTime().UTC().Format(http.TimeFormat)
	retag := fmt.Sprintf(`"%x-%x"`, rfi.Size(), rfi.ModTime().UnixMicro())
	recentLM := dr.recent.UTC().Format(http.TimeFormat)
	recentFI, _ := os.Stat(filepath.Join(dr.htdocs, "recent.txt"))
	recentETag := fmt.Sprintf(`"%x-%x"`, recentFI.Size(), recentFI.ModTime().UnixMicro())
	var many []string
	for i := 0; i < 40; i++ {
		many = append(many, fmt.Sprintf("%d-%d", i*100, i*100+9))
	}

	cases := []diffCase{
		// Plain requests and methods.
		{name: "get txt", method: "GET", path: "/file.txt"},
		{name: "head txt", method: "HEAD", path: "/file.txt"},
		{name: "post txt", method: "POST", path: "/file.txt", body: "a=1&b=2"},
		{name: "put", method: "PUT", path: "/file.txt", body: "x"},
		{name: "delete", method: "DELETE", path: "/file.txt"},
		{name: "options", method: "OPTIONS", path: "/file.txt"},
		{name: "options unknown ext", method: "OPTIONS", path: "/x.unknownext"},
		{name: "unknown method", method: "FOO", path: "/file.txt"},
		{name: "get html", method: "GET", path: "/page.html"},
		{name: "get unknown ext", method: "GET", path: "/x.unknownext"},
		{name: "head unknown ext", method: "HEAD", path: "/x.unknownext"},
		{name: "get tar.gz", method: "GET", path: "/archive.tar.gz"},
		{name: "get html.en", method: "GET", path: "/doc.html.en"},
		{name: "get addcharset", method: "GET", path: "/utf.txt.utf8"},
		{name: "get encoding", method: "GET", path: "/old.txt.Z"},
		{name: "get 1MiB", method: "GET", path: "/big.bin"},
		{name: "head 1MiB", method: "HEAD", path: "/big.bin"},
		{name: "get empty", method: "GET", path: "/empty.txt"},
		{name: "head empty", method: "HEAD", path: "/empty.txt"},
		{name: "mime addtype params", method: "GET", path: "/mime/a.h2"},
		{name: "mime addtype params charset", method: "GET", path: "/mime/a.h2.utf8"},
		{name: "mime addtype no space", method: "GET", path: "/mime/b.foo"},
		{name: "mime removetype default language", method: "GET", path: "/mime/c.txt"},
		{name: "mime two languages default charset", method: "GET", path: "/mime/d.html.en.fr"},
		{name: "mime removetype language", method: "GET", path: "/mime/e.txt.de"},
		{name: "mime default language", method: "GET", path: "/mime/f.html"},
		{name: "mime upper case extensions", method: "GET", path: "/mime/g.FR.HTML"},
		{name: "mime leading dots", method: "GET", path: "/mime/..h.html"},
		{name: "mime empty extension", method: "GET", path: "/mime/i..html"},
		{name: "mime forcetype", method: "GET", path: "/mime/force/a.txt"},
		{name: "mime forcetype text", method: "GET", path: "/mime/force2/a.bin"},
		{name: "mime forcetype 304", method: "GET", path: "/mime/force2/a.bin", headers: []string{"If-None-Match: *"}},
		{name: "mime options languages", method: "OPTIONS", path: "/mime/d.html.en.fr"},
		{name: "mime multipart default charset", method: "GET", path: "/mime/d.html.en.fr", headers: []string{"Range: bytes=0-0,2-2"}},
		{name: "symlink refused", method: "GET", path: "/list/link.txt"},
		// Preconditions.
		{name: "ims equal", method: "GET", path: "/file.txt", headers: []string{"If-Modified-Since: " + lm}},
		{name: "ims older", method: "GET", path: "/file.txt", headers: []string{"If-Modified-Since: " + older}},
		{name: "ims garbage", method: "GET", path: "/file.txt", headers: []string{"If-Modified-Since: yesterday"}},
		{name: "ims future", method: "GET", path: "/file.txt", headers: []string{"If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT"}},
		{name: "ims rfc850", method: "GET", path: "/file.txt", headers: []string{"If-Modified-Since: Tuesday, 02-Jan-24 03:25:05 GMT"}},
		{name: "ims asctime", method: "GET", path: "/file.txt", headers: []string{"If-Modified-Since: Tue Jan  2 03:25:05 2024"}},
		{name: "head ims equal", method: "HEAD", path: "/file.txt", headers: []string{"If-Modified-Since: " + lm}},
		{name: "post ims equal", method: "POST", path: "/file.txt", body: "x", headers: []string{"If-Modified-Since: " + lm}},
		{name: "ius equal", method: "GET", path: "/file.txt", headers: []string{"If-Unmodified-Since: " + lm}},
		{name: "ius older", method: "GET", path: "/file.txt", headers: []string{"If-Unmodified-Since: " + older}},
		{name: "ius garbage", method: "GET", path: "/file.txt", headers: []string{"If-Unmodified-Since: garbage"}},
		{name: "inm match", method: "GET", path: "/file.txt", headers: []string{"If-None-Match: " + etag}},
		{name: "inm other", method: "GET", path: "/file.txt", headers: []string{`If-None-Match: "other"`}},
		{name: "inm star", method: "GET", path: "/file.txt", headers: []string{"If-None-Match: *"}},
		{name: "inm weak form", method: "GET", path: "/file.txt", headers: []string{"If-None-Match: W/" + etag}},
		{name: "inm list", method: "GET", path: "/file.txt", headers: []string{`If-None-Match: "a", ` + etag + `, "b"`}},
		{name: "inm two fields", method: "GET", path: "/file.txt", headers: []string{`If-None-Match: "a"`, "If-None-Match: " + etag}},
		{name: "post inm match", method: "POST", path: "/file.txt", body: "x", headers: []string{"If-None-Match: " + etag}},
		{name: "head inm match", method: "HEAD", path: "/file.txt", headers: []string{"If-None-Match: " + etag}},
		{name: "im match", method: "GET", path: "/file.txt", headers: []string{"If-Match: " + etag}},
		{name: "im other", method: "GET", path: "/file.txt", headers: []string{`If-Match: "nope"`}},
		{name: "head im other", method: "HEAD", path: "/file.txt", headers: []string{`If-Match: "nope"`}},
		{name: "im star", method: "GET", path: "/file.txt", headers: []string{"If-Match: *"}},
		{name: "im weak", method: "GET", path: "/file.txt", headers: []string{"If-Match: W/" + etag}},
		{name: "im weak first", method: "GET", path: "/file.txt", headers: []string{"If-Match: W/\"x\", " + etag}},
		{name: "inm match ims garbage", method: "GET", path: "/file.txt", headers: []string{"If-None-Match: " + etag, "If-Modified-Since: garbage"}},
		{name: "inm match ims equal", method: "GET", path: "/file.txt", headers: []string{"If-None-Match: " + etag, "If-Modified-Since: " + lm}},
		{name: "inm other ims equal", method: "GET", path: "/file.txt", headers: []string{`If-None-Match: "x"`, "If-Modified-Since: " + lm}},
		{name: "im other unknown ext", method: "GET", path: "/x.unknownext", headers: []string{`If-Match: "nope"`}},
		// Ranges.
		{name: "range first 10", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9"}},
		{name: "range open", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=90-"}},
		{name: "range suffix", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=-5"}},
		{name: "range multi", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-1,5-6"}},
		{name: "range overlap", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-5,3-8"}},
		{name: "range adjacent", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-1,2-3"}},
		{name: "range reversed", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=50-59,0-9"}},
		{name: "range reversal merge", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=10-19,5-12,40-45"}},
		{name: "range three", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-0,10-10,20-29"}},
		{name: "range unsatisfiable", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=200-300"}},
		{name: "range partly unsatisfiable", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=200-300,0-1"}},
		{name: "range zero open", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=5-6,0-"}},
		{name: "range syntax", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=abc"}},
		{name: "range backwards", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=5-1"}},
		{name: "range suffix zero", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=-0"}},
		{name: "range suffix large", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=-200"}},
		{name: "range end beyond", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=95-500"}},
		{name: "range other unit", method: "GET", path: "/range.txt", headers: []string{"Range: items=0-1"}},
		{name: "range case", method: "GET", path: "/range.txt", headers: []string{"Range: Bytes=0-1"}},
		{name: "range spaces", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-1, 3-4"}},
		{name: "range empty item", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-1,,3-4"}},
		{name: "range sum too large", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-50,70-99,60-65,0-"}},
		{name: "range 40 parts", method: "GET", path: "/big.bin", headers: []string{"Range: bytes=" + strings.Join(many, ",")}},
		{name: "range unknown ext multi", method: "GET", path: "/x.unknownext", headers: []string{"Range: bytes=0-0,2-2"}},
		{name: "range empty file", method: "GET", path: "/empty.txt", headers: []string{"Range: bytes=0-1"}},
		{name: "head range", method: "HEAD", path: "/range.txt", headers: []string{"Range: bytes=0-9"}},
		{name: "head range multi", method: "HEAD", path: "/range.txt", headers: []string{"Range: bytes=0-1,5-6"}, parts: 2},
		{name: "head range unsatisfiable", method: "HEAD", path: "/range.txt", headers: []string{"Range: bytes=300-"}},
		{name: "post range", method: "POST", path: "/range.txt", body: "x", headers: []string{"Range: bytes=0-9"}},
		{name: "max ranges", method: "GET", path: "/limits/file.txt", headers: []string{"Range: bytes=0-0,2-2,4-4"}},
		{name: "max ranges ok", method: "GET", path: "/limits/file.txt", headers: []string{"Range: bytes=0-0,2-2"}},
		{name: "if-range etag", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9", "If-Range: " + retag}},
		{name: "if-range other etag", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9", `If-Range: "x"`}},
		{name: "if-range weak etag", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9", "If-Range: W/" + retag}},
		{name: "if-range date", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9", "If-Range: " + rlm}},
		{name: "if-range old date", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9", "If-Range: " + older}},
		{name: "if-range without range", method: "GET", path: "/range.txt", headers: []string{"If-Range: " + retag}},
		{name: "if-range blocks 304", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9", "If-Range: " + retag, "If-None-Match: " + retag}},
		{name: "inm with range", method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-9", "If-None-Match: " + retag}},
		// A file changed 10 seconds ago (Apache's 60-second rules) and one
		// dated in the future (weak ETag).
		{name: "recent get", method: "GET", path: "/recent.txt"},
		{name: "recent ims", method: "GET", path: "/recent.txt", headers: []string{"If-Modified-Since: " + recentLM}},
		{name: "recent ims range", method: "GET", path: "/recent.txt", headers: []string{"If-Modified-Since: " + recentLM, "Range: bytes=0-1"}},
		{name: "recent ius", method: "GET", path: "/recent.txt", headers: []string{"If-Unmodified-Since: Tue, 02 Jan 2024 00:00:00 GMT"}},
		{name: "recent ius range", method: "GET", path: "/recent.txt", headers: []string{"If-Unmodified-Since: Tue, 02 Jan 2024 00:00:00 GMT", "Range: bytes=0-1"}},
		{name: "recent if-range date", method: "GET", path: "/recent.txt", headers: []string{"If-Range: " + recentLM, "Range: bytes=0-1"}},
		{name: "recent inm", method: "GET", path: "/recent.txt", headers: []string{"If-None-Match: " + recentETag}},
		{name: "future get", method: "GET", path: "/future.txt"},
		// Listings, plain.
		{name: "list plain", method: "GET", path: "/list/"},
		{name: "list plain head", method: "HEAD", path: "/list/"},
		{name: "list plain sort M D", method: "GET", path: "/list/?C=M;O=D"},
		{name: "list plain sort S", method: "GET", path: "/list/?C=S&O=A"},
		{name: "list plain fancy query", method: "GET", path: "/list/?F=1"},
		{name: "list plain table query", method: "GET", path: "/list/?F=2;C=D"},
		{name: "list plain sub", method: "GET", path: "/list/sub/"},
		{name: "list plain root", method: "GET", path: "/"},
		{name: "list plain post", method: "POST", path: "/list/", body: "x"},
		{name: "list plain put", method: "PUT", path: "/list/", body: "x"},
		{name: "list plain options", method: "OPTIONS", path: "/list/"},
		{name: "list plain with header files", method: "GET", path: "/withheader/"},
		// Listings, Debian's autoindex.conf.
		{name: "deb list", vhost: 1, method: "GET", path: "/list/"},
		{name: "deb list head", vhost: 1, method: "HEAD", path: "/list/"},
		{name: "deb list N D", vhost: 1, method: "GET", path: "/list/?C=N;O=D"},
		{name: "deb list M A", vhost: 1, method: "GET", path: "/list/?C=M;O=A"},
		{name: "deb list S D", vhost: 1, method: "GET", path: "/list/?C=S;O=D"},
		{name: "deb list D A", vhost: 1, method: "GET", path: "/list/?C=D;O=A"},
		{name: "deb list pre", vhost: 1, method: "GET", path: "/list/?F=1"},
		{name: "deb list pre sorted", vhost: 1, method: "GET", path: "/list/?F=1&C=S&O=D"},
		{name: "deb list plain query", vhost: 1, method: "GET", path: "/list/?F=0"},
		{name: "deb list no version sort", vhost: 1, method: "GET", path: "/list/?V=0"},
		{name: "deb list pattern", vhost: 1, method: "GET", path: "/list/?P=*.txt"},
		{name: "deb list pattern escaped", vhost: 1, method: "GET", path: "/list/?P=f%2A;C=N;O=D"},
		{name: "deb list bad query", vhost: 1, method: "GET", path: "/list/?C=X;O=D"},
		{name: "deb list sub", vhost: 1, method: "GET", path: "/list/sub/"},
		{name: "deb root", vhost: 1, method: "GET", path: "/"},
		{name: "deb header readme", vhost: 1, method: "GET", path: "/withheader/"},
		{name: "deb xhtml dir", vhost: 1, method: "GET", path: "/xhtml/"},
		{name: "deb xhtml dir sorted", vhost: 1, method: "GET", path: "/xhtml/?C=N"},
		{name: "deb get txt", vhost: 1, method: "GET", path: "/file.txt"},
		{name: "deb get html", vhost: 1, method: "GET", path: "/page.html"},
		{name: "deb get utf8", vhost: 1, method: "GET", path: "/utf.txt.utf8"},
		{name: "deb get unknown", vhost: 1, method: "GET", path: "/x.unknownext"},
		{name: "deb multi range charset", vhost: 1, method: "GET", path: "/range.txt", headers: []string{"Range: bytes=0-1,5-6"}},
		{name: "deb options", vhost: 1, method: "OPTIONS", path: "/file.txt"},
		// Listings with less common settings.
		{name: "c texthead", vhost: 2, method: "GET", path: "/texthead/"},
		{name: "c texthead D", vhost: 2, method: "GET", path: "/texthead/?C=D;O=D"},
		{name: "c texthead table", vhost: 2, method: "GET", path: "/texthead/?F=2"},
		{name: "c texthead M", vhost: 2, method: "GET", path: "/texthead/?C=M;O=D"},
		{name: "c texthead head", vhost: 2, method: "HEAD", path: "/texthead/"},
		{name: "c list", vhost: 2, method: "GET", path: "/list/"},
		{name: "c list table", vhost: 2, method: "GET", path: "/list/?F=2&V=1"},
		{name: "c list sub", vhost: 2, method: "GET", path: "/list/sub/"},
		{name: "c styled", vhost: 2, method: "GET", path: "/styled/"},
		{name: "c styled N A", vhost: 2, method: "GET", path: "/styled/?C=N;O=A"},
		{name: "c styled fancy", vhost: 2, method: "GET", path: "/styled/?F=1"},
	}

	var failed []string
	for _, c := range cases {
		head := c.method == "HEAD"
		rawA, errA := apachetest.RawRequest(addrs[c.vhost], c.request(), 10*time.Second)
		rawG, errG := apachetest.RawRequest(goAddrs[c.vhost], c.request(), 10*time.Second)
		if errA != nil || errG != nil {
			t.Errorf("%s: apache err %v, go err %v", c.name, errA, errG)
			continue
		}
		a, errA := parseResponse(rawA, head)
		g, errG := parseResponse(rawG, head)
		if errA != nil || errG != nil {
			t.Errorf("%s: parse: apache %v, go %v\n%s\n%s", c.name, errA, errG, clip(rawA), clip(rawG))
			continue
		}
		if dump := os.Getenv("STATIC_DIFF_DUMP"); dump != "" && strings.Contains(c.name, dump) {
			t.Logf("%s: apache response:\n%s", c.name, rawA)
		}
		if d := compareResponses(c, a, g); len(d) > 0 {
			failed = append(failed, c.name)
			t.Errorf("%s (%s %s %v):\n  %s", c.name, c.method, c.path, c.headers, strings.Join(d, "\n  "))
		}
	}
	t.Logf("%d requests compared, %d differ %v", len(cases), len(failed), failed)
	if len(cases) < 60 {
		t.Errorf("only %d cases", len(cases))
	}
}
