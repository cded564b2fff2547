package static

import (
	"context"
	"io"
	"net"
	"net/http"
	"syscall"
)

// connKey is the context key of the connection a request came on.
type connKey struct{}

// WithConn returns ctx carrying the connection c, for an http.Server's
// ConnContext. ServeFile then sends a file's header and body on a plain
// TCP connection as Apache does with sendfile: corked (TCP_CORK), so
// that a small file leaves in one packet with its header instead of two,
// and with the header written at once instead of with the file's first
// bytes read into a buffer.
func WithConn(ctx context.Context, c net.Conn) context.Context {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return ctx
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return ctx
	}
	return context.WithValue(ctx, connKey{}, raw)
}

// sendBody copies n bytes of f, from its offset, as the body of the
// response whose header is set.
func sendBody(w http.ResponseWriter, r *http.Request, f File, n int64) error {
	raw, _ := r.Context().Value(connKey{}).(syscall.RawConn)
	fl, ok := w.(http.Flusher)
	if raw == nil || !ok {
		_, err := io.CopyN(w, f, n)
		return err
	}
	raw.Control(setCork)
	defer raw.Control(clearCork)
	fl.Flush()
	_, err := io.CopyN(w, f, n)
	return err
}
