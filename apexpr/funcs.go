package apexpr

import (
	"crypto/md5"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// String functions of core Apache (string_func_providers).

// ASCIILower is ap_str_tolower: ASCII letters lower-cased, other bytes
// kept (tolower(), int:tolower).
func ASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ASCIIUpper is ap_str_toupper (toupper(), int:toupper).
func ASCIIUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

const lowerHex = "0123456789abcdef"

// EscapeURI is ap_escape_uri (ap_os_escape_path with partial=1): every
// byte that is not alphanumeric or one of $-_.+!*'(),:;@&=/~ becomes %xx
// (lower case hex).
func EscapeURI(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(int(c)) || strings.IndexByte("$-_.+!*'(),:;@&=/~", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(lowerHex[c>>4])
			b.WriteByte(lowerHex[c&15])
		}
	}
	return b.String()
}

func isXDigit(c byte) bool {
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

// unescapeURL is ap_unescape_url_keep2f(s, 0): %xx sequences are decoded
// except %2F, which is kept. A bad escape or an encoded NUL makes the whole
// result "" (as unescape() returns then).
func unescapeURL(s string) string {
	var b strings.Builder
	bad := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		cs := cstr(s)
		if !isXDigit(cs.at(i+1)) || !isXDigit(cs.at(i+2)) {
			bad = true
			b.WriteByte('%')
			continue
		}
		d := unhex(s[i+1])<<4 | unhex(s[i+2])
		switch {
		case d == 0:
			bad = true
			i += 2
		case d == '/':
			b.WriteString(s[i : i+3])
			i += 2
		default:
			b.WriteByte(d)
			i += 2
		}
	}
	if bad {
		return ""
	}
	return b.String()
}

// base64Encode is apr_base64_encode (standard alphabet, padded).
func base64Encode(s string) string {
	const basis = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var b strings.Builder
	i := 0
	for ; i+2 < len(s); i += 3 {
		b.WriteByte(basis[s[i]>>2])
		b.WriteByte(basis[(s[i]&3)<<4|s[i+1]>>4])
		b.WriteByte(basis[(s[i+1]&15)<<2|s[i+2]>>6])
		b.WriteByte(basis[s[i+2]&63])
	}
	if i < len(s) {
		b.WriteByte(basis[s[i]>>2])
		if i == len(s)-1 {
			b.WriteByte(basis[(s[i]&3)<<4])
			b.WriteByte('=')
		} else {
			b.WriteByte(basis[(s[i]&3)<<4|s[i+1]>>4])
			b.WriteByte(basis[(s[i+1]&15)<<2])
		}
		b.WriteByte('=')
	}
	return b.String()
}

func b64val(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return 64
}

// base64Decode is apr_base64_decode: it decodes the leading run of valid
// base64 characters and ignores the rest; the result is a C string, so it
// ends at the first decoded NUL.
func base64Decode(s string) string {
	n := 0
	for n < len(s) && b64val(s[n]) < 64 {
		n++
	}
	var out []byte
	i := 0
	for ; n-i >= 4; i += 4 {
		a, b, c, d := b64val(s[i]), b64val(s[i+1]), b64val(s[i+2]), b64val(s[i+3])
		out = append(out, byte(a<<2|b>>4), byte(b<<4|c>>2), byte(c<<6|d))
	}
	if rem := n - i; rem > 1 {
		a, b := b64val(s[i]), b64val(s[i+1])
		out = append(out, byte(a<<2|b>>4))
		if rem > 2 {
			c := b64val(s[i+2])
			out = append(out, byte(b<<4|c>>2))
		}
	}
	return string(cstrOf(string(out)))
}

// escapeLDAP is apr_pescape_ldap(..., APR_ESCAPE_LDAP_ALL): bytes that are
// special in DNs (RFC 4514) or filters (RFC 4515), and non-printable
// bytes, become \xx (lower case hex).
func escapeLDAP(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || strings.IndexByte("\"+,;<>\\*()", c) >= 0 {
			b.WriteByte('\\')
			b.WriteByte(lowerHex[c>>4])
			b.WriteByte(lowerHex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

func sha1Hex(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func md5Hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

// maxFileSize is the limit of file(): 10 MiB.
const maxFileSize = 10 * 1024 * 1024

// readFile is file_func. On failure it returns the evaluation error text.
func readFile(name string) (string, string) {
	f, err := os.Open(name)
	if err != nil {
		return "", "Cannot open file " + name
	}
	defer f.Close()
	fi, err := f.Stat()
	var size int64
	if err == nil {
		size = fi.Size()
	}
	if size > maxFileSize {
		return "", fmt.Sprintf("File %s too large", name)
	}
	if size == 0 {
		return "", ""
	}
	buf := make([]byte, size)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return "", "Cannot read from file " + name
	}
	return string(cstrOf(string(buf[:n]))), ""
}

// fileSize is filesize_func: the size of a regular file, else "0".
func fileSize(name string) string {
	fi, err := os.Stat(name)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 {
		return "0"
	}
	return strconv.FormatInt(fi.Size(), 10)
}

// opT is the -T operator: false for "", "0", and case-insensitive "off",
// "no" and "false".
func opT(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case 'o', 'O':
		return !strings.EqualFold(s, "off")
	case 'n', 'N':
		return !strings.EqualFold(s, "no")
	case 'f', 'F':
		return !strings.EqualFold(s, "false")
	case '0':
		return len(s) != 1
	}
	return true
}

// atoi64 is apr_atoi64: optional leading space and sign, then decimal
// digits up to the first non-digit; saturates on overflow.
func atoi64(s string) int64 {
	i := 0
	for i < len(s) && isCSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v uint64
	overflow := false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if v > (1<<64-1-d)/10 {
			overflow = true
		}
		if !overflow {
			v = v*10 + d
		}
	}
	if neg {
		if overflow || v > 1<<63 {
			return -1 << 63
		}
		return -int64(v)
	}
	if overflow || v > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(v)
}
