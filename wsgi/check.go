// Package wsgi is the WSGI side of gowsgid: what mod_wsgi decides for a
// request and its configuration. For now it holds the configuration checks
// that mod_wsgi only makes when a request arrives (or never), so that
// `gowsgid configtest` reports them before the server starts.
package wsgi

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gowsgid/gowsgid/confparse"
)

// CheckOptions tune CheckConfig.
type CheckOptions struct {
	// Python is the interpreter used to compile-check scripts; "" means
	// /usr/bin/python3, and a missing interpreter skips that check.
	Python string
}

// CheckConfig returns findings about the WSGI parts of a configuration
// that Apache's configtest cannot give: a WSGI script that does not exist
// or does not compile, a python-home that is no Python installation (or a
// different Python than the one gowsgid runs), a process group that no
// WSGIDaemonProcess defines, a daemon home directory that does not exist.
func CheckConfig(cfg *confparse.Config, opts CheckOptions) []confparse.Finding {
	if opts.Python == "" {
		opts.Python = "/usr/bin/python3"
	}
	c := &checker{opts: opts, compiled: map[string]bool{}}
	c.pythonVersion = c.version()
	reg := confparse.Default()
	daemons := map[string]bool{}
	for _, d := range cfg.WSGIDaemons {
		daemons[d.Name] = true
		// With chroot=, the paths are the jail's.
		jail := d.Options["chroot"]
		if home := d.Options["python-home"]; home != "" {
			c.pythonHome(d.File, d.Line, "python-home", jail+home)
		}
		if dir := d.Options["home"]; dir != "" && !isDir(jail+dir) {
			c.add(d.File, d.Line, "WSGIDaemonProcess", "home directory %s of daemon process group %q does not exist", jail+dir, d.Name)
		}
		if jail != "" && d.Options["user"] == "" && cfg.User == "" {
			c.add(d.File, d.Line, "WSGIDaemonProcess", "daemon process group %q: chroot= without user= or User: its processes run as root, whom a chroot does not confine", d.Name)
		}
		c.daemonOptions(d)
	}
	for _, s := range cfg.WSGI.ImportScripts {
		c.script(s.File, s.Line, "WSGIImportScript", s.Script)
	}
	confparse.VisitNodes(cfg.Tree.Nodes, func(n *confparse.Node) {
		switch strings.ToLower(n.Name) {
		case "wsgiscriptalias", "wsgiscriptaliasmatch":
			a, err := confparse.ParseWSGIScriptAlias(reg.Lookup(n.Name), n.Raw)
			if err != nil || strings.Contains(a.Target, "$") {
				return
			}
			if a.ProcessGroup != nil {
				c.group(n, *a.ProcessGroup, daemons)
			}
			c.script(n.File, n.Line, n.Name, a.Target)
		case "wsgiprocessgroup":
			if args := n.Args(); len(args) == 1 {
				c.group(n, args[0], daemons)
			}
		case "wsgipythonhome":
			if args := n.Args(); len(args) == 1 {
				c.pythonHome(n.File, n.Line, n.Name, args[0])
			}
		}
	})
	return c.findings
}

type checker struct {
	opts          CheckOptions
	findings      []confparse.Finding
	compiled      map[string]bool
	pythonVersion string // "3.11", or "" when no interpreter is at hand
}

func (c *checker) add(file string, line int, directive, format string, args ...any) {
	c.findings = append(c.findings, confparse.Finding{File: file, Line: line, Directive: directive,
		Message: fmt.Sprintf(format, args...)})
}

// daemonOptionGaps are the WSGIDaemonProcess options gowsgid accepts
// and does not act on, with why.
var daemonOptionGaps = map[string]string{
	"socket-user":          "socket-user has no effect: gowsgid reaches its daemon processes over socketpairs, with no socket file to own",
	"server-metrics":       "server-metrics has no effect: gowsgid has no scoreboard for mod_wsgi.server_metrics()",
	"newrelic-config-file": "newrelic-config-file has no effect: gowsgid does not wrap applications in the New Relic agent",
	"newrelic-environment": "newrelic-environment has no effect: gowsgid does not wrap applications in the New Relic agent",
}

// daemonOptions reports the options of a WSGIDaemonProcess line that
// gowsgid does not act on.
func (c *checker) daemonOptions(d *confparse.WSGIDaemon) {
	names := make([]string, 0, len(d.Options))
	for name := range d.Options {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		why, ok := daemonOptionGaps[name]
		if !ok {
			continue
		}
		c.findings = append(c.findings, confparse.Finding{File: d.File, Line: d.Line, Directive: "WSGIDaemonProcess",
			Message: fmt.Sprintf("daemon process group %q: %s", d.Name, why)})
	}
}

// group reports a process group name that no WSGIDaemonProcess defines:
// mod_wsgi answers every request for it with a 500.
func (c *checker) group(n *confparse.Node, name string, daemons map[string]bool) {
	if name == "" || name == "%{GLOBAL}" || strings.Contains(name, "%{") || daemons[name] {
		return
	}
	c.add(n.File, n.Line, n.Name, "no WSGIDaemonProcess defines process group %q: mod_wsgi answers its requests with 500", name)
}

// script checks that a WSGI script file exists and compiles.
func (c *checker) script(file string, line int, directive, path string) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		c.add(file, line, directive, "WSGI script %s does not exist: requests for it get 404", path)
		return
	case fi.IsDir():
		return // a directory of scripts
	}
	if c.pythonVersion == "" || c.compiled[path] {
		return
	}
	c.compiled[path] = true
	cmd := exec.Command(c.opts.Python, "-c",
		"import sys; p = sys.argv[1]; compile(open(p, 'rb').read(), p, 'exec')", path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.LastIndex(msg, "\n"); i >= 0 {
			msg = msg[i+1:]
		}
		c.add(file, line, directive, "WSGI script %s does not compile: %s", path, msg)
	}
}

// pythonHome checks that a python-home is a Python installation of the
// version gowsgid runs.
func (c *checker) pythonHome(file string, line int, directive, home string) {
	libs, _ := filepath.Glob(filepath.Join(home, "lib", "python[0-9]*"))
	if len(libs) == 0 {
		c.add(file, line, directive, "python-home %s is not a Python installation (no lib/python*): Python will not start (\"No module named 'encodings'\")", home)
		return
	}
	if c.pythonVersion == "" {
		return
	}
	for _, l := range libs {
		if filepath.Base(l) == "python"+c.pythonVersion {
			return
		}
	}
	c.add(file, line, directive, "python-home %s is for %s, but gowsgid runs Python %s", home, filepath.Base(libs[0]), c.pythonVersion)
}

// version asks the interpreter for its major.minor.
func (c *checker) version() string {
	out, err := exec.Command(c.opts.Python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
