package wsgi

import (
	"encoding/base64"
	"encoding/binary"
	"os"
	"time"
)

// processID is this process's id, read once: os.Getpid is a system call
// every time, and the id never changes (Go processes do not fork).
var processID = uint64(os.Getpid())

// requestID is a request's log id (mod_wsgi.request_id), made the way
// Apache's core_generate_log_id makes one: the request time in
// microseconds mixed with the process id and a request number (where
// Apache mixes in its thread), base64 without the trailing '='.
func requestID(t time.Time, seq uint64) string {
	id := uint64(t.UnixMicro())
	pid := processID
	id ^= pid << 40
	id ^= (pid >> 24) << 56
	id ^= seq << 48
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], id)
	s := base64.StdEncoding.EncodeToString(b[:])
	return s[:len(s)-1]
}
