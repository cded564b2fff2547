package confparse

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gowsgid/gowsgid/apexpr"
)

// LogSettings are a server's mod_log_config directives: LogFormat,
// CustomLog, TransferLog and GlobalLog as written in that server.
type LogSettings struct {
	// Formats are the LogFormat nicknames this server defines, by
	// lower-cased name: nicknames are case-insensitive (mod_log_config
	// keeps them in an apr_table), and a later LogFormat replaces an
	// earlier one of the same name in any case.
	Formats map[string]string
	// DefaultFormat is the one-argument LogFormat: a format string or a
	// nickname; HasDefault tells it was set.
	DefaultFormat string
	HasDefault    bool
	// Logs are the CustomLog, TransferLog and GlobalLog lines, in order.
	Logs []CustomLog
}

// CustomLog is one CustomLog, TransferLog or GlobalLog line.
type CustomLog struct {
	// Target is the file name (relative to ServerRoot) or "|program".
	Target string
	// Format is a format string or a nickname; "" for TransferLog, which
	// uses the server's default format.
	Format string
	// Env is the env= condition's variable, "!VAR" for the negated form.
	Env string
	// Expr is the expr= condition.
	Expr *apexpr.Expr
	// Inherit is set for GlobalLog: virtual hosts with logs of their own
	// log to it too.
	Inherit   bool
	File      string
	Line      int
	Directive string
}

// LogItem is one item of a parsed LogFormat string (mod_log_config's
// log_format_item): literal text, or a %-directive.
type LogItem struct {
	// Literal is the text of a literal item (Directive == "").
	Literal string
	// Directive is the letter ("h", "t", ...) or the three-character
	// "^xx" form.
	Directive string
	// Arg is the {...} argument.
	Arg string
	// Status lists the status codes of a %400,501{...}x condition;
	// Negate is its '!' form.
	Status []int
	Negate bool
	// Original is whether the item reads the original request (%<x)
	// rather than the final one after internal redirects (%>x).
	Original bool
}

// LogFormatDirectives lists the %-directives LogFormat knows and whether
// each reads the original request by default: mod_log_config's
// log_pfn_register calls of Apache 2.4.
var LogFormatDirectives = map[string]bool{
	"h": false, "a": false, "A": false, "l": false, "u": false, "t": false,
	"f": false, "b": false, "B": false, "i": false, "o": false, "n": false,
	"L": true, "e": false, "V": false, "v": false, "p": false, "P": false,
	"H": false, "m": false, "q": false, "X": false, "C": false, "k": false,
	"r": true, "D": true, "T": true, "U": true, "s": true, "R": true,
	"^ti": false, "^to": false,
}

// logioDirectives are the ones mod_logio registers; sslDirectives
// mod_ssl's.
var (
	logioDirectives = map[string]bool{"I": false, "O": false, "S": false, "^FB": false}
	sslDirectives   = map[string]bool{"c": false, "x": false}
)

// ParseLogFormat parses a LogFormat string as mod_log_config's
// parse_log_string does, with the directives of the given loaded
// modules (see LogFormatDirectivesFor). The line's newline is not an item.
func ParseLogFormat(s string, known map[string]bool) ([]LogItem, error) {
	var items []LogItem
	for s != "" {
		var it LogItem
		var err error
		if it, s, err = parseLogItem(s, known); err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// LogFormatDirectivesFor is the set of directives a configuration's
// LogFormat strings may use: mod_log_config's, plus mod_logio's and
// mod_ssl's when they are loaded.
func LogFormatDirectivesFor(t *Tree) map[string]bool {
	known := make(map[string]bool, len(LogFormatDirectives)+6)
	for k, v := range LogFormatDirectives {
		known[k] = v
	}
	if t == nil || t.IsLoaded("mod_logio.c") {
		for k, v := range logioDirectives {
			known[k] = v
		}
	}
	if t != nil && t.IsLoaded("mod_ssl.c") {
		for k, v := range sslDirectives {
			known[k] = v
		}
	}
	return known
}

// parseLogItem is parse_log_item: one item from the start of s, and the
// rest of s.
func parseLogItem(s string, known map[string]bool) (LogItem, string, error) {
	if s[0] != '%' {
		return parseLogLiteral(s)
	}
	s = s[1:]
	if s != "" && s[0] == '%' {
		return LogItem{Literal: "%"}, s[1:], nil
	}
	it := LogItem{}
	wantOrig := -1
	for s != "" {
		c := s[0]
		switch {
		case c == '!':
			it.Negate = !it.Negate
			s = s[1:]
		case c == '<':
			wantOrig = 1
			s = s[1:]
		case c == '>':
			wantOrig = 0
			s = s[1:]
		case c == ',':
			s = s[1:]
		case c == '{':
			// ap_getword: up to the '}', or the rest of the string;
			// then past every '}' there ("%{User-Agent}}i" is %i).
			end := strings.IndexByte(s[1:], '}')
			if end < 0 {
				it.Arg, s = s[1:], ""
			} else {
				it.Arg, s = s[1:1+end], strings.TrimLeft(s[1+end:], "}")
			}
		case c >= '0' && c <= '9':
			n := 0
			for s != "" && s[0] >= '0' && s[0] <= '9' {
				n = n*10 + int(s[0]-'0')
				s = s[1:]
			}
			it.Status = append(it.Status, n)
		default:
			name := ""
			if c == '^' && len(s) >= 3 {
				if _, ok := known[s[:3]]; ok {
					name = s[:3]
				}
			}
			if name == "" {
				name = s[:1]
				if _, ok := known[name]; !ok {
					return it, "", fmt.Errorf("Unrecognized LogFormat directive %%%s", name)
				}
			}
			it.Directive = name
			it.Original = known[name]
			if wantOrig >= 0 {
				it.Original = wantOrig == 1
			}
			return it, s[len(name):], nil
		}
	}
	return it, "", errors.New("Ran off end of LogFormat parsing args to some directive")
}

// parseLogLiteral is parse_log_misc_string: text up to the next '%', with
// the escapes \\, \r, \n and \t; any other backslash stays.
func parseLogLiteral(s string) (LogItem, string, error) {
	end := strings.IndexByte(s, '%')
	if end < 0 {
		end = len(s)
	}
	text, rest := s[:end], s[end:]
	if !strings.ContainsRune(text, '\\') {
		return LogItem{Literal: text}, rest, nil
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] != '\\' || i+1 >= len(text) {
			b.WriteByte(text[i])
			continue
		}
		switch text[i+1] {
		case '\\':
			b.WriteByte('\\')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		default:
			b.WriteByte('\\')
			continue
		}
		i++
	}
	return LogItem{Literal: b.String()}, rest, nil
}

// DefaultLogFormat is mod_log_config's DEFAULT_LOG_FORMAT, the Common Log
// Format, also known by the nickname "CLF".
const DefaultLogFormat = `%h %l %u %t "%r" %>s %b`

func (c *Cmd) logFormats() map[string]bool { return LogFormatDirectivesFor(c.w.tree) }

// applyLogFormat is mod_log_config's log_format: LogFormat FORMAT [NAME].
func applyLogFormat(c *Cmd) error {
	if _, err := ParseLogFormat(c.Args[0], c.logFormats()); err != nil {
		return err
	}
	ls := &c.Server.Logs
	if len(c.Args) > 1 {
		if ls.Formats == nil {
			ls.Formats = map[string]string{}
		}
		ls.Formats[strings.ToLower(c.Args[1])] = c.Args[0]
		return nil
	}
	ls.DefaultFormat, ls.HasDefault = c.Args[0], true
	return nil
}

// applyCustomLog is mod_log_config's add_custom_log (CustomLog,
// TransferLog) and add_global_log (GlobalLog).
func applyCustomLog(c *Cmd) error {
	name := strings.ToLower(c.Directive.Name)
	if name == "globallog" {
		if err := c.CheckContext(GlobalOnly); err != nil {
			return err
		}
	}
	l := CustomLog{Target: c.Args[0], Inherit: name == "globallog", File: c.Node.File, Line: c.Node.Line,
		Directive: c.Directive.Name}
	if len(c.Args) > 2 {
		clause := c.Args[2]
		switch {
		case len(clause) >= 4 && strings.EqualFold(clause[:4], "env="):
			v := clause[4:]
			if v == "" || v == "!" {
				return errors.New("missing environment variable name")
			}
			l.Env = v
		case len(clause) >= 5 && strings.EqualFold(clause[:5], "expr="):
			if clause[5:] == "" {
				return errors.New("missing condition")
			}
			e, err := c.parseExpr(clause[5:])
			if err != nil {
				return err
			}
			l.Expr = e
		default:
			return errors.New("error in condition clause")
		}
	}
	if len(c.Args) > 1 {
		l.Format = c.Args[1]
		if _, err := ParseLogFormat(l.Format, c.logFormats()); err != nil {
			return err
		}
	}
	c.Server.Logs.Logs = append(c.Server.Logs.Logs, l)
	return nil
}

// applyBufferedLogs is mod_log_config's set_buffered_logs_on: one setting
// for every log of the server, the last one read wins.
func applyBufferedLogs(c *Cmd) error {
	c.Config.BufferedLogs = strings.EqualFold(c.Args[0], "on")
	return nil
}

// LogLevels is a server's LogLevel: the level for every module, and the
// levels of modules named with module:level.
type LogLevels struct {
	// Level is the level keyword, lower-cased ("" = not set here).
	Level string
	// Modules maps a module's short name ("wsgi", "authz_core") to its
	// level.
	Modules map[string]string
}

// Merge is ap_merge_log_config: a virtual host's LogLevel over the main
// server's. A level set here resets every module level of the base.
func (l LogLevels) Merge(base LogLevels) LogLevels {
	if l.Level != "" {
		return l
	}
	out := LogLevels{Level: base.Level, Modules: l.Modules}
	if len(base.Modules) > 0 {
		out.Modules = make(map[string]string, len(base.Modules)+len(l.Modules))
		for k, v := range base.Modules {
			out.Modules[k] = v
		}
		for k, v := range l.Modules {
			out.Modules[k] = v
		}
	}
	return out
}

// moduleShortName is the name a LogLevel module specifier refers to:
// find_module tries the module's file name ("mod_wsgi.c") and its
// identifier ("wsgi_module"), then the identifier with "_module" added;
// the log shows the identifier without "_module".
func (t *Tree) moduleShortName(spec string) (string, bool) {
	for _, try := range []string{spec, spec + "_module"} {
		for _, m := range t.Loaded {
			if m.ID == try || m.File == try {
				return strings.TrimSuffix(m.ID, "_module"), true
			}
		}
	}
	return "", false
}
