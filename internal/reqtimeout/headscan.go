package reqtimeout

import "time"

// maxLine bounds the request line kept for an expiry, and the bytes
// kept of a pipelined request.
const maxLine = 16 << 10

// headScan follows the request heads in the bytes a connection reads
// while it waits for or reads a head: the request line (for the 408
// Apache sends when the rest of the head does not arrive), the end of
// the head, and what follows it, which is the next, pipelined,
// request when the request has no body.
type headScan struct {
	line     []byte // the request line so far
	lineDone bool
	lineAt   time.Time // when the request line was complete
	headDone bool      // the empty line ending the head was read
	atStart  bool      // at the start of a header line
	next     []byte    // the bytes after the head
}

// scan takes bytes read. Empty lines before the request line are
// skipped, as Apache's read_request_line skips them.
func (h *headScan) scan(p []byte) {
	for _, b := range p {
		switch {
		case h.headDone:
			if len(h.next) < maxLine {
				h.next = append(h.next, b)
			}
		case h.lineDone:
			if b == '\n' {
				h.headDone = h.atStart
				h.atStart = true
			} else if b != '\r' {
				h.atStart = false
			}
		case b == '\n' && len(h.line) > 0:
			if h.line[len(h.line)-1] == '\r' {
				h.line = h.line[:len(h.line)-1]
			}
			h.lineDone, h.lineAt, h.atStart = true, time.Now(), true
		case b == '\n', b == '\r' && len(h.line) == 0:
		case len(h.line) < maxLine:
			h.line = append(h.line, b)
		}
	}
}

// nextRequest starts on the next request: from the bytes read after the
// head when they are its start (pipelined), else from nothing.
func (h *headScan) nextRequest(pipelined bool) {
	var rest []byte
	if pipelined && h.headDone {
		rest = h.next
	}
	*h = headScan{line: h.line[:0]}
	h.scan(rest)
}
