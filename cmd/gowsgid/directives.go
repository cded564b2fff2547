package main

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/gowsgid/gowsgid/internal/httpd"
)

func newDirectivesCommand(stdout io.Writer) *cobra.Command {
	var markdown bool
	cmd := &cobra.Command{
		Use:   "directives",
		Short: "List every directive gowsgid knows: module, contexts and status",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if markdown {
				return httpd.DirectivesMarkdown(stdout, nil)
			}
			return httpd.DirectivesTable(stdout, nil)
		},
	}
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print the reference in docs/directives.md form")
	return cmd
}
