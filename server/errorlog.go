package server

import (
	"fmt"
	"io"
	"net/netip"
	"net/textproto"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/errlogfmt"
	"github.com/gowsgid/gowsgid/internal/logescape"
	"github.com/gowsgid/gowsgid/internal/logfile"
	"github.com/gowsgid/gowsgid/vhost"
	"github.com/gowsgid/gowsgid/wsgi"
)

// levels orders Apache's log levels, most severe first.
var levels = map[string]int{"emerg": 0, "alert": 1, "crit": 2, "error": 3, "warn": 4, "notice": 5,
	"info": 6, "debug": 7, "trace1": 8, "trace2": 9, "trace3": 10, "trace4": 11, "trace5": 12,
	"trace6": 13, "trace7": 14, "trace8": 15}

const levelNotice = 5

// ErrorLog writes Apache 2.4's error log lines in each server's
// ErrorLogFormat (errlogfmt), by default:
//
//	[time] [module:level] [pid P:tid T] [client ip:port] message, referer: R
//
// to each server's ErrorLog (a file, a piped program or syslog; a
// virtual host without its own writes to the main server's) at the
// server's LogLevel, per module.
type ErrorLog struct {
	files *logfile.Set
	pid   int
	// routes are the current configuration's logs and levels; Reload
	// replaces them.
	routes atomic.Pointer[logRoutes]
	// syslogs are the syslog destinations opened, by name, shared by
	// the configurations that name them.
	mu      sync.Mutex
	syslogs map[string]*syslogWriter
}

// logRoutes is where the lines of one configuration's servers go, at
// which levels.
type logRoutes struct {
	main     *serverLog
	byServer map[*confparse.Server]*serverLog
	// daemon are, in a daemon process, the logs of the servers whose
	// requests it serves, by wsgi.Call.LogServer (see DaemonServers).
	daemon []*serverLog
	// max is the most verbose level any server or module logs at.
	max int
	// prev are the routes of the configuration before (its requests
	// may still be running after a graceful restart), without theirs.
	prev *logRoutes
}

// of is server s's log: its own, that of the configuration before for
// one of its servers, else the main server's.
func (rt *logRoutes) of(s *confparse.Server) *serverLog {
	if s != nil {
		if sl, ok := rt.byServer[s]; ok {
			return sl
		}
		if rt.prev != nil {
			if sl, ok := rt.prev.byServer[s]; ok {
				return sl
			}
		}
	}
	return rt.main
}

// serverLog is one server's error log, levels and ErrorLogFormat.
type serverLog struct {
	out     lineWriter
	level   int
	modules map[string]int
	formats errlogfmt.Formats
	// hostname is the server's name (%v).
	hostname string
}

// lineWriter is where a server's lines go: a file or pipe, or syslog.
type lineWriter interface {
	writeLine(level int, line []byte) error
	// syslog is set for syslog, which gets lines without the time and
	// filters notices by level.
	syslog() bool
}

// OpenErrorLog opens the error logs of a configuration: the main
// server's ErrorLog (Debian's logs/error_log relative to ServerRoot when
// none is set) and those of the virtual hosts that name their own. A
// destination named twice is opened once.
func OpenErrorLog(cfg *confparse.Config) (*ErrorLog, error) {
	return OpenErrorLogVia(cfg, nil, nil)
}

// OpenErrorLogVia is OpenErrorLog for a server that drops its
// privileges: its privileged helper opens the log files (open, also when
// Reopen and Reload open them again) and starts the piped programs
// (startPipe), as root, as Apache's parent does. A nil function is done
// by this process.
func OpenErrorLogVia(cfg *confparse.Config, open func(path string) (*os.File, error),
	startPipe func(program string, errorf func(format string, args ...any)) (logfile.Pipe, error)) (*ErrorLog, error) {
	l := &ErrorLog{files: logfile.NewSet(cfg.Tree.ServerRoot), pid: os.Getpid()}
	l.files.OpenFile, l.files.StartPipe = open, startPipe
	rt, err := l.openRoutes(cfg)
	if err != nil {
		l.files.Close()
		return nil, err
	}
	l.routes.Store(rt)
	return l, nil
}

// Reload makes the lines of cfg's servers go to their ErrorLog at their
// LogLevel, opening the destinations not open yet, as Apache's graceful
// restart opens its logs from the new configuration. The servers of the
// configuration before keep theirs while their requests finish. On an
// error the routes stay as they were; undo puts them back, for a
// configuration that then fails to start serving.
func (l *ErrorLog) Reload(cfg *confparse.Config) (undo func(), err error) {
	rt, err := l.openRoutes(cfg)
	if err != nil {
		return nil, err
	}
	old := l.routes.Load()
	prev := *old
	prev.prev = nil
	rt.prev = &prev
	l.routes.Store(rt)
	return func() { l.routes.Store(old) }, nil
}

// openRoutes opens cfg's error logs and works out their levels.
func (l *ErrorLog) openRoutes(cfg *confparse.Config) (*logRoutes, error) {
	rt := &logRoutes{byServer: map[*confparse.Server]*serverLog{}}
	mainName := cfg.Main.ErrorLog
	if mainName == "" {
		mainName = confparse.DefaultErrorLog
	}
	out, err := l.openOutput(cfg, mainName)
	if err != nil {
		return nil, err
	}
	mainLevels := cfg.Main.LogLevel.Merge(confparse.LogLevels{Level: "warn"})
	rt.main = rt.newServerLog(out, mainLevels)
	rt.main.formats, rt.main.hostname = cfg.ErrorLogFormatsOf(cfg.Main), cfg.Main.Hostname
	rt.byServer[cfg.Main] = rt.main
	for _, s := range cfg.VirtualHosts {
		out := rt.main.out
		if s.ErrorLog != "" {
			if out, err = l.openOutput(cfg, s.ErrorLog); err != nil {
				return nil, err
			}
		}
		sl := rt.newServerLog(out, s.LogLevel.Merge(mainLevels))
		sl.formats, sl.hostname = cfg.ErrorLogFormatsOf(s), s.Hostname
		rt.byServer[s] = sl
	}
	return rt, nil
}

func (rt *logRoutes) newServerLog(out lineWriter, ll confparse.LogLevels) *serverLog {
	sl := &serverLog{out: out, level: levelOf(ll.Level)}
	rt.max = max(rt.max, sl.level)
	for m, lv := range ll.Modules {
		if sl.modules == nil {
			sl.modules = map[string]int{}
		}
		sl.modules[m] = levelOf(lv)
		rt.max = max(rt.max, sl.modules[m])
	}
	return sl
}

func levelOf(name string) int {
	if lv, ok := levels[strings.ToLower(name)]; ok {
		return lv
	}
	return levels["warn"]
}

// openOutput opens one ErrorLog destination: syslog[:facility[:tag]],
// |program, or a file.
func (l *ErrorLog) openOutput(cfg *confparse.Config, name string) (lineWriter, error) {
	if name == "syslog" || strings.HasPrefix(name, "syslog:") {
		l.mu.Lock()
		defer l.mu.Unlock()
		if w, ok := l.syslogs[name]; ok {
			return w, nil
		}
		w, err := openSyslog(strings.TrimPrefix(strings.TrimPrefix(name, "syslog"), ":"), filepath.Base(os.Args[0]))
		if err != nil {
			return nil, fmt.Errorf("AH10036: %s: could not open syslog error log %s.", filepath.Base(os.Args[0]), name)
		}
		if l.syslogs == nil {
			l.syslogs = map[string]*syslogWriter{}
		}
		l.syslogs[name] = w
		return w, nil
	}
	d, err := l.files.Open(name)
	if err != nil {
		if strings.HasPrefix(name, "|") {
			return nil, fmt.Errorf("AH00089: Couldn't start ErrorLog process '%s'.", name[1:])
		}
		return nil, fmt.Errorf("(%s) AH00091: could not open error log file %s", errText(err), cfg.RootRelative(name))
	}
	return destWriter{d}, nil
}

// errText is an OS error's own text ("No such file or directory").
func errText(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// destWriter writes lines to a file or a piped program.
type destWriter struct{ d *logfile.Dest }

func (w destWriter) writeLine(_ int, line []byte) error {
	_, err := w.d.Write(line)
	return err
}

func (destWriter) syslog() bool { return false }

// NewErrorLog writes Apache's error log lines to w at level, in the
// formats of the server named hostname (a daemon worker writes to its
// server's log file this way).
func NewErrorLog(w io.WriteCloser, level string, formats errlogfmt.Formats, hostname string) *ErrorLog {
	l := &ErrorLog{files: logfile.NewSet(""), pid: os.Getpid()}
	rt := &logRoutes{}
	rt.main = rt.newServerLog(plainWriter{w: w}, confparse.LogLevels{Level: level})
	rt.main.formats, rt.main.hostname = formats, hostname
	l.routes.Store(rt)
	return l
}

// plainWriter writes lines to an io.WriteCloser.
type plainWriter struct{ w io.WriteCloser }

func (p plainWriter) writeLine(_ int, line []byte) error {
	_, err := p.w.Write(line)
	return err
}

func (plainWriter) syslog() bool { return false }

// File is the main server's log file (the pipe to a piped logger), to
// hand to daemon workers; nil for syslog.
func (l *ErrorLog) File() *os.File { return l.FileFor(nil) }

// FileFor is the log file of server s (the main server's when s is nil
// or has no ErrorLog of its own): a daemon process group's workers
// write to the log of the server that defined the group, as mod_wsgi's
// daemons do.
func (l *ErrorLog) FileFor(s *confparse.Server) *os.File {
	switch w := l.routes.Load().of(s).out.(type) {
	case destWriter:
		return w.d.File()
	case plainWriter:
		f, _ := w.w.(*os.File)
		return f
	}
	return nil
}

// ServerFileLevel is server s's log file as FileFor gives it, and its
// level for module: what a daemon process group's workers need to log
// the lines about s's requests as mod_wsgi does, to s's log.
func (l *ErrorLog) ServerFileLevel(s *confparse.Server, module string) (*os.File, string) {
	sl := l.routes.Load().of(s)
	lv := sl.level
	if m, ok := sl.modules[module]; ok {
		lv = m
	}
	return l.FileFor(s), levelName(lv)
}

// DaemonServer is the log of a server whose requests a daemon process
// serves: where its lines go, at which level, in which format.
type DaemonServer struct {
	Out      io.WriteCloser
	Level    string
	Formats  errlogfmt.Formats
	Hostname string
}

// SetDaemonServers makes the lines Daemon writes about a call go to
// servers[call.LogServer-1] (a daemon process's log made by
// NewErrorLog); a call with LogServer 0 logs to the process's own.
func (l *ErrorLog) SetDaemonServers(servers []DaemonServer) {
	rt := *l.routes.Load()
	rt.daemon = nil
	for _, ds := range servers {
		sl := rt.newServerLog(plainWriter{w: ds.Out}, confparse.LogLevels{Level: ds.Level})
		sl.formats, sl.hostname = ds.Formats, ds.Hostname
		rt.daemon = append(rt.daemon, sl)
	}
	l.routes.Store(&rt)
}

// Level is the main server's level name.
func (l *ErrorLog) Level() string { return levelName(l.routes.Load().main.level) }

func levelName(lv int) string {
	for name, v := range levels {
		if v == lv {
			return name
		}
	}
	return "warn"
}

// Logged reports whether lines of a level may be written by some server
// or module (LogLevel), so that callers can skip formatting the others.
func (l *ErrorLog) Logged(level string) bool {
	lv, ok := levels[level]
	return ok && (lv <= l.routes.Load().max || lv == levelNotice)
}

// enabled is log_error_core's test for a server's log: the module's
// level, else the server's; a notice always goes to a file.
func (sl *serverLog) enabled(lv int, module string) bool {
	limit := sl.level
	if m, ok := sl.modules[module]; ok {
		limit = m
	}
	return lv <= limit || (lv == levelNotice && !sl.out.syslog())
}

// linePool recycles line buffers.
var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// line is what one error log line is about, besides its level and
// module.
type line struct {
	status string
	conn   *errlogfmt.Conn
	req    errlogfmt.Request
	mainID string
	msg    string
}

// enabledFor reports whether sl logs a line of level from module, with
// the level's number.
func (sl *serverLog) enabledFor(level, module string) (int, bool) {
	lv, ok := levels[level]
	return lv, ok && sl.enabled(lv, module)
}

// write formats and writes one line to sl, in sl's ErrorLogFormat.
func (l *ErrorLog) write(sl *serverLog, lv int, module string, ln *line) {
	info := errlogfmt.Info{Time: time.Now(), Level: lv, Module: module, PID: l.pid, TID: syscall.Gettid(),
		Status: ln.status, Syslog: sl.out.syslog(), Server: sl.hostname, Conn: ln.conn, MainLogID: ln.mainID,
		Message: ln.msg}
	info.Req = ln.req
	l.emit(sl, lv, sl.formats.Main, &info)
}

// writeOnce writes the once-per-connection (req nil) or once-per-request
// lines of sl's ErrorLogFormat.
func (l *ErrorLog) writeOnce(sl *serverLog, lv int, formats []*errlogfmt.Format, conn *errlogfmt.Conn, req errlogfmt.Request, mainID string) {
	for _, f := range formats {
		info := errlogfmt.Info{Time: time.Now(), Level: -1, PID: l.pid, TID: syscall.Gettid(),
			Syslog: sl.out.syslog(), Server: sl.hostname, Conn: conn, Req: req, MainLogID: mainID}
		// syslog gets them at the level of the line that brought them
		// (log_error_core's level_and_mask).
		l.emit(sl, lv, f, &info)
	}
}

func (l *ErrorLog) emit(sl *serverLog, lv int, f *errlogfmt.Format, info *errlogfmt.Info) {
	bp := linePool.Get().(*[]byte)
	b, ok := errlogfmt.Append((*bp)[:0], f, info)
	if ok {
		b = append(b, '\n')
		sl.out.writeLine(lv, b)
	}
	if cap(b) > 2*errlogfmt.MaxLine {
		return // a rare long line's buffer is not kept
	}
	*bp = b
	linePool.Put(bp)
}

// Request logs a line about a request, with its client address, to the
// log of the request's server. The first line about a connection and
// about a request gives them their log ids, and writes the server's
// once-per-connection and once-per-request lines, as Apache does.
func (l *ErrorLog) Request(level, module string, r *vhost.Request, msg string) {
	l.request(level, module, r, nil, msg)
}

// WSGIRequest is Request for a line about a WSGI application's request
// in this process: %{VAR}e also finds the CGI variables of env, which
// mod_wsgi adds to the request's environment (r->subprocess_env).
func (l *ErrorLog) WSGIRequest(level, module string, r *vhost.Request, env []wsgi.EnvVar, msg string) {
	l.request(level, module, r, env, msg)
}

func (l *ErrorLog) request(level, module string, r *vhost.Request, env daemonEnv, msg string) {
	var s *confparse.Server
	if r != nil && r.Host != nil {
		s = r.Host.Server
	}
	sl := l.routes.Load().of(s)
	lv, ok := sl.enabledFor(level, module)
	if !ok {
		return
	}
	ln := line{msg: msg}
	if status, rest, ok := cutStatus(msg); ok {
		ln.status, ln.msg = status[:len(status)-2], rest
	}
	if r == nil {
		l.write(sl, lv, module, &ln)
		return
	}
	ln.conn = connInfo(r)
	var newConn, newReq bool
	ln.conn.LogID, newConn = r.EnsureConnLogID()
	rmain := r.Main()
	ln.mainID, newReq = rmain.EnsureLogID()
	if r.HTTP != nil {
		ln.req = requestView{r, env}
	}
	if newConn && len(sl.formats.Conn) > 0 {
		l.writeOnce(sl, lv, sl.formats.Conn, ln.conn, nil, "")
	}
	if newReq && len(sl.formats.Req) > 0 && r.HTTP != nil {
		l.writeOnce(sl, lv, sl.formats.Req, ln.conn, requestView{rmain, nil}, ln.mainID)
	}
	l.write(sl, lv, module, &ln)
}

// connInfo is the connection of r as the error log shows it. An HTTP/2
// stream's connection is mod_http2's secondary one, which has no
// scoreboard slot: the default format says "[remote ...]" for it.
func connInfo(r *vhost.Request) *errlogfmt.Conn {
	c := &errlogfmt.Conn{Keepalives: r.ConnRequests, Remote: r.HTTP != nil && r.HTTP.ProtoMajor == 2}
	if r.Peer.IsValid() {
		c.ClientIP, c.ClientPort = r.Peer.Addr().Unmap().String(), int(r.Peer.Port())
	} else if r.Remote.IsValid() {
		c.ClientIP, c.ClientPort = r.Remote.Addr().Unmap().String(), int(r.Remote.Port())
	}
	if r.Local.IsValid() {
		c.LocalIP, c.LocalPort = r.Local.Addr().Unmap().String(), int(r.Local.Port())
	}
	return c
}

// requestView is a request as the error log reads it; env are the
// variables a WSGI handler added to its environment.
type requestView struct {
	r   *vhost.Request
	env daemonEnv
}

func (v requestView) Client() (string, int) {
	if !v.r.Remote.IsValid() {
		return "", 0
	}
	return v.r.Remote.Addr().Unmap().String(), int(v.r.Remote.Port())
}

func (v requestView) ServerName() string { return v.r.ServerName() }

// Header is a request header as Apache's headers_in has it: repeated
// fields joined with ", ".
func (v requestView) Header(name string) (string, bool) {
	hr := v.r.HTTP
	if v.r.LineOnly {
		return "", false
	}
	key := textproto.CanonicalMIMEHeaderKey(name)
	switch key {
	case "Host":
		return hr.Host, hr.Host != ""
	case "Transfer-Encoding":
		return strings.Join(hr.TransferEncoding, ", "), len(hr.TransferEncoding) > 0
	}
	vs, ok := hr.Header[key]
	if !ok || len(vs) == 0 {
		return "", false
	}
	return strings.Join(vs, ", "), true
}

func (v requestView) Env(name string) (string, bool) {
	if s, ok := v.r.Env.Get(name); ok {
		return s, true
	}
	return v.env.Env(name)
}

func (v requestView) Note(name string) (string, bool) {
	s, ok := v.r.Note(name)
	return s, ok
}

// cutStatus splits the system error a request's message starts with
// ("(13)Permission denied: ", as the hooks write it) from the rest:
// ap_log_rerror writes a status before the client, not in the message.
func cutStatus(msg string) (status, rest string, ok bool) {
	if len(msg) < 4 || msg[0] != '(' {
		return "", msg, false
	}
	i := 1
	for i < len(msg) && msg[i] >= '0' && msg[i] <= '9' {
		i++
	}
	if i == 1 || i >= len(msg) || msg[i] != ')' {
		return "", msg, false
	}
	j := strings.Index(msg[i:], ": ")
	if j < 0 {
		return "", msg, false
	}
	end := i + j + 2
	return msg[:end], msg[end:], true
}

// clientConn is a connection known by its client address ("ip:port"),
// nil for "".
func clientConn(client string) *errlogfmt.Conn {
	if client == "" {
		return nil
	}
	c := &errlogfmt.Conn{ClientIP: client}
	if ap, err := netip.ParseAddrPort(client); err == nil {
		c.ClientIP, c.ClientPort = ap.Addr().Unmap().String(), int(ap.Port())
	} else if i := strings.LastIndexByte(client, ':'); i >= 0 {
		c.ClientIP = client[:i]
		c.ClientPort, _ = strconv.Atoi(client[i+1:])
	}
	return c
}

// logTo writes a line without a request to sl.
func (l *ErrorLog) logTo(sl *serverLog, level, module string, ln *line) {
	if lv, ok := sl.enabledFor(level, module); ok {
		l.write(sl, lv, module, ln)
	}
}

// Client logs a line about a request known only by its client address
// ("ip:port"; "" for none), as Python code running a request logs.
func (l *ErrorLog) Client(level, module, client, msg string) {
	l.logTo(l.routes.Load().main, level, module, &line{conn: clientConn(client), msg: msg})
}

// ClientStatus logs a line about a connection with the status text
// Apache prints before the client ("(EAI 2)Name or service not known").
func (l *ErrorLog) ClientStatus(level, module, status, client, msg string) {
	l.logTo(l.routes.Load().main, level, module, &line{status: status, conn: clientConn(client), msg: msg})
}

// ServerClient logs a line about a connection of server s (nil: the main
// server), known by its client address, to s's error log.
func (l *ErrorLog) ServerClient(level, module string, s *confparse.Server, client, msg string) {
	l.logTo(l.routes.Load().of(s), level, module, &line{conn: clientConn(client), msg: msg})
}

// Remote logs a line of a daemon process about a request, with the
// client address as mod_wsgi's daemons write it ("[remote ip:port]").
func (l *ErrorLog) Remote(level, module, client, msg string) {
	c := clientConn(client)
	if c != nil {
		c.Remote = true
	}
	l.logTo(l.routes.Load().main, level, module, &line{conn: c, msg: msg})
}

// Startup writes a line as Apache writes those it logs with
// APLOG_STARTUP: the message alone, to the main server's log
// ("AH00016: Configuration Failed").
func (l *ErrorLog) Startup(msg string) {
	sl := l.routes.Load().main
	b := logescape.AppendErrorItem(nil, msg)
	sl.out.writeLine(levels["emerg"], append(b, '\n'))
}

// Notice logs a server-level notice (written whatever LogLevel says, as
// Apache writes its start-up and shutdown notices).
func (l *ErrorLog) Notice(module, msg string) {
	l.logTo(l.routes.Load().main, "notice", module, &line{msg: msg})
}

// Reopen reopens every error log file at its path (after logrotate
// renamed it). Piped programs and syslog are left as they are.
func (l *ErrorLog) Reopen() error { return l.files.Reopen() }

// Close closes the logs.
func (l *ErrorLog) Close() error {
	if p, ok := l.routes.Load().main.out.(plainWriter); ok {
		return p.w.Close()
	}
	return l.files.Close()
}

// Daemon logs a line of a daemon process about the request of call, to
// the log of the call's server (SetDaemonServers), as mod_wsgi's daemon
// logs with the request it rebuilt from the environ:
// "[remote ip:port]" in the default format; for ErrorLogFormat, the
// request's variables, no header but Host, the log id the server gave
// the request, and a connection whose local address is localIP with
// the listener's port.
func (l *ErrorLog) Daemon(level, module string, call *wsgi.Call, localIP, msg string) {
	rt := l.routes.Load()
	sl := rt.main
	if i := call.LogServer - 1; i >= 0 && i < len(rt.daemon) {
		sl = rt.daemon[i]
	}
	lv, ok := sl.enabledFor(level, module)
	if !ok {
		return
	}
	env := daemonEnv(call.Env)
	conn := &errlogfmt.Conn{Remote: true, LocalIP: localIP}
	conn.ClientIP, conn.ClientPort = env.Client()
	if p, ok := env.Env("mod_wsgi.listener_port"); ok {
		conn.LocalPort, _ = strconv.Atoi(p)
	}
	var made bool
	conn.LogID, made = call.ConnLogID()
	ln := line{conn: conn, req: env, msg: msg}
	ln.mainID, _ = env.Env("mod_wsgi.request_id")
	if status, rest, ok := cutStatus(msg); ok {
		ln.status, ln.msg = status[:len(status)-2], rest
	}
	if made && len(sl.formats.Conn) > 0 {
		l.writeOnce(sl, lv, sl.formats.Conn, conn, nil, "")
	}
	l.write(sl, lv, module, &ln)
}

// daemonEnv is a daemon process's request, known by its environ.
type daemonEnv []wsgi.EnvVar

func (e daemonEnv) Env(name string) (string, bool) {
	for _, kv := range e {
		if kv.Key == name {
			return kv.Value, true
		}
	}
	return "", false
}

func (e daemonEnv) Client() (string, int) {
	ip, _ := e.Env("REMOTE_ADDR")
	p, _ := e.Env("REMOTE_PORT")
	port, _ := strconv.Atoi(p)
	return ip, port
}

func (e daemonEnv) ServerName() string {
	s, _ := e.Env("SERVER_NAME")
	return s
}

// Header: the daemon's request has the Host header only.
func (e daemonEnv) Header(name string) (string, bool) {
	if textproto.CanonicalMIMEHeaderKey(name) == "Host" {
		return e.Env("HTTP_HOST")
	}
	return "", false
}

func (daemonEnv) Note(string) (string, bool) { return "", false }
