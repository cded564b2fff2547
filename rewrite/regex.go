package rewrite

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gowsgid/gowsgid/internal/apregex"
)

// pattern is a compiled RewriteRule or RewriteCond pattern: PCRE2's, as
// in Apache, or in a build without cgo Go's RE2.
type pattern struct {
	pc *apregex.Regexp
	re *regexp.Regexp
	// utf is (*UTF) for RE2: PCRE2 fails to match a subject that is not
	// valid UTF-8, and ap_regexec reports that as no match.
	utf bool
}

// match is ap_regexec: the submatch offsets, nil when there is no match.
func (p *pattern) match(s string) []int {
	if p.pc != nil {
		return p.pc.FindStringSubmatchIndex(s)
	}
	if p.utf && !utf8.ValidString(s) {
		return nil
	}
	return p.re.FindStringSubmatchIndex(s)
}

// compile compiles a RewriteRule or RewriteCond pattern as ap_pregcomp
// does, with Apache's default options (AP_REG_DOTALL,
// AP_REG_DOLLAR_ENDONLY) and AP_REG_ICASE for [NC]. It returns the
// pattern, or bad when PCRE refuses it; in a build without PCRE it may
// also return why RE2 cannot compile a pattern PCRE accepts
// (unsupported).
func compile(expr string, icase bool) (p *pattern, unsupported string, bad bool) {
	if !apregex.PCRE() {
		return compileRE2(expr, icase)
	}
	opts := apregex.Default
	if icase {
		opts |= apregex.ICase
	}
	re, err := apregex.Compile(expr, opts)
	if err != nil {
		return nil, "", true
	}
	return &pattern{pc: re}, "", false
}

// compileRE2 is compile without PCRE: the pattern is checked against
// the rules of PCRE2 that RE2 does not share, its start-of-pattern
// options ((*UTF), (*CRLF), ...) are read, and RE2 compiles the rest
// (Go's "$" already matches only at the very end).
func compileRE2(expr string, icase bool) (p *pattern, unsupported string, bad bool) {
	ps := scanPCRE(expr)
	if ps.bad {
		return nil, "", true
	}
	if ps.unsupported != "" {
		return nil, "PCRE syntax RE2 cannot compile: " + ps.unsupported, false
	}
	flags := "(?s)"
	if icase {
		flags = "(?si)"
	}
	re, err := regexp.Compile(flags + ps.body)
	if err == nil {
		return &pattern{re: re, utf: ps.utf}, "", false
	}
	se, ok := err.(*syntax.Error)
	if !ok || pcreRejects(se) {
		return nil, "", true
	}
	return nil, "PCRE syntax RE2 cannot compile: " + string(se.Code) + " `" + se.Expr + "`", false
}

// pcreRejects tells a syntax error PCRE makes too from one that comes of
// RE2's narrower syntax (checked against Apache 2.4 with PCRE2).
func pcreRejects(e *syntax.Error) bool {
	switch e.Code {
	case syntax.ErrMissingParen, syntax.ErrUnexpectedParen, syntax.ErrMissingBracket,
		syntax.ErrTrailingBackslash, syntax.ErrMissingRepeatArgument, syntax.ErrInvalidCharRange,
		syntax.ErrInvalidCharClass:
		return true
	case syntax.ErrInvalidRepeatOp:
		// "a*+" is a possessive quantifier to PCRE; "a**" an error.
		return !strings.HasSuffix(e.Expr, "+")
	case syntax.ErrInvalidNamedCapture:
		// Lookbehind, "(?<=" and "(?<!", parse as a bad group name.
		return !strings.HasPrefix(e.Expr, "(?<=") && !strings.HasPrefix(e.Expr, "(?<!")
	case syntax.ErrInvalidRepeatSize:
		return !repeatSizeOK(e.Expr)
	}
	return false
}

// repeatSizeOK reports whether a {n,m} quantifier RE2 refused is one PCRE
// takes: in order, and no bound over 65535 (RE2 stops at 1000).
func repeatSizeOK(q string) bool {
	q = strings.TrimSuffix(strings.TrimPrefix(q, "{"), "}")
	lo, hi, comma := strings.Cut(q, ",")
	min, err := strconv.Atoi(lo)
	if err != nil || min > 65535 {
		return false
	}
	if !comma || hi == "" {
		return true
	}
	max, err := strconv.Atoi(hi)
	return err == nil && max <= 65535 && min <= max
}
