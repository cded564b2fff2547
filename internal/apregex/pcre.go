//go:build cgo

package apregex

/*
#cgo pkg-config: libpcre2-8
#cgo noescape gw_pcre_match
#cgo nocallback gw_pcre_match
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

static pcre2_code *gw_pcre_compile(const char *pattern, uint32_t options, int *code, size_t *offset)
{
	PCRE2_SIZE off = 0;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, options, code, &off, NULL);
	*offset = off;
	return re;
}

static uint32_t gw_pcre_info(const pcre2_code *re, uint32_t what)
{
	uint32_t v = 0;
	pcre2_pattern_info(re, what, &v);
	return v;
}

static PCRE2_SPTR gw_pcre_nametable(const pcre2_code *re)
{
	PCRE2_SPTR t = NULL;
	pcre2_pattern_info(re, PCRE2_INFO_NAMETABLE, &t);
	return t;
}

// gw_pcre_match is ap_regexec_len with no eflags: it matches subject
// and copies the first n offsets of the ovector to out. It returns
// pcre2_match's result: the number of pairs set, or an error.
static int gw_pcre_match(const pcre2_code *re, const char *subject, size_t len, size_t *out, uint32_t n)
{
	static const char empty[1];
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		return PCRE2_ERROR_NOMEMORY;
	int rc = pcre2_match(re, (PCRE2_SPTR)(len ? subject : empty), len, 0, 0, md, NULL);
	if (rc > 0) {
		uint32_t m = (uint32_t)rc * 2;
		if (m > n)
			m = n;
		memcpy(out, pcre2_get_ovector_pointer(md), m * sizeof(PCRE2_SIZE));
	}
	pcre2_match_data_free(md);
	return rc;
}

static int gw_pcre_message(int code, unsigned char *buf, size_t n)
{
	return pcre2_get_error_message(code, buf, n);
}
*/
import "C"

import (
	"runtime"
	"strings"
	"unsafe"
)

// PCRE reports whether this build compiles with PCRE2, as this one does.
func PCRE() bool { return true }

// Regexp is a compiled pattern. It is safe for concurrent use.
type Regexp struct {
	code  *C.pcre2_code
	expr  string
	nsub  int
	names []string
}

// Compile compiles pattern as ap_regcomp does with opts: PCRE2_DUPNAMES
// and the options asked for. Like Apache it hands PCRE the pattern as a
// C string, so a NUL ends it.
func Compile(pattern string, opts Options) (*Regexp, error) {
	flags := C.uint32_t(C.PCRE2_DUPNAMES)
	if opts&ICase != 0 {
		flags |= C.PCRE2_CASELESS
	}
	if opts&Newline != 0 {
		flags |= C.PCRE2_MULTILINE
	}
	if opts&DotAll != 0 {
		flags |= C.PCRE2_DOTALL
	}
	if opts&DollarEndOnly != 0 {
		flags |= C.PCRE2_DOLLAR_ENDONLY
	}
	cs := C.CString(pattern)
	defer C.free(unsafe.Pointer(cs))
	var code C.int
	var offset C.size_t
	re := C.gw_pcre_compile(cs, flags, &code, &offset)
	if re == nil {
		var buf [256]C.uchar
		msg := "unknown error"
		if n := C.gw_pcre_message(code, &buf[0], C.size_t(len(buf))); n > 0 {
			msg = C.GoStringN((*C.char)(unsafe.Pointer(&buf[0])), n)
		}
		return nil, &Error{Pattern: pattern, Code: int(code), Offset: int(offset), Message: msg}
	}
	r := &Regexp{code: re, expr: pattern, nsub: int(C.gw_pcre_info(re, C.PCRE2_INFO_CAPTURECOUNT))}
	r.names = readNames(re, r.nsub)
	runtime.AddCleanup(r, func(re *C.pcre2_code) { C.pcre2_code_free(re) }, re)
	return r, nil
}

// readNames reads the pattern's name table: entries of a two-byte
// group number and the NUL-terminated name.
func readNames(re *C.pcre2_code, nsub int) []string {
	count := int(C.gw_pcre_info(re, C.PCRE2_INFO_NAMECOUNT))
	names := make([]string, nsub+1)
	if count == 0 {
		return names
	}
	size := int(C.gw_pcre_info(re, C.PCRE2_INFO_NAMEENTRYSIZE))
	table := unsafe.Slice((*byte)(unsafe.Pointer(C.gw_pcre_nametable(re))), count*size)
	for i := 0; i < count; i++ {
		e := table[i*size : (i+1)*size]
		n := int(e[0])<<8 | int(e[1])
		name := string(e[2:])
		if j := strings.IndexByte(name, 0); j >= 0 {
			name = name[:j]
		}
		if n <= nsub && names[n] == "" {
			names[n] = name
		}
	}
	return names
}

// String is the pattern as written.
func (r *Regexp) String() string { return r.expr }

// NumSubexp is the number of capture groups.
func (r *Regexp) NumSubexp() int { return r.nsub }

// SubexpNames are the groups' names, "" for a group without one; the
// first is the whole match's, always "".
func (r *Regexp) SubexpNames() []string { return r.names }

// FindStringSubmatchIndex matches s and returns the offsets of the match
// and of each group, two per group as Go's regexp gives them (-1 for a
// group that took no part), or nil when s does not match or PCRE fails
// on it (ap_regexec's AP_REG_NOMATCH, AP_REG_INVARG, AP_REG_ESPACE).
// As ap_regexec reads its subject as a C string, s ends at its first
// NUL byte.
func (r *Regexp) FindStringSubmatchIndex(s string) []int {
	n := 2 * (r.nsub + 1)
	var small [20]C.size_t
	ov := small[:]
	if n > len(small) {
		ov = make([]C.size_t, n)
	}
	rc := r.match(s, ov[:n])
	if rc <= 0 {
		return nil
	}
	m := make([]int, n)
	for i := range m {
		m[i] = -1
		if i < 2*rc && ov[i] != ^C.size_t(0) {
			m[i] = int(ov[i])
		}
	}
	return m
}

// MatchString reports whether s matches.
func (r *Regexp) MatchString(s string) bool {
	var ov [2]C.size_t
	return r.match(s, ov[:]) > 0
}

// match runs pcre2_match on s up to its first NUL and copies what fits
// of the ovector to ov; it returns pcre2_match's result.
func (r *Regexp) match(s string, ov []C.size_t) int {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	var p *C.char
	if len(s) > 0 {
		p = (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
	}
	rc := int(C.gw_pcre_match(r.code, p, C.size_t(len(s)), &ov[0], C.uint32_t(len(ov))))
	runtime.KeepAlive(r)
	return rc
}
