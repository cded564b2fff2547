package wsgi

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The tests here run a daemon process group whose workers are real
// Workers (the server's protocol, its control and data connections) in
// goroutines of the test process, with an engine that answers at once.

// testEngine answers every call with 200 and its name, after its hook
// (when set) returns.
type testEngine struct {
	name string
	hook func(call *Call)
}

func (e testEngine) Run(call *Call) (Result, error) {
	if e.hook != nil {
		e.hook(call)
	}
	if err := call.Response.Start(200, "200 OK", []Header{{Name: "Content-Type", Value: "text/plain"}}); err != nil {
		return Result{}, err
	}
	return Result{}, call.Response.Write([]byte(e.name))
}

func (testEngine) Close(time.Duration) error { return nil }

// testProc is a worker "process": a Worker serving in a goroutine.
type testProc struct {
	pid     int
	control *os.File // the worker's end of its control channel
	worker  *Worker
	exited  chan struct{}
	once    sync.Once
	how     string
	// reapDelay delays Wait past the exit, as a privileged helper's
	// report of the exit comes later.
	reapDelay time.Duration
	killed    atomic.Bool
}

func (p *testProc) Pid() int { return p.pid }

func (p *testProc) Wait() string {
	<-p.exited
	time.Sleep(p.reapDelay)
	return p.how
}

func (p *testProc) Kill() {
	p.killed.Store(true)
	p.crash("terminated by signal 9")
}

// crash ends the worker as a dying process would: its control channel
// and its data connections close, and it has exited.
func (p *testProc) crash(how string) {
	syscall.Shutdown(int(p.control.Fd()), syscall.SHUT_RDWR)
	if p.worker != nil {
		p.worker.closeIdle()
	}
	p.exit(how)
}

func (p *testProc) exit(how string) {
	p.once.Do(func() { p.how = how; close(p.exited) })
}

// testSpawner starts testProcs. The first failFirst spawns after the
// first one fail; stuck workers never tell the server they are ready
// (nor read what it sends).
type testSpawner struct {
	mu        sync.Mutex
	procs     []*testProc
	spawns    int
	failAfter int // spawns after this many fail...
	failCount int // ...this many times
	stuck     bool
	reapDelay time.Duration
	// readyDelay delays each worker's start; hook runs in each call.
	readyDelay time.Duration
	hook       func(call *Call)
}

func (s *testSpawner) Spawn(opts *GroupOptions, index int) (*os.File, Proc, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spawns++
	if s.failCount > 0 && s.spawns > s.failAfter {
		s.failCount--
		return nil, nil, fmt.Errorf("fork: %w", syscall.EAGAIN)
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, err
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "control"), os.NewFile(uintptr(fds[1]), "worker-control")
	p := &testProc{pid: 100000 + s.spawns, control: theirs, exited: make(chan struct{}), reapDelay: s.reapDelay}
	s.procs = append(s.procs, p)
	if !s.stuck {
		cfg := opts.Worker
		cfg.Group, cfg.Index = opts.Name, index
		p.worker = &Worker{Config: &cfg, Engine: testEngine{fmt.Sprintf("worker %d", p.pid), s.hook}, Control: theirs,
			Log: func(string, string) {}}
		delay := s.readyDelay
		go func() {
			time.Sleep(delay)
			p.worker.Serve()
			p.exit("exited")
		}()
	}
	return ours, p, nil
}

// live counts the workers that have not exited.
func (s *testSpawner) live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, p := range s.procs {
		select {
		case <-p.exited:
		default:
			n++
		}
	}
	return n
}

func (s *testSpawner) proc(i int) *testProc {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.procs[i]
}

// testLog collects a group's log lines.
type testLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *testLog) log(level, msg string) {
	l.mu.Lock()
	l.lines = append(l.lines, level+": "+msg)
	l.mu.Unlock()
}

func (l *testLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// recorder is a Response that keeps what it is sent.
type recorder struct {
	status int
	body   strings.Builder
}

func (r *recorder) Start(status int, _ string, _ []Header) error {
	r.status = status
	return nil
}
func (r *recorder) Write(p []byte) error { r.body.Write(p); return nil }
func (r *recorder) Flush() error         { return nil }
func (r *recorder) StartFile(int, string, []Header, *os.File, int64, int64) error {
	return errors.New("no files here")
}

// startGroup starts a group of the spawner's workers (two threads
// each) and waits until every one is ready.
func startGroup(t *testing.T, s *testSpawner, processes int, connectTimeout time.Duration) (*Group, *testLog) {
	t.Helper()
	return startGroupWith(t, s, GroupOptions{Processes: processes, Threads: 2, ConnectTimeout: connectTimeout}, true)
}

// startGroupWith starts a group with opts (the test's name, timeouts
// and buffers filled in), waiting until its workers are ready if wait.
func startGroupWith(t *testing.T, s *testSpawner, opts GroupOptions, wait bool) (*Group, *testLog) {
	t.Helper()
	log := &testLog{}
	opts.Name, opts.Spawner, opts.Log = "test", s, log.log
	if opts.SocketTimeout == 0 {
		opts.SocketTimeout = 5 * time.Second
	}
	opts.HeaderBufferSize, opts.ResponseBufferSize = 32768, 65536
	g := NewGroup(opts)
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Stop(time.Second) })
	if wait {
		waitFor(t, "the workers to be ready", func() bool { return readyCount(g) == opts.Processes })
	}
	return g, log
}

func readyCount(g *Group) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := 0
	for _, p := range g.procs {
		if p.ready {
			n++
		}
	}
	return n
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// get runs one request through the group.
func get(t *testing.T, g *Group) (int, string) {
	t.Helper()
	return getPath(t, g, context.Background(), "/")
}

// getPath runs one request for path through the group, under ctx.
func getPath(t *testing.T, g *Group, ctx context.Context, path string) (int, string) {
	rec := &recorder{}
	res, err := g.Run(&Call{Script: "/srv/app.wsgi", Env: []EnvVar{{Key: "PATH_INFO", Value: path}}, Response: rec,
		Context: ctx})
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	if res.Status != 0 {
		return res.Status, ""
	}
	return rec.status, rec.body.String()
}

// pathInfo is a call's PATH_INFO.
func pathInfo(call *Call) string {
	for _, e := range call.Env {
		if e.Key == "PATH_INFO" {
			return e.Value
		}
	}
	return ""
}

// TestServerSocketFailureKeepsWorkers: when the server cannot make a
// data connection (out of descriptors), the request gets mod_wsgi's 500
// and the workers stay in service. It used to take the failure for the
// worker's and leave the group without a ready worker for good.
func TestServerSocketFailureKeepsWorkers(t *testing.T) {
	s := &testSpawner{}
	g, log := startGroup(t, s, 1, 500*time.Millisecond)
	real := g.socketpair
	g.socketpair = func() ([2]int, error) { return [2]int{}, syscall.EMFILE }
	if status, _ := get(t, g); status != 500 {
		t.Fatalf("with no descriptors left: status %d, want 500", status)
	}
	if want := "(24)Too many open files: mod_wsgi (pid="; !strings.Contains(log.String(), want) {
		t.Fatalf("the error log lacks %q:\n%s", want, log)
	}
	g.socketpair = real
	if status, body := get(t, g); status != 200 || !strings.HasPrefix(body, "worker ") {
		t.Fatalf("after the failure: %d %q, want the worker's 200\n%s", status, body, log)
	}
}

// TestStopKillsStuckWorkers: Stop returns after its timeout even when
// every worker ignores it, having killed them all (it used to wait for
// the second one without a limit).
func TestStopKillsStuckWorkers(t *testing.T) {
	s := &testSpawner{stuck: true}
	g := NewGroup(GroupOptions{Name: "test", Processes: 3, Spawner: s, Log: func(string, string) {}})
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { g.Stop(100 * time.Millisecond); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return")
	}
	for i := range 3 {
		if !s.proc(i).killed.Load() {
			t.Errorf("worker %d was not killed", i+1)
		}
	}
}

// TestNoWorkerAfterStop: a worker due to restart after a crash is not
// started once the group stopped.
func TestNoWorkerAfterStop(t *testing.T) {
	s := &testSpawner{stuck: true}
	g := NewGroup(GroupOptions{Name: "test", Processes: 1, Spawner: s, Log: func(string, string) {}})
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	// It dies before it was ever ready: its restart waits a second.
	s.proc(0).crash("exited")
	time.Sleep(100 * time.Millisecond)
	g.Stop(time.Second)
	time.Sleep(1500 * time.Millisecond)
	s.mu.Lock()
	spawns := s.spawns
	s.mu.Unlock()
	if spawns != 1 || s.live() != 0 {
		t.Fatalf("%d workers started, %d live, after the group stopped", spawns, s.live())
	}
}

// TestRespawnRetries: a worker that cannot be started again at once is
// retried until it starts, and the group serves again.
func TestRespawnRetries(t *testing.T) {
	s := &testSpawner{failAfter: 1, failCount: 2}
	g, log := startGroup(t, s, 1, 10*time.Second)
	s.proc(0).crash("terminated by signal 9")
	// Two failed starts (a second, then two, apart), then a third
	// that succeeds; the request waits for it within connect-timeout.
	if status, body := get(t, g); status != 200 {
		t.Fatalf("status %d %q, want 200\n%s", status, body, log)
	}
	if n := strings.Count(log.String(), "Couldn't spawn process 'test'"); n != 2 {
		t.Fatalf("%d failed starts logged, want 2:\n%s", n, log)
	}
}

// TestDeadWorkerNotChosen: a worker whose control channel closed (it
// died; its exit is reported later, as through the privileged helper)
// gets no request, nor do its kept connections: the request waits for
// the worker that replaces it.
func TestDeadWorkerNotChosen(t *testing.T) {
	s := &testSpawner{reapDelay: 300 * time.Millisecond}
	g, log := startGroup(t, s, 1, 10*time.Second)
	// A first request leaves a kept connection to the worker.
	if status, _ := get(t, g); status != 200 {
		t.Fatalf("first request: %d\n%s", status, log)
	}
	first := fmt.Sprintf("worker %d", s.proc(0).pid)
	s.proc(0).crash("terminated by signal 9")
	time.Sleep(50 * time.Millisecond)
	status, body := get(t, g)
	if status != 200 || body == first {
		t.Fatalf("after the crash: %d %q, want 200 from a new worker\n%s", status, body, log)
	}
}

// TestQueueIsFirstComeFirstServed: requests queued for a busy group are
// served in the order they came, not by whoever wakes first.
func TestQueueIsFirstComeFirstServed(t *testing.T) {
	gate := make(chan struct{})
	var mu sync.Mutex
	var order []string
	s := &testSpawner{hook: func(call *Call) {
		mu.Lock()
		order = append(order, pathInfo(call))
		mu.Unlock()
		if pathInfo(call) == "/first" {
			<-gate
		}
	}}
	g, log := startGroupWith(t, s, GroupOptions{Processes: 1, Threads: 1}, true)
	var wg sync.WaitGroup
	run := func(path string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if status, _ := getPath(t, g, context.Background(), path); status != 200 {
				t.Errorf("%s: status %d\n%s", path, status, log)
			}
		}()
	}
	run("/first")
	waitFor(t, "the first request to run", func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == 1 })
	var want []string
	for i := range 8 {
		path := fmt.Sprintf("/queued-%d", i)
		want = append(want, path)
		run(path)
		waitFor(t, path+" to queue", func() bool { _, _, _, queued := g.Load(); return queued == i+1 })
	}
	close(gate)
	wg.Wait()
	if got := strings.Join(order[1:], " "); got != strings.Join(want, " ") {
		t.Fatalf("served in the order %s, want %s", got, strings.Join(want, " "))
	}
}

// TestListenBacklogAsUnixSocket: listen-backlog=1 lets two requests wait
// for a busy group, as a listening Unix socket takes one connection past
// its backlog; the next gets mod_wsgi's 503 at connect-timeout.
func TestListenBacklogAsUnixSocket(t *testing.T) {
	gate := make(chan struct{})
	var started atomic.Int32
	s := &testSpawner{hook: func(call *Call) {
		if started.Add(1) == 1 {
			<-gate
		}
	}}
	g, log := startGroupWith(t, s, GroupOptions{Processes: 1, Threads: 1, ListenBacklog: 1,
		ConnectTimeout: 200 * time.Millisecond}, true)
	statuses := make(chan int, 3)
	run := func(path string) {
		go func() {
			status, _ := getPath(t, g, context.Background(), path)
			statuses <- status
		}()
	}
	run("/first")
	waitFor(t, "the first request to run", func() bool { return started.Load() == 1 })
	for i := range 2 {
		run(fmt.Sprintf("/queued-%d", i))
		waitFor(t, "a request to queue", func() bool { _, _, _, queued := g.Load(); return queued == i+1 })
	}
	if status, _ := getPath(t, g, context.Background(), "/refused"); status != 503 {
		t.Errorf("the request past the backlog: status %d, want 503\n%s", status, log)
	}
	close(gate)
	for range 3 {
		if status := <-statuses; status != 200 {
			t.Errorf("a request within the backlog: status %d, want 200\n%s", status, log)
		}
	}
}

// TestRequestsWaitForStartingWorkers: a request that comes while the
// group's workers are still starting waits for them (in mod_wsgi, in
// the daemon socket's backlog), rather than failing at connect-timeout.
func TestRequestsWaitForStartingWorkers(t *testing.T) {
	s := &testSpawner{readyDelay: 500 * time.Millisecond}
	g, log := startGroupWith(t, s, GroupOptions{Processes: 1, Threads: 1, ConnectTimeout: 100 * time.Millisecond}, false)
	if status, body := get(t, g); status != 200 {
		t.Fatalf("status %d %q, want the starting worker's 200\n%s", status, body, log)
	}
}

// TestQueueBoundedBySocketTimeout: with no worker ever ready and no
// queue-timeout, a request waits socket-timeout and gets mod_wsgi's 504.
func TestQueueBoundedBySocketTimeout(t *testing.T) {
	s := &testSpawner{stuck: true}
	g, log := startGroupWith(t, s, GroupOptions{Processes: 1, Threads: 1, ConnectTimeout: 50 * time.Millisecond,
		SocketTimeout: 300 * time.Millisecond}, false)
	start := time.Now()
	status, _ := get(t, g)
	if status != 504 || time.Since(start) < 300*time.Millisecond {
		t.Fatalf("status %d after %v, want 504 after socket-timeout", status, time.Since(start))
	}
	if want := "Timeout when reading response headers from daemon process 'test': /srv/app.wsgi"; !strings.Contains(log.String(), want) {
		t.Fatalf("the error log lacks %q:\n%s", want, log)
	}
}

// TestQueuedRequestLeavesWithItsClient: a queued request whose client
// went away gives up its place at once.
func TestQueuedRequestLeavesWithItsClient(t *testing.T) {
	s := &testSpawner{stuck: true}
	g, _ := startGroupWith(t, s, GroupOptions{Processes: 1, Threads: 1, SocketTimeout: time.Minute}, false)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan int)
	go func() { status, _ := getPath(t, g, ctx, "/"); done <- status }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the request kept waiting after its client left")
	}
	if _, _, _, queued := g.Load(); queued != 0 {
		t.Fatalf("%d requests still queued", queued)
	}
}

// TestWorkerStartsWithItsPriority: a worker starts with cpu-priority as
// its nice value (every thread it makes inherits it), and the spawner's
// own priority is left as it was.
func TestWorkerStartsWithItsPriority(t *testing.T) {
	out := t.TempDir() + "/nice"
	opts := &GroupOptions{Name: "test", Executable: "/bin/sh",
		Args: []string{"-c", `awk '{print $19}' /proc/$$/stat > "$0"`, out}}
	opts.Worker.Limits.CPUPriority = 7
	before := niceOfThread()
	control, proc, err := LocalSpawner{}.Spawn(opts, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer control.Close()
	proc.Wait()
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != "7" {
		t.Fatalf("the worker's nice value is %s, want 7", got)
	}
	if after := niceOfThread(); after != before {
		t.Fatalf("the spawner's thread went from nice %d to %d", before, after)
	}
}

// TestTimedOutCallKeepsItsSlot: a call the server gave up on (504 at
// socket-timeout) keeps its worker thread counted until the application
// returns, so the next request waits in the group's queue instead of
// going to the busy thread.
func TestTimedOutCallKeepsItsSlot(t *testing.T) {
	var mu sync.Mutex
	var events []string
	note := func(e string) { mu.Lock(); events = append(events, e); mu.Unlock() }
	s := &testSpawner{hook: func(call *Call) {
		path := pathInfo(call)
		note(path + " starts")
		if path == "/slow" {
			time.Sleep(4 * time.Second)
		}
		note(path + " ends")
	}}
	g, log := startGroupWith(t, s, GroupOptions{Processes: 1, Threads: 1, SocketTimeout: 2 * time.Second}, true)
	if status, _ := getPath(t, g, context.Background(), "/slow"); status != 504 {
		t.Fatalf("the slow call: %d, want 504 at socket-timeout\n%s", status, log)
	}
	// A second later the slow call still runs, for another second:
	// within the next request's socket-timeout (with a second to spare
	// on a loaded machine).
	time.Sleep(time.Second)
	if status, _ := getPath(t, g, context.Background(), "/next"); status != 200 {
		t.Fatalf("the next call: %d, want 200\n%s", status, log)
	}
	mu.Lock()
	defer mu.Unlock()
	if got, want := strings.Join(events, ", "), "/slow starts, /slow ends, /next starts, /next ends"; got != want {
		t.Fatalf("calls ran as %q, want %q", got, want)
	}
}

// TestStopEndsTheQueue: requests queued for a group that stops are
// answered at once (503), not left to wait out socket-timeout.
func TestStopEndsTheQueue(t *testing.T) {
	s := &testSpawner{stuck: true}
	g, _ := startGroupWith(t, s, GroupOptions{Processes: 1, Threads: 1, SocketTimeout: time.Minute}, false)
	done := make(chan int, 1)
	go func() { status, _ := get(t, g); done <- status }()
	waitFor(t, "the request to queue", func() bool { _, _, _, queued := g.Load(); return queued == 1 })
	go g.Stop(100 * time.Millisecond)
	select {
	case status := <-done:
		if status != 503 {
			t.Fatalf("status %d, want 503", status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the queued request still waits after Stop")
	}
}
