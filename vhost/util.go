package vhost

import (
	"errors"
	"io/fs"
	"strings"
	"syscall"

	"github.com/gowsgid/gowsgid/internal/apregex"
)

// escapePath is ap_os_escape_path(path, partial): every byte outside
// [A-Za-z0-9] and "$-_.+!*'(),:;@&=/~" becomes %xx (lower-case hex, as
// Apache writes it).
func escapePath(s string) string { return percentEscape(s, "$-_.+!*'(),:;@&=/~") }

// escapePathSegment is ap_escape_path_segment: every byte outside
// [A-Za-z0-9] and "$-_.+!*'(),:@&=~" becomes %xx.
func escapePathSegment(s string) string { return percentEscape(s, "$-_.+!*'(),:@&=~") }

// percentEscape writes every byte of s outside [A-Za-z0-9] and keep as
// %xx.
func percentEscape(s, keep string) string {
	const hex = "0123456789abcdef"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// escapeURI is ap_escape_uri, the same escaping.
func escapeURI(s string) string { return escapePath(s) }

// pregsub is ap_pregsub: $0-$9 are replaced by the match's groups, a
// backslash makes the next character literal.
func pregsub(tmpl, src string, m []int) string {
	var b strings.Builder
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9' {
			no := int(tmpl[i+1] - '0')
			i++
			if 2*no+1 < len(m) && m[2*no] >= 0 && m[2*no] < m[2*no+1] {
				b.WriteString(src[m[2*no]:m[2*no+1]])
			}
			continue
		}
		if c == '\\' && i+1 < len(tmpl) {
			i++
			c = tmpl[i]
		}
		b.WriteByte(c)
	}
	return b.String()
}

// regexCache compiles the regexes of alias lists once per table, as
// mod_alias and mod_wsgi compile them (ap_pregcomp's default options).
type regexCache map[string]*apregex.Regexp

func (c regexCache) add(p string) {
	if _, ok := c[p]; !ok {
		if re, err := apregex.Compile(p, apregex.Default); err == nil {
			c[p] = re
		}
	}
}

func fileOwner(fi fs.FileInfo) uint32 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Uid
	}
	return ^uint32(0)
}

func isENOTDIR(err error) bool { return errors.Is(err, syscall.ENOTDIR) }
