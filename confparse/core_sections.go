package confparse

import (
	"errors"
	"fmt"
	"github.com/gowsgid/gowsgid/internal/aprerr"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// sectionArg returns a section's argument up to its last '>', or Apache's
// errors for a missing '>' or a missing argument.
func (c *Cmd) sectionArg() (string, error) {
	arg, ok := c.Node.SectionArg()
	if !ok {
		return "", fmt.Errorf("%s> directive missing closing '>'", c.Directive.Name)
	}
	if arg == "" {
		return "", fmt.Errorf("%s> directive requires additional arguments", c.Directive.Name)
	}
	return arg, nil
}

// applyVirtualHost is core's virtualhost_section.
func applyVirtualHost(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	arg, err := c.sectionArg()
	if err != nil {
		return err
	}
	s := &Server{Node: c.Node, Dir: &DirConfig{}, mainLogFormat: c.Config.Main.ErrorLogFormats.Main}
	for _, w := range SplitWords(arg) {
		addrs, err := c.vhostAddrs(w)
		if err != nil {
			return err
		}
		s.Addrs = append(s.Addrs, addrs...)
	}
	c.Config.VirtualHosts = append(c.Config.VirtualHosts, s)
	inner := c.scope
	inner.server = s
	return c.walkChildren(inner)
}

// vhostAddrs is vhost.c's get_addresses for one <VirtualHost> word.
func (c *Cmd) vhostAddrs(w string) ([]VHostAddr, error) {
	if w == "" {
		return nil, nil
	}
	wildPort := false
	if strings.HasSuffix(w, "*") {
		if len(w) < 2 {
			wildPort = true
		} else if w[len(w)-2] == ':' {
			w = w[:len(w)-2]
			wildPort = true
		}
	}
	host, port, err := ParseAddrPort(w)
	if err != nil {
		return nil, errors.New("The address or port is invalid")
	}
	if host == "" {
		return nil, errors.New("Missing address for VirtualHost")
	}
	if !wildPort && port == 0 {
		port = c.Config.Main.ServerPort
	}
	if host == "*" || strings.EqualFold(host, "_default_") {
		return []VHostAddr{{Host: host, Port: port, Wildcard: true}}, nil
	}
	ips, err := c.Config.resolve(host)
	if err != nil || len(ips) == 0 {
		prefix, _ := aprerr.Resolver(err)
		c.Notice(Notice{Level: "error", Module: "core",
			Text: fmt.Sprintf("%sAH00547: Could not resolve host name %s -- ignoring!", prefix, host)})
		return nil, nil
	}
	out := make([]VHostAddr, 0, len(ips))
	for _, ip := range ips {
		out = append(out, VHostAddr{Host: host, IP: ip, Port: port,
			Wildcard: ip == "0.0.0.0" || ip == "::"})
	}
	return out, nil
}

// dirSectionNames says which sections open a per-directory scope, and how.
// Every section regex is case-sensitive: core.c's USE_ICASE, which folds
// case for <Directory> and <Files> patterns, is AP_REG_ICASE only on
// Windows.
type dirSectionSpec struct {
	kind   SectionKind
	match  bool // the *Match form
	forbid Forbid
}

var dirSectionSpecs = map[string]dirSectionSpec{
	"<directory":      {SectionDirectory, false, NotInDirContext},
	"<directorymatch": {SectionDirectory, true, NotInDirContext},
	"<location":       {SectionLocation, false, NotInDirContext},
	"<locationmatch":  {SectionLocation, true, NotInDirContext},
	"<files":          {SectionFiles, false, NotInLocation | NotInLimit},
	"<filesmatch":     {SectionFiles, true, NotInLocation | NotInLimit},
}

// applyDirSection is core's dirsection, urlsection and filesection.
func applyDirSection(c *Cmd) error {
	spec := dirSectionSpecs[strings.ToLower(c.Directive.Name)]
	if err := c.CheckContext(spec.forbid); err != nil {
		return err
	}
	arg, err := c.sectionArg()
	if err != nil {
		return err
	}
	rest := skipSpace(arg, 0)
	path, end := getWordConf(arg, rest)
	rest = skipSpace(arg, end)
	sec := &Section{Kind: spec.kind, Node: c.Node, Path: path, Dir: &DirConfig{}}
	regex := spec.match
	if path == "~" {
		regex = true
		if rest < len(arg) {
			path, end = getWordConf(arg, rest)
			rest = skipSpace(arg, end)
		} else {
			path = ""
		}
		sec.Path = path
	}
	if regex {
		re, err := compileRegex(path, false)
		if err != nil {
			return errors.New("Regex could not be compiled")
		}
		sec.Regex = re
	} else {
		switch spec.kind {
		case SectionDirectory:
			if path != "/" {
				abs, err := filepath.Abs(path)
				if err != nil {
					return fmt.Errorf("<Directory \"%s\"> path is invalid.", path)
				}
				if strings.HasSuffix(path, "/") || path == "" {
					abs += "/"
				}
				if !strings.HasSuffix(abs, "/") {
					abs += "/"
				}
				sec.Path = abs
			}
		case SectionFiles:
			sec.Path = path
		}
	}
	inner := c.scope
	inner.section = sec
	inner.path = sec.Path
	inner.inPath = true
	if spec.kind != SectionFiles || !c.scope.inPath {
		inner.override = OrAll | AccessConf
	}
	if err := c.walkChildren(inner); err != nil {
		return err
	}
	if c.Section != nil {
		c.Section.Nested = append(c.Section.Nested, sec)
	} else {
		c.Server.Sections = append(c.Server.Sections, sec)
	}
	if rest < len(arg) {
		return fmt.Errorf("Multiple %s> arguments not (yet) supported.", c.Directive.Name)
	}
	return nil
}

// applyIfSection is core's ifsection for <If>, <ElseIf> and <Else>.
func applyIfSection(c *Cmd) error {
	if err := c.CheckContext(NotInLimit); err != nil {
		return err
	}
	arg, ok := c.Node.SectionArg()
	if !ok {
		return fmt.Errorf("%s> directive missing closing '>'", c.Directive.Name)
	}
	kind := map[string]SectionKind{"<if": SectionIf, "<elseif": SectionElseIf, "<else": SectionElse}[strings.ToLower(c.Directive.Name)]
	sec := &Section{Kind: kind, Node: c.Node, Path: "*If", Dir: &DirConfig{}}
	rest := 0
	if kind == SectionElse {
		if arg != "" {
			return errors.New("<Else> does not take an argument")
		}
	} else {
		if arg == "" {
			return fmt.Errorf("%s> directive requires additional arguments", c.Directive.Name)
		}
		i := skipSpace(arg, 0)
		cond, end := getWordConf(arg, i)
		rest = skipSpace(arg, end)
		if _, err := c.parseExpr(cond); err != nil {
			return fmt.Errorf("Cannot parse condition clause: %s", err)
		}
		sec.Path = cond
	}
	inner := c.scope
	inner.section = sec
	inner.path = "*If"
	if !c.scope.inPath {
		inner.override = OrAll | AccessConf
	}
	inner.inPath = true
	if err := c.walkChildren(inner); err != nil {
		return err
	}
	// ap_add_if_conf: an <ElseIf>/<Else> must follow an <If>/<ElseIf> of
	// the same scope.
	siblings := c.Server.Sections
	if c.Section != nil {
		siblings = c.Section.Nested
	}
	if kind != SectionIf {
		if len(siblings) == 0 || (siblings[len(siblings)-1].Kind != SectionIf && siblings[len(siblings)-1].Kind != SectionElseIf) {
			return errors.New("<Else> or <ElseIf> section without previous <If> or <ElseIf> section in same scope")
		}
	}
	if c.Section != nil {
		c.Section.Nested = append(c.Section.Nested, sec)
	} else {
		c.Server.Sections = append(c.Server.Sections, sec)
	}
	if rest < len(arg) {
		return fmt.Errorf("Multiple %s> arguments not supported.", c.Directive.Name)
	}
	return nil
}

// applyLimitSection is core's ap_limit_section for <Limit> and
// <LimitExcept>.
func applyLimitSection(c *Cmd) error {
	arg, err := c.sectionArg()
	if err != nil {
		return err
	}
	except := strings.EqualFold(c.Directive.Name, "<LimitExcept")
	methods := SplitWords(arg)
	named := map[string]bool{}
	for i, m := range methods {
		if m == "TRACE" && !except {
			return errors.New("TRACE cannot be controlled by <Limit>, see TraceEnable")
		}
		if m == "HEAD" {
			// Apache registers HEAD as M_GET: naming it names GET.
			m, methods[i] = "GET", "GET"
		}
		if !c.knownMethod(m) {
			if c.scope.htaccess {
				// A .htaccess file cannot register methods.
				return fmt.Errorf("Could not register method '%s' for %s from .htaccess configuration", m, c.Directive.Name)
			}
			c.Config.registerMethod(m)
		}
		named[m] = true
	}
	// The set of methods this section applies to, among those the outer
	// <Limit> left; method names Apache does not know are registered.
	covered := func(m string) bool { return named[m] != except }
	outer := c.scope.methods
	anyLeft, allSame := false, true
	for m := range knownMethodsWith(named, outer) {
		inOuter := outer == nil || outer[m]
		if inOuter && covered(m) {
			anyLeft = true
		}
		if inOuter && !covered(m) {
			allSame = false
		}
	}
	if !anyLeft {
		return fmt.Errorf("%s> directive excludes all methods", c.Directive.Name)
	}
	if allSame && outer != nil {
		return fmt.Errorf("%s> directive specifies methods already excluded", c.Directive.Name)
	}
	// A <Limit> opens no configuration of its own: the directives in it
	// go to the enclosing scope, restricted to its methods.
	inner := c.scope
	inner.limited = true
	next := map[string]bool{}
	for m := range knownMethodsWith(named, outer) {
		if (outer == nil || outer[m]) && covered(m) {
			next[m] = true
		}
	}
	inner.methods = next
	inner.limits = append(slices.Clip(c.scope.limits), MethodLimit{Methods: methods, Except: except})
	return c.walkChildren(inner)
}

// apacheMethods are the methods Apache registers at start-up (M_GET ...
// M_UNLOCK), which a <LimitExcept> implicitly covers.
var apacheMethods = []string{"GET", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS",
	"TRACE", "PATCH", "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK",
	"UNLOCK", "VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE",
	"LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE"}

// applyRegisterHttpMethod is core's set_http_method: each method is
// registered, so a .htaccess <Limit> may name it.
func applyRegisterHttpMethod(c *Cmd) error {
	for _, m := range c.Args {
		if err := c.CheckContext(GlobalOnly); err != nil {
			return err
		}
		c.Config.registerMethod(m)
	}
	return nil
}

// knownMethod reports whether ap_method_number_of knows m: one of
// Apache's methods, one mod_dav registers when loaded, or one the
// configuration registered.
func (c *Cmd) knownMethod(m string) bool {
	if slices.Contains(apacheMethods, m) || c.Config.registered[m] {
		return true
	}
	return (m == "BIND" || m == "SEARCH") && c.w.tree.IsLoaded("mod_dav.c")
}

// applyHTTPProtocolOptions is core's set_http_protocol_options, for each
// word: the settings of one server add up, and the two sides of one are
// refused together.
func applyHTTPProtocolOptions(c *Cmd) error {
	o := &c.Server.HTTPProtocol
	set := func(p **bool, v bool, names string) error {
		if *p != nil && **p != v {
			return fmt.Errorf("HttpProtocolOptions %s are mutually exclusive", names)
		}
		*p = &v
		return nil
	}
	for _, w := range c.Args {
		var err error
		switch strings.ToLower(w) {
		case "allow0.9":
			err = set(&o.Allow09, true, "'Allow0.9' and 'Require1.0'")
		case "require1.0":
			err = set(&o.Allow09, false, "'Allow0.9' and 'Require1.0'")
		case "strict":
			err = set(&o.Unsafe, false, "'Strict' and 'Unsafe'")
		case "unsafe":
			err = set(&o.Unsafe, true, "'Strict' and 'Unsafe'")
		case "registeredmethods":
			err = set(&o.RegisteredMethods, true, "'RegisteredMethods' and 'LenientMethods'")
		case "lenientmethods":
			err = set(&o.RegisteredMethods, false, "'RegisteredMethods' and 'LenientMethods'")
		default:
			err = errors.New("HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default), " +
				"'RegisteredMethods' or 'LenientMethods' (default), and 'Require1.0' or 'Allow0.9' (default)")
		}
		if err != nil {
			return err
		}
	}
	if (o.Unsafe != nil && *o.Unsafe) || (o.Allow09 != nil && *o.Allow09) {
		c.Find("Unsafe and Allow0.9 are not implemented: requests are parsed strictly and HTTP/0.9 is refused")
	}
	return nil
}

func knownMethodsWith(named, outer map[string]bool) map[string]bool {
	all := map[string]bool{}
	for _, m := range apacheMethods {
		all[m] = true
	}
	for m := range named {
		all[m] = true
	}
	for m := range outer {
		all[m] = true
	}
	return all
}

// isDirectory reports whether p names a directory.
func isDirectory(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
