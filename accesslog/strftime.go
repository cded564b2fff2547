package accesslog

import (
	"strconv"
	"time"

	"github.com/gowsgid/gowsgid/internal/strftime"
)

// appendStrftime is %{format}t: glibc's strftime, as apr_strftime calls
// it.
func appendStrftime(b []byte, format string, t time.Time) []byte {
	return strftime.Append(b, format, t)
}

// pad appends n in decimal, filled with fill to width.
func pad(b []byte, n, width int, fill byte) []byte {
	var tmp [20]byte
	d := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(d); i < width; i++ {
		b = append(b, fill)
	}
	return append(b, d...)
}
