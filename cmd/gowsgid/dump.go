package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/gowsgid/gowsgid/internal/httpd"
)

func newDumpCommand(f *httpdFlags, stdout, stderr io.Writer) *cobra.Command {
	dump := &cobra.Command{
		Use:   "dump",
		Short: "Show parts of the configuration (vhosts, modules, includes, run-config, config)",
	}
	listing := func(use, short string, defines ...string) *cobra.Command {
		return &cobra.Command{
			Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(*cobra.Command, []string) error {
				f.defines = append(f.defines, defines...)
				return checkCommand(f, stdout, stderr, false)
			},
		}
	}
	var asJSON bool
	config := &cobra.Command{
		Use:   "config",
		Short: "Show the resolved configuration (after Include, Define and <If*>) with file and line",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if !asJSON {
				return fmt.Errorf("dump config: only --json output exists")
			}
			code := httpd.DumpConfigJSON(f.httpdOptions(stdout, stderr))
			if code != 0 {
				return exitError{code}
			}
			return nil
		},
	}
	config.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	dump.AddCommand(
		listing("vhosts", "The virtual host table, as apache2 -S", "DUMP_VHOSTS", "DUMP_RUN_CFG"),
		listing("modules", "The loaded modules, as apache2 -M", "DUMP_MODULES"),
		listing("includes", "The included files, as apache2 -t -D DUMP_INCLUDES", "DUMP_INCLUDES"),
		listing("run-config", "The run settings, as apache2 -t -D DUMP_RUN_CFG", "DUMP_RUN_CFG"),
		config,
	)
	return dump
}
