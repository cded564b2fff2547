package confparse

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// execOnRead runs a directive Apache marks EXEC_ON_READ while the tree is
// built, and returns the nodes that take its place: the body of a true
// conditional, the contents of an included file, or nothing.
func (r *reader) execOnRead(d *Directive, n *Node, src *source) ([]*Node, *Error) {
	args, err := arity(d, n.Raw, n.args)
	if err != nil {
		return nil, &Error{Phase: ReadPhase, Msg: err.Error()}
	}
	fail := func(format string, a ...any) ([]*Node, *Error) {
		return nil, &Error{Phase: ReadPhase, Msg: fmt.Sprintf(format, a...)}
	}
	switch strings.ToLower(d.Name) {
	case "include", "includeoptional":
		return r.include(n, args[0], strings.EqualFold(d.Name, "IncludeOptional"))
	case "define":
		if strings.Contains(args[0], ":") {
			return fail("Variable name must not contain ':'")
		}
		if !r.defined(args[0]) {
			r.defines = append(r.defines, args[0])
		}
		if len(args) > 1 {
			// The values are an apr_table: a name in another case
			// replaces the value, and keeps the first spelling.
			key := args[0]
			for k := range r.vars {
				if strings.EqualFold(k, key) {
					key = k
					break
				}
			}
			r.vars[key] = args[1]
		}
		return nil, nil
	case "undefine":
		if strings.Contains(args[0], ":") {
			return fail("Variable name must not contain ':'")
		}
		for i, name := range r.defines {
			if name == args[0] {
				// Apache moves the last entry into the hole.
				last := len(r.defines) - 1
				r.defines[i] = r.defines[last]
				r.defines = r.defines[:last]
				break
			}
		}
		// The defined name goes as spelled (<IfDefine> is
		// case-sensitive), its value in any case (apr_table_unset).
		for k := range r.vars {
			if strings.EqualFold(k, args[0]) {
				delete(r.vars, k)
			}
		}
		return nil, nil
	case "serverroot":
		// GLOBAL_ONLY never fails while reading: the server is still the
		// main one and there is no section path yet.
		abs, err := filepath.Abs(args[0])
		if err != nil || !isDir(abs) {
			return fail("ServerRoot must be a valid directory")
		}
		r.serverRoot = abs
		return nil, nil
	case "defaultruntimedir":
		dir := r.rootRelative(args[0])
		if !isDir(dir) {
			return fail("DefaultRuntimeDir must be a valid directory, absolute or relative to ServerRoot")
		}
		r.runtimeDir = filepath.Clean(dir)
		return nil, nil
	case "loadmodule":
		return nil, r.loadModule(args[0], args[1])
	case "loadfile":
		for _, f := range args {
			full := r.rootRelative(f)
			if _, err := os.Stat(full); err != nil {
				return nil, &Error{Phase: ReadPhase, Msg: dsoLoadError(f, full, err)}
			}
		}
		return nil, nil
	case "<ifmodule", "<ifdefine", "<iffile", "<ifdirective", "<ifsection":
		return r.condSection(d, n, src)
	case "<ifversion":
		return r.ifVersion(d, n, args, src)
	case "<macro":
		return nil, macroErr(r.defineMacro(n, src))
	case "use":
		return nil, macroErr(r.useMacro(n, src))
	case "undefmacro":
		return nil, macroErr(r.undefMacro(args[0]))
	case "macroignoreemptyargs":
		r.macros.ignoreEmpty = true
		return nil, nil
	case "macroignorebadnesting":
		r.macros.ignoreBadNesting = true
		return nil, nil
	}
	// A read-time directive gowsgid has no read-time meaning for (mod_lua's
	// hooks, mod_remoteip's PROXY protocol switch): it stays in the tree,
	// already checked, for the walk to apply or report.
	n.readTime = true
	return []*Node{n}, nil
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// loadModule is mod_so's LoadModule. gowsgid loads no shared objects: a
// module it knows becomes available whatever the file, so a configuration
// written for a machine with Apache installed checks the same on one
// without it; an unknown module needs its file to exist, as in Apache.
func (r *reader) loadModule(id, file string) *Error {
	for _, m := range r.loaded {
		if m.ID == id && !m.Static {
			r.notice(Notice{Level: "warn", Module: "so",
				Text: fmt.Sprintf("AH01574: module %s is already loaded, skipping", id)})
			return nil
		}
	}
	for _, m := range r.loaded {
		if m.Static && strings.HasPrefix(m.File, "mod_") &&
			strings.TrimSuffix(strings.TrimPrefix(m.File, "mod_"), ".c")+"_module" == id {
			return &Error{Phase: ReadPhase, Msg: fmt.Sprintf("module %s is built-in and can't be loaded", id)}
		}
	}
	full := r.rootRelative(file)
	_, statErr := os.Stat(full)
	if statErr == nil {
		if msg := checkModuleFile(id, file, full); msg != "" {
			return &Error{Phase: ReadPhase, Msg: msg}
		}
	}
	if m := r.reg.ModuleByID(id); m != nil {
		// A module gowsgid knows needs no file: a machine without
		// Apache (a CI runner) checks a Debian tree too.
		r.loaded = append(r.loaded, LoadedModule{Module: m, Path: full, Known: true})
		return nil
	}
	if statErr != nil {
		return &Error{Phase: ReadPhase, Msg: dsoLoadError(file, full, statErr)}
	}
	r.loaded = append(r.loaded, LoadedModule{Module: &Module{ID: id, File: id}, Path: full})
	return nil
}

// dsoLoadError is mod_so's dso_load failure for file as the directive
// names it: dlopen's message names the path it tried last, full (file
// relative to ServerRoot, cleaned) or, for a name without '/', which
// dso_load tries again through the library search path, file.
func dsoLoadError(file, full string, err error) string {
	tried := full
	if !strings.Contains(file, "/") {
		tried = file
	}
	return fmt.Sprintf("Cannot load %s into server: %s: cannot open shared object file: %s", file, tried, strerror(err))
}

// condSection is core's start_cond_section for <IfModule>, <IfDefine>,
// <IfFile>, <IfDirective> and <IfSection>.
func (r *reader) condSection(d *Directive, n *Node, src *source) ([]*Node, *Error) {
	arg, ok := n.SectionArg()
	if !ok {
		return nil, &Error{Phase: ReadPhase, Msg: d.Name + "> directive missing closing '>'"}
	}
	not := strings.HasPrefix(arg, "!")
	if not {
		arg = arg[1:]
	}
	words := SplitWords(arg)
	if len(words) == 0 || words[0] == "" {
		return nil, &Error{Phase: ReadPhase, Msg: d.Name + "> directive requires additional arguments"}
	}
	var result bool
	switch strings.ToLower(d.Name) {
	case "<ifmodule":
		result = r.moduleAvailable(words[0])
	case "<ifdefine":
		result = r.defined(words[0])
	case "<iffile":
		_, err := os.Stat(r.rootRelative(words[0]))
		result = err == nil
	case "<ifdirective":
		result = r.lookupLoaded(words[0]) != nil
	case "<ifsection":
		result = r.lookupLoaded("<"+words[0]) != nil
	}
	return r.conditional(d, result != not, src)
}

// moduleAvailable is find_module: a loaded module by source file name or
// identifier, matched case-sensitively.
func (r *reader) moduleAvailable(name string) bool {
	for _, m := range r.loaded {
		if m.File == name || m.ID == name {
			return true
		}
	}
	return false
}

// conditional reads the body of a conditional section: built in place when
// the test holds, skipped (only section tags checked) when it does not.
func (r *reader) conditional(d *Directive, holds bool, src *source) ([]*Node, *Error) {
	if holds {
		return r.build(src, d.Name)
	}
	if msg := soak(src, d.Name); msg != "" {
		return nil, &Error{Phase: ReadPhase, Msg: msg}
	}
	return nil, nil
}

// soak is ap_soak_end_container: skip lines up to the close of section,
// without substitution, checking only that section tags nest.
func soak(src *source, section string) string {
	for {
		text, _, ok, err := src.next()
		if err != nil {
			return err.Error()
		}
		if !ok {
			return fmt.Sprintf("Expected </%s> before end of configuration", section[1:])
		}
		if text == "" {
			continue
		}
		w, end := getWordConf(text, 0)
		if !strings.HasPrefix(w, "<") {
			continue
		}
		if strings.HasPrefix(w, "</") {
			w = w[:len(w)-1] // Apache drops the last byte, whatever it is
			name := ""
			if len(w) > 2 {
				name = w[2:]
			}
			if !strings.EqualFold(name, section[1:]) {
				return fmt.Sprintf("Expected </%s> but saw %s>", section[1:], w)
			}
			return ""
		}
		if skipSpace(text, end) >= len(text) && strings.HasSuffix(w, ">") {
			w = w[:len(w)-1]
		}
		if msg := soak(src, w); msg != "" {
			return msg
		}
	}
}

// ifVersion is mod_version's <IfVersion [[!]op] version>, answered as the
// Apache release gowsgid stands in for (ApacheVersion).
func (r *reader) ifVersion(d *Directive, n *Node, args []string, src *source) ([]*Node, *Error) {
	fail := func(msg string) ([]*Node, *Error) { return nil, &Error{Phase: ReadPhase, Msg: msg} }
	a1 := args[0]
	a2, a3 := "", ""
	has2, has3 := len(args) > 1, len(args) > 2
	if has2 {
		a2 = args[1]
	}
	if has3 {
		a3 = args[2]
	}
	if !has2 {
		a2, a1, has2 = a1, "=", true
	}
	if !has3 && a2 == ">" {
		a3, has3 = ">", true
		a2, a1 = a1, "="
	}
	end := len(a2)
	if end == 0 || (!(has3 && a3 == ">") && a2[end-1] != '>') {
		return fail(d.Name + "> directive missing closing '>'")
	}
	if !(has3 && a3 == ">") {
		end-- // the '>' ends the version
	}
	reverse := false
	p := a1
	if strings.HasPrefix(p, "!") {
		reverse = true
		if len(p) > 1 {
			p = p[1:]
		}
	}
	c := p[0]
	p = p[1:]
	if !(p == "" || (p == "=" && c != '~')) {
		return fail(fmt.Sprintf("unrecognized operator '%s'", a1))
	}
	version := a2[:end]
	var match bool
	switch c {
	case '=':
		if !strings.HasPrefix(version, "/") {
			cmp, ok := compareVersion(version)
			if !ok {
				return fail(versionFormatError)
			}
			match = cmp == 0
			break
		}
		version = version[1:]
		if version == "" || !strings.HasSuffix(version, "/") {
			return fail("Missing delimiting / of regular expression.")
		}
		version = version[:len(version)-1]
		fallthrough
	case '~':
		re, err := compilePOSIX(version)
		if err != nil {
			return fail("Unable to compile regular expression")
		}
		match = re.MatchString(ApacheVersion)
	case '<', '>':
		cmp, ok := compareVersion(version)
		if !ok {
			return fail(versionFormatError)
		}
		want := -1
		if c == '>' {
			want = 1
		}
		match = cmp == want || (p != "" && cmp == 0)
	default:
		return fail(fmt.Sprintf("unrecognized operator '%s'", a1))
	}
	return r.conditional(d, match != reverse, src)
}

// ApacheVersion is the httpd release gowsgid answers as, to <IfVersion>
// and in Server banners: Debian 12's apache2.
const ApacheVersion = "2.4.71"

const versionFormatError = "Version appears to be invalid. It must have the format major[.minor[.patch]] where major, minor and patch are numbers."

// compareVersion is mod_version's compare_version: missing components are
// 0, so "2.4" is older than 2.4.71.
func compareVersion(v string) (int, bool) {
	if v == "" || v[0] < '0' || v[0] > '9' {
		return 0, false
	}
	parts := strings.SplitN(v, ".", 3)
	var want [3]int
	for i, p := range parts {
		for _, ch := range p {
			if ch < '0' || ch > '9' {
				return 0, false
			}
		}
		want[i], _ = strconv.Atoi(p)
	}
	var have [3]int
	for i, p := range strings.SplitN(ApacheVersion, ".", 3) {
		have[i], _ = strconv.Atoi(p)
	}
	for i := range have {
		switch {
		case have[i] > want[i]:
			return 1, true
		case have[i] < want[i]:
			return -1, true
		}
	}
	return 0, true
}
