// Package server runs a compiled configuration: it binds the Listen
// addresses, serves HTTP on them with the virtual host table, writes the
// error log, and stops gracefully.
package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/gowsgid/gowsgid/accesslog"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/static"
	"github.com/gowsgid/gowsgid/vhost"
)

// Server serves one configuration at a time.
type Server struct {
	cfg      *confparse.Config
	handler  atomic.Pointer[vhost.Handler]
	log      *ErrorLog
	access   *accesslog.Logs
	diag     zerolog.Logger
	mu       sync.Mutex
	servers  []*http.Server
	shutdown time.Duration
}

// Options configure a Server.
type Options struct {
	// Services are the access checker and WSGI engine the table calls.
	Services vhost.Services
	// Diagnostics receives gowsgid's own messages.
	Diagnostics zerolog.Logger
	// ShutdownTimeout bounds the graceful stop (default 10s).
	ShutdownTimeout time.Duration
	// ErrorLog is the configuration's error log, already open; nil
	// opens it.
	ErrorLog *ErrorLog
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
	s := &Server{cfg: cfg, log: elog, diag: opts.Diagnostics, shutdown: opts.ShutdownTimeout}
	if s.shutdown == 0 {
		s.shutdown = 10 * time.Second
	}
	services := opts.Services
	if services.Log == nil {
		services.Log = elog.Request
	}
	s.access, err = accesslog.Open(cfg, accesslog.Options{KeepAlive: s.keepAlive(),
		Warn: func(r *vhost.Request, msg string) { elog.Request("warn", "log_config", r, msg) },
		Log:  func(level, msg string) { elog.Client(level, "core", "", msg) }})
	if err != nil {
		return nil, err
	}
	if !s.access.Empty() {
		services.Transaction = s.access.Transaction
	}
	s.handler.Store(&vhost.Handler{Table: table, Services: services})
	return s, nil
}

// Reopen reopens every error and access log file at its path: after
// logrotate renamed the logs, what is logged goes to new files under the
// old names (no line is lost; a line is in the old file or the new one).
// Piped loggers and syslog keep running. Graceful restart calls it.
func (s *Server) Reopen() error {
	return errors.Join(s.log.Reopen(), s.access.Reopen())
}

// connContext is the http.Server's ConnContext: the connection for
// corked file sends, and its request count when a log format has %k.
func (s *Server) connContext(ctx context.Context, c net.Conn) context.Context {
	ctx = static.WithConn(ctx, c)
	if s.access.UsesConnection() {
		ctx = accesslog.ConnContext(ctx, c)
	}
	return ctx
}

// ServeHTTP hands the request to the current table.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.Load().ServeHTTP(w, r)
}

// Listen binds every Listen address of the configuration.
func (s *Server) Listen() ([]net.Listener, error) {
	var ls []net.Listener
	for _, l := range s.cfg.Listeners {
		addr := net.JoinHostPort(l.Host, strconv.Itoa(l.Port))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			for _, o := range ls {
				o.Close()
			}
			return nil, fmt.Errorf("(98)Address already in use: AH00072: make_sock: could not bind to address %s: %w", addr, err)
		}
		ls = append(ls, ln)
	}
	if len(ls) == 0 {
		return nil, errors.New("AH00015: Unable to open logs: no listening sockets available, shutting down")
	}
	return ls, nil
}

// Serve serves on the listeners until ctx is done, then stops gracefully:
// no new connections, in-flight requests finish within the shutdown
// timeout. It sets the garbage collector's serving target first (tuneGC).
func (s *Server) Serve(ctx context.Context, ls []net.Listener) error {
	tuneGC()
	errc := make(chan error, len(ls))
	timeout := time.Duration(s.timeoutSeconds()) * time.Second
	for _, ln := range ls {
		hs := &http.Server{
			Handler:           s,
			ReadHeaderTimeout: timeout,
			IdleTimeout:       s.keepAliveTimeout(),
			ErrorLog:          nil,
			// "OPTIONS *" is the handler's to answer, as Apache does.
			DisableGeneralOptionsHandler: true,
			// Files are sent corked, header and body together.
			ConnContext: s.connContext,
		}
		if !s.keepAlive() {
			hs.SetKeepAlivesEnabled(false)
		}
		s.mu.Lock()
		s.servers = append(s.servers, hs)
		s.mu.Unlock()
		go func(ln net.Listener) {
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}(ln)
	}
	s.log.Notice("mpm_event", fmt.Sprintf("AH00489: %s configured -- resuming normal operations", s.handler.Load().Table.Banner))
	s.diag.Info().Int("listeners", len(ls)).Msg("serving")
	select {
	case <-ctx.Done():
	case err := <-errc:
		s.stop()
		return err
	}
	s.log.Notice("mpm_event", "AH00491: caught SIGTERM, shutting down")
	return s.stop()
}

func (s *Server) stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.shutdown)
	defer cancel()
	s.mu.Lock()
	servers := s.servers
	s.mu.Unlock()
	var first error
	for _, hs := range servers {
		if err := hs.Shutdown(ctx); err != nil && first == nil {
			first = err
		}
	}
	s.access.Close()
	s.log.Close()
	return first
}

// timeoutSeconds is Timeout (Debian's apache2.conf sets 300; Apache's
// default is 60).
func (s *Server) timeoutSeconds() int {
	if v, ok := s.serverValue("Timeout"); ok {
		return atoi(v)
	}
	return 60
}

func (s *Server) keepAlive() bool {
	if v, ok := s.serverValue("KeepAlive"); ok {
		return v == "on"
	}
	return true
}

func (s *Server) keepAliveTimeout() time.Duration {
	if v, ok := s.serverValue("KeepAliveTimeout"); ok {
		if n := atoi(v); n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	return 5 * time.Second
}

// serverValue finds the last main-server setting of a simple directive.
func (s *Server) serverValue(name string) (string, bool) {
	val, ok := "", false
	for _, n := range s.cfg.Main.Directives {
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
