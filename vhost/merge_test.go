package vhost

import (
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

// A merge in use keeps its result, by identity, however many other
// merges pass through the cache; one left unused long enough is dropped,
// and the cache stays bounded.
func TestMergeCacheKeepsMergesInUse(t *testing.T) {
	var c mergeCache
	base, used, idle := &confparse.DirConfig{}, &confparse.DirConfig{}, &confparse.DirConfig{}
	first := c.merge(base, used)
	idleFirst := c.merge(base, idle)
	for i := 0; i < 5*maxMerges; i++ {
		c.merge(base, &confparse.DirConfig{})
		if i%(maxMerges/2) == 0 && c.merge(base, used) != first {
			t.Fatalf("after %d merges: a merge in use got a new result", i)
		}
	}
	if c.merge(base, used) != first {
		t.Error("a merge in use got a new result")
	}
	if c.merge(base, idle) == idleFirst {
		t.Error("a merge unused for 5*maxMerges merges is still remembered")
	}
	n := 0
	for i := range c.gens {
		c.gens[i].Range(func(any, any) bool { n++; return true })
	}
	if n > 2*maxMerges {
		t.Errorf("%d merges remembered, at most %d", n, 2*maxMerges)
	}
}
