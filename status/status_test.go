package status

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/vhost"
)

func TestAprG(t *testing.T) {
	for _, c := range []struct {
		f    float64
		prec int
		want string
	}{
		{0, 6, "0"}, {1, 6, "1"}, {0.5, 6, ".5"}, {2.25, 6, "2.25"}, {1.0 / 3, 6, ".333333"},
		{-0.5, 6, "-.5"}, {1234567, 6, "1.23457e+6"}, {0.00001, 6, "1e-5"}, {12.345, 3, "12.3"},
		{1e20, 6, "1e+20"},
	} {
		if got := aprG(c.f, c.prec); got != c.want {
			t.Errorf("aprG(%v, %d) = %q, want %q", c.f, c.prec, got, c.want)
		}
	}
}

func TestShowTime(t *testing.T) {
	for secs, want := range map[int64]string{
		0: "", 1: " 1 second", 61: " 1 minute 1 second", 3600: " 1 hour",
		2*86400 + 2*3600 + 5: " 2 days 2 hours 5 seconds",
	} {
		if got := showTime(secs); got != want {
			t.Errorf("showTime(%d) = %q, want %q", secs, got, want)
		}
	}
}

func TestByteOut(t *testing.T) {
	for _, c := range []struct {
		n          int64
		byt, kbyte string
	}{
		{0, "0 B", "0 kB"}, {1024, "1024 B", "1.0 MB"}, {5 * 1024, "5.0 kB", "5.0 MB"},
		{600 * 1024, "0.6 MB", "600.0 MB"}, {3 << 30, "3.0 GB", "3072.0 GB"},
	} {
		if got := byteOut(c.n); got != c.byt {
			t.Errorf("byteOut(%d) = %q, want %q", c.n, got, c.byt)
		}
		if got := kbyteOut(c.n); c.n < 1024 && got != c.kbyte {
			t.Errorf("kbyteOut(%d) = %q, want %q", c.n, got, c.kbyte)
		}
	}
}

func TestParseOptions(t *testing.T) {
	for args, want := range map[string]options{
		"":               {},
		"auto":           {auto: true},
		"refresh=3":      {refresh: "3"},
		"refresh":        {refresh: "10"},
		"refresh=x":      {refresh: "10"},
		"refresh=-4":     {refresh: "10"},
		"notable&auto":   {notable: true, auto: true},
		"x=autorefresh=": {auto: true, refresh: "10"},
	} {
		if got := parseOptions(args); got != want {
			t.Errorf("parseOptions(%q) = %+v, want %+v", args, got, want)
		}
	}
}

// recordN counts n requests of host h with status and duration.
func recordN(rc *Recorder, h *vhost.Host, n, code int, bytes int64, d time.Duration) {
	for range n {
		r := &vhost.Request{Host: h, Start: time.Now().Add(-d), Response: &vhost.Response{Status: code, Bytes: bytes}}
		rc.Record(r)
	}
}

func TestCountersKeepAcrossGenerations(t *testing.T) {
	s := New()
	a := &vhost.Host{Hostname: "a.test"}
	b := &vhost.Host{Hostname: "b.test", Port: 8080}
	rc := s.Recorder()
	recordN(rc, a, 3, 200, 100, time.Millisecond)
	recordN(rc, b, 2, 404, 10, 30*time.Millisecond)
	s.Reloaded()
	a2 := &vhost.Host{Hostname: "a.test"} // the same host in the new generation
	recordN(s.Recorder(), a2, 1, 503, 0, 2*time.Second)
	sn := s.snapshot()
	if sn.accesses != 6 || sn.bytes != 320 || sn.reloads != 1 {
		t.Errorf("accesses %d bytes %d reloads %d, want 6 320 1", sn.accesses, sn.bytes, sn.reloads)
	}
	if sn.classes != [6]uint64{0, 0, 3, 0, 2, 1} {
		t.Errorf("classes %v", sn.classes)
	}
	want := []hostSnapshot{{"a.test", 4, 300}, {"b.test:8080", 2, 20}}
	if len(sn.hosts) != 2 || sn.hosts[0] != want[0] || sn.hosts[1] != want[1] {
		t.Errorf("hosts %+v, want %+v", sn.hosts, want)
	}
	// 1ms in le=0.005, 30ms in le=0.05, 2s in le=2.5.
	if sn.buckets[0] != 3 || sn.buckets[3] != 2 || sn.buckets[8] != 1 {
		t.Errorf("buckets %v", sn.buckets)
	}
}

// TestHTTP2Duration: mod_status's Total Duration counts no time of an
// HTTP/2 stream (Apache's scoreboard does not), the metrics' sum does.
func TestHTTP2Duration(t *testing.T) {
	s := New()
	rc := s.Recorder()
	h := &vhost.Host{Hostname: "a.test"}
	rc.Record(&vhost.Request{Host: h, HTTP: &http.Request{ProtoMajor: 1}, Start: time.Now().Add(-100 * time.Millisecond)})
	rc.Record(&vhost.Request{Host: h, HTTP: &http.Request{ProtoMajor: 2}, Start: time.Now().Add(-time.Second)})
	sn := s.snapshot()
	if sn.apacheUS < 100000 || sn.apacheUS >= 1000000 {
		t.Errorf("mod_status duration %d µs, want the HTTP/1 request's 100 ms only", sn.apacheUS)
	}
	if sn.durationUS < 1100000 {
		t.Errorf("metrics duration %d µs, want both requests' 1.1 s", sn.durationUS)
	}
}

// autoKeys are Apache 2.4.71's ?auto keys in its order (event MPM,
// ExtendedStatus On); CPULoad comes only when CPU time was used.
var autoKeys = []string{"ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime",
	"ParentServerConfigGeneration", "ParentServerMPMGeneration", "ServerUptimeSeconds", "ServerUptime",
	"Load1", "Load5", "Load15", "Total Accesses", "Total kBytes", "Total Duration", "CPUUser", "CPUSystem",
	"CPUChildrenUser", "CPUChildrenSystem", "CPULoad", "Uptime", "ReqPerSec", "BytesPerSec", "BytesPerReq",
	"DurationPerReq", "BusyWorkers", "GracefulWorkers", "IdleWorkers", "Processes", "Stopping", "ConnsTotal",
	"ConnsAsyncWaitIO", "ConnsAsyncWriting", "ConnsAsyncKeepAlive", "ConnsAsyncClosing", "Scoreboard"}

func TestAutoKeys(t *testing.T) {
	s := New()
	s.restarted.Store(time.Now().Add(-90 * time.Second).UnixNano())
	recordN(s.Recorder(), &vhost.Host{Hostname: "a"}, 4, 200, 3000, 5*time.Millisecond)
	s.Begin()
	defer s.End()
	p := &Page{stats: s, extended: true, async: true, mpm: "event", workers: 400}
	rep := report{snapshot: s.snapshot(), serverName: "example.test", banner: "gowsgid/1", mpm: "event", built: "x", procs: 1,
		busy: 1, idle: 399, scoreboard: bytes.Repeat([]byte("_"), 400), uptime: 90, kbytes: 11}
	rep.cpu = cpuTimes{user: 1.5}
	var b bytes.Buffer
	p.writeAuto(&b, &rep)
	sc := bufio.NewScanner(&b)
	sc.Scan()
	if sc.Text() != "example.test" {
		t.Errorf("first line %q, want the server name", sc.Text())
	}
	var keys []string
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			t.Fatalf("line %q has no key", sc.Text())
		}
		keys = append(keys, k)
		if k == "ServerUptime" && v != " 1 minute 30 seconds" {
			t.Errorf("ServerUptime:%s", v)
		}
		if k == "ReqPerSec" && v != " .0444444" {
			t.Errorf("ReqPerSec:%s, want .0444444", v)
		}
	}
	if strings.Join(keys, ",") != strings.Join(autoKeys, ",") {
		t.Errorf("keys\n%v\nwant\n%v", keys, autoKeys)
	}
}

// sampleLine is a sample of the text exposition format.
var sampleLine = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? [-+0-9.eE]+|\+Inf$`)

func TestMetricsFormat(t *testing.T) {
	s := New()
	recordN(s.Recorder(), &vhost.Host{Hostname: `we"ird`}, 2, 200, 5, time.Millisecond)
	s.SetGroups(func() []Group { return []Group{{Name: "g", Processes: 2, Threads: 3, Busy: 1, Queued: 4}} })
	var b bytes.Buffer
	writeMetrics(&b, s.snapshot())
	typed := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# TYPE "):
			typed[strings.Fields(line)[2]] = true
		case strings.HasPrefix(line, "# HELP "):
		case sampleLine.MatchString(line):
			name := line[:strings.IndexAny(line, "{ ")]
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if !typed[name] && !typed[base] {
				t.Errorf("sample %q before its TYPE", line)
			}
		default:
			t.Errorf("not a line of the text format: %q", line)
		}
	}
	for _, want := range []string{`gowsgid_requests_total{code="2xx"} 2`, `gowsgid_vhost_requests_total{vhost="we\"ird"} 2`,
		`gowsgid_request_duration_seconds_bucket{le="+Inf"} 2`, `gowsgid_request_duration_seconds_count 2`,
		`gowsgid_daemon_queue_depth{group="g"} 4`, `gowsgid_daemon_busy_threads{group="g"} 1`, `gowsgid_daemon_processes{group="g"} 2`} {
		if !strings.Contains(b.String(), want+"\n") {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}

func TestServeDeclines(t *testing.T) {
	s := New()
	with := &Page{stats: s, loaded: true}
	without := &Page{stats: s}
	for _, c := range []struct {
		p       *Page
		method  string
		handler string
		want    bool
	}{
		{without, "GET", StatusHandler, false}, // mod_status not loaded: the default handler serves
		{with, "POST", StatusHandler, false},
		{with, "PUT", MetricsHandler, false},
		{without, "GET", MetricsHandler, true}, // needs no module
		{with, "GET", "wsgi-script", false},
	} {
		w := httptest.NewRecorder()
		r := &vhost.Request{Method: c.method, Handler: c.handler}
		if got := c.p.Serve(w, nil, r); got != c.want {
			t.Errorf("%s %s (mod_status %v): served %v, want %v", c.method, c.handler, c.p.loaded, got, c.want)
		}
	}
}

func TestConnState(t *testing.T) {
	s := New()
	for _, st := range []http.ConnState{http.StateNew, http.StateActive, http.StateIdle, http.StateNew, http.StateClosed,
		http.StateNew, http.StateHijacked} {
		s.ConnState(nil, st)
	}
	if n := s.snapshot().conns; n != 1 {
		t.Errorf("%d connections open, want 1", n)
	}
}

// TestConcurrentCounting counts from many goroutines while pages are
// read and the configuration reloads: no count is lost (run with -race).
func TestConcurrentCounting(t *testing.T) {
	s := New()
	const workers, each = 8, 500
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := s.Recorder() // a generation each
			h := &vhost.Host{Hostname: fmt.Sprintf("h%d.test", i%2)}
			recordN(rc, h, each, 200, 1, 0)
		}()
	}
	for range 20 {
		var b bytes.Buffer
		writeMetrics(&b, s.snapshot())
		s.Reloaded()
	}
	wg.Wait()
	sn := s.snapshot()
	if sn.accesses != workers*each || sn.classes[2] != workers*each || sn.bytes != workers*each {
		t.Errorf("accesses %d, 2xx %d, bytes %d; want %d each", sn.accesses, sn.classes[2], sn.bytes, workers*each)
	}
	if len(sn.hosts) != 2 || sn.hosts[0].requests+sn.hosts[1].requests != workers*each {
		t.Errorf("hosts %+v", sn.hosts)
	}
}
