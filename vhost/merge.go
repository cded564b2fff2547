package vhost

import (
	"sync"
	"sync/atomic"

	"github.com/gowsgid/gowsgid/confparse"
)

// maxMerges bounds the merges a table remembers. The sections of a
// configuration combine in few ways; a changed .htaccess adds new ones,
// and when they pass the bound the cache starts again empty.
const maxMerges = 4096

// mergeCache remembers the result of DirConfig.Merge for each pair of
// configurations a request merged. Merge is a pure function of its two
// operands, which are immutable once built (the sections of the table,
// parsed .htaccess files, and earlier results of this cache), so the
// remembered result is exactly what merging again would give. Because a
// result is itself a stable pointer, the chain of merges a request walks
// through (<Directory> sections, .htaccess files, <Files>, <Location>,
// <If>) hits the cache at every step. A .htaccess file that changes is
// parsed into a new configuration, so its old merges are never hit
// again.
type mergeCache struct {
	m sync.Map // mergeKey → *confparse.DirConfig
	n atomic.Int64
}

type mergeKey struct{ parent, child *confparse.DirConfig }

// merge is parent.Merge(child), remembered.
func (c *mergeCache) merge(parent, child *confparse.DirConfig) *confparse.DirConfig {
	if child == nil {
		return parent
	}
	k := mergeKey{parent, child}
	if v, ok := c.m.Load(k); ok {
		return v.(*confparse.DirConfig)
	}
	merged := parent.Merge(child)
	if c.n.Add(1) > maxMerges {
		c.m.Clear()
		c.n.Store(1)
	}
	v, _ := c.m.LoadOrStore(k, merged)
	return v.(*confparse.DirConfig)
}
