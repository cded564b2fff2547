//go:build linux

package statcache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// answer is what a stat said, in a form two answers can be compared in.
func answer(fi fs.FileInfo, err error) string {
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return "errno " + errno.Error()
		}
		return "error " + err.Error()
	}
	st := fi.Sys().(*syscall.Stat_t)
	return fmt.Sprintf("ino=%d mode=%v nlink=%d size=%d mtime=%v ctime=%v name=%s",
		st.Ino, fi.Mode(), st.Nlink, fi.Size(), st.Mtim, st.Ctim, fi.Name())
}

func newCache(t *testing.T) *Cache {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// check compares the cache's answers for p with the kernel's.
func check(t *testing.T, c *Cache, p, step string) {
	t.Helper()
	c.Refresh()
	if got, want := answer(c.Lstat(p)), answer(os.Lstat(p)); got != want {
		t.Fatalf("after %s: Lstat(%s) = %s, want %s", step, p, got, want)
	}
	if got, want := answer(c.Stat(p)), answer(os.Stat(p)); got != want {
		t.Fatalf("after %s: Stat(%s) = %s, want %s", step, p, got, want)
	}
	if got, want := answer(c.Stat(p+"/")), answer(os.Stat(p+"/")); got != want {
		t.Fatalf("after %s: Stat(%s/) = %s, want %s", step, p, got, want)
	}
	// Twice: the second may share the first's descriptor.
	for i := 0; i < 2; i++ {
		if got, want := opened(c.Open(p)), opened(os.Open(p)); got != want {
			t.Fatalf("after %s: Open(%s) read %s, want %s", step, p, got, want)
		}
	}
}

// opened is what reading a file just opened gives: its bytes, or the
// errno of the open or of the read.
func opened[F io.ReadCloser](f F, err error) string {
	errnoOf := func(err error) string {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return "errno " + errno.Error()
		}
		return "error " + err.Error()
	}
	if err != nil {
		return "open: " + errnoOf(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return "read: " + errnoOf(err)
	}
	return fmt.Sprintf("%q", b)
}

// TestRandomChanges makes random changes to a small tree (files
// written, renamed, removed, made directories and links, permissions
// changed) and after each one compares the cache's answer for every
// path of the tree, and paths below files and missing names, with the
// kernel's.
func TestRandomChanges(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	names := []string{"a", "b", "c"}
	var paths []string
	for _, x := range names {
		paths = append(paths, filepath.Join(root, x))
		for _, y := range names {
			paths = append(paths, filepath.Join(root, x, y))
			for _, z := range names {
				paths = append(paths, filepath.Join(root, x, y, z))
			}
		}
	}
	rng := rand.New(rand.NewSource(1))
	pick := func() string { return paths[rng.Intn(len(paths))] }
	ops := []struct {
		name string
		do   func(p string) error
	}{
		{"mkdir", func(p string) error { return os.Mkdir(p, 0o755) }},
		{"create", func(p string) error { return os.WriteFile(p, []byte("x"), 0o644) }},
		{"append", func(p string) error {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = f.WriteString("more")
			return err
		}},
		{"chmod", func(p string) error { return os.Chmod(p, fs.FileMode(0o600+rng.Intn(0o177))) }},
		{"rename", func(p string) error { return os.Rename(p, pick()) }},
		{"remove", os.Remove},
		{"removeall", os.RemoveAll},
		{"symlink", func(p string) error { return os.Symlink(pick(), p) }},
		{"hardlink", func(p string) error { return os.Link(p, pick()) }},
		{"truncate", func(p string) error { return os.Truncate(p, int64(rng.Intn(10))) }},
	}
	steps := 1500
	if testing.Short() {
		steps = 300
	}
	for i := 0; i < steps; i++ {
		op := ops[rng.Intn(len(ops))]
		p := pick()
		err := op.do(p)
		step := fmt.Sprintf("step %d: %s %s (%v)", i, op.name, p, err)
		for _, q := range paths {
			check(t, c, q, step)
			check(t, c, q+"/x", step)
		}
	}
	hits, misses := c.Stats()
	if cachesHere(t, root) && (hits == 0 || hits < misses) {
		t.Errorf("hits %d, misses %d: the cache answered too little of a mostly unchanged tree", hits, misses)
	}
}

// TestHitsNeedNoKernel checks that an unchanged path is answered from
// the cache, and a changed one from the kernel.
func TestHitsNeedNoKernel(t *testing.T) {
	root := t.TempDir()
	if !cachesHere(t, root) {
		t.Skip("the temporary directory is on a file system the cache does not keep")
	}
	c := newCache(t)
	p := filepath.Join(root, "app.wsgi")
	os.WriteFile(p, []byte("x"), 0o644)
	check(t, c, p, "create")
	check(t, c, p+"/x/y", "create")
	_, m0 := c.Stats()
	for i := 0; i < 10; i++ {
		check(t, c, p, "nothing")
		check(t, c, p+"/x/y", "nothing")
	}
	if _, m := c.Stats(); m != m0 {
		t.Errorf("%d lookups of unchanged paths went to the kernel", m-m0)
	}
	os.WriteFile(p, []byte("longer"), 0o644)
	check(t, c, p, "rewrite")
	if _, m := c.Stats(); m == m0 {
		t.Error("a changed file was answered from the cache")
	}
}

// TestSecondHardLink checks that a file with another name elsewhere is
// not cached: a write through that name is not reported to this one's
// directory.
func TestSecondHardLink(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	os.Mkdir(filepath.Join(root, "served"), 0o755)
	os.Mkdir(filepath.Join(root, "other"), 0o755)
	p, q := filepath.Join(root, "served", "f"), filepath.Join(root, "other", "f")
	os.WriteFile(p, []byte("x"), 0o644)
	os.Link(p, q)
	check(t, c, p, "link")
	f, err := os.OpenFile(q, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("through the other name")
	f.Close()
	check(t, c, p, "write through the other name")
}

// TestOtherFileSystems checks that paths on file systems inotify does
// not fully see (here /proc) always go to the kernel.
func TestOtherFileSystems(t *testing.T) {
	c := newCache(t)
	c.Stat("/proc/self/status")
	_, m0 := c.Stats()
	c.Stat("/proc/self/status")
	if _, m := c.Stats(); m == m0 {
		t.Error("a path in /proc was answered from the cache")
	}
}

// TestOverflow checks that when the kernel's event queue overflows the
// cache starts again rather than keep answers it was not told about.
func TestOverflow(t *testing.T) {
	if testing.Short() {
		t.Skip("writes some 20,000 events")
	}
	root := t.TempDir()
	c := newCache(t)
	p := filepath.Join(root, "f")
	os.WriteFile(p, nil, 0o644)
	check(t, c, p, "create")
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20000; i++ { // more than max_queued_events (16384)
		f.Write([]byte{'x'})
	}
	f.Close()
	check(t, c, p, "20,000 writes")
}

// TestClosed checks that a closed cache still answers, from the kernel.
func TestClosed(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	p := filepath.Join(root, "f")
	os.WriteFile(p, nil, 0o644)
	check(t, c, p, "create")
	c.Close()
	os.WriteFile(p, []byte("x"), 0o644)
	check(t, c, p, "write after close")
	var nilCache *Cache
	check(t, nilCache, p, "nil cache")
}

func TestCacheable(t *testing.T) {
	for p, want := range map[string]bool{
		"": true, "/a": true, "/a/b.c": true, "/a/.b": true,
		"a": false, "/a//b": false, "/a/./b": false, "/a/../b": false, "/a/.": false, "/a/..": false, "/a/": false,
	} {
		if got := cacheable(p); got != want {
			t.Errorf("cacheable(%q) = %v, want %v", p, got, want)
		}
	}
}

func BenchmarkHit(b *testing.B) {
	root := b.TempDir()
	c, err := New()
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	p := filepath.Join(root, "app.wsgi")
	os.WriteFile(p, []byte("x"), 0o644)
	c.Stat(p)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Stat(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNewHardLink checks that a file cached with one link is dropped
// when it gets another (the link count changes, and writes may now come
// through the new name, in a directory nobody watches).
func TestNewHardLink(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	os.Mkdir(filepath.Join(root, "d"), 0o755)
	os.Mkdir(filepath.Join(root, "other"), 0o755)
	f, g := filepath.Join(root, "d", "f"), filepath.Join(root, "other", "g")
	os.WriteFile(f, []byte("x"), 0o644)
	check(t, c, f, "create")
	if err := os.Link(f, g); err != nil {
		t.Fatal(err)
	}
	check(t, c, f, "a link elsewhere")
	os.WriteFile(g, []byte("written through the other name"), 0o644)
	check(t, c, f, "a write through the other name")
	os.Symlink("target", filepath.Join(root, "d", "l"))
	check(t, c, filepath.Join(root, "d", "l"), "symlink")
	os.Link(filepath.Join(root, "d", "l"), filepath.Join(root, "other", "l2"))
	os.Lchown(filepath.Join(root, "other", "l2"), 123, 456)
	check(t, c, filepath.Join(root, "d", "l"), "lchown of the link through another name")
}

// TestDirectoryAnswer checks a directory looked up for itself only: its
// answer changes when an entry is made in it.
func TestDirectoryAnswer(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	d := filepath.Join(root, "d")
	os.Mkdir(d, 0o755)
	c.Refresh()
	for _, step := range []string{"mkdir", "again"} {
		if got, want := answer(c.Lstat(d)), answer(os.Lstat(d)); got != want {
			t.Fatalf("%s: Lstat = %s, want %s", step, got, want)
		}
	}
	os.Mkdir(filepath.Join(d, "sub"), 0o755)
	c.Refresh()
	if got, want := answer(c.Lstat(d)), answer(os.Lstat(d)); got != want {
		t.Fatalf("after mkdir inside: Lstat = %s, want %s", got, want)
	}
}

// TestWatchAfterReset replays a lookup that a reset (the cache full, an
// overflow) interrupts between the answer for a directory and its
// watch: the watch must not be added under unwatched ancestors, or a
// later rename of an ancestor would go unseen.
func TestWatchAfterReset(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	p := filepath.Join(root, "a", "b", "c")
	os.WriteFile(p, []byte("x"), 0o644)
	check(t, c, p, "create")
	c.mu.RLock()
	gen := c.gen
	c.mu.RUnlock()
	c.mu.Lock()
	c.reset()
	c.mu.Unlock()
	if c.watchDir(filepath.Join(root, "a", "b"), gen) {
		t.Fatal("a watch was added after a reset, with its ancestors unwatched")
	}
	check(t, c, p, "after the reset")
	os.Rename(filepath.Join(root, "a"), filepath.Join(root, "z"))
	check(t, c, p, "rename of the grandparent")
	os.Mkdir(filepath.Join(root, "a"), 0o755)
	os.Symlink(filepath.Join(root, "z", "b"), filepath.Join(root, "a", "b"))
	check(t, c, p, "the parent now a link")
}

// TestMountOverNeedsReset mounts a tmpfs over a cached directory:
// inotify says nothing of mounts, and the package says so; Reset (which
// the server calls on a graceful restart) makes the mount seen.
func TestMountOverNeedsReset(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	m := filepath.Join(root, "d", "m")
	os.MkdirAll(m, 0o755)
	os.WriteFile(filepath.Join(m, "f"), []byte("x"), 0o644)
	check(t, c, filepath.Join(m, "f"), "create")
	if err := syscall.Mount("tmpfs", m, "tmpfs", 0, ""); err != nil {
		t.Skipf("cannot mount here (%v): needs root", err)
	}
	defer syscall.Unmount(m, 0)
	c.Reset()
	check(t, c, filepath.Join(m, "f"), "mounted over, after Reset")
	check(t, c, m, "mounted over, after Reset")
}

// TestOddPaths checks paths the cache must leave to the kernel.
func TestOddPaths(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	f := filepath.Join(root, "f")
	os.WriteFile(f, nil, 0o644)
	for _, p := range []string{"", "relative", f + strings.Repeat("/x", 2100), root + "/" + strings.Repeat("n", 300)} {
		c.Refresh()
		if got, want := answer(c.Lstat(p)), answer(os.Lstat(p)); got != want {
			t.Errorf("Lstat(%.40q...) = %s, want %s", p, got, want)
		}
		if got, want := answer(c.Stat(p)), answer(os.Stat(p)); got != want {
			t.Errorf("Stat(%.40q...) = %s, want %s", p, got, want)
		}
	}
}

// TestEntriesCounted checks the entry count against the entries after
// renames drop subtrees.
func TestEntriesCounted(t *testing.T) {
	root := t.TempDir()
	c := newCache(t)
	os.MkdirAll(filepath.Join(root, "a", "b"), 0o755)
	for i := 0; i < 5; i++ {
		f := filepath.Join(root, "a", "b", fmt.Sprintf("f%d", i))
		os.WriteFile(f, nil, 0o644)
		check(t, c, f, "create")
		check(t, c, f+"/x/y", "create")
	}
	keep := filepath.Join(root, "keep")
	os.WriteFile(keep, []byte("kept"), 0o644)
	check(t, c, keep, "create")
	os.Rename(filepath.Join(root, "a"), filepath.Join(root, "z"))
	c.Refresh()
	c.mu.RLock()
	defer c.mu.RUnlock()
	n := 0
	for _, d := range c.dirs {
		n += len(d.names)
	}
	if n != c.entries {
		t.Errorf("entries %d, counted %d", c.entries, n)
	}
	open := 0
	for _, d := range c.dirs {
		for _, e := range d.names {
			if e.fd != nil {
				open++
			}
		}
	}
	if open != c.open {
		t.Errorf("open descriptors %d, counted %d", c.open, open)
	}
	if cachesHere(t, root) && open != 1 {
		t.Errorf("%d descriptors kept, want 1 (%s's)", open, keep)
	}
	for wd, r := range c.watches {
		if len(r.dirs) == 0 && len(r.files) == 0 {
			t.Errorf("watch %d stands for nothing and was kept", wd)
		}
	}
}

// cachesHere reports whether the cache keeps answers under dir: whether
// it is on one of the file systems whose changes all reach inotify.
func cachesHere(t *testing.T, dir string) bool {
	t.Helper()
	var sfs syscall.Statfs_t
	if err := syscall.Statfs(dir, &sfs); err != nil {
		t.Fatal(err)
	}
	return localFS[int64(sfs.Type)]
}
