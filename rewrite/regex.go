package rewrite

import (
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
)

// compile compiles a RewriteRule or RewriteCond pattern as ap_pregcomp
// does, with Apache's default options (AP_REG_DOTALL, AP_REG_DOLLAR_ENDONLY:
// Go's "$" already matches only at the very end) and AP_REG_ICASE for
// [NC]. It returns the regexp, or why RE2 cannot compile a pattern PCRE
// accepts (unsupported), or bad when PCRE rejects the pattern too.
func compile(pattern string, icase bool) (re *regexp.Regexp, unsupported string, bad bool) {
	flags := "(?s)"
	if icase {
		flags = "(?si)"
	}
	re, err := regexp.Compile(flags + pattern)
	if err == nil {
		return re, "", false
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
