package wsgi

import (
	"strconv"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
)

// Topology is how many requests run at once, and what the environ and the
// mod_wsgi module say about it. Embedded mode takes it from the MPM
// directives, as mod_wsgi reads them from Apache's MPM.
type Topology struct {
	// MPM is "event", "worker" or "prefork".
	MPM string
	// Threads is how many requests may be inside Python at once: the
	// MPM's ThreadsPerChild, capped by MaxRequestWorkers (1 for prefork,
	// whose children are single-threaded).
	Threads int
	// MaximumProcesses is how many processes the MPM could run
	// (MaxRequestWorkers / ThreadsPerChild).
	MaximumProcesses int
	// MultiThread and MultiProcess are wsgi.multithread and
	// wsgi.multiprocess.
	MultiThread, MultiProcess bool
}

// Apache 2.4's compiled-in MPM defaults.
const (
	defaultThreadsPerChild = 25
	defaultServerLimit     = 16
	defaultPreforkWorkers  = 256
)

// Workers is MaxRequestWorkers as the MPM applies it: the requests the
// server works on at once.
func (t Topology) Workers() int { return t.Threads * t.MaximumProcesses }

// EmbeddedTopology derives the embedded engine's topology from the MPM
// the configuration loads and its directives.
func EmbeddedTopology(cfg *confparse.Config) Topology {
	t := Topology{MPM: "event"}
	if cfg.Tree != nil {
		switch {
		case cfg.Tree.IsLoaded("prefork.c"):
			t.MPM = "prefork"
		case cfg.Tree.IsLoaded("worker.c"):
			t.MPM = "worker"
		}
	}
	if t.MPM == "prefork" {
		workers := mainInt(cfg, defaultPreforkWorkers, "MaxRequestWorkers", "MaxClients")
		t.Threads, t.MaximumProcesses = 1, workers
	} else {
		threads := mainInt(cfg, defaultThreadsPerChild, "ThreadsPerChild")
		workers := mainInt(cfg, defaultServerLimit*threads, "MaxRequestWorkers", "MaxClients")
		if threads > workers {
			threads = workers
		}
		t.Threads = max(threads, 1)
		t.MaximumProcesses = max(workers/t.Threads, 1)
	}
	t.MultiThread = t.Threads != 1
	t.MultiProcess = t.MaximumProcesses != 1
	return t
}

// mainInt is the last value of the first of names set in the main server
// (MPM directives are global), or def.
func mainInt(cfg *confparse.Config, def int, names ...string) int {
	v := def
	if cfg.Main == nil {
		return v
	}
	for _, name := range names {
		for _, n := range cfg.Main.Directives {
			if !strings.EqualFold(n.Name, name) {
				continue
			}
			if args := n.Args(); len(args) > 0 {
				if i, err := strconv.Atoi(args[0]); err == nil && i > 0 {
					v = i
				}
			}
		}
	}
	return v
}
