package vhost

import (
	"time"

	"github.com/gowsgid/gowsgid/errlogfmt"
)

// LogID is the request's log id (r->log_id: the access log's %L), ""
// while it has none.
func (r *Request) LogID() string {
	if p := r.logID.Load(); p != nil {
		return *p
	}
	return ""
}

// EnsureLogID gives the request a log id if it has none yet, as Apache
// does the first time it logs an error line for it (or mod_wsgi when it
// builds the environ), and reports whether this call made it.
func (r *Request) EnsureLogID() (id string, made bool) {
	if p := r.logID.Load(); p != nil {
		return *p, false
	}
	start := r.Start
	if start.IsZero() {
		start = time.Now()
	}
	s := errlogfmt.NewLogID(start)
	if r.logID.CompareAndSwap(nil, &s) {
		return s, true
	}
	return *r.logID.Load(), false
}

// Main is the request a subrequest was made for (r->main), else r.
func (r *Request) Main() *Request {
	if r.main != nil {
		return r.main
	}
	return r
}

// ConnLogID is the connection's log id (c->log_id: %{c}L), "" while it
// has none.
func (r *Request) ConnLogID() string {
	if r.HTTP == nil {
		return ""
	}
	if c := connOf(r); c != nil {
		if p := c.logID.Load(); p != nil {
			return *p
		}
	}
	return ""
}

// EnsureConnLogID gives the connection a log id if it has none yet (made
// from the time now, as Apache's), and reports whether this call made
// it. A request without connection state has none.
func (r *Request) EnsureConnLogID() (id string, made bool) {
	if r.HTTP == nil {
		return "", false
	}
	c := connOf(r)
	if c == nil {
		return "", false
	}
	if p := c.logID.Load(); p != nil {
		return *p, false
	}
	s := errlogfmt.NewLogID(time.Now())
	if c.logID.CompareAndSwap(nil, &s) {
		return s, true
	}
	return *c.logID.Load(), false
}
