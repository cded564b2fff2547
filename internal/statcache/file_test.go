//go:build linux

package statcache

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// openCount is how many of this process's descriptors are open on the
// file p.
func openCount(t *testing.T, p string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && target == p {
			n++
		}
	}
	return n
}

func mustOpen(t *testing.T, c *Cache, p string) *File {
	t.Helper()
	f, err := c.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestOpenSharesDescriptor checks that a cached file is opened once, and
// that Files sharing the descriptor read at offsets of their own,
// leaving the descriptor's where it was.
func TestOpenSharesDescriptor(t *testing.T) {
	root := t.TempDir()
	if !cachesHere(t, root) {
		t.Skip("the temporary directory is on a file system the cache does not keep")
	}
	c := newCache(t)
	p := filepath.Join(root, "f")
	os.WriteFile(p, []byte("0123456789"), 0o644)
	check(t, c, p, "create")
	f, g := mustOpen(t, c, p), mustOpen(t, c, p)
	defer f.Close()
	defer g.Close()
	if f.Fd() != g.Fd() {
		t.Fatalf("two Opens of an unchanged file got descriptors %d and %d", f.Fd(), g.Fd())
	}
	if n := openCount(t, p); n != 1 {
		t.Fatalf("%d descriptors open on the file, want 1", n)
	}
	b := make([]byte, 3)
	if _, err := io.ReadFull(f, b); err != nil || string(b) != "012" {
		t.Fatalf("first File read %q, %v", b, err)
	}
	if _, err := g.Seek(7, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if rest, _ := io.ReadAll(g); string(rest) != "789" {
		t.Fatalf("second File read %q after its seek to 7, want 789", rest)
	}
	if rest, _ := io.ReadAll(f); string(rest) != "3456789" {
		t.Fatalf("first File read %q after the second's reads, want 3456789", rest)
	}
	if end, err := g.Seek(-2, io.SeekEnd); err != nil || end != 8 {
		t.Fatalf("Seek(-2, end) = %d, %v", end, err)
	}
	if off, err := syscall.Seek(f.Fd(), 0, io.SeekCurrent); err != nil || off != 0 {
		t.Fatalf("the shared descriptor's own offset is %d (%v), want 0", off, err)
	}
}

// TestDescriptorFollowsChanges checks that a change drops the shared
// descriptor: the next Open reads the new file, a File still open
// reads on, and the old descriptor is closed with its last File.
func TestDescriptorFollowsChanges(t *testing.T) {
	root := t.TempDir()
	if !cachesHere(t, root) {
		t.Skip("the temporary directory is on a file system the cache does not keep")
	}
	c := newCache(t)
	p := filepath.Join(root, "f")
	os.WriteFile(p, []byte("old"), 0o644)
	check(t, c, p, "create")
	held := mustOpen(t, c, p)
	// Deployed as a new file renamed over the old one.
	tmp := filepath.Join(root, "f.new")
	os.WriteFile(tmp, []byte("new!"), 0o644)
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	c.Refresh()
	c.Stat(p)
	f := mustOpen(t, c, p)
	if b, _ := io.ReadAll(f); string(b) != "new!" {
		t.Fatalf("Open after the rename read %q, want new!", b)
	}
	f.Close()
	if b, _ := io.ReadAll(held); string(b) != "old" {
		t.Fatalf("the File opened before read %q, want old", b)
	}
	if n := openCount(t, p+" (deleted)"); n != 1 {
		t.Fatalf("%d descriptors open on the replaced file, want the held File's", n)
	}
	held.Close()
	if n := openCount(t, p+" (deleted)"); n != 0 {
		t.Fatalf("%d descriptors open on the replaced file after its last File closed", n)
	}
	if err := held.Close(); err == nil {
		t.Error("a second Close succeeded")
	}

	// Changes made in place, and to the permissions, drop it too.
	for _, change := range []func() error{
		func() error { return os.WriteFile(p, []byte("rewritten"), 0o644) },
		func() error { return os.Chmod(p, 0o600) },
		func() error { return os.Chmod(root, 0o700) },
		func() error { return os.Remove(p) },
	} {
		c.Refresh()
		c.Stat(p)
		if g, err := c.Open(p); err == nil {
			g.Close()
		}
		if n := openCount(t, p); n != 1 {
			t.Fatalf("%d descriptors open on the file before the change, want 1", n)
		}
		if err := change(); err != nil {
			t.Fatal(err)
		}
		c.Refresh()
		if n := openCount(t, p); n != 0 {
			t.Fatalf("%d descriptors still open on the file after a change", n)
		}
	}
	if _, err := c.Open(p); !os.IsNotExist(err) {
		t.Fatalf("Open of the removed file: %v, want it not to exist", err)
	}
}

// TestMaxOpen checks that past its limit the cache opens files for each
// caller instead of keeping more descriptors.
func TestMaxOpen(t *testing.T) {
	root := t.TempDir()
	if !cachesHere(t, root) {
		t.Skip("the temporary directory is on a file system the cache does not keep")
	}
	c := newCache(t)
	c.maxOpen = 1
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for _, p := range []string{a, b} {
		os.WriteFile(p, []byte(p), 0o644)
		check(t, c, p, "create")
	}
	f1, f2 := mustOpen(t, c, b), mustOpen(t, c, b)
	defer f1.Close()
	defer f2.Close()
	if f1.Fd() == f2.Fd() {
		t.Fatal("a descriptor was shared past the limit")
	}
	if n := openCount(t, b); n != 2 {
		t.Fatalf("%d descriptors on %s, want the two Files'", n, b)
	}
}

// TestSendTo sends ranges of one shared descriptor to several sockets at
// once and checks each gets its own bytes.
func TestSendTo(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	p := filepath.Join(root, "f")
	content := make([]byte, 3<<20)
	for i := range content {
		content[i] = byte(i * 7 / 3)
	}
	os.WriteFile(p, content, 0o644)
	check(t, c, p, "create")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ranges := [][2]int64{{0, 3 << 20}, {1, 1000}, {1 << 20, 2 << 20}, {3<<20 - 5, 100}}
	var wg sync.WaitGroup
	for _, rg := range ranges {
		client, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		server, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			defer server.Close()
			f, err := c.Open(p)
			if err != nil {
				t.Error(err)
				return
			}
			defer f.Close()
			f.Seek(rg[0], io.SeekStart)
			raw, _ := server.(*net.TCPConn).SyscallConn()
			want := min(rg[1], int64(len(content))-rg[0])
			if n, err := f.SendTo(raw, rg[1]); n != want || err != nil {
				t.Errorf("SendTo %v: sent %d, %v; want %d", rg, n, err, want)
			}
		}()
		go func() {
			defer wg.Done()
			defer client.Close()
			got, err := io.ReadAll(client)
			end := min(rg[0]+rg[1], int64(len(content)))
			if err != nil || !bytes.Equal(got, content[rg[0]:end]) {
				t.Errorf("range %v: read %d bytes (%v), not the file's %d-%d", rg, len(got), err, rg[0], end)
			}
		}()
	}
	wg.Wait()
}

// TestKeepFresh checks that without a request to call Refresh, the
// descriptor of a removed file is closed within KeepFresh's interval.
func TestKeepFresh(t *testing.T) {
	root := t.TempDir()
	if !cachesHere(t, root) {
		t.Skip("the temporary directory is on a file system the cache does not keep")
	}
	c := newCache(t)
	c.KeepFresh(20 * time.Millisecond)
	p := filepath.Join(root, "f")
	os.WriteFile(p, []byte("x"), 0o644)
	check(t, c, p, "create")
	if n := openCount(t, p); n != 1 {
		t.Fatalf("%d descriptors kept, want 1", n)
	}
	os.Remove(p)
	deadline := time.Now().Add(5 * time.Second)
	for openCount(t, p+" (deleted)") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the removed file's descriptor is still open 5s later")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOpenKeepsOnlyTheFileItStated: a file replaced between the cached
// lstat and the open (the change not applied yet) is opened for that
// request, as open(2) would, but its descriptor is not kept for others:
// what is kept is the file the cached answer describes.
func TestOpenKeepsOnlyTheFileItStated(t *testing.T) {
	root := t.TempDir()
	if !cachesHere(t, root) {
		t.Skip("the temporary directory is on a file system the cache does not keep")
	}
	c := newCache(t)
	p := filepath.Join(root, "f")
	os.WriteFile(p, []byte("stated"), 0o644)
	c.Refresh()
	if _, err := c.Lstat(p); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(root, "g")
	os.WriteFile(other, []byte("swapped in"), 0o644)
	if err := os.Rename(other, p); err != nil {
		t.Fatal(err)
	}
	// No Refresh: the cache still holds the first file's answer.
	f, g := mustOpen(t, c, p), mustOpen(t, c, p)
	defer f.Close()
	defer g.Close()
	if f.Fd() == g.Fd() {
		t.Fatal("the descriptor of a file the cached answer does not describe was kept and shared")
	}
	if b, _ := io.ReadAll(f); string(b) != "swapped in" {
		t.Fatalf("read %q, want what open(2) opens", b)
	}
}
