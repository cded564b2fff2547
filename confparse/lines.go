package confparse

import (
	"bytes"
	"fmt"
)

// Limits on a logical line, as Apache sets them (server/config.c).
const (
	maxConfLine     = 16 << 20 // VARBUF_MAX_LEN, for *.conf files
	maxHtaccessLine = 8192     // HUGE_STRING_LEN, for .htaccess files
)

// lineReader splits a config file into logical lines the way Apache's
// ap_varbuf_cfg_getline does: a backslash right before the newline joins the
// next physical line (nothing inserted, nothing checked for escaping), the
// result is trimmed of C isspace characters, and the line number of a
// logical line is that of its last physical line. Comments and blank lines
// are returned too: callers decide, as Apache's callers do.
type lineReader struct {
	data    []byte
	off     int
	line    int // physical lines consumed so far
	maxLine int
	name    string
	// lines, when set, are the lines to read instead of data: each is
	// one line as it stands, never continued nor split.
	lines []string
}

func newLineReader(name string, data []byte, maxLine int) *lineReader {
	return &lineReader{data: data, maxLine: maxLine, name: name}
}

// newLinesReader reads lines as they are given, one logical line each,
// as Apache reads the -C and -c directives (arr_elts_getstr hands each
// over without a newline, so a backslash at its end continues nothing
// and a newline inside it ends no line).
func newLinesReader(name string, lines []string, maxLine int) *lineReader {
	return &lineReader{maxLine: maxLine, name: name, lines: lines}
}

// errLineTooLong is Apache's "Line too long" read error.
type errLineTooLong struct {
	file string
	line int
}

func (e *errLineTooLong) Error() string {
	return fmt.Sprintf("Error reading %s at line %d: Line too long", e.file, e.line)
}

// next returns the next logical line and its line number, or ok=false at end
// of input.
func (r *lineReader) next() (text string, line int, ok bool, err error) {
	if r.lines != nil {
		if r.line >= len(r.lines) {
			return "", r.line, false, nil
		}
		text := r.lines[r.line]
		r.line++
		if len(text) >= r.maxLine {
			return "", r.line, false, &errLineTooLong{r.name, r.line}
		}
		return string(trimSpace([]byte(text))), r.line, true, nil
	}
	if r.off >= len(r.data) {
		return "", r.line, false, nil
	}
	var buf []byte
	for {
		if r.off >= len(r.data) {
			// A continuation ran into the end of the file; Apache counts
			// the read that found it.
			r.line++
			break
		}
		r.line++
		rest := r.data[r.off:]
		end := bytes.IndexByte(rest, '\n')
		var phys []byte
		hasLF := end >= 0
		if hasLF {
			phys = rest[:end]
			r.off += end + 1
		} else {
			phys = rest
			r.off = len(r.data)
		}
		// A NUL ends a C string: Apache never sees what follows it on the
		// line, nor a continuation backslash behind it.
		if nul := bytes.IndexByte(phys, 0); nul >= 0 {
			phys = phys[:nul]
			hasLF = false
		}
		// The continuation test looks at the joined buffer, as Apache's
		// does: an empty line after a continued "\\" continues again.
		buf = append(buf, phys...)
		if hasLF {
			n := len(buf)
			if n > 0 && buf[n-1] == '\r' {
				n--
			}
			if n > 0 && buf[n-1] == '\\' {
				buf = buf[:n-1]
				if len(buf) >= r.maxLine {
					return "", r.line, false, &errLineTooLong{r.name, r.line}
				}
				continue
			}
		}
		break
	}
	// The limit counts the string's NUL in Apache's buffer: a line of
	// maxLine bytes is already too long.
	if len(buf) >= r.maxLine {
		return "", r.line, false, &errLineTooLong{r.name, r.line}
	}
	return string(trimSpace(buf)), r.line, true, nil
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
