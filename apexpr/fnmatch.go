package apexpr

// fnmatch reproduces APR's apr_fnmatch (as of APR 1.7) for the flag combinations
// the expression operators use: -fnmatch (PATHNAME), -strmatch (none) and
// -strcmatch (CASE_BLIND). Backslash escaping is always on.

const (
	fnmPathname = 1 << iota
	fnmCaseBlind
)

// cstr gives C string semantics to a Go string: reading past the end
// yields NUL, and the string ends at its first NUL.
type cstr string

func (s cstr) at(i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func cstrOf(s string) cstr {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return cstr(s[:i])
		}
	}
	return cstr(s)
}

func cIsUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func cToLower(c byte) byte {
	if cIsUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}

// fnmatchCh is fnmatch_ch; it returns true on match and advances *pi and
// *si.
func fnmatchCh(pat cstr, pi *int, str cstr, si *int, flags int) bool {
	mismatch := *pi
	nocase := flags&fnmCaseBlind != 0
	slash := flags&fnmPathname != 0
	result := false
	// Characters compare as (signed) char in C.
	sc := func(b byte) int { return int(int8(b)) }

	if pat.at(*pi) == '[' {
		*pi++
		negate := pat.at(*pi) == '!' || pat.at(*pi) == '^'
		if negate {
			*pi++
		}
		leading := pat.at(*pi) == ']'
		for leading || pat.at(*pi) != 0 {
			if !leading {
				if pat.at(*pi) == ']' {
					*pi++
					*si++
					return result != negate
				}
				if pat.at(*pi) == '\\' {
					*pi++
					if pat.at(*pi) == 0 {
						break
					}
				}
				if slash && pat.at(*pi) == '/' {
					break
				}
			}
			leading = false
			if pat.at(*pi+1) == '-' && pat.at(*pi+2) != ']' {
				startch := pat.at(*pi)
				if pat.at(*pi+2) == '\\' {
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
		// Not a balanced [expr]: test '[' as a literal.
		*pi = mismatch
		result = false
	} else if pat.at(*pi) == '?' {
		if str.at(*si) == 0 || (slash && str.at(*si) == '/') {
			return false
		}
		*pi++
		*si++
		return true
	} else if pat.at(*pi) == '\\' && pat.at(*pi+1) != 0 {
		*pi++
	}

	c, p := str.at(*si), pat.at(*pi)
	if c == p {
		result = true
	} else if nocase && (cIsUpper(c) || cIsUpper(p)) && cToLower(c) == cToLower(p) {
		result = true
	}
	if c == 0 || p == 0 || (slash && (c == '/' || p == '/')) {
		return result
	}
	*pi++
	*si++
	return result
}

func indexFrom(s cstr, from int, c byte) int {
	for i := from; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// fnmatch is apr_fnmatch(pattern, string, flags) == APR_SUCCESS.
func fnmatch(pattern, string_ string, flags int) bool {
	pat, str := cstrOf(pattern), cstrOf(string_)
	slash := flags&fnmPathname != 0
	pi, si := 0, 0
	var strstartseg, mismatch, matchlen int
	isSlashPat := func(i int) bool {
		return slash && (pat.at(i) == '/' || (pat.at(i) == '\\' && pat.at(i+1) == '/'))
	}

	// A leading '*' enters the segment loop without the slash handling.
	first := pat.at(0) == '*'
	for first || (pat.at(pi) != 0 && str.at(si) != 0) {
		if !first {
			if slash && pat.at(pi) == '\\' && pat.at(pi+1) == '/' {
				pi++
			}
			if slash && pat.at(pi) == '/' && str.at(si) == '/' {
				pi++
				si++
			}
		}
		first = false
		var strendseg int
		if slash {
			strendseg = indexFrom(str, si, '/')
			if strendseg < 0 {
				strendseg = len(str)
			}
		} else {
			strendseg = len(str)
		}

		for pat.at(pi) != 0 {
			if si > strendseg || (si == strendseg && pat.at(pi) != '*') {
				break
			}
			if isSlashPat(pi) {
				break
			}
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
				mp := pi
				for matchlen = 0; ; matchlen++ {
					if pat.at(mp) == 0 || isSlashPat(mp) {
						if si+matchlen > strendseg {
							return false
						}
						si = strendseg - matchlen
						wild = false
						break
					}
					if pat.at(mp) == '*' {
						if si+matchlen > strendseg {
							return false
						}
						break
					}
					if pat.at(mp) == '\\' && pat.at(mp+1) != 0 {
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
	return str.at(si) == 0 && pat.at(pi) == 0
}
