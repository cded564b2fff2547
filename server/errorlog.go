package server

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
)

// levels orders Apache's log levels, most severe first.
var levels = map[string]int{"emerg": 0, "alert": 1, "crit": 2, "error": 3, "warn": 4, "notice": 5,
	"info": 6, "debug": 7, "trace1": 8, "trace2": 9, "trace3": 10, "trace4": 11, "trace5": 12,
	"trace6": 13, "trace7": 14, "trace8": 15}

// ErrorLog writes Apache 2.4's error log lines:
// [time] [module:level] [pid P:tid T] [client ip:port] message
// to the main server's ErrorLog file, at the main LogLevel.
type ErrorLog struct {
	mu    sync.Mutex
	w     io.WriteCloser
	level int
	pid   int
}

// OpenErrorLog opens the main server's ErrorLog (Debian's default
// logs/error_log relative to ServerRoot); piped and syslog logs go to
// stderr until the operations work brings them.
func OpenErrorLog(cfg *confparse.Config) (*ErrorLog, error) {
	l := &ErrorLog{level: levels["warn"], pid: os.Getpid()}
	for _, n := range cfg.Main.Directives {
		if n.Name == "LogLevel" {
			for _, a := range n.Args() {
				if lv, ok := levels[strings.ToLower(a)]; ok {
					l.level = lv
				}
			}
		}
	}
	name := cfg.Main.ErrorLog
	if name == "" {
		name = confparse.DefaultErrorLog
	}
	if strings.HasPrefix(name, "|") || strings.HasPrefix(name, "syslog") {
		l.w = nopCloser{os.Stderr}
		return l, nil
	}
	f, err := os.OpenFile(cfg.RootRelative(name), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("(%s) AH00091: could not open error log file %s", err, cfg.RootRelative(name))
	}
	l.w = f
	return l, nil
}

// NewErrorLog writes Apache's error log lines to w at level (a daemon
// worker writes to the server's log file this way).
func NewErrorLog(w io.WriteCloser, level string) *ErrorLog {
	l := &ErrorLog{level: levels["warn"], pid: os.Getpid(), w: w}
	if lv, ok := levels[strings.ToLower(level)]; ok {
		l.level = lv
	}
	return l
}

// File is the log's file, to hand to daemon workers; nil for a log that
// is not a plain file.
func (l *ErrorLog) File() *os.File {
	f, _ := l.w.(*os.File)
	return f
}

// Level is the log's level name.
func (l *ErrorLog) Level() string {
	for name, lv := range levels {
		if lv == l.level {
			return name
		}
	}
	return "warn"
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// enabled reports whether LogLevel lets lines of level through.
func (l *ErrorLog) enabled(level string) bool {
	lv, ok := levels[level]
	return ok && lv <= l.level
}

func (l *ErrorLog) write(level, module, client, msg string) {
	if !l.enabled(level) {
		return
	}
	ts := time.Now().Format("Mon Jan 02 15:04:05.000000 2006")
	line := fmt.Sprintf("[%s] [%s:%s] [pid %d:tid %d] %s%s\n", ts, module, level, l.pid, l.pid, client, msg)
	l.mu.Lock()
	io.WriteString(l.w, line)
	l.mu.Unlock()
}

// Logged reports whether lines of a level are written (LogLevel).
func (l *ErrorLog) Logged(level string) bool {
	lv, ok := levels[level]
	return ok && lv <= l.level
}

// Request logs a line about a request, with its client address.
func (l *ErrorLog) Request(level, module string, r *vhost.Request, msg string) {
	if !l.enabled(level) {
		return
	}
	client := ""
	if r != nil && r.Remote.IsValid() {
		client = fmt.Sprintf("[client %s:%d] ", r.Remote.Addr().Unmap(), r.Remote.Port())
	}
	l.write(level, module, client, msg)
}

// Client logs a line about a request known only by its client address
// ("ip:port"; "" for none), as Python code running a request logs.
func (l *ErrorLog) Client(level, module, client, msg string) {
	if client != "" {
		client = "[client " + client + "] "
	}
	l.write(level, module, client, msg)
}

// Remote logs a line of a daemon process about a request, with the
// client address as mod_wsgi's daemons write it ("[remote ip:port]").
func (l *ErrorLog) Remote(level, module, client, msg string) {
	if client != "" {
		client = "[remote " + client + "] "
	}
	l.write(level, module, client, msg)
}

// Notice logs a server-level notice (written whatever LogLevel says, as
// Apache writes its start-up and shutdown notices).
func (l *ErrorLog) Notice(module, msg string) {
	ts := time.Now().Format("Mon Jan 02 15:04:05.000000 2006")
	l.mu.Lock()
	fmt.Fprintf(l.w, "[%s] [%s:notice] [pid %d:tid %d] %s\n", ts, module, l.pid, l.pid, msg)
	l.mu.Unlock()
}

// Close closes the log file.
func (l *ErrorLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Close()
}
