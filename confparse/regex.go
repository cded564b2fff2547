package confparse

import "github.com/gowsgid/gowsgid/internal/apregex"

// compilePOSIX compiles a regular expression of a config file as
// ap_pregcomp does with AP_REG_EXTENDED (which PCRE ignores): with
// PCRE2 and Apache's default options, dot matches newline and $ only the
// very end (internal/apregex).
func compilePOSIX(pattern string) (*apregex.Regexp, error) {
	return apregex.Compile(pattern, apregex.Default)
}

// compileRegex compiles a pattern with Apache's optional case folding
// (AP_REG_ICASE), as the *Match sections, the "~" forms, SetEnvIf and
// Header use.
func compileRegex(pattern string, icase bool) (*apregex.Regexp, error) {
	opts := apregex.Default
	if icase {
		opts |= apregex.ICase
	}
	return apregex.Compile(pattern, opts)
}
