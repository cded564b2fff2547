package apexpr

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

func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
