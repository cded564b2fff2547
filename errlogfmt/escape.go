package errlogfmt

// escape marks the bytes ap_escape_errorlog_item escapes: those that are
// not printable ASCII, and '\'.
var escape = func() (e [256]bool) {
	for c := 0; c < 256; c++ {
		e[c] = c < 0x20 || c >= 0x7f || c == '\\'
	}
	return e
}()

const hexDigits = "0123456789abcdef"

// AppendEscaped appends s as ap_escape_errorlog_item writes a message or
// a header: \b \n \r \t \v and \\ for those, \xHH (lower-case) for any
// other byte that is not printable ASCII.
func AppendEscaped(b []byte, s string) []byte {
	i := 0
	for i < len(s) && !escape[s[i]] {
		i++
	}
	if i == len(s) {
		return append(b, s...)
	}
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if !escape[c] {
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
		case '\\':
			b = append(b, '\\', '\\')
		default:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		}
	}
	return b
}
