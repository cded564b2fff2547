package static

// This file ports the pattern matchers and string helpers mod_autoindex
// uses: ap_strcmp_match, ap_strcasecmp_match, ap_is_matchexp, apr_fnmatch,
// apr_fnmatch_test, apr_strnatcmp, apr_strfsize and the escaping functions.

// at returns s[i], or 0 (C's terminating NUL) past the end.
func at(s string, i int) byte {
	if i >= 0 && i < len(s) {
		return s[i]
	}
	return 0
}

// strcmpMatch is ap_strcmp_match: '*' and '?' wildcards, 0 on a match.
func strcmpMatch(str, expected string, fold bool) int {
	x := 0
	for y := 0; y < len(expected); y, x = y+1, x+1 {
		if fold && at(str, x) == 0 && expected[y] != '*' {
			return -1
		}
		if expected[y] == '*' {
			for y++; at(expected, y) == '*'; y++ {
			}
			if y >= len(expected) {
				return 0
			}
			for x < len(str) {
				ret := strcmpMatch(str[x:], expected[y:], fold)
				x++
				if ret != 1 {
					return ret
				}
			}
			return -1
		}
		if at(str, x) == 0 {
			return -1
		}
		if expected[y] != '?' {
			if fold {
				if lowerByte(str[x]) != lowerByte(expected[y]) {
					return 1
				}
			} else if str[x] != expected[y] {
				return 1
			}
		}
	}
	if x < len(str) {
		return 1
	}
	return 0
}

// isMatchexp is ap_is_matchexp.
func isMatchexp(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

// fnmatch flags (apr_fnmatch.h).
const (
	fnmNoEscape  = 0x01
	fnmPathname  = 0x02
	fnmPeriod    = 0x04
	fnmCaseBlind = 0x10
)

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }

// fnmatchCh is fnmatch_ch: one pattern element ([set], ?, escaped or plain
// character) against one string character. It advances *p and *s and
// returns true on a match.
func fnmatchCh(pat string, p *int, str string, s *int, flags int) bool {
	mismatch := *p
	nocase := flags&fnmCaseBlind != 0
	escape := flags&fnmNoEscape == 0
	slash := flags&fnmPathname != 0
	result := false
	pc := func(k int) byte { return at(pat, *p+k) }
	sc := func() byte { return at(str, *s) }
	if pc(0) == '[' {
		*p++
		negate := pc(0) == '!' || pc(0) == '^'
		if negate {
			*p++
		}
		leading := pc(0) == ']'
		for leading || pc(0) != 0 {
			if !leading {
				if pc(0) == ']' {
					*p++
					*s++
					return result != negate
				}
				if escape && pc(0) == '\\' {
					*p++
					if pc(0) == 0 {
						break
					}
				}
				if slash && pc(0) == '/' {
					break
				}
			}
			leading = false
			if pc(1) == '-' && pc(2) != ']' {
				startch := pc(0)
				if escape && pc(2) == '\\' {
					*p += 3
				} else {
					*p += 2
				}
				if pc(0) == 0 || (slash && pc(0) == '/') {
					break
				}
				c, lo, hi := int8(sc()), int8(startch), int8(pc(0))
				if c >= lo && c <= hi {
					result = true
				} else if nocase && (isUpper(sc()) || isUpper(startch) || isUpper(pc(0))) &&
					lowerByte(sc()) >= lowerByte(startch) && lowerByte(sc()) <= lowerByte(pc(0)) {
					result = true
				}
				*p++
				continue
			}
			if sc() == pc(0) {
				result = true
			} else if nocase && (isUpper(sc()) || isUpper(pc(0))) && lowerByte(sc()) == lowerByte(pc(0)) {
				result = true
			}
			*p++
		}
		// Not a balanced [expr]: match '[' literally.
		*p = mismatch
		result = false
	} else if pc(0) == '?' {
		if sc() == 0 || (slash && sc() == '/') {
			return false
		}
		*p++
		*s++
		return true
	} else if escape && pc(0) == '\\' && pc(1) != 0 {
		*p++
	}
	if sc() == pc(0) {
		result = true
	} else if nocase && (isUpper(sc()) || isUpper(pc(0))) && lowerByte(sc()) == lowerByte(pc(0)) {
		result = true
	}
	if sc() == 0 || pc(0) == 0 || (slash && (sc() == '/' || pc(0) == '/')) {
		return result
	}
	*p++
	*s++
	return result
}

// fnmatch is apr_fnmatch; true on a match.
func fnmatch(pat, str string, flags int) bool {
	escape := flags&fnmNoEscape == 0
	slash := flags&fnmPathname != 0
	p, s := 0, 0
	var strstartseg, mismatch, matchlen int
	first := at(pat, 0) == '*'
	for first || (at(pat, p) != 0 && at(str, s) != 0) {
		if !first {
			if slash && escape && at(pat, p) == '\\' && at(pat, p+1) == '/' {
				p++
			}
			if slash && at(pat, p) == '/' && at(str, s) == '/' {
				p++
				s++
			}
		}
		first = false
		if flags&fnmPeriod != 0 && at(str, s) == '.' {
			if at(pat, p) == '.' {
				p++
			} else if escape && at(pat, p) == '\\' && at(pat, p+1) == '.' {
				p += 2
			} else {
				return false
			}
			s++
		}
		strendseg := len(str)
		if slash {
			for k := s; k < len(str); k++ {
				if str[k] == '/' {
					strendseg = k
					break
				}
			}
		}
		for at(pat, p) != 0 {
			if s > strendseg || (s == strendseg && at(pat, p) != '*') {
				break
			}
			if slash && (at(pat, p) == '/' || (escape && at(pat, p) == '\\' && at(pat, p+1) == '/')) {
				break
			}
			wild := false
			for ; at(pat, p) == '*' || at(pat, p) == '?'; p++ {
				if at(pat, p) == '*' {
					wild = true
				} else if s < strendseg {
					s++
				} else {
					return false
				}
			}
			if wild {
				strstartseg = s
				mismatch = p
				matchptr := p
				for matchlen = 0; ; matchlen++ {
					c := at(pat, matchptr)
					if c == 0 || (slash && (c == '/' || (escape && c == '\\' && at(pat, matchptr+1) == '/'))) {
						if s+matchlen > strendseg {
							return false
						}
						s = strendseg - matchlen
						wild = false
						break
					}
					if c == '*' {
						if s+matchlen > strendseg {
							return false
						}
						break
					}
					if escape && c == '\\' && at(pat, matchptr+1) != 0 {
						matchptr += 2
					} else if c == '[' {
						dummy, ds := " ", 0
						fnmatchCh(pat, &matchptr, dummy, &ds, flags)
					} else {
						matchptr++
					}
				}
			}
			for at(pat, p) != 0 && s < strendseg {
				if at(pat, p) == '*' {
					break
				}
				if slash && (at(str, s) == '/' || at(pat, p) == '/' || (escape && at(pat, p) == '\\' && at(pat, p+1) == '/')) {
					break
				}
				if fnmatchCh(pat, &p, str, &s, flags) {
					continue
				}
				if wild {
					strstartseg++
					s = strstartseg
					if s+matchlen > strendseg {
						return false
					}
					p = mismatch
					continue
				}
				return false
			}
		}
		if at(str, s) != 0 && !(slash && at(str, s) == '/') {
			return false
		}
		if at(pat, p) != 0 && !(slash && (at(pat, p) == '/' || (escape && at(pat, p) == '\\' && at(pat, p+1) == '/'))) {
			return false
		}
	}
	return at(str, s) == 0 && at(pat, p) == 0
}

// fnmatchTest is apr_fnmatch_test: whether pattern has glob characters.
func fnmatchTest(pattern string) bool {
	nesting := 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '?', '*':
			return true
		case '\\':
			i++
			if i >= len(pattern) {
				return false
			}
		case '[':
			nesting++
		case ']':
			if nesting > 0 {
				return true
			}
		}
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// strnatcmp is apr_strnatcmp (fold: apr_strnatcasecmp), natural order
// comparison with C's signed char ordering.
func strnatcmp(a, b string, fold bool) int {
	compareRight := func(a, b string) int {
		bias := 0
		for i := 0; ; i++ {
			ca, cb := at(a, i), at(b, i)
			switch {
			case !isDigit(ca) && !isDigit(cb):
				return bias
			case !isDigit(ca):
				return -1
			case !isDigit(cb):
				return 1
			case ca < cb:
				if bias == 0 {
					bias = -1
				}
			case ca > cb:
				if bias == 0 {
					bias = 1
				}
			}
		}
	}
	compareLeft := func(a, b string) int {
		for i := 0; ; i++ {
			ca, cb := at(a, i), at(b, i)
			switch {
			case !isDigit(ca) && !isDigit(cb):
				return 0
			case !isDigit(ca):
				return -1
			case !isDigit(cb):
				return 1
			case ca < cb:
				return -1
			case ca > cb:
				return 1
			}
		}
	}
	ai, bi := 0, 0
	for {
		ca, cb := at(a, ai), at(b, bi)
		for isSpace(ca) {
			ai++
			ca = at(a, ai)
		}
		for isSpace(cb) {
			bi++
			cb = at(b, bi)
		}
		if isDigit(ca) && isDigit(cb) {
			var r int
			if ca == '0' || cb == '0' {
				r = compareLeft(a[ai:], b[bi:])
			} else {
				r = compareRight(a[ai:], b[bi:])
			}
			if r != 0 {
				return r
			}
		}
		if ca == 0 && cb == 0 {
			return 0
		}
		if fold {
			ca, cb = upperByte(ca), upperByte(cb)
		}
		if int8(ca) < int8(cb) {
			return -1
		} else if int8(ca) > int8(cb) {
			return 1
		}
		ai++
		bi++
	}
}

func upperByte(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

// strcmpC is strcmp: unsigned bytes, like Go's string comparison.
func strcmpC(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// strcasecmpC is strcasecmp.
func strcasecmpC(a, b string) int {
	for i := 0; ; i++ {
		ca, cb := lowerByte(at(a, i)), lowerByte(at(b, i))
		if ca != cb {
			return int(ca) - int(cb)
		}
		if ca == 0 {
			return 0
		}
	}
}

// strfsize is apr_strfsize: a size in at most 4 characters ("  - " for
// unknown sizes, "973 " bytes, "1.0K", " 12M").
func strfsize(size int64) string {
	if size < 0 {
		return "  - "
	}
	if size < 973 {
		return trunc4(sprintf3d(size) + " ")
	}
	const ord = "KMGTPE"
	o := 0
	for {
		remain := size & 1023
		size >>= 10
		if size >= 973 {
			o++
			continue
		}
		if size < 9 || (size == 9 && remain < 973) {
			remain = (remain*5 + 256) / 512
			if remain >= 10 {
				size++
				remain = 0
			}
			return trunc4(itoa(size) + "." + itoa(remain) + string(ord[o]))
		}
		if remain >= 512 {
			size++
		}
		return trunc4(sprintf3d(size) + string(ord[o]))
	}
}

// trunc4 is apr_snprintf's truncation to a 5-byte buffer.
func trunc4(s string) string {
	if len(s) > 4 {
		return s[:4]
	}
	return s
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func sprintf3d(n int64) string {
	s := itoa(n)
	for len(s) < 3 {
		s = " " + s
	}
	return s
}

// escapeHTML is ap_escape_html: < > & and " only.
func escapeHTML(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '&':
			rep = "&amp;"
		case '"':
			rep = "&quot;"
		default:
			if b != nil {
				b = append(b, s[i])
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+16), s[:i]...)
		}
		b = append(b, rep...)
	}
	if b == nil {
		return s
	}
	return string(b)
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// osEscapePath is ap_os_escape_path: %-escapes everything but letters,
// digits and $-_.+!*'(),:;@&=/~, with "./" in front when partial is false
// and a colon comes before the first slash.
func osEscapePath(path string, partial bool) string {
	const hex = "0123456789abcdef"
	var b []byte
	if !partial {
		colon, slash := -1, -1
		for i := 0; i < len(path); i++ {
			if path[i] == ':' && colon < 0 {
				colon = i
			}
			if path[i] == '/' && slash < 0 {
				slash = i
			}
		}
		if colon >= 0 && (slash < 0 || colon < slash) {
			b = append(b, '.', '/')
		}
	}
	for i := 0; i < len(path); i++ {
		c := path[i]
		if isAlnum(c) || c == 0 || indexByte("$-_.+!*'(),:;@&=/~", c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(b)
}

func indexByte(s string, c byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return true
		}
	}
	return false
}

// normalizeParent is ap_make_full_path(uri, "../") followed by
// ap_normalize_path(AP_NORMALIZE_ALLOW_RELATIVE|AP_NORMALIZE_NOT_ABOVE_ROOT):
// the URL of the parent directory, ok false when there is none.
func normalizeParent(uri string) (string, bool) {
	var path string
	if uri == "" {
		path = "/../"
	} else if uri[len(uri)-1] == '/' {
		path = uri + "../"
	} else {
		path = uri + "/../"
	}
	p := []byte(path)
	l, w := 1, 1
	ok := true
	if p[0] != '/' {
		l, w = 0, 0
	}
	for l < len(p) {
		if w == 0 || p[w-1] == '/' {
			if p[l] == '.' {
				if l+1 >= len(p) || p[l+1] == '/' {
					l++
					if l < len(p) {
						l++
					}
					continue
				}
				if p[l+1] == '.' && (l+2 >= len(p) || p[l+2] == '/') {
					if w > 1 {
						for {
							w--
							if w == 0 || p[w-1] == '/' {
								break
							}
						}
					} else {
						ok = false
					}
					l += 2
					if l < len(p) {
						l++
					}
					continue
				}
			}
		}
		p[w] = p[l]
		w++
		l++
	}
	if !ok || w == 0 {
		return "", false
	}
	return string(p[:w]), true
}
