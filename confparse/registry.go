package confparse

import (
	"sort"
	"strings"
)

// ArgShape says how a directive's arguments are split and counted. It mirrors
// Apache's cmd_how (include/http_config.h): the registry, not each handler,
// produces Apache's arity messages from it.
type ArgShape uint8

// The argument shapes, named after Apache's AP_INIT_* macros.
const (
	RawArgs  ArgShape = iota // the rest of the line, unsplit
	TakeArgv                 // up to 64 words, the handler checks the count
	NoArgs                   // nothing
	Take1                    // exactly one
	Take2                    // exactly two
	Take12                   // one or two
	Take3                    // exactly three
	Take23                   // two or three
	Take123                  // one to three
	Take13                   // one or three
	Iterate                  // one or more, handler called per word
	Iterate2                 // a first word and one or more, called per pair
	Flag                     // On or Off
)

var argShapeNames = [...]string{
	RawArgs: "RAW_ARGS", TakeArgv: "TAKE_ARGV", NoArgs: "NO_ARGS", Take1: "TAKE1",
	Take2: "TAKE2", Take12: "TAKE12", Take3: "TAKE3", Take23: "TAKE23",
	Take123: "TAKE123", Take13: "TAKE13", Iterate: "ITERATE", Iterate2: "ITERATE2",
	Flag: "FLAG",
}

func (a ArgShape) String() string {
	if int(a) < len(argShapeNames) {
		return argShapeNames[a]
	}
	return "ArgShape(?)"
}

// Override is a directive's req_override mask: where it may appear. The bit
// values are Apache's (include/http_config.h), so masks read from the httpd
// sources can be used unchanged.
type Override uint16

// The context bits.
const (
	OrLimit    Override = 1   // .htaccess with AllowOverride Limit
	OrOptions  Override = 2   // .htaccess with AllowOverride Options
	OrFileInfo Override = 4   // .htaccess with AllowOverride FileInfo
	OrAuthCfg  Override = 8   // .htaccess with AllowOverride AuthConfig
	OrIndexes  Override = 16  // .htaccess with AllowOverride Indexes
	OrUnset    Override = 32  // not set (AllowOverride default)
	AccessConf Override = 64  // inside <Directory>, <Location>, <Files>, <If>
	RsrcConf   Override = 128 // outside them: server config and <VirtualHost>
	ExecOnRead Override = 256 // run while the tree is read
	// NonfatalOverride and NonfatalUnknown are AllowOverride's
	// Nonfatal=Override and Nonfatal=Unknown: a .htaccess directive the
	// override refuses, or one no module defines, is skipped with a
	// warning instead of failing the request.
	NonfatalOverride Override = 512
	NonfatalUnknown  Override = 1024
	ProxyConf        Override = 2048 // inside <Proxy> (mod_proxy's PROXY_CONF)
	OrAll                     = OrLimit | OrOptions | OrFileInfo | OrAuthCfg | OrIndexes
)

// Status is how far gowsgid implements a directive.
type Status uint8

// The statuses, from most to least done.
const (
	// NotImplemented: a directive of a real Apache module that gowsgid parses,
	// checks like Apache and reports (configtest, start-up warning, --strict).
	NotImplemented Status = iota
	// NoEffect: accepted and checked; it has nothing to do in gowsgid
	// (WSGISocketPrefix, Mutex, StartServers, ...). Doc says why.
	NoEffect
	// Implemented: gowsgid does what Apache does with it.
	Implemented
)

func (s Status) String() string {
	switch s {
	case Implemented:
		return "implemented"
	case NoEffect:
		return "no effect"
	default:
		return "not implemented"
	}
}

// Directive is one registry entry: everything Apache knows about a directive
// (name, module, argument shape, allowed contexts, help text) plus how far
// gowsgid implements it and the function that checks and applies it.
type Directive struct {
	// Name is the canonical spelling; sections keep their leading '<'
	// ("<Directory"), as in Apache's command table.
	Name string
	// Module is the source file name of the module that defines it, as
	// Apache's <IfModule> and -L know it ("core.c", "mod_alias.c").
	Module string
	// Also lists other modules that define a directive of the same name
	// (ScriptLog is both mod_cgi's and mod_cgid's).
	Also []string
	Args ArgShape
	// Context is the req_override mask.
	Context Override
	// Usage is Apache's help text, appended to arity messages.
	Usage string

	Status Status
	// Note explains a NoEffect or NotImplemented status (docs, configtest).
	Note string
	// Apply checks the arguments and records their meaning in the config.
	// It is nil for directives that are only validated generically.
	Apply ApplyFunc
}

// IsSection reports whether the directive opens a section (<Name ...>).
func (d *Directive) IsSection() bool { return strings.HasPrefix(d.Name, "<") }

// Module describes one Apache module as gowsgid knows it.
type Module struct {
	// ID is the module's identifier ("alias_module"), used by LoadModule and
	// <IfModule alias_module>.
	ID string
	// File is the module's source file name ("mod_alias.c"), used by
	// <IfModule mod_alias.c> and in directive listings.
	File string
	// Static modules are compiled into Debian's apache2 binary: always
	// loaded, and LoadModule of them is an error.
	Static bool
}

// Registry is the set of modules and directives gowsgid knows. It is built
// once and read-only afterwards, so it is safe for concurrent use.
type Registry struct {
	modules    []*Module
	moduleByID map[string]*Module
	moduleFile map[string]*Module
	directives map[string]*Directive // lower-cased name → entry
}

// NewRegistry builds a registry from module and directive lists. A second
// entry with the name of an earlier one records its module in the first
// entry's Also.
func NewRegistry(modules []Module, directives []Directive) *Registry {
	r := &Registry{
		moduleByID: make(map[string]*Module, len(modules)),
		moduleFile: make(map[string]*Module, len(modules)),
		directives: make(map[string]*Directive, len(directives)),
	}
	for i := range modules {
		m := &modules[i]
		r.modules = append(r.modules, m)
		r.moduleByID[m.ID] = m
		r.moduleFile[m.File] = m
	}
	for i := range directives {
		d := directives[i]
		key := strings.ToLower(d.Name)
		if prev, ok := r.directives[key]; ok {
			prev.Also = append(prev.Also, d.Module)
			continue
		}
		r.directives[key] = &d
	}
	return r
}

// Lookup finds a directive by name, case-insensitively as Apache does.
func (r *Registry) Lookup(name string) *Directive {
	return r.directives[strings.ToLower(name)]
}

// ModuleByID finds a module by identifier ("alias_module").
func (r *Registry) ModuleByID(id string) *Module { return r.moduleByID[id] }

// ModuleByFile finds a module by source file name ("mod_alias.c").
func (r *Registry) ModuleByFile(file string) *Module { return r.moduleFile[file] }

// Modules lists the known modules in registry order.
func (r *Registry) Modules() []*Module { return r.modules }

// Directives lists every directive sorted by module, then name.
func (r *Registry) Directives() []*Directive {
	out := make([]*Directive, 0, len(r.directives))
	for _, d := range r.directives {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Module != out[j].Module {
			return out[i].Module < out[j].Module
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}
