package confparse

import (
	"fmt"
	"maps"
	"strings"
)

// This file is mod_macro: <Macro name params...> keeps the lines of its
// body as text, and Use name values... splices them, with each parameter
// replaced by its value, into the configuration being read at the place
// of the Use line. The expansion is read as a source of its own, named
// after the macro and the Use line, so what it defines reports that name
// and its line within the macro, as Apache reports it.

// macroParamPrefixes are the characters mod_macro expects a parameter name
// to start with; a parameter starting with '@' is replaced by its value
// in double quotes.
const macroParamPrefixes = "$%@"

// macroLineMax is MAX_STRING_LEN, the buffer mod_macro reads a body line
// into and substitutes it in.
const macroLineMax = 8192

// Expansion budgets: the lines Use may produce in one configuration read
// and in one .htaccess file. mod_macro has none, and macros that each use
// the one before twice grow as 2^n; Apache loses one child process to
// that, gowsgid would lose every virtual host.
const (
	macroBudgetConf     = 1_000_000
	macroBudgetHtaccess = 10_000
)

// macro is one definition.
type macro struct {
	name     string   // lower case
	params   []string // parameter names, prefixes included
	body     []string // logical lines, comments dropped, each ending in "\n"
	location string   // `defined on line N of "file"`
	// ignoreEmpty is the /IgnoreEmptyArgs flag of the definition.
	ignoreEmpty bool
}

// macroTable is mod_macro's state while a configuration is read: the
// definitions (nil until the first <Macro>, as Apache's table is created
// by the first definition) and the two global switches.
type macroTable struct {
	defs                          map[string]*macro
	ignoreEmpty, ignoreBadNesting bool
	// expanded counts the lines Use produced, against the budget.
	expanded int
	// shared is set when defs belongs to the server configuration and a
	// .htaccess reader must copy it before changing it.
	shared bool
}

// own makes the table's definitions the reader's own.
func (t *macroTable) own() {
	if t.defs == nil {
		t.defs = map[string]*macro{}
	} else if t.shared {
		t.defs = maps.Clone(t.defs)
	}
	t.shared = false
}

// macroNotice logs one of mod_macro's warnings.
func (r *reader) macroNotice(format string, a ...any) {
	r.notice(Notice{Level: "warn", Module: "macro", Text: fmt.Sprintf(format, a...)})
}

// warnIfNonBlank is warn_if_non_blank: text after a closing '>' is
// reported unless it is blanks or a comment.
func (r *reader) warnIfNonBlank(what, rest string, line int, file string) {
	for i := 0; i < len(rest); i++ {
		switch rest[i] {
		case '#':
			return
		case ' ', '\t':
			continue
		}
		r.macroNotice("AH02989: %s on line %d of %s: %s", what, line, file, rest)
		return
	}
}

// defineMacro is macro_section: <Macro name [/flags] params...> and its
// body, read from src up to the matching </Macro>.
func (r *reader) defineMacro(n *Node, src *source) error {
	r.macros.own()
	arg := n.Raw
	end := strings.LastIndexByte(arg, '>')
	if end < 0 {
		return fmt.Errorf("<Macro> directive missing closing '>'")
	}
	if end == 0 {
		return fmt.Errorf("<Macro macro definition: empty name")
	}
	r.warnIfNonBlank("AH02801: non blank chars found after <Macro closing '>'", arg[end+1:], n.Line, src.name)
	arg = arg[:end]
	name, i := confWord(arg, 0)
	if name == "" {
		return fmt.Errorf("<Macro macro definition: name not found")
	}
	name = asciiLower(name)
	m := &macro{name: name}
	if old := r.macros.defs[name]; old != nil {
		r.macroNotice("AH02802: macro '%s' multiply defined: %s, redefined on line %d of \"%s\"",
			old.name, old.location, n.Line, src.name)
	}
	m.location = fmt.Sprintf("defined on line %d of \"%s\"", n.Line, src.name)
	where := fmt.Sprintf("macro '%s' (%s)", m.name, m.location)
	if strings.IndexByte(macroParamPrefixes, name[0]) >= 0 {
		r.macroNotice("AH02803: %s better prefix a macro name with any of '%s'", where, macroParamPrefixes)
	}
	ignoreBadNesting := false
	arg = arg[i:]
	// The flags are read as mod_macro reads them, a byte at a time.
	for strings.HasPrefix(arg, "/") {
		if hasPrefixFold(arg, "/IgnoreEmptyArgs") {
			m.ignoreEmpty = true
			arg = arg[len("/IgnoreEmptyArgs"):]
			if arg == "" {
				break
			}
		}
		if hasPrefixFold(arg, "/IgnoreBadNesting") {
			ignoreBadNesting = true
			arg = arg[len("/IgnoreBadNesting"):]
			if arg == "" {
				break
			}
		}
		if arg[0] != ' ' {
			flag := arg
			sp := strings.IndexByte(arg, ' ')
			if sp >= 0 {
				flag = arg[:sp]
			}
			r.macroNotice("AH02804: %s: unknown flag '%s'", where, flag)
			if sp >= 0 {
				arg = arg[sp:]
			}
		}
		arg = arg[1:]
	}
	m.params = macroArguments(arg)
	if err := r.checkMacroParams(m); err != nil {
		return err
	}
	body, err := r.macroBody(src, n.Line, where, ignoreBadNesting || r.macros.ignoreBadNesting)
	if err != "" {
		return fmt.Errorf("%s\n\tcontents error: %s", where, err)
	}
	m.body = body
	if len(m.body) == 0 {
		r.macroNotice("AH02799: macro '%s' (%s): empty contents!", m.name, m.location)
	} else {
		used := make([]bool, len(m.params))
		if _, err := m.expand(m.params, used); err != nil {
			return fmt.Errorf("%s\n\tcontents checking error: %s", where, err)
		}
		for i, u := range used {
			if !u {
				r.macroNotice("AH02800: macro '%s' (%s): argument '%s' (#%d) never used",
					m.name, m.location, m.params[i], i+1)
			}
		}
	}
	r.macros.defs[name] = m
	return nil
}

// checkMacroParams is check_macro_arguments.
func (r *reader) checkMacroParams(m *macro) error {
	for i, p := range m.params {
		if p == "" {
			return fmt.Errorf("macro '%s' (%s): empty argument #%d name", m.name, m.location, i+1)
		}
		if strings.IndexByte(macroParamPrefixes, p[0]) < 0 {
			r.macroNotice("AH02796: macro '%s' (%s) argument name '%s' (#%d) without expected prefix, "+
				"better prefix argument names with one of '%s'.", m.name, m.location, p, i+1, macroParamPrefixes)
		}
		if strings.HasPrefix(p, "${") {
			r.macroNotice("AH02805: macro '%s' (%s) argument name '%s' (#%d) clashes with 'Define' syntax '${...}', "+
				"better use '$(...)'.", m.name, m.location, p, i+1)
		}
		for j := i + 1; j < len(m.params); j++ {
			q := m.params[j]
			if p == q {
				return fmt.Errorf("argument name conflict in macro '%s' (%s): argument '%s': #%d and #%d, "+
					"change argument names!", m.name, m.location, p, i+1, j+1)
			}
			if q != "" && p[:min(len(p), len(q))] == q[:min(len(p), len(q))] {
				r.macroNotice("AH02797: macro '%s' (%s): argument name prefix conflict (%s #%d and %s #%d), "+
					"be careful about your macro definition!", m.name, m.location, p, i+1, q, j+1)
			}
		}
	}
	return nil
}

// macroBody is get_lines_till_end_token: the lines up to the </Macro>
// that closes this definition, counting nested <Macro> sections, and
// every section tag to warn of unbalanced ones. start is the line of the
// <Macro> tag.
func (r *reader) macroBody(src *source, start int, where string, ignoreNesting bool) ([]string, string) {
	const endToken = "</Macro>"
	var lines []string
	macroNesting, anyNesting := 1, 1
	for {
		text, line, ok, err := src.next()
		if err != nil || !ok || len(text) >= macroLineMax-1 {
			return nil, "expected token not found: " + endToken
		}
		if strings.HasPrefix(text, "#") {
			continue
		}
		first, _ := confWord(text, 0)
		switch {
		case strings.HasPrefix(first, "</"):
			anyNesting--
			if !ignoreNesting && anyNesting < 0 {
				r.macroNotice("AH02793: bad (negative) nesting on line %d of %s", line-start, where)
			}
		case strings.HasPrefix(first, "<"):
			anyNesting++
		}
		if strings.EqualFold(first, endToken) {
			closing := strings.LastIndexByte(text, '>')
			r.warnIfNonBlank("AH02794: non blank chars found after directive closing", text[closing+1:], line, src.name)
			macroNesting--
			if macroNesting == 0 {
				if !ignoreNesting && anyNesting != 0 {
					r.macroNotice("AH02795: bad cumulated nesting (%+d) in %s", anyNesting, where)
				}
				return lines, ""
			}
		} else if strings.EqualFold(first, "<Macro") {
			macroNesting++
		}
		lines = append(lines, text+"\n")
	}
}

// expand is process_content: the body with each parameter replaced by its
// value. used, when not nil, records which parameters occur.
func (m *macro) expand(values []string, used []bool) ([]byte, error) {
	var out []byte
	for i, line := range m.body {
		s, err := substituteMacroParams(line, m.params, values, used)
		if err != nil {
			return nil, fmt.Errorf("while processing line %d of macro '%s' (%s) %s", i+1, m.name, m.location, err)
		}
		out = append(out, s...)
	}
	return out, nil
}

// substituteMacroParams is substitute_macro_args on one line: scanning
// left to right, the first parameter found (the longest of those found
// at the same place) is replaced, and the scan goes on as far past the
// replacement as its unquoted value is long, as mod_macro's does.
func substituteMacroParams(line string, params, values []string, used []bool) (string, error) {
	pos := 0
	for {
		at, k := -1, -1
		for i, p := range params {
			j := strings.Index(line[pos:], p)
			if j < 0 {
				continue
			}
			if at < 0 || pos+j < at || pos+j == at && len(params[k]) < len(p) {
				at, k = pos+j, i
			}
		}
		if k < 0 {
			return line, nil
		}
		name, value := params[k], values[k]
		if name != value {
			repl := value
			if name[0] == '@' {
				repl = quoteMacroValue(value)
			}
			if len(line)-len(name)+len(repl) >= macroLineMax {
				return "", fmt.Errorf("cannot substitute, buffer size too small")
			}
			line = line[:at] + repl + line[at+len(name):]
		}
		pos = at + len(value)
		if used != nil {
			used[k] = true
		}
	}
}

// quoteMacroValue puts a value of an '@' parameter in double quotes, with
// a backslash before each backslash and double quote in it.
func quoteMacroValue(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
	return b.String()
}

// useMacro is use_macro: Use name values... makes the macro's expansion
// the next lines src reads.
func (r *reader) useMacro(n *Node, src *source) error {
	if r.macros.defs == nil {
		return fmt.Errorf("no macro defined before Use")
	}
	name, i := confWord(n.Raw, 0)
	name = asciiLower(name)
	if name == "" {
		return fmt.Errorf("no macro name specified with Use")
	}
	m := r.macros.defs[name]
	if m == nil {
		return fmt.Errorf("macro '%s' undefined", name)
	}
	// Like mod_macro, recursion is seen in the name of the source being
	// read: an expansion's name holds those of the expansions around it.
	if strings.Contains(src.name, "macro '"+m.name+"'") {
		return fmt.Errorf("recursive use of macro '%s' is invalid", m.name)
	}
	values := macroArguments(n.Raw[i:])
	if len(values) != len(m.params) {
		return fmt.Errorf("macro '%s' (%s) used with %d arguments instead of %d",
			m.name, m.location, len(values), len(m.params))
	}
	where := fmt.Sprintf("macro '%s' (%s) used on line %d of \"%s\"", m.name, m.location, n.Line, src.name)
	if !r.macros.ignoreEmpty && !m.ignoreEmpty {
		for i, v := range values {
			if v == "" {
				r.macroNotice("AH02798: %s: empty argument #%d", where, i+1)
			}
		}
	}
	budget := macroBudgetConf
	switch {
	case r.htaccess:
		budget = macroBudgetHtaccess
	case r.opts.MacroLines > 0:
		budget = r.opts.MacroLines
	}
	if r.macros.expanded += len(m.body); r.macros.expanded > budget {
		return fmt.Errorf("%s: the macros of this file expand to more than %d lines (gowsgid's limit)", where, budget)
	}
	text, err := m.expand(values, nil)
	if err != nil {
		return fmt.Errorf("%s error while substituting: %s", where, err)
	}
	src.push(where, text)
	return nil
}

// undefMacro is UndefMacro name.
func (r *reader) undefMacro(name string) error {
	if r.macros.defs == nil {
		return fmt.Errorf("no macro defined before UndefMacro")
	}
	if name == "" {
		return fmt.Errorf("no macro name specified with UndefMacro")
	}
	name = asciiLower(name)
	if r.macros.defs[name] == nil {
		return fmt.Errorf("cannot remove undefined macro '%s'", name)
	}
	r.macros.own()
	delete(r.macros.defs, name)
	return nil
}

// macroArguments is mod_macro's get_arguments: the words of s.
func macroArguments(s string) []string {
	var words []string
	for i := skipSpace(s, 0); i < len(s); {
		var w string
		w, i = confWord(s, i)
		words = append(words, w)
	}
	return words
}

// confWord is ap_getword_conf at s[i:]: blanks before and after the word
// are skipped; it returns the word and where the next one starts.
func confWord(s string, i int) (string, int) {
	i = skipSpace(s, i)
	if i >= len(s) {
		return "", i
	}
	w, end := getWordConf(s, i)
	return w, skipSpace(s, end)
}

// hasPrefixFold is strncasecmp(s, prefix, len(prefix)) == 0.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// asciiLower is ap_str_tolower: ASCII letters only, as C's tolower in the
// "C" locale.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// macroErr makes a mod_macro error a read error of the directive.
func macroErr(err error) *Error {
	if err == nil {
		return nil
	}
	return &Error{Phase: ReadPhase, Msg: err.Error()}
}
