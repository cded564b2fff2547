package wsgi

// Load is a snapshot of a daemon process group for the status page and
// the metrics: the worker processes running (ready to serve), the
// threads of each, the requests they are serving and those queued in
// acquire for a free thread.
func (g *Group) Load() (processes, threads, busy, queued int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, p := range g.procs {
		if p.ready && !p.dead {
			processes++
		}
		busy += p.inflight
	}
	return processes, g.opts.Threads, busy, len(g.queue)
}

// Name is the group's name (WSGIDaemonProcess).
func (g *Group) Name() string { return g.opts.Name }
