package confparse

import "regexp"

// compilePOSIX compiles a regular expression of a config file. Apache uses
// PCRE; gowsgid uses Go's RE2 syntax, which accepts the patterns real
// configurations use but not backreferences or lookaround (docs/compat.md).
func compilePOSIX(pattern string) (*regexp.Regexp, error) {
	return regexp.Compile(pattern)
}

// compileRegex compiles a pattern with Apache's optional case folding
// (AP_REG_ICASE), as the *Match sections and the "~" forms use.
func compileRegex(pattern string, icase bool) (*regexp.Regexp, error) {
	if icase {
		pattern = "(?i)" + pattern
	}
	return regexp.Compile(pattern)
}
