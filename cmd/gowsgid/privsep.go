package main

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"strconv"
	"syscall"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/privsep"
	"github.com/gowsgid/gowsgid/server"
	"github.com/gowsgid/gowsgid/wsgi"
)

// newPrivsepCommand is the hidden subcommand of the privileged helper a
// server started as root keeps after it drops to User and Group: it
// reads the same configuration (the server's flags) and serves the
// server's requests on fd 3.
func newPrivsepCommand(f *httpdFlags) *cobra.Command {
	return &cobra.Command{
		Use:    "privsep",
		Short:  "run the privileged helper of a server (started by the server)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The channel is the helper's own: the workers it starts
			// must not inherit it.
			syscall.CloseOnExec(3)
			h := &privsep.Helper{
				Control: os.NewFile(3, "privsep"),
				Load: func() (*confparse.Config, error) {
					cfg, err := loadQuietly(f)
					if cfg != nil {
						// The helper's streams are the server's.
						cfg.PassPhraseTerminal = standardStreams()
					}
					return cfg, err
				},
				Groups:    helperGroups,
				ServerPid: os.Getppid(),
			}
			// The server's death (SIGTERM, the helper's parent-death
			// signal) or its closing the channel ends the helper.
			term := make(chan os.Signal, 1)
			signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)
			go func() {
				<-term
				h.Close()
				os.Exit(0)
			}()
			if err := h.Serve(); err != nil {
				fmt.Fprintf(os.Stderr, "%s privsep: %v\n", progName(), err)
				return exitError{1}
			}
			return nil
		},
	}
}

// loadQuietly reads the configuration as the server did; its errors are
// the server's to report.
func loadQuietly(f *httpdFlags) (*confparse.Config, error) {
	cfg, ok := loadConfig(f, io.Discard, io.Discard, zerolog.Nop())
	if !ok {
		return nil, fmt.Errorf("the configuration %s has errors", f.configFile)
	}
	return cfg, nil
}

// helperGroups are a configuration's daemon process groups as the helper
// starts them: this binary, the main ErrorLog, each group's identity.
func helperGroups(cfg *confparse.Config) (map[string]*wsgi.GroupOptions, func(), error) {
	exe, err := workerExecutable()
	if err != nil {
		return nil, nil, err
	}
	elog, err := server.OpenErrorLog(cfg)
	if err != nil {
		return nil, nil, err
	}
	groups := map[string]*wsgi.GroupOptions{}
	for _, d := range cfg.WSGIDaemons {
		opts, err := groupOptions(cfg, d, elog, exe)
		if err != nil {
			continue
		}
		groups[d.Name] = &opts
	}
	// A reload closes the log (a piped ErrorLog's program included).
	return groups, func() { elog.Close() }, nil
}

// args are the flags that make another gowsgid read the same
// configuration.
func (f *httpdFlags) args() []string {
	var a []string
	if f.configFile != "" {
		a = append(a, "-f", f.configFile)
	}
	if f.serverRoot != "" {
		a = append(a, "-d", f.serverRoot)
	}
	for _, d := range f.defines {
		a = append(a, "-D", d)
	}
	for _, c := range f.before {
		a = append(a, "-C", c)
	}
	for _, c := range f.after {
		a = append(a, "-c", c)
	}
	if f.noDocRootCheck {
		a = append(a, "-T")
	}
	return a
}

// dropsPrivileges reports whether the server runs as root with a User to
// become, as Apache's children do.
func dropsPrivileges(cfg *confparse.Config) bool {
	return os.Geteuid() == 0 && cfg.User != "" && cfg.UserID != 0
}

// startHelper starts the privileged helper before the server drops its
// privileges.
func startHelper(f *httpdFlags) (*privsep.Client, error) {
	exe, err := workerExecutable()
	if err != nil {
		return nil, err
	}
	return privsep.Start(exe, append([]string{"privsep"}, f.args()...))
}

// dropPrivileges makes this process User and Group, with User's
// supplementary groups (initgroups), for every thread.
func dropPrivileges(cfg *confparse.Config) error {
	groups := []int{cfg.GroupID}
	if u, err := user.LookupId(strconv.Itoa(cfg.UserID)); err == nil {
		if ids, err := u.GroupIds(); err == nil {
			for _, id := range ids {
				if n, err := strconv.Atoi(id); err == nil && n != cfg.GroupID {
					groups = append(groups, n)
				}
			}
		}
	}
	if err := syscall.Setgroups(groups); err != nil {
		return fmt.Errorf("AH02160: initgroups: unable to set groups for User %s and Group %d: %w", cfg.User, cfg.GroupID, err)
	}
	if err := syscall.Setgid(cfg.GroupID); err != nil {
		return fmt.Errorf("AH02157: setgid: unable to set group id to Group %d: %w", cfg.GroupID, err)
	}
	if err := syscall.Setuid(cfg.UserID); err != nil {
		return fmt.Errorf("AH02162: setuid: unable to change to uid: %d: %w", cfg.UserID, err)
	}
	return nil
}
