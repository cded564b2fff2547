package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// response is what the generator keeps of one response.
type response struct {
	status  int
	bodyLen int64
	// close is whether the server ends the connection after it.
	close bool
}

// errMalformed marks a response the generator cannot frame.
var errMalformed = errors.New("loadgen: malformed response")

// readResponse reads one whole response from br; head says the request
// was HEAD. Interim (1xx) responses are skipped.
func readResponse(br *bufio.Reader, head bool) (response, error) {
	for {
		r, f, err := readHeader(br)
		if err != nil {
			return r, err
		}
		if r.status >= 100 && r.status < 200 && r.status != 101 {
			continue
		}
		switch {
		case head || r.status == 204 || r.status == 304 || r.status == 101:
		case f.chunked:
			r.bodyLen, err = discardChunked(br)
		case f.length >= 0:
			r.bodyLen = f.length
			_, err = br.Discard(int(f.length))
		default:
			r.close = true
			r.bodyLen, err = io.Copy(io.Discard, br)
		}
		return r, err
	}
}

// framing is what the header says about the body and the connection.
type framing struct {
	length  int64 // -1 when there is no Content-Length
	chunked bool
}

// readHeader reads the status line and the header fields.
func readHeader(br *bufio.Reader) (response, framing, error) {
	var r response
	f := framing{length: -1}
	line, err := br.ReadSlice('\n')
	if err != nil {
		return r, f, fmt.Errorf("loadgen: reading the status line: %w", err)
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return r, f, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	http10 := line[7] == '0'
	r.status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return r, f, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	keepAlive := false
	for {
		line, err = br.ReadSlice('\n')
		if err != nil {
			return r, f, fmt.Errorf("loadgen: reading the header: %w", err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return r, f, fmt.Errorf("%w: header line %q", errMalformed, line)
		}
		value = bytes.TrimSpace(value)
		switch {
		case equalFold(string(name), "content-length"):
			f.length, err = strconv.ParseInt(string(value), 10, 64)
			if err != nil || f.length < 0 {
				return r, f, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
		case equalFold(string(name), "transfer-encoding"):
			f.chunked = equalFold(string(value), "chunked")
		case equalFold(string(name), "connection"):
			r.close = r.close || containsFold(value, "close")
			keepAlive = keepAlive || containsFold(value, "keep-alive")
		}
	}
	if http10 && !keepAlive {
		r.close = true
	}
	return r, f, nil
}

// discardChunked reads a chunked body and its trailer; it returns the
// size of the body.
func discardChunked(br *bufio.Reader) (int64, error) {
	var total int64
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return total, fmt.Errorf("loadgen: reading a chunk size: %w", err)
		}
		size := bytes.TrimRight(line, "\r\n")
		if i := bytes.IndexByte(size, ';'); i >= 0 {
			size = size[:i]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 {
			return total, fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if n == 0 {
			return total, discardTrailer(br)
		}
		if _, err := br.Discard(int(n)); err != nil {
			return total, err
		}
		total += n
		if _, err := br.Discard(2); err != nil { // the CRLF after the data
			return total, err
		}
	}
}

func discardTrailer(br *bufio.Reader) error {
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			return nil
		}
	}
}

// equalFold compares ASCII strings case-insensitively.
func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// containsFold reports whether the lower-case token occurs in v, in any
// case.
func containsFold(v []byte, token string) bool {
	for i := 0; i+len(token) <= len(v); i++ {
		if equalFold(string(v[i:i+len(token)]), token) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
