package compat

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// logCheck is an access log both servers of a site write, Apache to
// logs/error-NAME.log and gowsgid to logs/gowsgid-NAME.log (the
// configuration says logs/${SIDE}-NAME.log).
type logCheck struct {
	name string
	// fields cuts a line into its fields (nil: at tabs).
	fields func(line string) []string
	// shapes are the fields that differ from run to run (times,
	// durations, process ids), by index: each side's value must match
	// the pattern.
	shapes map[int]*regexp.Regexp
	// differ lists the fields gowsgid writes differently on purpose, by
	// index, with the reason (docs/compat.md): they are compared by the
	// pattern only.
	differ map[int]string
	// adjust, when set, turns gowsgid's fields into what Apache's must
	// be, for differences of the whole server (its banner's length).
	adjust func(fields []string)
	// bodyBytes are the fields that count the response body (%b, %B):
	// where both answers are the same but for the server's banner in an
	// error page's signature, they differ by as much as the bodies.
	bodyBytes []int
}

var (
	clfTimeRE = regexp.MustCompile(`^\[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]$`)
	numberRE  = regexp.MustCompile(`^\d+$`)
	logLineRE = regexp.MustCompile(`^(\S+) (\S+) (\S+) (\[[^\]]+\]) "((?:[^"\\]|\\.)*)" (\S+) (\S+)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?$`)
)

// clfFields splits a Common or Combined Log Format line.
func clfFields(line string) []string {
	m := logLineRE.FindStringSubmatchIndex(line)
	if m == nil {
		return []string{"UNPARSED " + line}
	}
	var out []string
	for i := 2; i < len(m); i += 2 {
		if m[i] >= 0 {
			out = append(out, line[m[i]:m[i+1]])
		}
	}
	return out
}

var (
	commonLog   = logCheck{name: "common", fields: clfFields, shapes: map[int]*regexp.Regexp{3: clfTimeRE}}
	combinedLog = logCheck{name: "combined", fields: clfFields, shapes: map[int]*regexp.Regexp{3: clfTimeRE}}
)

// named is the check for a log of another name.
func (c logCheck) named(name string) logCheck {
	c.name = name
	return c
}

// compareLogs compares each log of a site line by line, field by field,
// and returns the number of lines compared. A piped log is written by
// another process: the comparison waits a moment for it.
func compareLogs(t *testing.T, dir string, checks []logCheck) int {
	t.Helper()
	total := 0
	// COMPAT_KEEP_LOGS=d copies both servers' logs to d.
	if d := os.Getenv("COMPAT_KEEP_LOGS"); d != "" {
		os.RemoveAll(d)
		os.CopyFS(d, os.DirFS(filepath.Join(dir, "logs")))
	}
	for _, c := range checks {
		a, g := readLogPair(dir, c.name)
		if len(a) == 0 {
			t.Errorf("access log %s: apache wrote no line", c.name)
		}
		if len(a) != len(g) {
			t.Errorf("access log %s: apache wrote %d lines, gowsgid %d\n--- apache\n%s\n--- gowsgid\n%s",
				c.name, len(a), len(g), strings.Join(a, "\n"), strings.Join(g, "\n"))
			continue
		}
		for i := range a {
			total++
			if d := c.compare(a[i], g[i]); d != "" {
				t.Errorf("access log %s line %d: %s\n  apache:  %s\n  gowsgid: %s", c.name, i+1, d, a[i], g[i])
			}
		}
	}
	return total
}

// readLogPair reads both sides' lines of a log, waiting up to two
// seconds for them to agree in number.
func readLogPair(dir, name string) (apache, gowsgid []string) {
	deadline := time.Now().Add(2 * time.Second)
	for {
		apache = readLines(filepath.Join(dir, "logs", "error-"+name+".log"))
		gowsgid = readLines(filepath.Join(dir, "logs", "gowsgid-"+name+".log"))
		if len(apache) == len(gowsgid) || time.Now().After(deadline) {
			return apache, gowsgid
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func readLines(path string) []string {
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		return nil
	}
	return strings.Split(string(bytes.TrimSuffix(b, []byte("\n"))), "\n")
}

// compare lists how two lines differ, "" when they agree.
func (c logCheck) compare(a, g string) string { return c.compareBody(a, g, 0) }

// compareBody is compare for a request whose body gowsgid sends
// bodyDelta bytes longer than Apache (its banner in a signature).
func (c logCheck) compareBody(a, g string, bodyDelta int) string {
	split := c.fields
	if split == nil {
		split = func(l string) []string { return strings.Split(l, "\t") }
	}
	af, gf := split(a), split(g)
	if c.adjust != nil {
		c.adjust(gf)
	}
	for _, i := range c.bodyBytes {
		if bodyDelta == 0 || i >= len(gf) {
			continue
		}
		if n, err := strconv.Atoi(gf[i]); err == nil {
			if n -= bodyDelta; n == 0 && gf[i] != "0" {
				gf[i] = "-"
			} else {
				gf[i] = strconv.Itoa(n)
			}
		}
	}
	if len(af) != len(gf) {
		return fmt.Sprintf("%d fields, gowsgid %d", len(af), len(gf))
	}
	var diffs []string
	for i := range af {
		if re, ok := c.shapes[i]; ok {
			if !re.MatchString(af[i]) || !re.MatchString(gf[i]) {
				diffs = append(diffs, fmt.Sprintf("field %d: %q and %q do not both match %s", i+1, af[i], gf[i], re))
			} else if (af[i] == "-") != (gf[i] == "-") {
				diffs = append(diffs, fmt.Sprintf("field %d: apache %q, gowsgid %q", i+1, af[i], gf[i]))
			}
			continue
		}
		if _, ok := c.differ[i]; ok {
			continue
		}
		if af[i] != gf[i] {
			diffs = append(diffs, fmt.Sprintf("field %d: apache %q, gowsgid %q", i+1, af[i], gf[i]))
		}
	}
	return strings.Join(diffs, "; ")
}

// customField is one field of the site's tab-separated custom format.
type customField struct {
	directive string
	// shape is set for a value that differs from run to run.
	shape *regexp.Regexp
	// differ is why gowsgid writes it differently on purpose.
	differ string
}

// logIDRE is a log id (core_generate_log_id's base64 of 8 bytes, its
// '=' cut), or none.
var logIDRE = regexp.MustCompile(`^(-|[A-Za-z0-9+/]{10}[AEIMQUYcgkosw048])$`)

var customFields = []customField{
	{directive: "%h"}, {directive: "%a"}, {directive: "%{c}a"}, {directive: "%{c}h"}, {directive: "%A"},
	{directive: "%l"}, {directive: "%u"}, {directive: "%t", shape: clfTimeRE},
	{directive: "%{begin:%d/%b/%Y %a %j %Z %z}t", shape: regexp.MustCompile(`^\d{2}/[A-Z][a-z]{2}/\d{4} [A-Z][a-z]{2} \d{3} [A-Z]+ [+-]\d{4}$`)},
	{directive: "%{sec}t", shape: numberRE}, {directive: "%{end:msec}t", shape: numberRE},
	{directive: "%{usec_frac}t", shape: regexp.MustCompile(`^\d{6}$`)},
	{directive: "%r"}, {directive: "%s"}, {directive: "%>s"}, {directive: "%<s"}, {directive: "%b"}, {directive: "%B"},
	{directive: "%U"}, {directive: "%>U"}, {directive: "%q"}, {directive: "%H"}, {directive: "%m"}, {directive: "%<m"},
	{directive: "%v"}, {directive: "%V"}, {directive: "%p"}, {directive: "%{canonical}p"},
	{directive: "%{local}p", shape: numberRE}, {directive: "%{remote}p", shape: numberRE},
	{directive: "%P", shape: numberRE}, {directive: "%{tid}P", shape: numberRE},
	{directive: "%{hextid}P", shape: regexp.MustCompile(`^[0-9a-f]+$`)}, {directive: "%{HEXTID}P", shape: numberRE}, {directive: "%X"}, {directive: "%k"},
	{directive: "%{Referer}i"}, {directive: "%{User-Agent}i"}, {directive: "%{Host}i"}, {directive: "%{X-Multi}i"},
	{directive: "%{Content-Length}i"}, {directive: "%{session}C"}, {directive: "%{other}C"},
	{directive: "%{Content-Type}o"}, {directive: "%{Content-Length}o"}, {directive: "%{Location}o"},
	{directive: "%{Last-Modified}o"}, {directive: "%{ETag}o"}, {directive: "%{Date}o"}, {directive: "%{Server}o"},
	{directive: "%{WWW-Authenticate}o"},
	{directive: "%{MATCH_TAG}e"}, {directive: "%{REDIRECT_STATUS}e"}, {directive: "%{REDIRECT_URL}e"},
	{directive: "%{alias-forced-type}n"}, {directive: "%f"},
	{directive: "%D", shape: numberRE}, {directive: "%T", shape: numberRE}, {directive: "%{ms}T", shape: numberRE},
	{directive: "%{us}T", shape: numberRE},
	{directive: "%L", shape: logIDRE}, {directive: "%{c}L", shape: logIDRE},
	{directive: "%^FB"}, {directive: "%{X-Trailer}^ti"},
	{directive: "%200,304{Referer}i"}, {directive: "%!200{User-Agent}i"}, {directive: "%%"},
}

// customLog is the custom format's check.
func customLog() (format string, check logCheck) {
	check = logCheck{name: "custom", shapes: map[int]*regexp.Regexp{}, differ: map[int]string{}}
	var dirs []string
	for i, f := range customFields {
		dirs = append(dirs, f.directive)
		if f.shape != nil {
			check.shapes[i] = f.shape
		}
		if f.differ != "" {
			check.differ[i] = f.differ
		}
	}
	return strings.Join(dirs, `\t`), check
}

// logsSite covers the access logs: the common and combined formats, a
// custom format with every directive, TransferLog with the default
// format, env= and expr= conditions, a piped log run by the shell, a
// virtual host with its own log (which then gets no line in the main
// server's), one without (which logs to the main server's), and
// GlobalLog, which both get. An ErrorDocument that fails leaves the
// bytes and headers of the page to the original request (%<b, %<B). LogFormat nicknames are case-insensitive,
// and a virtual host's own (its "CLF" too) come before the main
// server's.
func logsSite() site {
	custom, customCheck := customLog()
	conf := `Listen 127.0.0.1:${P1}
Listen 127.0.0.1:${P2}
ServerName logs.test
ServerAdmin admin@logs.test
ServerTokens Prod
DocumentRoot $DIR/htdocs
LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
LogFormat "%h %l %u %t \"%r\" %>s %b" common
LogFormat "` + custom + `" custom
LogFormat "%I %O %S %H %U" io
LogFormat "%m %U %>s %b"
CustomLog logs/${SIDE}-common.log common
CustomLog logs/${SIDE}-combined.log combined
CustomLog logs/${SIDE}-custom.log custom
CustomLog logs/${SIDE}-io.log io "expr=%{REQUEST_URI} !~ m#^/limit#"
CustomLog logs/${SIDE}-clf.log CLF
CustomLog logs/${SIDE}-env.log "%U %{MATCH_TAG}e" env=MATCH_TAG
CustomLog logs/${SIDE}-noenv.log "%U" env=!MATCH_TAG
CustomLog logs/${SIDE}-expr.log "%>s %U" "expr=%{REQUEST_STATUS} -ge 400 && %{REQUEST_METHOD} == 'GET'"
CustomLog "|$exec cat >> logs/${SIDE}-pipe.log" "%>s %U"
TransferLog logs/${SIDE}-transfer.log
LogFormat "%h %>s nick %U" MyFmt
LogFormat "first %U" dup
LogFormat "second %U" DUP
CustomLog logs/${SIDE}-nick.log myfmt
CustomLog logs/${SIDE}-clfcase.log clf
CustomLog logs/${SIDE}-dup.log Dup
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory $DIR/htdocs>
  Options Indexes
  Require all granted
</Directory>
<Directory $DIR/htdocs/deny>
  Require all denied
</Directory>
<Directory $DIR/htdocs/auth>
  AuthType Basic
  AuthName "Logs"
  AuthUserFile $DIR/htpasswd
  Require valid-user
</Directory>
<LocationMatch "^/(?<tag>tagged)/">
  Require all granted
</LocationMatch>
<Location /errdoc>
  ErrorDocument 404 /404.html
</Location>
<Location /baddoc>
  ErrorDocument 404 /baddoc/nope/e404.html
</Location>
# A log whose writes fail (EIO): the error log says so, with the errno.
CustomLog /proc/version "%U" "expr=%{REQUEST_URI} =~ m#^/procfail#"
CustomLog logs/${SIDE}-baddoc.log "%>s %<s %b %<b %B %<B %{Content-Type}o %<{Content-Type}o %>{Content-Length}o" "expr=%{REQUEST_URI} =~ m#^/baddoc#"
<Location /limit>
  LimitRequestBody 4
</Location>
Alias /alias $DIR/aliased
<Directory $DIR/aliased>
  Require all granted
</Directory>
Redirect /old /new
<VirtualHost *:${P2}>
  ServerName own.test
  CustomLog logs/${SIDE}-own.log "%v %V %p %U %>s"
  LogFormat "vhost %U" CLF
  CustomLog logs/${SIDE}-vclf.log clf
  LogFormat "vhost %h %>s nick %U" MYFMT
  CustomLog logs/${SIDE}-vnick.log myfmt
</VirtualHost>
<VirtualHost *:${P2}>
  ServerName inherit.test
  LogFormat "inherit %U %>s"
</VirtualHost>
GlobalLog logs/${SIDE}-global.log "%v %U %>s"
`
	ua := "Mozilla/5.0 (X11; Linux x86_64) \"quoted\" back\\slash caf\xc3\xa9"
	reqs := []request{
		get("/"), get("/file.txt"), get("/file.txt?a=1&b=%22x%22"), get("/file.txt?"), do("HEAD", "/file.txt"),
		do("POST", "/file.txt", body("a=1&b=2")), get("/file.txt", hdr("Referer: http://ref.test/p?q=\"1\"", "User-Agent: "+ua)),
		get("/file.txt", hdr("X-Multi: one", "X-Multi: two", "Cookie: session=abc123; other = x y ;third=3")),
		get("/file.txt", hdr("Cookie: =lead; session==eq; other")),
		get("/file.txt", http10()), get("/file.txt", http10(), noHost()),
		get("/file.txt", hdr("If-Modified-Since: "+oldTime.Add(time.Hour).UTC().Format(time.RFC1123[:len(time.RFC1123)-3]+"GMT"))),
		get("/file.txt", hdr("Range: bytes=1-3")), get("/caf%C3%A9.txt"), get("/sp%20ace.txt"), get("/a%22quote"),
		get("/nope"), do("HEAD", "/nope"), get("/nope", hdr(`Referer: http://ref.test/"q"\x`)), get("/deny/x.txt"), get("/list/"), get("/list"),
		get("/auth/x.txt"), get("/auth/x.txt", auth("alice", "secret")), get("/auth/x.txt", auth("alice", "wrong")),
		get("/auth/x.txt", auth("bob", "x")),
		get("/errdoc/missing"), do("POST", "/errdoc/missing", body("x=1")), do("HEAD", "/errdoc/missing"),
		get("/baddoc/missing"), do("HEAD", "/baddoc/missing"), get("/procfail"),
		get("/tagged/file.txt"), get("/tagged/nope"), get("/alias/a.txt"), get("/old/x?y=1"),
		do("OPTIONS", "*"), do("OPTIONS", "/file.txt"), do("FOO", "/file.txt"), do("PUT", "/file.txt", body("x")),
		do("POST", "/limit/x", body("0123456789")), get("/../x"),
		get("http://logs.test/file.txt"), get("http://user:pw@logs.test/file.txt"),
		get("/who.txt", port(1), host("own.test")), get("/nope", port(1), host("own.test")),
		get("/who.txt", port(1), host("inherit.test")), get("/who.txt", port(1), host("unknown.test")),
	}
	files := map[string]string{
		"htdocs/index.html": "<p>index</p>\n", "htdocs/file.txt": "file\n", "htdocs/404.html": "not here\n",
		"htdocs/caf\u00e9.txt": "accent\n", "htdocs/sp ace.txt": "space\n", "htdocs/deny/x.txt": "x\n",
		"htdocs/list/a.txt": "a\n", "htdocs/list/b.txt": "b\n", "htdocs/auth/x.txt": "secret\n",
		"htdocs/tagged/file.txt": "tagged\n", "htdocs/who.txt": "main\n", "aliased/a.txt": "aliased\n",
	}
	return site{
		name: "logs", host: "logs.test", ports: 2, reqs: reqs,
		conf: head(authMods...) + conf, files: files,
		setup:    func(t *testing.T, dir string) { htpasswd(t, dir, "B", "htpasswd", "alice", "secret") },
		errorLog: true,
		logs: []logCheck{commonLog, combinedLog, customCheck,
			{name: "io", fields: strings.Fields, adjust: ioAdjust}, {name: "clf", fields: clfFields, shapes: map[int]*regexp.Regexp{3: clfTimeRE}},
			{name: "env"}, {name: "noenv"}, {name: "expr"}, {name: "pipe"}, {name: "transfer"},
			{name: "own"}, {name: "global"}, {name: "baddoc", fields: strings.Fields},
			{name: "nick"}, {name: "clfcase", fields: clfFields, shapes: map[int]*regexp.Regexp{3: clfTimeRE}}, {name: "dup"},
			{name: "vclf", fields: clfFields, shapes: map[int]*regexp.Regexp{3: clfTimeRE}}, {name: "vnick"}},
	}
}

// ioAdjust turns gowsgid's %O and %S (fields 2 and 3 of the io log) into
// Apache's: Apache's banner under ServerTokens Prod ("Apache") is one
// byte shorter than gowsgid's.
func ioAdjust(f []string) {
	if len(f) < 4 {
		return
	}
	delta := len("Apache") - len("gowsgid")
	for _, i := range []int{1, 2} {
		if n, err := strconv.Atoi(f[i]); err == nil {
			f[i] = strconv.Itoa(n + delta)
		}
	}
}

var (
	// errorLinePrefix is an error log line's prefix; at debug level
	// Apache writes its source position (protocol.c(1492): ), which is
	// left out.
	errorLinePrefix = regexp.MustCompile(`^\[[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{6} \d{4}\] (\[[a-z_]+:[a-z0-9]+\]) \[pid \d+:tid \d+\] (?:[a-z_0-9]+\.c\(\d+\): )?((?:\([^)]*\)[^\[]*: )?)\[client ([0-9a-f.:]+):\d+\] `)
)

// compareErrorLogs compares the error log lines about requests ("[client
// ...]"), in order, without their time, process, thread and client port.
func compareErrorLogs(t *testing.T, dir string) {
	t.Helper()
	norm := func(name string) []string {
		var out []string
		for _, l := range readLines(filepath.Join(dir, "logs", name)) {
			if !strings.Contains(l, "[client ") {
				continue
			}
			m := errorLinePrefix.FindStringSubmatchIndex(l)
			if m == nil {
				out = append(out, "UNPARSED "+l)
				continue
			}
			out = append(out, l[m[2]:m[3]]+" "+l[m[4]:m[5]]+"[client "+l[m[6]:m[7]]+"] "+l[m[1]:])
		}
		return out
	}
	a, g := norm("error.log"), norm("gowsgid.log")
	if strings.Join(a, "\n") != strings.Join(g, "\n") {
		t.Errorf("error log lines about requests differ\n--- apache\n%s\n--- gowsgid\n%s", strings.Join(a, "\n"), strings.Join(g, "\n"))
	}
	if len(a) == 0 {
		t.Error("apache's error log has no line about a request")
	}
}

// headAccessLog is the access log of every site that starts with head():
// the combined format, with %I and %O (mod_logio) and the %{ms}T time.
const headAccessLog = `CustomLog logs/${SIDE}-access.log "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\""`

// headLog is headAccessLog's check.
var headLog = logCheck{name: "access", fields: clfFields, shapes: map[int]*regexp.Regexp{3: clfTimeRE}, bodyBytes: []int{6}}

// loggedLines counts the access log lines the suite compared.
var loggedLines atomic.Int64

// The sides of a run.
const (
	apacheSide  = 0
	gowsgidSide = 1
)

// reqLogs reads access logs request by request: after each request, the
// lines each server appended to each log.
type reqLogs struct {
	dir    string
	checks []logCheck
	offs   [2][]int64
	// lines[side][request][check] are the lines of a request.
	lines [2][][][]string
}

func newReqLogs(dir, conf string, checks []logCheck) *reqLogs {
	if strings.Contains(conf, headAccessLog) {
		checks = append(checks, headLog)
	}
	l := &reqLogs{dir: dir, checks: checks}
	l.offs[0] = make([]int64, len(checks))
	l.offs[1] = make([]int64, len(checks))
	return l
}

// take reads what a side appended to each log for its latest request.
// Both servers write a request's lines after its answer has gone out, so
// a client that keeps the connection open (Go's http.Client) may read the
// answer before they are written: Apache, whose side is taken first, is
// given a moment to write a line, and gowsgid a moment to write as many
// lines as Apache did.
func (l *reqLogs) take(side int) {
	if len(l.checks) == 0 {
		return
	}
	prefix := "error-"
	if side == gowsgidSide {
		prefix = "gowsgid-"
	}
	got := make([][]string, len(l.checks))
	for i, c := range l.checks {
		path := filepath.Join(l.dir, "logs", prefix+c.name+".log")
		deadline := time.Now().Add(time.Second)
		for {
			lines, off := readFrom(path, l.offs[side][i])
			l.offs[side][i] = off
			got[i] = append(got[i], lines...)
			want := 1
			if side == gowsgidSide {
				want = len(l.apacheLines(i))
			}
			if len(got[i]) >= want || time.Now().After(deadline) {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	l.lines[side] = append(l.lines[side], got)
}

// apacheLines are the lines Apache wrote to check i for the request
// gowsgid is answering now.
func (l *reqLogs) apacheLines(i int) []string {
	n := len(l.lines[gowsgidSide])
	if n >= len(l.lines[apacheSide]) {
		return nil
	}
	return l.lines[apacheSide][n][i]
}

// readFrom reads the whole lines of a file after offset off.
func readFrom(path string, off int64) ([]string, int64) {
	f, err := os.Open(path)
	if err != nil {
		return nil, off
	}
	defer f.Close()
	b, err := io.ReadAll(io.NewSectionReader(f, off, 1<<30))
	if err != nil {
		return nil, off
	}
	end := bytes.LastIndexByte(b, '\n')
	if end < 0 {
		return nil, off
	}
	return strings.Split(string(b[:end]), "\n"), off + int64(end) + 1
}

// compare compares the lines both sides wrote for request i, whose
// answer's body gowsgid sent bodyDelta bytes longer: the number compared
// and the differences.
func (l *reqLogs) compare(i, bodyDelta int, unordered bool) (int, []string) {
	if len(l.checks) == 0 || i >= len(l.lines[0]) || i >= len(l.lines[1]) {
		return 0, nil
	}
	n := 0
	var diffs []string
	for j, c := range l.checks {
		a, g := l.lines[apacheSide][i][j], l.lines[gowsgidSide][i][j]
		if unordered {
			// An h2c upgrade's 101 and its stream 1 are logged as
			// each ends, which Apache's threads do in either order.
			a, g = byRequestLine(a), byRequestLine(g)
		}
		if len(a) != len(g) {
			diffs = append(diffs, fmt.Sprintf("%s: apache wrote %q, gowsgid %q", c.name, a, g))
			continue
		}
		for k := range a {
			n++
			if d := c.compareBody(a[k], g[k], bodyDelta); d != "" {
				diffs = append(diffs, fmt.Sprintf("%s: %s\n    apache:  %s\n    gowsgid: %s", c.name, d, clipLine(a[k]), clipLine(g[k])))
			}
		}
	}
	return n, diffs
}

// byRequestLine sorts a copy of log lines by what follows their first
// quote (the request line, for the formats compared).
func byRequestLine(lines []string) []string {
	out := slices.Clone(lines)
	key := func(l string) string {
		if i := strings.IndexByte(l, '"'); i >= 0 {
			return l[i:]
		}
		return l
	}
	slices.SortStableFunc(out, func(x, y string) int { return strings.Compare(key(x), key(y)) })
	return out
}

// bodyDelta is how many bytes longer gowsgid's body is than Apache's for
// answers that compare the same ("" when either does not parse).
func bodyDelta(araw, graw []byte) int {
	a, err := parse(araw)
	if err != nil {
		return 0
	}
	g, err := parse(graw)
	if err != nil {
		return 0
	}
	// Of pipelined answers, the first's body.
	ab, _ := splitPipelined(a.body)
	gb, _ := splitPipelined(g.body)
	return len(gb) - len(ab)
}

// clipLine shortens a long log line for a report.
func clipLine(l string) string {
	if len(l) > 400 {
		return fmt.Sprintf("%s...%s (%d bytes)", l[:300], l[len(l)-60:], len(l))
	}
	return l
}
