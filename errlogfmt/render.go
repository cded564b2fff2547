package errlogfmt

import (
	"strconv"
	"time"

	"github.com/gowsgid/gowsgid/internal/logescape"
	"github.com/gowsgid/gowsgid/internal/strftime"
)

// MaxLine is how long a line may be (MAX_STRING_LEN less the newline
// and the terminator): write_logline cuts a longer one.
const MaxLine = 8190

// Info is what one error log line is about (ap_errorlog_info).
type Info struct {
	Time time.Time
	// Level is the line's level (0 emerg ... 15 trace8); -1 for a
	// once-per-connection or once-per-request line.
	Level int
	// Module is the module's short name ("core", "wsgi"); "" for none.
	Module string
	PID    int
	// TID is the thread id %T and the default format show.
	TID int
	// Status is the system error of the line, as %E shows it
	// ("(13)Permission denied"); "" for none.
	Status string
	// Syslog leaves the time out of the default format.
	Syslog bool
	// Server is the server's ServerName (%v); "" for none.
	Server string
	// Conn is the connection the line is about (nil: none).
	Conn *Conn
	// Req is the request the line is about (nil: none); MainLogID is
	// its main request's log id (%L).
	Req       Request
	MainLogID string
	// Message is the text (%M), escaped when written.
	Message string
}

// Conn is a connection's part of a line.
type Conn struct {
	ClientIP   string
	ClientPort int
	LocalIP    string
	LocalPort  int
	// LogID is the connection's log id (%{c}L).
	LogID string
	// Keepalives is how many requests were served on the connection
	// before (%k).
	Keepalives int
	// Remote makes the default format say "[remote ...]" where it says
	// "[client ...]": a mod_wsgi daemon's connection has no scoreboard
	// slot.
	Remote bool
}

// Request is a request's part of a line.
type Request interface {
	// Client is the address of the user agent (useragent_ip and its
	// port).
	Client() (ip string, port int)
	// ServerName is ap_get_server_name (%V).
	ServerName() string
	// Header, Env and Note are a request header, variable and note (%i
	// %e %n).
	Header(name string) (string, bool)
	Env(name string) (string, bool)
	Note(name string) (string, bool)
}

// Append appends the line info makes in format f (nil: the default
// format) to b, without the newline, and reports whether there is a
// line: Apache writes no empty line (a once-per-connection or request
// line whose %+ item is empty is none).
func Append(b []byte, f *Format, info *Info) ([]byte, bool) {
	start := len(b)
	if f == nil {
		b = appendDefault(b, info)
	} else {
		var ok bool
		if b, ok = f.append(b, info); !ok {
			return b[:start], false
		}
	}
	if len(b)-start > MaxLine {
		b = b[:start+MaxLine]
	}
	return b, len(b) > start
}

// appendDefault is do_errorlog_default.
func appendDefault(b []byte, info *Info) []byte {
	if !info.Syslog {
		b = append(b, '[')
		b = appendCtime(b, info.Time, optUsec)
		b = append(b, "] "...)
	}
	b = append(b, '[')
	b = append(b, info.Module...)
	b = append(b, ':')
	b = appendLevel(b, info.Level)
	b = append(b, "] [pid "...)
	b = strconv.AppendInt(b, int64(info.PID), 10)
	b = append(b, ":tid "...)
	b = strconv.AppendInt(b, int64(info.TID), 10)
	b = append(b, "] "...)
	if info.Status != "" {
		b = append(b, info.Status...)
		b = append(b, ": "...)
	}
	who := "[client "
	if info.Conn != nil && info.Conn.Remote {
		who = "[remote "
	}
	if info.Req != nil {
		ip, port := info.Req.Client()
		b = appendAddr(append(b, who...), ip, port)
		b = append(b, "] "...)
	} else if info.Conn != nil {
		b = appendAddr(append(b, who...), info.Conn.ClientIP, info.Conn.ClientPort)
		b = append(b, "] "...)
	}
	b = logescape.AppendErrorItem(b, clip(info.Message))
	if info.Req != nil {
		if ref, ok := info.Req.Header("Referer"); ok && ref != "" {
			b = append(b, ", referer: "...)
			b = logescape.AppendErrorItem(b, ref)
		}
	}
	return b
}

func appendLevel(b []byte, lv int) []byte {
	if lv >= 0 && lv < len(Levels) {
		return append(b, Levels[lv]...)
	}
	return b
}

func appendAddr(b []byte, ip string, port int) []byte {
	b = append(b, ip...)
	b = append(b, ':')
	return strconv.AppendInt(b, int64(port), 10)
}

// append is do_errorlog_format; false when a required item was empty.
func (f *Format) append(b []byte, info *Info) ([]byte, bool) {
	start := len(b)
	fieldStart := start
	skipping := false
	for i := range f.items {
		it := &f.items[i]
		if it.flags&flagFieldSep != 0 {
			if skipping {
				skipping = false
			} else {
				fieldStart = len(b)
			}
		}
		switch {
		case it.flags&flagMessage != 0:
			b = logescape.AppendErrorItem(b, clip(info.Message))
		case skipping:
		case info.Level != -1 && it.minLevel > info.Level:
			b = b[:fieldStart]
			skipping = true
		default:
			n := len(b)
			b = it.appendValue(b, info)
			if len(b) > n {
				continue
			}
			switch {
			case it.flags&flagRequired != 0:
				return b[:start], false
			case it.flags&flagNullHyphen != 0:
				b = append(b, '-')
			default:
				b = b[:fieldStart]
				skipping = true
			}
		}
	}
	return b, true
}

// appendValue appends the item's value (nothing when it has none).
func (it *item) appendValue(b []byte, info *Info) []byte {
	switch it.kind {
	case 0:
		return append(b, it.arg...)
	case 'a':
		if info.Req != nil && (it.arg == "" || it.arg[0] != 'c') {
			ip, port := info.Req.Client()
			return appendAddr(b, ip, port)
		}
		if info.Conn != nil {
			return appendAddr(b, info.Conn.ClientIP, info.Conn.ClientPort)
		}
	case 'A':
		if info.Conn != nil {
			return appendAddr(b, info.Conn.LocalIP, info.Conn.LocalPort)
		}
	case 'e':
		if info.Req != nil {
			if v, ok := info.Req.Env(it.arg); ok {
				return logescape.AppendErrorItem(b, v)
			}
		}
	case 'E':
		return append(b, info.Status...)
	case 'F':
		// The C source file and line of the call that logged: gowsgid
		// has none to show.
	case 'i':
		if info.Req != nil {
			if v, ok := info.Req.Header(it.arg); ok {
				return logescape.AppendErrorItem(b, v)
			}
		}
	case 'k':
		if info.Conn != nil {
			return strconv.AppendInt(b, int64(info.Conn.Keepalives), 10)
		}
	case 'l':
		return appendLevel(b, info.Level)
	case 'L':
		if it.hasArg && (it.arg == "c" || it.arg == "C") {
			// log_log_id: %{C}L only on a line without a request.
			if info.Conn != nil && (it.arg[0] != 'C' || info.Req == nil) {
				return append(b, info.Conn.LogID...)
			}
		} else {
			return append(b, info.MainLogID...)
		}
	case 'm':
		return append(b, info.Module...)
	case 'n':
		if info.Req != nil {
			if v, ok := info.Req.Note(it.arg); ok {
				return logescape.AppendErrorItem(b, v)
			}
		}
	case 'P':
		return strconv.AppendInt(b, int64(info.PID), 10)
	case 't':
		return appendTime(b, it, info.Time)
	case 'T':
		return strconv.AppendInt(b, int64(info.TID), 10)
	case 'v':
		return append(b, info.Server...)
	case 'V':
		if info.Req != nil {
			return append(b, info.Req.ServerName()...)
		}
	}
	return b
}

// ctime options (AP_CTIME_OPTION_*).
const (
	optUsec = 1 << iota
	optCompact
	optGMTOff
)

// appendTime is log_ctime: %t, %{u}t, %{cuz}t and %{strftime}t.
func appendTime(b []byte, it *item, t time.Time) []byte {
	opt := 0
	if it.hasArg {
		switch {
		case it.arg == "u":
			opt = optUsec
		case !containsPercent(it.arg):
			for i := 0; i < len(it.arg); i++ {
				switch it.arg[i] {
				case 'u':
					opt |= optUsec
				case 'c':
					opt |= optCompact
				case 'z':
					opt |= optGMTOff
				}
			}
		default:
			return strftime.Append(b, it.arg, t)
		}
	}
	return appendCtime(b, t, opt)
}

func containsPercent(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			return true
		}
	}
	return false
}

// appendCtime is ap_recent_ctime_ex: "Wed Jun 30 21:49:08 1993", or
// "1993-06-30 21:49:08" compact, with ".123456" and " +0100" as asked.
func appendCtime(b []byte, t time.Time, opt int) []byte {
	if opt&optCompact != 0 {
		b = t.AppendFormat(b, "2006-01-02 15:04:05")
	} else {
		b = t.AppendFormat(b, "Mon Jan 02 15:04:05")
	}
	if opt&optUsec != 0 {
		b = append(b, '.')
		b = pad(b, t.Nanosecond()/1000, 6)
	}
	if opt&optCompact == 0 {
		b = append(b, ' ')
		b = pad(b, t.Year()%10000, 4)
	}
	if opt&optGMTOff != 0 {
		_, off := t.Zone()
		sign := byte('+')
		if off < 0 {
			sign, off = '-', -off
		}
		b = append(b, ' ', sign)
		b = pad(b, off/3600, 2)
		b = pad(b, off%3600/60, 2)
	}
	return b
}

func pad(b []byte, n, width int) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, d...)
}

// clip cuts a message to MaxLine bytes before it is escaped: escaping
// only lengthens it and the line is cut at MaxLine, so what is written
// is the same, without escaping (and holding) the rest of a huge one.
func clip(msg string) string {
	if len(msg) > MaxLine {
		return msg[:MaxLine]
	}
	return msg
}
