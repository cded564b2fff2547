//go:build !unix

package static

import "io/fs"

// inode is apr_finfo_t.inode; this platform has none.
func inode(fs.FileInfo) uint64 { return 0 }
