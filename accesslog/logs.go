// Package accesslog writes access logs as Apache's mod_log_config and
// mod_logio do: LogFormat strings compiled once into field writers,
// CustomLog, TransferLog and GlobalLog with env= and expr= conditions,
// the main server's logs for virtual hosts that have none of their own,
// piped logs and BufferedLogs.
package accesslog

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/logfile"
	"github.com/gowsgid/gowsgid/vhost"
)

// Logs are a configuration's access logs, open.
type Logs struct {
	files *logfile.Set
	// byServer lists the logs of each server's requests; main is the
	// main server's.
	byServer map[*confparse.Server][]*accessLog
	main     []*accessLog
	opts     Options
}

// accessLog is one CustomLog (or TransferLog, GlobalLog) as a server uses
// it.
type accessLog struct {
	dest   *logfile.Dest
	format *Format
	// env is the env= variable, negate its '!'.
	env    string
	negate bool
	expr   *apexpr.Expr
	name   string
}

// Options tune how requests are logged.
type Options struct {
	// KeepAlive is whether the server keeps connections open (KeepAlive
	// On), for %X.
	KeepAlive bool
	// Warn reports a log line that could not be written or a condition
	// that failed (Apache's AH00646, AH00644), with the request.
	Warn func(r *vhost.Request, msg string)
	// Log reports a piped log program that exited (AH00106, warn) or
	// could not be started again (AH00104, error); nil is stderr.
	Log func(level, msg string)
	// OpenFile opens a log file for appending (nil: as Apache opens
	// it); a server without privileges asks its helper.
	OpenFile func(path string) (*os.File, error)
	// StartPipe starts a piped log program (nil: the server starts it
	// itself); a server without privileges asks its helper, which starts
	// it as root, as Apache's parent does.
	StartPipe func(program string, errorf func(format string, args ...any)) (logfile.Pipe, error)
}

// Open opens the access logs of cfg, each file or program once however
// many directives name it. With no CustomLog, TransferLog or GlobalLog
// anywhere it returns Logs that log nothing.
func Open(cfg *confparse.Config, opts Options) (*Logs, error) {
	l := &Logs{files: logfile.NewSet(cfg.Tree.ServerRoot), byServer: map[*confparse.Server][]*accessLog{}, opts: opts}
	l.files.OpenFile, l.files.StartPipe = opts.OpenFile, opts.StartPipe
	l.files.SetBuffered(cfg.BufferedLogs)
	if opts.Log != nil {
		l.files.Errorf = func(format string, args ...any) {
			msg := fmt.Sprintf(format, args...)
			level := "warn"
			if strings.HasPrefix(msg, "AH00104") {
				level = "error"
			}
			opts.Log(level, msg)
		}
	}
	known := confparse.LogFormatDirectivesFor(cfg.Tree)
	main := cfg.Main
	mainLogs, err := l.serverLogs(cfg, main, main.Logs.Logs, known)
	if err != nil {
		l.files.Close()
		return nil, err
	}
	l.main = mainLogs
	l.byServer[main] = mainLogs
	for _, s := range cfg.VirtualHosts {
		var logs []*accessLog
		if len(s.Logs.Logs) > 0 {
			// Its own logs, and the main server's GlobalLogs.
			own, err := l.serverLogs(cfg, s, s.Logs.Logs, known)
			if err != nil {
				l.files.Close()
				return nil, err
			}
			logs = own
			for i, ml := range main.Logs.Logs {
				if ml.Inherit {
					logs = append(logs, mainLogs[i])
				}
			}
		} else {
			// The main server's logs; a TransferLog among them takes
			// this server's default format.
			for i, ml := range main.Logs.Logs {
				al := mainLogs[i]
				if ml.Format == "" {
					c := *al
					if c.format, err = defaultFormat(cfg, s, known); err != nil {
						l.files.Close()
						return nil, err
					}
					al = &c
				}
				logs = append(logs, al)
			}
		}
		l.byServer[s] = logs
	}
	return l, nil
}

// serverLogs opens a server's log lines.
func (l *Logs) serverLogs(cfg *confparse.Config, s *confparse.Server, lines []confparse.CustomLog, known map[string]bool) ([]*accessLog, error) {
	var out []*accessLog
	for _, cl := range lines {
		var f *Format
		var err error
		if cl.Format == "" {
			f, err = defaultFormat(cfg, s, known)
		} else {
			f, err = Compile(lookupFormat(cfg, s, cl.Format), known)
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", cl.File, cl.Line, err)
		}
		dest, err := l.files.Open(cl.Target)
		if err != nil {
			// Apache's open_logs hooks fail: AH00015 follows.
			if strings.HasPrefix(cl.Target, "|") {
				return nil, &vhost.StartupError{Bare: true, OpeningLogs: true,
					Msg: aprerr.Prefix(err) + fmt.Sprintf("AH00104: unable to start piped log program '%s'", logfile.ProgramName(cl.Target[1:]))}
			}
			return nil, &vhost.StartupError{Module: "log_config", Level: "error", OpeningLogs: true,
				Msg: aprerr.Prefix(err) + fmt.Sprintf("AH00649: could not open transfer log file %s.", l.files.Path(cl.Target))}
		}
		al := &accessLog{dest: dest, format: f, expr: cl.Expr, name: cl.Target}
		if cl.Env != "" {
			al.env, al.negate = strings.TrimPrefix(cl.Env, "!"), cl.Env[0] == '!'
		}
		out = append(out, al)
	}
	return out, nil
}

// lookupFormat resolves a LogFormat nickname for server s as Apache
// 2.4's merged apr_table does (checked against Apache 2.4.71), ignoring
// case: the server's own nicknames first, with "CLF" among them unless
// its LogFormat redefined it, then the main server's (whose "CLF" a
// virtual host thus never uses); a string that is no nickname is a
// format.
func lookupFormat(cfg *confparse.Config, s *confparse.Server, name string) string {
	key := strings.ToLower(name)
	if f, ok := s.Logs.Formats[key]; ok {
		return f
	}
	if key == "clf" {
		return confparse.DefaultLogFormat
	}
	if f, ok := cfg.Main.Logs.Formats[key]; ok {
		return f
	}
	return name
}

// defaultFormat is a server's default format for TransferLog: its
// one-argument LogFormat (a format or a nickname), else the main
// server's, else the Common Log Format.
func defaultFormat(cfg *confparse.Config, s *confparse.Server, known map[string]bool) (*Format, error) {
	src := confparse.DefaultLogFormat
	switch {
	case s.Logs.HasDefault:
		src = lookupFormat(cfg, s, s.Logs.DefaultFormat)
	case cfg.Main.Logs.HasDefault:
		src = lookupFormat(cfg, s, cfg.Main.Logs.DefaultFormat)
	}
	return Compile(src, known)
}

// ReadsEnv reports whether a log reads requests' environments: a format
// with %{VAR}e, or a condition (env= or expr=). A handler that builds
// variables of its own (the CGI variables of a WSGI request) then adds
// them to the request's environment, as Apache's handlers add them to
// subprocess_env, where the log finds them.
func (l *Logs) ReadsEnv() bool {
	if l == nil {
		return false
	}
	for _, logs := range l.byServer {
		for _, al := range logs {
			if al.env != "" || al.expr != nil || al.format.readsEnv {
				return true
			}
		}
	}
	return false
}

// Empty reports whether no request is logged.
func (l *Logs) Empty() bool {
	if l == nil {
		return true
	}
	for _, logs := range l.byServer {
		if len(logs) > 0 {
			return false
		}
	}
	return true
}

// Reopen reopens every log file at its path (after logrotate renamed
// it); piped programs keep running.
func (l *Logs) Reopen() error { return l.files.Reopen() }

// Flush writes what BufferedLogs holds.
func (l *Logs) Flush() error { return l.files.Flush() }

// Close flushes and closes every log.
func (l *Logs) Close() error { return l.files.Close() }

// Transaction logs a request once it is answered: to the logs of its
// server whose conditions hold. It is vhost.Services.Transaction.
func (l *Logs) Transaction(r *vhost.Request) {
	logs := l.main
	if r.Host != nil && r.Host.Server != nil {
		if sl, ok := l.byServer[r.Host.Server]; ok {
			logs = sl
		}
	}
	if len(logs) == 0 {
		return
	}
	x := txnPool.Get().(*txn)
	x.init(r, l)
	for _, al := range logs {
		if !al.wanted(r, l) {
			continue
		}
		x.buf = al.format.appendLine(x.buf[:0], x)
		if _, err := al.dest.Write(x.buf); err != nil && l.opts.Warn != nil {
			l.opts.Warn(r, aprerr.Prefix(err)+"AH00646: Error writing to "+al.name)
		}
	}
	x.release()
}

// wanted is config_log_transaction's env= and expr= test, on the
// request net/http handed over.
func (al *accessLog) wanted(r *vhost.Request, l *Logs) bool {
	if al.env != "" {
		set := r.Env.Has(al.env)
		return set != al.negate
	}
	if al.expr != nil {
		ok, err := al.expr.Eval(r.ExprContext())
		if err != nil {
			if l.opts.Warn != nil {
				l.opts.Warn(r, "AH00644: Error evaluating log condition: "+err.Error())
			}
			return false
		}
		return ok
	}
	return true
}

// txn is one request being logged: the original request and the one an
// internal redirect ended in, the response, and what is worked out once
// for every log (the end time).
type txn struct {
	buf                     []byte
	orig, final             *vhost.Request
	resp                    *vhost.Response
	origStatus, finalStatus int
	// bytes is r->bytes_sent (%b, %B); sent what the connection took
	// of the body (%O).
	bytes, sent int64
	end         time.Time
	logs        *Logs
}

var txnPool = sync.Pool{New: func() any { return &txn{buf: make([]byte, 0, 512)} }}

func (x *txn) init(r *vhost.Request, l *Logs) {
	x.orig, x.final, x.resp, x.logs = r, r.Final(), r.Response, l
	x.origStatus, x.finalStatus = r.OriginalStatus(), r.StatusSent()
	x.bytes, x.sent = 0, 0
	if x.resp != nil {
		x.bytes, x.sent = x.resp.Bytes, x.resp.Sent
	}
	x.end = time.Time{}
}

func (x *txn) release() {
	x.orig, x.final, x.resp, x.logs = nil, nil, nil, nil
	if cap(x.buf) > 64<<10 {
		x.buf = make([]byte, 0, 512)
	}
	txnPool.Put(x)
}

// endTime is when the request was logged (get_request_end_time: once per
// request, whatever the logs).
func (x *txn) endTime() time.Time {
	if x.end.IsZero() {
		x.end = time.Now()
	}
	return x.end
}

// aborted is Apache's c->aborted: a write to the client failed (or the
// handler cut the response short). That the client has closed its
// connection is not enough: net/http then cancels the request's
// context, also after the whole response was sent, and Apache, whose
// writes to such a client succeed, logs no X either.
func (x *txn) aborted() bool {
	return x.resp != nil && x.resp.Failed
}

// keepAlive is whether net/http keeps the connection open after this
// response: keep-alives on, and neither the request (Connection: close,
// HTTP/1.0 without keep-alive) nor the response (Connection: close)
// closes it; an HTTP/1.0 response needs a Content-Length.
func (x *txn) keepAlive() bool {
	hr := x.orig.HTTP
	if !x.logs.opts.KeepAlive || hr.Close {
		return false
	}
	if x.resp == nil {
		return true
	}
	h := x.resp.Header()
	for _, v := range h["Connection"] {
		if strings.EqualFold(strings.TrimSpace(v), "close") {
			return false
		}
	}
	if !hr.ProtoAtLeast(1, 1) && len(h["Content-Length"]) == 0 && bodyAllowed(x.finalStatus) && hr.Method != "HEAD" {
		return false
	}
	return true
}

// sender is the request whose r->bytes_sent counts the response: the
// final one, or the original when its ErrorDocument redirect failed
// and it sent Apache's page itself.
func (x *txn) sender() *vhost.Request {
	if x.final.RedirectFailed() {
		return x.orig
	}
	return x.final
}

// keepalives is the connection's c->keepalives once ap_set_keepalive
// has run for the request: one per request kept alive before it, one
// more if it is kept alive too or is the last MaxKeepAliveRequests
// allows.
func (x *txn) keepalives() int {
	n := x.orig.ConnRequests
	if max := x.orig.MaxKeepAliveRequests(); x.keepAlive() || max > 0 && n == max {
		n++
	}
	return n
}

// digits is the length of n in decimal.
func digits(n int64) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}

func bodyAllowed(status int) bool {
	return status >= 200 && status != 204 && status != 304
}

// bytesIn approximates mod_logio's count of the bytes received: the
// request line, each header field as "Name: value\r\n", the blank line,
// and a body of Content-Length bytes unless it was refused (413); a
// chunked body is not counted. A request refused on its request line
// counts that line only.
func (x *txn) bytesIn() int64 {
	hr := x.orig.HTTP
	if hr.Method == "" {
		return 0
	}
	n := int64(len(hr.Method) + 1 + len(hr.RequestURI) + 1 + len(hr.Proto) + 2)
	if x.orig.LineOnly {
		return n
	}
	if hr.Host != "" {
		n += int64(len("Host: ") + len(hr.Host) + 2)
	}
	for k, vs := range hr.Header {
		for _, v := range vs {
			n += int64(len(k) + 2 + len(v) + 2)
		}
	}
	for _, te := range hr.TransferEncoding {
		n += int64(len("Transfer-Encoding: ") + len(te) + 2)
	}
	n += 2
	if hr.ContentLength > 0 && x.finalStatus != 413 {
		n += hr.ContentLength
	}
	return n
}

// bytesOut approximates mod_logio's count of the bytes sent: the status
// line, the header fields (with the Content-Length and Connection: close
// net/http adds), the blank line and the body. Chunked framing is not
// counted.
func (x *txn) bytesOut() int64 {
	st := x.finalStatus
	n := int64(len("HTTP/1.1 000 ") + len(http.StatusText(st)) + 2)
	if x.resp == nil {
		return n + 2 + x.sent
	}
	h := x.resp.Header()
	for k, vs := range h {
		for _, v := range vs {
			n += int64(len(k) + 2 + len(v) + 2)
		}
	}
	if len(h["Content-Length"]) == 0 && bodyAllowed(st) && x.bytes > 0 && x.bytes <= 2048 {
		n += int64(len("Content-Length: ") + digits(x.bytes) + 2)
	}
	if !x.keepAlive() && len(h["Connection"]) == 0 && x.orig.HTTP.ProtoAtLeast(1, 1) {
		n += int64(len("Connection: close\r\n"))
	}
	return n + 2 + x.sent
}
