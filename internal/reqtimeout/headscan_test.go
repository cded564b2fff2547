package reqtimeout

import "testing"

// The scanner finds the request line of the head being read, also when
// it came pipelined behind a request without a body, however the bytes
// were split into reads.
func TestHeadScan(t *testing.T) {
	for _, tc := range []struct {
		name      string
		first     string // bytes read for the first request
		pipelined bool   // the first request had no body
		line      string // the second request's line ("" none)
	}{
		{"pipelined GET", "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n", true, "GET /b HTTP/1.1"},
		{"bare LF heads", "GET /a HTTP/1.0\n\nGET /b HTTP/1.0\nX: y", true, "GET /b HTTP/1.0"},
		{"empty lines before the line", "GET /a HTTP/1.1\r\n\r\n\r\n\r\nGET /b HTTP/1.1\r\n", true, "GET /b HTTP/1.1"},
		{"partial second line", "GET /a HTTP/1.1\r\n\r\nGET /b HT", true, ""},
		{"after a body", "POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n", false, ""},
	} {
		for split := 1; split <= len(tc.first); split++ {
			var h headScan
			for i := 0; i < len(tc.first); i += split {
				h.scan([]byte(tc.first[i:min(i+split, len(tc.first))]))
			}
			h.nextRequest(tc.pipelined)
			got := ""
			if h.lineDone {
				got = string(h.line)
			}
			if got != tc.line {
				t.Errorf("%s, reads of %d bytes: line %q, want %q", tc.name, split, got, tc.line)
				break
			}
		}
	}
}
