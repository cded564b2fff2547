package wsgi

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/aprerr"
)

// GroupOptions are a WSGIDaemonProcess group's settings, resolved.
type GroupOptions struct {
	Name               string
	Processes, Threads int
	ProcessesSet       bool
	DisplayName        string // argv[0] of the workers ("" keeps the binary's)
	// Credential is who the workers run as (nil: the server's user).
	Credential *syscall.Credential
	// Env is the workers' environment.
	Env []string
	// QueueTimeout and ConnectTimeout are mod_wsgi's queue-timeout and
	// connect-timeout.
	QueueTimeout, ConnectTimeout time.Duration
	// SocketTimeout bounds each wait for the worker's response
	// (socket-timeout, else Apache's Timeout).
	SocketTimeout time.Duration
	// HeaderBufferSize is the longest response header line a worker may
	// send; ResponseBufferSize how much of a response is passed on
	// before a flush to the client.
	HeaderBufferSize, ResponseBufferSize int
	// ListenBacklog is how many requests may wait for a busy group; more
	// wait as for a daemon socket whose backlog is full (connect-timeout,
	// then 503).
	ListenBacklog int
	// SendBufferSize and ReceiveBufferSize size the data connections'
	// socket buffers (0: the system's).
	SendBufferSize, ReceiveBufferSize int
	// Worker is the configuration handed to each worker.
	Worker WorkerConfig
	// Executable and Args start a worker (the gowsgid binary and its
	// hidden worker subcommand).
	Executable string
	Args       []string
	// Spawner starts the workers; nil starts them from this process.
	Spawner Spawner
	// ErrorLog is handed to the workers as their fd 4 (nil: stderr);
	// ServerLogFiles as fds 5 and up, the other files of
	// Worker.ServerLogs (SetServerLogs).
	ErrorLog       *os.File
	ServerLogFiles []*os.File
	// logIndex is each server's entry in Worker.ServerLogs; logByKey
	// the same by serverKey, for a request of the configuration before
	// a graceful restart, which a successor group serves.
	logIndex map[*confparse.Server]int
	logByKey map[string]int
	// Log writes the group's messages to the server's error log, as
	// Apache's parent process logs them; DaemonLog (nil: Log) those
	// that mod_wsgi's daemon process writes, to the log of the server
	// that defined the group.
	Log, DaemonLog func(level, msg string)
}

// Group is a daemon process group: its worker processes, restarted
// when they die, and the dispatch of requests to them. It is an Engine.
type Group struct {
	opts GroupOptions

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when a process frees up or starts
	procs   []*process
	stopped bool
	// retired is set by Retire: the group's configuration was replaced,
	// by successor's when it has a group of the same name.
	retired   bool
	successor *Group
	// queue holds the requests waiting for a worker, first come first
	// served: at most listen-backlog of them, as mod_wsgi's daemon
	// socket holds that many connections no process accepted yet.
	queue []*waiter
	// scripts are the modification times of the scripts the group has
	// run, for WSGIScriptReloading: a changed one restarts the group.
	scripts map[string]int64
	// socketpair makes a data connection's two ends (tests fail it).
	socketpair func() ([2]int, error)
}

// process is one worker.
type process struct {
	index    int
	proc     Proc
	control  *os.File
	ready    bool
	wasReady bool // it was ready once
	retiring bool
	dead     bool // exited
	inflight int
	// idle are the data connections waiting for a request.
	idle   []*dataConn
	exited chan struct{}
}

// closeIdle closes p's kept data connections; g.mu is held.
func (p *process) closeIdle() {
	for _, dc := range p.idle {
		dc.conn.Close()
	}
	p.idle = nil
}

// NewGroup returns a group; Start starts its workers.
func NewGroup(opts GroupOptions) *Group {
	if opts.Processes < 1 {
		opts.Processes = 1
	}
	if opts.Threads < 1 {
		opts.Threads = 1
	}
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = 15 * time.Second
	}
	if opts.ListenBacklog <= 0 {
		opts.ListenBacklog = 100
	}
	return &Group{opts: opts, changed: make(chan struct{}), scripts: map[string]int64{},
		socketpair: func() ([2]int, error) {
			return syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
		}}
}

// Start starts the group's processes. If one cannot start, those that
// did are stopped: the caller drops the group.
func (g *Group) Start() error {
	for i := 1; i <= g.opts.Processes; i++ {
		if err := g.spawn(i, 0); err != nil {
			g.Stop(0)
			return err
		}
	}
	return nil
}

// waiter is a request in the group's queue.
type waiter struct {
	// p is the worker whose slot the request was given; given is
	// closed when it is set, or when the group stops (p stays nil).
	p     *process
	given chan struct{}
}

// notify hands free worker slots to the queued requests in their order,
// and wakes the requests waiting for room in the queue; g.mu is held.
func (g *Group) notify() {
	for len(g.queue) > 0 {
		p := g.freeProcess()
		if p == nil {
			break
		}
		p.inflight++
		w := g.queue[0]
		g.queue[0] = nil
		g.queue = g.queue[1:]
		w.p = p
		close(w.given)
	}
	close(g.changed)
	g.changed = make(chan struct{})
}

// freeProcess is the ready worker with the most free threads, or nil;
// g.mu is held.
func (g *Group) freeProcess() *process {
	var best *process
	for _, p := range g.procs {
		if p.ready && !p.retiring && p.inflight < g.opts.Threads && (best == nil || p.inflight < best.inflight) {
			best = p
		}
	}
	return best
}

// spawn starts worker index, after delay (a crash loop backs off). A
// group stopped or retired meanwhile starts nothing.
func (g *Group) spawn(index int, delay time.Duration) error {
	if delay > 0 {
		time.Sleep(delay)
	}
	if g.isStopped() {
		return nil
	}
	spawner := g.opts.Spawner
	if spawner == nil {
		spawner = LocalSpawner{}
	}
	control, proc, err := spawner.Spawn(&g.opts, index)
	if err != nil {
		return err
	}
	p := &process{index: index, proc: proc, control: control, exited: make(chan struct{})}
	g.mu.Lock()
	if g.stopped || g.retired {
		// Stop or Retire came while the worker started, and does not
		// wait for it: it goes at once (watch reaps it, and restarts
		// nothing).
		g.mu.Unlock()
		proc.Kill()
		go g.watch(p)
		return nil
	}
	g.procs = append(g.procs, p)
	g.mu.Unlock()
	go g.watch(p)
	go g.readControl(p)
	return nil
}

// isStopped reports whether Stop or Retire was called.
func (g *Group) isStopped() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stopped || g.retired
}

// respawn starts worker index again after delay, and keeps trying,
// backing off up to maxRespawnDelay, while it cannot be started (the
// privileged helper could not fork, say): a group does not stay a
// worker short for one failure.
func (g *Group) respawn(index int, delay time.Duration) {
	for {
		err := g.spawn(index, delay)
		if err == nil {
			return
		}
		g.opts.Log("alert", aprerr.Prefix(err)+fmt.Sprintf("mod_wsgi (pid=%d): Couldn't spawn process '%s': %v", os.Getpid(), g.opts.Name, err))
		delay = min(max(2*delay, time.Second), maxRespawnDelay)
	}
}

// maxRespawnDelay is the longest wait between two attempts to start a
// worker that failed to start.
const maxRespawnDelay = 30 * time.Second

// readControl reads the worker's messages: ready, retire.
func (g *Group) readControl(p *process) {
	buf := make([]byte, 64)
	for {
		n, err := p.control.Read(buf)
		if err != nil || n == 0 {
			// The worker is gone, or going: no request is sent to it,
			// nor to its kept connections, while its exit is handled
			// (later through the privileged helper).
			g.mu.Lock()
			p.ready = false
			p.closeIdle()
			g.notify()
			g.mu.Unlock()
			return
		}
		g.mu.Lock()
		switch buf[0] {
		case ctlReady:
			p.ready, p.wasReady = true, true
			g.notify()
		case ctlRetire:
			if !p.retiring && !g.stopped {
				p.retiring = true
				go g.respawn(p.index, 0)
			}
			if p.inflight == 0 {
				p.closeIdle()
				p.control.Write([]byte{ctlStop})
			}
		}
		g.mu.Unlock()
	}
}

// watch waits for a worker to exit and restarts it unless it retired or
// the group stopped.
func (g *Group) watch(p *process) {
	how := p.proc.Wait()
	close(p.exited)
	p.control.Close()
	g.mu.Lock()
	p.dead = true
	p.closeIdle()
	for i, q := range g.procs {
		if q == p {
			g.procs = append(g.procs[:i], g.procs[i+1:]...)
			break
		}
	}
	stopping := g.stopped || g.retired
	// A retiring worker's replacement is already on its way.
	restart := !p.retiring && !stopping
	wasReady := p.wasReady
	g.notify()
	g.mu.Unlock()
	if stopping {
		return
	}
	// mod_wsgi says so for every death, a recycled process's too.
	g.opts.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Process '%s' has died, deregister and restart it.", p.proc.Pid(), g.opts.Name))
	g.opts.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Process '%s' %s", p.proc.Pid(), g.opts.Name, how))
	if !restart {
		return
	}
	delay := time.Duration(0)
	if !wasReady {
		delay = time.Second // a worker that cannot start is not restarted in a tight loop
	}
	g.respawn(p.index, delay)
}

// Stop stops the workers: they finish their requests, then exit; any
// still running after timeout is killed.
func (g *Group) Stop(timeout time.Duration) {
	g.mu.Lock()
	g.stopped = true
	// The queued requests get no worker from a stopped group.
	for _, w := range g.queue {
		close(w.given)
	}
	g.queue = nil
	procs := append([]*process(nil), g.procs...)
	for _, p := range procs {
		p.closeIdle()
		p.control.Write([]byte{ctlStop})
	}
	g.mu.Unlock()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	expired := false
	for _, p := range procs {
		if !expired {
			select {
			case <-p.exited:
				continue
			case <-deadline.C:
				expired = true
			}
		}
		// Past the timeout: every worker still running is killed.
		select {
		case <-p.exited:
		default:
			p.proc.Kill()
			<-p.exited
		}
	}
}

// Retire is a graceful restart's stop, which Apache does at once: each
// process is retired, none replaced; an idle one stops now, a busy one
// as its last request ends. Stop ends what remains. A request that
// still comes for the group (its configuration's last) goes to next,
// the new configuration's group of the same name, or fails if there is
// none, as in mod_wsgi once the old daemons are gone.
func (g *Group) Retire(next *Group) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.retired, g.successor = true, next
	for _, w := range g.queue {
		close(w.given)
	}
	g.queue = nil
	for _, p := range g.procs {
		if p.retiring {
			continue
		}
		p.retiring = true
		if p.inflight == 0 {
			p.closeIdle()
			p.control.Write([]byte{ctlStop})
		}
	}
	g.notify() // requests waiting for room in the queue look again
}

// replacement reports whether the group was retired, and the group that
// serves its requests since.
func (g *Group) replacement() (*Group, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.successor, g.retired
}

// The group's failures to find a worker in time.
var (
	errNoProcess     = errors.New("no room in the daemon process group's queue")
	errQueueTimeout  = errors.New("queue timeout")
	errSocketTimeout = errors.New("socket timeout")
)

// acquire takes a slot on the ready worker with the most free threads.
// A request that finds none free (every worker busy, or starting, as
// after a crash or a restart) joins the group's queue, served in order
// (waitInQueue). One that finds the queue as long as listen-backlog
// waits for room as mod_wsgi retries the connect a full backlog
// refuses: up to connect-timeout.
func (g *Group) acquire(ctx context.Context) (*process, error) {
	start := time.Now()
	for {
		g.mu.Lock()
		if g.stopped || g.retired {
			g.mu.Unlock()
			return nil, errNoProcess
		}
		if len(g.queue) == 0 {
			if p := g.freeProcess(); p != nil {
				p.inflight++
				g.mu.Unlock()
				return p, nil
			}
		}
		// A listening Unix socket takes one connection past its
		// backlog before it refuses one.
		if len(g.queue) <= g.opts.ListenBacklog {
			w := &waiter{given: make(chan struct{})}
			g.queue = append(g.queue, w)
			g.mu.Unlock()
			return g.waitInQueue(ctx, w, start)
		}
		wait := g.changed
		g.mu.Unlock()
		limit := g.opts.ConnectTimeout - time.Since(start)
		if limit <= 0 {
			return nil, errNoProcess
		}
		t := time.NewTimer(limit)
		select {
		case <-wait:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		}
		t.Stop()
	}
}

// waitInQueue waits for the queued request w to be given a slot: up to
// queue-timeout when it is set, and up to socket-timeout in any case
// (mod_wsgi's request then waits in the daemon socket's backlog, and
// its read of the response headers gives up at socket-timeout), or
// until ctx ends (the client went away).
func (g *Group) waitInQueue(ctx context.Context, w *waiter, start time.Time) (*process, error) {
	limit, limitErr := g.opts.SocketTimeout, errSocketTimeout
	if q := g.opts.QueueTimeout; q > 0 && (limit <= 0 || q <= limit) {
		limit, limitErr = q, errQueueTimeout
	}
	var expired <-chan time.Time
	if limit > 0 {
		t := time.NewTimer(limit - time.Since(start))
		defer t.Stop()
		expired = t.C
	}
	var err error
	select {
	case <-w.given:
		if w.p == nil {
			return nil, errNoProcess // the group stopped
		}
		return w.p, nil
	case <-expired:
		err = limitErr
	case <-ctx.Done():
		err = ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if w.p != nil {
		return w.p, nil // given a slot as the wait ended
	}
	g.queue = slices.DeleteFunc(g.queue, func(q *waiter) bool { return q == w })
	return nil, err
}

// release gives back a slot on p, and the data connection it used when
// that may serve again (nil when not).
func (g *Group) release(p *process, dc *dataConn) {
	g.mu.Lock()
	p.inflight--
	switch {
	case dc == nil:
	case p.retiring || p.dead || g.stopped:
		dc.conn.Close()
	default:
		p.idle = append(p.idle, dc)
	}
	if p.retiring && p.inflight == 0 {
		p.closeIdle()
		p.control.Write([]byte{ctlStop})
	}
	g.notify()
	g.mu.Unlock()
}

// Run sends the call to a worker and relays its response.
func (g *Group) Run(call *Call) (Result, error) {
	if next, retired := g.replacement(); retired {
		// A request of a configuration a graceful restart replaced
		// that had no worker yet: the new configuration's group of the
		// same name serves it, where Apache's old daemons are gone.
		if next != nil {
			return next.Run(call)
		}
		return g.unavailable(call, errNoProcess), nil
	}
	call.LogServer = 0
	if i, ok := g.opts.logIndex[call.Server]; ok {
		call.LogServer = i + 1
	} else if i, ok := g.opts.logByKey[serverKey(call.Server)]; ok && call.Server != nil {
		call.LogServer = i + 1
	}
	call.jailed = nil
	if j := g.opts.Worker.Jail; j != nil && !call.jail(j.Root, g.opts.Worker.KeepScriptCase) {
		// mod_wsgi's daemon refuses it before it answers anything: the
		// server side logs the missing response headers too.
		g.daemonLog("crit", fmt.Sprintf("mod_wsgi (pid=%d): WSGI script '%s' not located within chroot directory '%s'.",
			os.Getpid(), call.jailedFile(), j.Root))
		return g.lost(call), nil
	}
	env := len(call.Env)
	restarts := "0"
	if call.Reload && g.scriptChanged(call.Script, call.ScriptMTime) {
		restarts = "1"
	}
	call.Env = append(call.Env,
		EnvVar{Key: "mod_wsgi.queue_start", Value: strconv.FormatInt(time.Now().UnixMicro(), 10)},
		EnvVar{Key: "mod_wsgi.daemon_connects", Value: "1"},
		EnvVar{Key: "mod_wsgi.daemon_restarts", Value: restarts})
	ctx := call.Context
	if ctx == nil {
		ctx = context.Background()
	}
	var p *process
	var dc *dataConn
	for {
		var err error
		if p, err = g.acquire(ctx); err != nil {
			if next, retired := g.replacement(); retired && next != nil && errors.Is(err, errNoProcess) {
				call.Env = call.Env[:env]
				return next.Run(call)
			}
			return g.unavailable(call, err), nil
		}
		if dc = g.idleConn(p); dc != nil {
			break
		}
		if dc, err = g.connect(p); err == nil {
			break
		}
		if !errors.Is(err, errWorkerGone) {
			// The server's own failure (out of descriptors, say): the
			// worker is fine, the request fails as in mod_wsgi.
			g.release(p, nil)
			g.opts.Log("error", aprerr.Prefix(err)+fmt.Sprintf(
				"mod_wsgi (pid=%d): Unable to create socket to connect to WSGI daemon process.", os.Getpid()))
			return Result{Status: 500}, nil
		}
		// The worker died after it was chosen (its exit is not handled
		// yet): take another, as mod_wsgi retries a failed connect.
		g.mu.Lock()
		p.ready = false
		g.mu.Unlock()
		g.release(p, nil)
	}
	// The request and its body go out while the response comes back:
	// an application may answer before it reads everything. Without a
	// body the record goes out from here.
	var body *bodySend
	dc.timeout, dc.sending = g.opts.SocketTimeout, false
	if call.Body == nil {
		if writeRequest(dc.bw, call) != nil || dc.bw.Flush() != nil {
			dc.conn.Close()
			g.release(p, nil)
			return g.lost(call), nil
		}
	} else {
		body = &bodySend{ch: make(chan sendResult, 1)}
		dc.sending = true
		go func() {
			body.ch <- dc.send(call, body)
			dc.wake() // a held response waits for this
		}()
	}
	res, clean, running := g.relay(dc, call, body)
	if body != nil {
		// The connection serves again only if the whole body went out
		// (the worker reads what the application left of it). A body
		// still going out is stopped, on both of its sides, before the
		// handler returns: no read of the request may follow that.
		if body.poll() {
			clean = clean && body.res.ok
		} else {
			clean = false
			if !bodyFinished(call) {
				// The rest of the client's body is read away, not
				// relayed: the connection closes after this answer.
				res.DropConnection = true
			}
			if running {
				dc.conn.CloseWrite()
			} else {
				dc.conn.Close()
			}
			// The sender stops at its next write to the worker, then
			// reads away what the client still sends, for a while; a
			// client that stops sending is cut off.
			select {
			case <-body.ch:
			case <-time.After(drainTime):
				if call.StopBody != nil {
					call.StopBody()
				}
				<-body.ch
			}
		}
	}
	if running {
		go g.awaitCallEnd(p, dc)
		return res, nil
	}
	if !clean {
		dc.conn.Close()
		dc = nil
	}
	g.release(p, dc)
	return res, nil
}

// drainLimit and drainTime bound what is read away of a body whose
// call ended before it was all sent (Apache's lingering close waits 2s).
const (
	drainLimit = 8 << 20
	drainTime  = 2 * time.Second
)

// awaitCallEnd keeps the slot of a call the server stopped relaying (a
// socket-timeout, an oversized header, an error document in its place)
// until the worker is done with it. The server shuts its side of the
// connection and discards what the worker still sends; the worker
// closes its side once the call ends, and the slot is given back then.
// Released at once, it would send the next request to a thread still
// busy, to wait there outside the group's queue and its timeouts.
func (g *Group) awaitCallEnd(p *process, dc *dataConn) {
	dc.conn.CloseWrite()
	dc.conn.SetReadDeadline(time.Time{})
	io.Copy(io.Discard, dc.conn)
	dc.conn.Close()
	g.release(p, nil)
}

// dataConn is a data connection to a worker: a socketpair whose other
// end the worker holds. One request at a time uses it; one that ends
// cleanly leaves it for the next.
type dataConn struct {
	conn *net.UnixConn
	br   *bufio.Reader
	bw   *bufio.Writer
	buf  []byte // frame payloads, reused
	// timeout is the group's socket-timeout (0: none). While sending is
	// set, the request body is still going out: mod_wsgi sends the
	// whole body before it waits for the response, so the wait for the
	// response's head starts when sending ends (the sender arms it);
	// each write to the worker waits at most timeout.
	timeout time.Duration
	mu      sync.Mutex
	sending bool
	// waiting is set while the relay waits for the worker's next frame
	// before anything went to the client and while the body still goes
	// out; wake then cuts the wait short.
	waiting bool
}

// wake ends the relay's wait for the worker's next frame (see waiting):
// the body's sending ended or failed. The wait is a
// Peek, which consumes nothing, so no frame is cut.
func (dc *dataConn) wake() {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if dc.waiting {
		dc.conn.SetReadDeadline(time.Now())
	}
}

// awaitFrameOrBody waits, while the body still goes out and no response has
// gone to the client, until the worker's next frame begins or the
// body's sending ends or fails. Its error is the wait's (a wake-up shows
// as a timeout); the caller sets the read deadline again before it
// reads.
func (dc *dataConn) awaitFrameOrBody(body *bodySend, started bool) error {
	// The deadline first: a wake-up from here on must not be undone.
	dc.armRead(started)
	dc.mu.Lock()
	dc.waiting = true
	dc.mu.Unlock()
	var err error
	if !body.poll() && body.clientError() == nil {
		_, err = dc.br.Peek(1)
	}
	dc.mu.Lock()
	dc.waiting = false
	dc.mu.Unlock()
	// A wake-up left the deadline in the past: the caller arms the one
	// it reads with (armRead sets none without socket-timeout).
	dc.conn.SetReadDeadline(time.Time{})
	return err
}

// armRead sets the deadline of the next wait for the worker: timeout
// from now, or none while the body still goes out and the response has
// not begun (started).
func (dc *dataConn) armRead(started bool) {
	if dc.timeout <= 0 {
		return
	}
	dc.mu.Lock()
	defer dc.mu.Unlock()
	if dc.sending && !started {
		dc.conn.SetReadDeadline(time.Time{})
		return
	}
	dc.conn.SetReadDeadline(time.Now().Add(dc.timeout))
}

// sent records that the body went out (or stopped) and starts the wait
// for the response.
func (dc *dataConn) sent() {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	dc.sending = false
	if dc.timeout > 0 {
		dc.conn.SetReadDeadline(time.Now().Add(dc.timeout))
	}
}

// deadlineWriter sets a write deadline before each write it passes on.
type deadlineWriter struct {
	w       io.Writer
	conn    net.Conn
	timeout time.Duration
}

func (d deadlineWriter) Write(p []byte) (int, error) {
	if d.timeout > 0 {
		d.conn.SetWriteDeadline(time.Now().Add(d.timeout))
	}
	return d.w.Write(p)
}

// sendResult is how sending a request's body ended: ok when all of it
// went out; clientErr is the error reading the client's body, when that
// is what stopped it.
type sendResult struct {
	ok        bool
	clientErr error
}

// bodySend is a body being sent to the worker while the response comes
// back: its result once the sender reports it, and, as soon as the
// sender knows it, the error that stopped reading the client's body.
type bodySend struct {
	ch  chan sendResult
	got bool
	res sendResult

	mu        sync.Mutex
	clientErr error
}

// failed records the error reading the client's body, before the worker
// is told the body ended early.
func (b *bodySend) failed(err error) {
	b.mu.Lock()
	b.clientErr = err
	b.mu.Unlock()
}

// clientError is the error that stopped reading the client's body, if
// one did.
func (b *bodySend) clientError() error {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.clientErr
}

// poll takes the sender's result if it has come, and reports whether it
// has.
func (b *bodySend) poll() bool {
	if !b.got {
		select {
		case b.res = <-b.ch:
			b.got = true
		default:
		}
	}
	return b.got
}

// wait waits for the sender's result.
func (b *bodySend) wait() sendResult {
	if !b.got {
		b.res, b.got = <-b.ch, true
	}
	return b.res
}

// clientReader records the error of a read of the client's body.
type clientReader struct {
	r   io.Reader
	err error
}

func (c *clientReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF {
		c.err = err
	}
	return n, err
}

// send writes the request record and the body frames, and reports
// whether all of it went out, or why reading the client's body failed.
func (dc *dataConn) send(call *Call, state *bodySend) sendResult {
	defer dc.sent()
	if dc.timeout > 0 {
		defer dc.conn.SetWriteDeadline(time.Time{})
	}
	if writeRequest(dc.bw, call) != nil {
		return sendResult{}
	}
	body := bodyWriter{deadlineWriter{w: dc.bw, conn: dc.conn, timeout: dc.timeout}}
	client := &clientReader{r: call.Body}
	if _, err := io.Copy(body, client); err != nil {
		if client.err != nil {
			state.failed(client.err)
			dc.wake()
		}
		// The worker sees the body end early: the client's is cut.
		dc.bw.Flush()
		dc.conn.CloseWrite()
		if !bodyFinished(call) {
			// The call ended before its body was all sent: read away
			// (up to a bound) what the client still sends, as Apache
			// reads a body before it closes, so that the client is not
			// reset while it writes and reads the answer.
			io.CopyN(io.Discard, call.Body, drainLimit)
		}
		return sendResult{clientErr: client.err}
	}
	return sendResult{ok: body.Close() == nil && dc.bw.Flush() == nil}
}

// idleConn takes a kept data connection of p, if it has one.
func (g *Group) idleConn(p *process) *dataConn {
	g.mu.Lock()
	defer g.mu.Unlock()
	n := len(p.idle)
	if n == 0 {
		return nil
	}
	dc := p.idle[n-1]
	p.idle = p.idle[:n-1]
	return dc
}

// daemonLog writes a line mod_wsgi's daemon process would write.
func (g *Group) daemonLog(level, msg string) {
	if g.opts.DaemonLog != nil {
		g.opts.DaemonLog(level, msg)
		return
	}
	g.opts.Log(level, msg)
}

// lost is the answer when a worker's connection fails before the
// response began.
func (g *Group) lost(call *Call) Result {
	g.callLog(call, "error", fmt.Sprintf("Truncated or oversized response headers received from daemon process '%s': %s",
		g.opts.Name, call.Script))
	return Result{Status: 500}
}

// callLog writes an error log line about a call: with its client when
// the caller gave the call a log of its own.
func (g *Group) callLog(call *Call, level, msg string) {
	if call.Log != nil {
		call.Log(level, msg)
		return
	}
	g.opts.Log(level, msg)
}

// scriptChanged reports whether a script's modification time differs
// from the one the group last ran it with; if so the group restarts
// gracefully, as a mod_wsgi daemon process does when it finds its
// script changed, and the request goes to a new process.
func (g *Group) scriptChanged(script string, mtime int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	prev, seen := g.scripts[script]
	g.scripts[script] = mtime
	if !seen || prev == mtime || g.stopped {
		return false
	}
	g.opts.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Force restart of process '%s'.", os.Getpid(), g.opts.Name))
	for _, p := range g.procs {
		if p.retiring {
			continue
		}
		p.retiring = true
		go g.respawn(p.index, 0)
		p.control.Write([]byte{ctlEvict})
		if p.inflight == 0 {
			p.closeIdle()
			p.control.Write([]byte{ctlStop})
		}
	}
	g.notify()
	return true
}

// relay reads the worker's frames into the call's response. clean is
// whether the worker's answer ended with its end frame and the client
// took all of it: the connection may then serve again. running is
// whether relay stopped reading while the worker still runs the call.
func (g *Group) relay(dc *dataConn, call *Call, body *bodySend) (res Result, clean, running bool) {
	br := dc.br
	defer func() {
		if cap(dc.buf) <= 64<<10 {
			dc.buf = dc.buf[:0]
		} else {
			dc.buf = nil // a big frame's buffer is not kept
		}
	}()
	started := false
	unflushed := 0 // bytes passed on since the last flush
	// held is a response whose head came while the client's body was
	// still going out. mod_wsgi reads a daemon's response only once it
	// has sent the whole body, and answers with Apache's error when the
	// client's body fails; so the response waits for the body, up to
	// heldLimit bytes of it (past that it goes out, rather than have an
	// application that answers before it reads wait on its own client).
	var held *heldResponse
	begin := func(status int, line string, headers []Header) error {
		started = true
		if !bodyFinished(call) {
			// The application answers before the client sent all of
			// its body; the rest will not be read (Apache sends the
			// whole body to the daemon first), so the connection
			// cannot serve another request.
			headers = append(headers, Header{Name: "Connection", Value: "close"})
		}
		return call.Response.Start(status, line, headers)
	}
	release := func() error {
		h := held
		held = nil
		if err := begin(h.status, h.line, h.headers); err != nil {
			return err
		}
		if len(h.body) > 0 {
			unflushed = len(h.body)
			return call.Response.Write(h.body)
		}
		return nil
	}
	for {
		if body != nil && !started {
			// Until the body has gone out, mod_wsgi reads nothing of
			// the response: the wait for the worker's next frame ends
			// when the sender is done, and a body the client broke is
			// answered at once, whatever the worker is doing.
			if !body.poll() && body.clientError() == nil {
				dc.awaitFrameOrBody(body, started)
			}
			if cerr := body.clientError(); cerr != nil {
				return g.bodyFailed(call, cerr), false, true
			}
			if held != nil && body.poll() {
				if release() != nil {
					return Result{}, false, false
				}
				if br.Buffered() == 0 && call.Response.Flush() != nil {
					return Result{}, false, false
				}
				unflushed = 0
			}
		}
		dc.armRead(started)
		typ, payload, err := readFrame(br, dc.buf)
		if err != nil {
			var ne net.Error
			timeout := errors.As(err, &ne) && ne.Timeout()
			if cerr := body.clientError(); cerr != nil && !started {
				// The worker gave up on a body the client broke.
				return g.bodyFailed(call, cerr), false, timeout
			}
			if held != nil {
				// The worker died or went quiet while its answer was
				// held: what came goes out, and ends there, as when
				// mod_wsgi's read of the daemon fails.
				if release() != nil {
					return Result{}, false, false
				}
			}
			switch {
			case started:
				// A worker that died mid-response, or went quiet for
				// socket-timeout: mod_wsgi ends the response where the
				// data stops (see frameEnd below), and says so. (Its
				// read fails with a reset where gowsgid's sees the end
				// of the stream before the end frame.)
				prefix := aprerr.Prefix(err)
				if timeout {
					prefix = aprerr.TimeUp
				}
				g.callLog(call, "error", prefix+"mod_wsgi (pid="+strconv.Itoa(os.Getpid())+"): Failed to proxy response from daemon.")
				return Result{}, false, false
			case timeout:
				g.callLog(call, "error", fmt.Sprintf("Timeout when reading response headers from daemon process '%s': %s",
					g.opts.Name, call.Script))
				return Result{Status: 504}, false, true
			}
			return g.lost(call), false, false
		}
		dc.buf = payload
		switch typ {
		case frameHead:
			if cerr := body.clientError(); cerr != nil {
				// mod_wsgi never reads this answer: the body broke
				// first.
				return g.bodyFailed(call, cerr), false, true
			}
			status, line, headers, err := decodeHead(payload)
			if err != nil {
				return Result{Status: 500}, false, false
			}
			for _, h := range headers {
				// mod_wsgi reads each line with its CRLF and a NUL
				// into a buffer of header-buffer-size bytes.
				if len(h.Name)+2+len(h.Value)+3 > g.opts.HeaderBufferSize {
					g.callLog(call, "error", fmt.Sprintf("Truncated or oversized response headers received from daemon process '%s': %s",
						g.opts.Name, call.Script))
					return Result{Status: 500}, false, true
				}
			}
			headers, status, line = scriptHeaders(headers, status, line, time.Now())
			if status == 200 {
				// What mod_wsgi's server side makes of a 200 before it
				// sends anything: "200 Error", the daemon's own mark of
				// a failed call, becomes Apache's 500; a local Location
				// becomes an internal redirect, as under mod_cgi.
				if line == "200 Error" {
					return Result{Status: 500}, false, true
				}
				if loc := headerValue(headers, "Location"); strings.HasPrefix(loc, "/") {
					return Result{Redirect: loc}, false, true
				}
			}
			if call.ErrorOverride && status >= 400 && status < 600 {
				// WSGIErrorOverride: Apache's error document instead,
				// with the application's challenge.
				res := Result{Status: status}
				for _, h := range headers {
					if strings.EqualFold(h.Name, "WWW-Authenticate") {
						res.ErrorHeaders = append(res.ErrorHeaders, h)
					}
				}
				return res, false, true
			}
			if body != nil && !body.poll() {
				held = &heldResponse{status: status, line: line, headers: headers}
				continue
			}
			if begin(status, line, headers) != nil {
				return Result{}, false, false // the client is gone; closing conn tells the worker
			}
			if br.Buffered() == 0 && call.Response.Flush() != nil {
				// mod_wsgi's first read of the body does not wait: when
				// nothing has arrived yet it passes a flush, which
				// commits the output filters to a body without its end
				// (a compressed empty body then goes out chunked).
				return Result{}, false, false
			}
		case frameBody:
			if held != nil {
				held.body = append(held.body, payload...)
				if len(held.body) < heldLimit && !body.poll() {
					continue
				}
				if release() != nil {
					return Result{}, false, false
				}
				payload = nil
			}
			if !started {
				return Result{Status: 500}, false, false
			}
			if len(payload) > 0 && call.Response.Write(payload) != nil {
				return Result{}, false, false
			}
			// Like mod_wsgi's proxy, pass what has arrived on and flush
			// when the worker has nothing more ready, or when
			// response-buffer-size bytes wait: a streaming application
			// is heard at once, a chatty one in few chunks.
			unflushed += len(payload)
			if br.Buffered() == 0 || unflushed >= g.opts.ResponseBufferSize {
				if call.Response.Flush() != nil {
					return Result{}, false, false
				}
				unflushed = 0
			}
		case frameEnd:
			if held != nil {
				// The whole response is here: it waits for the body.
				body.wait()
				if cerr := body.clientError(); cerr != nil {
					return g.bodyFailed(call, cerr), false, false
				}
				if release() != nil {
					return Result{}, false, false
				}
			}
			if cerr := body.clientError(); cerr != nil && !started {
				// The call failed on a body the client broke: mod_wsgi
				// never read the daemon's answer.
				return g.bodyFailed(call, cerr), false, false
			}
			if unflushed > 0 {
				// mod_wsgi streams a daemon's body without knowing its
				// end: no Content-Length is made up for it.
				call.Response.Flush()
			}
			res, err := decodeResult(payload)
			if started {
				// The worker reports an application that failed after
				// its response began, but mod_wsgi's server side only
				// sees the daemon's socket close and ends the response
				// as if it were whole; the failure is in the error log.
				res.Incomplete = false
			}
			return res, err == nil, false
		default:
			return Result{Status: 500}, false, false
		}
	}
}

// heldLimit bounds the response kept back while the request's body still
// goes out to the worker.
const heldLimit = 256 << 10

// heldResponse is a daemon's response kept back until the request's body
// has gone out.
type heldResponse struct {
	status  int
	line    string
	headers []Header
	body    []byte
}

// bodyFailed is mod_wsgi's answer when reading the client's body failed
// while it proxied it to the daemon: its error log line with APR's text
// for the failure, and its status: 408 for a body that stopped arriving,
// 500 for one that was cut off, or, after Apache's input filter
// answered a broken chunk (400) or a body over LimitRequestBody (413)
// itself, mod_wsgi's 500 page after the filter's. The connection
// closes.
func (g *Group) bodyFailed(call *Call, err error) Result {
	status, reason := bodyErrorStatus(err)
	g.callLog(call, "error", fmt.Sprintf("mod_wsgi (pid=%d): Request data read error when proxying data to daemon process: %s.",
		os.Getpid(), reason))
	if status == 400 || status == 413 {
		return Result{FilterStatus: status, Status: 500, DropConnection: true}
	}
	return Result{Status: status, DropConnection: true}
}

// bodyErrorStatus is the status and APR's text for a failed read of a
// request body. The HTTP input filter's own errors (a broken chunk line,
// a body over the limit) reach mod_wsgi as AP_FILTER_ERROR, which APR
// cannot name, after the filter answered them itself; a broken trailer
// is APR_EINVAL, which mod_wsgi answers with 500.
func bodyErrorStatus(err error) (int, string) {
	var tooLarge *http.MaxBytesError
	var framing interface {
		HTTPStatus() int
		APRText() string
	}
	const filterError = "Unknown error -102"
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		return 408, "The timeout specified has expired"
	case errors.As(err, &tooLarge):
		return 413, filterError
	case errors.As(err, &framing):
		if text := framing.APRText(); text != filterError {
			return 500, text
		}
		return framing.HTTPStatus(), filterError
	case errors.Is(err, io.ErrUnexpectedEOF):
		return 500, "Partial results are valid but processing is incomplete"
	case errors.Is(err, syscall.ECONNRESET):
		return 500, "Connection reset by peer"
	}
	return 500, err.Error()
}

// scriptHeaders is what Apache makes of the status and headers a daemon
// process sends back, as mod_wsgi reads them (wsgi_scan_headers, after
// ap_scan_script_header_err): a Status header sets the status;
// Content-Type (its media type lower-cased), Location, Content-Length,
// Content-Range and Transfer-Encoding keep their last value;
// Last-Modified becomes the latest date given, never later than now
// (one that does not parse is the epoch); Set-Cookie and
// WWW-Authenticate stay apart; other repeated headers are merged into
// one.
func scriptHeaders(headers []Header, status int, line string, now time.Time) ([]Header, int, string) {
	out := make([]Header, 0, len(headers))
	index := map[string]int{}
	var modified time.Time
	hasModified := false
	for _, h := range headers {
		key := strings.ToLower(h.Name)
		switch key {
		case "set-cookie", "www-authenticate":
			out = append(out, h)
			continue
		case "status":
			status, line = leadingInt(h.Value), h.Value
			continue
		case "last-modified":
			t, err := http.ParseTime(h.Value)
			if err != nil {
				t = time.Unix(0, 0)
			}
			if !hasModified || t.After(modified) {
				modified = t
			}
			hasModified = true
			continue
		case "content-type":
			h.Value = strings.TrimRight(h.Value, " \t")
			if semi := strings.IndexByte(h.Value, ';'); semi >= 0 {
				h.Value = strings.ToLower(h.Value[:semi]) + h.Value[semi:]
			} else {
				h.Value = strings.ToLower(h.Value)
			}
			fallthrough
		case "location", "content-length", "content-range", "transfer-encoding":
			if i, ok := index[key]; ok {
				out[i].Value = h.Value
				continue
			}
		default:
			if i, ok := index[key]; ok {
				out[i].Value += ", " + h.Value
				continue
			}
		}
		index[key] = len(out)
		out = append(out, h)
	}
	if hasModified {
		if modified.After(now) {
			modified = now
		}
		out = append(out, Header{Name: "Last-Modified", Value: modified.UTC().Format(http.TimeFormat)})
	}
	return out, status, line
}

// headerValue is the value of the header called name, "" if none.
func headerValue(headers []Header, name string) string {
	for _, h := range headers {
		if strings.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return ""
}

// leadingInt is C's atoi: the number the string starts with (after
// white space), 0 if none.
func leadingInt(s string) int {
	s = strings.TrimLeft(s, " \t")
	n, i := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1e6; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// unavailable is mod_wsgi's answer when no worker took the request.
func (g *Group) unavailable(call *Call, err error) Result {
	switch {
	case errors.Is(err, errQueueTimeout):
		g.callLog(call, "error", fmt.Sprintf("mod_wsgi (pid=%d): Queue timeout expired for WSGI daemon process '%s'.", os.Getpid(), g.opts.Name))
		return Result{Status: 504}
	case errors.Is(err, errSocketTimeout):
		g.callLog(call, "error", fmt.Sprintf("Timeout when reading response headers from daemon process '%s': %s",
			g.opts.Name, call.Script))
		return Result{Status: 504}
	case call.Context != nil && call.Context.Err() != nil:
		// The client went away while the request waited: nobody
		// reads the answer.
		return Result{Status: 503}
	}
	// The connect mod_wsgi retried failed with EAGAIN, its backlog full.
	g.callLog(call, "error", fmt.Sprintf("(11)Resource temporarily unavailable: mod_wsgi (pid=%d): Unable to connect to WSGI daemon process '%s' after multiple attempts as listener backlog limit was exceeded or the socket does not exist.", os.Getpid(), g.opts.Name))
	return Result{Status: 503}
}

// errWorkerGone is a data connection that could not be handed to its
// worker: the worker's control channel is closed.
var errWorkerGone = errors.New("the daemon process is gone")

// connect makes a data connection and hands one end to the worker. An
// error is errWorkerGone when the worker could not take it, else the
// server's own.
func (g *Group) connect(p *process) (*dataConn, error) {
	fds, err := g.socketpair()
	if err != nil {
		return nil, fmt.Errorf("socketpair: %w", err)
	}
	theirs := fds[1]
	if n := g.opts.SendBufferSize; n > 0 {
		syscall.SetsockoptInt(theirs, syscall.SOL_SOCKET, syscall.SO_SNDBUF, n)
	}
	if n := g.opts.ReceiveBufferSize; n > 0 {
		syscall.SetsockoptInt(theirs, syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
	}
	// Through RawConn, which keeps the descriptor from being closed (and
	// its number reused) by watch while the message goes out.
	rc, err := p.control.SyscallConn()
	if err == nil {
		var sendErr error
		err = rc.Write(func(fd uintptr) bool {
			sendErr = syscall.Sendmsg(int(fd), []byte{ctlConn}, syscall.UnixRights(theirs), nil, 0)
			return true
		})
		if err == nil {
			err = sendErr
		}
	}
	syscall.Close(theirs)
	if err != nil {
		syscall.Close(fds[0])
		return nil, fmt.Errorf("%w: %w", errWorkerGone, err)
	}
	f := os.NewFile(uintptr(fds[0]), "wsgi-data")
	defer f.Close()
	conn, err := net.FileConn(f)
	if err != nil {
		return nil, err
	}
	return &dataConn{conn: conn.(*net.UnixConn), br: bufio.NewReaderSize(conn, 32<<10),
		bw: bufio.NewWriterSize(conn, 32<<10)}, nil
}
