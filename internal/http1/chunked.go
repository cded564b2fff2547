package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/textproto"
	"os"
	"strings"
)

// maxGetline is the most one AP_MODE_GETLINE read of the core input
// filter gives (HUGE_STRING_LEN).
const maxGetline = 8192

// Apache's default LimitRequestFieldSize and LimitRequestFields, which
// bound a chunk line and the trailer until the handler sets a server's
// own (SetBodyLimits).
const (
	defaultFieldSize = 8190
	defaultFields    = 100
)

// BodyError is a request body that breaks the framing rules Apache's
// HTTP input filter (ap_http_filter, HttpProtocolOptions Strict) holds
// it to.
type BodyError struct {
	// Status is Apache's answer: 400, or 413 for a chunk size past 63
	// bits or a chunk line longer than LimitRequestFieldSize.
	Status int
	// Logs are the lines Apache logs about it, in order: the core's
	// about a trailer's field, then the input filter's (AH01590,
	// AH02656).
	Logs []LogLine
	// Notes is the note Apache's error page shows, "" for none.
	Notes string
	// Unframed: Apache's input filter answers a broken chunk line itself
	// (bail_out_on_error), before the handler: its page has no length,
	// and the connection's close ends it.
	Unframed bool
}

// LogLine is an error log line: its level, module and message (an APR
// error's "(22)Invalid argument: " first, where Apache gives one).
type LogLine struct{ Level, Module, Msg string }

func (e *BodyError) Error() string { return "http1: request body: " + e.Logs[len(e.Logs)-1].Msg }

// HTTPStatus is the status Apache answers a request whose body broke.
func (e *BodyError) HTTPStatus() int { return e.Status }

// APRText is what a reader of the body under Apache (mod_wsgi) is told:
// the input filter's AP_FILTER_ERROR after it answered a broken chunk
// line, APR_EINVAL for a trailer.
func (e *BodyError) APRText() string {
	if e.Unframed {
		return "Unknown error -102"
	}
	return "Invalid argument"
}

var (
	errChunkMalformed = &BodyError{Status: 400, Unframed: true,
		Logs: []LogLine{{"info", "http", "(22)Invalid argument: AH01590: Error reading/parsing chunk  "}}}
	errChunkOverflow = &BodyError{Status: 413, Unframed: true,
		Logs: []LogLine{{"info", "http", "(28)No space left on device: AH01590: Error reading/parsing chunk (overflow) "}}}
)

// Notes of the error page about a trailer over the limits.
const (
	noteFieldSize = "Size of a request header field exceeds server limit."
	noteFields    = "The number of request header fields exceeds this server's limit."
)

// trailerError is a trailer section ap_get_mime_headers refuses, with
// the core's line about it (at debug, or at info with a note).
func trailerError(note string, core LogLine) *BodyError {
	log := "AH02656: Error while reading HTTP trailer: 400"
	if note != "" {
		log += ": " + note
	}
	return &BodyError{Status: 400, Notes: note, Logs: []LogLine{core, {"info", "http", log}}}
}

// debugLine is a core line at debug.
func debugLine(msg string) LogLine { return LogLine{"debug", "core", msg} }

// chunkedReader reads a chunked body as Apache's parse_chunk_size and
// read_chunked_trailers read it in strict mode: a chunk line is hex
// digits (leading zeros aside, at most 16 of them and below 2^63), up to
// ten spaces or tabs, an optional extension without control characters
// other than tab, and CRLF, all within LimitRequestFieldSize; the data
// ends with CRLF; the trailer's lines are header fields as Apache reads
// a head (CRLF line ends, token names right before the colon, no control
// characters in values, no empty continuation line, its limits). What
// breaks a rule is a *BodyError; a read that fails is its error, or
// io.ErrUnexpectedEOF. Every error is final.
type chunkedReader struct {
	br        *bufio.Reader
	req       *http.Request // its Trailer receives the trailer's fields
	fieldSize int
	fields    int
	left      int64 // of the current chunk's data
	inData    bool  // a chunk's data was begun: its CRLF is due when left is 0
	err       error
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	for c.left == 0 {
		if c.inData {
			if err := c.dataEnd(); err != nil {
				c.err = err
				return 0, err
			}
			c.inData = false
		}
		size, err := c.sizeLine()
		if err == nil && size == 0 {
			err = c.trailer()
			if err == nil {
				err = io.EOF
			}
		}
		if err != nil {
			c.err = err
			return 0, err
		}
		c.left, c.inData = size, true
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.br.Read(p)
	c.left -= int64(n)
	if err != nil {
		c.err = unexpectedEOF(err)
		return n, c.err
	}
	return n, nil
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// dataEnd reads the CRLF after a chunk's data.
func (c *chunkedReader) dataEnd() error {
	for _, want := range []byte("\r\n") {
		b, err := c.br.ReadByte()
		if err != nil {
			return unexpectedEOF(err)
		}
		if b != want {
			return errChunkMalformed
		}
	}
	return nil
}

// sizeLine reads a chunk line and returns its size (parse_chunk_size).
func (c *chunkedReader) sizeLine() (int64, error) {
	const (
		digits    = iota
		blanks    // white space after the digits: ';' or CRLF must follow
		extension // after ';'
		lf        // after CR
	)
	state, size, bits, spaces := digits, int64(0), 64, 0
	// Apache checks the line's length (chunk_used) after it parsed what
	// one read gave (up to the LF, or 8 KiB): a syntax error found
	// there wins over the length.
	for used := 0; ; used++ {
		b, err := c.br.ReadByte()
		if err != nil {
			return 0, unexpectedEOF(err)
		}
		if used >= c.fieldSize && used >= maxGetline {
			return 0, errChunkOverflow
		}
		switch {
		case used == 0 && hexValue(b) < 0:
			return 0, errChunkMalformed // also an empty line
		case b == '\n':
			if state != lf {
				return 0, errChunkMalformed // no CR before it
			}
			if used >= c.fieldSize {
				return 0, errChunkOverflow
			}
			return size, nil
		case state == lf:
			return 0, errChunkMalformed
		case b == '\r':
			state = lf
		case b == ';':
			state = extension
		case state == extension:
			if b != '\t' && (b < 0x20 || b == 0x7f) {
				return 0, errChunkMalformed
			}
		case b == ' ' || b == '\t':
			// Up to ten, RFC 2616's implied *LWS (RFC 7230 erratum 4667).
			if state, spaces = blanks, spaces+1; spaces > 10 {
				return 0, errChunkMalformed
			}
		case state == blanks:
			return 0, errChunkMalformed
		case size == 0 && b == '0':
			// Leading zeros do not count.
		default:
			v := hexValue(b)
			if v < 0 {
				return 0, errChunkMalformed
			}
			if bits -= 4; bits < 0 {
				return 0, errChunkOverflow
			}
			if size = size<<4 | int64(v); size < 0 {
				return 0, errChunkOverflow
			}
		}
	}
}

func hexValue(b byte) int {
	switch {
	case '0' <= b && b <= '9':
		return int(b - '0')
	case 'a' <= b && b <= 'f':
		return int(b-'a') + 10
	case 'A' <= b && b <= 'F':
		return int(b-'A') + 10
	}
	return -1
}

// trailer reads the trailer section after the last chunk, as
// ap_get_mime_headers reads header fields in strict mode, into the
// request's Trailer.
func (c *chunkedReader) trailer() error {
	var field []byte // the field being read, with its continuation lines
	read := 0
	for {
		line, err := c.trailerLine()
		if err != nil {
			return err
		}
		// Trailing white space is dropped, all but one byte of it.
		for len(line) > 1 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
			line = line[:len(line)-1]
		}
		if len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			switch {
			case field == nil:
				return trailerError("", debugLine("AH03442: Line folding encountered before first header line"))
			case len(line) == 1:
				return trailerError("", debugLine("AH03443: Empty folded line encountered"))
			}
			i := 1
			for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
				i++
			}
			if len(field)+len(line[i-1:])+1 >= c.fieldSize {
				return trailerError(noteFieldSize, LogLine{"info", "core",
					"AH00562: Request header exceeds LimitRequestFieldSize after folding: " + logName(string(field))})
			}
			field = append(append(field, ' '), line[i:]...)
			continue
		}
		if field != nil {
			if read++; c.fields > 0 && read > c.fields {
				return trailerError(noteFields, LogLine{"info", "core", "AH00563: Number of request headers exceeds LimitRequestFields"})
			}
			if err := c.addTrailerField(field); err != nil {
				return err
			}
		}
		if len(line) == 0 {
			return nil
		}
		field = append([]byte(nil), line...)
	}
}

// trailerLine reads a line of the trailer ended by CRLF (strict mode's
// AP_GETLINE_CRLF), without it, within LimitRequestFieldSize.
func (c *chunkedReader) trailerLine() ([]byte, error) {
	var line []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		line = append(line, frag...)
		// ap_rgetline's buffer is the limit and CRLF, of which a line
		// ended by CRLF may fill all but the LF.
		if n := len(line); n > c.fieldSize+3 || n == c.fieldSize+3 && !bytes.HasSuffix(line, []byte("\r\n")) {
			// It fills its buffer and says so (ENOSPC).
			line = line[:c.fieldSize+1]
			return nil, &BodyError{Status: 400, Notes: noteFieldSize, Logs: []LogLine{
				debugLine("(28)No space left on device: Failed to read request header line " + string(line)),
				{"info", "core", "AH00561: Request header exceeds LimitRequestFieldSize: " + logName(string(line))},
				{"info", "http", "AH02656: Error while reading HTTP trailer: 400: " + noteFieldSize}}}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			return nil, trailerReadError(err, line)
		}
		if len(line) < 2 || line[len(line)-2] != '\r' {
			return nil, trailerError("", debugLine("(22)Invalid argument: Failed to read request header line "+string(line)))
		}
		return line[:len(line)-2], nil
	}
}

// trailerReadError is a read of the trailer that failed: Apache's
// ap_get_mime_headers sets 408 for a timeout, 400 otherwise, and its
// input filter then fails the body with APR_EINVAL (a discard's 400,
// mod_wsgi's "Invalid argument").
func trailerReadError(err error, line []byte) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &BodyError{Status: 400, Logs: []LogLine{{"info", "http", "AH02656: Error while reading HTTP trailer: 408"}}}
	}
	return trailerError("", debugLine("(70014)End of file found: Failed to read request header line "+string(line)))
}

// logName is field_name_len's cut of a field for a log line: its name
// (up to the colon), or its first 80 bytes.
func logName(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 && i <= 80 {
		return s[:i]
	}
	return s[:min(len(s), 80)]
}

// logValue is a field or value cut as Apache's "%.*s" with
// LOG_NAME_MAX_LEN cuts it: at most 80 bytes.
func logValue(s string) string { return s[:min(len(s), 80)] }

// addTrailerField checks a trailer field as ap_get_mime_headers checks
// one (a token right before the colon, no control character but tab in
// the value) and adds it to the request's Trailer.
func (c *chunkedReader) addTrailerField(field []byte) error {
	colon := 0
	for colon < len(field) && validFieldByte(field[colon]) {
		colon++
	}
	if colon == 0 || colon == len(field) || field[colon] != ':' {
		return trailerError("", debugLine("AH02426: Request header field name is malformed: "+logValue(string(field))))
	}
	value := strings.TrimLeft(string(field[colon+1:]), " \t")
	for i := 0; i < len(value); i++ {
		if b := value[i]; b != '\t' && (b < 0x20 || b == 0x7f) {
			return trailerError("", debugLine("AH02427: Request header value is malformed: "+logValue(value)))
		}
	}
	if c.req.Trailer == nil {
		c.req.Trailer = http.Header{}
	}
	key := textproto.CanonicalMIMEHeaderKey(string(field[:colon]))
	c.req.Trailer[key] = append(c.req.Trailer[key], value)
	return nil
}

// SetBodyLimits gives the chunked body of a request this package read
// the LimitRequestFieldSize and LimitRequestFields of the server that
// answers it, which bound its chunk lines and trailer as Apache bounds
// them (until then, Apache's defaults). body is the request's Body; other
// bodies are left alone.
func SetBodyLimits(r io.Reader, fieldSize, fields int) {
	if b := ownBody(r); b != nil {
		if cr, ok := b.src.(*chunkedReader); ok {
			b.mu.Lock()
			cr.fieldSize, cr.fields = fieldSize, fields
			b.mu.Unlock()
		}
	}
}

// FramingCloses reports whether the framing of the request whose Body r
// is ends the connection after it (Content-Length beside chunked):
// Apache's connection is then AP_CONN_CLOSE from the head on, and
// ap_discard_request_body reads nothing.
func FramingCloses(r io.Reader) bool {
	b := ownBody(r)
	return b != nil && b.framingCloses
}

// ownBody is the body this package made under r (a request's Body, or
// the 100 Continue reader around it), nil for another reader.
func ownBody(r io.Reader) *body {
	if cr, ok := r.(*continueReader); ok {
		r = cr.body
	}
	b, _ := r.(*body)
	return b
}
