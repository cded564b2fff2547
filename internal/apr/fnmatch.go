package apr

// The flags of apr_fnmatch, with APR's values.
const (
	// FNMNoEscape (APR_FNM_NOESCAPE) disables backslash escaping.
	FNMNoEscape = 0x01
	// FNMPathname (APR_FNM_PATHNAME): a slash must be matched by a slash.
	FNMPathname = 0x02
	// FNMPeriod (APR_FNM_PERIOD): a leading period (of the string, or of
	// each segment with FNMPathname) must be matched by a literal period.
	FNMPeriod = 0x04
	// FNMCaseBlind (APR_FNM_CASE_BLIND) compares characters
	// case-insensitively (ASCII only, as in the C locale).
	FNMCaseBlind = 0x08
)

func cIsUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

func cToLower(c byte) byte {
	if cIsUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

// sc is a byte as a (signed) C char: range bounds compare that way.
func sc(b byte) int { return int(int8(b)) }

// fnmatchCh is APR's fnmatch_ch: it matches one pattern "character" (a
// literal, an escape, '?' or a [bracket expression]) against the string at
// *si, returning true on a match. Like the C code it advances over the
// matched characters, except that it refuses to advance over a NUL or,
// with FNMPathname, a '/'.
func fnmatchCh(pat cstr, pi *int, str cstr, si *int, flags int) bool {
	mismatch := *pi
	nocase := flags&FNMCaseBlind != 0
	escape := flags&FNMNoEscape == 0
	slash := flags&FNMPathname != 0
	result := false

	if pat.at(*pi) == '[' {
		*pi++
		// Negation: a leading '!' or '^' (never both).
		negate := pat.at(*pi) == '!' || pat.at(*pi) == '^'
		if negate {
			*pi++
		}
		// ']' is an ordinary character at the start of the range pattern
		// (the C code jumps past the loop's checks to leadingclosebrace).
		leading := pat.at(*pi) == ']'
		for leading || pat.at(*pi) != 0 {
			if !leading {
				if pat.at(*pi) == ']' {
					*pi++
					*si++
					return result != negate
				}
				if escape && pat.at(*pi) == '\\' {
					*pi++
					// Patterns must be terminated with ']', not EOS.
					if pat.at(*pi) == 0 {
						break
					}
				}
				// Patterns must be terminated with ']', not '/'.
				if slash && pat.at(*pi) == '/' {
					break
				}
			}
			leading = false
			// Well-formed ranges only: "x-]" is not one.
			if pat.at(*pi+1) == '-' && pat.at(*pi+2) != ']' {
				startch := pat.at(*pi)
				if escape && pat.at(*pi+2) == '\\' {
					*pi += 3
				} else {
					*pi += 2
				}
				if pat.at(*pi) == 0 || (slash && pat.at(*pi) == '/') {
					break
				}
				c, end := str.at(*si), pat.at(*pi)
				if sc(c) >= sc(startch) && sc(c) <= sc(end) {
					result = true
				} else if nocase && (cIsUpper(c) || cIsUpper(startch) || cIsUpper(end)) &&
					sc(cToLower(c)) >= sc(cToLower(startch)) && sc(cToLower(c)) <= sc(cToLower(end)) {
					result = true
				}
				*pi++
				continue
			}
			c, p := str.at(*si), pat.at(*pi)
			if c == p {
				result = true
			} else if nocase && (cIsUpper(c) || cIsUpper(p)) && cToLower(c) == cToLower(p) {
				result = true
			}
			*pi++
		}
		// Not a balanced [expr] pattern: rewind and test '[' as a literal.
		*pi = mismatch
		result = false
	} else if pat.at(*pi) == '?' {
		if str.at(*si) == 0 || (slash && str.at(*si) == '/') {
			return false
		}
		*pi++
		*si++
		return true
	} else if escape && pat.at(*pi) == '\\' && pat.at(*pi+1) != 0 {
		*pi++
	}

	c, p := str.at(*si), pat.at(*pi)
	if c == p {
		result = true
	} else if nocase && (cIsUpper(c) || cIsUpper(p)) && cToLower(c) == cToLower(p) {
		result = true
	}
	// Refuse to advance over trailing slashes or NULs.
	if c == 0 || p == 0 || (slash && (c == '/' || p == '/')) {
		return result
	}
	*pi++
	*si++
	return result
}

// indexFrom is strchr(s+from, c) as an index, or -1.
func indexFrom(s cstr, from int, c byte) int {
	for i := from; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// Fnmatch is apr_fnmatch(pattern, s, flags) == APR_SUCCESS: it reports
// whether s matches the shell wildcard pattern. flags is a combination of
// FNMNoEscape, FNMPathname, FNMPeriod and FNMCaseBlind.
//
// As in APR 1.7.2: '[' that does not open a balanced bracket expression
// is a literal, "[^...]" negates like "[!...]", a trailing '\' is a
// literal, and "[.]" does not match a leading period under FNMPeriod.
func Fnmatch(pattern, s string, flags int) bool {
	pat, str := cstrOf(pattern), cstrOf(s)
	escape := flags&FNMNoEscape == 0
	slash := flags&FNMPathname != 0
	pi, si := 0, 0
	var strstartseg, mismatch, matchlen int
	// isSlashPat: the pattern is at a segment end ('/' or "\/").
	isSlashPat := func(i int) bool {
		return slash && (pat.at(i) == '/' || (escape && pat.at(i) == '\\' && pat.at(i+1) == '/'))
	}

	// A leading '*' jumps into the loop (goto firstsegment), skipping
	// the loop condition and the slash handling.
	first := pat.at(0) == '*'
	for first || (pat.at(pi) != 0 && str.at(si) != 0) {
		if !first {
			// Pre-decode "\/" and match balanced slashes, starting a new
			// segment.
			if slash && escape && pat.at(pi) == '\\' && pat.at(pi+1) == '/' {
				pi++
			}
			if slash && pat.at(pi) == '/' && str.at(si) == '/' {
				pi++
				si++
			}
		}
		first = false

		// At the beginning of each segment, validate leading period
		// behaviour.
		if flags&FNMPeriod != 0 && str.at(si) == '.' {
			switch {
			case pat.at(pi) == '.':
				pi++
			case escape && pat.at(pi) == '\\' && pat.at(pi+1) == '.':
				pi += 2
			default:
				return false
			}
			si++
		}

		// The end of the string segment.
		var strendseg int
		if slash {
			strendseg = indexFrom(str, si, '/')
			if strendseg < 0 {
				strendseg = len(str)
			}
		} else {
			strendseg = len(str)
		}

		// A pattern '*' may be consumed even with no string left.
		for pat.at(pi) != 0 {
			if si > strendseg || (si == strendseg && pat.at(pi) != '*') {
				break
			}
			if isSlashPat(pi) {
				break
			}
			// Reduce groups of '*' and '?' to n '?' matches followed by
			// one '*' test.
			wild := false
			for ; pat.at(pi) == '*' || pat.at(pi) == '?'; pi++ {
				if pat.at(pi) == '*' {
					wild = true
				} else if si < strendseg {
					si++
				} else {
					return false
				}
			}
			if wild {
				strstartseg = si
				mismatch = pi
				// Count the fixed (non '*') characters left in the
				// pattern segment.
				mp := pi
				for matchlen = 0; ; matchlen++ {
					if pat.at(mp) == 0 || isSlashPat(mp) {
						// Compare precisely this many trailing string
						// characters; no wildcard loop is needed.
						if si+matchlen > strendseg {
							return false
						}
						si = strendseg - matchlen
						wild = false
						break
					}
					if pat.at(mp) == '*' {
						// At least this many characters must remain for
						// the first comparison.
						if si+matchlen > strendseg {
							return false
						}
						break
					}
					// Skip one character match; a dummy fnmatchCh counts
					// a [range].
					if escape && pat.at(mp) == '\\' && pat.at(mp+1) != 0 {
						mp += 2
					} else if pat.at(mp) == '[' {
						dummy := cstr(" ")
						di := 0
						fnmatchCh(pat, &mp, dummy, &di, flags)
					} else {
						mp++
					}
				}
			}
			// Incrementally match the string against the pattern.
			for pat.at(pi) != 0 && si < strendseg {
				if pat.at(pi) == '*' {
					break
				}
				if slash && (str.at(si) == '/' || isSlashPat(pi)) {
					break
				}
				if fnmatchCh(pat, &pi, str, &si, flags) {
					continue
				}
				// A mismatch: retry from the next offset of the string
				// segment while enough characters remain.
				if wild {
					strstartseg++
					si = strstartseg
					if si+matchlen > strendseg {
						return false
					}
					pi = mismatch
					continue
				}
				return false
			}
		}
		if str.at(si) != 0 && !(slash && str.at(si) == '/') {
			return false
		}
		if pat.at(pi) != 0 && !isSlashPat(pi) {
			return false
		}
	}
	// Success only where both pattern and string are at their ends.
	return str.at(si) == 0 && pat.at(pi) == 0
}

// FnmatchTest is apr_fnmatch_test: it reports whether pattern contains
// wildcards: a '*' or '?', or a '[' followed later by a ']'. A backslash
// escapes the next character. Like APR it ignores FNM_PATHNAME (so
// "a[/]b" counts) and does not parse "[]]" specially.
func FnmatchTest(pattern string) bool {
	p := cstrOf(pattern)
	nesting := 0
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '?', '*':
			return true
		case '\\':
			i++
			if i >= len(p) {
				return false
			}
		case '[':
			nesting++
		case ']':
			if nesting != 0 {
				return true
			}
		}
	}
	return false
}
