package statcache

import (
	"io/fs"
	"syscall"
	"time"
)

// Signature identifies one version of a file, for caches of what was
// parsed from it (.htaccess, AuthUserFile): its inode and device, size,
// modification time, and change time, which no one can set back. A file
// replaced by one of the same size and modification time (cp -p, tar,
// a deployment that fixes times) still differs in one of the others.
type Signature struct {
	mtime, ctime time.Time
	size         int64
	ino, dev     uint64
}

// SignatureOf is fi's Signature.
func SignatureOf(fi fs.FileInfo) Signature {
	s := Signature{mtime: fi.ModTime(), size: fi.Size()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ino, s.dev = st.Ino, uint64(st.Dev)
		s.ctime = time.Unix(int64(st.Ctim.Sec), int64(st.Ctim.Nsec))
	}
	return s
}
