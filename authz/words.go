package authz

import "strings"

// isSpace is apr_isspace (isspace in the C locale).
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// cString truncates s at its first NUL byte, as a C function sees it.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// getWordConf is ap_getword_conf: the next whitespace-separated word of
// line, where a word may be quoted with " or ' (a backslash escapes the
// quote character or a backslash). It returns the word and the rest of the
// line with leading whitespace skipped.
func getWordConf(line string) (word, rest string) {
	i := 0
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	if i == len(line) {
		return "", ""
	}
	var end int
	if q := line[i]; q == '"' || q == '\'' {
		j := i + 1
		for j < len(line) && line[j] != q {
			if line[j] == '\\' && j+1 < len(line) && (line[j+1] == q || line[j+1] == '\\') {
				j += 2
			} else {
				j++
			}
		}
		word = substringConf(line[i+1:j], q)
		end = j
		if end < len(line) && line[end] == q {
			end++
		}
	} else {
		j := i
		for j < len(line) && !isSpace(line[j]) {
			j++
		}
		word = substringConf(line[i:j], 0)
		end = j
	}
	for end < len(line) && isSpace(line[end]) {
		end++
	}
	return word, line[end:]
}

// substringConf is util.c's substring_conf: it removes the backslash of
// \\ and of a backslash-escaped quote character.
func substringConf(s string, quote byte) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || (quote != 0 && s[i+1] == quote)) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// confWords returns the words of line as the providers' loops
// "while ((w = ap_getword_conf(p, &t)) && w[0])" see them: up to the first
// empty word.
func confWords(line string) []string {
	var out []string
	for {
		w, rest := getWordConf(line)
		if w == "" {
			return out
		}
		out = append(out, w)
		line = rest
	}
}

// getWord is ap_getword: the text up to the first stop byte, and the rest
// after any run of stop bytes.
func getWord(line string, stop byte) (word, rest string) {
	i := strings.IndexByte(line, stop)
	if i < 0 {
		return line, ""
	}
	word = line[:i]
	for i < len(line) && line[i] == stop {
		i++
	}
	return word, line[i:]
}

// trimSpace trims apr_isspace characters from both ends (cfg_trim_line).
func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && isSpace(s[i]) {
		i++
	}
	for j > i && isSpace(s[j-1]) {
		j--
	}
	return s[i:j]
}

// inDomain is mod_authz_host's and mod_access_compat's in_domain: what
// equals domain or ends with it on a dot boundary (case-insensitive).
func inDomain(domain, what string) bool {
	dl, wl := len(domain), len(what)
	if wl < dl {
		return false
	}
	if !strings.EqualFold(domain, what[wl-dl:]) {
		return false
	}
	if wl == dl {
		return true
	}
	return (dl > 0 && domain[0] == '.') || what[wl-dl-1] == '.'
}

// escapeQuotes is ap_escape_quotes: a backslash before every '"' that is
// not already escaped.
func escapeQuotes(s string) string {
	if strings.IndexByte(s, '"') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b.WriteByte('\\')
		} else if s[i] == '\\' && i+1 < len(s) {
			b.WriteByte(s[i])
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// aprBase64Decode is ap_pbase64decode (APR's apr_base64_decode): it decodes
// the leading run of base64 alphabet characters, ignoring padding and
// anything after the first other character, and returns the result as a C
// string (cut at the first NUL).
func aprBase64Decode(s string) string {
	n := 0
	for n < len(s) && sixBits(s[n]) <= 63 {
		n++
	}
	in := s[:n]
	out := make([]byte, 0, (n+3)/4*3)
	for len(in) > 4 {
		a, b, c, d := sixBits(in[0]), sixBits(in[1]), sixBits(in[2]), sixBits(in[3])
		out = append(out, a<<2|b>>4, b<<4|c>>2, c<<6|d)
		in = in[4:]
	}
	if len(in) > 1 {
		out = append(out, sixBits(in[0])<<2|sixBits(in[1])>>4)
	}
	if len(in) > 2 {
		out = append(out, sixBits(in[1])<<4|sixBits(in[2])>>2)
	}
	if len(in) > 3 {
		out = append(out, sixBits(in[2])<<6|sixBits(in[3]))
	}
	return cString(string(out))
}

// sixBits is APR's pr2six table: the value of a base64 character, or 64.
func sixBits(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return 64
}
