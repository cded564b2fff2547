package confparse

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/internal/apregex"
)

// The directives of Apache's metadata modules that change a request's
// environment and headers: mod_env (SetEnv, UnsetEnv, PassEnv),
// mod_setenvif (SetEnvIf and its relatives), mod_headers (Header,
// RequestHeader) and mod_expires. vhost applies them.

// EnvPair is one variable of an Apache table of strings.
type EnvPair struct {
	Name, Value string
}

// EnvConfig is mod_env's configuration of one scope.
type EnvConfig struct {
	// Vars are the variables SetEnv and PassEnv set, in order; names
	// are compared without case, as in Apache's tables.
	Vars []EnvPair
	// Unset are the names UnsetEnv removes from the enclosing scopes'
	// variables. A merged configuration has none (merge_env_dir_configs).
	Unset []string
}

// setPair sets name in a table as apr_table_setn does: the first entry of
// that name (any case) takes the value and keeps its spelling; later ones
// go.
func setPair(t []EnvPair, name, value string) []EnvPair {
	found := false
	out := t[:0]
	for _, p := range t {
		if strings.EqualFold(p.Name, name) {
			if found {
				continue
			}
			found = true
			p.Value = value
		}
		out = append(out, p)
	}
	if !found {
		out = append(out, EnvPair{name, value})
	}
	return out
}

// unsetPair removes every entry of name (any case).
func unsetPair(t []EnvPair, name string) []EnvPair {
	return slices.DeleteFunc(t, func(p EnvPair) bool { return strings.EqualFold(p.Name, name) })
}

func (c *Cmd) envConfig() *EnvConfig {
	if c.Dir.Env == nil {
		c.Dir.Env = &EnvConfig{}
	}
	return c.Dir.Env
}

// applySetEnv is mod_env's add_env_module_vars_set.
func applySetEnv(c *Cmd) error {
	name, value := c.Args[0], ""
	if len(c.Args) > 1 {
		value = c.Args[1]
	}
	if strings.Contains(name, "=") {
		first := strings.TrimLeft(name, "=")
		rest := ""
		if i := strings.IndexByte(first, '='); i >= 0 {
			first, rest = first[:i], first[i+1:]
		}
		c.Notice(Notice{Level: "warn", Module: "env", Text: fmt.Sprintf(
			"AH10032: Spurious usage of '=' in an environment variable name. '%s %s %s' expected instead?",
			c.Directive.Name, first, rest)})
	}
	e := c.envConfig()
	e.Vars = setPair(e.Vars, name, value)
	return nil
}

// applyPassEnv is mod_env's add_env_module_vars_passed: the variable of
// gowsgid's own environment, read now.
func applyPassEnv(c *Cmd) error {
	e := c.envConfig()
	for _, name := range c.Args {
		v, ok := os.LookupEnv(name)
		if !ok {
			c.Notice(Notice{Level: "warn", Module: "env", Text: fmt.Sprintf(
				"AH01506: PassEnv variable %s was undefined", name)})
			continue
		}
		e.Vars = setPair(e.Vars, name, v)
	}
	return nil
}

// applyUnsetEnv is mod_env's add_env_module_vars_unset: the name leaves
// this scope's variables now and the enclosing scopes' at the merge.
func applyUnsetEnv(c *Cmd) error {
	e := c.envConfig()
	for _, name := range c.Args {
		e.Unset = append(slices.DeleteFunc(e.Unset, func(n string) bool { return strings.EqualFold(n, name) }), name)
		e.Vars = unsetPair(e.Vars, name)
	}
	return nil
}

// mergeEnv is merge_env_dir_configs: the parent's variables without the
// child's unset names, then the child's variables.
func mergeEnv(parent, child *EnvConfig) *EnvConfig {
	switch {
	case child == nil:
		return parent
	case parent == nil:
		// Apache merges only configurations both sides have: the
		// child's is taken whole, its unset names included.
		return child
	}
	m := &EnvConfig{Vars: append([]EnvPair(nil), parent.Vars...)}
	for _, n := range child.Unset {
		m.Vars = unsetPair(m.Vars, n)
	}
	for _, p := range child.Vars {
		m.Vars = setPair(m.Vars, p.Name, p.Value)
	}
	return m
}

// SetEnvIfAttr is the request attribute a SetEnvIf tests, when it is not
// a header.
type SetEnvIfAttr uint8

// The attributes mod_setenvif knows by name (case-insensitive).
const (
	AttrHeader SetEnvIfAttr = iota
	AttrRemoteAddr
	AttrRemoteHost
	AttrRequestURI
	AttrRequestMethod
	AttrRequestProtocol
	AttrServerAddr
)

var setEnvIfAttrs = map[string]SetEnvIfAttr{
	"remote_addr": AttrRemoteAddr, "remote_host": AttrRemoteHost, "request_uri": AttrRequestURI,
	"request_method": AttrRequestMethod, "request_protocol": AttrRequestProtocol,
	"server_addr": AttrServerAddr,
}

// SetEnvIf is one SetEnvIf, SetEnvIfNoCase, BrowserMatch(NoCase) or
// SetEnvIfExpr (mod_setenvif's sei_entry).
type SetEnvIf struct {
	// Name is the header or attribute ("" for SetEnvIfExpr).
	Name string
	Attr SetEnvIfAttr
	// NameRegex is set when Name is a regex over the header names.
	NameRegex *apregex.Regexp
	// Regex is the value's regex; when nil (and Expr is nil) the value
	// is searched for Literal, the pattern without its escapes.
	Regex   *apregex.Regexp
	Literal string
	ICase   bool
	// Expr is SetEnvIfExpr's condition.
	Expr *apexpr.Expr
	// Vars are what a match does, in order: Value set ($1..$9
	// substituted after a regex match), or the variable removed when
	// Value starts with '!'.
	Vars []EnvPair
	// NameID tells which entries share one header name in Apache (it
	// compares name pointers): consecutive entries with the same
	// non-zero NameID reuse the value the first one read.
	NameID int
}

// browserMatchID is the NameID of BrowserMatch entries that found no
// earlier User-Agent entry in their scope: Apache gives them all the same
// constant string.
const browserMatchID = 1

// headerNameRE is is_header_regex_regex: names with other characters
// are regexes.
var headerNameRE = regexp.MustCompile(`^[-A-Za-z0-9_]*$`)

// nonRegexPattern is mod_setenvif's non_regex_pattern: the pattern
// without its escapes when it uses no regex metacharacter, else ok=false.
func nonRegexPattern(s string) (string, bool) {
	inEscape, escapes := false, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '^', '.', '$', '|', '(', ')', '[', ']', '*', '+', '?', '{', '}':
			if !inEscape {
				return "", false
			}
			inEscape = false
		case '\\':
			inEscape = !inEscape
			escapes = true
		default:
			if inEscape {
				return "", false
			}
		}
	}
	if !escapes {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			if i >= len(s) {
				break
			}
		}
		b.WriteByte(s[i])
	}
	return b.String(), true
}

// setEnvIfList is the list a SetEnvIf directive adds to: the server's in
// server and virtual host context, else the section's.
func (c *Cmd) setEnvIfList() *[]*SetEnvIf {
	if !c.scope.inPath {
		return &c.Server.SetEnvIf
	}
	return &c.Dir.SetEnvIf
}

// applySetEnvIf is mod_setenvif's add_setenvif and add_browser.
func applySetEnvIf(c *Cmd) error {
	name := c.Directive.Name
	words := SplitWords(c.Node.Raw)
	icase := strings.HasSuffix(strings.ToLower(name), "nocase")
	var field string
	if strings.HasPrefix(strings.ToLower(name), "browsermatch") {
		field = "User-Agent"
	} else {
		if len(words) == 0 || words[0] == "" {
			return fmt.Errorf("Missing header-field name for %s", name)
		}
		field, words = words[0], words[1:]
	}
	if len(words) == 0 || words[0] == "" {
		return fmt.Errorf("Missing regular expression for %s", name)
	}
	pattern := words[0]
	list := c.setEnvIfList()
	e := &SetEnvIf{Name: field, ICase: icase}
	for _, prev := range *list {
		if prev.Expr == nil && strings.EqualFold(prev.Name, field) {
			e.NameID = prev.NameID
			break
		}
	}
	if e.NameID == 0 {
		if field == "User-Agent" && strings.HasPrefix(strings.ToLower(name), "browsermatch") {
			e.NameID = browserMatchID
		} else {
			c.Config.setEnvIfIDs++
			e.NameID = browserMatchID + c.Config.setEnvIfIDs
		}
	}
	if lit, ok := nonRegexPattern(pattern); ok {
		e.Literal = lit
	} else {
		re, err := compileRegex(pattern, icase)
		if err != nil {
			return fmt.Errorf("%s regex could not be compiled.", name)
		}
		e.Regex = re
	}
	if a, ok := setEnvIfAttrs[strings.ToLower(field)]; ok {
		e.Attr = a
	} else if !headerNameRE.MatchString(field) {
		re, err := compileRegex(field, icase)
		if err != nil {
			return fmt.Errorf("%sHeader name regex could not be compiled.", name)
		}
		e.NameRegex = re
	}
	vars, err := envAssignments(name, words[1:])
	if err != nil {
		return err
	}
	e.Vars = vars
	*list = append(*list, e)
	return nil
}

// applySetEnvIfExpr is mod_setenvif's add_setenvifexpr.
func applySetEnvIfExpr(c *Cmd) error {
	words := SplitWords(c.Node.Raw)
	if len(words) == 0 || words[0] == "" {
		return fmt.Errorf("Missing expression for %s", c.Directive.Name)
	}
	expr, err := c.parseExpr(words[0])
	if err != nil {
		return fmt.Errorf("Could not parse expression \"%s\": %s", words[0], err)
	}
	vars, err := envAssignments(c.Directive.Name, words[1:])
	if err != nil {
		return err
	}
	list := c.setEnvIfList()
	*list = append(*list, &SetEnvIf{Expr: expr, Vars: vars})
	return nil
}

// envAssignments is mod_setenvif's add_envvars: "VAR" sets 1, "!VAR"
// removes, "VAR=value" sets value; the list ends at an empty word.
func envAssignments(directive string, words []string) ([]EnvPair, error) {
	var out []EnvPair
	for _, w := range words {
		if w == "" {
			break
		}
		// ap_getword: the name ends at the first '=', and every '='
		// there is skipped.
		name, value, _ := strings.Cut(w, "=")
		value = strings.TrimLeft(value, "=")
		switch {
		case value != "":
			out = setPair(out, name, value)
		case strings.HasPrefix(name, "!"):
			out = setPair(out, name[1:], "!")
		default:
			out = setPair(out, name, "1")
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("Missing envariable expression for %s", directive)
	}
	return out, nil
}

// HeaderOp is a Header or RequestHeader action.
type HeaderOp uint8

// The actions of mod_headers.
const (
	HeaderSet HeaderOp = iota
	HeaderSetIfEmpty
	HeaderAdd
	HeaderAppend
	HeaderMerge
	HeaderUnset
	HeaderEcho
	HeaderEdit
	HeaderEditAll
	HeaderNote
)

var headerOps = map[string]HeaderOp{
	"set": HeaderSet, "setifempty": HeaderSetIfEmpty, "add": HeaderAdd, "append": HeaderAppend,
	"merge": HeaderMerge, "unset": HeaderUnset, "echo": HeaderEcho, "edit": HeaderEdit,
	"edit*": HeaderEditAll, "note": HeaderNote,
}

// HeaderAction is one Header or RequestHeader directive (mod_headers'
// header_entry).
type HeaderAction struct {
	Op HeaderOp
	// Name is the header, cut at a colon.
	Name string
	// Value is the value's format (the replacement for edit); ValueExpr
	// replaces it for an "expr=" value.
	Value     []FormatTag
	ValueExpr *apexpr.Expr
	// Regex is edit's pattern, or echo's pattern of header names.
	Regex *apregex.Regexp
	// Early actions run when the request has been read, before it is
	// mapped; the others never do then.
	Early bool
	// Env is the env= condition: the variable must be set ("VAR") or
	// not ("!VAR"); Cond is the expr= condition.
	Env  string
	Cond *apexpr.Expr
	File string
	Line int
}

// FormatTag is one piece of a Header value: literal text (Spec 0) or a
// format specifier %t, %D, %{VAR}e, %{VAR}s, %l, %i, %b.
type FormatTag struct {
	Spec byte
	Arg  string
}

// parseHeaderFormat is parse_format_string's loop over the tags.
func parseHeaderFormat(s string) ([]FormatTag, error) {
	var tags []FormatTag
	for s != "" {
		if s[0] != '%' {
			var b strings.Builder
			i := 0
			for i < len(s) && s[i] != '%' {
				if s[i] != '\\' || i+1 >= len(s) {
					b.WriteByte(s[i])
					i++
					continue
				}
				switch s[i+1] {
				case '\\':
					b.WriteByte('\\')
					i += 2
				case 'r':
					b.WriteByte('\r')
					i += 2
				case 'n':
					b.WriteByte('\n')
					i += 2
				case 't':
					b.WriteByte('\t')
					i += 2
				default:
					b.WriteByte('\\')
					i++
				}
			}
			tags = append(tags, FormatTag{Arg: b.String()})
			s = s[i:]
			continue
		}
		s = s[1:]
		if s == "" || s[0] == '%' {
			tags = append(tags, FormatTag{Arg: "%"})
			if s != "" {
				s = s[1:]
			}
			continue
		}
		arg := ""
		if s[0] == '{' {
			end := strings.IndexByte(s, '}')
			if end < 0 {
				arg, s = s[1:], ""
			} else {
				arg, s = s[1:end], s[end+1:]
			}
		}
		if s == "" {
			return nil, errors.New("Unrecognized header format %")
		}
		switch s[0] {
		case 'D', 't', 'e', 's', 'l', 'i', 'b':
			tags = append(tags, FormatTag{Spec: s[0], Arg: arg})
		default:
			return nil, fmt.Errorf("Unrecognized header format %%%c", s[0])
		}
		s = s[1:]
	}
	return tags, nil
}

// applyHeader is mod_headers' header_cmd and header_inout_cmd, for Header
// and RequestHeader.
func applyHeader(c *Cmd) error {
	request := strings.EqualFold(c.Directive.Name, "RequestHeader")
	words := SplitWords(c.Node.Raw)
	word := func() string {
		if len(words) == 0 {
			return ""
		}
		w := words[0]
		words = words[1:]
		return w
	}
	optional := func() (string, bool) {
		if len(words) == 0 {
			return "", false
		}
		return word(), true
	}
	action := word()
	always := false
	if !request {
		switch strings.ToLower(action) {
		case "always":
			always = true
			action = word()
		case "onsuccess":
			action = word()
		}
	}
	name := word()
	value, hasValue := optional()
	subs, hasSubs := optional()
	clause, hasClause := optional()
	if len(words) > 0 {
		return fmt.Errorf("%s has too many arguments", c.Directive.Name)
	}
	op, ok := headerOps[strings.ToLower(action)]
	if !ok {
		return errors.New("first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'.")
	}
	h := &HeaderAction{Op: op, File: c.Node.File, Line: c.Node.Line}
	if op == HeaderEdit || op == HeaderEditAll {
		if !hasSubs {
			return errors.New("Header edit requires a match and a substitution")
		}
		re, err := compileRegex(value, false)
		if err != nil {
			return errors.New("Header edit regex could not be compiled")
		}
		h.Regex = re
	} else {
		if hasClause {
			return errors.New("Too many arguments to directive")
		}
		clause, hasClause = subs, hasSubs
	}
	switch op {
	case HeaderUnset:
		if hasValue {
			if hasClause {
				return errors.New("header unset takes two arguments")
			}
			clause, hasClause = value, true
			hasValue = false
		}
	case HeaderEcho:
		if hasValue {
			if hasClause {
				return errors.New("Header echo takes two arguments")
			}
			clause, hasClause = value, true
			hasValue = false
		}
		if request {
			return errors.New("Header echo only valid on Header directives")
		}
		re, err := compileRegex(name, false)
		if err != nil {
			return errors.New("Header echo regex could not be compiled")
		}
		h.Regex = re
	default:
		if !hasValue {
			return errors.New("Header requires three arguments")
		}
	}
	if hasClause {
		lc := strings.ToLower(clause)
		switch {
		case lc == "early":
			h.Early = true
		case strings.HasPrefix(lc, "env="):
			if clause[4:] == "" || clause[4:] == "!" {
				return errors.New("error: missing environment variable name. envclause should be in the form env=envar ")
			}
			h.Env = clause[4:]
		case strings.HasPrefix(lc, "expr="):
			e, err := c.parseExpr(clause[5:])
			if err != nil {
				return fmt.Errorf("Can't parse envclause/expression: %s", err)
			}
			h.Cond = e
		default:
			return fmt.Errorf("Unknown parameter: %s", clause)
		}
	}
	if i := strings.IndexByte(name, ':'); i >= 0 {
		name = name[:i]
	}
	h.Name = name
	if op != HeaderUnset && op != HeaderEcho {
		format := value
		if op == HeaderEdit || op == HeaderEditAll {
			format = subs
		}
		if strings.HasPrefix(format, "expr=") {
			e, err := c.parseExprString(format[5:])
			if err != nil {
				return fmt.Errorf("Can't parse value expression : %s", err)
			}
			h.ValueExpr = e
		} else {
			tags, err := parseHeaderFormat(format)
			if err != nil {
				return err
			}
			h.Value = tags
		}
	}
	switch {
	case request:
		c.Dir.RequestHeaders = append(c.Dir.RequestHeaders, h)
	case always:
		c.Dir.HeadersAlways = append(c.Dir.HeadersAlways, h)
	default:
		c.Dir.Headers = append(c.Dir.Headers, h)
	}
	return nil
}

// ExpiresConfig is mod_expires' configuration of one scope.
type ExpiresConfig struct {
	// Active is ExpiresActive (nil: not set here).
	Active *bool
	// Default is ExpiresDefault (nil: not set here).
	Default *ExpiryCode
	// ByType maps lower-cased MIME types ("text/html", "image/*") to
	// their codes.
	ByType map[string]ExpiryCode
	// Wildcards is set when this scope's ExpiresByType has a "type/*"
	// entry. A merge keeps the child's flag, not the parent's, so the
	// wildcards of an enclosing scope stop counting in a section that
	// uses mod_expires.
	Wildcards bool
}

// ExpiryCode is an expiry time as mod_expires stores it ("A3600"): from
// the access (Base 'A') or the file's modification ('M'), plus Seconds.
type ExpiryCode struct {
	Base    byte
	Seconds int64
}

func (c *Cmd) expiresConfig() *ExpiresConfig {
	if c.Dir.Expires == nil {
		c.Dir.Expires = &ExpiresConfig{}
	}
	return c.Dir.Expires
}

func applyExpiresActive(c *Cmd) error {
	c.expiresConfig().Active = ptr(strings.EqualFold(c.Args[0], "on"))
	return nil
}

// applyExpiresByType is mod_expires' set_expiresbytype.
func applyExpiresByType(c *Cmd) error {
	mime, code := c.Args[0], c.Args[1]
	slash := strings.LastIndexByte(mime, '/')
	if slash < 0 {
		return errors.New("Invalid mimetype: should contain a slash")
	}
	e := c.expiresConfig()
	if mime[slash+1:] == "*" {
		e.Wildcards = true
	}
	ec, err := parseExpiryCode(code)
	if err != nil {
		return fmt.Errorf("'ExpiresByType %s %s': %s", mime, code, err)
	}
	if e.ByType == nil {
		e.ByType = map[string]ExpiryCode{}
	}
	e.ByType[strings.ToLower(mime)] = ec
	return nil
}

// applyExpiresDefault is mod_expires' set_expiresdefault.
func applyExpiresDefault(c *Cmd) error {
	ec, err := parseExpiryCode(c.Args[0])
	if err != nil {
		return fmt.Errorf("'ExpiresDefault %s': %s", c.Args[0], err)
	}
	c.expiresConfig().Default = &ec
	return nil
}

// parseExpiryCode is mod_expires' check_code: "A<seconds>" and
// "M<seconds>" as they are (anything after an upper-case A or M is read
// like C's atoi, so "Access plus 1 day" is "A0"), else
// "<base> [plus] {<num> <type>}*", each word recognised by its first
// letter (two for months and minutes), added up in a C int.
func parseExpiryCode(code string) (ExpiryCode, error) {
	if code != "" && (code[0] == 'A' || code[0] == 'M') {
		return ExpiryCode{Base: code[0], Seconds: cAtoi(code[1:])}, nil
	}
	words := SplitWords(code)
	next := func() string {
		if len(words) == 0 {
			return ""
		}
		w := words[0]
		words = words[1:]
		return w
	}
	prefix := func(w, full string, n int) bool {
		return len(w) >= n && strings.EqualFold(w[:n], full[:n])
	}
	var ec ExpiryCode
	switch w := next(); {
	case prefix(w, "now", 1), prefix(w, "access", 1):
		ec.Base = 'A'
	case prefix(w, "modification", 1):
		ec.Base = 'M'
	default:
		return ec, fmt.Errorf("bad expires code, unrecognised <base> '%s'", w)
	}
	w := next()
	if prefix(w, "plus", 1) {
		w = next()
	}
	var modifier int32
	for w != "" {
		if w[0] < '0' || w[0] > '9' {
			return ec, fmt.Errorf("bad expires code, numeric value expected <num> '%s'", w)
		}
		num := int32(cAtoi(w))
		w = next()
		if w == "" {
			return ec, errors.New("bad expires code, missing <type>")
		}
		var factor int32
		switch {
		case prefix(w, "years", 1):
			factor = 60 * 60 * 24 * 365
		case prefix(w, "months", 2):
			factor = 60 * 60 * 24 * 30
		case prefix(w, "weeks", 1):
			factor = 60 * 60 * 24 * 7
		case prefix(w, "days", 1):
			factor = 60 * 60 * 24
		case prefix(w, "hours", 1):
			factor = 60 * 60
		case prefix(w, "minutes", 2):
			factor = 60
		case prefix(w, "seconds", 1):
			factor = 1
		default:
			return ec, fmt.Errorf("bad expires code, unrecognised <type>'%s'", w)
		}
		modifier += factor * num
		w = next()
	}
	ec.Seconds = int64(modifier)
	return ec, nil
}

// cAtoi is C's atoi as glibc does it: strtol (Atoi64) cast to a C int.
func cAtoi(s string) int64 { return int64(int32(Atoi64(s))) }

// mergeExpires is merge_expires_dir_configs.
func mergeExpires(parent, child *ExpiresConfig) *ExpiresConfig {
	switch {
	case child == nil:
		return parent
	case parent == nil:
		return child
	}
	m := &ExpiresConfig{Active: parent.Active, Default: parent.Default, Wildcards: child.Wildcards}
	setPtr(&m.Active, child.Active)
	setPtr(&m.Default, child.Default)
	m.ByType = parent.ByType
	if len(child.ByType) > 0 {
		m.ByType = make(map[string]ExpiryCode, len(parent.ByType)+len(child.ByType))
		for k, v := range parent.ByType {
			m.ByType[k] = v
		}
		for k, v := range child.ByType {
			m.ByType[k] = v
		}
	}
	return m
}
