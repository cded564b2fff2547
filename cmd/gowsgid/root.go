package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gowsgid/gowsgid/internal/httpd"
)

// httpdFlags are the flags gowsgid shares with the apache2 binary.
type httpdFlags struct {
	configFile, serverRoot string
	defines, before, after []string
	test, noDocRootCheck   bool
	dumpVHosts, dumpMods   bool
	version                bool
	signal                 string
	strict                 bool
	noStatCache            bool
	logFormat              string
	// startedAsRoot: the server was started by root (it serves as User).
	startedAsRoot bool
}

// exitError carries an exit code out of a cobra command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// execute runs the command line and returns the exit code.
func execute(args []string) int {
	root := newRootCommand(os.Stdout, os.Stderr)
	root.SetArgs(args)
	err := root.Execute()
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	default:
		fmt.Fprintf(os.Stderr, "%s: %v\n", progName(), err)
		return 1
	}
}

func progName() string { return filepath.Base(os.Args[0]) }

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	f := &httpdFlags{}
	root := &cobra.Command{
		Use:   "gowsgid [-f FILE] [-d DIR] [-D NAME]... [-t | -S | -M | -v]",
		Short: "Serve an Apache httpd + mod_wsgi configuration",
		Long: `gowsgid reads an Apache httpd 2.4 configuration (with its Include tree and
every mod_wsgi directive) and serves the site as Apache + mod_wsgi would.
Its flags are httpd's: -t checks the configuration and prints what
apache2 -t prints, -S lists the virtual hosts, -M the modules.`,
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case f.version:
				printVersion(stdout)
				return nil
			case f.signal != "":
				return signalCommand(f, stdout, stderr)
			case f.test || f.dumpVHosts || f.dumpMods || isDumping(f.defines):
				return checkCommand(f, stdout, stderr, false)
			}
			return serveCommand(f, stdout, stderr)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVarP(&f.configFile, "config", "f", "", "the configuration file (relative paths are taken from ServerRoot)")
	pf.StringVarP(&f.serverRoot, "server-root", "d", "", "the initial ServerRoot (default "+"/etc/apache2"+")")
	pf.StringArrayVarP(&f.defines, "define", "D", nil, "define a name for <IfDefine> (repeatable)")
	pf.StringArrayVarP(&f.before, "directive-before", "C", nil, "process a directive before reading the config file")
	pf.StringArrayVarP(&f.after, "directive-after", "c", nil, "process a directive after reading the config file")
	pf.BoolVarP(&f.noDocRootCheck, "no-docroot-check", "T", false, "do not check that DocumentRoot exists")
	pf.BoolVar(&f.strict, "strict", false, "refuse a configuration that uses directives gowsgid does not implement yet")
	pf.BoolVar(&f.noStatCache, "no-stat-cache", false, "stat every path of every request as Apache does, without the inotify-invalidated cache of stat answers")
	pf.StringVar(&f.logFormat, "log-format", "console", "how gowsgid writes its own diagnostics on stderr: console or json (the ErrorLog and access logs keep Apache's formats)")
	fl := root.Flags()
	fl.BoolVarP(&f.test, "test", "t", false, "check the configuration and exit, as apache2 -t")
	fl.BoolVarP(&f.dumpVHosts, "dump-vhosts", "S", false, "show the virtual host settings, as apache2 -S")
	fl.BoolVarP(&f.dumpMods, "dump-modules", "M", false, "show the loaded modules, as apache2 -M")
	fl.BoolVarP(&f.version, "version", "v", false, "show the version")
	fl.StringVarP(&f.signal, "signal", "k", "", "send a signal to the running server: start|stop|restart|graceful|graceful-stop")
	root.AddCommand(
		newConfigtestCommand(f, stdout, stderr),
		newDumpCommand(f, stdout, stderr),
		newDirectivesCommand(stdout),
		newVersionCommand(stdout),
		newWorkerCommand(),
		newPrivsepCommand(f),
	)
	return root
}

func isDumping(defines []string) bool {
	for _, d := range defines {
		switch d {
		case "DUMP_VHOSTS", "DUMP_RUN_CFG", "DUMP_MODULES", "DUMP_INCLUDES":
			return true
		}
	}
	return false
}

// httpdOptions turns the flags into the options of an httpd run.
func (f *httpdFlags) httpdOptions(stdout, stderr io.Writer) httpd.Options {
	defines := append([]string(nil), f.defines...)
	if f.dumpVHosts {
		defines = append(defines, "DUMP_VHOSTS", "DUMP_RUN_CFG")
	}
	if f.dumpMods {
		defines = append(defines, "DUMP_MODULES")
	}
	return httpd.Options{
		Prog: progName(), ServerRoot: f.serverRoot, ConfigFile: f.configFile,
		Defines: defines, Before: f.before, After: f.after, Test: f.test,
		NoDocumentRootCheck: f.noDocRootCheck, StartedAsRoot: f.startedAsRoot, Stdout: stdout, Stderr: stderr,
	}
}
