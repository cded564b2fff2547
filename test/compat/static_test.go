package compat

import (
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// hundred is a 100-byte file for range requests.
var hundred = strings.Repeat("0123456789", 10)

// etagOf is Apache's default ETag (FileETag MTime Size) of a file of the
// tree: size and modification time in microseconds, in hex.
func etagOf(content string) string {
	return fmt.Sprintf(`"%x-%x"`, len(content), oldTime.UnixMicro())
}

// staticSite covers the static file handler: HEAD, POST and other
// methods, conditionals, single and multiple ranges, 416, directories
// with and without an index, listings, and TRACE.
func staticSite() site {
	const conf = `Listen 127.0.0.1:${P1}
ServerName static.test
ServerTokens OS
ServerSignature On
DocumentRoot $DIR/htdocs
<Directory />
  Options FollowSymLinks
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Options Indexes FollowSymLinks
  Require all granted
</Directory>
<Directory $DIR/htdocs/noindex>
  Options -Indexes
</Directory>
<Directory $DIR/htdocs/noetag>
  FileETag None
</Directory>
<Directory $DIR/htdocs/inode>
  FileETag INode MTime Size
</Directory>
<Directory $DIR/htdocs/inode/minus>
  FileETag -INode
</Directory>
<Directory $DIR/htdocs/noetag/plus>
  FileETag +Size
</Directory>
<Directory $DIR/htdocs/digest>
  FileETag Digest
</Directory>
<Directory $DIR/htdocs/lmtime>
  FileETag LMTime LastModified
</Directory>
<Directory $DIR/htdocs/lmtime/minus>
  FileETag -MTime
</Directory>
<Directory $DIR/htdocs/ranges1>
  MaxRanges 1
</Directory>
<Directory $DIR/htdocs/rangesnone>
  MaxRanges none
</Directory>
<Directory $DIR/htdocs/nooverlaps>
  MaxRangeOverlaps none
  MaxRangeReversals none
</Directory>
<Directory $DIR/htdocs/list/withheader>
  HeaderName HEADER.html
</Directory>
<Directory $DIR/htdocs/list/tracked>
  IndexOptions FancyIndexing TrackModified
</Directory>
<Directory $DIR/htdocs/list/d>
  MaxRanges 1
</Directory>
`
	lm := oldTime.UTC().Format(http.TimeFormat)
	later := oldTime.Add(time.Hour).UTC().Format(http.TimeFormat)
	earlier := oldTime.Add(-time.Hour).UTC().Format(http.TimeFormat)
	tag := etagOf(hundred)
	// FileETag Digest: the base64 SHA-1 of the content (a 304 from
	// Apache for it confirms the form).
	sum := sha1.Sum([]byte("digest me\n"))
	digestTag := `"` + base64.StdEncoding.EncodeToString(sum[:]) + `"`
	reqs := []request{
		get("/"),
		get("/file.txt"),
		get("/file.txt", http10()),
		get("/file.txt", http10(), noHost()),
		do("HEAD", "/file.txt"),
		do("HEAD", "/page.html", http10()),
		do("POST", "/file.txt", body("a=1&b=2")),
		do("PUT", "/file.txt", body("x")),
		do("DELETE", "/file.txt"),
		do("PATCH", "/file.txt"),
		do("OPTIONS", "/file.txt"),
		do("OPTIONS", "/"),
		do("OPTIONS", "*"),
		do("FOO", "/file.txt"),
		do("TRACE", "/file.txt"),
		do("TRACE", "/missing"),
		get("/empty.txt"),
		get("/noext"),
		get("/x.unknownext"),
		get("/page.html"),
		get("/page.html?x=1&y=2"),
		get("/missing.html"),
		get("/sub"),
		get("/sub?q=1"),
		get("/sub/"),
		get("/sub/index.html"),
		get("/list/"),
		get("/list"),
		get("/list/?C=S;O=D"),
		get("/list/?C=M;O=A"),
		do("HEAD", "/list/"),
		do("POST", "/list/", body("z=1")),
		get("/noindex/"),
		get("/noindex"),
		get("/file.txt/extra"),
		get("/sub/index.html/x"),
		get("/range.txt", hdr("Range: bytes=0-9")),
		get("/range.txt", hdr("Range: bytes=-5")),
		get("/range.txt", hdr("Range: bytes=90-")),
		get("/range.txt", hdr("Range: bytes=95-200")),
		get("/range.txt", hdr("Range: bytes=200-300")),
		get("/range.txt", hdr("Range: bytes=5-2")),
		get("/range.txt", hdr("Range: bytes=0-1,5-6,-2")),
		get("/range.txt", hdr("Range: bytes=0-5,3-8")),
		get("/range.txt", hdr("Range: items=0-5")),
		get("/range.txt", hdr("Range: bytes=0-9"), http10()),
		do("HEAD", "/range.txt", hdr("Range: bytes=0-9")),
		do("HEAD", "/range.txt", hdr("Range: bytes=0-1,4-5"), parts(2)),
		do("HEAD", "/range.txt", hdr("Range: bytes=300-")),
		get("/range.txt", hdr("Range: bytes=0-9", "If-Range: "+tag)),
		get("/range.txt", hdr("Range: bytes=0-9", `If-Range: "nope"`)),
		get("/range.txt", hdr("Range: bytes=0-9", "If-Range: "+lm)),
		get("/range.txt", hdr("If-Modified-Since: "+lm)),
		get("/range.txt", hdr("If-Modified-Since: "+later)),
		get("/range.txt", hdr("If-Modified-Since: "+earlier)),
		get("/range.txt", hdr("If-Modified-Since: garbage")),
		do("HEAD", "/range.txt", hdr("If-Modified-Since: "+lm)),
		get("/range.txt", hdr("If-None-Match: "+tag)),
		get("/range.txt", hdr(`If-None-Match: "other", `+tag)),
		get("/range.txt", hdr("If-None-Match: *")),
		get("/range.txt", hdr(`If-None-Match: "other"`)),
		do("POST", "/range.txt", hdr("If-None-Match: "+tag)),
		get("/range.txt", hdr("If-Match: "+tag)),
		get("/range.txt", hdr(`If-Match: "other"`)),
		get("/range.txt", hdr("If-Match: *")),
		get("/range.txt", hdr("If-Unmodified-Since: "+earlier)),
		get("/range.txt", hdr("If-Unmodified-Since: "+later)),
		get("/range.txt", hdr("If-None-Match: "+tag, "If-Modified-Since: "+earlier)),
		get("/noetag/a.txt"), get("/noetag/a.txt", hdr("If-None-Match: *")), get("/inode/a.txt"),
		get("/inode/minus/a.txt"), get("/inode/minus/a.txt", hdr("If-None-Match: "+etagOf("a"))),
		get("/digest/d.txt"), get("/digest/d.txt", hdr("If-None-Match: "+digestTag)), get("/lmtime/l.txt"),
		// Relative FileETag keywords apply to the inherited bits: +Size
		// under None is Size alone; -MTime under MTime leaves nothing,
		// which means the default, MTime Size.
		get("/noetag/plus/a.txt", hdr(`If-None-Match: "1"`)),
		get("/lmtime/minus/a.txt", hdr("If-None-Match: "+etagOf("a"))),
		// MaxRanges and its kin: more ranges, overlaps or reversals
		// than allowed get the whole file.
		get("/ranges1/r.txt", hdr("Range: bytes=0-1")), get("/ranges1/r.txt", hdr("Range: bytes=0-1,5-6")),
		get("/rangesnone/r.txt", hdr("Range: bytes=0-1")),
		get("/nooverlaps/r.txt", hdr("Range: bytes=0-3,2-5")), get("/nooverlaps/r.txt", hdr("Range: bytes=5-6,0-1")),
		get("/nooverlaps/r.txt", hdr("Range: bytes=0-1,5-6")),
		// A listing sent in one piece goes through the byterange filter as
		// a file does; one with a header file included (sent in pieces)
		// does not. Without TrackModified it has no validator for If-Range.
		get("/list/", hdr("Range: bytes=0-9")), get("/list/", hdr("Range: bytes=-20")),
		get("/list/", hdr("Range: bytes=0-1,10-19,-3")), get("/list/", hdr("Range: bytes=100000-")),
		get("/list/", hdr("Range: bytes=0-9", `If-Range: "x"`)), get("/list/", hdr("Range: bytes=0-9", "If-Range: "+lm)),
		get("/list/", hdr("Range: items=0-9")), do("HEAD", "/list/", hdr("Range: bytes=0-9")),
		get("/list/withheader/", hdr("Range: bytes=0-9")), get("/list/d/", hdr("Range: bytes=0-1,5-6")),
		get("/list/d/", hdr("Range: bytes=5-6")),
		get("/list/tracked/", hdr("Range: bytes=0-9", `If-Range: "x"`)),
		// LimitRequestLine, LimitRequestFieldSize and LimitRequestFields
		// (8190, 8190 and 100 by default).
		get("/" + strings.Repeat("a", 8200)), get("/" + strings.Repeat("a", 8170)),
		get("/file.txt?" + strings.Repeat("q", 8200)),
		get("/file.txt", hdr("X-Big: "+strings.Repeat("b", 8200))),
		get("/file.txt", hdr("X-Big: "+strings.Repeat("b", 8000))),
		get("/file.txt", hdr(manyHeaders(101)...)), get("/file.txt", hdr(manyHeaders(98)...)),
	}
	return site{
		name: "static", host: "static.test", ports: 1, reqs: reqs,
		conf: head(stdMods...) + conf,
		files: map[string]string{
			"htdocs/index.html":                  "<html><body>home</body></html>\n",
			"htdocs/file.txt":                    "file txt\n",
			"htdocs/page.html":                   "<html><head><title>Page</title></head><body>p</body></html>\n",
			"htdocs/empty.txt":                   "",
			"htdocs/noext":                       "no extension\n",
			"htdocs/x.unknownext":                "abc",
			"htdocs/range.txt":                   hundred,
			"htdocs/sub/index.html":              "<p>sub index</p>\n",
			"htdocs/sub/other.txt":               "other\n",
			"htdocs/list/a.txt":                  "a",
			"htdocs/list/b.html":                 "<b>b</b>",
			"htdocs/list/c.tar.gz":               strings.Repeat("z", 2000),
			"htdocs/list/d/x.txt":                "x",
			"htdocs/list/withheader/HEADER.html": "<p>head</p>\n",
			"htdocs/list/withheader/y.txt":       "y",
			"htdocs/list/tracked/z.txt":          "z",
			"htdocs/noindex/one.txt":             "one",
			"htdocs/noetag/a.txt":                "a",
			"htdocs/inode/a.txt":                 "a",
			"htdocs/inode/minus/a.txt":           "a",
			"htdocs/noetag/plus/a.txt":           "a",
			"htdocs/lmtime/minus/a.txt":          "a",
			"htdocs/digest/d.txt":                "digest me\n",
			"htdocs/lmtime/l.txt":                "l\n",
			"htdocs/ranges1/r.txt":               "0123456789\n",
			"htdocs/rangesnone/r.txt":            "0123456789\n",
			"htdocs/nooverlaps/r.txt":            "0123456789\n",
		},
	}
}

// manyHeaders is n distinct header lines.
func manyHeaders(n int) []string {
	var hs []string
	for i := 0; i < n; i++ {
		hs = append(hs, fmt.Sprintf("X-H%d: %d", i, i))
	}
	return hs
}
