package vhost

import (
	"net/http"
	"sync/atomic"
	"time"
)

// dateCache is the Date header of the current second, formatted once a
// second as Apache's ap_recent_rfc822_date does.
type dateCache struct {
	v atomic.Pointer[cachedDate]
}

type cachedDate struct {
	sec int64
	// value is the header's value slice, shared by every response of
	// the second: its capacity is 1, so an append copies it.
	value []string
}

// header returns the Date header value for now.
func (c *dateCache) header(now time.Time) []string {
	sec := now.Unix()
	if d := c.v.Load(); d != nil && d.sec == sec {
		return d.value
	}
	d := &cachedDate{sec: sec, value: []string{now.UTC().Format(http.TimeFormat)}}
	c.v.Store(d)
	return d.value
}
