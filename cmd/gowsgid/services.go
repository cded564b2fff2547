package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/authz"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/embedpy"
	"github.com/gowsgid/gowsgid/server"
	"github.com/gowsgid/gowsgid/status"
	"github.com/gowsgid/gowsgid/vhost"
	"github.com/gowsgid/gowsgid/wsgi"
)

// serviceBuilder wires the serving packages into each configuration the
// server runs: access control, and the WSGI handler with the embedded
// Python engine and the daemon process groups. The embedded engine is
// started the first time a configuration needs it and kept across
// reloads (CPython starts once in a process); daemon process groups
// belong to one configuration.
type serviceBuilder struct {
	elog *server.ErrorLog
	// spawner starts daemon workers (nil: this process does).
	spawner   wsgi.Spawner
	engine    *embedpy.Engine
	engineErr error
	started   bool
	// stats show the daemon groups of the configuration serving;
	// pending are those of the one build made last.
	stats   *status.Stats
	pending []*wsgi.Group
}

// publish makes the daemon groups of the configuration built last the
// ones the status page and the metrics show; it is called once that
// configuration serves.
func (b *serviceBuilder) publish() {
	if b.stats == nil {
		return
	}
	groups := b.pending
	b.stats.SetGroups(func() []status.Group {
		out := make([]status.Group, 0, len(groups))
		for _, g := range groups {
			procs, threads, busy, queued := g.Load()
			out = append(out, status.Group{Name: g.Name(), Processes: procs, Threads: threads, Busy: busy, Queued: queued})
		}
		return out
	})
}

// daemonGroups are the daemon process groups of one configuration.
type daemonGroups []*wsgi.Group

// retire begins their end at a graceful restart, as Apache stops a
// replaced configuration's daemons at once: an idle process stops now,
// a busy one when its requests are done; next's group of the same name
// takes the requests that still come.
func (gs daemonGroups) retire(next daemonGroups) {
	for _, g := range gs {
		var successor *wsgi.Group
		for _, n := range next {
			if n.Name() == g.Name() {
				successor = n
			}
		}
		g.Retire(successor)
	}
}

// stop ends them, killing what still runs after a few seconds.
func (gs daemonGroups) stop() {
	for _, g := range gs {
		g.Stop(5 * time.Second)
	}
}

// build returns the services of cfg and its daemon process groups.
func (b *serviceBuilder) build(cfg *confparse.Config) (s vhost.Services, groups daemonGroups) {
	elog := b.elog
	opts := authz.Options{ModuleLoaded: cfg.Tree.IsLoaded, Logged: elog.Logged}
	s = vhost.Services{Log: elog.Request}
	b.pending = nil
	defer func() { s.Access = vhost.AuthzAccess{Checker: authz.NewChecker(opts)} }()
	if !usesWSGI(cfg) {
		return s, nil
	}
	wh := wsgi.NewHandler(cfg)
	wh.Log = elog.Request
	s.WSGI = wh.Serve
	groups = startGroups(cfg, elog, wh, b.spawner)
	b.pending = groups
	if cfg.WSGI.RestrictEmbedded && !usesAuthScripts(cfg) {
		return s, groups
	}
	if !b.started {
		b.started = true
		b.engine, b.engineErr = embedpy.Start(embeddedConfig(cfg, elog))
		if b.engineErr != nil {
			elog.Client("error", "wsgi", "", fmt.Sprintf("gowsgid: %v", b.engineErr))
		}
	}
	if b.engine == nil {
		wh.EmbeddedError = b.engineErr
		return s, groups
	}
	eng := b.engine
	if !cfg.WSGI.RestrictEmbedded {
		wh.Embedded = eng
	}
	wh.Hooks = eng
	opts.Scripts = wsgi.Hooks{Handler: wh, Runner: eng, Banner: vhost.Banner(cfg.ServerTokens)}
	for _, im := range cfg.WSGI.ImportScripts {
		if im.ProcessGroup != "" {
			continue // daemon process groups load their own
		}
		eng.Import(embedpy.Import{Script: im.Script, Module: wsgi.ModuleName(im.Script, cfg.WSGI.KeepScriptCase),
			ApplicationGroup: im.ApplicationGroup, ProcessGroup: im.ProcessGroup})
	}
	return s, groups
}

// close ends the embedded engine: requests still inside Python get a
// moment to finish; the process then exits whatever they do, as Apache's
// children do.
func (b *serviceBuilder) close() {
	if b.engine != nil {
		b.engine.Close(time.Second)
	}
}

// startGroups starts the WSGIDaemonProcess groups' workers: this binary
// again, with the hidden worker subcommand.
func startGroups(cfg *confparse.Config, elog *server.ErrorLog, wh *wsgi.Handler, spawner wsgi.Spawner) []*wsgi.Group {
	exe, err := workerExecutable()
	if err != nil {
		elog.Client("error", "wsgi", "", fmt.Sprintf("gowsgid: cannot start daemon processes: %v", err))
		return nil
	}
	var groups []*wsgi.Group
	for _, d := range cfg.WSGIDaemons {
		opts, err := groupOptions(cfg, d, elog, exe)
		if err != nil {
			continue
		}
		opts.Spawner = spawner
		g := wsgi.NewGroup(opts)
		if err := g.Start(); err != nil {
			elog.Client("error", "wsgi", "", err.Error())
			continue
		}
		wh.Groups[d.Name] = g
		groups = append(groups, g)
	}
	return groups
}

// groupOptions resolves the options of group d, whose workers are exe
// (this binary) with the hidden worker subcommand, writing to the error
// logs of elog. An error is logged.
func groupOptions(cfg *confparse.Config, d *confparse.WSGIDaemon, elog *server.ErrorLog, exe string) (wsgi.GroupOptions, error) {
	opts, err := wsgi.GroupOptionsFor(cfg, d)
	if err != nil {
		elog.Client("error", "wsgi", "", fmt.Sprintf("mod_wsgi (pid=%d): %v", os.Getpid(), err))
		return opts, err
	}
	opts.Executable, opts.Args = exe, []string{"worker"}
	// The workers write their own lines as mod_wsgi's daemon does, to
	// the log of the server that defined the group, at its level.
	opts.ErrorLog, opts.Worker.LogLevel = elog.ServerFileLevel(d.Server, "wsgi")
	opts.SetServerLogs(cfg, d, func(s *confparse.Server) (*os.File, string) { return elog.ServerFileLevel(s, "wsgi") })
	opts.Log = func(level, msg string) { elog.Client(level, "wsgi", "", msg) }
	opts.DaemonLog = func(level, msg string) { elog.ServerClient(level, "wsgi", d.Server, "", msg) }
	return opts, nil
}

// usesWSGI reports whether anything in the configuration can route a
// request to a WSGI script.
func usesWSGI(cfg *confparse.Config) bool {
	if len(cfg.Main.WSGIAliases) > 0 || len(cfg.WSGI.ImportScripts) > 0 {
		return true
	}
	for _, v := range cfg.VirtualHosts {
		if len(v.WSGIAliases) > 0 {
			return true
		}
	}
	found := usesAuthScripts(cfg)
	confparse.VisitNodes(cfg.Tree.Nodes, func(n *confparse.Node) {
		for _, a := range n.Args() {
			if a == "wsgi-script" || a == "application/x-httpd-wsgi" {
				found = true
			}
		}
	})
	return found
}

// usesAuthScripts reports whether the configuration has mod_wsgi hooks
// (authentication, dispatch), which run in this process even under
// WSGIRestrictEmbedded.
func usesAuthScripts(cfg *confparse.Config) bool {
	found := false
	confparse.VisitNodes(cfg.Tree.Nodes, func(n *confparse.Node) {
		switch strings.ToLower(n.Name) {
		case "wsgiaccessscript", "wsgiauthuserscript", "wsgiauthgroupscript", "wsgidispatchscript":
			found = true
		}
	})
	return found
}

// embeddedConfig is the embedded interpreter's configuration: mod_wsgi's
// WSGIPython* directives and the MPM's shape.
func embeddedConfig(cfg *confparse.Config, elog *server.ErrorLog) embedpy.Config {
	topo := wsgi.EmbeddedTopology(cfg)
	ec := pythonConfig(wsgi.EmbeddedPython(cfg), func(level embedpy.Level, s *confparse.Server, client, msg string, call *wsgi.Call) {
		if call != nil && call.Request != nil {
			// mod_wsgi logs with the request (ap_log_rerror).
			elog.WSGIRequest(level.String(), "wsgi", call.Request, call.Env, msg)
			return
		}
		elog.ServerClient(level.String(), "wsgi", s, client, msg)
	})
	ec.Threads, ec.MultiThread, ec.MultiProcess = topo.Threads, topo.MultiThread, topo.MultiProcess
	ec.MaximumProcesses, ec.ThreadsPerProcess, ec.MPMName = topo.MaximumProcesses, topo.Threads, topo.MPM
	return ec
}

// workerExecutable is the path daemon workers are started from. On Linux
// it is /proc/self/exe: the kernel follows that link without checking the
// directories on the way, so a worker that has already switched to
// User www-data can start a binary kept under a private directory
// (/root/go/bin), and it is the very binary this server runs even after
// an upgrade replaced the file on disk.
func workerExecutable() (string, error) {
	const self = "/proc/self/exe"
	if _, err := os.Stat(self); err == nil {
		return self, nil
	}
	return os.Executable()
}
