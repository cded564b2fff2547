// Package apregex compiles and runs the regular expressions of an Apache
// configuration as Apache httpd does (ap_regcomp, ap_regexec): with
// PCRE2, the library Apache links. Lookaround, backreferences, atomic
// groups, possessive quantifiers and the start-of-pattern options are
// PCRE's own, "." matches a byte unless the pattern says (*UTF), and a
// subject PCRE cannot match (bad UTF-8 under (*UTF), a match limit
// reached) matches nothing, as ap_regexec reports it.
//
// PCRE2 needs cgo and libpcre2-8 (Debian's libpcre2-dev). A build
// without cgo compiles with Go's regexp (RE2) instead, with the same
// options: the patterns real configurations write mostly compile and
// match the same, but not those only PCRE has, and PCRE reports false.
package apregex

import "fmt"

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
