//go:build !linux

package reqtimeout

import (
	"errors"
	"io"
	"net"
	"syscall"
	"time"
)

// waitTimed is Linux's.
type waitTimed struct{}

// errSendfileUnsupported is never reported off Linux.
var errSendfileUnsupported = errors.New("sendfile: not supported")

// MoreFollows reports false: MSG_MORE is Linux's.
func (c *Conn) MoreFollows() bool { return false }

func (c *Conn) raw() syscall.RawConn { return nil }

func (c *Conn) writeMore(p []byte) (int, error) { return c.Conn.Write(p) }

func (c *Conn) write(p []byte) (int, bool, error) { return 0, false, nil }

func (c *Conn) readFrom(r io.Reader) (int64, bool, error) { return 0, false, nil }

// TimeWrites returns c: write waits are timed on Linux only.
func TimeWrites(c net.Conn, timeout time.Duration) net.Conn { return c }
