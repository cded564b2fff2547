package vhost

import "strings"

// isUnreserved is RFC 3986's unreserved set (Apache's T_URI_UNRESERVED).
func isUnreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// NormalizePath is ap_normalize_path with AP_NORMALIZE_NOT_ABOVE_ROOT and
// AP_NORMALIZE_DECODE_UNRESERVED (and MERGE_SLASHES when merge is set):
// unreserved %-escapes are decoded, /./ removed, /x/../ collapsed. ok is
// false for a path Apache answers with 400: not starting with '/', an
// invalid %-escape, or a ".." above the root.
func NormalizePath(path string, merge, decodeUnreserved bool) (string, bool) {
	if path == "" || path[0] != '/' {
		return path, path == "*"
	}
	p := []byte(path)
	ok := true
	l, w := 1, 1
	for l < len(p) {
		if decodeUnreserved && p[l] == '%' {
			if l+2 < len(p) && isHex(p[l+1]) && isHex(p[l+2]) {
				c := unhex(p[l+1])<<4 | unhex(p[l+2])
				if isUnreserved(c) {
					l += 2
					p[l] = c
				}
			} else {
				ok = false
			}
		}
		if w == 0 || p[w-1] == '/' {
			if merge && p[l] == '/' {
				for l < len(p) && p[l] == '/' {
					l++
				}
				continue
			}
			if p[l] == '.' {
				if l+1 >= len(p) || p[l+1] == '/' {
					l++
					if l < len(p) {
						l++
					}
					continue
				}
				n := l + 1
				dotdot := false
				if p[n] == '.' {
					dotdot = true
				} else if decodeUnreserved && p[n] == '%' && n+2 < len(p) && p[n+1] == '2' && (p[n+2] == 'e' || p[n+2] == 'E') {
					n += 2
					dotdot = true
				}
				if dotdot && (n+1 >= len(p) || p[n+1] == '/') {
					if w > 1 {
						w--
						for w > 0 && p[w-1] != '/' {
							w--
						}
					} else {
						ok = false
					}
					l = n + 1
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
	return string(p[:w]), ok
}

// Encoded-slash handling of AllowEncodedSlashes.
const (
	slashesForbid   = iota // Off: %2F is a 404
	slashesDecode          // On: decoded like any byte
	slashesNoDecode        // NoDecode: accepted and kept as %2F
)

// Unescape is ap_unescape_url_ex with AP_UNESCAPE_URL_KEEP_UNRESERVED (they
// were decoded already) and the AllowEncodedSlashes mode. It returns 400
// for a bad %-escape and 404 for an encoded NUL or a forbidden encoded
// slash, as Apache does; 0 means fine.
func Unescape(path string, slashes int) (string, int) {
	if !strings.Contains(path, "%") {
		return path, 0
	}
	var b strings.Builder
	badEsc, badPath := false, false
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2]) {
			badEsc = true
			b.WriteByte('%')
			continue
		}
		d := unhex(path[i+1])<<4 | unhex(path[i+2])
		switch {
		case d == 0 || (slashes == slashesForbid && d == '/'):
			badPath = true
			b.WriteByte(d)
			i += 2
		case isUnreserved(d) || (slashes == slashesNoDecode && d == '/'):
			b.WriteString(path[i : i+3])
			i += 2
		default:
			b.WriteByte(d)
			i += 2
		}
	}
	switch {
	case badEsc:
		return b.String(), 400
	case badPath:
		return b.String(), 404
	}
	return b.String(), 0
}
