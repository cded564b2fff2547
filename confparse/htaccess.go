package confparse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Htaccess is a parsed .htaccess file: its per-directory configuration and
// the <Files> sections in it.
type Htaccess struct {
	Dir   *DirConfig
	Files []*Section
}

// ReadHtaccess is ap_parse_htaccess for one file: it reads path with the
// overrides AllowOverride grants for its directory (allowed, and the
// options allowedOpts that Options may name) and the directives
// AllowOverrideList names (allowedList, in lower case), and returns the
// configuration, or the error Apache logs (the message alone, without a
// location: Apache prints "<path>: <message>" at alert level and answers
// 500).
func ReadHtaccess(cfg *Config, path string, allowed Override, allowedOpts int, allowedList []string) (*Htaccess, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t := cfg.Tree
	r := &reader{
		opts:         ReadOptions{Getenv: os.LookupEnv},
		reg:          cfg.registry,
		serverRoot:   t.ServerRoot,
		defines:      t.Defines,
		vars:         t.Vars,
		loaded:       t.Loaded,
		htaccess:     true,
		override:     allowed,
		overrideList: allowedList,
		macros:       t.macros,
	}
	r.macros.shared = true
	r.macros.expanded = 0 // the file's own budget
	if r.reg == nil {
		r.reg = Default()
	}
	src := &source{name: path, lr: newLineReader(path, data, maxHtaccessLine)}
	nodes, perr := r.build(src, "")
	if perr != nil {
		return nil, errors.New(perr.Innermost().Msg)
	}
	dir := filepath.Dir(path) + "/"
	ht := &Htaccess{Dir: &DirConfig{}}
	sec := &Section{Kind: SectionDirectory, Path: dir, Dir: ht.Dir}
	w := &walker{reg: r.reg, cfg: cfg, tree: t, htaccess: true}
	sc := scope{override: allowed, overrideList: allowedList, server: cfg.Main, section: sec, path: dir, inPath: true, htaccess: true,
		overrideOpts: allowedOpts}
	if err := w.walk(nodes, sc); err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return nil, errors.New(ce.Message())
		}
		return nil, err
	}
	for _, n := range sec.Nested {
		if n.Kind == SectionFiles {
			ht.Files = append(ht.Files, n)
		}
	}
	return ht, nil
}

// htaccessCheck is invoke_cmd's override test for a read-time directive
// met in a .htaccess file.
func (r *reader) htaccessCheck(d *Directive) *Error {
	if r.htaccess && r.override&d.Context == 0 && !overrideListed(r.overrideList, d) {
		return &Error{Phase: ReadPhase, Msg: fmt.Sprintf("%s not allowed here", d.Name)}
	}
	return nil
}
