// Package errlogfmt writes Apache 2.4's error log lines: its default
// format (log.c's do_errorlog_default) and core's ErrorLogFormat
// (parse_errorlog_string in core.c, do_errorlog_format in log.c), with
// the once-per-connection and once-per-request formats
// ("ErrorLogFormat connection ..." / "request ...") and the log ids
// (%L) core_generate_log_id makes.
package errlogfmt

import (
	"strings"
)

// flags of an item (AP_ERRORLOG_FLAG_*).
const (
	flagFieldSep   = 1 << iota // "% " or a leading space: a field starts here
	flagMessage                // %M
	flagRequired               // %+x: an empty item drops the whole line
	flagNullHyphen             // %-x: an empty item is written "-"
)

// item is one ap_errorlog_format_item: a constant string (kind 0) or a
// %x item.
type item struct {
	kind     byte
	arg      string
	hasArg   bool
	flags    int
	minLevel int
}

// Format is one parsed ErrorLogFormat string.
type Format struct {
	items []item
	// Text is the format as written.
	Text string
}

// Formats are a server's ErrorLogFormat settings.
type Formats struct {
	// Main is the format of the lines (nil: Apache's default format).
	Main *Format
	// Conn and Req are the once-per-connection and once-per-request
	// lines ("ErrorLogFormat connection/request ..."), in order; nil
	// when none was given.
	Conn, Req []*Format
}

// handlers are the items core and log.c register
// (ap_register_log_hooks).
const handlers = "aAeEFikLlmnPtTvV"

// Parse parses an ErrorLogFormat string as core.c's
// parse_errorlog_string does: main is the format of the lines, else a
// once-per-connection or once-per-request one. The error is Apache's
// text.
func Parse(s string, main bool) (*Format, error) {
	f := &Format{Text: s}
	seenMsg := false
	for s != "" {
		var it item
		var err string
		s, err = parseItem(&it, s)
		if err != "" {
			return nil, fmtError(err)
		}
		if it.flags&flagMessage != 0 {
			if !main {
				return nil, fmtError("%M cannot be used in once-per-request or once-per-connection formats")
			}
			seenMsg = true
		}
		if main && it.flags&flagRequired != 0 {
			return nil, fmtError("The '+' flag cannot be used in the main error log format")
		}
		if !main && it.minLevel != 0 {
			return nil, fmtError("The loglevel cannot be used as a condition in once-per-request or once-per-connection formats")
		}
		if it.minLevel > levelTrace8 {
			return nil, fmtError("The specified loglevel modifier is out of range")
		}
		f.items = append(f.items, it)
	}
	if main && !seenMsg {
		return nil, fmtError("main ErrorLogFormat must contain message format string '%M'")
	}
	return f, nil
}

type fmtError string

func (e fmtError) Error() string { return string(e) }

// parseItem is parse_errorlog_item: one item from the start of s, and
// the rest.
func parseItem(it *item, s string) (string, string) {
	if s[0] != '%' {
		if s[0] == ' ' {
			it.flags |= flagFieldSep
		}
		return parseConstant(it, s), ""
	}
	s = s[1:]
	if s != "" && s[0] == ' ' {
		// "% " is a field separator.
		it.flags |= flagFieldSep
		s = s[1:]
		if s == "" {
			// Apache parses on past the end of the string here: the
			// item is then an empty constant.
			return s, ""
		}
		return parseItem(it, s)
	}
	if s != "" && s[0] == '%' {
		it.arg = "%"
		return s[1:], ""
	}
	for s != "" {
		switch c := s[0]; {
		case c == '{':
			s = s[1:]
			if i := strings.IndexByte(s, '}'); i >= 0 {
				it.arg, s = s[:i], s[i+1:]
			} else {
				it.arg, s = s, ""
			}
			it.hasArg = true
		case c == '+':
			s = s[1:]
			it.flags |= flagRequired
		case c == '-':
			s = s[1:]
			it.flags |= flagNullHyphen
		case '0' <= c && c <= '9':
			n := 0
			for s != "" && '0' <= s[0] && s[0] <= '9' {
				if n < 1<<20 {
					n = n*10 + int(s[0]-'0')
				}
				s = s[1:]
			}
			it.minLevel = n
		case c == 'M':
			it.flags |= flagMessage
			return s[1:], ""
		default:
			if strings.IndexByte(handlers, c) < 0 {
				return s, "Unrecognized error log format directive %" + string(c)
			}
			it.kind = c
			return s[1:], ""
		}
	}
	return s, "Ran off end of error log format parsing args to some directive"
}

// parseConstant is parse_errorlog_misc_string: text up to the next '%'
// or a space that is not leading, with \r \n \t and \<char> escapes.
func parseConstant(it *item, s string) string {
	var b strings.Builder
	atStart := true
	for s != "" && s[0] != '%' && (s[0] != ' ' || atStart) {
		if s[0] != '\\' {
			if s[0] != ' ' {
				atStart = false
			}
			b.WriteByte(s[0])
			s = s[1:]
			continue
		}
		s = s[1:]
		if s == "" {
			b.WriteByte('\\')
			break
		}
		switch s[0] {
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte(s[0])
		}
		s = s[1:]
	}
	it.arg = b.String()
	return s
}

// Levels are Apache's log level names, most severe first (APLOG_EMERG
// is 0).
var Levels = [...]string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
	"trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"}

const (
	levelDebug  = 7
	levelTrace8 = 15
)

// LevelOf is the number of a level name (-1 for none).
func LevelOf(name string) int {
	for i, n := range Levels {
		if strings.EqualFold(n, name) {
			return i
		}
	}
	return -1
}
