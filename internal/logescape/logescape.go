// Package logescape writes strings into log lines as Apache escapes
// them: ap_escape_logitem for the access log and ap_escape_errorlog_item
// for the error log.
package logescape

// item and errorItem mark the bytes each escapes: those that are not
// printable ASCII, and '\'; the access log's also '"'.
var item, errorItem = func() (t, e [256]bool) {
	for c := 0; c < 256; c++ {
		e[c] = c < 0x20 || c >= 0x7f || c == '\\'
		t[c] = e[c] || c == '"'
	}
	return t, e
}()

const hexDigits = "0123456789abcdef"

// AppendItem appends s as ap_escape_logitem writes it into an access
// log line: \b \n \r \t \v \\ and \" for those, \xHH (lower-case) for
// any other byte that is not printable ASCII.
func AppendItem(b []byte, s string) []byte { return appendEscaped(b, s, &item) }

// AppendErrorItem appends s as ap_escape_errorlog_item writes a message
// or a header into an error log line: AppendItem's escapes, but '"'
// stays.
func AppendErrorItem(b []byte, s string) []byte { return appendEscaped(b, s, &errorItem) }

func appendEscaped(b []byte, s string, esc *[256]bool) []byte {
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
