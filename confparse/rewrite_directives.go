package confparse

import (
	"fmt"
	"strings"

	"github.com/gowsgid/gowsgid/rewrite"
)

// mod_rewrite's directives (modules/mappers/mod_rewrite.c). Outside any
// section they configure the server (rewrite_server_conf) and, for
// RewriteEngine and RewriteOptions, its per-directory defaults too; inside
// a section or an .htaccess file, that scope's per-directory
// configuration, whose directory is the section's path.

// rewriteDir is the scope's per-directory configuration, made on first
// use as ap_set_config_vectors makes it. That function makes the
// server's configuration too, so a directive in a <Directory> of a
// virtual host gives the virtual host a configuration of its own (in an
// .htaccess file the server's exists already: Apache reads those at
// request time).
func (c *Cmd) rewriteDir() *rewrite.DirConf {
	if !c.scope.htaccess {
		c.rewriteServer()
	}
	if c.Dir.Rewrite == nil {
		c.Dir.Rewrite = rewrite.NewDirConf(c.Path)
	}
	return c.Dir.Rewrite
}

// rewriteServer is the server's configuration.
func (c *Cmd) rewriteServer() *rewrite.ServerConf {
	if c.Server.Rewrite == nil {
		c.Server.Rewrite = &rewrite.ServerConf{}
	}
	return c.Server.Rewrite
}

// applyRewriteEngine is cmd_rewriteengine.
func applyRewriteEngine(c *Cmd) error {
	on := strings.EqualFold(c.Args[0], "on")
	if !c.scope.inPath {
		c.rewriteServer().SetEngine(on)
	}
	c.rewriteDir().SetEngine(on)
	return nil
}

// applyRewriteOptions is cmd_rewriteoptions, once per word.
func applyRewriteOptions(c *Cmd) error {
	for _, w := range c.Args {
		o, warns, err := rewrite.ParseOptions(w)
		for _, msg := range warns {
			c.Notice(Notice{Level: "warn", Module: "rewrite", Text: msg})
		}
		if err != nil {
			return err
		}
		if !c.scope.inPath {
			c.rewriteServer().AddOptions(o)
		}
		c.rewriteDir().AddOptions(o)
	}
	return nil
}

// applyRewriteBase is cmd_rewritebase.
func applyRewriteBase(c *Cmd) error {
	if !c.scope.inPath {
		return fmt.Errorf("RewriteBase: only valid in per-directory config files")
	}
	return c.rewriteDir().SetBase(c.Args[0])
}

// applyRewriteCond is cmd_rewritecond: the condition waits in its scope
// for the next RewriteRule.
func applyRewriteCond(c *Cmd) error {
	var issue *rewrite.Issue
	var err error
	if c.scope.inPath {
		issue, err = c.rewriteDir().AddCond(c.Node.Raw)
	} else {
		issue, err = c.rewriteServer().AddCond(c.Node.Raw)
	}
	c.rewriteIssue(issue)
	return err
}

// applyRewriteRule is cmd_rewriterule.
func applyRewriteRule(c *Cmd) error {
	var issue *rewrite.Issue
	var err error
	var rules []*rewrite.Rule
	if c.scope.inPath {
		d := c.rewriteDir()
		issue, err = d.AddRule(c.Node.Raw, c.Node.File, c.Node.Line)
		rules = d.Rules
	} else {
		s := c.rewriteServer()
		issue, err = s.AddRule(c.Node.Raw, c.Node.File, c.Node.Line)
		rules = s.Rules
	}
	c.rewriteIssue(issue)
	if err != nil {
		return err
	}
	for _, msg := range rules[len(rules)-1].Unimplemented() {
		c.w.find(Finding{File: c.Node.File, Line: c.Node.Line,
			Directive: c.Directive.Name, Message: msg, Unimplemented: true})
	}
	return nil
}

// rewriteIssue logs a warning of mod_rewrite's, or records a pattern RE2
// cannot compile as a finding.
func (c *Cmd) rewriteIssue(issue *rewrite.Issue) {
	switch {
	case issue == nil:
	case issue.Warning != "":
		c.Notice(Notice{Level: "warn", Module: "rewrite",
			Text: fmt.Sprintf("%s (%s:%d)", issue.Warning, c.Node.File, c.Node.Line)})
	case issue.Unsupported != "":
		c.w.find(Finding{File: c.Node.File, Line: c.Node.Line,
			Directive: c.Directive.Name, Unimplemented: true,
			Message: issue.Unsupported + "; a request that reaches this rule is answered 500"})
	}
}

// applyRewriteMap is cmd_rewritemap.
func applyRewriteMap(c *Cmd) error {
	options := ""
	if len(c.Args) > 2 {
		options = c.Args[2]
	}
	m, err := rewrite.ParseMap(c.Args[0], c.Args[1], options, c.Config.RootRelative, c.w.tree.IsLoaded("mod_dbd.c"))
	if err != nil {
		return err
	}
	if m.Unimplemented != "" {
		c.w.find(Finding{File: c.Node.File, Line: c.Node.Line,
			Directive: c.Directive.Name, Message: m.Unimplemented, Unimplemented: true})
	}
	c.rewriteServer().AddMap(m)
	return nil
}
