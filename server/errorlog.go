package server

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gowsgid/gowsgid/accesslog"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/logfile"
	"github.com/gowsgid/gowsgid/vhost"
)

// levels orders Apache's log levels, most severe first.
var levels = map[string]int{"emerg": 0, "alert": 1, "crit": 2, "error": 3, "warn": 4, "notice": 5,
	"info": 6, "debug": 7, "trace1": 8, "trace2": 9, "trace3": 10, "trace4": 11, "trace5": 12,
	"trace6": 13, "trace7": 14, "trace8": 15}

const levelNotice = 5

// ErrorLog writes Apache 2.4's error log lines in its default
// ErrorLogFormat:
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

// serverLog is one server's error log and levels.
type serverLog struct {
	out     lineWriter
	level   int
	modules map[string]int
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
	rt.byServer[cfg.Main] = rt.main
	for _, s := range cfg.VirtualHosts {
		out := rt.main.out
		if s.ErrorLog != "" {
			if out, err = l.openOutput(cfg, s.ErrorLog); err != nil {
				return nil, err
			}
		}
		rt.byServer[s] = rt.newServerLog(out, s.LogLevel.Merge(mainLevels))
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

// NewErrorLog writes Apache's error log lines to w at level (a daemon
// worker writes to the server's log file this way).
func NewErrorLog(w io.WriteCloser, level string) *ErrorLog {
	l := &ErrorLog{files: logfile.NewSet(""), pid: os.Getpid()}
	rt := &logRoutes{}
	rt.main = rt.newServerLog(plainWriter{w: w}, confparse.LogLevels{Level: level})
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

// Level is the main server's level name.
func (l *ErrorLog) Level() string { return levelName(l.routes.Load().main.level) }

// LevelFor is the main server's level for a module ("wsgi").
func (l *ErrorLog) LevelFor(module string) string {
	main := l.routes.Load().main
	if lv, ok := main.modules[module]; ok {
		return levelName(lv)
	}
	return levelName(main.level)
}

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

// write formats and writes one line to sl.
func (l *ErrorLog) write(sl *serverLog, level, module, client, msg, referer string) {
	lv, ok := levels[level]
	if !ok || !sl.enabled(lv, module) {
		return
	}
	bp := linePool.Get().(*[]byte)
	b := (*bp)[:0]
	if !sl.out.syslog() {
		b = append(b, '[')
		b = time.Now().AppendFormat(b, "Mon Jan 02 15:04:05.000000 2006")
		b = append(b, "] "...)
	}
	b = append(b, '[')
	b = append(b, module...)
	b = append(b, ':')
	b = append(b, level...)
	b = append(b, "] [pid "...)
	b = strconv.AppendInt(b, int64(l.pid), 10)
	b = append(b, ":tid "...)
	b = strconv.AppendInt(b, int64(syscall.Gettid()), 10)
	b = append(b, "] "...)
	b = append(b, client...)
	b = accesslog.AppendErrorLogEscaped(b, msg)
	if referer != "" {
		b = append(b, ", referer: "...)
		b = accesslog.AppendErrorLogEscaped(b, referer)
	}
	// MAX_STRING_LEN: a longer line is cut.
	if len(b) > 8190 {
		b = b[:8190]
	}
	b = append(b, '\n')
	sl.out.writeLine(lv, b)
	*bp = b
	linePool.Put(bp)
}

// Request logs a line about a request, with its client address, to the
// log of the request's server.
func (l *ErrorLog) Request(level, module string, r *vhost.Request, msg string) {
	var s *confparse.Server
	client, referer := "", ""
	if r != nil {
		if r.Host != nil {
			s = r.Host.Server
		}
		if r.Remote.IsValid() {
			client = "[client " + r.Remote.Addr().Unmap().String() + ":" + strconv.Itoa(int(r.Remote.Port())) + "] "
		}
		if r.HTTP != nil {
			referer = r.HTTP.Header.Get("Referer")
		}
	}
	if status, rest, ok := cutStatus(msg); ok {
		client, msg = status+client, rest
	}
	l.write(l.routes.Load().of(s), level, module, client, msg, referer)
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

// Client logs a line about a request known only by its client address
// ("ip:port"; "" for none), as Python code running a request logs.
func (l *ErrorLog) Client(level, module, client, msg string) {
	if client != "" {
		client = "[client " + client + "] "
	}
	l.write(l.routes.Load().main, level, module, client, msg, "")
}

// ClientStatus logs a line about a connection with the status text
// Apache prints before the client ("(EAI 2)Name or service not known: ").
func (l *ErrorLog) ClientStatus(level, module, status, client, msg string) {
	prefix := ""
	if status != "" {
		prefix = status + ": "
	}
	if client != "" {
		prefix += "[client " + client + "] "
	}
	l.write(l.routes.Load().main, level, module, prefix, msg, "")
}

// ServerClient logs a line about a request of server s (nil: the main
// server), known by its client address, to s's error log.
func (l *ErrorLog) ServerClient(level, module string, s *confparse.Server, client, msg string) {
	if client != "" {
		client = "[client " + client + "] "
	}
	l.write(l.routes.Load().of(s), level, module, client, msg, "")
}

// Remote logs a line of a daemon process about a request, with the
// client address as mod_wsgi's daemons write it ("[remote ip:port]").
func (l *ErrorLog) Remote(level, module, client, msg string) {
	if client != "" {
		client = "[remote " + client + "] "
	}
	l.write(l.routes.Load().main, level, module, client, msg, "")
}

// Notice logs a server-level notice (written whatever LogLevel says, as
// Apache writes its start-up and shutdown notices).
func (l *ErrorLog) Notice(module, msg string) {
	l.write(l.routes.Load().main, "notice", module, "", msg, "")
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
