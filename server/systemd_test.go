package server

import (
	"net"
	"path/filepath"
	"testing"
)

// TestNotify: a state reaches the datagram socket NOTIFY_SOCKET names,
// also in the abstract namespace; without it nothing happens.
func TestNotify(t *testing.T) {
	for _, abstract := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "notify")
		name := path
		if abstract {
			base := "gowsgid-test-" + filepath.Base(filepath.Dir(path))
			path, name = "\x00"+base, "@"+base
		}
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("NOTIFY_SOCKET", name)
		if err := Notify("READY=1"); err != nil {
			t.Fatalf("Notify: %v", err)
		}
		buf := make([]byte, 64)
		n, err := conn.Read(buf)
		conn.Close()
		if err != nil || string(buf[:n]) != "READY=1" {
			t.Errorf("abstract=%v: got %q, %v", abstract, buf[:n], err)
		}
	}
	t.Setenv("NOTIFY_SOCKET", "")
	if err := Notify("READY=1"); err != nil {
		t.Errorf("without NOTIFY_SOCKET: %v", err)
	}
}
