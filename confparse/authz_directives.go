package confparse

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The checks of mod_authz_core, its providers, and mod_access_compat.

// authzProviders maps each Require provider to the module that registers
// it; a provider exists when its module is loaded.
var authzProviders = map[string]string{
	"all": "mod_authz_core.c", "env": "mod_authz_core.c", "method": "mod_authz_core.c",
	"expr": "mod_authz_core.c",
	"user": "mod_authz_user.c", "valid-user": "mod_authz_user.c",
	"ip": "mod_authz_host.c", "host": "mod_authz_host.c", "forward-dns": "mod_authz_host.c",
	"local":      "mod_authz_host.c",
	"group":      "mod_authz_groupfile.c",
	"file-group": "mod_authz_owner.c", "file-owner": "mod_authz_owner.c",
	"dbm-group": "mod_authz_dbm.c", "dbm-file-group": "mod_authz_dbm.c",
	"dbd-group": "mod_authz_dbd.c", "dbd-login": "mod_authz_dbd.c", "dbd-logout": "mod_authz_dbd.c",
	"ldap-user": "mod_authnz_ldap.c", "ldap-group": "mod_authnz_ldap.c", "ldap-dn": "mod_authnz_ldap.c",
	"ldap-attribute": "mod_authnz_ldap.c", "ldap-filter": "mod_authnz_ldap.c",
	"ssl": "mod_ssl.c", "ssl-verify-client": "mod_ssl.c",
	"wsgi-group": "mod_wsgi.c",
}

// applyRequire is add_authz_provider with the providers' line parsers.
func applyRequire(c *Cmd) error {
	args := c.Node.Raw
	i := skipSpace(args, 0)
	name, end := "", i
	if i < len(args) {
		name, end = getWordConf(args, i)
	}
	rest := args[skipSpace(args, end):]
	negate := strings.EqualFold(name, "not")
	if negate {
		i = skipSpace(rest, 0)
		name, end = "", i
		if i < len(rest) {
			name, end = getWordConf(rest, i)
		}
		rest = rest[skipSpace(rest, end):]
	}
	mod, ok := authzProviders[name]
	if !ok || !c.w.tree.IsLoaded(mod) {
		return fmt.Errorf("Unknown Authz provider: %s", name)
	}
	switch name {
	case "all":
		if !strings.EqualFold(rest, "granted") && !strings.EqualFold(rest, "denied") {
			return errors.New("Argument for 'Require all' must be 'granted' or 'denied'")
		}
	case "ip":
		words := untilEmpty(SplitWords(rest), 0)
		if len(words) == 0 {
			return errors.New("'require ip' requires an argument")
		}
		for _, w := range words {
			if _, err := parseIPSubnetWord(w); err != nil {
				if err == errNotIP {
					return fmt.Errorf("ip address '%s' appears to be invalid", w)
				}
				return fmt.Errorf("ip address '%s' appears to be invalid: %s", w, err)
			}
		}
	case "method":
		for _, w := range untilEmpty(SplitWords(rest), 0) {
			if !isMethodName(c.Config, w) {
				return fmt.Errorf("Invalid Method '%s'", w)
			}
		}
	case "ssl", "ssl-verify-client":
		if rest != "" {
			return fmt.Errorf("'Require %s' does not take arguments", name)
		}
	case "expr":
		expr := rest
		if len(expr) >= 2 && expr[0] == '"' && expr[len(expr)-1] == '"' {
			expr = expr[1 : len(expr)-1] // expr_parse_config drops surrounding quotes
		}
		if _, err := c.parseExpr(expr); err != nil {
			return fmt.Errorf("Cannot parse expression in require line: %s", err)
		}
	}
	parent := c.authzParent()
	if negate && !parent.And {
		return fmt.Errorf("negative %s directive has no effect in %s directive", c.Directive.Name, parent.format())
	}
	parent.Children = append(parent.Children, &AuthzSection{Negate: negate, Provider: name, Args: rest,
		Limits: c.scope.limits, File: c.Node.File, Line: c.Node.Line})
	return nil
}

// authzParent is the container a Require or <Require*> goes into: the
// innermost open container, else the scope's implicit <RequireAny>.
func (c *Cmd) authzParent() *AuthzSection {
	if c.scope.authz != nil {
		return c.scope.authz
	}
	if c.Dir.Authz == nil {
		c.Dir.Authz = &AuthzSection{File: c.Node.File, Line: c.Node.Line}
		if !c.scope.htaccess {
			c.w.authzDirs = append(c.w.authzDirs, c.Dir)
		}
	}
	return c.Dir.Authz
}

// checkAuthz is mod_authz_core's check_config hook: every scope's
// Require tree is checked, the scope that got its first rule last
// first (Apache's list of configurations is built backwards), and the
// first container found whose rules are all negative stops the start.
func (w *walker) checkAuthz() []string {
	for i := len(w.authzDirs) - 1; i >= 0; i-- {
		if msg := checkAuthzSection(w.authzDirs[i].Authz.clone(), true); msg != "" {
			return []string{msg}
		}
	}
	return nil
}

// checkAuthzSection is authz_core_check_section on a copy of a tree: its
// containers are checked depth first, a negated child container of the
// other logic is replaced by its rules with their negation flipped (De
// Morgan), and a container none of whose rules is positive is refused
// with AH01624 ("" when every one has one).
func checkAuthzSection(sec *AuthzSection, isConf bool) string {
	kids := make([]*AuthzSection, 0, len(sec.Children))
	for _, child := range sec.Children {
		if len(child.Children) > 0 {
			if msg := checkAuthzSection(child, false); msg != "" {
				return msg
			}
			if child.Negate && child.And != sec.And {
				for _, g := range child.Children {
					g.Negate = !g.Negate
					kids = append(kids, g)
				}
				continue
			}
		}
		kids = append(kids, child)
	}
	sec.Children = kids
	for _, k := range kids {
		if !k.Negate {
			return ""
		}
	}
	name := "<Directory>, <Location>, or similar"
	if !isConf {
		name = sec.format()
	}
	return "AH01624: " + name + " directive contains only negative authorization directives"
}

// clone copies a Require tree deeply enough for checkAuthzSection to
// rewrite it.
func (a *AuthzSection) clone() *AuthzSection {
	c := *a
	c.Children = make([]*AuthzSection, len(a.Children))
	for i, ch := range a.Children {
		c.Children[i] = ch.clone()
	}
	return &c
}

// format is mod_authz_core's format_authz_command for a container.
func (a *AuthzSection) format() string {
	switch {
	case a.And && a.Negate:
		return "<RequireNotAll>"
	case a.And:
		return "<RequireAll>"
	case a.Negate:
		return "<RequireNone>"
	}
	return "<RequireAny>"
}

// isMethodName is Require method's test of a word, ap_method_number_of:
// the methods Apache knows and those the configuration registered so far
// (a <Limit> or RegisterHttpMethod above the line).
func isMethodName(cfg *Config, w string) bool {
	if w == "HEAD" {
		return true // ap_method_number_of gives M_GET for it
	}
	return cfg.methodRegistered(w)
}

// applyAuthzSection is add_authz_section for <RequireAll>, <RequireAny>,
// <RequireNone>.
func applyAuthzSection(c *Cmd) error {
	arg, ok := c.Node.SectionArg()
	if !ok {
		return fmt.Errorf("%s> directive missing closing '>'", c.Directive.Name)
	}
	if arg != "" {
		return fmt.Errorf("%s> directive doesn't take additional arguments", c.Directive.Name)
	}
	sec := &AuthzSection{Limits: c.scope.limits, File: c.Node.File, Line: c.Node.Line}
	switch strings.ToLower(c.Directive.Name) {
	case "<requireall":
		sec.And = true
	case "<requirenone":
		sec.Negate = true
	}
	inner := c.scope
	inner.override = OrAuthCfg
	inner.limited = true
	inner.authz = sec
	if err := c.walkChildren(inner); err != nil {
		return err
	}
	if len(sec.Children) == 0 {
		return fmt.Errorf("%s directive contains no authorization directives", sec.format())
	}
	parent := c.authzParent()
	if sec.Negate && !parent.And {
		return fmt.Errorf("%s directive has no effect in %s directive", sec.format(), parent.format())
	}
	if !sec.Negate && sec.And == parent.And {
		// "be associative": an AND in an AND (an OR in an OR) is flat.
		parent.Children = append(parent.Children, sec.Children...)
	} else {
		parent.Children = append(parent.Children, sec)
	}
	return nil
}

// accessCompat is the scope's mod_access_compat configuration, created
// with Apache's defaults on first use.
func (c *Cmd) accessCompat() *AccessCompat {
	if c.Dir.AccessCompat == nil {
		c.Dir.AccessCompat = &AccessCompat{}
	}
	return c.Dir.AccessCompat
}

// applyOrder is mod_access_compat's order: the order of the methods the
// enclosing <Limit> sections admit.
func applyOrder(c *Cmd) error {
	o := strings.ToLower(c.Args[0])
	switch o {
	case "allow,deny", "deny,allow", "mutual-failure":
	default:
		return errors.New("unknown order")
	}
	ac := c.accessCompat()
	ac.Orders = append(ac.Orders, LimitedValue{Value: o, Limits: c.scope.limits})
	return nil
}

// applyAllowDeny is mod_access_compat's allow_cmd (ITERATE2 from "from").
func applyAllowDeny(c *Cmd) error {
	if !strings.EqualFold(c.Args[0], "from") {
		return errors.New("allow and deny must be followed by 'from'")
	}
	ac := c.accessCompat()
	for _, where := range c.Args[1:] {
		r := AccessRule{Value: where, Limits: c.scope.limits}
		lw := strings.ToLower(where)
		switch {
		case strings.HasPrefix(lw, "env=!"):
			r.Kind, r.Value = "nenv", where[5:]
		case strings.HasPrefix(lw, "env="):
			r.Kind, r.Value = "env", where[4:]
		case lw == "all":
			r.Kind = "all"
		case strings.Contains(where, "/"):
			n, err := parseIPSubnetWord(where)
			if err != nil {
				if err == errNotIP {
					return errors.New("An IP address was expected")
				}
				return err
			}
			r.Kind, r.Net = "ip", n
		default:
			n, err := ParseIPSubnet(where, "")
			switch {
			case err == nil:
				r.Kind, r.Net = "ip", n
			case err != errNotIP:
				return err
			case strings.Contains(where, "#"):
				return errors.New("No comments are allowed here")
			default:
				r.Kind = "host"
			}
		}
		if strings.EqualFold(c.Directive.Name, "allow") {
			ac.Allow = append(ac.Allow, r)
		} else {
			ac.Deny = append(ac.Deny, r)
		}
	}
	return nil
}

// applySatisfy is mod_access_compat's satisfy: the Satisfy of the methods
// the enclosing <Limit> sections admit.
func applySatisfy(c *Cmd) error {
	if !strings.EqualFold(c.Args[0], "all") && !strings.EqualFold(c.Args[0], "any") {
		return errors.New("Satisfy either 'any' or 'all'.")
	}
	ac := c.accessCompat()
	ac.Satisfies = append(ac.Satisfies, LimitedValue{Value: strings.ToLower(c.Args[0]), Limits: c.scope.limits})
	return nil
}

// applyAllowMethods is mod_allowmethods' AllowMethods: the methods add up
// within a section, "reset" alone allows every method again.
func applyAllowMethods(c *Cmd) error {
	if len(c.Args) == 0 {
		return errors.New("AllowMethods: No method or 'reset' keyword given")
	}
	if len(c.Args) == 1 && strings.EqualFold(c.Args[0], "reset") {
		c.Dir.AllowMethods = []string{}
		return nil
	}
	methods := slices.Clip(c.Dir.AllowMethods)
	for _, m := range c.Args {
		if m == "HEAD" {
			m = "GET" // ap_method_number_of gives M_GET for it
		} else if !c.knownMethod(m) {
			return fmt.Errorf("AllowMethods: Invalid Method '%s'", m)
		}
		methods = append(methods, m)
	}
	c.Dir.AllowMethods = methods
	return nil
}
