//go:build unix

package static

import (
	"io/fs"
	"syscall"
)

// inode is apr_finfo_t.inode: st_ino, 0 when the platform has none.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
