package confparse

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/gowsgid/gowsgid/internal/aprerr"
)

// DefaultErrorLog is Debian's DEFAULT_ERRORLOG, relative to ServerRoot.
const DefaultErrorLog = "logs/error_log"

// finish runs what Apache does between the walk and serving:
// ap_fini_vhost_config (server names, AH00558) and the check_config hooks
// of core (error log directories), mod_log_config (access log
// directories) and mod_authz_core (Require trees), in that order, the
// first that fails stopping the start.
func (w *walker) finish() error {
	cfg := w.cfg
	main := cfg.Main
	if main.ServerName == "" {
		main.Hostname = w.localHost()
	} else {
		main.Hostname = main.ServerName
	}
	for _, s := range cfg.VirtualHosts {
		switch {
		case s.ServerName != "":
			s.Hostname = s.ServerName
		case hasWildcardAddr(s):
			s.Hostname = main.Hostname
		case len(s.Addrs) == 0:
			s.Hostname = "bogus_host_without_forward_dns"
		default:
			names, err := net.LookupAddr(s.Addrs[0].IP)
			if err == nil && len(names) > 0 {
				s.Hostname = strings.TrimSuffix(names[0], ".")
			} else {
				prefix, _ := aprerr.Resolver(err)
				w.notice(Notice{Level: "error", Module: "core", Text: fmt.Sprintf(
					"%sAH00549: Failed to resolve server name for %s (check DNS) -- or specify an explicit ServerName",
					prefix, s.Addrs[0].IP)})
				s.Hostname = "bogus_host_without_reverse_dns"
			}
		}
	}
	// core_check_config: every error log's directory must exist.
	var msgs []string
	for _, s := range append([]*Server{main}, cfg.VirtualHosts...) {
		log := s.ErrorLog
		if log == "" {
			log = main.ErrorLog
		}
		if log == "" {
			log = DefaultErrorLog
		}
		if strings.HasPrefix(log, "|") || log == "syslog" || strings.HasPrefix(log, "syslog:") {
			continue
		}
		dir := filepath.Dir(cfg.RootRelative(log)) + "/"
		fi, err := os.Stat(dir)
		errno := ""
		switch {
		case err != nil:
			errno = errnoPrefix(err)
		case !fi.IsDir():
			errno = "(20)Not a directory: "
		}
		if errno == "" {
			continue
		}
		desc := "main error log"
		if s.IsVirtual() {
			desc = fmt.Sprintf("error log of vhost defined at %s:%d", s.Node.File, s.Node.Line)
		}
		msgs = append(msgs, fmt.Sprintf("%sAH02291: Cannot access directory '%s' for %s", errno, dir, desc))
	}
	if len(msgs) == 0 {
		msgs = checkLogDirs(cfg)
	}
	if len(msgs) == 0 {
		msgs = w.checkAuthz()
	}
	if len(msgs) > 0 {
		msgs = append(msgs, "AH00014: Configuration check failed")
		return &Error{Phase: StartupPhase, Msg: strings.Join(msgs, "\n")}
	}
	return nil
}

// checkLogDirs is mod_log_config's log_check_config: the directory of
// every access log file must exist.
func checkLogDirs(cfg *Config) []string {
	var msgs []string
	for _, s := range append([]*Server{cfg.Main}, cfg.VirtualHosts...) {
		for _, l := range s.Logs.Logs {
			if strings.HasPrefix(l.Target, "|") {
				continue
			}
			dir := filepath.Dir(cfg.RootRelative(l.Target))
			if dir != "/" {
				dir += "/"
			}
			fi, err := os.Stat(dir)
			errno := ""
			switch {
			case err != nil:
				errno = errnoPrefix(err)
			case !fi.IsDir():
				errno = "(20)Not a directory: "
			}
			if errno != "" {
				msgs = append(msgs, fmt.Sprintf("%sAH02297: Cannot access directory '%s' for log file '%s' defined at %s:%d",
					errno, dir, l.Target, l.File, l.Line))
			}
		}
	}
	return msgs
}

func hasWildcardAddr(s *Server) bool {
	for _, a := range s.Addrs {
		if a.Wildcard {
			return true
		}
	}
	return false
}

// errnoPrefix renders an OS error as Apache's log does for a status:
// "(2)No such file or directory: ".
func errnoPrefix(err error) string {
	if p := aprerr.Prefix(err); p != "" {
		return p
	}
	return strerror(err) + ": "
}

// localHost is ap_get_local_host: the name Apache gives the main server
// when ServerName is missing, announced with AH00558.
func (w *walker) localHost() string {
	name := ""
	host, err := os.Hostname()
	if err != nil {
		w.notice(Notice{Bare: true, Level: "warn", Module: "core",
			Text: "AH00556: {prog}: apr_gethostname() failed to determine ServerName"})
	} else if addrs, err := net.LookupHost(host); err == nil && len(addrs) > 0 {
		if names, err := net.LookupAddr(addrs[0]); err == nil && len(names) > 0 &&
			strings.Contains(strings.TrimSuffix(names[0], "."), ".") {
			return strings.TrimSuffix(names[0], ".")
		} else if strings.Contains(host, ".") {
			name = host
		} else {
			name = addrs[0]
		}
	} else {
		w.notice(Notice{Bare: true, Level: "warn", Module: "core",
			Text: fmt.Sprintf("AH00557: {prog}: apr_sockaddr_info_get() failed for %s", host)})
	}
	if name == "" {
		name = "127.0.0.1"
	}
	w.notice(Notice{Bare: true, Level: "alert", Module: "core", Text: fmt.Sprintf(
		"AH00558: {prog}: Could not reliably determine the server's fully qualified domain name, using %s. Set the 'ServerName' directive globally to suppress this message", name)})
	return name
}
