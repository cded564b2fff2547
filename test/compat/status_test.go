package compat

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// statusConf is a site with mod_status: the page for everyone, and one
// that only 10.0.0.1 may see.
const statusConf = `Listen 127.0.0.1:${P1}
ServerName status.test
DocumentRoot $DIR/htdocs
<Location /server-status>
    SetHandler server-status
</Location>
<Location /denied-status>
    SetHandler server-status
    Require ip 10.0.0.1
</Location>
`

// TestStatusAgainstApache sends the same requests for mod_status's page to
// Apache and gowsgid: statuses, Content-Type and Refresh must match; the
// page must have Apache's fields; ?auto must have the same keys in the
// same order, each value of the same shape.
func TestStatusAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	for _, extended := range []bool{true, false} {
		t.Run(fmt.Sprintf("ExtendedStatus=%v", extended), func(t *testing.T) { statusAgainstApache(t, extended) })
	}
}

func statusAgainstApache(t *testing.T, extended bool) {
	dir := makeRoot(t)
	writeTree(t, dir, map[string]string{"htdocs/index.html": "hello\n"})
	conf := head("authz_core", "authz_host", "mime", "status") + statusConf
	if !extended {
		conf += "ExtendedStatus Off\n"
	}
	conf = strings.ReplaceAll(conf, "$DIR", dir)
	ports := apachetest.FreePorts(t, 2)
	t.Setenv("SIDE", "error")
	t.Setenv("P1", strconv.Itoa(ports[0]))
	aAddr, gAddr := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1])
	apachetest.Start(t, dir, conf, aAddr)
	startGowsgid(t, dir, []string{fmt.Sprintf("Define P1 %d", ports[1])}, []string{gAddr})
	// After a second of uptime the rates (ReqPerSec, BytesPerSec,
	// requests/sec) are shown too.
	time.Sleep(1100 * time.Millisecond)

	reqs := []request{
		get("/index.html"),
		get("/server-status"),
		get("/server-status?auto"),
		get("/server-status?refresh=5"),
		get("/server-status?refresh"),
		get("/server-status?notable"),
		do("HEAD", "/server-status?auto"),
		do("POST", "/server-status", body("x=1")),
		get("/denied-status"),
		get("/denied-status?auto"),
	}
	for _, r := range reqs {
		label := r.method + " " + r.target
		a, errA := parse(send(t, aAddr, r.text("status.test")))
		g, errG := parse(send(t, gAddr, r.text("status.test")))
		if errA != nil || errG != nil {
			t.Fatalf("%s: apache %v, gowsgid %v", label, errA, errG)
		}
		if a.status != g.status {
			t.Errorf("%s: status %d, Apache %d", label, g.status, a.status)
		}
		for _, h := range []string{"Content-Type", "Refresh"} {
			if a.header.Get(h) != g.header.Get(h) {
				t.Errorf("%s: %s %q, Apache %q", label, h, g.header.Get(h), a.header.Get(h))
			}
		}
		if a.status != 200 || r.method != "GET" || !strings.HasPrefix(r.target, "/server-status") {
			continue
		}
		if strings.Contains(r.target, "auto") {
			compareAuto(t, label, a.body, g.body)
			continue
		}
		for _, field := range statusFields(r.target, extended) {
			if !bytes.Contains(a.body, []byte(field)) {
				t.Errorf("%s: Apache's page has no %q", label, field)
			}
			if !bytes.Contains(g.body, []byte(field)) {
				t.Errorf("%s: gowsgid's page has no %q\n%s", label, field, clip(g.body))
			}
		}
	}
}

// statusFields are what the HTML page shows in either server.
func statusFields(target string, extended bool) []string {
	f := []string{"<title>Apache Status</title>", "<h1>Apache Server Status for status.test (via 127.0.0.1)</h1>",
		"<dt>Server Version: ", "<dt>Server MPM: event</dt>", "<dt>Server Built: ", "<dt>Current Time: ",
		"<dt>Restart Time: ", "<dt>Parent Server Config. Generation: 1</dt>", "<dt>Parent Server MPM Generation: 0</dt>",
		"<dt>Server uptime: ", "<dt>Server load: ", " requests currently being processed, 0 workers gracefully restarting, ",
		" idle workers</dt>", "<th>accepting</th>", "<pre>", "<p>Scoreboard Key:<br />", "Open slot with no current process",
		"</body></html>\n"}
	if !extended {
		return append(f, "PID Key: <br />\n<pre>\n", " in state: _ ,",
			"<hr />To obtain a full report with current status information you need to use the <code>ExtendedStatus On</code> directive.\n")
	}
	f = append(f, "<dt>Total accesses: ", " - Total Traffic: ", "<dt>CPU Usage: u", " requests/sec - ", " B/request - ",
		" ms/request</dt>")
	if strings.Contains(target, "notable") {
		return append(f, "<hr /><h2>Server Details</h2>")
	}
	return append(f, "<th>Srv</th><th>PID</th><th>Acc</th>", "<tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>")
}

var (
	autoDate  = regexp.MustCompile(`^[A-Z][a-z]+day, \d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} [A-Z]+$`)
	autoInt   = regexp.MustCompile(`^\d+$`)
	autoFloat = regexp.MustCompile(`^-?(\d+|\d*\.\d+)(e[+-]\d+)?$`)
	autoLoad  = regexp.MustCompile(`^\d+\.\d\d$`)
	autoUp    = regexp.MustCompile(`^( \d+ (day|hour|minute|second)s?)*$`)
	autoBoard = regexp.MustCompile(`^[_SRWKDCLGI.]+$`)
)

// autoShape is the pattern of each ?auto value (nil: any text).
var autoShape = map[string]*regexp.Regexp{
	"CurrentTime": autoDate, "RestartTime": autoDate, "ParentServerConfigGeneration": autoInt,
	"ParentServerMPMGeneration": autoInt, "ServerUptimeSeconds": autoInt, "ServerUptime": autoUp,
	"Load1": autoLoad, "Load5": autoLoad, "Load15": autoLoad, "Total Accesses": autoInt, "Total kBytes": autoInt,
	"Total Duration": autoInt, "CPUUser": autoFloat, "CPUSystem": autoFloat, "CPUChildrenUser": autoFloat,
	"CPUChildrenSystem": autoFloat, "CPULoad": autoFloat, "Uptime": autoInt, "ReqPerSec": autoFloat,
	"BytesPerSec": autoFloat, "BytesPerReq": autoFloat, "DurationPerReq": autoFloat, "BusyWorkers": autoInt,
	"GracefulWorkers": autoInt, "IdleWorkers": autoInt, "Processes": autoInt, "Stopping": autoInt,
	"ConnsTotal": autoInt, "ConnsAsyncWaitIO": autoInt, "ConnsAsyncWriting": autoInt,
	"ConnsAsyncKeepAlive": autoInt, "ConnsAsyncClosing": autoInt, "Scoreboard": autoBoard,
}

// compareAuto checks that both ?auto reports have the same first line,
// the same keys in the same order (CPULoad comes only once CPU time was
// used, on either side), each value of its shape.
func compareAuto(t *testing.T, label string, a, g []byte) {
	t.Helper()
	aFirst, aKeys := autoKeys(t, "Apache", a)
	gFirst, gKeys := autoKeys(t, "gowsgid", g)
	if aFirst != gFirst {
		t.Errorf("%s: first line %q, Apache %q", label, gFirst, aFirst)
	}
	if strings.Join(aKeys, ",") != strings.Join(gKeys, ",") {
		t.Errorf("%s: keys\n%v\nApache's\n%v", label, gKeys, aKeys)
	}
}

func autoKeys(t *testing.T, side string, body []byte) (first string, keys []string) {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	sc.Scan()
	first = sc.Text()
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			t.Errorf("%s: ?auto line %q has no key", side, sc.Text())
			continue
		}
		if k == "CPULoad" {
			continue
		}
		keys = append(keys, k)
		if k != "ServerUptime" {
			v = strings.TrimPrefix(v, " ")
		}
		if re := autoShape[k]; re != nil && !re.MatchString(v) {
			t.Errorf("%s: %s: %q is not of the shape %s", side, k, v, re)
		}
	}
	return first, keys
}

// TestMetricsEndToEnd scrapes gowsgid-metrics around a known number of
// requests: the text must parse as Prometheus' format 0.0.4 and the
// counters move by exactly the requests sent; a graceful restart
// counts a generation and keeps the counters.
func TestMetricsEndToEnd(t *testing.T) {
	dir := makeRoot(t)
	writeTree(t, dir, map[string]string{
		"htdocs/index.html": "hello\n",
		"app.wsgi":          "def application(environ, start_response):\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'app\\n']\n",
	})
	conf := head("authz_core", "authz_host", "mime", "wsgi", "status") + `Listen 127.0.0.1:${P1}
ServerName metrics.test
DocumentRoot $DIR/htdocs
WSGIDaemonProcess grp processes=2 threads=3
WSGIScriptAlias /app $DIR/app.wsgi process-group=grp application-group=%{GLOBAL}
<Location /gowsgid-metrics>
    SetHandler gowsgid-metrics
</Location>
<Location /server-status>
    SetHandler server-status
</Location>
`
	conf = strings.ReplaceAll(conf, "$DIR", dir)
	if err := os.WriteFile(filepath.Join(dir, "httpd.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	port := apachetest.FreePorts(t, 1)[0]
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startGowsgid(t, dir, []string{fmt.Sprintf("Define P1 %d", port)}, []string{addr})

	scrape := func() map[string]float64 {
		t.Helper()
		res, err := parse(send(t, addr, get("/gowsgid-metrics").text("metrics.test")))
		if err != nil || res.status != 200 {
			t.Fatalf("scrape: %v %+v", err, res)
		}
		if ct := res.header.Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		return parsePrometheus(t, res.body)
	}
	// The daemon processes start in the background.
	deadline := time.Now().Add(10 * time.Second)
	for scrape()[`gowsgid_daemon_processes{group="grp"}`] != 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	before := scrape()
	if before[`gowsgid_daemon_threads{group="grp"}`] != 3 || before[`gowsgid_daemon_processes{group="grp"}`] != 2 {
		t.Errorf("daemon group: %v processes of %v threads, want 2 of 3", before[`gowsgid_daemon_processes{group="grp"}`],
			before[`gowsgid_daemon_threads{group="grp"}`])
	}
	sent := map[int]int{}
	for _, target := range []string{"/index.html", "/index.html", "/nope", "/app", "/app", "/app", "/nope2", "/index.html"} {
		res, err := parse(send(t, addr, get(target).text("metrics.test")))
		if err != nil {
			t.Fatal(err)
		}
		sent[res.status/100]++
	}
	after := scrape()
	delta := func(name string) float64 { return after[name] - before[name] }
	// The first scrape was counted once it was answered.
	if d := delta(`gowsgid_requests_total{code="2xx"}`); d != float64(sent[2]+1) {
		t.Errorf("2xx moved by %v, want %d", d, sent[2]+1)
	}
	if d := delta(`gowsgid_requests_total{code="4xx"}`); d != float64(sent[4]) || sent[4] != 2 {
		t.Errorf("4xx moved by %v, want %d (sent %v)", d, sent[4], sent)
	}
	if d := delta(`gowsgid_vhost_requests_total{vhost="metrics.test"}`); d != 9 {
		t.Errorf("vhost requests moved by %v, want 9", d)
	}
	if d := delta("gowsgid_request_duration_seconds_count"); d != 9 {
		t.Errorf("histogram count moved by %v, want 9", d)
	}
	if d := delta(`gowsgid_request_duration_seconds_bucket{le="+Inf"}`); d != 9 {
		t.Errorf("+Inf bucket moved by %v, want 9", d)
	}
	if v := after["gowsgid_requests_in_flight"]; v != 1 {
		t.Errorf("in flight %v, want 1 (the scrape)", v)
	}
	if v := after[`gowsgid_daemon_busy_threads{group="grp"}`] + after[`gowsgid_daemon_queue_depth{group="grp"}`]; v != 0 {
		t.Errorf("daemon busy+queued %v, want 0", v)
	}

	// A graceful restart: one generation more, the counters go on.
	pid, err := os.ReadFile(filepath.Join(dir, "logs", "httpd.pid"))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(pid)))
	if err := syscall.Kill(n, syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	var reloaded map[string]float64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if reloaded = scrape(); reloaded["gowsgid_config_generation"] == 2 {
			break
		}
	}
	if reloaded["gowsgid_config_generation"] != 2 {
		t.Fatalf("generation %v after a graceful restart, want 2", reloaded["gowsgid_config_generation"])
	}
	if c := reloaded["gowsgid_request_duration_seconds_count"]; c < after["gowsgid_request_duration_seconds_count"]+1 {
		t.Errorf("count %v after the restart, was %v: the counters were reset", c, after["gowsgid_request_duration_seconds_count"])
	}
	res, err := parse(send(t, addr, get("/server-status?auto").text("metrics.test")))
	if err != nil || res.status != 200 || !bytes.Contains(res.body, []byte("\nParentServerConfigGeneration: 2\n")) {
		t.Errorf("server-status after a graceful restart: %v\n%s", err, clip(res.body))
	}
}

var (
	promSample = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$`)
	promMeta   = regexp.MustCompile(`^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$`)
)

// parsePrometheus parses the text exposition format 0.0.4 strictly
// enough for the test: every line is a HELP, a TYPE or a sample of a
// family declared before, values are floats; samples by name with
// labels.
func parsePrometheus(t *testing.T, body []byte) map[string]float64 {
	t.Helper()
	types := map[string]string{}
	out := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSuffix(string(body), "\n"), "\n") {
		if m := promMeta.FindStringSubmatch(line); m != nil {
			if m[1] == "TYPE" {
				switch m[3] {
				case "counter", "gauge", "histogram", "summary", "untyped":
				default:
					t.Errorf("bad TYPE %q", line)
				}
				types[m[2]] = m[3]
			}
			continue
		}
		m := promSample.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a sample line: %q", line)
			continue
		}
		name := m[1]
		fam := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b := strings.TrimSuffix(name, suf); b != name && types[b] == "histogram" {
				fam = b
			}
		}
		if types[fam] == "" {
			t.Errorf("sample %q has no TYPE before it", line)
		}
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Errorf("sample %q: %v", line, err)
		}
		out[name+m[2]] = v
	}
	return out
}
