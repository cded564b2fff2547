package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/authz"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/embedpy"
	"github.com/gowsgid/gowsgid/server"
	"github.com/gowsgid/gowsgid/vhost"
	"github.com/gowsgid/gowsgid/wsgi"
)

// services wires the serving packages into the virtual host table: access
// control, and the WSGI handler with the embedded Python engine when the
// configuration has WSGI applications. stop shuts the engine down.
func services(cfg *confparse.Config, elog *server.ErrorLog) (s vhost.Services, stop func()) {
	opts := authz.Options{ModuleLoaded: cfg.Tree.IsLoaded, Logged: elog.Logged}
	s = vhost.Services{Log: elog.Request}
	stop = func() {}
	defer func() { s.Access = vhost.AuthzAccess{Checker: authz.NewChecker(opts)} }()
	if !usesWSGI(cfg) {
		return s, stop
	}
	wh := wsgi.NewHandler(cfg)
	wh.Log = elog.Request
	s.WSGI = wh.Serve
	if cfg.WSGI.RestrictEmbedded && !usesAuthScripts(cfg) {
		return s, stop
	}
	eng, err := embedpy.Start(embeddedConfig(cfg, elog))
	if err != nil {
		wh.EmbeddedError = err
		elog.Client("error", "wsgi", "", fmt.Sprintf("gowsgid: %v", err))
		return s, stop
	}
	if !cfg.WSGI.RestrictEmbedded {
		wh.Embedded = eng
	}
	opts.Scripts = wsgi.Hooks{Handler: wh, Runner: eng, Banner: vhost.Banner(cfg.ServerTokens)}
	for _, im := range cfg.WSGI.ImportScripts {
		if im.ProcessGroup != "" {
			continue // daemon process groups load their own
		}
		eng.Import(embedpy.Import{Script: im.Script, Module: wsgi.ModuleName(im.Script),
			ApplicationGroup: im.ApplicationGroup, ProcessGroup: im.ProcessGroup})
	}
	// At stop, requests still inside Python get a moment to finish; the
	// process then exits whatever they do, as Apache's children do.
	return s, func() { eng.Close(time.Second) }
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

// usesAuthScripts reports whether the configuration has mod_wsgi
// authentication hooks, which run in this process even under
// WSGIRestrictEmbedded.
func usesAuthScripts(cfg *confparse.Config) bool {
	found := false
	confparse.VisitNodes(cfg.Tree.Nodes, func(n *confparse.Node) {
		switch strings.ToLower(n.Name) {
		case "wsgiaccessscript", "wsgiauthuserscript", "wsgiauthgroupscript":
			found = true
		}
	})
	return found
}

// embeddedConfig is the embedded interpreter's configuration: mod_wsgi's
// WSGIPython* directives and the MPM's shape.
func embeddedConfig(cfg *confparse.Config, elog *server.ErrorLog) embedpy.Config {
	w := cfg.WSGI
	topo := wsgi.EmbeddedTopology(cfg)
	return embedpy.Config{
		Home: w.PythonHome, Path: w.PythonPath, Optimize: w.PythonOptimize,
		HashSeed: w.PythonHashSeed, Warnings: w.PythonWarnings, Eggs: w.PythonEggs,
		DontWriteBytecode: w.DontWriteBytecode,
		RestrictStdin:     w.RestrictStdin, RestrictStdout: w.RestrictStdout,
		RestrictSignal: w.RestrictSignal, DestroyInterpreter: w.DestroyInterpreter,
		Threads: topo.Threads, MultiThread: topo.MultiThread, MultiProcess: topo.MultiProcess,
		MaximumProcesses: topo.MaximumProcesses, ThreadsPerProcess: topo.Threads, MPMName: topo.MPM,
		Log: func(level embedpy.Level, client, msg string) {
			elog.Client(level.String(), "wsgi", client, msg)
		},
	}
}
