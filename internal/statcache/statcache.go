//go:build linux

// Package statcache keeps what lstat(2) said about paths, so that the
// directory walk Apache makes for every request (a stat of the mapped
// file, then an lstat of each component, twice when the request has a
// PATH_INFO) need not ask the kernel again, and forgets each answer as
// soon as inotify reports a change that could alter it.
//
// The cache is exact for changes made before a request starts: the
// request calls Refresh first, which takes every event the kernel queued
// (fsnotify queues them inside the system call that made the change) and
// drops what they touch. An answer is kept only when inotify reports
// every change that could alter it:
//
//   - every directory on the way to it is a real directory (no symbolic
//     link) on a local file system (ext2/3/4, XFS, Btrfs, tmpfs,
//     overlayfs, ZFS, F2FS), watched for changes to its entries and to
//     itself;
//   - a directory's own answer is kept while the directory is watched
//     (an entry made in it changes its mtime and link count);
//   - any other answer (a file, a link) is kept with a watch on its inode,
//     which sees writes, attribute and link-count changes made through
//     any of its names;
//   - Stat of a symbolic link is never kept (Lstat of it is).
//
// Anything else goes to the kernel every time, as it would without the
// cache.
//
// A regular file the cache keeps an answer for is also opened once
// (Open): requests share its descriptor, each reading at an offset of
// its own, and the descriptor goes with the answer. KeepFresh applies
// changes between requests too, so that an idle server does not hold
// the descriptor of a removed file. inotify does not see writes through a shared memory mapping,
// changes made by another machine to a network file system (which the
// cache does not keep) or a mount or unmount over a cached path (Reset
// forgets everything: the server calls it on a graceful restart), and
// the cached access time (Sys().Atim) is never updated.
package statcache

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Limits of one cache; past either, it starts again empty.
const (
	DefaultMaxEntries = 1 << 16
	DefaultMaxWatches = 1 << 15
)

// DefaultMaxOpen is how many descriptors a cache keeps open at most
// (fewer when RLIMIT_NOFILE is low); past it, files are opened for each
// request.
const DefaultMaxOpen = 1024

// dirMask is what a watched directory reports: changes to its entries
// and to itself. IN_DONT_FOLLOW and IN_ONLYDIR make sure the watch is on
// the directory the walk reached, not on a link's target.
const dirMask = unix.IN_ATTRIB | unix.IN_CREATE | unix.IN_DELETE | unix.IN_DELETE_SELF |
	unix.IN_MODIFY | unix.IN_MOVE_SELF | unix.IN_MOVED_FROM | unix.IN_MOVED_TO |
	unix.IN_ONLYDIR | unix.IN_DONT_FOLLOW

// fileMask is what a watched file (or link) reports: writes, attribute
// and link-count changes, whatever name they are made through.
const fileMask = unix.IN_ATTRIB | unix.IN_MODIFY | unix.IN_DELETE_SELF | unix.IN_MOVE_SELF | unix.IN_DONT_FOLLOW

// entryChanges are the events that change which names exist below the
// entry they name: whatever was cached under it is dropped too.
const entryChanges = unix.IN_ISDIR | unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_FROM | unix.IN_MOVED_TO

// maxReads bounds the inotify reads of one Refresh: a queue that keeps
// filling faster than it is read is dropped with the whole cache.
const maxReads = 16

// Cache is a stat cache invalidated by inotify. A nil *Cache is valid
// and asks the kernel every time.
type Cache struct {
	maxEntries, maxWatches, maxOpen int

	// drain serialises Refresh: a request must not go on while another
	// one has read events it has not applied yet.
	drain sync.Mutex
	buf   []byte

	mu sync.RWMutex
	fd int // the inotify instance; -1 once closed
	// gen counts the batches of events applied and the resets; an
	// answer read from the kernel is kept only if none came meanwhile.
	gen     uint64
	dirs    map[string]*dir // by path, without a trailing slash ("/" for the root)
	watches map[int32]*watchRefs
	entries int
	open    int // descriptors kept in entries

	hits, misses atomic.Uint64

	// closed ends KeepFresh's goroutine.
	closed     chan struct{}
	closedOnce sync.Once
}

// dir is a directory some cached path goes through: its watch, if it is
// a real directory, and the answers cached for its names.
type dir struct {
	path    string
	wd      int32
	watched bool
	names   map[string]entry
}

// watchRefs are what one watch descriptor stands for: the directories
// watched through it (one inode may be reached by several paths), or the
// cached answers of the file it watches.
type watchRefs struct {
	dirs  []*dir
	files []fileRef
}

// fileRef is a cached answer: the name in its directory.
type fileRef struct {
	d    *dir
	name string
}

// entry is one cached lstat answer: info, or errno; wd is the watch of
// a non-directory's inode; fd, once a request opened the regular file,
// its descriptor, which goes with the answer.
type entry struct {
	info  fs.FileInfo
	errno syscall.Errno
	wd    int32
	fd    *descriptor
}

// New makes a cache with its own inotify instance.
func New() (*Cache, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, &os.SyscallError{Syscall: "inotify_init1", Err: err}
	}
	maxOpen := DefaultMaxOpen
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &rl) == nil && rl.Cur/4 < uint64(maxOpen) {
		maxOpen = int(rl.Cur / 4)
	}
	return &Cache{
		maxEntries: DefaultMaxEntries,
		maxWatches: DefaultMaxWatches,
		maxOpen:    maxOpen,
		fd:         fd,
		buf:        make([]byte, 64<<10),
		dirs:       make(map[string]*dir),
		watches:    make(map[int32]*watchRefs),
		closed:     make(chan struct{}),
	}, nil
}

// KeepFresh applies the changes reported every interval until Close,
// besides the Refresh of each request: on an idle server too, the
// descriptor of a file removed or replaced is closed (its space freed,
// its file system free to unmount) within an interval.
func (c *Cache) KeepFresh(interval time.Duration) {
	if c == nil {
		return
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-c.closed:
				return
			case <-t.C:
				c.Refresh()
			}
		}
	}()
}

// Close releases the inotify instance and the descriptors the cache
// holds (Files still open keep theirs until closed); the cache then asks
// the kernel every time.
func (c *Cache) Close() error {
	if c == nil {
		return nil
	}
	c.closedOnce.Do(func() { close(c.closed) })
	c.drain.Lock()
	defer c.drain.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fd < 0 {
		return nil
	}
	err := unix.Close(c.fd)
	c.fd = -1
	c.forgetAll()
	return err
}

// Reset forgets every answer: what the kernel says is asked anew.
func (c *Cache) Reset() {
	if c == nil {
		return
	}
	c.drain.Lock()
	defer c.drain.Unlock()
	c.resetLocked()
}

// Stats reports how many lookups the cache answered and how many went
// to the kernel.
func (c *Cache) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}

// Refresh applies every change reported so far. Call it when a request
// starts: its lookups then see every change made before. It costs one
// system call when nothing changed.
func (c *Cache) Refresh() {
	if c == nil {
		return
	}
	c.drain.Lock()
	defer c.drain.Unlock()
	for reads := 0; ; reads++ {
		if reads == maxReads {
			c.resetLocked()
			return
		}
		// The read is made under the read lock so that reset cannot
		// close the descriptor (and the number go to another file)
		// meanwhile.
		c.mu.RLock()
		if c.fd < 0 {
			c.mu.RUnlock()
			return
		}
		n, err := unix.Read(c.fd, c.buf)
		c.mu.RUnlock()
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			// EAGAIN: nothing more queued. Any other error leaves the
			// queue unread: start again rather than trust old answers.
			if err != nil && err != unix.EAGAIN {
				c.resetLocked()
			}
			return
		}
		c.mu.Lock()
		c.apply(c.buf[:n])
		c.mu.Unlock()
	}
}

func (c *Cache) resetLocked() {
	c.mu.Lock()
	c.reset()
	c.mu.Unlock()
}

// Stat is os.Stat, answered from the cache when it can be.
func (c *Cache) Stat(path string) (fs.FileInfo, error) {
	if c == nil {
		return os.Stat(path)
	}
	e, ok := c.lookup(path)
	if !ok || (e.info != nil && e.info.Mode()&fs.ModeSymlink != 0) {
		return os.Stat(path)
	}
	return e.result("stat", path)
}

// Lstat is os.Lstat, answered from the cache when it can be.
func (c *Cache) Lstat(path string) (fs.FileInfo, error) {
	if c == nil {
		return os.Lstat(path)
	}
	e, ok := c.lookup(path)
	if !ok {
		return os.Lstat(path)
	}
	return e.result("lstat", path)
}

// Open opens path read-only, as open(2) would. A regular file whose
// answer the cache keeps is opened once: later Opens share its
// descriptor, each File reading at its own offset, until a change drops
// the answer; the descriptor is closed when the last File holding it is.
// Anything else is opened for the caller alone.
//
// A request that called Refresh first opens what open(2) would open at
// that moment: a file replaced (renamed over, removed, rewritten, its
// permissions or those of a directory above it changed) since the
// descriptor was opened is opened anew. Like a stat, the descriptor
// keeps the permission check made when it was opened.
func (c *Cache) Open(path string) (*File, error) {
	if c == nil || path == "" || path[0] != '/' || path == "/" || len(path) >= unix.PathMax || !cacheable(path) {
		return openFile(path)
	}
	parent, name := splitPath(path)
	c.mu.RLock()
	var e entry
	var found bool
	if d := c.dirs[parent]; d != nil {
		e, found = d.names[name]
	}
	if found && e.fd != nil {
		// Taken under the lock that keeps the entry, and so its
		// reference, from going meanwhile.
		e.fd.acquire()
		c.mu.RUnlock()
		return &File{d: e.fd}, nil
	}
	gen := c.gen
	c.mu.RUnlock()
	f, err := openFile(path)
	if err != nil || !found || e.errno != 0 || !e.info.Mode().IsRegular() || !sameFile(f.d.fd, e.info) {
		// Not kept, either, when what open(2) found is not the file
		// the answer describes (replaced, or a symbolic link put in
		// its place, since): this request reads it, as open(2) gave
		// it, and no other shares it.
		return f, err
	}
	// Kept only if no change was applied since the answer was found.
	// A change made since, not applied yet, drops the entry (and this
	// descriptor) at the next Refresh, before any request that started
	// after the change opens it.
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.fd < 0 || c.open >= c.maxOpen {
		return f, nil
	}
	d := c.dirs[parent]
	if d == nil {
		return f, nil
	}
	if cur, ok := d.names[name]; ok && cur.fd == nil && cur.info == e.info {
		f.d.acquire()
		cur.fd = f.d
		d.names[name] = cur
		c.open++
	}
	return f, nil
}

// sameFile reports whether descriptor fd is the file info describes:
// the same device and inode.
func sameFile(fd int, info fs.FileInfo) bool {
	want, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return false
	}
	return st.Dev == want.Dev && st.Ino == want.Ino
}

func (e entry) result(op, path string) (fs.FileInfo, error) {
	if e.errno != 0 {
		return nil, &fs.PathError{Op: op, Path: path, Err: e.errno}
	}
	return e.info, nil
}

// lookup returns the lstat answer for path, from the cache or from the
// kernel; ok is false when path cannot be cached (the caller asks the
// kernel itself). A path with a trailing slash ("dir/") is looked up as
// the directory; its answer is the directory's, or ENOTDIR.
func (c *Cache) lookup(path string) (entry, bool) {
	if path == "" || path[0] != '/' || len(path) >= unix.PathMax {
		return entry{}, false
	}
	clean, slash := strings.CutSuffix(path, "/")
	if !cacheable(clean) {
		return entry{}, false
	}
	if clean == "" {
		clean = "/"
	}
	e, ok := c.lstat(clean)
	if ok && slash && e.errno == 0 && !e.info.IsDir() {
		if e.info.Mode()&fs.ModeSymlink != 0 {
			return entry{}, false
		}
		e = entry{errno: syscall.ENOTDIR}
	}
	return e, ok
}

// cacheable reports whether p is an absolute path in the form the cache
// keys (no "//", "/./", "/../" or trailing slash; the root is "").
func cacheable(p string) bool {
	if p == "" {
		return true
	}
	if p[0] != '/' || strings.IndexByte(p, 0) >= 0 {
		return false
	}
	for i := 1; i <= len(p); {
		j := strings.IndexByte(p[i:], '/')
		if j < 0 {
			j = len(p) - i
		}
		if seg := p[i : i+j]; seg == "" || seg == "." || seg == ".." {
			return false
		}
		i += j + 1
	}
	return true
}

// lstat answers for a clean absolute path p.
func (c *Cache) lstat(p string) (entry, bool) {
	if p == "/" {
		fi, err := os.Lstat("/")
		e, _ := entryOf(fi, err)
		return e, false
	}
	parent, name := splitPath(p)
	c.mu.RLock()
	if d := c.dirs[parent]; d != nil {
		if e, ok := d.names[name]; ok {
			c.mu.RUnlock()
			c.hits.Add(1)
			return e, true
		}
	}
	gen, open := c.gen, c.fd >= 0
	c.mu.RUnlock()
	c.misses.Add(1)
	if !open {
		return entry{}, false
	}
	// The parent decides how p can be answered: a watched directory
	// (ask the kernel), a path that does not lead to a directory (the
	// answer follows from it), or something the cache cannot see.
	perrno, ok := c.dirState(parent)
	if !ok {
		return entry{}, false
	}
	if perrno != 0 {
		e := entry{errno: perrno}
		c.store(gen, parent, name, e)
		return e, true
	}
	fi, err := os.Lstat(p)
	e, ok := entryOf(fi, err)
	if !ok {
		return e, false
	}
	if e.errno != 0 {
		// Its making would be reported to the parent's watch.
		c.store(gen, parent, name, e)
		return e, true
	}
	// The watch first, then the answer kept: any change after the
	// answer is reported.
	var wd int32
	if fi.IsDir() {
		ok = c.watchDir(p, gen)
	} else {
		wd, ok = c.watchFile(p, gen)
	}
	if !ok {
		return e, false
	}
	fi, err = os.Lstat(p)
	if e, ok = entryOf(fi, err); !ok || e.errno != 0 {
		c.dropWatch(wd)
		return e, false
	}
	e.wd = wd
	if !c.store(gen, parent, name, e) {
		c.dropWatch(wd)
	}
	return e, true
}

// entryOf makes the entry of an lstat answer; ok is false for answers
// that must not be kept.
func entryOf(fi fs.FileInfo, err error) (entry, bool) {
	if err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) && (errno == syscall.ENOENT || errno == syscall.ENOTDIR || errno == syscall.EACCES) {
			return entry{errno: errno}, true
		}
		return entry{}, false
	}
	return entry{info: fi}, true
}

// dirState says what a path is as a directory: errno 0 when it is a
// watched real directory, ENOENT or ENOTDIR when no name below it exists
// (it is missing, or a file); ok is false when the cache cannot tell.
func (c *Cache) dirState(p string) (errno syscall.Errno, ok bool) {
	if c.isWatched(p) {
		return 0, true
	}
	if p == "/" {
		c.mu.RLock()
		gen := c.gen
		c.mu.RUnlock()
		return 0, c.watchDir("/", gen)
	}
	e, ok := c.lstat(p) // a directory answered is a watched one
	switch {
	case !ok:
		return 0, false
	case e.errno == syscall.ENOENT || e.errno == syscall.ENOTDIR:
		return e.errno, true
	case e.errno != 0:
		return 0, false
	case e.info.IsDir():
		return 0, c.isWatched(p)
	case e.info.Mode()&fs.ModeSymlink != 0:
		return 0, false
	default:
		return syscall.ENOTDIR, true
	}
}

func (c *Cache) isWatched(p string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	d := c.dirs[p]
	return d != nil && d.watched
}

// localFS are the file systems whose changes all reach inotify.
var localFS = map[int64]bool{
	unix.EXT4_SUPER_MAGIC:      true, // also ext2 and ext3
	unix.XFS_SUPER_MAGIC:       true,
	unix.BTRFS_SUPER_MAGIC:     true,
	unix.TMPFS_MAGIC:           true,
	unix.OVERLAYFS_SUPER_MAGIC: true,
	unix.F2FS_SUPER_MAGIC:      true,
	0x2fc12fc1:                 true, // ZFS
}

// watchDir watches the directory p, a real directory on a local file
// system whose parent is watched, unless an event or reset came since
// gen (the parent may have gone meanwhile).
func (c *Cache) watchDir(p string, gen uint64) bool {
	var sfs unix.Statfs_t
	if err := unix.Statfs(p, &sfs); err != nil || !localFS[int64(sfs.Type)] {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fd < 0 || c.gen != gen {
		return false
	}
	if d := c.dirs[p]; d != nil && d.watched {
		return true
	}
	if p != "/" {
		parent, _ := splitPath(p)
		if pd := c.dirs[parent]; pd == nil || !pd.watched {
			return false
		}
	}
	if len(c.watches) >= c.maxWatches {
		c.reset()
		return false
	}
	wd, err := unix.InotifyAddWatch(c.fd, p, dirMask)
	if err != nil {
		return false
	}
	d := c.node(p)
	d.wd, d.watched = int32(wd), true
	refs := c.refs(d.wd)
	refs.dirs = append(refs.dirs, d)
	return true
}

// watchFile watches the inode at p (a file, a link, anything but a
// directory); store records what it stands for.
func (c *Cache) watchFile(p string, gen uint64) (int32, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fd < 0 || c.gen != gen {
		return 0, false
	}
	if len(c.watches) >= c.maxWatches {
		c.reset()
		return 0, false
	}
	wd, err := unix.InotifyAddWatch(c.fd, p, fileMask)
	if err != nil {
		return 0, false
	}
	c.refs(int32(wd))
	return int32(wd), true
}

// refs returns wd's references, made if need be; c.mu is held.
func (c *Cache) refs(wd int32) *watchRefs {
	r := c.watches[wd]
	if r == nil {
		r = &watchRefs{}
		c.watches[wd] = r
	}
	return r
}

// dropWatch removes the file watch wd if nothing uses it.
func (c *Cache) dropWatch(wd int32) {
	if wd == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.release(wd)
}

// release removes wd, kernel watch included, when it stands for
// nothing any more; c.mu is held.
func (c *Cache) release(wd int32) {
	if r := c.watches[wd]; r != nil && len(r.dirs) == 0 && len(r.files) == 0 {
		delete(c.watches, wd)
		if c.fd >= 0 {
			unix.InotifyRmWatch(c.fd, uint32(wd))
		}
	}
}

// node returns the dir of p, made if need be; c.mu is held.
func (c *Cache) node(p string) *dir {
	d := c.dirs[p]
	if d == nil {
		d = &dir{path: p, names: make(map[string]entry)}
		c.dirs[p] = d
	}
	return d
}

// store keeps e as the answer for parent/name, unless events were
// applied since gen (the answer may predate one of them); it reports
// whether it did.
func (c *Cache) store(gen uint64, parent, name string, e entry) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.fd < 0 {
		return false
	}
	if c.entries >= c.maxEntries {
		c.reset()
		return false
	}
	d := c.node(parent)
	c.deleteName(d, name)
	d.names[name] = e
	c.entries++
	if e.wd != 0 {
		r := c.refs(e.wd)
		r.files = append(r.files, fileRef{d, name})
	}
	return true
}

// apply drops what a batch of events touches; c.mu is held.
func (c *Cache) apply(buf []byte) {
	c.gen++
	for len(buf) >= unix.SizeofInotifyEvent {
		ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[0]))
		end := unix.SizeofInotifyEvent + int(ev.Len)
		if end > len(buf) {
			break
		}
		name := strings.TrimRight(string(buf[unix.SizeofInotifyEvent:end]), "\x00")
		buf = buf[end:]
		if ev.Mask&unix.IN_Q_OVERFLOW != 0 {
			c.reset()
			return
		}
		r := c.watches[ev.Wd]
		if r == nil {
			continue
		}
		for _, d := range append([]*dir(nil), r.dirs...) {
			c.changed(d, name, ev.Mask)
		}
		// Any event on a file's own watch: its answers go.
		for _, f := range append([]fileRef(nil), r.files...) {
			c.deleteName(f.d, f.name)
		}
		if ev.Mask&unix.IN_IGNORED != 0 {
			// The kernel removed the watch (its inode is gone).
			if r := c.watches[ev.Wd]; r != nil {
				r.dirs, r.files = nil, nil
				delete(c.watches, ev.Wd)
			}
		}
	}
}

// changed drops what one event on the watched directory d touches.
func (c *Cache) changed(d *dir, name string, mask uint32) {
	if name == "" || mask&(unix.IN_DELETE_SELF|unix.IN_MOVE_SELF|unix.IN_IGNORED) != 0 {
		// The directory itself: its own answer, and all below it.
		c.dropTree(d.path)
		return
	}
	// The name's answer; the directory's own when its entries changed
	// (its mtime, size and link count did); and, when the name may have
	// been or become a directory or a link, all below it.
	c.deleteName(d, name)
	if mask&entryChanges&^unix.IN_ISDIR != 0 {
		c.dropName(d.path)
	}
	if mask&entryChanges != 0 {
		c.dropTree(joinPath(d.path, name))
	}
}

// dropName forgets the answer cached for p in its parent.
func (c *Cache) dropName(p string) {
	if p == "/" {
		return
	}
	parent, name := splitPath(p)
	if d := c.dirs[parent]; d != nil {
		c.deleteName(d, name)
	}
}

// deleteName forgets d's answer for name, and its file watch's
// reference to it.
func (c *Cache) deleteName(d *dir, name string) {
	e, ok := d.names[name]
	if !ok {
		return
	}
	delete(d.names, name)
	c.entries--
	if e.fd != nil {
		e.fd.release()
		c.open--
	}
	c.unrefFile(e.wd, d, name)
}

// unrefFile removes the reference of d's name from the file watch wd.
func (c *Cache) unrefFile(wd int32, d *dir, name string) {
	if wd == 0 {
		return
	}
	r := c.watches[wd]
	if r == nil {
		return
	}
	for i, f := range r.files {
		if f.d == d && f.name == name {
			r.files = append(r.files[:i], r.files[i+1:]...)
			break
		}
	}
	c.release(wd)
}

// dropTree forgets p's answer, every answer below p and the watches of p
// and of the directories below it: a renamed or replaced directory is
// watched anew when it is next reached.
func (c *Cache) dropTree(p string) {
	c.dropName(p)
	prefix := p + "/"
	if p == "/" {
		prefix = "/"
	}
	for path, d := range c.dirs {
		if path != p && !strings.HasPrefix(path, prefix) {
			continue
		}
		for name := range d.names {
			c.deleteName(d, name)
		}
		delete(c.dirs, path)
		if d.watched {
			c.unwatch(d)
		}
	}
}

// unwatch removes d from its watch's directories, and the watch when
// nothing else uses it.
func (c *Cache) unwatch(d *dir) {
	r := c.watches[d.wd]
	if r == nil {
		return
	}
	for i, x := range r.dirs {
		if x == d {
			r.dirs = append(r.dirs[:i], r.dirs[i+1:]...)
			break
		}
	}
	c.release(d.wd)
}

// reset starts again empty with a new inotify instance (the old one's
// watches go with it); c.mu is held.
func (c *Cache) reset() {
	c.gen++
	if c.fd < 0 {
		return
	}
	unix.Close(c.fd)
	c.forgetAll()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		// No inotify: the cache asks the kernel every time from now on.
		fd = -1
	}
	c.fd = fd
}

func (c *Cache) forgetAll() {
	for _, d := range c.dirs {
		for _, e := range d.names {
			if e.fd != nil {
				e.fd.release()
			}
		}
	}
	c.open = 0
	c.dirs = make(map[string]*dir)
	c.watches = make(map[int32]*watchRefs)
	c.entries = 0
}

// splitPath splits a clean absolute path other than "/" into its
// directory and last name.
func splitPath(p string) (parent, name string) {
	i := strings.LastIndexByte(p, '/')
	if i == 0 {
		return "/", p[1:]
	}
	return p[:i], p[i+1:]
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}
