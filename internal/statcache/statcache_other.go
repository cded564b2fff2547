//go:build !linux

package statcache

import (
	"errors"
	"io/fs"
	"os"
	"time"
)

// Cache asks the kernel every time: the cache needs inotify.
type Cache struct{}

// New reports that there is no cache on this system.
func New() (*Cache, error) { return nil, errors.New("statcache: needs Linux's inotify") }

// Close does nothing.
func (c *Cache) Close() error { return nil }

// Stats reports no lookups.
func (c *Cache) Stats() (hits, misses uint64) { return 0, 0 }

// Refresh does nothing.
func (c *Cache) Refresh() {}

// Stat is os.Stat.
func (c *Cache) Stat(path string) (fs.FileInfo, error) { return os.Stat(path) }

// Lstat is os.Lstat.
func (c *Cache) Lstat(path string) (fs.FileInfo, error) { return os.Lstat(path) }

// Open opens path read-only.
func (c *Cache) Open(path string) (*File, error) { return openFile(path) }

// KeepFresh does nothing.
func (c *Cache) KeepFresh(time.Duration) {}

// Reset does nothing.
func (c *Cache) Reset() {}
