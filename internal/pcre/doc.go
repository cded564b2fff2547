// Package pcre compiles and runs regular expressions with PCRE2, the
// library Apache httpd compiles every pattern of its configuration with
// (ap_regcomp, ap_regexec). Patterns behave here as they do in Apache:
// lookaround, backreferences, atomic groups, possessive quantifiers and
// the start-of-pattern options are PCRE's own, "." matches a byte unless
// the pattern says (*UTF), and a subject PCRE cannot match (bad UTF-8
// under (*UTF), a match limit reached) matches nothing, as ap_regexec
// reports it.
//
// The package needs cgo and libpcre2-8 (Debian's libpcre2-dev). Built
// without cgo, Available reports false and Compile returns
// ErrUnavailable, so that callers can fall back on Go's regexp.
package pcre

import (
	"errors"
	"fmt"
)

// Options are the compile options of ap_regcomp (AP_REG_*) a caller
// chooses; Compile adds Apache's PCRE2_DUPNAMES to every pattern.
type Options uint32

const (
	// ICase folds case (AP_REG_ICASE, PCRE2_CASELESS).
	ICase Options = 1 << iota
	// Newline makes ^ and $ match at newlines (AP_REG_NEWLINE,
	// PCRE2_MULTILINE).
	Newline
	// DotAll makes "." match a newline too (AP_REG_DOTALL).
	DotAll
	// DollarEndOnly makes "$" match only at the very end, not before a
	// final newline (AP_REG_DOLLAR_ENDONLY).
	DollarEndOnly
)

// Default is Apache's default_cflags (AP_REG_DEFAULT): what every
// ap_regcomp adds unless told AP_REG_NO_DEFAULT.
const Default = DotAll | DollarEndOnly

// ErrUnavailable is Compile's error in a build without cgo.
var ErrUnavailable = errors.New("pcre: built without cgo, PCRE2 is not available")

// Error is a pattern PCRE2 refuses: its message and the offset in the
// pattern where it saw the problem.
type Error struct {
	Pattern string
	Code    int
	Offset  int
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("pcre2: %s at offset %d of %q", e.Message, e.Offset, e.Pattern)
}
