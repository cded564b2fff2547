package confparse

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
)

// ApplyFunc checks one directive's arguments and records their meaning in
// the configuration. The error it returns is the message Apache prints;
// the walk adds the location.
type ApplyFunc func(c *Cmd) error

// Cmd is what a directive's ApplyFunc sees, the counterpart of Apache's
// cmd_parms.
type Cmd struct {
	Directive *Directive
	Node      *Node
	// Args are the words after Apache's argument rules (nil for RAW_ARGS).
	Args   []string
	Config *Config
	// Server is the main server or the virtual host being walked.
	Server *Server
	// Section is the innermost per-directory section, nil at server scope.
	Section *Section
	// Path is Apache's cmd->path: the argument of the enclosing
	// per-directory section, "" at server scope.
	Path string
	// Dir is the per-directory configuration of the scope: the section's,
	// or the server's defaults.
	Dir *DirConfig

	w     *walker
	scope scope
}

// scope is the part of cmd_parms that changes while walking sections.
type scope struct {
	override Override
	// overrideList is AllowOverrideList's directives (lower case) a
	// .htaccess file may hold besides those override allows.
	overrideList []string
	server       *Server
	section      *Section
	path         string
	limited      bool // inside <Limit> or <LimitExcept>
	inPath       bool // cmd->path is set
	// methods is the set of methods a nested <Limit> may still name;
	// nil means all.
	methods map[string]bool
	// limits are the enclosing <Limit>/<LimitExcept> sections.
	limits []MethodLimit
	// authz is the innermost <RequireAll/Any/None>, nil for a scope's
	// implicit <RequireAny>.
	authz *AuthzSection
	// htaccess is set while walking a .htaccess file; overrideOpts are
	// then the options it may set (AllowOverride Options=...).
	htaccess     bool
	overrideOpts int
}

// Notice reports a warning or notice in Apache's words.
func (c *Cmd) Notice(n Notice) {
	if n.File == "" {
		n.File, n.Line = c.Node.File, c.Node.Line
	}
	c.w.notice(n)
}

// Find records a gowsgid finding about this directive.
func (c *Cmd) Find(format string, args ...any) {
	c.w.find(Finding{
		File: c.Node.File, Line: c.Node.Line, Directive: c.Directive.Name,
		Message: fmt.Sprintf(format, args...),
	})
}

// IsVirtual reports whether the directive is inside a <VirtualHost>.
func (c *Cmd) IsVirtual() bool { return c.scope.server.IsVirtual() }

// ProcessOptions are the inputs of the walk besides the tree.
type ProcessOptions struct {
	// Notice receives Apache's warnings and notices.
	Notice func(Notice)
	// Resolve resolves host names of VirtualHost and Listen; nil means
	// the system resolver.
	Resolve func(host string) ([]string, error)
	// NoDocumentRootCheck is httpd's -T.
	NoDocumentRootCheck bool
	// StartedAsRoot: the server was started by root and reads its
	// configuration again after dropping its privileges (a graceful
	// restart); what needs root (chroot=) is still allowed, as in
	// Apache, whose parent stays root.
	StartedAsRoot bool
}

// Process runs the walk phase over a read tree: every directive is looked
// up, its context and arguments checked as Apache checks them, and its
// meaning recorded. The first error stops the walk, as in Apache.
func Process(t *Tree, reg *Registry, opts ProcessOptions) (*Config, error) {
	if reg == nil {
		reg = Default()
	}
	// The main server has every module's per-directory record
	// (create_default_per_dir_config), directives or not.
	cfg := &Config{Tree: t, Main: &Server{Dir: &DirConfig{mimeConf: true, aiConf: true}}, Mutexes: map[string]Mutex{}}
	cfg.WSGI.RestrictSignal = true
	cfg.WSGI.LazyInitialization = true
	cfg.WSGI.DestroyInterpreter = true
	cfg.resolve = opts.Resolve
	if cfg.resolve == nil {
		cfg.resolve = net.LookupHost
	}
	cfg.registry = reg
	w := &walker{reg: reg, cfg: cfg, tree: t, opts: opts}
	top := scope{override: (RsrcConf | OrAll) &^ (OrAuthCfg | OrLimit), server: cfg.Main}
	if err := w.walk(t.Nodes, top); err != nil {
		return nil, err
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Load reads and processes a configuration: Read then Process.
func Load(ro ReadOptions, po ProcessOptions) (*Config, error) {
	t, err := Read(ro)
	if err != nil {
		return nil, err
	}
	reg := ro.Registry
	if po.Notice == nil {
		po.Notice = ro.Notice
	}
	return Process(t, reg, po)
}

type walker struct {
	reg  *Registry
	cfg  *Config
	tree *Tree
	opts ProcessOptions
	// htaccess is set for the walk of a .htaccess file, which runs while
	// requests are served: it records no findings in the shared
	// configuration (they are configtest's).
	htaccess bool
	// nameVHostWarned: AH00548 is given once per process.
	nameVHostWarned bool
	// authzDirs are the scopes of the configuration with Require
	// rules, in the order they got their first one.
	authzDirs []*DirConfig
}

// find records a finding, unless the walk is of a .htaccess file.
func (w *walker) find(f Finding) {
	if !w.htaccess {
		w.cfg.Findings = append(w.cfg.Findings, f)
	}
}

func (w *walker) notice(n Notice) {
	if w.opts.Notice != nil {
		w.opts.Notice(n)
	}
}

// overrideListed reports whether AllowOverrideList names d (invoke_cmd's
// override_list_ok).
func overrideListed(list []string, d *Directive) bool {
	return len(list) > 0 && slices.Contains(list, strings.ToLower(d.Name))
}

// walk is ap_walk_config over a list of sibling nodes.
func (w *walker) walk(nodes []*Node, sc scope) error {
	for _, n := range nodes {
		if err := w.run(n, sc); err != nil {
			return err
		}
	}
	return nil
}

// run is ap_walk_config_sub plus invoke_cmd for one node.
func (w *walker) run(n *Node, sc scope) error {
	d := w.reg.Lookup(n.Name)
	if d == nil || !w.loaded(d) {
		if sc.htaccess && sc.override&NonfatalUnknown != 0 {
			return nil // AH02296, a warning
		}
		return &Error{Phase: WalkPhase, File: n.File, Line: n.Line, Msg: fmt.Sprintf(
			"Invalid command '%s', perhaps misspelled or defined by a module not included in the server configuration", n.Name)}
	}
	if n.readTime {
		return nil // run while reading; "once was enough"
	}
	locate := func(err error) error {
		var ce *Error
		if errors.As(err, &ce) {
			return ce
		}
		return &Error{Phase: WalkPhase, File: n.File, Line: n.Line, Msg: err.Error()}
	}
	if sc.override&d.Context == 0 && !overrideListed(sc.overrideList, d) {
		if sc.htaccess && sc.override&NonfatalOverride != 0 {
			return nil // AH02295, a warning
		}
		if n.Parent != nil {
			return locate(fmt.Errorf("%s not allowed in %s> context", d.Name, n.Parent.Name))
		}
		return locate(fmt.Errorf("%s not allowed here", d.Name))
	}
	args, err := arity(d, n.Raw, n.args)
	if err != nil {
		return locate(err)
	}
	c := &Cmd{Directive: d, Node: n, Args: args, Config: w.cfg, Server: sc.server,
		Section: sc.section, Path: sc.path, w: w, scope: sc}
	if sc.section != nil {
		c.Dir = sc.section.Dir
	} else {
		c.Dir = sc.server.Dir
	}
	if d.Apply != nil {
		if err := d.Apply(c); err != nil {
			return locate(err)
		}
	} else if !d.IsSection() {
		w.record(c)
	}
	if c.Dir != nil {
		// The section now has the module's per-directory record.
		switch {
		case d.Module == "mod_mime.c" && !strings.EqualFold(d.Name, "TypesConfig"):
			c.Dir.mimeConf = true
		case d.Module == "mod_autoindex.c":
			c.Dir.aiConf = true
		}
	}
	if d.Status == NotImplemented {
		msg := fmt.Sprintf("%s (%s) is not implemented by gowsgid yet", d.Name, d.Module)
		if d.Note != "" {
			msg = fmt.Sprintf("%s (%s) is not implemented by gowsgid: %s", d.Name, d.Module, d.Note)
		}
		w.find(Finding{File: n.File, Line: n.Line, Directive: d.Name, Message: msg, Unimplemented: true})
	}
	if d.IsSection() && d.Apply == nil {
		// A section of a module gowsgid does not implement: its body is
		// still checked, as the module would, in directory context.
		if _, ok := n.SectionArg(); !ok {
			return locate(fmt.Errorf("%s> directive missing closing '>'", d.Name))
		}
		inner := sc
		inner.override = OrAll | AccessConf
		if strings.EqualFold(d.Name, "<Proxy") || strings.EqualFold(d.Name, "<ProxyMatch") {
			inner.override |= ProxyConf
		}
		inner.inPath = true
		return w.walk(n.Children, inner)
	}
	return nil
}

// record keeps a directive in the scope it appeared in, for vhost to
// compile.
func (w *walker) record(c *Cmd) {
	if c.Section != nil {
		c.Section.Directives = append(c.Section.Directives, c.Node)
		return
	}
	c.Server.Directives = append(c.Server.Directives, c.Node)
}

// Record keeps the directive in its scope; ApplyFuncs that only validate
// call it so the directive still reaches the compiled configuration.
func (c *Cmd) Record() { c.w.record(c) }

// loaded reports whether the module defining d is loaded.
func (w *walker) loaded(d *Directive) bool {
	if mpms, ok := mpmOf(d.Name); ok {
		for _, m := range w.tree.Loaded {
			for _, f := range mpms {
				if m.File == f {
					return true
				}
			}
		}
		return false
	}
	if w.tree.IsLoaded(d.Module) {
		return true
	}
	for _, m := range d.Also {
		if w.tree.IsLoaded(m) {
			return true
		}
	}
	return false
}

// WalkChildren walks a section's body with a changed scope.
func (c *Cmd) walkChildren(sc scope) error {
	return c.w.walk(c.Node.Children, sc)
}

// CheckContext is ap_check_cmd_context: it returns Apache's message when
// the directive is in a context the forbidden mask excludes.
func (c *Cmd) CheckContext(forbidden Forbid) error {
	name := c.Directive.Name
	if strings.HasPrefix(name, "<") && !strings.HasSuffix(name, ">") {
		name += ">"
	}
	if forbidden&NotInVirtualHost != 0 && c.scope.server.IsVirtual() {
		return fmt.Errorf("%s cannot occur within <VirtualHost> section", name)
	}
	if forbidden&NotInDirContext != 0 && c.scope.limited {
		return fmt.Errorf("%s cannot occur within <Limit> or <LimitExcept> section", name)
	}
	if forbidden&NotInHtaccess != 0 && c.scope.htaccess {
		return fmt.Errorf("%s cannot occur within htaccess files", name)
	}
	if forbidden&NotInDirLocFile == NotInDirLocFile && c.scope.inPath {
		return fmt.Errorf("%s cannot occur within directory context", name)
	}
	type pair struct {
		bit   Forbid
		names []string
	}
	for _, p := range []pair{
		{NotInDirectory, []string{"<Directory", "<DirectoryMatch"}},
		{NotInLocation, []string{"<Location", "<LocationMatch"}},
		{NotInFiles, []string{"<Files", "<FilesMatch", "<If", "<ElseIf", "<Else"}},
		{NotInProxy, []string{"<Proxy", "<ProxyMatch"}},
	} {
		if forbidden&p.bit == 0 {
			continue
		}
		for _, s := range p.names {
			if found := c.Node.FindParent(s); found != nil {
				return fmt.Errorf("%s cannot occur within %s> section", name, found.Name)
			}
		}
	}
	return nil
}

// Forbid is the mask of ap_check_cmd_context.
type Forbid uint8

// The ap_check_cmd_context bits.
const (
	NotInVirtualHost Forbid = 0x01
	NotInLimit       Forbid = 0x02
	NotInDirectory   Forbid = 0x04
	NotInLocation    Forbid = 0x08
	NotInFiles       Forbid = 0x10
	NotInHtaccess    Forbid = 0x20
	NotInProxy       Forbid = 0x40
	NotInDirLocFile         = NotInDirectory | NotInLocation | NotInFiles
	NotInDirContext         = NotInLimit | NotInDirLocFile | NotInProxy
	GlobalOnly              = NotInVirtualHost | NotInDirContext
)
