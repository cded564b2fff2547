package status

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
	"github.com/gowsgid/gowsgid/wsgi"
)

// Handler names of SetHandler and AddHandler.
const (
	StatusHandler  = "server-status"
	MetricsHandler = "gowsgid-metrics"
)

// statusModule is mod_status's identifier: without it loaded,
// server-status is no handler and Apache serves the file.
const statusModule = "status_module"

// Page serves the status page and the metrics for one configuration.
type Page struct {
	stats *Stats
	// loaded is set when the configuration loads mod_status.
	loaded bool
	// extended is ExtendedStatus (On by default with mod_status).
	extended bool
	// mpm is the MPM the configuration loads; async is set for event.
	mpm   string
	async bool
	// workers are the scoreboard's slots: MaxRequestWorkers as the MPM
	// derives it.
	workers int
}

// Page returns the pages of the configuration cfg.
func (s *Stats) Page(cfg *confparse.Config) *Page {
	t := wsgi.EmbeddedTopology(cfg)
	p := &Page{stats: s, mpm: t.MPM, async: t.MPM == "event", workers: t.Workers(),
		extended: true}
	if cfg.Tree != nil {
		p.loaded = cfg.Tree.IsLoaded(statusModule)
	}
	if cfg.Main != nil {
		for _, n := range cfg.Main.Directives {
			if strings.EqualFold(n.Name, "ExtendedStatus") && len(n.Args()) > 0 {
				p.extended = strings.EqualFold(n.Args()[0], "on")
			}
		}
	}
	return p
}

// Serve answers a request whose handler is server-status or
// gowsgid-metrics; false when it declines it (mod_status is not loaded,
// or the method is not GET or HEAD), as Apache's handler declines.
func (p *Page) Serve(w http.ResponseWriter, h *vhost.Handler, r *vhost.Request) bool {
	if r.Method != "GET" && r.Method != "HEAD" {
		return false
	}
	switch r.Handler {
	case StatusHandler:
		if !p.loaded {
			return false
		}
		p.serveStatus(w, h, r)
	case MetricsHandler:
		p.serveMetrics(w)
	default:
		return false
	}
	return true
}

// options are the query options mod_status looks for: each is found
// anywhere in the query string, as strstr finds it.
type options struct {
	refresh       string
	auto, notable bool
}

func parseOptions(args string) options {
	var o options
	if i := strings.Index(args, "refresh"); i >= 0 {
		t := int64(0)
		if rest := args[i+len("refresh"):]; strings.HasPrefix(rest, "=") {
			t = atol(rest[1:])
		}
		if t < 1 {
			t = 10
		}
		o.refresh = strconv.FormatInt(t, 10)
	}
	o.notable = strings.Contains(args, "notable")
	o.auto = strings.Contains(args, "auto")
	return o
}

// atol is C's atol: leading blanks, a sign, then digits.
func atol(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<40; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// report is what both formats of the status page show.
type report struct {
	snapshot
	uptime             int64 // seconds since the restart time
	kbytes             int64
	busy, idle         int
	cpu                cpuTimes
	load               [3]float64
	scoreboard         []byte
	connsTotal, procs  int
	serverName, viaIP  string
	banner, mpm, built string
}

func (p *Page) report(h *vhost.Handler, r *vhost.Request) report {
	rep := report{snapshot: p.stats.snapshot(), mpm: p.mpm, built: serverBuilt(), procs: 1}
	rep.uptime = int64(rep.now.Sub(rep.restarted) / time.Second)
	if rep.uptime < 0 {
		rep.uptime = 0
	}
	rep.kbytes = int64(rep.bytes >> 10)
	rep.busy = int(rep.inFlight)
	rep.connsTotal = int(max(rep.conns, 0))
	rep.idle = max(p.workers-rep.busy, 0)
	rep.cpu = readCPU()
	rep.load = loadAverage()
	rep.scoreboard = make([]byte, max(p.workers, rep.busy))
	for i := range rep.scoreboard {
		if i < rep.busy {
			rep.scoreboard[i] = 'W'
		} else {
			rep.scoreboard[i] = '_'
		}
	}
	rep.serverName = r.ServerName()
	if r.Local.IsValid() {
		rep.viaIP = r.Local.Addr().String()
	}
	rep.banner = h.Table.Banner
	return rep
}

// serveStatus is mod_status's status_handler.
func (p *Page) serveStatus(w http.ResponseWriter, h *vhost.Handler, r *vhost.Request) {
	o := parseOptions(r.Args)
	rep := p.report(h, r)
	var b bytes.Buffer
	ctype := "text/html; charset=ISO-8859-1"
	if o.auto {
		ctype = "text/plain; charset=ISO-8859-1"
		p.writeAuto(&b, &rep)
	} else {
		p.writeHTML(&b, &rep, o, h.Signature(r, "<hr />\n"))
	}
	hdr := w.Header()
	if o.refresh != "" {
		hdr.Set("Refresh", o.refresh)
	}
	hdr.Set("Content-Type", ctype)
	hdr.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != "HEAD" {
		w.Write(b.Bytes())
	}
}

// writeAuto writes the machine-readable report (?auto).
func (p *Page) writeAuto(b *bytes.Buffer, rep *report) {
	fmt.Fprintf(b, "%s\n", rep.serverName)
	fmt.Fprintf(b, "ServerVersion: %s\nServerMPM: %s\nServer Built: %s\n", rep.banner, rep.mpm, rep.built)
	fmt.Fprintf(b, "CurrentTime: %s\nRestartTime: %s\n", htTime(rep.now), htTime(rep.restarted))
	fmt.Fprintf(b, "ParentServerConfigGeneration: %d\nParentServerMPMGeneration: %d\n", rep.reloads+1, rep.reloads)
	fmt.Fprintf(b, "ServerUptimeSeconds: %d\nServerUptime:%s\n", rep.uptime, showTime(rep.uptime))
	fmt.Fprintf(b, "Load1: %.2f\nLoad5: %.2f\nLoad15: %.2f\n", rep.load[0], rep.load[1], rep.load[2])
	if p.extended {
		fmt.Fprintf(b, "Total Accesses: %d\nTotal kBytes: %d\nTotal Duration: %d\n", rep.accesses, rep.kbytes, rep.apacheUS/1000)
		c := rep.cpu
		fmt.Fprintf(b, "CPUUser: %s\nCPUSystem: %s\nCPUChildrenUser: %s\nCPUChildrenSystem: %s\n",
			aprG(c.user, 6), aprG(c.system, 6), aprG(c.childUser, 6), aprG(c.childSystem, 6))
		if cpu := c.total(); cpu > 0 {
			fmt.Fprintf(b, "CPULoad: %s\n", aprG(cpu/float64(rep.uptime)*100, 6))
		}
		fmt.Fprintf(b, "Uptime: %d\n", rep.uptime)
		if rep.uptime > 0 {
			fmt.Fprintf(b, "ReqPerSec: %s\n", aprG(float64(float32(rep.accesses)/float32(rep.uptime)), 6))
			fmt.Fprintf(b, "BytesPerSec: %s\n", aprG(float64(1024*float32(rep.kbytes)/float32(rep.uptime)), 6))
		}
		if rep.accesses > 0 {
			fmt.Fprintf(b, "BytesPerReq: %s\n", aprG(float64(1024*float32(rep.kbytes)/float32(rep.accesses)), 6))
			fmt.Fprintf(b, "DurationPerReq: %s\n", aprG(float64(float32(rep.apacheUS/1000)/float32(rep.accesses)), 6))
		}
	}
	fmt.Fprintf(b, "BusyWorkers: %d\nGracefulWorkers: %d\nIdleWorkers: %d\n", rep.busy, 0, rep.idle)
	if p.async {
		fmt.Fprintf(b, "Processes: %d\nStopping: %d\nConnsTotal: %d\nConnsAsyncWaitIO: %d\nConnsAsyncWriting: %d\nConnsAsyncKeepAlive: %d\nConnsAsyncClosing: %d\n",
			rep.procs, 0, rep.connsTotal, 0, 0, 0, 0)
	}
	fmt.Fprintf(b, "Scoreboard: %s\n", rep.scoreboard)
}

// writeHTML writes the status page.
func (p *Page) writeHTML(b *bytes.Buffer, rep *report, o options, signature string) {
	b.WriteString(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">` + "\n" +
		"<html><head>\n<title>Apache Status</title>\n</head><body>\n<h1>Apache Server Status for ")
	fmt.Fprintf(b, "%s (via %s)</h1>\n\n", escapeHTML(rep.serverName), rep.viaIP)
	fmt.Fprintf(b, "<dl><dt>Server Version: %s</dt>\n<dt>Server MPM: %s</dt>\n", rep.banner, rep.mpm)
	fmt.Fprintf(b, "<dt>Server Built: %s\n</dt></dl><hr /><dl>\n", rep.built)
	fmt.Fprintf(b, "<dt>Current Time: %s</dt>\n<dt>Restart Time: %s</dt>\n", htTime(rep.now), htTime(rep.restarted))
	fmt.Fprintf(b, "<dt>Parent Server Config. Generation: %d</dt>\n<dt>Parent Server MPM Generation: %d</dt>\n", rep.reloads+1, rep.reloads)
	fmt.Fprintf(b, "<dt>Server uptime: %s</dt>\n", showTime(rep.uptime))
	fmt.Fprintf(b, "<dt>Server load: %.2f %.2f %.2f</dt>\n", rep.load[0], rep.load[1], rep.load[2])
	if p.extended {
		fmt.Fprintf(b, "<dt>Total accesses: %d - Total Traffic: %s - Total Duration: %d</dt>\n",
			rep.accesses, kbyteOut(rep.kbytes), rep.apacheUS/1000)
		c := rep.cpu
		fmt.Fprintf(b, "<dt>CPU Usage: u%s s%s cu%s cs%s", aprG(c.user, 6), aprG(c.system, 6), aprG(c.childUser, 6), aprG(c.childSystem, 6))
		if cpu := c.total(); cpu > 0 {
			fmt.Fprintf(b, " - %s%% CPU load</dt>\n", aprG(cpu/float64(rep.uptime)*100, 3))
		} else {
			b.WriteString("</dt>\n")
		}
		b.WriteString("<dt>")
		if rep.uptime > 0 {
			fmt.Fprintf(b, "%s requests/sec - %s/second", aprG(float64(float32(rep.accesses)/float32(rep.uptime)), 3),
				byteOut(int64(1024*float32(rep.kbytes)/float32(rep.uptime))))
		}
		if rep.accesses > 0 {
			if rep.uptime > 0 {
				b.WriteString(" - ")
			}
			fmt.Fprintf(b, "%s/request - %s ms/request", byteOut(int64(1024*float32(rep.kbytes)/float32(rep.accesses))),
				aprG(float64(float32(rep.apacheUS/1000)/float32(rep.accesses)), 6))
		}
		b.WriteString("</dt>\n")
	}
	fmt.Fprintf(b, "<dt>%d requests currently being processed, %d workers gracefully restarting, %d idle workers</dt>\n", rep.busy, 0, rep.idle)
	b.WriteString("</dl>")
	if p.async {
		b.WriteString("\n\n<table rules=\"all\" cellpadding=\"1%\">\n" +
			"<tr><th rowspan=\"2\">Slot</th><th rowspan=\"2\">PID</th><th rowspan=\"2\">Stopping</th><th colspan=\"2\">Connections</th>\n" +
			"<th colspan=\"3\">Threads</th><th colspan=\"4\">Async connections</th></tr>\n" +
			"<tr><th>total</th><th>accepting</th><th>busy</th><th>graceful</th><th>idle</th><th>wait-io</th><th>writing</th><th>keep-alive</th><th>closing</th></tr>\n")
		fmt.Fprintf(b, "<tr><td>0</td><td>%d</td><td>no</td><td>%d</td><td>yes</td><td>%d</td><td>0</td><td>%d</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>\n",
			os.Getpid(), rep.connsTotal, rep.busy, rep.idle)
		fmt.Fprintf(b, "<tr><td>Sum</td><td>%d</td><td>0</td><td>%d</td><td>&nbsp;</td><td>%d</td><td>0</td><td>%d</td><td>0</td><td>0</td><td>0</td><td>0</td></tr>\n</table>\n",
			rep.procs, rep.connsTotal, rep.busy, rep.idle)
	}
	b.WriteString("<pre>")
	for i, c := range rep.scoreboard {
		b.WriteByte(c)
		if i%64 == 63 {
			b.WriteByte('\n')
		}
	}
	b.WriteString(scoreboardKey)
	if !p.extended {
		b.WriteString("PID Key: <br />\n<pre>\n")
		pid, k := os.Getpid(), 0
		for _, c := range rep.scoreboard {
			fmt.Fprintf(b, "   %d in state: %c ", pid, c)
			if k++; k >= 3 {
				b.WriteString("\n")
				k = 0
			} else {
				b.WriteString(",")
			}
		}
		b.WriteString("\n</pre>\n")
		b.WriteString("<hr />To obtain a full report with current status information you need to use the <code>ExtendedStatus On</code> directive.\n")
	} else if o.notable {
		// gowsgid keeps no per-worker records: the details list is
		// empty.
		b.WriteString("<hr /><h2>Server Details</h2>\n\n")
	} else {
		b.WriteString(workerTable)
	}
	b.WriteString(signature)
	b.WriteString("</body></html>\n")
}

const scoreboardKey = "</pre>\n<p>Scoreboard Key:<br />\n" +
	"\"<b><code>_</code></b>\" Waiting for Connection, \n" +
	"\"<b><code>S</code></b>\" Starting up, \n" +
	"\"<b><code>R</code></b>\" Reading Request,<br />\n" +
	"\"<b><code>W</code></b>\" Sending Reply, \n" +
	"\"<b><code>K</code></b>\" Keepalive (read), \n" +
	"\"<b><code>D</code></b>\" DNS Lookup,<br />\n" +
	"\"<b><code>C</code></b>\" Closing connection, \n" +
	"\"<b><code>L</code></b>\" Logging, \n" +
	"\"<b><code>G</code></b>\" Gracefully finishing,<br /> \n" +
	"\"<b><code>I</code></b>\" Idle cleanup of worker, \n" +
	"\"<b><code>.</code></b>\" Open slot with no current process<br />\n" +
	"</p>\n"

// workerTable is ExtendedStatus's table with its legend; gowsgid keeps
// no per-worker records, so it has no rows.
const workerTable = "\n\n<table border=\"0\"><tr><th>Srv</th><th>PID</th><th>Acc</th><th>M</th><th>CPU\n</th>" +
	"<th>SS</th><th>Req</th><th>Dur</th><th>Conn</th><th>Child</th><th>Slot</th><th>Client</th><th>Protocol</th><th>VHost</th><th>Request</th></tr>\n\n" +
	"</table>\n <hr /> <table>\n" +
	" <tr><th>Srv</th><td>Child Server number - generation</td></tr>\n" +
	" <tr><th>PID</th><td>OS process ID</td></tr>\n" +
	" <tr><th>Acc</th><td>Number of accesses this connection / this child / this slot</td></tr>\n" +
	" <tr><th>M</th><td>Mode of operation</td></tr>\n" +
	"<tr><th>CPU</th><td>CPU usage, number of seconds</td></tr>\n" +
	"<tr><th>SS</th><td>Seconds since beginning of most recent request</td></tr>\n" +
	" <tr><th>Req</th><td>Milliseconds required to process most recent request</td></tr>\n" +
	" <tr><th>Dur</th><td>Sum of milliseconds required to process all requests</td></tr>\n" +
	" <tr><th>Conn</th><td>Kilobytes transferred this connection</td></tr>\n" +
	" <tr><th>Child</th><td>Megabytes transferred this child</td></tr>\n" +
	" <tr><th>Slot</th><td>Total megabytes transferred this slot</td></tr>\n" +
	" </table>\n"

// htTime is ap_ht_time with DEFAULT_TIME_FORMAT in local time.
func htTime(t time.Time) string { return t.Local().Format("Monday, 02-Jan-2006 15:04:05 MST") }

// showTime is mod_status's show_time: " 1 day 2 hours 3 minutes 4
// seconds", leaving out what is zero.
func showTime(secs int64) string {
	var b strings.Builder
	parts := []struct {
		n    int64
		unit string
	}{{secs / 86400, "day"}, {secs / 3600 % 24, "hour"}, {secs / 60 % 60, "minute"}, {secs % 60, "second"}}
	for _, p := range parts {
		if p.n == 0 {
			continue
		}
		fmt.Fprintf(&b, " %d %s", p.n, p.unit)
		if p.n != 1 {
			b.WriteByte('s')
		}
	}
	return b.String()
}

// byteOut is mod_status's format_byte_out.
func byteOut(n int64) string {
	switch {
	case n < 5*1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024/2:
		return fmt.Sprintf("%.1f kB", float32(n)/1024)
	case n < 1024*1024*1024/2:
		return fmt.Sprintf("%.1f MB", float32(n)/(1024*1024))
	}
	return fmt.Sprintf("%.1f GB", float32(n)/(1024*1024*1024))
}

// kbyteOut is mod_status's format_kbyte_out.
func kbyteOut(kb int64) string {
	switch {
	case kb < 1024:
		return fmt.Sprintf("%d kB", kb)
	case kb < 1024*1024:
		return fmt.Sprintf("%.1f MB", float32(kb)/1024)
	}
	return fmt.Sprintf("%.1f GB", float32(kb)/(1024*1024))
}

// aprG is APR's %.Ng (apr_gcvt): C's %g without the 0 before the point
// (".5") and with the exponent's digits unpadded ("1.5e+6").
func aprG(f float64, prec int) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	s := strconv.FormatFloat(f, 'g', prec, 64)
	if e := strings.IndexByte(s, 'e'); e >= 0 {
		exp := s[e+2:]
		for len(exp) > 1 && exp[0] == '0' {
			exp = exp[1:]
		}
		s = s[:e+2] + exp
	}
	switch {
	case strings.HasPrefix(s, "0."):
		s = s[1:]
	case strings.HasPrefix(s, "-0."):
		s = "-" + s[2:]
	}
	return s
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;").Replace(s)
}

// serverBuilt is what Apache shows as its build time: the commit time
// the binary was built from, else the executable's modification time.
var serverBuilt = sync.OnceValue(func() string {
	const layout = "2006-01-02T15:04:05"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.time" {
				if t, err := time.Parse(time.RFC3339, s.Value); err == nil {
					return t.Local().Format(layout)
				}
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			return fi.ModTime().Local().Format(layout)
		}
	}
	return "unknown"
})

// cpuTimes are the CPU seconds of the process and its finished
// children, in clock ticks as Apache reads them from times(2).
type cpuTimes struct {
	user, system, childUser, childSystem float64
}

func (c cpuTimes) total() float64 { return c.user + c.system + c.childUser + c.childSystem }

func readCPU() cpuTimes {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	return cpuTimes{ticks(self.Utime), ticks(self.Stime), ticks(children.Utime), ticks(children.Stime)}
}

// ticks rounds a CPU time down to 1/100 s, times(2)'s resolution.
func ticks(tv syscall.Timeval) float64 {
	us := int64(tv.Sec)*1e6 + int64(tv.Usec)
	return float64(us/10000) / 100
}

// loadAverage reads /proc/loadavg (zeros where there is none).
func loadAverage() [3]float64 {
	var l [3]float64
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	for i, f := range strings.Fields(string(data)) {
		if i >= 3 {
			break
		}
		l[i], _ = strconv.ParseFloat(f, 64)
	}
	return l
}
