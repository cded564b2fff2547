//go:build cgo && !nopython

package embedpy

/*
#include "shim.h"
*/
import "C"

import (
	"errors"
	"io"
	"net/http"
	"os"
	"runtime/cgo"
	"syscall"
	"unsafe"
)

// The C side calls these without holding the GIL, on the thread of the
// request's gw_run call.

func slotOf(h C.uintptr_t) *slot {
	return cgo.Handle(h).Value().(*slot)
}

//export gwgo_read
func gwgo_read(h C.uintptr_t, buf *C.char, n C.longlong) C.longlong {
	s := slotOf(h)
	if s.call == nil {
		return -1 // no request (the C side waits for callbacks; never expected)
	}
	body := s.call.Body
	if body == nil || n <= 0 {
		return 0
	}
	p := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(n))
	for {
		k, err := body.Read(p)
		if k > 0 {
			return C.longlong(k)
		}
		if err == io.EOF {
			return 0
		}
		if err != nil {
			s.setError(readError(err))
			return -1
		}
	}
}

// readError words a body read error as APR would for mod_wsgi's
// "Apache/mod_wsgi request data read error: %s." message.
func readError(err error) string {
	var tooLarge *http.MaxBytesError
	var framing interface{ APRText() string } // a body Apache's input filter refuses
	switch {
	case errors.As(err, &framing):
		return framing.APRText()
	case errors.Is(err, os.ErrDeadlineExceeded):
		return "The timeout specified has expired"
	case errors.As(err, &tooLarge):
		return "Request body is larger than the limit configured by LimitRequestBody"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "Connection was terminated"
	}
	return err.Error()
}

func (s *slot) setError(msg string) {
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&s.req.errmsg[0])), len(s.req.errmsg))
	n := copy(dst[:len(dst)-1], msg)
	dst[n] = 0
}

//export gwgo_start
func gwgo_start(h C.uintptr_t) C.int {
	s := slotOf(h)
	if s.call == nil {
		return -1
	}
	status, line, hdrs := s.head()
	if err := s.call.Response.Start(status, line, hdrs); err != nil {
		return -1
	}
	return 0
}

//export gwgo_write
func gwgo_write(h C.uintptr_t, p *C.char, n C.longlong) C.int {
	s := slotOf(h)
	if s.call == nil {
		return -1
	}
	resp := s.call.Response
	if err := resp.Write(unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))); err != nil {
		s.setError(err.Error())
		return -1
	}
	if err := resp.Flush(); err != nil {
		s.setError(err.Error())
		return -1
	}
	return 0
}

// gwgo_sendfile starts the response with the bytes of fd from off as its
// whole body (gw_send_wrapper).
//
//export gwgo_sendfile
func gwgo_sendfile(h C.uintptr_t, fd C.int, off, n C.longlong) C.int {
	s := slotOf(h)
	if s.call == nil {
		return -1
	}
	status, line, hdrs := s.head()
	dup, err := syscall.Dup(int(fd))
	if err != nil {
		return -1
	}
	syscall.CloseOnExec(dup)
	f := os.NewFile(uintptr(dup), "wsgi.file_wrapper")
	defer f.Close()
	if err := s.call.Response.StartFile(status, line, hdrs, f, int64(off), int64(n)); err != nil {
		s.setError(err.Error())
		return -1
	}
	return 0
}

// logNoClient is GW_LOG_NOCLIENT in shim.c.
const logNoClient = 0x100

//export gwgo_log
func gwgo_log(h C.uintptr_t, level C.int, p *C.char, n C.longlong) {
	s := slotOf(h)
	if s.call == nil {
		return
	}
	client, call := s.call.Client, s.call
	if level&logNoClient != 0 {
		client, call = "", nil
	}
	s.e.cfg.Log(Level(level&0xff), s.call.Server, client, C.GoStringN(p, C.int(n)), call)
}
