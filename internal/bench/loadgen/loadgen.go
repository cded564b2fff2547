// Package loadgen is the closed-loop HTTP/1.1 load generator of gowsgid's
// benchmark programs (make bench). It opens a fixed number of keep-alive
// connections to one address and, on each, sends one raw request, reads
// the whole response, and sends the next: a closed loop, so the offered
// load is whatever the server can answer and never queues up in the
// generator. It counts the responses by status, the requests per second
// and the latency distribution (p50, p90, p99, max) over a measured window
// that follows an unmeasured warm-up.
//
// The same generator drives every server of a comparison (gowsgid,
// Apache, nginx, uWSGI, gunicorn, ...), so whatever it costs is the same
// for all of them; compare ratios measured in one run, not absolute
// numbers across machines.
//
// A typical use:
//
//	req := loadgen.Get("/4k.bin", "bench.test")
//	res, err := loadgen.Run(ctx, loadgen.Options{
//		Addr: "127.0.0.1:8080", Request: req,
//		Conns: 16, Warmup: time.Second, Duration: 5 * time.Second,
//	})
//	if err != nil { ... }            // no connection could be made at all
//	if res.Errors > 0 || res.ByStatus[200] != res.Responses { ... }
//	fmt.Printf("%.0f req/s, p99 %v\n", res.RPS(), res.P99)
//
// The request bytes are sent verbatim: they must be a complete HTTP/1.1
// request (request line, headers, the blank line and, for a POST, exactly
// Content-Length bytes of body). Get and Post build such requests. A
// response is read by its framing: Content-Length, chunked, no body
// (HEAD, 1xx, 204, 304), or until the server closes the connection. When
// the server closes (Connection: close, an HTTP/1.0 answer without
// keep-alive, or an error), the generator reconnects and counts it in
// Reconnects; a failed exchange is counted in Errors, never as a
// response.
package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options describe one load run. Only Addr and Request are required.
type Options struct {
	// Addr is the server's "host:port" (TCP).
	Addr string
	// Request is the raw request sent again and again on every
	// connection; see Get and Post.
	Request []byte
	// Conns is the number of concurrent connections, each with one
	// request in flight at a time (default 16).
	Conns int
	// Warmup is how long the connections run before measuring starts
	// (default 0): it fills caches and lets servers spawn workers.
	Warmup time.Duration
	// Duration is the measured window (default 5s).
	Duration time.Duration
	// Timeout bounds each exchange, from the write of the request to
	// the last byte of the response (default 10s). A timeout counts
	// as an error and the connection is reopened.
	Timeout time.Duration
	// ReadBuffer is the size of each connection's read buffer
	// (default 64 KiB).
	ReadBuffer int
	// CPU, when set, reads the processor time the server has used so
	// far (benchproc.Process.CPUTime). Run reads it as the measured
	// window opens and as it closes; Result.CPU is the difference.
	CPU func() (time.Duration, error)
}

// Result is what a run measured. Only exchanges that started and ended
// inside the measured window count.
type Result struct {
	// Options are the options of the run, defaults filled in.
	Options Options
	// Responses is the number of complete responses.
	Responses int64
	// ByStatus counts the responses by status code.
	ByStatus map[int]int64
	// BodyBytes is the total size of the response bodies.
	BodyBytes int64
	// Errors counts exchanges that failed: a refused or reset
	// connection, a timeout, a malformed response.
	Errors int64
	// Reconnects counts connections reopened because the server
	// closed the previous one after a response.
	Reconnects int64
	// Elapsed is the length of the measured window.
	Elapsed time.Duration
	// CPU is the server's processor time over the measured window,
	// when Options.CPU was set.
	CPU time.Duration
	// P50, P90, P99 and Max are latencies of the responses: from the
	// first byte written to the last byte read (within 1.6%).
	P50, P90, P99, Max time.Duration

	hist *Histogram
}

// RPS is the number of responses per second of the measured window.
func (r *Result) RPS() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Responses) / r.Elapsed.Seconds()
}

// CPUPerResponse is the server's processor time per response of the
// measured window (0 when it was not measured).
func (r *Result) CPUPerResponse() time.Duration {
	if r.Responses == 0 {
		return 0
	}
	return r.CPU / time.Duration(r.Responses)
}

// FormatCPU prints a CPU time per response in microseconds, or "-" for
// none measured (a run cut short, or no Options.CPU).
func FormatCPU(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
}

// Percentile returns the latency below which the fraction q (0 < q <= 1)
// of the responses fall.
func (r *Result) Percentile(q float64) time.Duration {
	return r.hist.Percentile(q)
}

// String is a one-line summary: req/s, latencies, statuses, errors.
func (r *Result) String() string {
	return fmt.Sprintf("%.0f req/s, p50 %v, p99 %v, %d responses %v, %d errors, %d reconnects",
		r.RPS(), r.P50, r.P99, r.Responses, r.ByStatus, r.Errors, r.Reconnects)
}

// ErrNoConnection is returned by Run when not one connection could be
// opened to the address.
var ErrNoConnection = errors.New("loadgen: no connection could be opened")

// Run drives the load described by o until the warm-up and the measured
// window have passed, or ctx is done (then the window is cut short and
// the result covers the part that ran). It returns an error only when
// the options are unusable or no connection could ever be made; a
// server that fails some requests shows in Result.Errors and ByStatus.
func Run(ctx context.Context, o Options) (*Result, error) {
	o = withDefaults(o)
	if o.Addr == "" || len(o.Request) == 0 {
		return nil, errors.New("loadgen: Options.Addr and Options.Request are required")
	}
	head, err := requestIsHead(o.Request)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &window{base: time.Now()}
	w.start.Store(int64(o.Warmup))
	w.end.Store(int64(o.Warmup + o.Duration))
	stats := make([]*connStats, o.Conns)
	var wg sync.WaitGroup
	for i := range stats {
		stats[i] = newConnStats()
		wg.Add(1)
		go func(s *connStats) {
			defer wg.Done()
			(&worker{o: o, head: head, w: w, s: s}).loop(ctx)
		}(stats[i])
	}
	cpu, err := measureWindow(ctx, o, w)
	cancel()
	wg.Wait()
	if err != nil {
		return nil, err
	}
	r, err := collect(o, w, stats)
	if r != nil {
		r.CPU = cpu
	}
	return r, err
}

// measureWindow waits out the warm-up and the measured window (or ctx),
// reading the server's processor time at both edges when o.CPU is set.
func measureWindow(ctx context.Context, o Options, w *window) (time.Duration, error) {
	var cpuStart time.Duration
	edges := []time.Duration{o.Warmup, o.Warmup + o.Duration}
	for i, edge := range edges {
		select {
		case <-time.After(time.Until(w.base.Add(edge))):
		case <-ctx.Done():
			w.end.Store(int64(time.Since(w.base)))
			return 0, nil // cut short: no CPU figure
		}
		if o.CPU == nil {
			continue
		}
		t, err := o.CPU()
		if err != nil {
			return 0, fmt.Errorf("loadgen: reading the server's CPU time: %w", err)
		}
		if i == 0 {
			cpuStart = t
		} else {
			return t - cpuStart, nil
		}
	}
	return 0, nil
}

func withDefaults(o Options) Options {
	if o.Conns <= 0 {
		o.Conns = 16
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.ReadBuffer <= 0 {
		o.ReadBuffer = 64 << 10
	}
	return o
}

// collect merges the connections' counts into one Result.
func collect(o Options, w *window, stats []*connStats) (*Result, error) {
	r := &Result{Options: o, ByStatus: map[int]int64{}, hist: NewHistogram()}
	connected := false
	for _, s := range stats {
		connected = connected || s.connected
		r.Responses += s.responses
		r.BodyBytes += s.bodyBytes
		r.Errors += s.errors
		r.Reconnects += s.reconnects
		for code, n := range s.byStatus {
			r.ByStatus[code] += n
		}
		r.hist.Merge(s.hist)
	}
	if !connected {
		return nil, fmt.Errorf("%w to %s", ErrNoConnection, o.Addr)
	}
	start := time.Duration(w.start.Load())
	r.Elapsed = time.Duration(w.end.Load()) - start
	r.P50, r.P90, r.P99 = r.hist.Percentile(0.50), r.hist.Percentile(0.90), r.hist.Percentile(0.99)
	r.Max = r.hist.Max()
	return r, nil
}

// window is the measured interval, as offsets from base.
type window struct {
	base       time.Time
	start, end atomic.Int64
}

// measured is whether an exchange from began to done (offsets from
// base) lies inside the window.
func (w *window) measured(began, done time.Duration) bool {
	return int64(began) >= w.start.Load() && int64(done) <= w.end.Load()
}

// connStats are one connection's counts; only its worker writes them.
type connStats struct {
	connected                                bool
	responses, bodyBytes, errors, reconnects int64
	byStatus                                 map[int]int64
	hist                                     *Histogram
}

func newConnStats() *connStats {
	return &connStats{byStatus: map[int]int64{}, hist: NewHistogram()}
}

// worker runs one connection's closed loop.
type worker struct {
	o    Options
	head bool
	w    *window
	s    *connStats
	br   *bufio.Reader
	// mu guards conn: the context's cancellation closes it from
	// another goroutine to end a blocked read.
	mu   sync.Mutex
	conn net.Conn
}

func (k *worker) loop(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { k.closeConn() })
	defer stop()
	defer k.closeConn()
	for ctx.Err() == nil {
		if time.Since(k.w.base) >= time.Duration(k.w.end.Load()) {
			return
		}
		if k.conn == nil && !k.dial(ctx) {
			continue
		}
		k.exchange(ctx)
	}
}

// dial opens the connection; after a failure it waits a little so a
// server that is down is not hammered.
func (k *worker) dial(ctx context.Context) bool {
	d := net.Dialer{Timeout: k.o.Timeout}
	c, err := d.DialContext(ctx, "tcp", k.o.Addr)
	if err != nil {
		if ctx.Err() == nil {
			k.s.errors++
			time.Sleep(10 * time.Millisecond)
		}
		return false
	}
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	k.mu.Lock()
	k.conn = c
	k.mu.Unlock()
	k.s.connected = true
	if k.br == nil {
		k.br = bufio.NewReaderSize(c, k.o.ReadBuffer)
	} else {
		k.br.Reset(c)
	}
	return true
}

// closeConn closes the connection, from any goroutine.
func (k *worker) closeConn() {
	k.mu.Lock()
	if k.conn != nil {
		k.conn.Close()
	}
	k.mu.Unlock()
}

// dropConn closes the connection and forgets it: the next exchange
// dials anew.
func (k *worker) dropConn() {
	k.mu.Lock()
	k.conn.Close()
	k.conn = nil
	k.mu.Unlock()
}

// exchange sends the request once and reads the response.
func (k *worker) exchange(ctx context.Context) {
	began := time.Since(k.w.base)
	k.conn.SetDeadline(k.w.base.Add(began + k.o.Timeout))
	var resp response
	_, err := k.conn.Write(k.o.Request)
	if err == nil {
		resp, err = readResponse(k.br, k.head)
	}
	done := time.Since(k.w.base)
	if err != nil {
		if ctx.Err() == nil && k.w.measured(began, done) {
			k.s.errors++
		}
		k.dropConn()
		return
	}
	if k.w.measured(began, done) {
		k.s.responses++
		k.s.bodyBytes += resp.bodyLen
		k.s.byStatus[resp.status]++
		k.s.hist.Record(done - began)
	}
	if resp.close {
		k.dropConn()
		if k.w.measured(began, done) {
			k.s.reconnects++
		}
	}
}

// requestIsHead checks that req starts with a request line and says
// whether its method is HEAD (whose responses carry no body).
func requestIsHead(req []byte) (bool, error) {
	sp := -1
	for i, c := range req {
		if c == ' ' {
			sp = i
			break
		}
		if c == '\r' || c == '\n' {
			break
		}
	}
	if sp <= 0 {
		return false, errors.New("loadgen: Options.Request does not start with a request line")
	}
	return string(req[:sp]) == "HEAD", nil
}

// Get returns a keep-alive HTTP/1.1 GET request for target with Host
// host and any further header lines ("Name: value").
func Get(target, host string, headers ...string) []byte {
	return Request("GET", target, host, nil, headers...)
}

// Post returns a keep-alive HTTP/1.1 POST request with body, its
// Content-Length and a Content-Type of application/octet-stream unless
// headers name another.
func Post(target, host string, body []byte, headers ...string) []byte {
	typed := false
	for _, h := range headers {
		if len(h) > 13 && equalFold(h[:13], "content-type:") {
			typed = true
		}
	}
	if !typed {
		headers = append(headers, "Content-Type: application/octet-stream")
	}
	return Request("POST", target, host, body, headers...)
}

// Request returns a raw HTTP/1.1 request: the request line, Host, the
// header lines given, Content-Length when body is not nil, and the body.
func Request(method, target, host string, body []byte, headers ...string) []byte {
	b := []byte(method + " " + target + " HTTP/1.1\r\nHost: " + host + "\r\n")
	for _, h := range headers {
		b = append(b, h...)
		b = append(b, "\r\n"...)
	}
	if body != nil {
		b = append(b, "Content-Length: "+strconv.Itoa(len(body))+"\r\n"...)
	}
	b = append(b, "\r\n"...)
	return append(b, body...)
}
