package confparse

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// DefaultServerRoot is the ServerRoot compiled into Debian's apache2
// (HTTPD_ROOT); -d and the ServerRoot directive override it.
const DefaultServerRoot = "/etc/apache2"

// DefaultConfigFile is Debian's SERVER_CONFIG_FILE, relative to ServerRoot.
const DefaultConfigFile = "apache2.conf"

// maxIncludeDepth is AP_MAX_INCLUDE_DEPTH.
const maxIncludeDepth = 128

// ReadOptions are the command-line inputs of reading a configuration, named
// after httpd's flags.
type ReadOptions struct {
	// ServerRoot is -d; empty means DefaultServerRoot.
	ServerRoot string
	// ConfigFile is -f; relative paths are taken from ServerRoot. Empty
	// means DefaultConfigFile.
	ConfigFile string
	// Defines are the -D names, in order.
	Defines []string
	// Before and After are the -C and -c directives.
	Before, After []string
	// Getenv looks up ${VAR} in the environment after the Defines; nil
	// means os.LookupEnv.
	Getenv func(string) (string, bool)
	// Registry knows the modules and directives; nil means Default().
	Registry *Registry
	// Notice receives the warnings Apache prints while reading.
	Notice func(Notice)
	// DumpIncludes, when set, receives the -D DUMP_INCLUDES listing.
	DumpIncludes io.Writer
	// MacroLines bounds the lines mod_macro's Use may produce (0: a
	// million).
	MacroLines int
}

// Tree is a configuration after the read phase: the directive tree with
// Include, Define and the <If*> conditionals resolved, and the state those
// left behind.
type Tree struct {
	Nodes []*Node
	// ServerRoot as it stood at the end of reading.
	ServerRoot string
	// ConfigFile is the absolute path of the main file.
	ConfigFile string
	// Defines lists the defined names in Apache's order (ap_server_config_defines).
	Defines []string
	// Vars holds the values given by Define NAME VALUE, under the first
	// spelling of NAME; look them up with Var, which ignores case.
	Vars map[string]string
	// Loaded lists the modules in load order: the static ones first.
	Loaded []LoadedModule
	// RuntimeDir is DefaultRuntimeDir, resolved ("" when unset).
	RuntimeDir string
	// macros are the mod_macro definitions left at the end of reading,
	// which .htaccess files may use.
	macros macroTable
}

// LoadedModule is a module made available by the configuration.
type LoadedModule struct {
	*Module
	// Path is the LoadModule file ("" for static modules).
	Path string
	// Known is false for a module gowsgid has no table for.
	Known bool
}

// IsLoaded reports whether a module, by identifier or file name, is loaded.
func (t *Tree) IsLoaded(name string) bool {
	for _, m := range t.Loaded {
		if m.ID == name || m.File == name {
			return true
		}
	}
	return false
}

// Read runs the read phase: it reads the main file and everything it
// includes, evaluates the read-time directives in file order, and returns
// the tree. Errors are *Error values in Apache's shapes.
func Read(opts ReadOptions) (*Tree, error) {
	r := newReader(opts)
	if err := r.readAll(); err != nil {
		return nil, err
	}
	return r.tree(), nil
}

type reader struct {
	opts       ReadOptions
	reg        *Registry
	serverRoot string
	defines    []string
	vars       map[string]string
	loaded     []LoadedModule
	runtimeDir string
	depth      int // nested Include levels
	// includeLine is the line of the latest Include, for DUMP_INCLUDES
	// (one value for all levels, as in Apache).
	includeLine int
	// htaccess reading: read-time directives must be allowed by override.
	htaccess bool
	override Override
	// overrideList is AllowOverrideList's directives, for a .htaccess
	// file.
	overrideList []string
	nodes        []*Node
	configFile   string
	macros       macroTable
}

func newReader(opts ReadOptions) *reader {
	r := &reader{opts: opts, reg: opts.Registry, vars: map[string]string{}}
	if r.reg == nil {
		r.reg = Default()
	}
	if r.opts.Getenv == nil {
		r.opts.Getenv = os.LookupEnv
	}
	r.serverRoot = opts.ServerRoot
	if r.serverRoot == "" {
		r.serverRoot = DefaultServerRoot
	}
	// Every -D is pushed, a repeated one too (Define pushes only a new
	// name): UnDefine then removes one copy, and -D DUMP_RUN_CFG lists
	// them all.
	r.defines = append(r.defines, opts.Defines...)
	for _, m := range r.reg.Modules() {
		if m.Static {
			r.loaded = append(r.loaded, LoadedModule{Module: m, Known: true})
		}
	}
	return r
}

func (r *reader) tree() *Tree {
	return &Tree{
		Nodes:      r.nodes,
		ServerRoot: r.serverRoot,
		ConfigFile: r.configFile,
		Defines:    r.defines,
		Vars:       r.vars,
		Loaded:     r.loaded,
		RuntimeDir: r.runtimeDir,
		macros:     r.macros,
	}
}

func (r *reader) notice(n Notice) {
	if r.opts.Notice != nil {
		r.opts.Notice(n)
	}
}

// readAll is ap_read_config's reading part: -C directives, the main file,
// -c directives.
func (r *reader) readAll() error {
	if r.opts.DumpIncludes != nil {
		fmt.Fprintln(r.opts.DumpIncludes, "Included configuration files:")
	}
	if err := r.readCommandLine(r.opts.Before); err != nil {
		return err
	}
	name := r.opts.ConfigFile
	if name == "" {
		name = DefaultConfigFile
	}
	r.configFile = r.rootRelative(name)
	nodes, err := r.readFile(r.configFile, 0)
	if err != nil {
		return err
	}
	r.nodes = append(r.nodes, nodes...)
	switch n := r.mpmsLoaded(); {
	case n == 0:
		return &Error{Phase: StartupPhase, Msg: "AH00534: {prog}: Configuration error: No MPM loaded."}
	case n > 1:
		return &Error{Phase: StartupPhase, Msg: "AH00534: {prog}: Configuration error: More than one MPM loaded."}
	}
	return r.readCommandLine(r.opts.After)
}

// readCommandLine reads -C/-c directives as Apache does: as the lines of a
// pseudo file whose errors are reported without a location.
func (r *reader) readCommandLine(lines []string) error {
	if len(lines) == 0 {
		return nil
	}
	src := &source{
		name: "-c/-C directives",
		lr:   newLinesReader("-c/-C directives", lines, maxConfLine),
	}
	nodes, err := r.build(src, "")
	if err != nil {
		return &Error{Phase: ReadPhase, Msg: "Syntax error in -C/-c directive: " + err.Message()}
	}
	r.nodes = append(r.nodes, nodes...)
	return nil
}

// rootRelative is ap_server_root_relative with ServerRoot as it stands
// now: relative paths are taken from it, and every path is cleaned
// lexically.
func (r *reader) rootRelative(p string) string { return serverRootRelative(r.serverRoot, p) }

// source is a file being read. A macro's expansion is read as part of
// it: Use pushes the expansion, which becomes the current name and line
// reader until its lines run out.
type source struct {
	name string
	lr   *lineReader
	// lastExec is the file's latest read-time directive (Apache's
	// parms->err_directive): where a read error of the file is
	// reported, nil before the first one.
	lastExec *Node
	// suspended are the readers an expansion interrupted, innermost last.
	suspended []suspendedSource
}

type suspendedSource struct {
	name string
	lr   *lineReader
}

// push makes text, named name, the next lines to read; the reading of
// what was current resumes when they run out.
func (s *source) push(name string, text []byte) {
	s.suspended = append(s.suspended, suspendedSource{s.name, s.lr})
	s.name, s.lr = name, newLineReader(name, text, s.lr.maxLine)
}

// next returns the next logical line of the current reader, going back to
// the one an expansion interrupted when it is done.
func (s *source) next() (text string, line int, ok bool, err error) {
	for {
		text, line, ok, err = s.lr.next()
		if ok || err != nil || len(s.suspended) == 0 {
			return text, line, ok, err
		}
		last := s.suspended[len(s.suspended)-1]
		s.suspended = s.suspended[:len(s.suspended)-1]
		s.name, s.lr = last.name, last.lr
	}
}

// readFile is ap_process_resource_config: open, build, and wrap any error
// with the location of the directive that caused it. includeLine is the
// line of the Include that named the file (0 for the main file).
func (r *reader) readFile(name string, includeLine int) ([]*Node, *Error) {
	data, err := readConfigFile(name)
	if err != nil {
		return nil, &Error{Phase: ReadPhase, Msg: fmt.Sprintf("Could not open configuration file %s: %s", name, err)}
	}
	if w := r.opts.DumpIncludes; w != nil {
		fmt.Fprint(w, strings.Repeat("  ", r.depth+1))
		if includeLine > 0 {
			fmt.Fprintf(w, "(%d)", includeLine)
		} else {
			fmt.Fprint(w, "(*)")
		}
		fmt.Fprintf(w, " %s\n", name)
	}
	src := &source{name: name, lr: newLineReader(name, data, maxConfLine)}
	return r.build(src, "")
}

// readConfigFile is ap_pcfg_openfile plus the read: only regular files
// (and /dev/null) are configuration files.
func readConfigFile(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, fmt.Errorf("%s", strerror(err))
	}
	if !fi.Mode().IsRegular() && name != "/dev/null" {
		return nil, fmt.Errorf("Bad file descriptor")
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s", strerror(err))
	}
	return data, nil
}

// build reads logical lines from src and builds nodes, the counterpart of
// ap_build_config (closeTag == "") and ap_build_cont_config (closeTag is
// the name of a true conditional section, like "<IfModule"). Sections
// opened here must be closed here.
func (r *reader) build(src *source, closeTag string) ([]*Node, *Error) {
	var top []*Node
	var parent *Node
	add := func(n *Node) {
		n.Parent = parent
		if parent != nil {
			parent.Children = append(parent.Children, n)
		} else {
			top = append(top, n)
		}
	}
	for {
		text, line, ok, err := src.next()
		if err != nil {
			if e := src.lastExec; e != nil {
				return nil, readErr(e.File, e.Line, "%s", err)
			}
			return nil, &Error{Phase: ReadPhase, Msg: err.Error()}
		}
		if !ok {
			break
		}
		if closeTag != "" && parent == nil && strings.HasPrefix(text, "</") &&
			strings.EqualFold(text[2:], closeTag[1:]+">") {
			return top, nil
		}
		if text == "" || text[0] == '#' {
			continue
		}
		text = r.substitute(text, src.name, line)
		if len(trimSpace([]byte(text))) == 0 {
			// ${VAR} made the line empty or blank: ap_getword_conf
			// finds no directive name, and ap_build_config_sub skips it.
			continue
		}
		pl, perr := parseLine(text)
		if perr != nil {
			return nil, readErr(src.name, line, "%s", perr)
		}
		if pl.Head == "" {
			continue
		}
		n := &Node{Name: pl.Head, Raw: pl.Raw, File: src.name, Line: line, args: pl.Args}
		d := r.lookupLoaded(pl.Head)
		if d != nil {
			n.Name = d.Name // Apache keeps the command's own spelling
		}
		if d != nil && d.Context&ExecOnRead != 0 {
			if e := r.htaccessCheck(d); e != nil {
				e.File, e.Line = n.File, n.Line
				return nil, e
			}
			n.Parent = parent
			src.lastExec = n
			sub, e := r.execOnRead(d, n, src)
			if e != nil {
				if e.Line == 0 {
					// Apache's err_directive is the read-time directive
					// unless something inside it set its own.
					e.File, e.Line = n.File, n.Line
				}
				return nil, e
			}
			for _, s := range sub {
				add(s)
			}
			continue
		}
		switch {
		case pl.Close && parent == nil:
			return nil, readErr(src.name, line, "%s without matching <%s section", pl.Head, pl.Head[2:])
		case pl.Close:
			if !strings.HasSuffix(pl.Head, ">") {
				return nil, readErr(src.name, line, "%s> directive missing closing '>'", pl.Head)
			}
			name := pl.Head[:len(pl.Head)-1]
			if !strings.EqualFold(name[2:], parent.Name[1:]) {
				return nil, readErr(src.name, line, "Expected </%s> but saw %s>", parent.Name[1:], name)
			}
			parent = parent.Parent
		case pl.Open:
			add(n)
			parent = n
		default:
			add(n)
		}
	}
	if parent != nil && closeTag == "" {
		var msgs []string
		var outer *Node
		for p := parent; p != nil; p = p.Parent {
			msgs = append(msgs, fmt.Sprintf("%s:%d: %s> was not closed.", p.File, p.Line, p.Name))
			outer = p
		}
		return nil, readErr(outer.File, outer.Line, "%s", strings.Join(msgs, "\n"))
	}
	return top, nil
}

// mpmsLoaded counts the MPM modules loaded, for ap_check_mpm: there
// must be one.
func (r *reader) mpmsLoaded() int {
	n := 0
	for _, m := range r.loaded {
		if _, ok := mpmDirectives[m.File]; ok {
			n++
		}
	}
	return n
}

// lookupLoaded finds a directive that is available: known to the registry
// and defined by a loaded module.
func (r *reader) lookupLoaded(name string) *Directive {
	d := r.reg.Lookup(name)
	if d == nil || !r.moduleLoaded(d) {
		return nil
	}
	return d
}

// moduleLoaded reports whether the module that defines d is loaded. MPM
// directives exist when an MPM that has them is loaded.
func (r *reader) moduleLoaded(d *Directive) bool {
	if mpms, ok := mpmOf(d.Name); ok {
		for _, m := range r.loaded {
			if slices.Contains(mpms, m.File) {
				return true
			}
		}
		return false
	}
	for _, m := range r.loaded {
		if m.File == d.Module || slices.Contains(d.Also, m.File) {
			return true
		}
	}
	return false
}

// substitute is ap_resolve_env over a whole logical line: ${NAME} takes a
// Define value, else the environment; an undefined name stays as written
// and is reported with AH00111 (unless it contains ':').
func (r *reader) substitute(line, file string, lineNo int) string {
	if !strings.Contains(line, "${") {
		return line
	}
	var b strings.Builder
	for {
		i := strings.Index(line, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(line[i+2:], '}')
		if j < 0 {
			break
		}
		name := line[i+2 : i+2+j]
		b.WriteString(line[:i])
		if v, ok := r.lookupVar(name); ok {
			b.WriteString(v)
		} else {
			if !strings.Contains(name, ":") {
				r.notice(Notice{Level: "warn", Module: "core", File: file, Line: lineNo,
					Text: fmt.Sprintf("AH00111: Config variable ${%s} is not defined", name)})
			}
			b.WriteString(line[i : i+3+j])
		}
		line = line[i+3+j:]
	}
	b.WriteString(line)
	return b.String()
}

// lookupVar is ap_resolve_env's lookup: a Define value, whatever the
// case of its name, else the environment (case-sensitive).
func (r *reader) lookupVar(name string) (string, bool) {
	if v, ok := lookupFold(r.vars, name); ok {
		return v, true
	}
	return r.opts.Getenv(name)
}

// Var is the value Define gave name, whatever its case (Apache keeps
// the values in an apr_table).
func (t *Tree) Var(name string) (string, bool) { return lookupFold(t.Vars, name) }

// lookupFold is apr_table_get on a map that holds each name in one
// spelling: the value of name, its case ignored.
func lookupFold(m map[string]string, name string) (string, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

func (r *reader) defined(name string) bool { return slices.Contains(r.defines, name) }
