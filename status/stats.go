// Package status counts what the server does and shows it: mod_status's
// page (SetHandler server-status, with ?auto, ?refresh and ?notable) and
// a Prometheus text endpoint (SetHandler gowsgid-metrics).
//
// The counters live in a Stats that belongs to the server, not to a
// configuration: a graceful restart keeps them and counts one generation
// more. Counting a request costs a few atomic adds and no lock.
package status

import (
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gowsgid/gowsgid/vhost"
)

// latencyBounds are the upper bounds of the latency histogram's buckets,
// in seconds (Prometheus' default buckets); a last bucket is +Inf.
var latencyBounds = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// latencyBoundsUS are latencyBounds in microseconds, for counting.
var latencyBoundsUS = func() (us [len(latencyBounds)]int64) {
	for i, b := range latencyBounds {
		us[i] = int64(b * 1e6)
	}
	return us
}()

// Stats are the server's counters since it started.
type Stats struct {
	started time.Time
	// restarted is when the configuration serving now was loaded (Unix
	// nanoseconds): Apache's restart time.
	restarted atomic.Int64
	// reloads counts graceful restarts.
	reloads atomic.Int64

	inFlight atomic.Int64
	// conns are the client connections open.
	conns      atomic.Int64
	accesses   atomic.Uint64
	bytes      atomic.Uint64
	durationUS atomic.Uint64
	// apacheUS is the part of durationUS mod_status counts: Apache's
	// scoreboard adds no time for an HTTP/2 stream (it runs on a
	// secondary connection).
	apacheUS atomic.Uint64
	// classes count responses by status class: [1] 1xx ... [5] 5xx, [0]
	// any other.
	classes [6]atomic.Uint64
	// buckets count requests by latency, not cumulative.
	buckets [len(latencyBounds) + 1]atomic.Uint64

	// hostMu guards hosts and hostOrder, reached only the first time a
	// generation sees a virtual host.
	hostMu    sync.Mutex
	hosts     map[string]*hostCounters
	hostOrder []string

	groups atomic.Pointer[func() []Group]
}

// hostCounters count one virtual host's requests.
type hostCounters struct {
	name     string
	requests atomic.Uint64
	bytes    atomic.Uint64
}

// Group is a snapshot of a WSGI daemon process group.
type Group struct {
	Name string
	// Processes are the worker processes running, Threads the threads
	// of each.
	Processes, Threads int
	// Busy are the requests the group's workers are serving, Queued
	// those waiting for a free thread.
	Busy, Queued int
}

// New returns counters starting now.
func New() *Stats {
	now := time.Now()
	s := &Stats{started: now, hosts: map[string]*hostCounters{}}
	s.restarted.Store(now.UnixNano())
	return s
}

// Begin counts a request in progress; End counts it done.
func (s *Stats) Begin() { s.inFlight.Add(1) }

// End counts the end of a request Begin counted.
func (s *Stats) End() { s.inFlight.Add(-1) }

// ConnState is an http.Server's ConnState hook: it counts the client
// connections open (ConnsTotal).
func (s *Stats) ConnState(_ net.Conn, state http.ConnState) {
	switch state {
	case http.StateNew:
		s.conns.Add(1)
	case http.StateClosed, http.StateHijacked:
		s.conns.Add(-1)
	}
}

// Reloaded counts a graceful restart: one configuration generation
// more, and a new restart time. The counters go on.
func (s *Stats) Reloaded() {
	s.reloads.Add(1)
	s.restarted.Store(time.Now().UnixNano())
}

// SetGroups sets how the WSGI daemon process groups of the configuration
// serving now are read (nil: none).
func (s *Stats) SetGroups(f func() []Group) {
	if f == nil {
		s.groups.Store(nil)
		return
	}
	s.groups.Store(&f)
}

func (s *Stats) daemonGroups() []Group {
	if f := s.groups.Load(); f != nil {
		return (*f)()
	}
	return nil
}

// count records one answered request.
func (s *Stats) count(h *hostCounters, status int, bytes int64, d time.Duration, h2 bool) {
	s.accesses.Add(1)
	us := d.Microseconds()
	if us < 0 {
		us = 0
	}
	s.durationUS.Add(uint64(us))
	if !h2 {
		s.apacheUS.Add(uint64(us))
	}
	if bytes > 0 {
		s.bytes.Add(uint64(bytes))
	}
	class := status / 100
	if class < 1 || class > 5 {
		class = 0
	}
	s.classes[class].Add(1)
	i := 0
	for i < len(latencyBoundsUS) && us > latencyBoundsUS[i] {
		i++
	}
	s.buckets[i].Add(1)
	if h != nil {
		h.requests.Add(1)
		if bytes > 0 {
			h.bytes.Add(uint64(bytes))
		}
	}
}

// host returns the counters of the virtual host named name, made on
// first use.
func (s *Stats) host(name string) *hostCounters {
	s.hostMu.Lock()
	defer s.hostMu.Unlock()
	h, ok := s.hosts[name]
	if !ok {
		h = &hostCounters{name: name}
		s.hosts[name] = h
		s.hostOrder = append(s.hostOrder, name)
	}
	return h
}

// Recorder counts the requests of one configuration generation.
type Recorder struct {
	s *Stats
	// hosts maps the generation's *vhost.Host to its counters: a
	// lock-free read once a host was seen.
	hosts sync.Map
}

// Recorder returns a recorder for a new configuration generation.
func (s *Stats) Recorder() *Recorder { return &Recorder{s: s} }

// Record counts an answered request: its status, body bytes, duration
// and virtual host. It is a vhost Services.Transaction.
func (rc *Recorder) Record(r *vhost.Request) {
	var bytes int64
	if r.Response != nil {
		bytes = r.Response.Bytes
	}
	var hc *hostCounters
	if r.Host != nil {
		if v, ok := rc.hosts.Load(r.Host); ok {
			hc = v.(*hostCounters)
		} else {
			hc = rc.s.host(HostLabel(r.Host))
			rc.hosts.Store(r.Host, hc)
		}
	}
	rc.s.count(hc, r.StatusSent(), bytes, time.Since(r.Start), r.HTTP != nil && r.HTTP.ProtoMajor >= 2)
}

// HostLabel names a virtual host in the metrics: its ServerName, with
// the port when ServerName names one.
func HostLabel(h *vhost.Host) string {
	if h.Port > 0 {
		return h.Hostname + ":" + itoa(int64(h.Port))
	}
	return h.Hostname
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// snapshot is what the pages show, read at once.
type snapshot struct {
	now, started, restarted time.Time
	reloads                 int64
	inFlight, conns         int64
	accesses, bytes         uint64
	durationUS, apacheUS    uint64
	classes                 [6]uint64
	buckets                 [len(latencyBounds) + 1]uint64
	hosts                   []hostSnapshot
	groups                  []Group
}

type hostSnapshot struct {
	name            string
	requests, bytes uint64
}

func (s *Stats) snapshot() snapshot {
	sn := snapshot{now: time.Now(), started: s.started, restarted: time.Unix(0, s.restarted.Load()),
		reloads: s.reloads.Load(), inFlight: s.inFlight.Load(), conns: s.conns.Load(), accesses: s.accesses.Load(),
		bytes: s.bytes.Load(), durationUS: s.durationUS.Load(), apacheUS: s.apacheUS.Load(), groups: s.daemonGroups()}
	for i := range s.classes {
		sn.classes[i] = s.classes[i].Load()
	}
	for i := range s.buckets {
		sn.buckets[i] = s.buckets[i].Load()
	}
	s.hostMu.Lock()
	for _, name := range s.hostOrder {
		h := s.hosts[name]
		sn.hosts = append(sn.hosts, hostSnapshot{name: name, requests: h.requests.Load(), bytes: h.bytes.Load()})
	}
	s.hostMu.Unlock()
	if sn.inFlight < 0 {
		sn.inFlight = 0
	}
	return sn
}
