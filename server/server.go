// Package server runs a compiled configuration: it binds the Listen
// addresses, serves HTTP on them with the virtual host table, writes the
// error log, and stops gracefully.
package server

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/net/http2"

	"github.com/gowsgid/gowsgid/accesslog"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/http1"
	"github.com/gowsgid/gowsgid/internal/logfile"
	"github.com/gowsgid/gowsgid/internal/mapprogram"
	"github.com/gowsgid/gowsgid/internal/proxyproto"
	"github.com/gowsgid/gowsgid/internal/reqtimeout"
	"github.com/gowsgid/gowsgid/internal/statcache"
	"github.com/gowsgid/gowsgid/rewrite"
	"github.com/gowsgid/gowsgid/static"
	"github.com/gowsgid/gowsgid/status"
	"github.com/gowsgid/gowsgid/vhost"
	"github.com/gowsgid/gowsgid/wsgi"
)

// Server serves one configuration at a time; Reload replaces it while
// the server runs.
type Server struct {
	cfg     *confparse.Config
	current atomic.Pointer[generation]
	log     *ErrorLog
	// commandLine is Options.CommandLine.
	commandLine string
	diag        zerolog.Logger
	mu          sync.Mutex
	servers     map[string]*listening // by listen address
	shutdown    time.Duration
	listen      func(addr string) (net.Listener, error)
	openFile    func(path string) (*os.File, error)
	// startPipe starts the access logs' piped programs (nil: the
	// server starts them).
	startPipe func(program string, errorf func(string, ...any)) (logfile.Pipe, error)
	// startMapProgram starts the programs of RewriteMap prg: maps (nil:
	// the server starts them).
	startMapProgram func(spec rewrite.Program, stderr *os.File) (mapprogram.Running, error)
	// stats count requests across generations.
	stats *status.Stats
	// files answers the directory walks' stat calls for every
	// generation (nil: the kernel does).
	files *statcache.Cache
	// h2cSessions are the HTTP/2 sessions h2c upgrades left to run once
	// their request released its worker, by connection; h2cConns the
	// connections of those running, which Stop closes.
	h2cSessions, h2cConns sync.Map
	// h2c serves those sessions; h2cShutdown's Shutdown sends each a
	// GOAWAY, so that a graceful stop lets their streams finish
	// (golang.org/x/net/http2 ties its sessions to an http.Server's
	// shutdown). h2cShutdown serves nothing.
	h2c         *http2.Server
	h2cShutdown *http.Server
}

// listening is one bound address and the HTTP server on it.
type listening struct {
	ln net.Listener
	// h1 serves the listener's connections; hs the HTTP/2 ones h1
	// hands it (when the listener may speak HTTP/2).
	h1 *http1.Server
	hs *http.Server
}

// shutdown stops l's servers gracefully: no new connections, idle ones
// closed, requests in flight given until ctx is done.
func (l *listening) shutdown(ctx context.Context) error {
	// Both at once: HTTP/2 clients hear GOAWAY while HTTP/1 requests
	// finish, and both have the whole time.
	h2 := make(chan error, 1)
	go func() { h2 <- l.hs.Shutdown(ctx) }()
	err := l.h1.Shutdown(ctx)
	if e := <-h2; err == nil {
		err = e
	}
	return err
}

// close closes l's servers and their connections at once.
func (l *listening) close() {
	l.h1.Close()
	l.hs.Close()
}

// generation is one configuration's handler and the requests it is
// running, so that what it uses is stopped only once they are done.
type generation struct {
	handler *vhost.Handler
	// access are the configuration's access logs.
	access *accesslog.Logs
	// programs are the configuration's RewriteMap prg: programs.
	programs     []mapprogram.Running
	programsOnce sync.Once
	// workers holds a token for each request being served: its
	// capacity is MaxRequestWorkers. reported is set once the MPM's
	// line (AH00484 for event) said it was reached.
	workers chan struct{}
	// mpm writes the lifecycle lines of the configuration's MPM.
	mpm MPMLog
	// timeout is Timeout: the longest a read of a request may wait.
	timeout time.Duration
	// keepAliveTimeout is KeepAliveTimeout: the wait for a connection's
	// next request.
	keepAliveTimeout time.Duration
	reported         atomic.Bool
	active           atomic.Int64
	retired          atomic.Bool
	once             sync.Once
	drained          chan struct{}
}

func newGeneration(h *vhost.Handler, access *accesslog.Logs, mpm wsgi.Topology) *generation {
	return &generation{handler: h, access: access, workers: make(chan struct{}, max(mpm.Workers(), 1)),
		mpm: mpmLog(mpm.MPM), drained: make(chan struct{})}
}

// enter counts a request in; false when the generation was retired
// meanwhile (the caller takes the current one instead).
func (g *generation) enter() bool {
	g.active.Add(1)
	if g.retired.Load() {
		g.leave()
		return false
	}
	return true
}

func (g *generation) leave() {
	if g.active.Add(-1) == 0 && g.retired.Load() {
		g.once.Do(func() { close(g.drained) })
	}
}

// close stops what the generation uses: its access logs and its map
// programs.
func (g *generation) close() {
	g.access.Close()
	g.closePrograms()
}

// closePrograms ends the generation's map programs, once, as Apache ends
// them when a restart clears its configuration's pool: a lookup still
// waiting on one sees its end and finds the empty string.
func (g *generation) closePrograms() {
	g.programsOnce.Do(func() {
		var wg sync.WaitGroup
		for _, p := range g.programs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.Close()
			}()
		}
		wg.Wait()
	})
}

// retire marks the generation replaced; drained closes once its last
// request ends.
func (g *generation) retire() {
	g.retired.Store(true)
	if g.active.Load() == 0 {
		g.once.Do(func() { close(g.drained) })
	}
}

// Options configure a Server.
type Options struct {
	// Services are the access checker and WSGI engine the table calls.
	Services vhost.Services
	// Diagnostics receives gowsgid's own messages.
	Diagnostics zerolog.Logger
	// ShutdownTimeout bounds the graceful stop (default 10s).
	ShutdownTimeout time.Duration
	// ErrorLog is the error log (nil: the server opens the
	// configuration's; a server that drops its privileges opens it
	// before).
	ErrorLog *ErrorLog
	// OpenFile opens the access log files (nil: the server opens them;
	// a server without privileges asks its helper).
	OpenFile func(path string) (*os.File, error)
	// StartPipe starts the access logs' piped programs (nil: the server
	// starts them; a server without privileges asks its helper, which
	// starts them as root, as Apache's parent does).
	StartPipe func(program string, errorf func(format string, args ...any)) (logfile.Pipe, error)
	// StartMapProgram starts the programs of RewriteMap prg: maps, with
	// the main server's error log as their standard error (nil: the
	// server starts them; a server without privileges asks its helper,
	// which starts them as root, as Apache's parent does).
	StartMapProgram func(spec rewrite.Program, stderr *os.File) (mapprogram.Running, error)
	// Listen binds the Listen addresses a reload adds (nil: net.Listen;
	// a server without privileges asks its helper).
	Listen func(addr string) (net.Listener, error)
	// Stats are the counters the status page and the metrics show (nil:
	// the server makes its own).
	Stats *status.Stats
	// NoStatCache makes every request stat its path as Apache does,
	// without the cache of stat answers that inotify keeps exact.
	NoStatCache bool
	// CommandLine is the server's command line, which the error log
	// shows after each start and graceful restart (AH00094); "" for none.
	CommandLine string
}

// logWarnings writes what the compiled table reports to the error log,
// as Apache's modules log it when they start (mod_ssl's certificate
// checks).
func logWarnings(elog *ErrorLog, table *vhost.Table) {
	for _, w := range table.Warnings {
		elog.Client(w.Level, w.Module, "", w.Msg)
	}
}

// New compiles cfg and prepares a server for it.
func New(cfg *confparse.Config, opts Options) (*Server, error) {
	table, err := vhost.Build(cfg)
	if err != nil {
		return nil, err
	}
	elog := opts.ErrorLog
	if elog == nil {
		if elog, err = OpenErrorLog(cfg); err != nil {
			return nil, err
		}
	}
	logWarnings(elog, table)
	s := &Server{cfg: cfg, log: elog, diag: opts.Diagnostics, shutdown: opts.ShutdownTimeout, listen: opts.Listen,
		openFile: opts.OpenFile, startPipe: opts.StartPipe, startMapProgram: opts.StartMapProgram,
		stats: opts.Stats, commandLine: opts.CommandLine}
	if s.stats == nil {
		s.stats = status.New()
	}
	if !opts.NoStatCache {
		// Without inotify (no instance left for this user) requests
		// stat their paths every time, as Apache does.
		if s.files, err = statcache.New(); err != nil {
			s.diag.Debug().Err(err).Msg("no stat cache")
		}
		s.files.KeepFresh(time.Second)
	}
	if s.shutdown == 0 {
		s.shutdown = 10 * time.Second
	}
	s.h2c, s.h2cShutdown = &http2.Server{}, &http.Server{}
	if err := http2.ConfigureServer(s.h2cShutdown, s.h2c); err != nil {
		return nil, fmt.Errorf("h2c sessions: %w", err)
	}
	services := opts.Services
	g, err := s.newGeneration(cfg, table, services)
	if err != nil {
		return nil, err
	}
	s.current.Store(g)
	return s, nil
}

// newGeneration opens the access logs of cfg and makes the handler that
// serves it.
func (s *Server) newGeneration(cfg *confparse.Config, table *vhost.Table, services vhost.Services) (*generation, error) {
	table.SetStatCache(s.files)
	elog := s.log
	if services.Log == nil {
		services.Log = elog.Request
	}
	access, err := accesslog.Open(cfg, accesslog.Options{KeepAlive: keepAliveOf(cfg),
		Warn: func(r *vhost.Request, msg string) { elog.Request("warn", "log_config", r, msg) },
		// A piped log program's end and restart, which Apache logs as
		// APLOG_STARTUP: the message alone.
		Log:      func(_, msg string) { elog.Startup(msg) },
		OpenFile: s.openFile, StartPipe: s.startPipe})
	if err != nil {
		return nil, err
	}
	services.Transaction = s.stats.Recorder().Record
	services.LogsReadEnv = access.ReadsEnv()
	if !access.Empty() {
		services.Transaction = countAndLog(services.Transaction, access.Transaction)
	}
	services.Status = s.stats.Page(cfg).Serve
	if h2c(cfg) {
		services.Upgrade = s.upgradeH2C
	}
	g := newGeneration(&vhost.Handler{Table: table, Services: services}, access, wsgi.EmbeddedTopology(cfg))
	if g.programs, err = s.startMapPrograms(table); err != nil {
		g.close()
		return nil, err
	}
	g.timeout = time.Duration(timeoutOf(cfg)) * time.Second
	g.keepAliveTimeout = keepAliveTimeoutOf(cfg)
	return g, nil
}

// startMapPrograms starts the programs of the table's RewriteMap prg:
// maps and connects each map to its program, as mod_rewrite's
// post_config does when Apache starts serving a configuration (configtest
// starts none). A program that cannot be started stops the start, with
// mod_rewrite's line (AH00654).
func (s *Server) startMapPrograms(table *vhost.Table) ([]mapprogram.Running, error) {
	start := s.startMapProgram
	if start == nil {
		start = func(spec rewrite.Program, stderr *os.File) (mapprogram.Running, error) {
			return mapprogram.Start(spec, stderr)
		}
	}
	var running []mapprogram.Running
	for _, m := range table.RewritePrograms() {
		spec, _ := m.Program()
		p, err := start(spec, s.log.File())
		var execErr *mapprogram.ExecError
		if errors.As(err, &execErr) && p != nil {
			// APR's child could not execute it: Apache serves on, and
			// the map's lookups find the empty string.
			s.log.Client("error", "rewrite", "", aprerr.Prefix(execErr.Err)+"AH00653: exec of '"+execErr.Path+"' failed")
			err = nil
		}
		if err != nil {
			for _, r := range running {
				r.Close()
			}
			return nil, &vhost.StartupError{Module: "rewrite", Level: "error", Serving: true,
				Msg: aprerr.Prefix(err) + "AH00654: mod_rewrite: could not start RewriteMap program " + spec.Argv[0]}
		}
		m.Connect(p.In(), p.Out())
		running = append(running, p)
	}
	return running, nil
}

// Reopen reopens every error and access log file at its path: after
// logrotate renamed the logs, what is logged goes to new files under the
// old names (no line is lost; a line is in the old file or the new one).
// Piped loggers and syslog keep running.
func (s *Server) Reopen() error {
	return errors.Join(s.log.Reopen(), s.current.Load().access.Reopen())
}

// connContext is the http.Server's ConnContext: the connection for
// corked file sends, and its request count when a log format has %k.
func (s *Server) connContext(ctx context.Context, c net.Conn) context.Context {
	for inner := c; inner != nil; {
		switch tc := inner.(type) {
		case *reqtimeout.Conn:
			ctx = reqtimeout.WithConn(ctx, tc)
			ctx = static.WithMoreSender(ctx, tc)
		case *tlsConn:
			ctx = withTLS(ctx, tc)
		}
		u, ok := inner.(interface{ NetConn() net.Conn })
		if !ok {
			break
		}
		inner = u.NetConn()
	}
	// Corked sends work on the TCP connection under the PROXY header
	// and the read timing.
	ctx = static.WithConn(ctx, innermost(c))
	ctx = proxiedClient(ctx, c)
	return vhost.WithConnection(ctx)
}

// innermost is the connection under c's wrappers.
func innermost(c net.Conn) net.Conn {
	for {
		u, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return c
		}
		c = u.NetConn()
	}
}

// ServeHTTP hands the request to the current configuration's handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.serve(w, r) {
		// An h2c upgrade: its HTTP/2 session runs here, holding no
		// worker (each stream takes its own) and no generation.
		if session, ok := s.h2cSessions.LoadAndDelete(reqtimeout.FromContext(r.Context())); ok {
			session.(func())()
		}
	}
}

// serve serves one request with the current generation, within
// MaxRequestWorkers; it reports whether the request switched its
// connection to HTTP/2.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) (upgraded bool) {
	g := s.current.Load()
	for !g.enter() {
		g = s.current.Load()
	}
	defer g.leave()
	if !s.takeWorker(g, r) {
		return false
	}
	defer func() { <-g.workers }()
	s.stats.Begin()
	defer s.stats.End()
	if tc := tlsFrom(r.Context()); tc != nil {
		if tc.spokePlain() {
			g.handler.ServePlainOnTLS(w, r)
			return false
		}
		// The request's own copy, as net/http gives each request.
		cs := *tc.connectionState()
		r.TLS = &cs
	}
	if r.ProtoMajor == 2 {
		streamAsApache(w, r, g.timeout)
	}
	g.handler.ServeHTTP(w, r)
	return g.handler.Services.Upgrade != nil && r.ProtoMajor == 1 && r.Header.Get("Upgrade") != ""
}

// takeWorker waits for one of the MaxRequestWorkers to be free, as
// Apache's MPM stops taking requests while all are busy; the first
// wait logs AH00484. It is false when the client left meanwhile.
func (s *Server) takeWorker(g *generation, r *http.Request) bool {
	select {
	case g.workers <- struct{}{}:
		return true
	default:
	}
	if !g.reported.Swap(true) {
		g.mpm.maxWorkers(s.log)
	}
	select {
	case g.workers <- struct{}{}:
		return true
	case <-r.Context().Done():
		return false
	}
}

// Listen binds every Listen address of the configuration. Sockets
// systemd passed (activated, from ClaimActivated) serve the Listen
// addresses they match; the others are bound here. The activated
// sockets no Listen line names are closed, and their addresses
// returned in unused.
func Listen(cfg *confparse.Config, activated Activated) (ls []net.Listener, unused []string, err error) {
	// SO_REUSEPORT lets a new gowsgid bind the ports of the running one
	// for a handover; it must not let a server of another site share
	// them unawares. A port in use is taken only while this
	// configuration's PidFile names a running server.
	_, handover := Running(PidFilePath(cfg))
	bind := ownAddrs(nil)
	ls, err = listenAll(cfg, nil, func(addr string) (net.Listener, error) {
		if ln, ok := takeActivated(activated, addr); ok {
			return ln, nil
		}
		if handover {
			return listenTCP(addr)
		}
		return bind(addr)
	})
	for addr, ln := range activated {
		ln.Close()
		unused = append(unused, addr)
	}
	slices.Sort(unused)
	return ls, unused, err
}

// ownAddrs binds addresses with SO_REUSEPORT, refusing an address
// another process holds (EADDRINUSE, which a bind with SO_REUSEPORT would
// not say). held are the addresses this server listens on already
// ("host:port", host empty for every address): an address one of them
// overlaps (the same, or either the wildcard of the port) cannot be
// probed, since the probe would find this server's own socket, and is
// bound as it is.
func ownAddrs(held []string) func(addr string) (net.Listener, error) {
	return func(addr string) (net.Listener, error) {
		if !slices.ContainsFunc(held, func(h string) bool { return overlaps(h, addr) }) && inUse(addr) {
			return nil, syscall.EADDRINUSE
		}
		ln, err := listenTCP(addr)
		if err == nil {
			held = append(held, addr)
		}
		return ln, err
	}
}

// overlaps reports whether two Listen addresses share sockets' space: the
// same port, and the same host or a wildcard one.
func overlaps(a, b string) bool {
	ha, pa, _ := net.SplitHostPort(a)
	hb, pb, _ := net.SplitHostPort(b)
	if pa != pb {
		return false
	}
	wild := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wild(ha) || wild(hb)
}

// listenAll binds the configuration's Listen addresses with listen (nil:
// net.Listen), taking those in have as they are.
func listenAll(cfg *confparse.Config, have map[string]*listening, listen func(string) (net.Listener, error)) ([]net.Listener, error) {
	if listen == nil {
		listen = listenTCP
	}
	var ls, bound []net.Listener
	for i, addr := range listenAddrs(cfg) {
		if old, ok := have[addr]; ok {
			ls = append(ls, old.ln)
			continue
		}
		ln, err := listen(addr)
		if err != nil {
			for _, o := range bound {
				o.Close()
			}
			return nil, fmt.Errorf("(98)Address already in use: AH00072: make_sock: could not bind to address %s: %w", addr, err)
		}
		tuneListener(ln, cfg.Listen, cfg.DeferAccept(cfg.Listeners[i].Protocol))
		ls, bound = append(ls, ln), append(bound, ln)
	}
	if len(ls) == 0 {
		return nil, errors.New("AH00015: Unable to open logs: no listening sockets available, shutting down")
	}
	return ls, nil
}

// listenAddrs are the configuration's Listen addresses, in order, as
// host:port ("" for every address).
func listenAddrs(cfg *confparse.Config) []string {
	addrs := make([]string, len(cfg.Listeners))
	for i, l := range cfg.Listeners {
		addrs[i] = net.JoinHostPort(l.Host, strconv.Itoa(l.Port))
	}
	return addrs
}

// Reload makes cfg, with its services, the configuration that serves
// new requests: it builds the table, binds the Listen addresses that are
// new, stops serving those that are gone, and swaps the handler. The
// listeners that stay are kept, with their connections, so a client
// never sees a refused connection or a reset. The returned channel closes
// when the last request of the replaced configuration has finished; its
// services may be stopped then. On error nothing changed.
func (s *Server) Reload(cfg *confparse.Config, services vhost.Services) (<-chan struct{}, error) {
	table, err := vhost.Build(cfg)
	if err != nil {
		return nil, err
	}
	logWarnings(s.log, table)
	// Whatever inotify could not report (a mount over a served path) is
	// seen after a graceful restart, as everything else is re-read.
	s.files.Reset()
	g, err := s.newGeneration(cfg, table, services)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	listen := s.listen
	if listen == nil {
		// A Listen line the new configuration adds must not share the
		// port of another site's server either.
		held := make([]string, 0, len(s.servers))
		for addr := range s.servers {
			held = append(held, addr)
		}
		listen = ownAddrs(held)
	}
	ls, err := listenAll(cfg, s.servers, listen)
	if err != nil {
		g.close()
		return nil, err
	}
	addrs := listenAddrs(cfg)
	keep := map[string]bool{}
	for _, addr := range addrs {
		keep[addr] = true
	}
	for addr, l := range s.servers {
		if !keep[addr] {
			delete(s.servers, addr)
			go l.shutdown(context.Background())
			continue
		}
	}
	s.cfg = cfg
	old := s.current.Swap(g)
	s.stats.Reloaded()
	for i, ln := range ls {
		if _, ok := s.servers[addrs[i]]; !ok {
			s.serveOn(addrs[i], ln, nil)
		}
	}
	old.retire()
	// The old map programs end now, not when the old requests are done:
	// a program that keeps one instance (a lock, a socket) must not
	// run beside its successor, and a lookup stuck on an old one ends.
	go old.closePrograms()
	go func() {
		<-old.drained
		old.close()
	}()
	s.logStartupNotices(cfg)
	s.logResuming(table.Banner)
	return old.drained, nil
}

// Serve serves on the listeners until ctx is done, then stops gracefully:
// no new connections, in-flight requests finish within the shutdown
// timeout. It sets the garbage collector's serving target first (tuneGC).
func (s *Server) Serve(ctx context.Context, ls []net.Listener) error {
	errc := s.Start(ls)
	select {
	case <-ctx.Done():
	case err := <-errc:
		s.Stop(s.shutdown)
		return err
	}
	s.current.Load().mpm.Stopping(s.log)
	return s.Stop(s.shutdown)
}

// Start serves in the background on the listeners Listen bound for the
// configuration. The channel reports a listener that fails.
func (s *Server) Start(ls []net.Listener) <-chan error {
	tuneGC()
	errc := make(chan error, len(ls))
	s.mu.Lock()
	s.servers = map[string]*listening{}
	for i, addr := range listenAddrs(s.cfg) {
		if i < len(ls) {
			s.serveOn(addr, ls[i], errc)
		}
	}
	s.mu.Unlock()
	s.logStartupNotices(s.cfg)
	s.logResuming(s.current.Load().handler.Table.Banner)
	s.diag.Info().Int("listeners", len(ls)).Msg("serving")
	return errc
}

// logResuming logs that the server serves a configuration, as Apache's
// MPM and core log it after each start and graceful restart.
func (s *Server) logResuming(banner string) {
	s.current.Load().mpm.Configured(s.log, banner)
	if s.commandLine != "" {
		s.log.Notice("core", "AH00094: Command line: '"+s.commandLine+"'")
	}
}

// serveOn starts serving on ln, the listener of Listen address addr:
// HTTP/1 with gowsgid's own server (internal/http1), which hands the
// connections that speak HTTP/2 to net/http's; s.mu is held.
func (s *Server) serveOn(addr string, ln net.Listener, errc chan<- error) {
	hs := &http.Server{
		Handler: s,
		// reqtimeout.Conn times the reads (Timeout, RequestReadTimeout)
		// and follows the request cycle by the read deadlines the
		// server sets: it needs a header timeout, which it does not
		// enforce, and no ReadTimeout.
		ReadHeaderTimeout: headerDeadlineSignal,
		// HTTP/1 connections wait KeepAliveTimeout as reqtimeout.Conn
		// times it, from the configuration of the moment; HTTP/2 ones
		// as net/http does, from the listener's first.
		IdleTimeout: keepAliveTimeoutOf(s.cfg),
		// net/http's own complaints (TLS handshake failures) are
		// diagnostics, not Apache error log lines.
		ErrorLog: log.New(debugWriter{s.diag}, "", 0),
		// "OPTIONS *" is the handler's to answer, as Apache does.
		DisableGeneralOptionsHandler: true,
		// Files are sent corked, header and body together.
		ConnContext: s.connContext,
		ConnState:   s.stats.ConnState,
	}
	// KeepAlive is each host's, applied by the handler (a "Connection:
	// close" it sets ends the connection).
	h2 := s.h2OverTLS(ln)
	if h2c(s.cfg) || h2 {
		// HTTP/2 without net/http's TLS: h2c with prior knowledge, and
		// the TLS connections gowsgid decrypts itself.
		var p http.Protocols
		p.SetHTTP1(true)
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
		hs.Protocols = &p
		// mod_http2's SETTINGS: H2MaxSessionStreams and H2WindowSize
		// (the connection window stays Go's: a client may not make the
		// server hold more than a MiB it has not read).
		streams, window := s.cfg.H2Settings()
		hs.HTTP2 = &http.HTTP2Config{MaxConcurrentStreams: streams, MaxReceiveBufferPerStream: window}
	}
	l := &listening{ln: ln, hs: hs}
	s.servers[addr] = l
	served := s.timedListener(s.tlsListener(s.proxyListener(ln), h2))
	// HTTP/1 is gowsgid's own server; the connections that open with
	// the HTTP/2 preface go on to net/http's.
	l.h1 = &http1.Server{
		Handler:       s,
		BaseContext:   context.WithValue(context.Background(), http.ServerContextKey, hs),
		ConnContext:   s.connContext,
		ConnState:     s.stats.ConnState,
		HeaderTimeout: headerDeadlineSignal,
		IdleTimeout:   hs.IdleTimeout,
		ErrorLog:      hs.ErrorLog,
		// The handler answers a bad Host or request-target as Apache
		// does: its error page, its log lines.
		PassMalformed: true,
		BadLine:       s.serveBadLine,
		RefuseBareLF:  s.refuseBareLF,
		StatusLine11:  true,
		StatusText:    apacheStatusText,
		// vhost leaves on a 304 only the Content-Type a Header
		// directive set, which Apache sends.
		KeepNotModifiedType: true,
	}
	if hs.Protocols != nil {
		h2conns := newHandoff(ln.Addr())
		l.h1.HTTP2 = h2conns.give
		go hs.Serve(h2conns)
	}
	go func() {
		if err := l.h1.Serve(served); err != nil && !errors.Is(err, http.ErrServerClosed) && errc != nil {
			errc <- err
		}
	}()
}

// Stop stops serving: the listeners close, idle connections close, and
// requests in flight get timeout to finish (0: as long as they take).
func (s *Server) Stop(timeout time.Duration) error {
	ctx := context.Background()
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	return s.Shutdown(ctx)
}

// Shutdown stops serving as Stop does, the requests in flight given
// until ctx is done: then their connections are closed.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	servers := s.servers
	s.servers = nil
	s.mu.Unlock()
	var wg sync.WaitGroup
	errs := make(chan error, len(servers))
	for _, l := range servers {
		wg.Add(1)
		go func(l *listening) {
			defer wg.Done()
			if err := l.shutdown(ctx); err != nil {
				l.close()
				errs <- err
			}
		}(l)
	}
	// The sessions h2c upgrades started hear GOAWAY and end when their
	// streams have.
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.h2cShutdown.Shutdown(ctx)
		s.waitH2C(ctx)
	}()
	wg.Wait()
	close(errs)
	// Connections an h2c upgrade took over are not net/http's to close:
	// those still open when time is up are closed here.
	s.h2cConns.Range(func(c, _ any) bool {
		c.(net.Conn).Close()
		return true
	})
	s.current.Load().close()
	s.log.Close()
	s.files.Close()
	return <-errs
}

// waitH2C waits until the h2c sessions have ended, or ctx is done.
func (s *Server) waitH2C(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		open := false
		s.h2cConns.Range(func(any, any) bool { open = true; return false })
		if !open {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// headerDeadlineSignal is the http.Server's ReadHeaderTimeout: long
// enough never to be what cuts a request off.
const headerDeadlineSignal = 24 * time.Hour

// timeoutOf is Timeout in seconds (Debian's apache2.conf sets 300;
// Apache's default is 60).
func timeoutOf(cfg *confparse.Config) int {
	if v, ok := serverValue(cfg, "Timeout"); ok {
		return atoi(v)
	}
	return 60
}

// keepAliveOf is KeepAlive (On unless set Off).
func keepAliveOf(cfg *confparse.Config) bool {
	if v, ok := serverValue(cfg, "KeepAlive"); ok {
		return v == "on"
	}
	return true
}

// keepAliveTimeoutOf is the main server's KeepAliveTimeout (5 s unless
// set).
func keepAliveTimeoutOf(cfg *confparse.Config) time.Duration {
	if v, ok := serverValue(cfg, "KeepAliveTimeout"); ok {
		if n := atoi(v); n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 5 * time.Second
}

// serverValue finds the last main-server setting of a simple directive.
func (s *Server) serverValue(name string) (string, bool) { return serverValue(s.cfg, name) }

func serverValue(cfg *confparse.Config, name string) (string, bool) {
	val, ok := "", false
	for _, n := range cfg.Main.Directives {
		if n.Name == name && len(n.Args()) > 0 {
			val, ok = lower(n.Args()[0]), true
		}
	}
	return val, ok
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// GracefulShutdownTimeout is how long a graceful stop lets requests run
// (0: as long as they take), Apache's GracefulShutdownTimeout.
func (s *Server) GracefulShutdownTimeout() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Duration(s.cfg.GracefulShutdownTimeout) * time.Second
}

// debugWriter turns lines written to a log.Logger into debug
// diagnostics.
type debugWriter struct{ log zerolog.Logger }

func (w debugWriter) Write(p []byte) (int, error) {
	w.log.Debug().Str("component", "net/http").Msg(strings.TrimSpace(string(p)))
	return len(p), nil
}

// h2c reports whether cleartext connections may speak HTTP/2 with prior
// knowledge: mod_http2 is loaded and a server's Protocols names h2c.
func h2c(cfg *confparse.Config) bool {
	if cfg.Tree == nil || !cfg.Tree.IsLoaded("mod_http2.c") {
		return false
	}
	for _, s := range append([]*confparse.Server{cfg.Main}, cfg.VirtualHosts...) {
		if s != nil && slices.Contains(s.Protocols, "h2c") {
			return true
		}
	}
	return false
}

// refuseBareLF reports whether c's request heads may not end a line with
// a bare LF (HttpProtocolOptions Strict of its server).
func (s *Server) refuseBareLF(c net.Conn) bool {
	return s.current.Load().handler.Table.StrictLineEnds(proxyproto.AddrPort(c.LocalAddr()))
}

// apacheReasons are Apache's reason phrases by status code
// (http_protocol.c's status_lines), where they are not net/http's
// ("414 Request-URI Too Long").
var apacheReasons = func() (r [600]string) {
	for code, text := range confparse.StatusLines {
		if code < len(r) && text != http.StatusText(code) {
			r[code] = text
		}
	}
	return r
}()

// apacheStatusText is the reason phrase Apache gives code, where it
// differs from net/http's.
func apacheStatusText(code int) string {
	if code < len(apacheReasons) {
		return apacheReasons[code]
	}
	return ""
}
