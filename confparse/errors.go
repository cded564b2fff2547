package confparse

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"

	"github.com/gowsgid/gowsgid/internal/aprerr"
)

// Phase says when a configuration error was found. Apache prints errors of
// the two phases in different shapes (see Error.Console).
type Phase uint8

// The phases of reading a configuration.
const (
	// ReadPhase errors come from building the tree: section nesting,
	// Include, Define, the <If*> conditionals, LoadModule, ServerRoot.
	ReadPhase Phase = iota + 1
	// WalkPhase errors come from running each directive: unknown names,
	// argument counts, contexts, bad values.
	WalkPhase
	// StartupPhase errors come from the checks after the walk (no MPM,
	// unreadable log directories); their text is printed as is.
	StartupPhase
)

// Error is a configuration error in Apache's terms: a message and the
// directive it was found at. It implements participle.Error, so errors
// from the grammar, the reader and the directive handlers are one type.
type Error struct {
	Phase Phase
	// File and Line locate the directive; Line is 0 when Apache prints no
	// location.
	File string
	Line int
	// Msg is the message. For a read-phase error inside an included file,
	// Cause holds the inner error and Msg is empty.
	Msg   string
	Cause *Error
}

// Message returns the error text without the location of this level.
func (e *Error) Message() string {
	if e.Cause != nil {
		return e.Cause.readText()
	}
	return e.Msg
}

// Error implements error with a compact location prefix.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message())
	}
	return e.Message()
}

// readText is the nested text Apache builds for read-phase errors.
func (e *Error) readText() string {
	if e.Line > 0 {
		return fmt.Sprintf("Syntax error on line %d of %s: %s", e.Line, e.File, e.Message())
	}
	return e.Message()
}

// Innermost follows Cause to the error that started it.
func (e *Error) Innermost() *Error {
	for e.Cause != nil {
		e = e.Cause
	}
	return e
}

// Console returns exactly what Apache writes to stderr for this error,
// without the final newline. prog is the program name Apache puts in
// front of read-phase errors ("apache2", "gowsgid").
func (e *Error) Console(prog string) string {
	switch e.Phase {
	case ReadPhase:
		return logLine(prog + ": " + e.readText())
	case WalkPhase:
		if e.Line > 0 {
			return logLine(fmt.Sprintf("AH00526: Syntax error on line %d of %s:", e.Line, e.File)) +
				"\n" + logLine(e.Message())
		}
		return logLine(e.Message())
	default:
		lines := strings.Split(strings.ReplaceAll(e.Message(), "{prog}", prog), "\n")
		for i, l := range lines {
			lines[i] = logLine(l)
		}
		return strings.Join(lines, "\n")
	}
}

// logLine applies what Apache's error log does to a message: bytes that
// are not printable are escaped (ap_escape_errorlog_item) and the line is
// cut to the log's buffer (MAX_STRING_LEN).
func logLine(msg string) string {
	const maxLen = 8192 - 2 // MAX_STRING_LEN minus the terminator and EOL
	if len(msg) > 8191 {
		msg = msg[:8191] // apr_vsnprintf into MAX_STRING_LEN
	}
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '"' || (c >= 0x20 && c < 0x7f):
			b.WriteByte(c)
		case c == '\b':
			b.WriteString(`\b`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\v':
			b.WriteString(`\v`)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	s := b.String()
	if len(s) > maxLen {
		s = s[:maxLen]
	}
	return s
}

// readErr makes a read-phase error located at a directive.
func readErr(file string, line int, format string, args ...any) *Error {
	return &Error{Phase: ReadPhase, File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// strerror renders an OS error the way C's strerror does ("No such file or
// directory"), which is how Apache's %pm prints it.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) && errno.Error() != "" {
		return aprerr.Strerror(errno)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return strerror(pe.Err)
	}
	return err.Error()
}

// Notice is a warning or notice Apache prints while reading or checking a
// configuration, such as AH00111 for an undefined ${VAR}.
type Notice struct {
	// Level and Module are what Apache's error log shows in brackets
	// ("[core:warn]").
	Level, Module string
	// Bare notices are printed without the error-log prefix, as Apache
	// prints messages logged with APLOG_STARTUP.
	Bare bool
	// Text is the message, with its AH number.
	Text string
	// File and Line locate it when known.
	File string `json:",omitempty"`
	Line int    `json:",omitempty"`
}
