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

// moreKey is the context key of the connection's moreSender.
type moreKey struct{}

// A moreSender sends the next write of a connection with MSG_MORE.
type moreSender interface {
	// MoreFollows arms the next write; false when it cannot.
	MoreFollows() bool
	// NoMore disarms it.
	NoMore()
}

// WithMoreSender returns ctx carrying m, the connection's writer under
// net/http: ServeFile then sends a file's header with MSG_MORE and the
// file after it, instead of corking the socket around both.
func WithMoreSender(ctx context.Context, m moreSender) context.Context {
	return context.WithValue(ctx, moreKey{}, m)
}

// sendBody copies n bytes of f, from its offset, as the body of the
// response whose header is set. The header leaves with the body's first
// bytes: sent with MSG_MORE where the connection can, else corked.
func sendBody(w http.ResponseWriter, r *http.Request, f io.Reader, n int64) error {
	fl, ok := w.(http.Flusher)
	if !ok {
		_, err := io.CopyN(w, f, n)
		return err
	}
	if m, _ := r.Context().Value(moreKey{}).(moreSender); m != nil && m.MoreFollows() {
		fl.Flush()
		m.NoMore()
		_, err := io.CopyN(w, f, n)
		return err
	}
	raw, _ := r.Context().Value(connKey{}).(syscall.RawConn)
	if raw == nil {
		_, err := io.CopyN(w, f, n)
		return err
	}
	raw.Control(setCork)
	defer raw.Control(clearCork)
	fl.Flush()
	_, err := io.CopyN(w, f, n)
	return err
}
