package wsgi

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/errlogfmt"
)

// Control messages between the server and a daemon worker, on a
// SOCK_SEQPACKET socketpair (the worker's fd 3): one message a datagram,
// the first byte its type.
const (
	ctlConfig = 'C' // server → worker: the WorkerConfig, as JSON
	ctlConn   = 'N' // server → worker: a data connection (one fd)
	ctlStop   = 'S' // server → worker: finish the running requests and exit
	ctlEvict  = 'G' // server → worker: restart gracefully (a script changed)
	ctlReady  = 'R' // worker → server: the application side is up
	ctlRetire = 'X' // worker → server: send me nothing more and replace me
)

// WorkerConfig is what a daemon worker needs to run: its group's options
// as the server resolved them.
type WorkerConfig struct {
	Group string
	// Index is the worker's number in its group, from 1.
	Index int
	// Processes and Threads are the group's; ProcessesSet is whether the
	// processes option was given (mod_wsgi then reports
	// wsgi.multiprocess true even for one process).
	Processes, Threads int
	ProcessesSet       bool
	// MaximumRequests recycles the worker after that many requests.
	MaximumRequests int
	// GracefulTimeout and ShutdownTimeout bound how long in-flight
	// requests may run when the worker stops gracefully or at once;
	// EvictionTimeout replaces GracefulTimeout for a restart the server
	// asks for.
	GracefulTimeout, ShutdownTimeout, EvictionTimeout time.Duration
	// The timers of mod_wsgi's monitor thread (0 is off):
	// InactivityTimeout restarts an idle worker, RequestTimeout one whose
	// requests ran too long on average over its threads, StartupTimeout
	// one whose application did not load, RestartInterval every worker
	// that old, DeadlockTimeout one whose GIL could not be taken.
	InactivityTimeout, RequestTimeout, StartupTimeout time.Duration
	RestartInterval, DeadlockTimeout                  time.Duration
	// Limits are the resource limits of the process.
	Limits ProcessLimits
	// Umask is the umask to set ("" leaves it).
	Umask string
	// Jail is chroot=: the worker starts as root and enters it before
	// Python starts.
	Jail *Jail `json:",omitempty"`
	// Home is home=, the working directory the worker changes to
	// before Python starts (a path in the jail with chroot=); with
	// HomeFromPasswd, none was given and the user is not the server's,
	// so it is the user's home directory. See EnterHome.
	Home           string `json:",omitempty"`
	HomeFromPasswd bool   `json:",omitempty"`
	// Locale is locale=, which the worker sets for every category
	// before Python starts ("": the C library's default).
	Locale string `json:",omitempty"`
	// LogLevel is the error log's level; ErrorLog its format.
	LogLevel string
	ErrorLog WorkerLog
	// ServerLogs are the error logs of the servers whose requests the
	// group serves, by Call.LogIndex: the lines about a request (its
	// wsgi.errors, print(), traceback) go to its server's log, in that
	// server's format and at its level, as mod_wsgi's daemon logs them
	// with the request's server. The worker's own lines go to ErrorLog.
	ServerLogs []WorkerLog `json:",omitempty"`
	// StartLog is the main server's log, which receives the worker's
	// lines until it is set up (its start, a failure to enter its jail
	// or home=, its resource limits), as mod_wsgi's daemon writes them
	// before it logs through the group's server; nil: ErrorLog.
	StartLog *WorkerLog `json:",omitempty"`
	// Imports are the scripts WSGIImportScript preloads in this group;
	// KeepScriptCase is WSGICaseSensitivity Off (their module names).
	Imports        []WorkerImport
	KeepScriptCase bool
	// Python are the interpreter's settings.
	Python PythonSettings
}

// WorkerLog is the ErrorLogFormat a daemon process writes its lines in:
// that of the server that defined its group.
type WorkerLog struct {
	// Format is the line format (nil: Apache's default); Conn the
	// once-per-connection lines. (A request always has its log id in a
	// daemon process, so no once-per-request line is written there.)
	Format *string
	Conn   []string
	// Server is the server's name (%v).
	Server string
	// LocalIP is the local address mod_wsgi's daemon connection has
	// (%A).
	LocalIP string
	// FD is the worker's descriptor of a server's log file (in
	// ServerLogs: 4 is ErrorLog's); Level the server's LogLevel for
	// mod_wsgi.
	FD    int    `json:",omitempty"`
	Level string `json:",omitempty"`
}

// Formats parses the formats (configtest checked them).
func (wl WorkerLog) Formats() errlogfmt.Formats {
	var f errlogfmt.Formats
	if wl.Format != nil {
		f.Main, _ = errlogfmt.Parse(*wl.Format, true)
	}
	for _, c := range wl.Conn {
		if cf, err := errlogfmt.Parse(c, false); err == nil {
			f.Conn = append(f.Conn, cf)
		}
	}
	return f
}

// PythonSettings are the interpreter settings of a process: the
// WSGIPython* directives, with a daemon group's python-home, python-path
// and python-eggs options in their place.
type PythonSettings struct {
	Home, Path, Eggs, HashSeed string
	// DaemonHome is a daemon group's home= option, which mod_wsgi puts
	// first on sys.path of each interpreter.
	DaemonHome                                    string
	Optimize                                      int
	Warnings                                      []string
	DontWriteBytecode                             bool
	RestrictStdin, RestrictStdout, RestrictSignal bool
	DestroyInterpreter                            bool
}

// WorkerImport is a script to preload.
type WorkerImport struct {
	Script, ApplicationGroup string
}

// WorkerEngine is the engine a worker runs requests on, with what the
// worker needs beside Run.
type WorkerEngine interface {
	Engine
	Close(timeout time.Duration) error
}

// ReadWorkerConfig reads the first control message of a worker.
func ReadWorkerConfig(control *os.File) (*WorkerConfig, error) {
	buf := make([]byte, 1<<20)
	n, err := control.Read(buf)
	if err != nil {
		return nil, fmt.Errorf("reading the worker configuration: %w", err)
	}
	if n == 0 || buf[0] != ctlConfig {
		return nil, errors.New("the worker configuration did not come first")
	}
	var cfg WorkerConfig
	if err := json.Unmarshal(buf[1:n], &cfg); err != nil {
		return nil, fmt.Errorf("the worker configuration: %w", err)
	}
	return &cfg, nil
}

// Worker serves the requests the server hands to one daemon process.
type Worker struct {
	Config  *WorkerConfig
	Engine  WorkerEngine
	Control *os.File
	// Log writes the worker's own messages.
	Log func(level, msg string)

	wg       sync.WaitGroup
	served   atomic.Int64
	retiring atomic.Bool
	stopping atomic.Bool

	// active is the number of requests running; startSum the sum of
	// their start times (UnixNano), so that the monitor has the sum of
	// their ages. Both change together under requests, and the monitor
	// reads them together: read apart, a request ending in between made
	// the ages sum look like the current time. lastActivity is when a
	// request last started, ended, read or wrote (0: none yet); lastGIL when the
	// deadlock probe last held the GIL; loaded whether an application
	// call succeeded.
	requests              sync.Mutex
	active                atomic.Int64
	startSum              int64
	lastActivity, lastGIL atomic.Int64
	firstRequest          atomic.Int64
	loaded                atomic.Bool

	mu sync.Mutex
	// conns are the data connections, true while idle.
	conns map[net.Conn]bool
	// graceDeadline is when a graceful stop turns into an immediate one;
	// abortDeadline when the process exits whatever still runs.
	graceDeadline, abortDeadline time.Time
}

// GILProber is an engine that can take and release its GIL, for the
// deadlock timer.
type GILProber interface {
	ProbeGIL()
}

// StackTracer is an engine that can list the Python stacks of its
// running threads, for the dump mod_wsgi logs when request-timeout
// stops a process.
type StackTracer interface {
	StackTraces() []string
}

// Serve tells the server the worker is ready, then serves data
// connections until the server says stop or goes away (the control
// socket closes: the server died).
func (w *Worker) Serve() error {
	if _, err := w.Control.Write([]byte{ctlReady}); err != nil {
		return err
	}
	now := time.Now()
	// lastActivity stays 0 until the first request: as in mod_wsgi,
	// only activity arms the inactivity timer, so a process that was
	// just started for an idle site is left alone.
	w.lastGIL.Store(now.UnixNano())
	go w.monitor(now)
	buf := make([]byte, 64)
	oob := make([]byte, syscall.CmsgSpace(4))
	fd := int(w.Control.Fd())
	for {
		n, oobn, _, _, err := syscall.Recvmsg(fd, buf, oob, syscall.MSG_CMSG_CLOEXEC)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n == 0 {
			break // the server is gone
		}
		switch buf[0] {
		case ctlStop:
			return w.stop()
		case ctlEvict:
			w.evict()
		case ctlConn:
			conn, err := connFromRights(oob[:oobn])
			if err != nil {
				w.Log("error", fmt.Sprintf("mod_wsgi (pid=%d): %v", os.Getpid(), err))
				continue
			}
			w.wg.Add(1)
			go w.serveConn(conn)
		}
	}
	return w.stop()
}

// stop waits for the running requests (up to the shutdown timeout), then
// ends the engine.
func (w *Worker) stop() error {
	w.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Stopping process '%s'.", os.Getpid(), w.Config.Group))
	w.stopping.Store(true)
	w.closeIdle()
	done := make(chan struct{})
	go func() { w.wg.Wait(); close(done) }()
	w.mu.Lock()
	deadline := w.abortDeadline
	if deadline.IsZero() {
		deadline = time.Now().Add(w.shutdownTimeout())
	}
	w.mu.Unlock()
	select {
	case <-done:
	case <-time.After(time.Until(deadline)):
		w.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Aborting process '%s'.", os.Getpid(), w.Config.Group))
		return nil
	}
	w.Engine.Close(time.Second)
	w.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Exiting process '%s'.", os.Getpid(), w.Config.Group))
	return nil
}

// connFromRights turns the fd of an SCM_RIGHTS message into a conn.
func connFromRights(oob []byte) (net.Conn, error) {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil || len(msgs) != 1 {
		return nil, fmt.Errorf("a data connection without its descriptor")
	}
	fds, err := syscall.ParseUnixRights(&msgs[0])
	if err != nil || len(fds) != 1 {
		return nil, fmt.Errorf("a data connection without its descriptor")
	}
	f := os.NewFile(uintptr(fds[0]), "wsgi-data")
	defer f.Close()
	return net.FileConn(f)
}

// serveConn serves the requests of a data connection, one after the
// other: the server keeps a connection for the next request once one has
// ended cleanly. It returns when the server closes the connection, or
// when a request leaves it unusable (the client went away, the body was
// not sent whole).
func (w *Worker) serveConn(conn net.Conn) {
	defer w.wg.Done()
	defer conn.Close()
	w.trackConn(conn, true)
	defer w.forgetConn(conn)
	br := bufio.NewReaderSize(conn, 32<<10)
	bw := bufio.NewWriterSize(conn, 32<<10)
	for {
		call, hasBody, err := readRequest(br)
		if err != nil {
			return
		}
		w.trackConn(conn, false)
		if !w.serveCall(call, hasBody, br, bw) || w.stopping.Load() {
			return
		}
		w.trackConn(conn, true)
	}
}

// serveCall runs one request and reports whether the connection is fit
// for the next: the response went out and the body was read to its end.
func (w *Worker) serveCall(call *Call, hasBody bool, br *bufio.Reader, bw *bufio.Writer) bool {
	start := time.Now()
	call.Env = append(call.Env, EnvVar{Key: "mod_wsgi.daemon_start", Value: strconv.FormatInt(start.UnixMicro(), 10)})
	w.firstRequest.CompareAndSwap(0, start.UnixNano())
	w.lastActivity.Store(start.UnixNano())
	w.beginRequest(start)
	var body *frameBodyReader
	if hasBody {
		body = &frameBodyReader{r: br, activity: &w.lastActivity}
		if call.ContentLength != 0 {
			call.Body = body
		}
	}
	resp := &workerResponse{fw: frameWriter{bw}, activity: &w.lastActivity}
	call.Response = resp
	res, err := w.Engine.Run(call)
	switch {
	case errors.Is(err, ErrUnavailable):
		res = Result{Status: 503}
	case err != nil || res.Status != 0:
		// A daemon process answers every failure of the script (404
		// for a missing callable included) with 500, as mod_wsgi's
		// daemon does, so that the server's error documents apply.
		res = Result{Status: 500}
	default:
		w.loaded.Store(true)
	}
	resp.fw.frame(frameEnd, encodeResult(res))
	fit := bw.Flush() == nil && resp.err == nil
	// What the application left of the body is read and dropped, up to
	// its end frame; a server that did not send it all closes the
	// connection instead, which ends this.
	if fit && body != nil {
		_, err := io.Copy(io.Discard, body)
		fit = err == nil
	}
	active := w.endRequest(start)
	w.lastActivity.Store(time.Now().UnixNano())
	if max := w.Config.MaximumRequests; max > 0 && w.served.Add(1) == int64(max) {
		if w.Config.GracefulTimeout > 0 && active > 0 {
			w.retire(true, "Maximum requests reached, attempt a graceful shutdown '%s'.")
		} else {
			w.retire(false, "Maximum requests reached, triggering immediate shutdown '%s'.")
		}
	}
	return fit
}

// trackConn records whether a data connection waits for a request
// (idle) or runs one.
func (w *Worker) trackConn(conn net.Conn, idle bool) {
	w.mu.Lock()
	if w.conns == nil {
		w.conns = map[net.Conn]bool{}
	}
	w.conns[conn] = idle
	w.mu.Unlock()
}

func (w *Worker) forgetConn(conn net.Conn) {
	w.mu.Lock()
	delete(w.conns, conn)
	w.mu.Unlock()
}

// closeIdle closes the connections that wait for a request: the server
// sends stop only when it has no request on this worker.
func (w *Worker) closeIdle() {
	w.mu.Lock()
	for conn, idle := range w.conns {
		if idle {
			conn.Close()
		}
	}
	w.mu.Unlock()
}

func (w *Worker) shutdownTimeout() time.Duration {
	if t := w.Config.ShutdownTimeout; t > 0 {
		return t
	}
	return 5 * time.Second
}

// retire logs why the worker goes, tells the server to send it nothing
// more and to start its replacement, and arms the timer that ends it:
// graceful-timeout for a graceful stop, shutdown-timeout for an
// immediate one. The server sends stop once the worker is idle.
func (w *Worker) retire(graceful bool, format string) {
	w.retireWithin(graceful, w.Config.GracefulTimeout, format)
}

func (w *Worker) retireWithin(graceful bool, grace time.Duration, format string) {
	if !w.retiring.CompareAndSwap(false, true) {
		return
	}
	w.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): "+format, os.Getpid(), w.Config.Group))
	w.mu.Lock()
	if graceful && grace > 0 {
		w.graceDeadline = time.Now().Add(grace)
	} else {
		w.abortDeadline = time.Now().Add(w.shutdownTimeout())
	}
	w.mu.Unlock()
	w.Control.Write([]byte{ctlRetire})
}

// ShutdownRequested is a SIGTERM or SIGINT sent to the worker: it
// takes no more requests and ends when those running are done, or at
// shutdown-timeout.
func (w *Worker) ShutdownRequested() {
	w.retireWithin(false, 0, "Shutdown requested '%s'.")
}

// Evict is a SIGUSR1 sent to the worker: the eviction a script change
// makes (evict).
func (w *Worker) Evict() { w.evict() }

// evict is the server's graceful restart of the worker (mod_wsgi's
// eviction): at once when idle, else after the running requests.
func (w *Worker) evict() {
	grace := w.Config.EvictionTimeout
	if grace <= 0 {
		grace = w.Config.GracefulTimeout
	}
	if w.active.Load() > 0 && grace > 0 {
		w.retireWithin(true, grace, "Process eviction requested, waiting for requests to complete '%s'.")
	} else {
		w.retireWithin(false, 0, "Process eviction requested, triggering immediate shutdown '%s'.")
	}
}

// beginRequest counts a request that started at start.
func (w *Worker) beginRequest(start time.Time) {
	w.requests.Lock()
	w.startSum += start.UnixNano()
	w.active.Add(1)
	w.requests.Unlock()
}

// endRequest counts the end of a request that started at start, and
// returns how many are still running.
func (w *Worker) endRequest(start time.Time) int64 {
	w.requests.Lock()
	defer w.requests.Unlock()
	w.startSum -= start.UnixNano()
	return w.active.Add(-1)
}

// requestAges returns how many requests are running at now, and the sum
// of their ages.
func (w *Worker) requestAges(now time.Time) (active int64, ages time.Duration) {
	w.requests.Lock()
	defer w.requests.Unlock()
	active = w.active.Load()
	return active, time.Duration(active*now.UnixNano() - w.startSum)
}

// monitor is mod_wsgi's monitor thread: once a second it checks the
// timers that restart the process.
func (w *Worker) monitor(started time.Time) {
	cfg := w.Config
	if cfg.DeadlockTimeout > 0 {
		if p, ok := w.Engine.(GILProber); ok {
			go w.probeGIL(p)
		}
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for now := range tick.C {
		w.mu.Lock()
		grace, abort := w.graceDeadline, w.abortDeadline
		w.mu.Unlock()
		active, ages := w.requestAges(now)
		switch {
		case !abort.IsZero() && now.After(abort):
			w.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Aborting process '%s'.", os.Getpid(), cfg.Group))
			os.Exit(1)
		case !abort.IsZero():
			continue
		case !grace.IsZero() && now.After(grace):
			w.Log("info", fmt.Sprintf("mod_wsgi (pid=%d): Daemon process graceful timer expired '%s'.", os.Getpid(), cfg.Group))
			// An immediate shutdown from here: the running requests get
			// shutdown-timeout more, then the process exits.
			w.mu.Lock()
			w.abortDeadline = now.Add(w.shutdownTimeout())
			w.mu.Unlock()
			continue
		}
		if w.retiring.Load() {
			continue
		}
		first := w.firstRequest.Load()
		switch {
		case cfg.RequestTimeout > 0 && ages/time.Duration(max(cfg.Threads, 1)) > cfg.RequestTimeout:
			w.retire(false, "Daemon process request time limit exceeded, stopping process '%s'.")
			// From a goroutine of its own: the dump waits for the GIL,
			// and the monitor must still abort the process in time.
			go w.logStackTraces()
		case cfg.StartupTimeout > 0 && first != 0 && !w.loaded.Load() &&
			now.Sub(time.Unix(0, first)) > cfg.StartupTimeout:
			w.retire(false, "Application startup timer expired, stopping process '%s'.")
		case cfg.RestartInterval > 0 && now.Sub(started) > cfg.RestartInterval:
			if active > 0 && cfg.GracefulTimeout > 0 {
				w.retire(true, "Application restart timer expired, waiting for requests to complete '%s'.")
			} else {
				w.retire(false, "Application restart timer expired, stopping process '%s'.")
			}
		case cfg.DeadlockTimeout > 0 && now.Sub(time.Unix(0, w.lastGIL.Load())) > cfg.DeadlockTimeout:
			w.retire(false, "Daemon process deadlock timer expired, stopping process '%s'.")
		case cfg.InactivityTimeout > 0 && active == 0 && w.lastActivity.Load() != 0 &&
			now.Sub(time.Unix(0, w.lastActivity.Load())) > cfg.InactivityTimeout:
			w.retire(false, "Daemon process idle inactivity timer expired, stopping process '%s'.")
		}
	}
}

// logStackTraces logs the Python stack of each running thread, as
// mod_wsgi does when request-timeout stops a daemon process: a debugging
// aid that shows where the requests hang.
func (w *Worker) logStackTraces() {
	st, ok := w.Engine.(StackTracer)
	if !ok {
		return
	}
	prefix := fmt.Sprintf("mod_wsgi (pid=%d): ", os.Getpid())
	lines := st.StackTraces()
	if len(lines) == 0 {
		return
	}
	w.Log("info", prefix+"Dumping stack trace for active Python threads.")
	for _, line := range lines {
		w.Log("info", prefix+line)
	}
}

// probeGIL takes the GIL once a second from a thread of its own, as
// mod_wsgi's deadlock thread does.
func (w *Worker) probeGIL(p GILProber) {
	runtime.LockOSThread() // never unlocked: the thread is the probe's
	for {
		p.ProbeGIL()
		w.lastGIL.Store(time.Now().UnixNano())
		time.Sleep(time.Second)
	}
}

// CPUTimeExceeded is SIGXCPU: cpu-time-limit reached.
func (w *Worker) CPUTimeExceeded() {
	if w.active.Load() > 0 && w.Config.GracefulTimeout > 0 {
		w.retire(true, "Exceeded CPU time limit, waiting for requests to complete '%s'.")
	} else {
		w.retire(false, "Exceeded CPU time limit, triggering immediate shutdown '%s'.")
	}
}

// workerResponse sends a response as frames to the server. Threads an
// application starts may write() at once (Python lets go of the GIL
// around a write): frames go out whole, one at a time.
type workerResponse struct {
	mu       sync.Mutex
	fw       frameWriter
	err      error
	activity *atomic.Int64 // the worker's lastActivity
}

func (r *workerResponse) Start(status int, line string, headers []Header) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = r.fw.frame(frameHead, encodeHead(status, line, headers))
	}
	return r.err
}

func (r *workerResponse) Write(p []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.activity.Store(time.Now().UnixNano())
	for len(p) > 0 && r.err == nil {
		n := min(len(p), maxFrame)
		r.err = r.fw.frame(frameBody, p[:n])
		p = p[n:]
	}
	return r.err
}

func (r *workerResponse) Flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = r.fw.w.Flush()
	}
	return r.err
}

// failed is the error that ended the response's frames, if any.
func (r *workerResponse) failed() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// StartFile sends the head, then the file's bytes through the
// connection: the server has no descriptor of it, and answers a Range
// as mod_wsgi's daemon mode does, with the whole body (Apache's
// byterange filter sees it in pieces).
func (r *workerResponse) StartFile(status int, line string, headers []Header, f *os.File, offset, length int64) error {
	if err := r.Start(status, line, headers); err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	sr := io.NewSectionReader(f, offset, length)
	for r.failed() == nil {
		n, err := sr.Read(buf)
		if n > 0 {
			r.Write(buf[:n])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	return r.Flush()
}
