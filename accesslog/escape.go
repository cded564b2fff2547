package accesslog

// logEscape marks the bytes ap_escape_logitem escapes (T_ESCAPE_LOGITEM):
// those that are not printable ASCII, and '"' and '\'; errorEscape
// those ap_escape_errorlog_item escapes, the same but '"'.
var logEscape, errorEscape = func() (t, e [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c < 0x20 || c >= 0x7f || c == '"' || c == '\\'
		e[c] = t[c] && c != '"'
	}
	return t, e
}()

const hexDigits = "0123456789abcdef"

// appendEscaped appends s as ap_escape_logitem writes it: \b \n \r \t \v
// \\ and \" for those, \xHH (lower-case) for any other byte that is not
// printable ASCII.
func appendEscaped(b []byte, s string) []byte { return escapeWith(b, s, &logEscape) }

// AppendErrorLogEscaped appends s as ap_escape_errorlog_item writes an
// error log message: the access log's escapes, but '"' stays.
func AppendErrorLogEscaped(b []byte, s string) []byte { return escapeWith(b, s, &errorEscape) }

func escapeWith(b []byte, s string, esc *[256]bool) []byte {
	i := 0
	for i < len(s) && !esc[s[i]] {
		i++
	}
	if i == len(s) {
		return append(b, s...)
	}
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if !esc[c] {
			b = append(b, c)
			continue
		}
		switch c {
		case '\b':
			b = append(b, '\\', 'b')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\v':
			b = append(b, '\\', 'v')
		case '\\', '"':
			b = append(b, '\\', c)
		default:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return b
}
