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
	if plainPath(path, merge, decodeUnreserved) {
		return path, true
	}
	return normalizePath(path, merge, decodeUnreserved)
}

// plainPath reports whether NormalizePath leaves a path that starts with
// '/' as it is: no %-escape to decode, and no "//" to merge, "." or
// ".." segment after a slash.
func plainPath(path string, merge, decodeUnreserved bool) bool {
	for i := 1; i < len(path); i++ {
		c := path[i]
		if c == '%' && decodeUnreserved {
			return false
		}
		if path[i-1] != '/' {
			continue
		}
		switch rest := path[i+1:]; {
		case c == '/' && merge:
			return false
		case c != '.':
		case rest == "" || rest[0] == '/':
			return false
		case rest[0] == '.' && (len(rest) == 1 || rest[1] == '/'):
			return false
		}
	}
	return true
}

// normalizePath is NormalizePath's work on a path that starts with '/'.
func normalizePath(path string, merge, decodeUnreserved bool) (string, bool) {
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

// encodedSlashes is the Unescape mode of an AllowEncodedSlashes value.
func encodedSlashes(allow string) int {
	switch allow {
	case "on":
		return slashesDecode
	case "nodecode":
		return slashesNoDecode
	}
	return slashesForbid
}

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

// Target is a request-target as ap_parse_uri splits it.
type Target struct {
	// Path is r->uri before normalisation; Query the query string
	// (HasQuery tells "?" from none).
	Path, Query string
	HasQuery    bool
	// Scheme and Authority are those of an absolute-URI.
	Scheme, Authority string
	// OtherScheme is set for an absolute-URI whose scheme is not http or
	// https: Apache answers 400 once the virtual host is chosen
	// (ap_post_read_request).
	OtherScheme bool
}

// ParseTarget is ap_parse_uri with apr_uri_parse and the checks of
// HttpProtocolOptions Strict: a leading run of '/' counts as one; an
// absolute-URI gives its path (its host is net/http's Request.Host
// already); a missing path is "/" ("*" for OPTIONS). ok is false where
// Apache answers 400: apr_uri_parse fails (an unclosed '[', a port that
// is not a number), or the target has a fragment or a user name
// (AH02421, AH02422): all while reading the request line, before the
// virtual host is chosen.
func ParseTarget(uri, method string) (Target, bool) {
	if method == "CONNECT" {
		return connectTarget(uri)
	}
	for len(uri) > 1 && uri[0] == '/' && uri[1] == '/' {
		uri = uri[1:]
	}
	rest := uri
	var t Target
	if i := schemeEnd(uri); i > 0 {
		t.Scheme = strings.ToLower(uri[:i])
		t.OtherScheme = t.Scheme != "http" && t.Scheme != "https"
		rest = uri[i+1:]
		if strings.HasPrefix(rest, "//") {
			rest = rest[2:]
			end := strings.IndexAny(rest, "/?#")
			if end < 0 {
				end = len(rest)
			}
			auth := rest[:end]
			rest = rest[end:]
			at := strings.LastIndexByte(auth, '@')
			t.Authority = auth[at+1:]
			if at >= 0 || !validHostinfo(t.Authority) {
				t.setPath(rest)
				return t, false
			}
		}
	}
	if strings.Contains(rest, "#") {
		t.setPath(rest)
		return t, false
	}
	t.Path, t.Query, t.HasQuery = strings.Cut(rest, "?")
	if t.Path == "" {
		t.Path = "/"
		if method == "OPTIONS" {
			t.Path = "*"
		}
	}
	return t, true
}

// connectTarget is apr_uri_parse_hostinfo, which Apache parses a
// CONNECT's target with: host:port (a bracketed IPv6 address as the
// host; the port digits only, or empty). Its path is "/".
func connectTarget(uri string) (Target, bool) {
	t := Target{Path: "/"}
	host, port := uri, ""
	if strings.HasPrefix(uri, "[") {
		end := strings.IndexByte(uri, ']')
		if end < 0 || end+1 >= len(uri) || uri[end+1] != ':' {
			t.Path = uri
			return t, false
		}
		host, port = uri[:end+1], uri[end+2:]
	} else {
		i := strings.IndexByte(uri, ':')
		if i < 0 {
			t.Path = uri
			return t, false
		}
		host, port = uri[:i], uri[i+1:]
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			t.Path = uri
			return t, false
		}
	}
	t.Authority = host + ":" + port
	return t, true
}

// setPath sets the path and query of a refused target as apr_uri_parse
// split them (the access log shows them).
func (t *Target) setPath(rest string) {
	rest, _, _ = strings.Cut(rest, "#")
	t.Path, t.Query, t.HasQuery = strings.Cut(rest, "?")
}

// schemeEnd is the index of the ':' ending a URI scheme (a letter, then
// letters, digits, '+', '-' and '.'), or -1 when uri has none.
func schemeEnd(uri string) int {
	if uri == "" || !(uri[0] >= 'a' && uri[0] <= 'z' || uri[0] >= 'A' && uri[0] <= 'Z') {
		return -1
	}
	for i := 1; i < len(uri); i++ {
		c := uri[i]
		switch {
		case c == ':':
			return i
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '+', c == '-', c == '.':
		default:
			return -1
		}
	}
	return -1
}

// validHostinfo is apr_uri_parse's check of an authority (with no
// "user@"): an IPv6 literal needs its ']', and a port must be a number.
func validHostinfo(h string) bool {
	port := ""
	if strings.HasPrefix(h, "[") {
		i := strings.IndexByte(h, ']')
		if i < 0 {
			return false
		}
		if rest := h[i+1:]; strings.HasPrefix(rest, ":") {
			port = rest[1:]
		}
	} else if i := strings.IndexByte(h, ':'); i >= 0 {
		port = h[i+1:]
	}
	return strings.Trim(port, "0123456789") == "" || port == "" || validPortPrefix(port)
}

// validPortPrefix mirrors strtol: a sign and digits with nothing after.
func validPortPrefix(p string) bool {
	p = strings.TrimLeft(p, " \t")
	if p != "" && (p[0] == '+' || p[0] == '-') {
		p = p[1:]
	}
	return p != "" && strings.Trim(p, "0123456789") == ""
}
