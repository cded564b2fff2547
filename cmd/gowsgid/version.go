package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/gowsgid/gowsgid/internal/httpd"
)

func printVersion(w io.Writer) { httpd.PrintVersion(w) }

func newVersionCommand(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use: "version", Short: "Show the version", Args: cobra.NoArgs,
		Run: func(*cobra.Command, []string) { printVersion(stdout) },
	}
}
