// Package apr holds faithful Go ports of the APR (Apache Portable Runtime)
// functions whose exact behaviour gowsgid's packages share: apr_fnmatch and
// apr_fnmatch_test, apr_ipsubnet_create/test, and the numeric forms of
// apr_sockaddr_info_get.
//
// The ports follow APR 1.7.2 (Debian's libapr1 1.7.2, which Apache httpd
// 2.4 links against) and glibc's numeric address parsing, including their
// C string semantics: an input ends at its first NUL byte.
package apr

// cstr gives C string semantics to a Go string: reading past the end
// yields NUL.
type cstr string

func (s cstr) at(i int) byte {
	if i >= 0 && i < len(s) {
		return s[i]
	}
	return 0
}

// cstrOf truncates s at its first NUL, as a C function would see it.
func cstrOf(s string) cstr {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return cstr(s[:i])
		}
	}
	return cstr(s)
}

// isDigit is apr_isdigit (isdigit in the C locale).
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isSpace is isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
