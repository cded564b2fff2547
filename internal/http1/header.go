package http1

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// The header fields of a request head are read here rather than by
// net/textproto's ReadMIMEHeader, whose rules they follow (what it
// accepts, joins and refuses), because Apache keeps two things that a
// header map cannot: the order of the fields and the spelling of their
// names. Apache's headers_in, once read, holds each name once (repeated
// fields joined with ", "), spelled as it first came, in the order of
// first appearance; TRACE echoes that table, and mod_headers,
// mod_setenvif and the CGI environment walk it in that order.
//
// The head is taken whole into one string, and the names and values
// are pieces of it: a head costs that string, the map and one slice,
// however many fields it has.

// fieldNamesKey is the context key of a request's field names.
type fieldNamesKey struct{}

// FieldNames returns the names of the header fields of a request this
// package read, as Apache's headers_in has them: each name once, spelled
// as it first came, in the order the client first sent it. Fields the
// request no longer has in its Header (Host, Transfer-Encoding, Trailer,
// and any a handler removed) are still named. It returns nil for a
// request this package did not read (HTTP/2).
func FieldNames(r *http.Request) []string {
	names, _ := r.Context().Value(fieldNamesKey{}).([]string)
	return names
}

// WithoutFieldNames returns ctx without the field names of the request
// whose context it derives from: for the HTTP/2 streams of a connection
// upgraded by an HTTP/1 request, whose fields are their own.
func WithoutFieldNames(ctx context.Context) context.Context {
	return context.WithValue(ctx, fieldNamesKey{}, []string(nil))
}

// Value gives the request's field names and start; other keys are the
// connection's.
func (rc *requestContext) Value(key any) any {
	switch key.(type) {
	case fieldNamesKey:
		return rc.names
	case requestStartKey:
		return rc.start
	}
	return rc.Context.Value(key)
}

type requestStartKey struct{}

// RequestStart is when the request line of r was read, as Apache's
// r->request_time is set (before the header fields are read); zero for
// a request this package did not read.
func RequestStart(r *http.Request) time.Time {
	t, _ := r.Context().Value(requestStartKey{}).(time.Time)
	return t
}

// readHeader reads the header fields of a request head, up to and
// including the empty line that ends it.
func readHeader(br *bufio.Reader) (http.Header, []string, error) {
	block, n, readErr := headBlock(br)
	s := string(block)
	if n > 0 {
		br.Discard(n)
	}
	h, names, err := parseHeader(s)
	if err != nil {
		return nil, nil, err
	}
	if readErr != nil {
		return nil, nil, readErr
	}
	return h, names, nil
}

// headBlock returns the header lines of the head ahead in br, through
// the empty line that ends them, and how many of its bytes are still to
// be discarded from br. A head longer than br's buffer is gathered in a
// slice of its own. Before it waits for more of the head, it judges the
// lines that came as ReadMIMEHeader judges them on arrival: a line it
// refuses ends the block there, so that the client gets its 400 at
// once. When a read fails before the end, it returns what arrived with
// the error: a malformed line among it is reported rather than the
// failure.
func headBlock(br *bufio.Reader) (block []byte, discard int, err error) {
	var gathered []byte
	sc := headScan{first: true}
	for {
		if br.Buffered() == 0 {
			if _, err := br.Peek(1); err != nil {
				return gathered, 0, err
			}
		}
		buf, _ := br.Peek(br.Buffered())
		end := sc.end(buf)
		if end < 0 {
			end = sc.refusal(buf)
		}
		if end >= 0 {
			if gathered == nil {
				return buf[:end], end, nil
			}
			return append(gathered, buf[:end]...), end, nil
		}
		if len(buf) < br.Size() {
			if _, err := br.Peek(len(buf) + 1); err != nil {
				buf, _ = br.Peek(br.Buffered())
				if gathered == nil {
					return buf, len(buf), err
				}
				return append(gathered, buf...), len(buf), err
			}
			continue
		}
		// The buffer is full and the head goes on: keep its whole
		// lines (or all of it, a line longer than the buffer, which
		// cannot be the empty line) and read on.
		keep := sc.shift(len(buf))
		gathered = append(gathered, buf[:keep]...)
		br.Discard(keep)
	}
}

// headScan follows the lines of a head as they arrive in a window (br's
// buffer), so that each byte is looked at once however the head is
// split: next is where the next line starts for the search for the
// head's end, checked where it starts for the judging of lines.
type headScan struct {
	next, checked int
	// inLong: the window starts within a line longer than the buffer,
	// neither the empty line nor judged here (parseHeader judges it).
	inLong bool
	// first: the line at checked is the head's first.
	first bool
}

// end returns the length of buf through the empty line that ends the
// head's header lines, or -1 when buf does not hold it yet.
func (sc *headScan) end(buf []byte) int {
	for {
		i := bytes.IndexByte(buf[sc.next:], '\n')
		if i < 0 {
			return -1
		}
		start := sc.next
		sc.next += i + 1
		if sc.inLong {
			sc.inLong, sc.first = false, false
			sc.checked = sc.next
			continue
		}
		if i == 0 || i == 1 && buf[start] == '\r' {
			return sc.next
		}
	}
}

// refusal returns the length of buf through the first whole line
// ReadMIMEHeader refuses whatever follows it, or -1 when none did.
func (sc *headScan) refusal(buf []byte) int {
	for sc.checked < sc.next {
		start := sc.checked
		i := bytes.IndexByte(buf[start:sc.next], '\n')
		sc.checked = start + i + 1
		line := bytes.TrimSuffix(buf[start:start+i], []byte{'\r'})
		if refusedLine(line, sc.first) {
			return sc.checked
		}
		sc.first = false
	}
	return -1
}

// shift drops the window's whole lines, or all of it when it holds
// none (a line longer than the buffer), and returns how many bytes
// that is.
func (sc *headScan) shift(n int) int {
	keep := sc.next
	if keep == 0 {
		keep, sc.inLong = n, true
	}
	sc.next, sc.checked = 0, 0
	return keep
}

// refusedLine reports whether ReadMIMEHeader refuses a header line (the
// head's first when first) as soon as it has it: leading white space on
// the first line, no colon, a name with bytes other than token
// characters and spaces, a value byte that is not one.
func refusedLine(line []byte, first bool) bool {
	if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
		if first {
			return true
		}
		return !validValue(line) // a continuation
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return true
	}
	for _, c := range line[:colon] {
		if !validFieldByte(c) && c != ' ' {
			return true
		}
	}
	return !validValue(line[colon+1:])
}

// validValue reports whether every byte of v may be in a field value.
func validValue[T string | []byte](v T) bool {
	for i := 0; i < len(v); i++ {
		if !valueByte[v[i]] {
			return false
		}
	}
	return true
}

// errEmptyFold is a continuation line of nothing but white space, which
// Apache refuses (AH03443) and ReadMIMEHeader takes.
var errEmptyFold = errors.New("malformed MIME header: empty folded line")

// parseHeader reads header lines, each ended by LF or CRLF, up to an
// empty line or the end of s, by ReadMIMEHeader's rules: a first line
// may not start with white space, a line that does continues the
// field before (joined with one space), every other line needs a
// colon, a name of token characters (or with spaces, kept as they are
// and refused later by checkRequest), a value of visible characters,
// spaces and tabs.
func parseHeader(s string) (http.Header, []string, error) {
	n := min(countFields(s), 1000) // a hint, bounded as textproto bounds it
	h := make(http.Header, n)
	slab := make([]string, 2*n)
	values, names := slab[:n], slab[n:n]
	if s != "" && (s[0] == ' ' || s[0] == '\t') {
		line, _, _ := strings.Cut(s, "\n")
		return nil, nil, fmt.Errorf("malformed MIME header initial line: %q", strings.TrimSuffix(line, "\r"))
	}
	for s != "" {
		var line string
		line, s = nextLine(s)
		if line == "" {
			break
		}
		if strings.IndexByte(line, ':') < 0 {
			return nil, nil, fmt.Errorf("malformed MIME header: missing colon: %q", line)
		}
		kv := trimSpaceTab(line)
		if folded := s != "" && (s[0] == ' ' || s[0] == '\t'); folded {
			var b strings.Builder
			b.WriteString(kv)
			for s != "" && (s[0] == ' ' || s[0] == '\t') {
				var more string
				more, s = nextLine(s)
				if more = trimSpaceTab(more); more == "" {
					// Apache refuses it (AH03443), where textproto
					// would add a space.
					return nil, nil, fmt.Errorf("%w after %q", errEmptyFold, kv)
				}
				b.WriteByte(' ')
				b.WriteString(more)
			}
			kv = b.String()
		}
		name, v, _ := strings.Cut(kv, ":")
		key, ok := canonicalKey(name)
		if !ok {
			return nil, nil, fmt.Errorf("malformed MIME header line: %q", kv)
		}
		if !validValue(v) {
			return nil, nil, fmt.Errorf("malformed MIME header line: %q", kv)
		}
		value := trimLeftSpaceTab(v)
		vv := h[key]
		switch {
		case vv != nil:
			h[key] = append(vv, value)
			continue
		case len(values) > 0:
			vv, values = values[:1:1], values[1:]
			vv[0] = value
		default:
			vv = []string{value}
		}
		h[key] = vv
		names = append(names, name)
	}
	return h, names, nil
}

// nextLine cuts the first line off s, without its LF or CRLF (as
// bufio.Reader.ReadLine cuts it).
func nextLine(s string) (line, rest string) {
	i := strings.IndexByte(s, '\n')
	if i < 0 {
		return s, "" // the last line before a failed read, as bufio gives it
	}
	return strings.TrimSuffix(s[:i], "\r"), s[i+1:]
}

// countFields counts the lines of s that start a field, for sizing.
func countFields(s string) int {
	n := 0
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		if line == "" || line == "\r" {
			break
		}
		if line[0] != ' ' && line[0] != '\t' {
			n++
		}
	}
	return n
}

// canonicalKey is textproto's canonicalMIMEHeaderKey for a name cut
// from a line: "" and names with bytes other than token characters and
// spaces are refused; a name with a space is kept as it is; the others
// are canonical, s itself when it already is.
func canonicalKey(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !validFieldByte(c) && c != ' ' {
			return "", false
		}
	}
	return textproto.CanonicalMIMEHeaderKey(s), true
}

// trimSpaceTab trims spaces and tabs from both ends.
func trimSpaceTab(s string) string {
	s = trimLeftSpaceTab(s)
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// trimLeftSpaceTab trims spaces and tabs from the start.
func trimLeftSpaceTab(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	return s
}

// validFieldByte: RFC 9110's tchar.
func validFieldByte(c byte) bool {
	return c < 0x80 && tchar[c]
}

// valueByte: the bytes of a field value ReadMIMEHeader takes: VCHAR,
// SP, HTAB and obs-text.
var valueByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != 0x7f || c == '\t'
	}
	return t
}()

var tchar = func() (t [128]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()
