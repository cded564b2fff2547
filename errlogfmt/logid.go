package errlogfmt

import (
	"encoding/base64"
	"encoding/binary"
	"os"
	"sync/atomic"
	"time"
)

// processID is this process's id, read once (Go processes do not fork).
var processID = uint64(os.Getpid())

// seq numbers the ids this process makes.
var seq atomic.Uint64

// NewLogID makes a log id (%L, %{c}L, mod_wsgi.request_id) the way
// core_generate_log_id does: t in microseconds (a request's start time,
// else now) mixed with the process id, base64 without the trailing '='
// (11 characters). Where Apache mixes in the address of the thread that
// serves the connection, this mixes in a number that each id takes in
// turn, so that two ids made in the same microsecond differ.
func NewLogID(t time.Time) string {
	id := uint64(t.UnixMicro())
	pid := processID
	id ^= pid << 40
	id ^= (pid >> 24) << 56
	id ^= seq.Add(1) << 48
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], id)
	s := base64.StdEncoding.EncodeToString(b[:])
	return s[:len(s)-1]
}
