//go:build !linux

package reqtimeout

import "syscall"

// MoreFollows reports false: MSG_MORE is Linux's.
func (c *Conn) MoreFollows() bool { return false }

func (c *Conn) raw() syscall.RawConn { return nil }

func (c *Conn) writeMore(p []byte) (int, error) { return c.Conn.Write(p) }
