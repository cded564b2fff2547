package vhost

import (
	"sync"
	"sync/atomic"

	"github.com/gowsgid/gowsgid/confparse"
)

// maxMerges bounds the merges each generation of a table's cache holds.
// The sections of a configuration combine in few ways; a changed
// .htaccess adds new ones, and when they pass the bound the older
// generation is dropped.
const maxMerges = 4096

// mergeCache remembers the result of DirConfig.Merge for each pair of
// configurations a request merged. Merge is a pure function of its two
// operands, which are immutable once built (the sections of the table,
// parsed .htaccess files, and earlier results of this cache), so the
// remembered result is exactly what merging again would give. Because a
// result is itself a stable pointer, the chain of merges a request walks
// through (<Directory> sections, .htaccess files, <Files>, <Location>,
// <If>) hits the cache at every step, and the same walk gives the same
// configuration, by identity, as Apache's walk caches give a request and
// its subrequests and internal redirects (Request.authSource relies on
// it). A .htaccess file that changes is parsed into a new configuration,
// so its old merges are never hit again.
//
// The cache has two generations: a merge is looked up in the current
// one, then in the previous one, from which it is carried over; when the
// current one is full, the previous one is dropped and a new one begins.
// A result in use therefore keeps its identity until maxMerges other
// merges have been made since its last use.
type mergeCache struct {
	mu   sync.Mutex  // serialises the change of generation
	gens [2]sync.Map // mergeKey → *confparse.DirConfig
	cur  atomic.Int32
	n    atomic.Int64 // merges stored in the current generation
}

type mergeKey struct{ parent, child *confparse.DirConfig }

// merge is parent.Merge(child), remembered.
func (c *mergeCache) merge(parent, child *confparse.DirConfig) *confparse.DirConfig {
	if child == nil {
		return parent
	}
	k := mergeKey{parent, child}
	i := c.cur.Load()
	if v, ok := c.gens[i].Load(k); ok {
		return v.(*confparse.DirConfig)
	}
	var merged *confparse.DirConfig
	if v, ok := c.gens[1-i].Load(k); ok {
		merged = v.(*confparse.DirConfig)
	} else {
		merged = parent.Merge(child)
	}
	if c.n.Add(1) > maxMerges {
		c.mu.Lock()
		if c.cur.Load() == i {
			c.gens[1-i].Clear()
			c.cur.Store(1 - i)
			c.n.Store(1)
		}
		c.mu.Unlock()
		i = c.cur.Load()
	}
	v, _ := c.gens[i].LoadOrStore(k, merged)
	return v.(*confparse.DirConfig)
}
