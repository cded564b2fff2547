// Package httpd reproduces the command-line modes of Apache's apache2
// binary on top of confparse and vhost: -t (configtest), -S, -M and the
// -D DUMP_* listings, with Apache's output, streams and exit codes.
package httpd

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/logescape"
	"github.com/gowsgid/gowsgid/vhost"
)

// Debian's compiled-in defaults (apache2 -V).
const (
	defaultDocumentRoot = "/var/www/html"
	defaultPidFile      = "/run/apache2.pid"
	defaultRuntimeDir   = "/var/run/apache2"
)

// Options are the httpd command-line inputs.
type Options struct {
	// Prog is the program name Apache prints in front of some messages.
	Prog string
	// ServerRoot (-d), ConfigFile (-f), Defines (-D), Before (-C) and
	// After (-c), as confparse.ReadOptions.
	ServerRoot, ConfigFile string
	Defines                []string
	Before, After          []string
	// NoDocumentRootCheck is -T.
	NoDocumentRootCheck bool
	// StartedAsRoot is confparse.ProcessOptions': a server started by
	// root reads its configuration again as User.
	StartedAsRoot bool
	// Test is -t.
	Test bool
	// Getenv looks up ${VAR}; nil means the process environment plus an
	// envvars file beside the configuration (see Envvars).
	Getenv func(string) (string, bool)
	// Registry; nil means confparse.Default().
	Registry *confparse.Registry

	Stdout, Stderr io.Writer
	// Now and PID stamp log-style lines; nil/0 mean the real ones.
	Now func() time.Time
	PID int
}

// Result is what a run left behind for the caller (gowsgid configtest
// prints the findings; the server goes on to serve the config).
type Result struct {
	Config *confparse.Config
	// ExitCode is what apache2 would exit with.
	ExitCode int
	// Dumped is true when a DUMP_* mode ran instead of a plain test.
	Dumped bool
	// Notices are the warnings and notices printed while reading and
	// checking the configuration, their program name filled in: Apache
	// reads its configuration again once its error log is open, and
	// writes them there too.
	Notices []confparse.Notice
}

func (o *Options) defined(name string) bool { return slices.Contains(o.Defines, name) }

// dumping reports whether a DUMP_* define turns the run into a listing.
func (o *Options) dumping() bool {
	for _, d := range []string{"DUMP_VHOSTS", "DUMP_RUN_CFG", "DUMP_MODULES", "DUMP_INCLUDES"} {
		if o.defined(d) {
			return true
		}
	}
	return false
}

// Check reads and checks the configuration as apache2 does in its test
// and dump modes, writing Apache's output. With neither Test nor a DUMP_*
// define it prints nothing on success (the server's start-up check).
func Check(o Options) Result {
	if o.Prog == "" {
		o.Prog = "gowsgid"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PID == 0 {
		o.PID = os.Getpid()
	}
	reg := o.Registry
	if reg == nil {
		reg = confparse.Default()
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = o.envWithEnvvars()
	}
	var notices []confparse.Notice
	notice := func(n confparse.Notice) {
		fmt.Fprintln(o.Stderr, o.formatNotice(n))
		n.Text = strings.ReplaceAll(n.Text, "{prog}", o.Prog)
		notices = append(notices, n)
	}
	ro := confparse.ReadOptions{
		ServerRoot: o.ServerRoot, ConfigFile: o.resolveConfigFile(), Defines: o.Defines,
		Before: o.Before, After: o.After, Getenv: getenv, Registry: reg, Notice: notice,
	}
	if o.defined("DUMP_INCLUDES") {
		ro.DumpIncludes = o.Stdout
	}
	tree, err := confparse.Read(ro)
	if err != nil {
		o.printError(err)
		return Result{ExitCode: 1}
	}
	cfg, err := confparse.Process(tree, reg, confparse.ProcessOptions{
		Notice: notice, NoDocumentRootCheck: o.NoDocumentRootCheck, StartedAsRoot: o.StartedAsRoot})
	if err != nil {
		o.printError(err)
		return Result{ExitCode: 1}
	}
	res := Result{Config: cfg, Notices: notices}
	if o.defined("DUMP_VHOSTS") {
		vhost.DumpVHosts(o.Stdout, vhost.BuildAddrTable(cfg))
	}
	if o.dumping() {
		res.Dumped = true
		if o.defined("DUMP_RUN_CFG") {
			o.dumpRunConfig(cfg)
		}
		if o.defined("DUMP_MODULES") {
			dumpModules(o.Stdout, tree)
		}
		return res
	}
	if o.Test {
		fmt.Fprintln(o.Stderr, "Syntax OK")
	}
	return res
}

// resolveConfigFile applies Apache's rule (a relative -f is taken from
// ServerRoot) with one convenience: when that file does not exist but the
// path does relative to the working directory, that one is used.
func (o *Options) resolveConfigFile() string {
	f := o.ConfigFile
	if f == "" || filepath.IsAbs(f) {
		return f
	}
	root := o.ServerRoot
	if root == "" {
		root = confparse.DefaultServerRoot
	}
	if _, err := os.Stat(filepath.Join(root, f)); err != nil {
		if abs, err := filepath.Abs(f); err == nil {
			if _, err := os.Stat(abs); err == nil {
				return abs
			}
		}
	}
	return f
}

func (o *Options) printError(err error) {
	if ce, ok := err.(*confparse.Error); ok {
		fmt.Fprintln(o.Stderr, ce.Console(o.Prog))
		return
	}
	fmt.Fprintf(o.Stderr, "%s: %v\n", o.Prog, err)
}

// formatNotice renders a notice as Apache writes it to stderr before its
// logs are open: its message escaped as in an error log line (a
// backslash doubled, a byte that is not printable ASCII as \xHH).
func (o *Options) formatNotice(n confparse.Notice) string {
	text := string(logescape.AppendErrorItem(nil, strings.ReplaceAll(n.Text, "{prog}", o.Prog)))
	if n.Bare {
		return text
	}
	return fmt.Sprintf("[%s] [%s:%s] [pid %d:tid %d] %s",
		o.Now().Format("Mon Jan 02 15:04:05.000000 2006"), n.Module, n.Level, o.PID, o.PID, text)
}

// dumpRunConfig is core's and mod_unixd's -D DUMP_RUN_CFG output.
func (o *Options) dumpRunConfig(cfg *confparse.Config) {
	w := o.Stdout
	fmt.Fprintf(w, "ServerRoot: \"%s\"\n", cfg.Tree.ServerRoot)
	docroot := cfg.Main.DocumentRoot
	if docroot == "" {
		docroot = defaultDocumentRoot
	}
	fmt.Fprintf(w, "Main DocumentRoot: \"%s\"\n", cfg.RootRelative(docroot))
	elog := cfg.Main.ErrorLog
	if elog == "" {
		elog = confparse.DefaultErrorLog
	}
	if !strings.HasPrefix(elog, "|") && elog != "syslog" && !strings.HasPrefix(elog, "syslog:") {
		elog = cfg.RootRelative(elog)
	}
	fmt.Fprintf(w, "Main ErrorLog: \"%s\"\n", elog)
	for _, line := range mutexLines(cfg) {
		fmt.Fprintln(w, line)
	}
	pid := cfg.PidFile
	if pid == "" {
		pid = defaultPidFile
	}
	fmt.Fprintf(w, "PidFile: \"%s\"\n", cfg.RootRelative(pid))
	for _, d := range cfg.Tree.Defines {
		if v, ok := cfg.Tree.Var(d); ok {
			fmt.Fprintf(w, "Define: %s=%s\n", d, v)
		} else {
			fmt.Fprintf(w, "Define: %s\n", d)
		}
	}
	notUsed := ""
	if os.Geteuid() != 0 {
		notUsed = " not_used"
	}
	user, uid := cfg.User, cfg.UserID
	if user == "" {
		user, uid = "#-1", 4294967295
	}
	group, gid := cfg.Group, cfg.GroupID
	if group == "" {
		group, gid = "#-1", 4294967295
	}
	fmt.Fprintf(w, "User: name=\"%s\" id=%d%s\n", user, uid, notUsed)
	fmt.Fprintf(w, "Group: name=\"%s\" id=%d%s\n", group, gid, notUsed)
}

// mutexLines is ap_dump_mutexes. Apache prints them in the order of a
// hash table seeded per process; gowsgid prints them sorted.
func mutexLines(cfg *confparse.Config) []string {
	defDir := cfg.Tree.RuntimeDir
	if defDir == "" {
		defDir = defaultRuntimeDir
	}
	var lines []string
	for _, t := range confparse.MutexTypes(cfg.Tree) {
		m, set := cfg.Mutexes[t]
		if !set && t != "default" {
			lines = append(lines, fmt.Sprintf("Mutex %s: using_defaults", t))
			continue
		}
		if !set {
			m = confparse.Mutex{Mechanism: "default"}
		}
		if m.Mechanism == "none" {
			lines = append(lines, fmt.Sprintf("Mutex %s: none", t))
			continue
		}
		dir := m.Dir
		if dir == "" {
			dir = defDir
		}
		lines = append(lines, fmt.Sprintf("Mutex %s: dir=\"%s/\" mechanism=%s ", t, dir, m.Mechanism))
	}
	return lines
}

// dumpModules is mod_so's -M listing.
func dumpModules(w io.Writer, t *confparse.Tree) {
	fmt.Fprintln(w, "Loaded Modules:")
	for _, m := range t.Loaded {
		kind := "shared"
		if m.Static {
			kind = "static"
		}
		fmt.Fprintf(w, " %s (%s)\n", m.ID, kind)
	}
}
