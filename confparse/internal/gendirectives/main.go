// Command gendirectives generates confparse/apache_table.go, the table of
// every Apache httpd directive and module that Debian 12's apache2 package
// (plus libapache2-mod-wsgi-py3) provides: apacheDirectives, apacheModules
// and mpmDirectives.
//
// It reads:
//
//   - the httpd 2.4 source tree (-httpd): every command table, i.e. the
//     AP_INIT_<SHAPE>("Name", func, data, mask, "help") entries of the .c
//     files, including those produced by macros (LISTEN_COMMANDS,
//     AP_GRACEFUL_SHUTDOWN_TIMEOUT_COMMAND, mod_ssl's SSL_CMD_*, ...), which
//     it expands with a small C preprocessor of its own. The argument shape
//     is the args_how that the AP_INIT_ macro's definition in
//     include/http_config.h stores (AP_INIT_NO_ARGS stores RAW_ARGS); the
//     mask is evaluated with the #defines of the headers and the file;
//   - the mod_wsgi source tree (-modwsgi), the same way;
//   - the directive list printed by `apache2 -L` with every Debian module
//     loaded (-tsv): it is authoritative for which directives exist, their
//     module and their help text; the raw -L output (-lraw) restores help
//     texts the TSV shortened;
//   - /etc/apache2/mods-available/*.load (-mods) for the loadable modules,
//     and the .so files (-modlib) to check each module's source file name;
//   - registry.go (-registry) for the names of the Override constants.
//
// Directives that Debian's binary (2.4.71) has but the 2.4.63 source lacks
// come from the supplement table below; source facts the binary changed are
// fixed by the corrections table. Both were checked with the real apache2.
// With -elfcheck (the default) every emitted directive is finally compared
// with the command_rec tables read from /usr/sbin/apache2 and the .so files.
//
// For each TSV row it emits a Directive (name, module, argument shape,
// req_override mask, help text) in TSV order, then the directives only the
// prefork or worker MPM provides. Differences between the sources, the TSV
// and the binaries are reported on stderr (-v lists every item). It exits
// non-zero, listing them, if a TSV directive cannot be matched to a source
// entry, and then does not write its output.
//
// Run it from the module root:
//
//	cd /work/main && go run ./confparse/internal/gendirectives
//
// Its output is confparse/apache_table.go (-o). It uses only the standard
// library.
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/constant"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	flagHTTPD    = flag.String("httpd", "/tmp/src/httpd", "httpd 2.4 source tree")
	flagModWSGI  = flag.String("modwsgi", "/tmp/src/modwsgi", "mod_wsgi source tree")
	flagTSV      = flag.String("tsv", "/work/shared/spec/apache-directives-debian.tsv", "directive list from apache2 -L (directive, module, allowed_in, description)")
	flagLRaw     = flag.String("lraw", "/work/shared/spec/apache2-L-all-debian-modules.txt", "raw apache2 -L output the TSV came from (its help texts are used where the TSV lost newlines or trailing spaces; empty to skip)")
	flagMods     = flag.String("mods", "/etc/apache2/mods-available", "directory of Debian's *.load files")
	flagModLib   = flag.String("modlib", "/usr/lib/apache2/modules", "directory of the module .so files (used to check module file names; skipped if absent)")
	flagApache2  = flag.String("apache2", "/usr/sbin/apache2", "the apache2 binary (static modules' command tables, for -elfcheck)")
	flagELF      = flag.Bool("elfcheck", true, "cross-check every directive against the command_rec tables read from apache2 and the module .so files")
	flagRegistry = flag.String("registry", "confparse/registry.go", "registry.go, read for the names of the Override constants")
	flagOut      = flag.String("o", "confparse/apache_table.go", "output file")
	flagVerbose  = flag.Bool("v", false, "report every difference, not only a summary")
)

// staticModules are the modules compiled into Debian's apache2, in the order
// `apache2 -l` prints them.
var staticModules = []struct{ ID, File string }{
	{"core_module", "core.c"},
	{"so_module", "mod_so.c"},
	{"watchdog_module", "mod_watchdog.c"},
	{"http_module", "http_core.c"},
	{"log_config_module", "mod_log_config.c"},
	{"logio_module", "mod_logio.c"},
	{"version_module", "mod_version.c"},
	{"unixd_module", "mod_unixd.c"},
}

// mpmFiles are the MPMs Debian ships, event first: a directive several MPMs
// share is attributed to the first one providing it.
var mpmFiles = []string{"event.c", "prefork.c", "worker.c"}

// supplement holds command-table entries that Debian's binary (2.4.71) has
// but the source trees given to the generator (httpd 2.4.63-dev) lack. Each
// is taken from the newer upstream source named in its comment and was
// checked against the installed apache2: the arity message with 0 and 2
// arguments, the context with apache2 -L and a <Directory> test. Macro names
// a macro whose expansion gains the entry (so every table using it does),
// File the source file whose table does.
var supplement = []struct {
	Macro, File string
	Shape, Mask string
	Name, Help  string
}{
	// include/ap_listen.h LISTEN_COMMANDS, httpd 2.4.x after 2.4.63.
	{Macro: "LISTEN_COMMANDS", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "ListenTCPDeferAccept", Help: "Value set for the socket option TCP_DEFER_ACCEPT if it is set"},
	// modules/ssl/mod_ssl.c SSL_CMD_SRV(VHostSNIPolicy, TAKE1, ...), 2.4.64.
	{File: "mod_ssl.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "SSLVHostSNIPolicy", Help: "SSL VirtualHost SNI compatibility policy setting"},
	// modules/core/mod_macro.c (httpd trunk, backported): NO_ARGS,
	// EXEC_ON_READ | OR_ALL. EXEC_ON_READ checked: MacroIgnoreEmptyArgs
	// silences the empty-argument warning of a later Use.
	{File: "mod_macro.c", Shape: "NO_ARGS", Mask: "EXEC_ON_READ | OR_ALL",
		Name: "MacroIgnoreEmptyArgs", Help: "Globally ignore warnings about empty arguments."},
	{File: "mod_macro.c", Shape: "NO_ARGS", Mask: "EXEC_ON_READ | OR_ALL",
		Name: "MacroIgnoreBadNesting", Help: "Globally ignore warnings about bad nesting."},
	// modules/http2/h2_config.c (icing/mod_h2 2.0.3x).
	{File: "h2_config.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "H2MaxHeaderBlockLen", Help: "maximum number of bytes in a response header block"},
	{File: "h2_config.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "H2MaxStreamErrors", Help: "maximum number of flow control errors tolerated"},
	// modules/md/mod_md_config.c (icing/mod_md 2.5/2.6).
	{File: "mod_md_config.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "MDHttpProxyCACertificateFile", Help: "Set the CA file to use for connections to the HTTP(S) proxy"},
	{File: "mod_md_config.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "MDInitialDelay", Help: "How long to delay the first certificate check."},
	{File: "mod_md_config.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "MDProfile", Help: "The name of an CA profile to order certificates for."},
	{File: "mod_md_config.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "MDProfileMandatory", Help: "Determines if a configured CA profile is mandatory."},
	{File: "mod_md_config.c", Shape: "TAKE1", Mask: "RSRC_CONF",
		Name: "MDRenewViaARI", Help: "Enable/Disable ACME ARI (RFC 9773) to trigger renewals."},
}

// corrections change the mask of source entries whose Debian binary
// (2.4.71) differs from the source tree given to the generator. Each was
// observed in the binary: the command_rec read from the .so (see -elfcheck)
// and a behaviour test.
var corrections = []struct {
	File, Name, Mask, Why string
}{
	// The 2.4.63 source has RSRC_CONF | EXEC_ON_READ; in Debian's
	// mod_remoteip.so req_override is 128, and `DocumentRoot` (no argument)
	// followed by `RemoteIPTrustedProxyList` (no argument) fails on the
	// DocumentRoot line, i.e. the list directive is not run while reading.
	{File: "mod_remoteip.c", Name: "RemoteIPTrustedProxyList", Mask: "RSRC_CONF", Why: "not EXEC_ON_READ in Debian's mod_remoteip.so"},
	{File: "mod_remoteip.c", Name: "RemoteIPInternalProxyList", Mask: "RSRC_CONF", Why: "not EXEC_ON_READ in Debian's mod_remoteip.so"},
}

// Apache's cmd_how names and the Go ArgShape constants of registry.go.
var shapeGo = map[string]string{
	"RAW_ARGS": "RawArgs", "TAKE_ARGV": "TakeArgv", "NO_ARGS": "NoArgs",
	"TAKE1": "Take1", "TAKE2": "Take2", "TAKE12": "Take12", "TAKE3": "Take3",
	"TAKE23": "Take23", "TAKE123": "Take123", "TAKE13": "Take13",
	"ITERATE": "Iterate", "ITERATE2": "Iterate2", "FLAG": "Flag",
}

// req_override bits (include/http_config.h).
const (
	orLimit     = 1
	orOptions   = 2
	orFileInfo  = 4
	orAuthCfg   = 8
	orIndexes   = 16
	orUnset     = 32
	accessConf  = 64
	rsrcConf    = 128
	execOnRead  = 256
	nonfatalOvr = 512
	nonfatalUnk = 1024
	proxyConf   = 2048
	orAll       = orLimit | orOptions | orFileInfo | orAuthCfg | orIndexes
)

// apacheBitNames names the bits for the report, as Apache spells them.
var apacheBitNames = []struct {
	bit  int
	name string
}{
	{rsrcConf, "RSRC_CONF"}, {accessConf, "ACCESS_CONF"}, {orLimit, "OR_LIMIT"},
	{orOptions, "OR_OPTIONS"}, {orFileInfo, "OR_FILEINFO"}, {orAuthCfg, "OR_AUTHCFG"},
	{orIndexes, "OR_INDEXES"}, {orUnset, "OR_UNSET"}, {execOnRead, "EXEC_ON_READ"},
	{nonfatalOvr, "NONFATAL_OVERRIDE"}, {nonfatalUnk, "NONFATAL_UNKNOWN"},
	{proxyConf, "PROXY_CONF"},
}

func main() {
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: gendirectives [flags]\n\nWrites %s from the httpd and mod_wsgi sources and Debian's apache2 -L list.\n\n", *flagOut)
		flag.PrintDefaults()
	}
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gendirectives:", err)
		os.Exit(1)
	}
}

// ---------------------------------------------------------------------------
// C sources

type macro struct {
	name     string
	funcLike bool
	params   []string
	body     string
	file     string
}

type cfile struct {
	path, base string
	code       string // comments blanked, preprocessor lines blanked
	macros     map[string]*macro
	allDefs    []*macro        // every #define, in order (both #if branches)
	redefined  map[string]bool // defined twice with different bodies
}

// entry is one command_rec entry found in a source file.
type entry struct {
	Name     string
	Shape    string // RAW_ARGS, TAKE1, ...: the args_how Apache stores
	Macro    string // the AP_INIT_ suffix written in the source
	MaskExpr string
	Mask     int
	MaskErr  error
	Help     string
	HelpOK   bool
	File     string // base name of the .c file holding the table
	Path     string
	Line     int
	Via      string // macro chain it came through, if any
}

func (e *entry) where() string {
	s := fmt.Sprintf("%s:%d", e.Path, e.Line)
	if e.Via != "" {
		s += " via " + e.Via
	}
	return s
}

type source struct {
	files   []*cfile
	headers map[string]*macro // first definition in any .h
	hdrConf map[string]bool   // header macros defined differently in several headers
	cmdMac  map[string]bool   // macros whose expansion contains AP_INIT_
	entries []*entry
	byName  map[string][]*entry // lower-cased name
	mods    map[string][]string // module ID → source base names declaring it
	// initHow maps an AP_INIT_ suffix to the args_how its definition in
	// include/http_config.h really stores (AP_INIT_NO_ARGS stores RAW_ARGS).
	initHow map[string]string
}

func loadSources(roots []string) (*source, error) {
	s := &source{
		headers: map[string]*macro{},
		hdrConf: map[string]bool{},
		cmdMac:  map[string]bool{},
		byName:  map[string][]*entry{},
		mods:    map[string][]string{},
		initHow: map[string]string{},
	}
	var cpaths, hpaths []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "srclib", "docs":
					return filepath.SkipDir
				}
				return nil
			}
			switch filepath.Ext(p) {
			case ".c":
				cpaths = append(cpaths, p)
			case ".h":
				hpaths = append(hpaths, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Headers first, so that include/ wins over module-private headers only
	// by walk order; conflicts are recorded and reported when used.
	sort.SliceStable(hpaths, func(i, j int) bool {
		return strings.Contains(hpaths[i], "/include/") && !strings.Contains(hpaths[j], "/include/")
	})
	for _, p := range hpaths {
		f, err := readCFile(p)
		if err != nil {
			return nil, err
		}
		for _, m := range f.allDefs {
			sm := initRe.FindStringSubmatch(m.name)
			if sm == nil || !m.funcLike || !strings.HasPrefix(m.body, "{") {
				continue
			}
			fields, _, err := splitArgs("("+strings.TrimSuffix(strings.TrimPrefix(m.body, "{"), "}")+")", 0)
			if err != nil || len(fields) != 6 {
				return nil, fmt.Errorf("%s: cannot read the args_how of %s", p, m.name)
			}
			how := strings.TrimSpace(fields[4])
			if old, ok := s.initHow[sm[1]]; ok && old != how {
				return nil, fmt.Errorf("%s: %s stores %s in one definition and %s in another", p, m.name, old, how)
			}
			s.initHow[sm[1]] = how
		}
		for n, m := range f.macros {
			if old, ok := s.headers[n]; ok {
				if normSpace(old.body) != normSpace(m.body) || old.funcLike != m.funcLike {
					s.hdrConf[n] = true
				}
				continue
			}
			s.headers[n] = m
		}
	}
	modRe := regexp.MustCompile(`(?m)(?:AP_DECLARE_MODULE\s*\(\s*(\w+)\s*\)|^\s*(?:[A-Z_]+_DECLARE_DATA\s+)?module\s+(?:[A-Z_]+_DECLARE_DATA\s+)?(\w+)\s*=)`)
	for _, p := range cpaths {
		f, err := readCFile(p)
		if err != nil {
			return nil, err
		}
		s.files = append(s.files, f)
		for _, m := range modRe.FindAllStringSubmatch(f.code, -1) {
			id := m[2]
			if m[1] != "" {
				id = m[1] + "_module"
			}
			s.mods[id] = appendUniq(s.mods[id], f.base)
		}
	}
	s.computeCmdMacros()
	for _, f := range s.files {
		s.scanFile(f)
	}
	if len(s.initHow) == 0 {
		return nil, errors.New("no AP_INIT_* definitions found (include/http_config.h)")
	}
	for _, c := range corrections {
		n := 0
		for _, e := range s.entries {
			if e.File == c.File && e.Name == c.Name {
				old := e.MaskExpr
				e.MaskExpr = c.Mask
				e.Mask, e.MaskErr = s.evalInt(nil, c.Mask)
				e.Via = strings.TrimPrefix(e.Via+"; ", "; ") + "corrected from " + old + ": " + c.Why
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("correction %s (%s) matches no source entry", c.Name, c.File)
		}
	}
	for _, e := range s.entries {
		k := strings.ToLower(e.Name)
		s.byName[k] = append(s.byName[k], e)
	}
	return s, nil
}

func appendUniq(l []string, v string) []string {
	for _, x := range l {
		if x == v {
			return l
		}
	}
	return append(l, v)
}

func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// readCFile strips comments, collects #defines and blanks preprocessor lines
// (newlines are kept, so offsets still give line numbers).
func readCFile(p string) (*cfile, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	text := stripComments(string(b))
	f := &cfile{path: p, base: filepath.Base(p), macros: map[string]*macro{}, redefined: map[string]bool{}}
	lines := strings.SplitAfter(text, "\n")
	var out strings.Builder
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if !strings.HasPrefix(strings.TrimLeft(l, " \t"), "#") {
			out.WriteString(l)
			continue
		}
		logical := l
		blank := blankOut(l)
		for strings.HasSuffix(strings.TrimRight(logical, "\r\n"), "\\") && i+1 < len(lines) {
			logical = strings.TrimRight(logical, "\r\n")
			logical = logical[:len(logical)-1] + " "
			i++
			logical += lines[i]
			blank += blankOut(lines[i])
		}
		out.WriteString(blank)
		if m := parseDefine(logical); m != nil {
			m.file = f.base
			f.allDefs = append(f.allDefs, m)
			if old, ok := f.macros[m.name]; ok {
				if normSpace(old.body) != normSpace(m.body) {
					f.redefined[m.name] = true
				}
				continue
			}
			f.macros[m.name] = m
		}
	}
	f.code = out.String()
	return f, nil
}

func blankOut(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\n' {
			return r
		}
		return ' '
	}, s)
}

var defineRe = regexp.MustCompile(`^\s*#\s*define\s+([A-Za-z_]\w*)(\([^)]*\))?(.*)$`)

func parseDefine(logical string) *macro {
	m := defineRe.FindStringSubmatch(strings.TrimRight(logical, "\r\n"))
	if m == nil {
		return nil
	}
	mac := &macro{name: m[1], body: strings.TrimSpace(m[3])}
	if m[2] != "" {
		mac.funcLike = true
		ps := strings.TrimSpace(m[2][1 : len(m[2])-1])
		if ps != "" {
			for _, p := range strings.Split(ps, ",") {
				mac.params = append(mac.params, strings.TrimSpace(p))
			}
		}
	}
	return mac
}

// stripComments replaces C comments with spaces, keeping newlines and string
// and character literals.
func stripComments(s string) string {
	b := []byte(s)
	out := make([]byte, len(b))
	copy(out, b)
	for i := 0; i < len(b); {
		switch {
		case b[i] == '"' || b[i] == '\'':
			q := b[i]
			i++
			for i < len(b) && b[i] != q && b[i] != '\n' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/':
			for i < len(b) && b[i] != '\n' {
				// a // comment continues over backslash-newline
				if b[i] == '\\' && i+1 < len(b) && b[i+1] == '\n' {
					out[i] = ' '
					i += 2
					continue
				}
				out[i] = ' '
				i++
			}
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '*':
			out[i], out[i+1] = ' ', ' '
			i += 2
			for i < len(b) && !(b[i] == '*' && i+1 < len(b) && b[i+1] == '/') {
				if b[i] != '\n' {
					out[i] = ' '
				}
				i++
			}
			if i < len(b) {
				out[i], out[i+1] = ' ', ' '
				i += 2
			}
		default:
			i++
		}
	}
	return string(out)
}

// ---------------------------------------------------------------------------
// Tokens

type tokKind int

const (
	tkSpace tokKind = iota
	tkIdent
	tkNumber
	tkString
	tkChar
	tkPunct
)

type tok struct {
	kind tokKind
	text string
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentChar(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// nextTok returns the token at s[i:] and its end.
func nextTok(s string, i int) (tok, int) {
	c := s[i]
	switch {
	case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
		j := i
		for j < len(s) && strings.IndexByte(" \t\n\r\f\v", s[j]) >= 0 {
			j++
		}
		return tok{tkSpace, s[i:j]}, j
	case c == 'L' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\''):
		t, j := nextTok(s, i+1)
		return tok{t.kind, s[i:j]}, j
	case isIdentStart(c):
		j := i
		for j < len(s) && isIdentChar(s[j]) {
			j++
		}
		return tok{tkIdent, s[i:j]}, j
	case c >= '0' && c <= '9':
		j := i
		for j < len(s) && (isIdentChar(s[j]) || s[j] == '.') {
			j++
		}
		return tok{tkNumber, s[i:j]}, j
	case c == '"' || c == '\'':
		j := i + 1
		for j < len(s) && s[j] != c && s[j] != '\n' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		if j < len(s) {
			j++
		}
		if j > len(s) {
			j = len(s)
		}
		k := tkString
		if c == '\'' {
			k = tkChar
		}
		return tok{k, s[i:j]}, j
	}
	for _, p := range []string{"##", "<<", ">>", "||", "&&", "->", "==", "!=", "<=", ">="} {
		if strings.HasPrefix(s[i:], p) {
			return tok{tkPunct, p}, i + len(p)
		}
	}
	return tok{tkPunct, s[i : i+1]}, i + 1
}

func tokenize(s string) []tok {
	var out []tok
	for i := 0; i < len(s); {
		t, j := nextTok(s, i)
		out = append(out, t)
		i = j
	}
	return out
}

// splitArgs reads a parenthesised, comma-separated argument list starting at
// s[open] == '(' and returns the raw arguments and the offset after ')'.
func splitArgs(s string, open int) ([]string, int, error) {
	depth := 0
	start := open + 1
	var args []string
	for i := open; i < len(s); {
		t, j := nextTok(s, i)
		if t.kind == tkPunct {
			switch t.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
				if depth == 0 {
					args = append(args, s[start:i])
					if len(args) == 1 && strings.TrimSpace(args[0]) == "" {
						args = nil
					}
					return args, j, nil
				}
			case ",":
				if depth == 1 {
					args = append(args, s[start:i])
					start = j
				}
			}
		}
		i = j
	}
	return nil, len(s), errors.New("unbalanced parentheses")
}

// ---------------------------------------------------------------------------
// Macro expansion (only of macros that produce command entries)

func (s *source) lookup(f *cfile, name string) *macro {
	if f != nil {
		if m, ok := f.macros[name]; ok {
			return m
		}
	}
	return s.headers[name]
}

// computeCmdMacros finds the macros whose expansion contains AP_INIT_,
// directly or through another such macro.
func (s *source) computeCmdMacros() {
	all := []*macro{}
	for _, m := range s.headers {
		all = append(all, m)
	}
	for _, f := range s.files {
		for _, m := range f.macros {
			all = append(all, m)
		}
	}
	for changed := true; changed; {
		changed = false
		for _, m := range all {
			if s.cmdMac[m.name] {
				continue
			}
			if m.name == "AP_INIT_NO_ARGS" || strings.HasPrefix(m.name, "AP_INIT_") {
				continue // the AP_INIT_* definitions themselves
			}
			hit := strings.Contains(m.body, "AP_INIT_")
			if !hit {
				for _, t := range tokenize(m.body) {
					if t.kind == tkIdent && s.cmdMac[t.text] {
						hit = true
						break
					}
				}
			}
			if hit {
				s.cmdMac[m.name] = true
				changed = true
			}
		}
	}
}

// expand expands the command macros in text (all macros if all is set);
// chain records the macros used.
func (s *source) expand(f *cfile, text string, disabled map[string]bool, chain *[]string, all bool) string {
	var out strings.Builder
	for i := 0; i < len(text); {
		t, j := nextTok(text, i)
		if t.kind != tkIdent || !(all || s.cmdMac[t.text]) || disabled[t.text] {
			out.WriteString(t.text)
			i = j
			continue
		}
		m := s.lookup(f, t.text)
		if m == nil {
			out.WriteString(t.text)
			i = j
			continue
		}
		var args []string
		if m.funcLike {
			k := j
			for k < len(text) && strings.IndexByte(" \t\r\n", text[k]) >= 0 {
				k++
			}
			if k >= len(text) || text[k] != '(' {
				out.WriteString(t.text)
				i = j
				continue
			}
			var err error
			args, j, err = splitArgs(text, k)
			if err != nil {
				out.WriteString(t.text)
				i = k
				continue
			}
		}
		*chain = append(*chain, m.name)
		body := s.substitute(f, m, args, disabled, chain, all)
		d2 := map[string]bool{m.name: true}
		for k := range disabled {
			d2[k] = true
		}
		out.WriteString(" ")
		out.WriteString(s.expand(f, body, d2, chain, all))
		out.WriteString(" ")
		out.WriteString(s.supplementFor(m.name, ""))
		i = j
	}
	return out.String()
}

// supplementFor renders the supplementary entries of a macro or file as
// AP_INIT_ text, so they are parsed like the others.
func (s *source) supplementFor(macroName, file string) string {
	var b strings.Builder
	for _, x := range supplement {
		if macroName != "" && x.Macro == macroName || file != "" && x.File == file {
			fmt.Fprintf(&b, ", AP_INIT_%s(%s, NULL, NULL, %s, %s) /*supplement*/ ", x.Shape, strconv.Quote(x.Name), x.Mask, strconv.Quote(x.Help))
		}
	}
	return b.String()
}

// substitute replaces a macro's parameters in its body, with # and ##.
func (s *source) substitute(f *cfile, m *macro, args []string, disabled map[string]bool, chain *[]string, all bool) string {
	if !m.funcLike {
		return m.body
	}
	idx := map[string]int{}
	for i, p := range m.params {
		idx[p] = i
	}
	arg := func(name string) (string, bool) {
		i, ok := idx[name]
		if !ok {
			return "", false
		}
		if i < len(args) {
			return strings.TrimSpace(args[i]), true
		}
		return "", true
	}
	toks := tokenize(m.body)
	// drop spaces around ## and after #
	var ts []tok
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tkSpace {
			prev := len(ts) > 0 && ts[len(ts)-1].kind == tkPunct && (ts[len(ts)-1].text == "##" || ts[len(ts)-1].text == "#")
			next := i+1 < len(toks) && toks[i+1].kind == tkPunct && toks[i+1].text == "##"
			if prev || next {
				continue
			}
		}
		ts = append(ts, t)
	}
	var out strings.Builder
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		switch {
		case t.kind == tkPunct && t.text == "#" && i+1 < len(ts) && ts[i+1].kind == tkIdent:
			if a, ok := arg(ts[i+1].text); ok {
				out.WriteString(strconv.Quote(normSpace(a)))
				i++
				continue
			}
			out.WriteString(t.text)
		case t.kind == tkPunct && t.text == "##":
			// pasting: the neighbours were written raw
		case t.kind == tkIdent:
			a, ok := arg(t.text)
			if !ok {
				out.WriteString(t.text)
				continue
			}
			pasted := (i > 0 && ts[i-1].text == "##") || (i+1 < len(ts) && ts[i+1].text == "##")
			if pasted {
				out.WriteString(a)
			} else {
				out.WriteString(s.expand(f, a, disabled, chain, all))
			}
		default:
			out.WriteString(t.text)
		}
	}
	return out.String()
}

// ---------------------------------------------------------------------------
// Scanning for entries

var initRe = regexp.MustCompile(`^AP_INIT_([A-Z0-9_]+)$`)

func lineAt(s string, off int) int { return strings.Count(s[:off], "\n") + 1 }

func (s *source) scanFile(f *cfile) {
	text := f.code
	for i := 0; i < len(text); {
		t, j := nextTok(text, i)
		if t.kind != tkIdent {
			i = j
			continue
		}
		line := lineAt(text, i)
		switch {
		case initRe.MatchString(t.text):
			i += s.parseEntries(f, text[i:], line, "", true)
			continue
		case s.cmdMac[t.text] && s.lookup(f, t.text) != nil:
			var chain []string
			// expand just this invocation
			k := j
			m := s.lookup(f, t.text)
			if m.funcLike {
				for k < len(text) && strings.IndexByte(" \t\r\n", text[k]) >= 0 {
					k++
				}
				if k >= len(text) || text[k] != '(' {
					i = j
					continue
				}
				_, end, err := splitArgs(text, k)
				if err != nil {
					i = j
					continue
				}
				k = end
			}
			exp := s.expand(f, text[i:k], map[string]bool{}, &chain, false)
			s.parseEntries(f, exp, line, strings.Join(uniq(chain), ">"), false)
			i = k
			continue
		}
		i = j
	}
	if sup := s.supplementFor("", f.base); sup != "" {
		s.parseEntries(f, sup, 0, "supplement", false)
	}
}

func uniq(l []string) []string {
	var out []string
	for _, x := range l {
		out = appendUniq(out, x)
	}
	return out
}

// parseEntries parses the AP_INIT_ entries in text, all of them (an
// expansion), or with single only the first (text is the file text from an
// AP_INIT_ on); it returns the offset after what it parsed. line is the
// source line the entries are attributed to.
func (s *source) parseEntries(f *cfile, text string, line int, via string, single bool) int {
	for i := 0; i < len(text); {
		t, j := nextTok(text, i)
		sm := initRe.FindStringSubmatch(t.text)
		if t.kind != tkIdent || sm == nil {
			i = j
			continue
		}
		next := j
		k := j
		for k < len(text) && strings.IndexByte(" \t\r\n", text[k]) >= 0 {
			k++
		}
		if k < len(text) && text[k] == '(' {
			if args, end, err := splitArgs(text, k); err == nil && len(args) == 5 {
				next = end
				s.addEntry(f, sm[1], args, line, via, strings.HasPrefix(text[end:], " /*supplement*/"))
			}
		}
		if single {
			return next
		}
		i = next
	}
	return len(text)
}

func (s *source) addEntry(f *cfile, shape string, args []string, line int, via string, supp bool) {
	name, ok := s.evalString(f, args[0])
	if !ok {
		return // the NULL terminator, or a computed name
	}
	if _, ok := shapeGo[shape]; !ok {
		return
	}
	e := &entry{Name: name, Shape: shape, Macro: shape, File: f.base, Path: f.path, Line: line, Via: via}
	if how, ok := s.initHow[shape]; ok {
		if _, known := shapeGo[how]; !known {
			return
		}
		e.Shape = how
	}
	if supp {
		e.Via = "supplement"
		if via != "" && via != "supplement" {
			e.Via = "supplement in " + via
		}
	}
	e.MaskExpr = normSpace(args[3])
	e.Mask, e.MaskErr = s.evalInt(f, args[3])
	e.Help, e.HelpOK = s.evalString(f, args[4])
	s.entries = append(s.entries, e)
}

// evalString evaluates a C string expression: adjacent literals and macros
// naming them. It fails for NULL and anything computed.
func (s *source) evalString(f *cfile, expr string) (string, bool) {
	if v, ok := s.evalStringDepth(f, expr, 0); ok {
		return v, true
	}
	// Function-like macros such as APR_STRINGIFY(AP_INFLATE_RATIO_LIMIT):
	// expand everything, as cpp would, and try again.
	var chain []string
	exp := s.expand(f, expr, map[string]bool{}, &chain, true)
	return s.evalStringDepth(f, exp, 0)
}

func (s *source) evalStringDepth(f *cfile, expr string, depth int) (string, bool) {
	if depth > 20 {
		return "", false
	}
	var b strings.Builder
	n := 0
	for _, t := range tokenize(expr) {
		switch t.kind {
		case tkSpace:
		case tkString:
			v, err := unquoteC(t.text)
			if err != nil {
				return "", false
			}
			b.WriteString(v)
			n++
		case tkIdent:
			m := s.lookup(f, t.text)
			if m == nil || m.funcLike {
				return "", false
			}
			v, ok := s.evalStringDepth(f, m.body, depth+1)
			if !ok {
				return "", false
			}
			b.WriteString(v)
			n++
		case tkPunct:
			if t.text != "(" && t.text != ")" {
				return "", false
			}
		default:
			return "", false
		}
	}
	return b.String(), n > 0
}

// unquoteC decodes a C string literal.
func unquoteC(lit string) (string, error) {
	lit = strings.TrimPrefix(lit, "L")
	if len(lit) < 2 || lit[0] != '"' || lit[len(lit)-1] != '"' {
		return "", fmt.Errorf("bad literal %s", lit)
	}
	in := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c != '\\' || i+1 >= len(in) {
			b.WriteByte(c)
			continue
		}
		i++
		switch in[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			j := i + 1
			for j < len(in) && strings.IndexByte("0123456789abcdefABCDEF", in[j]) >= 0 {
				j++
			}
			v, _ := strconv.ParseUint(in[i+1:j], 16, 8)
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(in) && j < i+3 && in[j] >= '0' && in[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(in[i:j], 8, 8)
			b.WriteByte(byte(v))
			i = j - 1
		default:
			b.WriteByte(in[i])
		}
	}
	return b.String(), nil
}

// evalInt evaluates a C integer constant expression (| ^ & << >> + - ~ !
// and parentheses) whose identifiers are object-like macros.
func (s *source) evalInt(f *cfile, expr string) (int, error) {
	p := &exprParser{s: s, f: f}
	for _, t := range tokenize(expr) {
		if t.kind != tkSpace {
			p.toks = append(p.toks, t)
		}
	}
	v, err := p.binary(0)
	if err != nil {
		return 0, err
	}
	if p.pos != len(p.toks) {
		return 0, fmt.Errorf("unexpected %q in %q", p.toks[p.pos].text, normSpace(expr))
	}
	return v, nil
}

type exprParser struct {
	s     *source
	f     *cfile
	toks  []tok
	pos   int
	depth int
}

var binPrec = map[string]int{"|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4, "+": 5, "-": 5}

func (p *exprParser) binary(minPrec int) (int, error) {
	l, err := p.unary()
	if err != nil {
		return 0, err
	}
	for p.pos < len(p.toks) {
		op := p.toks[p.pos].text
		prec, ok := binPrec[op]
		if !ok || p.toks[p.pos].kind != tkPunct || prec < minPrec {
			break
		}
		p.pos++
		r, err := p.binary(prec + 1)
		if err != nil {
			return 0, err
		}
		switch op {
		case "|":
			l |= r
		case "^":
			l ^= r
		case "&":
			l &= r
		case "<<":
			l <<= uint(r)
		case ">>":
			l >>= uint(r)
		case "+":
			l += r
		case "-":
			l -= r
		}
	}
	return l, nil
}

func (p *exprParser) unary() (int, error) {
	if p.pos >= len(p.toks) {
		return 0, errors.New("unexpected end of expression")
	}
	t := p.toks[p.pos]
	p.pos++
	switch t.kind {
	case tkNumber:
		n := strings.TrimRight(strings.ToLower(t.text), "ul")
		v, err := strconv.ParseInt(n, 0, 64)
		return int(v), err
	case tkIdent:
		m := p.s.lookup(p.f, t.text)
		if m == nil || m.funcLike {
			return 0, fmt.Errorf("unknown identifier %s", t.text)
		}
		local := p.f != nil && p.f.macros[t.text] != nil
		if local && p.f.redefined[t.text] || !local && p.s.hdrConf[t.text] {
			return 0, fmt.Errorf("%s has conflicting definitions", t.text)
		}
		if p.depth > 20 {
			return 0, errors.New("macro recursion")
		}
		sub := &exprParser{s: p.s, f: p.f, depth: p.depth + 1}
		for _, bt := range tokenize(m.body) {
			if bt.kind != tkSpace {
				sub.toks = append(sub.toks, bt)
			}
		}
		v, err := sub.binary(0)
		if err == nil && sub.pos != len(sub.toks) {
			err = fmt.Errorf("cannot evaluate %s = %s", m.name, m.body)
		}
		return v, err
	case tkPunct:
		switch t.text {
		case "(":
			v, err := p.binary(0)
			if err != nil {
				return 0, err
			}
			if p.pos >= len(p.toks) || p.toks[p.pos].text != ")" {
				return 0, errors.New("missing )")
			}
			p.pos++
			return v, nil
		case "~":
			v, err := p.unary()
			return ^v, err
		case "!":
			v, err := p.unary()
			if v == 0 {
				return 1, err
			}
			return 0, err
		case "-":
			v, err := p.unary()
			return -v, err
		case "+":
			return p.unary()
		}
	}
	return 0, fmt.Errorf("unexpected %q", t.text)
}

// ---------------------------------------------------------------------------
// The -L rendering of a mask (server/config.c show_overrides), with the
// line break before "when" joined as the TSV has it.

func showOverrides(mask int) string {
	var b strings.Builder
	b.WriteString("Allowed in *.conf ")
	switch {
	case mask&(orOptions|orFileInfo|orIndexes) != 0 ||
		mask&rsrcConf != 0 && mask&(accessConf|orAuthCfg|orLimit) != 0:
		b.WriteString("anywhere")
	case mask&rsrcConf != 0:
		b.WriteString("only outside <Directory>, <Files>, <Location>, or <If>")
	default:
		b.WriteString("only inside <Directory>, <Files>, <Location>, or <If>")
	}
	if mask&orAll != 0 {
		b.WriteString(" and in .htaccess when AllowOverride")
		if mask&orAll == orAll {
			b.WriteString(" isn't None")
		} else {
			b.WriteString(" includes ")
			var parts []string
			for _, x := range []struct {
				bit  int
				name string
			}{{orAuthCfg, "AuthConfig"}, {orLimit, "Limit"}, {orOptions, "Options"}, {orFileInfo, "FileInfo"}, {orIndexes, "Indexes"}} {
				if mask&x.bit != 0 {
					parts = append(parts, x.name)
				}
			}
			b.WriteString(strings.Join(parts, " or "))
		}
	}
	return b.String()
}

func apacheMask(mask int) string {
	var parts []string
	rest := mask
	for _, x := range apacheBitNames {
		if mask&x.bit != 0 {
			parts = append(parts, x.name)
			rest &^= x.bit
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", rest))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// ---------------------------------------------------------------------------
// registry.go: the Override constant names

type goConst struct {
	name  string
	value int
}

// overrideConsts reads the Override constants of registry.go, single bits
// first (in declaration order), then combinations such as OrAll.
func overrideConsts(path string) (bits, combos []goConst, err error) {
	fset := token.NewFileSet()
	af, err := parser.ParseFile(fset, path, nil, 0)
	if err != nil {
		return nil, nil, err
	}
	conf := types.Config{Importer: nil, Error: func(error) {}}
	pkg, _ := conf.Check("confparse", fset, []*ast.File{af}, nil)
	if pkg == nil {
		return nil, nil, fmt.Errorf("%s: cannot type-check", path)
	}
	var names []string
	for _, d := range af.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.CONST {
			continue
		}
		for _, sp := range gd.Specs {
			for _, n := range sp.(*ast.ValueSpec).Names {
				names = append(names, n.Name)
			}
		}
	}
	for _, n := range names {
		c, ok := pkg.Scope().Lookup(n).(*types.Const)
		if !ok || c.Type().String() != "confparse.Override" {
			continue
		}
		v, ok := constant.Int64Val(c.Val())
		if !ok {
			continue
		}
		gc := goConst{n, int(v)}
		if v != 0 && v&(v-1) == 0 {
			bits = append(bits, gc)
		} else {
			combos = append(combos, gc)
		}
	}
	if len(bits) == 0 {
		return nil, nil, fmt.Errorf("%s: no Override constants found", path)
	}
	return bits, combos, nil
}

// goMask writes a mask with registry.go's names: RsrcConf, AccessConf, the
// Or* bits (OrAll when all are set), ExecOnRead, then the rest; bits with no
// Go name are written as numbers with Apache's name in a comment.
func goMask(mask int, bits, combos []goConst) string {
	if mask == 0 {
		return "0"
	}
	byVal := map[int]string{}
	for _, c := range bits {
		byVal[c.value] = c.name
	}
	var parts []string
	rest := mask
	take := func(v int) {
		if rest&v == v && v != 0 {
			if n, ok := byVal[v]; ok {
				parts = append(parts, n)
				rest &^= v
			}
		}
	}
	take(rsrcConf)
	take(accessConf)
	for _, c := range combos {
		if c.value == orAll && rest&orAll == orAll {
			parts = append(parts, c.name)
			rest &^= orAll
		}
	}
	for _, v := range []int{orLimit, orOptions, orFileInfo, orAuthCfg, orIndexes, orUnset, execOnRead} {
		take(v)
	}
	for _, c := range bits {
		take(c.value)
	}
	var comments []string
	for _, x := range apacheBitNames {
		if rest&x.bit != 0 {
			parts = append(parts, strconv.Itoa(x.bit))
			comments = append(comments, x.name)
			rest &^= x.bit
		}
	}
	if rest != 0 {
		parts = append(parts, strconv.Itoa(rest))
		comments = append(comments, "unknown bits")
	}
	s := strings.Join(parts, " | ")
	if len(comments) > 0 {
		s += " /* " + strings.Join(comments, ", ") + " */"
	}
	return s
}

// ---------------------------------------------------------------------------
// Inputs: TSV, modules

type tsvRow struct {
	Name, Module, Allowed, Desc string
	Line                        int
}

func readTSV(path string) ([]tsvRow, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rows []tsvRow
	for i, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		l = strings.TrimRight(l, "\r")
		if i == 0 && strings.HasPrefix(l, "directive\t") {
			continue
		}
		if l == "" {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 4", path, i+1, len(f))
		}
		rows = append(rows, tsvRow{f[0], f[1], f[2], f[3], i + 1})
	}
	return rows, nil
}

// lEntry is one directive of the raw apache2 -L output.
type lEntry struct{ Help, Allowed string }

// readLRaw parses apache2 -L output: "Name (module.c)", then the help text
// after a tab (it may span lines), then "\tAllowed in *.conf ..." and
// possibly "\twhen AllowOverride ...". Keys are "name\x00module".
func readLRaw(path string) (map[string]lEntry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	hdr := regexp.MustCompile(`^(\S+) \(([^()]+\.c)\)$`)
	lines := strings.Split(string(b), "\n")
	out := map[string]lEntry{}
	for i := 0; i < len(lines); {
		m := hdr.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.TrimSpace(lines[i]) != "" {
				return nil, fmt.Errorf("%s:%d: unexpected line %q", path, i+1, lines[i])
			}
			i++
			continue
		}
		i++
		var help []string
		for i < len(lines) && !strings.HasPrefix(lines[i], "\tAllowed in *.conf") {
			help = append(help, lines[i])
			i++
		}
		if i >= len(lines) || len(help) == 0 || !strings.HasPrefix(help[0], "\t") {
			return nil, fmt.Errorf("%s: entry %s has no help or Allowed line", path, m[1])
		}
		allowed := strings.TrimPrefix(lines[i], "\t")
		i++
		for i < len(lines) && strings.HasPrefix(lines[i], "\twhen AllowOverride") {
			allowed += " " + strings.TrimPrefix(lines[i], "\t")
			i++
		}
		help[0] = strings.TrimPrefix(help[0], "\t")
		out[m[1]+"\x00"+m[2]] = lEntry{strings.Join(help, "\n"), allowed}
	}
	return out, nil
}

type loadLine struct{ ID, SO, Load string }

func readLoads(dir string) ([]loadLine, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.load"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no *.load files in %s", dir)
	}
	var out []loadLine
	seen := map[string]bool{}
	for _, p := range paths {
		fh, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 3 && strings.EqualFold(f[0], "LoadModule") && !seen[f[1]] {
				seen[f[1]] = true
				out = append(out, loadLine{f[1], f[2], filepath.Base(p)})
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// soHasFile reports whether the .so holds the string name or ".../name".
func soHasFile(so []byte, name string) bool {
	for i := 0; ; {
		j := bytes.Index(so[i:], []byte(name+"\x00"))
		if j < 0 {
			return false
		}
		k := i + j
		if k == 0 || so[k-1] == 0 || so[k-1] == '/' {
			return true
		}
		i = k + 1
	}
}

// ---------------------------------------------------------------------------
// Command tables of the installed binaries

// binRec is a command_rec read from an ELF file.
type binRec struct {
	Shape, Help string
	Mask        int
}

var cmdHows = []string{"RAW_ARGS", "TAKE1", "TAKE2", "ITERATE", "ITERATE2", "FLAG", "NO_ARGS", "TAKE12", "TAKE3", "TAKE23", "TAKE123", "TAKE13", "TAKE_ARGV"}

// binaryCommands finds the command_rec entries of a 64-bit little-endian
// PIE/shared object: {name, func, cmd_data, int req_override, int
// args_how, errmsg}, 40 bytes, whose name and errmsg pointers are RELATIVE
// relocations. It returns them by name.
func binaryCommands(path string) (map[string][]binRec, error) {
	f, err := elf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var relative elf.R_X86_64
	switch f.Machine {
	case elf.EM_X86_64:
		relative = elf.R_X86_64_RELATIVE
	case elf.EM_AARCH64:
		relative = elf.R_X86_64(elf.R_AARCH64_RELATIVE)
	default:
		return nil, fmt.Errorf("%s: unsupported machine %v", path, f.Machine)
	}
	if f.Class != elf.ELFCLASS64 || f.ByteOrder != binary.LittleEndian {
		return nil, fmt.Errorf("%s: not a 64-bit little-endian ELF", path)
	}
	type seg struct {
		va   uint64
		data []byte
	}
	var segs []seg
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err != nil {
			return nil, err
		}
		segs = append(segs, seg{p.Vaddr, b})
	}
	at := func(va uint64, n int) []byte {
		for _, sg := range segs {
			if va >= sg.va && va-sg.va+uint64(n) <= uint64(len(sg.data)) {
				return sg.data[va-sg.va:]
			}
		}
		return nil
	}
	cstr := func(va uint64) (string, bool) {
		b := at(va, 1)
		if b == nil {
			return "", false
		}
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return "", false
		}
		return string(b[:i]), true
	}
	rel := map[uint64]uint64{}
	for _, sec := range f.Sections {
		if sec.Type != elf.SHT_RELA {
			continue
		}
		d, err := sec.Data()
		if err != nil {
			return nil, err
		}
		for i := 0; i+24 <= len(d); i += 24 {
			if elf.R_X86_64(binary.LittleEndian.Uint64(d[i+8:])&0xffffffff) == relative {
				rel[binary.LittleEndian.Uint64(d[i:])] = binary.LittleEndian.Uint64(d[i+16:])
			}
		}
	}
	out := map[string][]binRec{}
	for slot, tgt := range rel {
		name, ok := cstr(tgt)
		if !ok || name == "" || len(name) > 80 || !(name[0] == '<' || isIdentStart(name[0])) {
			continue
		}
		b := at(slot+24, 8)
		if b == nil {
			continue
		}
		mask := int(binary.LittleEndian.Uint32(b))
		how := binary.LittleEndian.Uint32(b[4:])
		if how >= uint32(len(cmdHows)) || mask == 0 || mask >= 4096 {
			continue
		}
		ht, ok := rel[slot+32]
		if !ok {
			continue
		}
		help, ok := cstr(ht)
		if !ok {
			continue
		}
		out[name] = append(out[name], binRec{cmdHows[how], help, mask})
	}
	return out, nil
}

// elfCheck compares the output with the binaries' command tables.
func elfCheck(rep *report, dirs []outDirective, soByFile map[string]string, mpm map[string][]string) {
	tables := map[string]map[string][]binRec{}
	get := func(p string) map[string][]binRec {
		if t, ok := tables[p]; ok {
			return t
		}
		t, err := binaryCommands(p)
		if err != nil {
			rep.add("binary cross-check: unreadable", "%v", err)
		}
		tables[p] = t
		return t
	}
	n, diff := 0, 0
	for _, d := range dirs {
		p := soByFile[d.Module]
		if p == "" {
			rep.add("binary cross-check: no binary for module", "%s (%s)", d.Name, d.Module)
			continue
		}
		t := get(p)
		if t == nil {
			continue
		}
		recs := t[d.Name]
		if len(recs) == 0 {
			rep.add("binary cross-check: DIFFERENCE", "%s: not in %s", d.Name, filepath.Base(p))
			diff++
			continue
		}
		n++
		r := recs[0]
		if r.Shape != d.Shape || r.Mask != d.Mask || r.Help != d.Usage {
			diff++
			rep.add("binary cross-check: DIFFERENCE", "%s (%s): table %s %s, binary %s %s%s", d.Name, filepath.Base(p),
				d.Shape, apacheMask(d.Mask), r.Shape, apacheMask(r.Mask), map[bool]string{true: "", false: fmt.Sprintf(", help %q", r.Help)}[r.Help == d.Usage])
		}
	}
	for _, f := range mpmFiles {
		p := soByFile[f]
		t := get(p)
		if t == nil {
			continue
		}
		var names []string
		for k := range t {
			names = append(names, k)
		}
		sort.Strings(names)
		var miss, extra []string
		for _, k := range names {
			if !containsFold(mpm[f], k) {
				extra = append(extra, k)
			}
		}
		for _, k := range mpm[f] {
			if _, ok := t[k]; !ok {
				miss = append(miss, k)
			}
		}
		if len(miss)+len(extra) > 0 {
			rep.add("binary cross-check: DIFFERENCE in an MPM list", "%s: missing from binary %v, only in binary %v", f, miss, extra)
		}
	}
	rep.add("binary cross-check", "%d directives compared with the command_rec tables of apache2 and the .so files, %d differ", n, diff)
}

// ---------------------------------------------------------------------------

type outDirective struct {
	Name, Module, Shape string
	Mask                int
	Usage               string
}

type report struct {
	sections []string
	items    map[string][]string
}

func (r *report) add(section, format string, a ...any) {
	if r.items == nil {
		r.items = map[string][]string{}
	}
	if _, ok := r.items[section]; !ok {
		r.sections = append(r.sections, section)
	}
	r.items[section] = append(r.items[section], fmt.Sprintf(format, a...))
}

func (r *report) print(verbose bool) {
	for _, s := range r.sections {
		items := r.items[s]
		fmt.Fprintf(os.Stderr, "%s (%d):\n", s, len(items))
		limit := len(items)
		if !verbose && limit > 12 {
			limit = 10
		}
		for _, it := range items[:limit] {
			fmt.Fprintf(os.Stderr, "  %s\n", it)
		}
		if limit < len(items) {
			fmt.Fprintf(os.Stderr, "  ... %d more (-v lists all)\n", len(items)-limit)
		}
	}
}

func run() error {
	bits, combos, err := overrideConsts(*flagRegistry)
	if err != nil {
		return err
	}
	src, err := loadSources([]string{*flagHTTPD, *flagModWSGI})
	if err != nil {
		return err
	}
	rows, err := readTSV(*flagTSV)
	if err != nil {
		return err
	}
	loads, err := readLoads(*flagMods)
	if err != nil {
		return err
	}
	var rep report
	var lraw map[string]lEntry
	if *flagLRaw != "" {
		if lraw, err = readLRaw(*flagLRaw); err != nil {
			return err
		}
	}

	for _, e := range src.entries {
		if e.MaskErr != nil {
			rep.add("source entries with an unevaluable mask (ignored)", "%s %s: %s: %v", e.Name, e.where(), e.MaskExpr, e.MaskErr)
		}
	}
	out, unresolved, tsvNames := resolveRows(src, rows, lraw, &rep)
	mpm, err := addMPMs(src, rows, tsvNames, &rep, &out)
	if err != nil {
		return err
	}
	mods, soByFile, err := buildModules(src, loads, &rep)
	if err != nil {
		return err
	}
	modFiles := map[string]bool{}
	for _, m := range mods {
		if modFiles[m.File] {
			rep.add("MISMATCH: two modules with the same file name", "%s", m.File)
		}
		modFiles[m.File] = true
	}
	for _, d := range out {
		if !modFiles[d.Module] {
			unresolved = append(unresolved, fmt.Sprintf("%s: module %s is not in the module list", d.Name, d.Module))
		}
	}
	// Source entries of shipped modules that -L did not list.
	for _, e := range src.entries {
		if e.MaskErr == nil && modFiles[e.File] && !tsvNames[strings.ToLower(e.Name)] {
			rep.add("info: source entries of shipped modules absent from the TSV (not emitted)", "%s @%s", e.Name, e.where())
		}
	}
	if *flagELF {
		elfCheck(&rep, out, soByFile, mpm)
	}

	rep.print(*flagVerbose)
	if len(unresolved) > 0 {
		fmt.Fprintf(os.Stderr, "UNRESOLVED (%d):\n", len(unresolved))
		for _, u := range unresolved {
			fmt.Fprintf(os.Stderr, "  %s\n", u)
		}
		return fmt.Errorf("%d TSV directives not resolved; %s not written", len(unresolved), *flagOut)
	}

	code, err := render(out, mods, mpm, bits, combos)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*flagOut, code, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s: %d directives (%d from the TSV), %d modules, MPM lists %s\n",
		*flagOut, len(out), len(rows), len(mods), mpmCounts(mpm))
	return nil
}

// resolveRows finds the source entry of each TSV row (preferring the file
// the row names) and checks it against the row and the raw -L output.
func resolveRows(src *source, rows []tsvRow, lraw map[string]lEntry, rep *report) (out []outDirective, unresolved []string, tsvNames map[string]bool) {
	tsvNames = map[string]bool{}
	crossFile := map[string]int{}
	for _, r := range rows {
		key := strings.ToLower(r.Name)
		if tsvNames[key] {
			rep.add("NOTE: directive of several modules (both rows emitted; NewRegistry keeps the later)", "%s (%s, TSV line %d)", r.Name, r.Module, r.Line)
		}
		tsvNames[key] = true
		var cands []*entry
		for _, e := range src.byName[key] {
			if e.MaskErr == nil {
				cands = append(cands, e)
			}
		}
		var inFile []*entry
		for _, e := range cands {
			if e.File == r.Module {
				inFile = append(inFile, e)
			}
		}
		if len(inFile) > 0 {
			cands = inFile
		} else if len(cands) > 0 {
			files := map[string]bool{}
			for _, e := range cands {
				files[e.File] = true
			}
			var fl []string
			for f := range files {
				fl = append(fl, f)
			}
			sort.Strings(fl)
			crossFile[r.Module+" ← "+strings.Join(fl, ",")]++
		}
		if len(cands) == 0 {
			unresolved = append(unresolved, fmt.Sprintf("%s (%s)", r.Name, r.Module))
			continue
		}
		allowed := strings.Replace(r.Allowed, " [no per-dir config]", "", 1)
		// Distinct facts among the candidates (#if branches, duplicates).
		e := cands[0]
		if distinct(cands) {
			var match []*entry
			for _, c := range cands {
				if showOverrides(c.Mask) == allowed {
					match = append(match, c)
				}
			}
			var desc []string
			for _, c := range cands {
				desc = append(desc, fmt.Sprintf("%s %s @%s", c.Shape, apacheMask(c.Mask), c.where()))
			}
			if len(match) > 0 {
				e = match[0]
			}
			if len(match) == 0 || distinct(match) {
				rep.add("AMBIGUOUS: several differing source entries, first one used", "%s: %s", r.Name, strings.Join(desc, "; "))
			} else {
				rep.add("several differing source entries, chosen by the -L context", "%s: chose %s %s @%s of %s", r.Name, e.Shape, apacheMask(e.Mask), e.where(), strings.Join(desc, "; "))
			}
		}
		if e.Name != r.Name {
			rep.add("name spelled differently in the source (TSV spelling used)", "%s: source %q @%s", r.Name, e.Name, e.where())
		}
		if got := showOverrides(e.Mask); got != allowed {
			rep.add("context MISMATCH: source mask vs apache2 -L (source mask used)", "%s (%s): %s → %q, -L says %q", r.Name, r.Module, apacheMask(e.Mask), got, r.Allowed)
		}
		usage := r.Desc
		if lraw != nil {
			le, ok := lraw[r.Name+"\x00"+r.Module]
			switch {
			case !ok:
				rep.add("MISMATCH: TSV row not in the raw -L output (TSV help used)", "%s (%s)", r.Name, r.Module)
			case le.Allowed != r.Allowed:
				rep.add("MISMATCH: TSV allowed_in differs from the raw -L output", "%s: %q vs %q", r.Name, r.Allowed, le.Allowed)
			case le.Help != r.Desc:
				rep.add("help text: the TSV lost part of what apache2 -L printed (-L text used)", "%s: TSV %q, -L %q", r.Name, r.Desc, le.Help)
				usage = le.Help
			}
		}
		if !e.HelpOK {
			rep.add("help text not a literal in the source (-L text used)", "%s @%s", r.Name, e.where())
		} else if e.Help != usage {
			rep.add("help text differs from the source (-L text used)", "%s: source %q, -L %q", r.Name, e.Help, usage)
		}
		if strings.Contains(r.Allowed, "[no per-dir config]") {
			rep.add("info: -L says [no per-dir config] (module has no per-dir config)", "%s (%s)", r.Name, r.Module)
		}
		if e.Macro != e.Shape {
			rep.add("info: AP_INIT_ macro whose http_config.h definition stores another args_how (that one used)", "%s (%s): AP_INIT_%s stores %s", r.Name, r.Module, e.Macro, e.Shape)
		}
		if strings.Contains(e.Via, "corrected") {
			rep.add("info: source mask corrected to Debian's binary", "%s (%s): %s", r.Name, r.Module, e.Via)
		}
		if strings.HasPrefix(e.Via, "supplement") {
			rep.add("info: taken from the generator's supplement (not in the source tree)", "%s (%s, %s %s)", r.Name, r.Module, e.Shape, apacheMask(e.Mask))
		}
		if e.Mask&^(orAll|accessConf|rsrcConf) != 0 {
			rep.add("info: masks with bits beyond OR_*/ACCESS_CONF/RSRC_CONF", "%s (%s): %s", r.Name, r.Module, apacheMask(e.Mask))
		}
		if e.Mask&(orAll|accessConf|rsrcConf) == 0 {
			rep.add("info: masks with no context bit", "%s (%s): %s", r.Name, r.Module, apacheMask(e.Mask))
		}
		out = append(out, outDirective{r.Name, r.Module, e.Shape, e.Mask, usage})
	}
	for k, n := range crossFile {
		rep.add("info: table found in another file than the TSV module", "%s: %d directives", k, n)
	}
	sort.Strings(rep.items["info: table found in another file than the TSV module"])
	return out, unresolved, tsvNames
}

// addMPMs lists each MPM's directives and appends those the TSV lacks.
func addMPMs(src *source, rows []tsvRow, tsvNames map[string]bool, rep *report, out *[]outDirective) (map[string][]string, error) {
	mpm := map[string][]string{}
	for _, file := range mpmFiles {
		var names []string
		seen := map[string]bool{}
		for _, e := range src.entries {
			if e.File == file && !seen[strings.ToLower(e.Name)] && e.MaskErr == nil {
				seen[strings.ToLower(e.Name)] = true
				names = append(names, e.Name)
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no command table found for MPM %s", file)
		}
		mpm[file] = names
	}
	for _, file := range mpmFiles {
		for _, n := range mpm[file] {
			key := strings.ToLower(n)
			if tsvNames[key] {
				continue
			}
			tsvNames[key] = true
			var e *entry
			for _, c := range src.byName[key] {
				if c.File == file && c.MaskErr == nil {
					e = c
					break
				}
			}
			if !e.HelpOK {
				return nil, fmt.Errorf("%s: no literal help text in %s", n, e.where())
			}
			var also []string
			for _, f2 := range mpmFiles {
				if f2 != file && containsFold(mpm[f2], n) {
					also = append(also, f2)
				}
			}
			rep.add("info: MPM directives not in the TSV, added", "%s (%s%s, %s %s)", n, file, prefixed(" also ", also), e.Shape, apacheMask(e.Mask))
			*out = append(*out, outDirective{e.Name, file, e.Shape, e.Mask, e.Help})
		}
	}
	for _, r := range rows {
		if r.Module == "event.c" && !containsFold(mpm["event.c"], r.Name) {
			rep.add("MISMATCH: TSV event.c directives missing from event.c's table", "%s", r.Name)
		}
	}
	return mpm, nil
}

// buildModules lists the static modules, then those of the .load files and
// the .so files without one, sorted by ID; soByFile maps a module's file
// name to the binary holding it.
func buildModules(src *source, loads []loadLine, rep *report) (mods []outModule, soByFile map[string]string, err error) {
	soByFile = map[string]string{}
	static := map[string]bool{}
	for _, m := range staticModules {
		static[m.ID] = true
		if files := src.mods[m.ID]; !containsFold(files, m.File) {
			rep.add("MISMATCH: static module not declared in its file", "%s %s (source: %v)", m.ID, m.File, files)
		}
		mods = append(mods, outModule{m.ID, m.File, true})
		soByFile[m.File] = *flagApache2
	}
	for _, l := range loads {
		if static[l.ID] {
			rep.add("module both static and in a .load file (static kept)", "%s (%s)", l.ID, l.Load)
			continue
		}
		files := src.mods[l.ID]
		so, _ := os.ReadFile(soPath(l.SO))
		if so == nil {
			rep.add("module .so not readable (file name not checked)", "%s %s", l.ID, soPath(l.SO))
		}
		file := ""
		switch {
		case len(files) == 1:
			file = files[0]
		case len(files) > 1:
			for _, f := range files {
				if so != nil && soHasFile(so, f) {
					file = f
					break
				}
			}
			if file == "" {
				file = files[0]
			}
			rep.add("module declared in several source files", "%s: %v, chose %s", l.ID, files, file)
		}
		if file == "" {
			return nil, nil, fmt.Errorf("module %s (%s): no source file declares it", l.ID, l.Load)
		}
		if so != nil && !soHasFile(so, file) {
			rep.add("MISMATCH: module file name not found in the .so", "%s %s", l.ID, file)
		}
		mods = append(mods, outModule{l.ID, file, false})
		soByFile[file] = soPath(l.SO)
	}
	// Module .so files Debian ships without a .load file (examples).
	if *flagModLib != "" {
		loaded := map[string]bool{}
		for _, l := range loads {
			loaded[filepath.Base(l.SO)] = true
		}
		sos, _ := filepath.Glob(filepath.Join(*flagModLib, "*.so"))
		for _, p := range sos {
			base := filepath.Base(p)
			if loaded[base] {
				continue
			}
			file := strings.TrimSuffix(base, ".so") + ".c"
			var ids []string
			for id, files := range src.mods {
				if containsFold(files, file) {
					ids = append(ids, id)
				}
			}
			sort.Strings(ids)
			if len(ids) != 1 {
				rep.add("MISMATCH: .so without a .load file and no single module in its source (skipped)", "%s: %s declares %v", base, file, ids)
				continue
			}
			so, _ := os.ReadFile(p)
			if !soHasFile(so, file) || !bytes.Contains(so, []byte("\x00"+ids[0]+"\x00")) {
				rep.add("MISMATCH: module file or ID not found in the .so", "%s %s %s", base, ids[0], file)
			}
			rep.add("info: module .so without a .load file, added", "%s %s (%s)", ids[0], file, base)
			mods = append(mods, outModule{ids[0], file, false})
			soByFile[file] = p
		}
	}
	dyn := mods[len(staticModules):]
	sort.SliceStable(dyn, func(i, j int) bool { return dyn[i].ID < dyn[j].ID })
	return mods, soByFile, nil
}

// soPath finds a LoadModule file: as written, or in -modlib.
func soPath(p string) string {
	if _, err := os.Stat(p); err == nil || *flagModLib == "" {
		return p
	}
	return filepath.Join(*flagModLib, filepath.Base(p))
}

type outModule struct {
	ID, File string
	Static   bool
}

func distinct(es []*entry) bool {
	for _, e := range es[1:] {
		if e.Shape != es[0].Shape || e.Mask != es[0].Mask {
			return true
		}
	}
	return false
}

func containsFold(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func prefixed(p string, l []string) string {
	if len(l) == 0 {
		return ""
	}
	return p + strings.Join(l, ",")
}

func mpmCounts(mpm map[string][]string) string {
	var parts []string
	for _, f := range mpmFiles {
		parts = append(parts, fmt.Sprintf("%s=%d", f, len(mpm[f])))
	}
	return strings.Join(parts, " ")
}

func render(dirs []outDirective, mods []outModule, mpm map[string][]string, bits, combos []goConst) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by gendirectives; DO NOT EDIT.\n\n")
	b.WriteString("// Source: the httpd 2.4 and mod_wsgi command tables, and the directive list\n")
	b.WriteString("// of Debian's apache2 -L; see confparse/internal/gendirectives.\n\n")
	b.WriteString("package confparse\n\n")
	b.WriteString("// apacheDirectives is every directive of Debian's apache2 with all its\n")
	b.WriteString("// modules loaded (apache2 -L order), then those only the prefork or worker\n")
	b.WriteString("// MPM provides. Context is the req_override mask of the command table;\n")
	b.WriteString("// a bit registry.go has no constant for is written as a number with\n")
	b.WriteString("// Apache's name in a comment (2048 is PROXY_CONF: also allowed in <Proxy>).\n")
	b.WriteString("var apacheDirectives = []Directive{\n")
	for _, d := range dirs {
		fmt.Fprintf(&b, "{Name: %s, Module: %s, Args: %s, Context: %s, Usage: %s},\n",
			strconv.Quote(d.Name), strconv.Quote(d.Module), shapeGo[d.Shape], goMask(d.Mask, bits, combos), strconv.Quote(d.Usage))
	}
	b.WriteString("}\n\n")
	b.WriteString("// apacheModules is every module of Debian's apache2: the static ones in\n")
	b.WriteString("// apache2 -l order, then those of mods-available/*.load sorted by ID.\n")
	b.WriteString("var apacheModules = []Module{\n")
	for _, m := range mods {
		if m.Static {
			fmt.Fprintf(&b, "{ID: %s, File: %s, Static: true},\n", strconv.Quote(m.ID), strconv.Quote(m.File))
		} else {
			fmt.Fprintf(&b, "{ID: %s, File: %s},\n", strconv.Quote(m.ID), strconv.Quote(m.File))
		}
	}
	b.WriteString("}\n\n")
	b.WriteString("// mpmDirectives lists, per MPM source file, the directives its command\n")
	b.WriteString("// table provides (its own and the shared LISTEN_COMMANDS and\n")
	b.WriteString("// GracefulShutdownTimeout), in table order.\n")
	b.WriteString("var mpmDirectives = map[string][]string{\n")
	for _, f := range mpmFiles {
		fmt.Fprintf(&b, "%s: {\n", strconv.Quote(f))
		for _, n := range mpm[f] {
			fmt.Fprintf(&b, "%s,\n", strconv.Quote(n))
		}
		b.WriteString("},\n")
	}
	b.WriteString("}\n")
	code, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("formatting output: %v", err)
	}
	return code, nil
}
