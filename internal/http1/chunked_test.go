package http1

import (
	"bufio"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// readChunked reads body (what follows a head) as a chunked body with
// the given limits and returns the data, the error and what is left.
func readChunked(body string, fieldSize, fields int) (string, error, string, http.Header) {
	br := bufio.NewReaderSize(strings.NewReader(body), 16) // lines cross the buffer
	req := &http.Request{}
	c := &chunkedReader{br: br, req: req, fieldSize: fieldSize, fields: fields}
	data, err := io.ReadAll(c)
	rest, _ := io.ReadAll(br)
	return string(data), err, string(rest), req.Trailer
}

// TestChunkedLikeApache reads chunked bodies as Apache's
// parse_chunk_size and read_chunked_trailers (strict) read them: what
// each takes, and the status and first log line of what each refuses.
func TestChunkedLikeApache(t *testing.T) {
	long := func(n int) string { return strings.Repeat("e", n) }
	for _, tc := range []struct {
		name, body string
		data       string // what is read, when taken
		status     int    // 0: taken
		log        string // the first log line's start, when refused
	}{
		{"two chunks", "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nNEXT", "abcde", 0, ""},
		{"hex in both cases", "a\r\n0123456789\r\nA\r\n0123456789\r\n0\r\n\r\n", strings.Repeat("0123456789", 2), 0, ""},
		{"leading zeros", "0000000000000000000000003\r\nabc\r\n0\r\n\r\n", "abc", 0, ""},
		{"an extension with tab and obs-text", "3;a=\"b c\"\t;\xe9\r\nabc\r\n0;x\r\n\r\n", "abc", 0, ""},
		{"ten blanks", "3" + strings.Repeat(" \t", 5) + "\r\nabc\r\n0\r\n\r\n", "abc", 0, ""},
		{"blanks then an extension", "3  ;x\r\nabc\r\n0\r\n\r\n", "abc", 0, ""},
		{"a line at the limit", "3;" + long(24) + "\r\nabc\r\n0\r\n\r\n", "abc", 0, ""},
		{"a trailer", "1\r\na\r\n0\r\nX-A: 1\r\nx-a:  2 \r\nX-B: v\r\n   w\r\n\r\n", "a", 0, ""},
		{"a trailer line one byte over the limit, as Apache's buffer takes it", "1\r\na\r\n0\r\nX: " + long(26) + "\r\n\r\n", "a", 0, ""},
		{"a trailer line longer than the buffer", "1\r\na\r\n0\r\nX-A: " + long(20) + "\r\n\r\n", "a", 0, ""},

		{"eleven blanks", "3" + strings.Repeat(" ", 11) + "\r\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"an empty line", "\r\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"a blank first", " 3\r\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"a blank inside", "1 0\r\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"not hex", "3g\r\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"NUL in the extension", "3;a\x00\r\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"DEL in the extension", "3;\x7f\r\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"a bare LF after the size", "3\nabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"CR without LF", "3\rabc\r\n0\r\n\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"a bare LF after the data", "3\r\nabc\n0\r\n\r\n", "abc", 400, "(22)Invalid argument: AH01590"},
		{"more data than the size", "3\r\nabcd\r\n0\r\n\r\n", "abc", 400, "(22)Invalid argument: AH01590"},
		{"seventeen digits", "10000000000000000\r\n", "", 413, "(28)No space left on device: AH01590"},
		{"2^63", "8000000000000000\r\n", "", 413, "(28)No space left on device: AH01590"},
		{"a line past the limit", "3;" + long(25) + "\r\nabc\r\n0\r\n\r\n", "", 413, "(28)No space left on device: AH01590"},
		{"a trailer line ended by LF", "0\r\nX: a\n\r\n", "", 400, "(22)Invalid argument: Failed to read request header line X: a\n"},
		{"a lone LF for the trailer's end", "0\r\n\nGET / HTTP/1.1\r\n\r\n", "", 400, "(22)Invalid argument: Failed to read request header line \n"},
		{"a blank before the colon", "0\r\nX : a\r\n\r\n", "", 400, "AH02426: Request header field name is malformed: X : a"},
		{"no colon", "0\r\nX\r\n\r\n", "", 400, "AH02426: Request header field name is malformed: X"},
		{"a control character in a value", "0\r\nX: a\x01\r\n\r\n", "", 400, "AH02427: Request header value is malformed: a\x01"},
		{"an empty folded line", "0\r\nX: a\r\n \t\r\n\r\n", "", 400, "AH03443: Empty folded line encountered"},
		{"folding first", "0\r\n x\r\n\r\n", "", 400, "AH03442: Line folding encountered before first header line"},
		{"a trailer line past the limit", "0\r\nX: " + long(27) + "\r\n\r\n", "", 400, "(28)No space left on device: Failed to read request header line X: " + long(26)},
		{"a trailer cut short", "0\r\nX: a", "", 400, "(70014)End of file found: Failed to read request header line X: a"},
		{"a syntax error past the limit wins", "3;" + long(40) + "\x01\r\n", "", 400, "(22)Invalid argument: AH01590"},
		{"folding past the limit", "0\r\nX: " + long(10) + "\r\n " + long(20) + "\r\n\r\n", "", 400, "AH00562: Request header exceeds LimitRequestFieldSize after folding: X"},
		{"too many trailer fields", "0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", "", 400, "AH00563: Number of request headers exceeds LimitRequestFields"},
		{"the end of input mid-chunk", "5\r\nab", "ab", -1, ""},
		{"sixteen digits, the largest size", "7fffffffffffffff\r\nab", "ab", -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err, rest, trailer := readChunked(tc.body, 28, 3)
			if data != tc.data {
				t.Errorf("data %q, want %q", data, tc.data)
			}
			var be *BodyError
			switch {
			case tc.status == 0:
				if err != nil {
					t.Fatalf("error %v", err)
				}
				if strings.HasSuffix(tc.body, "NEXT") && rest != "NEXT" {
					t.Errorf("left %q, want NEXT", rest)
				}
			case tc.status < 0:
				if err != io.ErrUnexpectedEOF {
					t.Errorf("error %v, want io.ErrUnexpectedEOF", err)
				}
			case !errors.As(err, &be):
				t.Fatalf("error %v, want a *BodyError", err)
			case be.Status != tc.status || !strings.HasPrefix(be.Logs[0].Msg, tc.log):
				t.Errorf("status %d, logs %q; want %d, %q...", be.Status, be.Logs, tc.status, tc.log)
			}
			if tc.name == "a trailer" {
				want := http.Header{"X-A": {"1", "2"}, "X-B": {"v w"}}
				if !maps.EqualFunc(trailer, want, slices.Equal) {
					t.Errorf("trailer %q, want %q", trailer, want)
				}
			}
		})
	}
}

// TestChunkedErrorsAreFinal: after a refusal, every read fails again and
// nothing more of the connection is read.
func TestChunkedErrorsAreFinal(t *testing.T) {
	br := bufio.NewReader(strings.NewReader("zz\r\n3\r\nabc\r\n0\r\n\r\n"))
	c := &chunkedReader{br: br, req: &http.Request{}, fieldSize: defaultFieldSize, fields: defaultFields}
	_, err1 := c.Read(make([]byte, 8))
	_, err2 := c.Read(make([]byte, 8))
	if err1 == nil || err2 != err1 {
		t.Fatalf("errors %v, %v", err1, err2)
	}
	if n := br.Buffered(); n != len("z\r\n3\r\nabc\r\n0\r\n\r\n") { // refused at its first byte
		t.Errorf("%d bytes left buffered", n)
	}
}

// TestBodyLimitsThroughContinue: the limits and the framing's close are
// found under the 100 Continue reader too.
func TestBodyLimitsThroughContinue(t *testing.T) {
	req := &http.Request{}
	b := newBody(req, bufio.NewReader(strings.NewReader("")), 0, true)
	b.framingCloses = true
	cr := &continueReader{body: b}
	SetBodyLimits(cr, 5, 1)
	if c := b.src.(*chunkedReader); c.fieldSize != 5 || c.fields != 1 {
		t.Errorf("limits %d, %d", c.fieldSize, c.fields)
	}
	if !FramingCloses(cr) || FramingCloses(strings.NewReader("")) {
		t.Error("FramingCloses")
	}
}

// TestShortBodyFailsEveryRead: a Content-Length body cut short fails
// every read (APR_INCOMPLETE each time), never ends cleanly.
func TestShortBodyFailsEveryRead(t *testing.T) {
	b := newBody(&http.Request{}, bufio.NewReader(strings.NewReader("abc")), 10, false)
	buf := make([]byte, 16)
	var errs []error
	for i := 0; i < 3; i++ {
		_, err := b.Read(buf)
		errs = append(errs, err)
	}
	if errs[0] != nil && errs[0] != io.ErrUnexpectedEOF || errs[1] != io.ErrUnexpectedEOF || errs[2] != io.ErrUnexpectedEOF {
		t.Errorf("errors %v", errs)
	}
}

// FuzzChunked reads arbitrary bytes as a chunked body: it never panics,
// never reads past what it returns or refuses (what follows an accepted
// body is left whole), and fails only with a *BodyError or a read's end.
func FuzzChunked(f *testing.F) {
	for _, seed := range []string{"3\r\nabc\r\n0\r\n\r\nNEXT", "0;x\r\nT: v\r\n\r\n", "8000000000000000\r\n", "3\nabc", "1\r\na\r\n0\r\nX: a\r\n b\r\n\r\n"} {
		f.Add(seed, uint8(28), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in string, fieldSize, fields uint8) {
		r := strings.NewReader(in)
		br := bufio.NewReaderSize(r, 16)
		c := &chunkedReader{br: br, req: &http.Request{}, fieldSize: int(fieldSize) + 1, fields: int(fields)}
		data, err := io.ReadAll(c)
		var be *BodyError
		if err != nil && err != io.ErrUnexpectedEOF && !errors.As(err, &be) {
			t.Fatalf("%q: error %v", in, err)
		}
		if len(data) > len(in) {
			t.Fatalf("%q: %d bytes of data", in, len(data))
		}
		if err == nil {
			// An accepted body ends with its last chunk and the
			// trailer's end, "0\r\n\r\n" at least.
			rest, _ := io.ReadAll(br)
			if body := in[:len(in)-len(rest)]; len(body) < 5 || !strings.HasSuffix(body, "\r\n\r\n") {
				t.Fatalf("%q: took %q as the body", in, body)
			}
		}
	})
}
