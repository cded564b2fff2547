package server

import (
	"errors"
	"log/syslog"
	"strings"
	"sync"
)

// facilities are the syslog facilities ErrorLog syslog:facility names.
var facilities = map[string]syslog.Priority{
	"auth": syslog.LOG_AUTH, "authpriv": syslog.LOG_AUTHPRIV, "cron": syslog.LOG_CRON,
	"daemon": syslog.LOG_DAEMON, "ftp": syslog.LOG_FTP, "kern": syslog.LOG_KERN,
	"lpr": syslog.LOG_LPR, "mail": syslog.LOG_MAIL, "news": syslog.LOG_NEWS,
	"syslog": syslog.LOG_SYSLOG, "user": syslog.LOG_USER, "uucp": syslog.LOG_UUCP,
	"local0": syslog.LOG_LOCAL0, "local1": syslog.LOG_LOCAL1, "local2": syslog.LOG_LOCAL2,
	"local3": syslog.LOG_LOCAL3, "local4": syslog.LOG_LOCAL4, "local5": syslog.LOG_LOCAL5,
	"local6": syslog.LOG_LOCAL6, "local7": syslog.LOG_LOCAL7,
}

// facilityOrder is the order Apache's table tries facilities in: a
// prefix such as "local" picks the first that starts with it.
var facilityOrder = []string{"auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail",
	"news", "syslog", "user", "uucp", "local0", "local1", "local2", "local3", "local4", "local5",
	"local6", "local7"}

// syslogWriter sends error log lines to the local syslog daemon, as
// open_error_log does for "syslog[:facility[:tag]]": facility local7 and
// the program's name as tag by default, the process id with each line.
// If no syslog daemon listens, lines are dropped until one does (Apache's
// openlog never fails either).
type syslogWriter struct {
	facility syslog.Priority
	tag      string

	mu sync.Mutex
	w  *syslog.Writer
}

// openSyslog parses "facility[:tag]" (either may be empty).
func openSyslog(spec, prog string) (*syslogWriter, error) {
	fac, tag, _ := strings.Cut(spec, ":")
	if tag == "" {
		tag = prog
	}
	w := &syslogWriter{facility: syslog.LOG_LOCAL7, tag: tag}
	if fac != "" {
		found := false
		for _, name := range facilityOrder {
			if len(fac) <= len(name) && strings.EqualFold(name[:len(fac)], fac) {
				w.facility, found = facilities[name], true
				break
			}
		}
		if !found {
			return nil, errors.New("unknown syslog facility " + fac)
		}
	}
	w.dial()
	return w, nil
}

func (s *syslogWriter) dial() {
	if w, err := syslog.New(s.facility|syslog.LOG_NOTICE, s.tag); err == nil {
		s.w = w
	}
}

func (s *syslogWriter) writeLine(level int, line []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.w == nil {
		if s.dial(); s.w == nil {
			return nil
		}
	}
	msg := strings.TrimSuffix(string(line), "\n")
	switch {
	case level <= 0:
		return s.w.Emerg(msg)
	case level == 1:
		return s.w.Alert(msg)
	case level == 2:
		return s.w.Crit(msg)
	case level == 3:
		return s.w.Err(msg)
	case level == 4:
		return s.w.Warning(msg)
	case level == 5:
		return s.w.Notice(msg)
	case level == 6:
		return s.w.Info(msg)
	}
	return s.w.Debug(msg)
}

func (*syslogWriter) syslog() bool { return true }
