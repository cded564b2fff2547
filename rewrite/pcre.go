package rewrite

import (
	"strings"
	"unicode/utf8"
)

// pcreSyntax is what PCRE2's rules (10.42, as Debian's Apache 2.4 links
// it) say of a pattern before RE2 compiles it: the start-of-pattern
// options it begins with, and the errors of PCRE2 that RE2 does not make
// (or that RE2 makes for another reason, so that they cannot be told
// from syntax PCRE2 takes and RE2 lacks).
type pcreSyntax struct {
	// body is the pattern without its start-of-pattern options.
	body string
	// utf is (*UTF) or (*UTF8): a subject that is not valid UTF-8
	// matches nothing (pcre2_match fails, and ap_regexec with it).
	utf bool
	// unsupported is why RE2 cannot do what the pattern asks ("" when
	// it can as far as this look goes).
	unsupported string
	// bad is set when PCRE2 refuses the pattern.
	bad bool
}

// startOptions are PCRE2's start-of-pattern options (pso_list) with what
// they mean here: an option whose effect RE2 cannot give is unsupported
// (with the reason), one without effect on a match is ignored. The
// newline conventions change only "^" and "$" under (?m) and "." under
// (?-s); the \R conventions, \R only, which RE2 lacks anyway.
var startOptions = map[string]string{
	"UTF8": "", "UTF": "", "UCP": "",
	"NOTEMPTY":         "(*NOTEMPTY) refuses an empty match, which RE2 cannot",
	"NOTEMPTY_ATSTART": "(*NOTEMPTY_ATSTART) refuses an empty match at the start, which RE2 cannot",
	"NO_AUTO_POSSESS":  "", "NO_DOTSTAR_ANCHOR": "", "NO_JIT": "", "NO_START_OPT": "",
	"CR": "", "LF": "", "CRLF": "", "ANY": "", "NUL": "", "ANYCRLF": "",
	"BSR_ANYCRLF": "", "BSR_UNICODE": "",
}

// limitOptions are the start-of-pattern options that take a number.
var limitOptions = []string{"LIMIT_HEAP=", "LIMIT_MATCH=", "LIMIT_DEPTH=", "LIMIT_RECURSION="}

// verbs are PCRE2's backtracking control verbs: whether each needs a
// name (":NAME") or may have one.
var verbs = map[string]struct{ needsName, mayName bool }{
	"ACCEPT": {false, true}, "FAIL": {false, true}, "F": {false, true}, "COMMIT": {false, true},
	"PRUNE": {false, true}, "SKIP": {false, true}, "THEN": {false, true}, "MARK": {true, true}, "": {true, true},
}

// alphaAssertions are the groups PCRE2 also writes as "(*name:".
var alphaAssertions = map[string]bool{
	"pla": true, "plb": true, "nla": true, "nlb": true, "positive_lookahead": true,
	"positive_lookbehind": true, "negative_lookahead": true, "negative_lookbehind": true,
	"napla": true, "naplb": true, "non_atomic_positive_lookahead": true,
	"non_atomic_positive_lookbehind": true, "atomic": true, "sr": true, "script_run": true,
	"asr": true, "atomic_script_run": true,
}

// scanPCRE reads a pattern as PCRE2 does, as far as telling the cases
// above apart needs. Where it is unsure it says nothing: RE2's own
// verdict stands.
func scanPCRE(p string) pcreSyntax {
	var s pcreSyntax
	ucp := false
	i := 0
	for strings.HasPrefix(p[i:], "(*") {
		end := strings.IndexByte(p[i:], ')')
		if end < 0 {
			break
		}
		name := p[i+2 : i+end]
		if why, ok := startOptions[name]; ok {
			switch name {
			case "UTF", "UTF8":
				s.utf = true
			case "UCP":
				ucp = true
			}
			if s.unsupported == "" {
				s.unsupported = why
			}
			i += end + 1
			continue
		}
		n, ok := limitOption(p[i+2:])
		if !ok {
			break // a verb, or an error: the scan below tells
		}
		if n < 0 {
			s.bad = true
			return s
		}
		i += 2 + n
	}
	s.body = p[i:]
	if s.utf && !utf8.ValidString(s.body) {
		s.bad = true
		return s
	}
	sc := scanner{p: s.body}
	sc.run()
	switch {
	case sc.bad:
		s.bad = true
	case s.unsupported != "":
	case sc.verb != "":
		s.unsupported = sc.verb + " is an assertion or backtracking control verb RE2 does not have"
	case ucp && sc.classEscape:
		s.unsupported = "(*UCP) makes \\d, \\w, \\s, \\b and POSIX classes match Unicode characters; RE2's match ASCII"
	}
	return s
}

// limitOption reads "LIMIT_x=digits)" at the start of s: its length, -1
// when PCRE2 refuses the number (none, or one over 32 bits: read_number
// stops before the digit that would overflow), ok false when s is no
// limit option.
func limitOption(s string) (n int, ok bool) {
	for _, name := range limitOptions {
		if !strings.HasPrefix(s, name) {
			continue
		}
		j := len(name)
		if j == len(s) || !isDigit(s[j]) {
			return -1, true
		}
		var c uint32
		for j < len(s) && isDigit(s[j]) {
			if c > (1<<32-1)/10-1 {
				break
			}
			c = c*10 + uint32(s[j]-'0')
			j++
		}
		if j == len(s) || s[j] != ')' {
			return -1, true
		}
		return j + 1, true
	}
	return 0, false
}

// scanner walks a pattern body: its groups (to count captures and learn
// names), character classes (to check ranges) and references to groups.
type scanner struct {
	p string
	i int
	// flags are the option letters in force (x, n), per group.
	flags []string
	// captures counts capturing groups so far; names are their names.
	captures int
	names    map[string]bool
	refs     []groupRef
	// verb names the first backtracking verb or assertion RE2 lacks
	// ("(*name:", [[:<:]]).
	verb string
	// classEscape is set when the pattern has \d, \w, \s, \b (or their
	// negations) or a POSIX class, which (*UCP) changes.
	classEscape bool
	// rep is what a quantifier may follow here.
	rep repeat
	bad bool
}

// repeat is whether a quantifier may come next: not after the start, a
// "(", a "|", an anchor, an option setting or a verb; after an item; and
// after a quantifier only the one "?" or "+" that modifies it.
type repeat int

const (
	repNone repeat = iota
	repItem
	repQuantified
	repModified
)

// groupRef is a reference to a group: by number (relative ones made
// absolute when seen, later ones counted from the end of the scan), or
// by name.
type groupRef struct {
	num     int
	forward bool // num counts from the captures seen when it was read
	name    string
}

func (s *scanner) flag(c byte) bool {
	return len(s.flags) > 0 && strings.IndexByte(s.flags[len(s.flags)-1], c) >= 0
}

func (s *scanner) run() {
	s.flags = []string{""}
	s.names = map[string]bool{}
	for s.i < len(s.p) && !s.bad {
		c := s.p[s.i]
		switch {
		case c == '\\':
			s.escape(false)
		case strings.HasPrefix(s.p[s.i:], "[[:<:]]") || strings.HasPrefix(s.p[s.i:], "[[:>:]]"):
			// A word boundary on one side, \b(?=\w) or \b(?<=\w).
			if s.verb == "" {
				s.verb = s.p[s.i : s.i+7]
			}
			s.i += 7
			s.rep = repNone
		case c == '[':
			s.class()
		case c == '(':
			s.group()
		case c == ')':
			if len(s.flags) == 1 {
				s.bad = true // "unmatched closing parenthesis"
				return
			}
			s.flags = s.flags[:len(s.flags)-1]
			s.i++
			s.rep = repItem
		case c == '|' || c == '^' || c == '$':
			s.i++
			s.rep = repNone
		case c == '*' || c == '+' || c == '?':
			s.quantifier(1)
		case c == '{' && quantifierLen(s.p[s.i:]) > 0:
			s.quantifier(quantifierLen(s.p[s.i:]))
		case s.flag('x') && strings.IndexByte(" \t\n\v\f\r", c) >= 0:
			s.i++ // white space is nothing in extended mode
		case c == '#' && s.flag('x'):
			return // a comment to the end of the line, which is the pattern's
		default:
			s.i++
			s.rep = repItem
		}
	}
	if s.bad {
		return
	}
	if len(s.flags) > 1 {
		s.bad = true // "missing closing parenthesis"
		return
	}
	for _, r := range s.refs {
		switch {
		case r.name != "":
			s.bad = s.bad || !s.names[r.name]
		case r.forward:
			s.bad = s.bad || r.num > s.captures
		default:
			s.bad = s.bad || r.num < 1 || r.num > s.captures
		}
	}
}

// quantifier reads a quantifier n bytes long, which must follow an
// item (or be the "?" or "+" after another quantifier).
func (s *scanner) quantifier(n int) {
	c := s.p[s.i]
	switch {
	case s.rep == repQuantified && n == 1 && (c == '?' || c == '+'):
		s.rep = repModified
	case s.rep == repItem:
		s.rep = repQuantified
	default:
		s.bad = true // "quantifier does not follow a repeatable item"
	}
	s.i += n
}

// quantifierLen is the length of the {n}, {n,} or {n,m} quantifier p
// starts with, 0 when p does not start with one (the "{" is literal).
func quantifierLen(p string) int {
	j := 1
	digits := func() bool {
		k := j
		for j < len(p) && isDigit(p[j]) {
			j++
		}
		return j > k
	}
	if !digits() {
		return 0
	}
	if j < len(p) && p[j] == ',' {
		j++
		digits()
	}
	if j < len(p) && p[j] == '}' {
		return j + 1
	}
	return 0
}

// escape reads the escape at s.i. It reports whether it is a class
// escape (\d, \p{..}, ...) rather than a character, for a class.
func (s *scanner) escape(inClass bool) (isClass bool) {
	s.i++
	if s.i == len(s.p) {
		s.bad = true // "\ at end of pattern"
		return false
	}
	c := s.p[s.i]
	s.i++
	before := s.rep
	if !inClass {
		s.rep = repItem
	}
	switch c {
	case 'd', 'D', 'w', 'W', 's', 'S':
		s.classEscape = true
		return true
	case 'b', 'B':
		if !inClass {
			s.classEscape = true
			s.rep = repNone
		}
		return false
	case 'A', 'z', 'Z', 'G', 'K':
		if !inClass {
			s.rep = repNone
		}
	case 'E':
		s.rep = before
	case 'h', 'H', 'v', 'V':
		return true
	case 'p', 'P':
		s.braced()
		return true
	case 'N':
		if strings.HasPrefix(s.p[s.i:], "{") {
			s.braced() // \N{U+...}, a character in UTF mode only
			return true
		}
		return inClass
	case 'x', 'o':
		if s.i < len(s.p) && s.p[s.i] == '{' {
			s.braced()
		}
	case 'c':
		if s.i == len(s.p) {
			s.bad = true // "\c at end of pattern"
			return false
		}
		s.i++
	case 'Q':
		end := strings.Index(s.p[s.i:], `\E`)
		if end < 0 {
			end = len(s.p) - s.i
		}
		if end == 0 {
			s.rep = before // an empty quote is nothing
		}
		s.i = min(s.i+end+2, len(s.p))
	case 'g':
		if !inClass {
			s.gReference()
		}
	case 'k':
		if !inClass {
			s.kReference()
		}
	case '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if !inClass {
			s.digitReference(c)
		}
	}
	return false
}

// braced skips a "{...}" argument, or the one character in its place.
func (s *scanner) braced() {
	if s.i < len(s.p) && s.p[s.i] == '{' {
		if end := strings.IndexByte(s.p[s.i:], '}'); end >= 0 {
			s.i += end + 1
			return
		}
	}
	if s.i < len(s.p) {
		s.i++
	}
}

// digitReference reads \N after its first digit: a back reference when
// the number is below 10, starts with 8 or 9, or there are at least that
// many groups before it; otherwise an octal character.
func (s *scanner) digitReference(first byte) {
	start := s.i - 1
	for s.i < len(s.p) && isDigit(s.p[s.i]) {
		s.i++
	}
	n, ok := smallNumber(s.p[start:s.i])
	if ok && (n < 10 || first == '8' || first == '9' || n <= s.captures) {
		s.refs = append(s.refs, groupRef{num: n})
		return
	}
	if !ok && (first == '8' || first == '9') {
		s.bad = true
		return
	}
	// Octal: up to three digits below 8; the rest is literal.
	s.i = start
	for k := 0; k < 3 && s.i < len(s.p) && s.p[s.i] >= '0' && s.p[s.i] <= '7'; k++ {
		s.i++
	}
}

// gReference reads \g's forms: \gN, \g-N, \g{N}, \g{-N}, \g{name}
// (back references), \g<...> and \g'...' (subroutine calls).
func (s *scanner) gReference() {
	if s.i == len(s.p) {
		return
	}
	var arg string
	switch open := s.p[s.i]; open {
	case '{', '<', '\'':
		closer := map[byte]byte{'{': '}', '<': '>', '\'': '\''}[open]
		end := strings.IndexByte(s.p[s.i+1:], closer)
		if end < 0 {
			return
		}
		arg = s.p[s.i+1 : s.i+1+end]
		s.i += end + 2
		if open != '{' && (arg == "0" || arg == "+0" || arg == "-0") {
			return // the whole pattern
		}
	default:
		j := s.i
		if s.p[j] == '-' || s.p[j] == '+' {
			j++
		}
		for j < len(s.p) && isDigit(s.p[j]) {
			j++
		}
		arg = s.p[s.i:j]
		s.i = j
	}
	s.numberOrName(arg)
}

// kReference reads \k<name>, \k'name' and \k{name}.
func (s *scanner) kReference() {
	if s.i == len(s.p) {
		return
	}
	closer := map[byte]byte{'{': '}', '<': '>', '\'': '\''}[s.p[s.i]]
	if closer == 0 {
		return
	}
	end := strings.IndexByte(s.p[s.i+1:], closer)
	if end < 0 {
		return
	}
	name := s.p[s.i+1 : s.i+1+end]
	s.i += end + 2
	if validGroupName(name) {
		s.refs = append(s.refs, groupRef{name: name})
	}
}

// numberOrName records a reference written as a number (signed numbers
// are relative to the groups before it) or a name.
func (s *scanner) numberOrName(arg string) {
	sign := byte(0)
	digits := arg
	if arg != "" && (arg[0] == '+' || arg[0] == '-') {
		sign, digits = arg[0], arg[1:]
	}
	n, ok := smallNumber(digits)
	switch {
	case ok && sign == '-':
		s.refs = append(s.refs, groupRef{num: s.captures - n + 1})
	case ok && sign == '+':
		s.refs = append(s.refs, groupRef{num: s.captures + n, forward: true})
	case ok && n > 0:
		s.refs = append(s.refs, groupRef{num: n})
	case sign == 0 && validGroupName(arg):
		s.refs = append(s.refs, groupRef{name: arg})
	}
}

// class reads a character class, checking its ranges: a range between a
// class escape or POSIX class and anything is an error.
func (s *scanner) class() {
	s.i++
	if s.i < len(s.p) && strings.IndexByte(":.=", s.p[s.i]) >= 0 && posixSyntax(s.p[s.i:]) > 0 {
		s.bad = true // "POSIX named classes are supported only within a class"
		return
	}
	s.rep = repItem
	if s.i < len(s.p) && s.p[s.i] == '^' {
		s.i++
	}
	// prev is the item before a possible '-': 0 none, 1 a character,
	// 2 a class.
	prev := 0
	if s.i < len(s.p) && s.p[s.i] == ']' {
		s.i++
		prev = 1
	}
	for s.i < len(s.p) {
		c := s.p[s.i]
		if c == ']' {
			s.i++
			return
		}
		if c == '-' && prev != 0 && s.i+1 < len(s.p) && s.p[s.i+1] != ']' {
			s.i++
			next := s.classItem()
			if s.bad {
				return
			}
			if prev == 2 || next == 2 {
				s.bad = true // "invalid range in character class"
				return
			}
			prev = 0
			continue
		}
		prev = s.classItem()
		if s.bad {
			return
		}
	}
	s.bad = true // "missing terminating ] for character class"
}

// classItem reads one item of a class: 1 for a character, 2 for a class.
func (s *scanner) classItem() int {
	switch c := s.p[s.i]; {
	case c == '\\' && strings.HasPrefix(s.p[s.i:], `\Q`):
		s.i += 2
		end := strings.Index(s.p[s.i:], `\E`)
		if end < 0 {
			s.i = len(s.p)
			return 1
		}
		if end == 0 {
			s.i += 2
			if s.i < len(s.p) && s.p[s.i] != ']' {
				return s.classItem()
			}
			return 0
		}
		s.i += end + 2
		return 1
	case c == '\\':
		if s.escape(true) {
			return 2
		}
		return 1
	case c == '[' && s.i+1 < len(s.p) && strings.IndexByte(":.=", s.p[s.i+1]) >= 0:
		end := posixSyntax(s.p[s.i+1:])
		if end == 0 {
			break // a literal '['
		}
		if s.p[s.i+1] != ':' || !posixName(s.p[s.i+2:s.i+1+end]) {
			s.bad = true // "POSIX collating elements are not supported", "unknown POSIX class name"
			return 0
		}
		s.i += end + 3
		s.classEscape = true
		return 2
	}
	s.i++
	return 1
}

// posixSyntax is check_posix_syntax for p, which starts with the ':',
// '.' or '=' after a '[': the offset of the terminator (the same
// character, followed by ']'), 0 when p is not POSIX syntax.
func posixSyntax(p string) int {
	t := p[0]
	for j := 1; j+1 < len(p); j++ {
		switch {
		case p[j] == '\\' && (p[j+1] == ']' || p[j+1] == '\\'):
			j++
		case p[j] == '[' && p[j+1] == t, p[j] == ']':
			return 0
		case p[j] == t && p[j+1] == ']':
			return j
		}
	}
	return 0
}

// posixNames are PCRE2's POSIX class names.
var posixNames = map[string]bool{
	"alpha": true, "lower": true, "upper": true, "alnum": true, "ascii": true, "blank": true, "cntrl": true,
	"digit": true, "graph": true, "print": true, "punct": true, "space": true, "word": true, "xdigit": true,
}

// posixName reports whether n, between "[:" and ":]", is a POSIX class
// name, negated or not.
func posixName(n string) bool { return posixNames[strings.TrimPrefix(n, "^")] }

// group reads the opening of a group.
func (s *scanner) group() {
	s.i++
	cur := s.flags[len(s.flags)-1]
	rest := s.p[s.i:]
	before := s.rep
	s.rep = repNone
	switch {
	case strings.HasPrefix(rest, "*"):
		s.verbOrAssertion()
		return
	case !strings.HasPrefix(rest, "?"):
		if strings.IndexByte(cur, 'n') < 0 {
			s.captures++
		}
		s.flags = append(s.flags, cur)
		return
	}
	s.i++
	rest = s.p[s.i:]
	switch {
	case strings.HasPrefix(rest, "#"):
		s.rep = before // a comment is nothing
		if end := strings.IndexByte(rest, ')'); end >= 0 {
			s.i += end + 1
		} else {
			s.bad = true // "missing ) after (?# comment"
		}
		return
	case strings.HasPrefix(rest, "<=") || strings.HasPrefix(rest, "<!"):
		s.i += 2
	case strings.HasPrefix(rest, "<") || strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, "P<"):
		if rest[0] == 'P' {
			s.i++
		}
		s.namedGroup()
		if s.bad {
			return
		}
	case strings.HasPrefix(rest, "P=") || strings.HasPrefix(rest, "P>") || strings.HasPrefix(rest, "&"):
		if rest[0] == 'P' {
			s.i++
		}
		s.i++
		end := strings.IndexByte(s.p[s.i:], ')')
		if end < 0 {
			s.bad = true // "syntax error in subpattern name (missing terminator?)"
			return
		}
		name := s.p[s.i : s.i+end]
		s.i += end + 1
		if !validGroupName(name) {
			s.bad = true
			return
		}
		s.refs = append(s.refs, groupRef{name: name})
		s.rep = repItem
		return
	case strings.HasPrefix(rest, "R)"):
		s.i += 2
		s.rep = repItem
		return
	case rest != "" && (isDigit(rest[0]) || ((rest[0] == '+' || rest[0] == '-') && len(rest) > 1 && isDigit(rest[1]))):
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return
		}
		arg := rest[:end]
		s.i += end + 1
		s.rep = repItem
		if arg == "0" {
			return
		}
		s.numberOrName(arg)
		return
	case strings.HasPrefix(rest, "("):
		s.condition()
	case strings.HasPrefix(rest, "C"):
		if end := strings.IndexByte(rest, ')'); end >= 0 {
			s.i += end + 1
		}
		return
	case rest != "" && strings.IndexByte(":=!>|", rest[0]) >= 0:
		s.i++
	default:
		s.options(cur)
		return
	}
	s.flags = append(s.flags, cur)
}

// namedGroup reads "<name>" or "'name'" of a named capture.
func (s *scanner) namedGroup() {
	closer := byte('>')
	if s.p[s.i] == '\'' {
		closer = '\''
	}
	end := strings.IndexByte(s.p[s.i+1:], closer)
	if end < 0 {
		return
	}
	name := s.p[s.i+1 : s.i+1+end]
	if !validGroupName(name) {
		s.bad = true // "subpattern name must start with a non-digit", ...
		return
	}
	s.i += end + 2
	s.captures++
	s.names[name] = true
}

// condition reads the condition of "(?(": a group number, a name, R,
// Rn, R&name, DEFINE, VERSION, or an assertion (read as a group).
func (s *scanner) condition() {
	rest := s.p[s.i+1:]
	if strings.HasPrefix(rest, "?") || strings.HasPrefix(rest, "*") {
		return // an assertion: the scan goes on into it
	}
	end := strings.IndexByte(rest, ')')
	if end < 0 {
		return
	}
	arg := rest[:end]
	s.i += end + 2
	switch {
	case arg == "R" || arg == "DEFINE" || strings.HasPrefix(arg, "VERSION"):
	case strings.HasPrefix(arg, "R&"):
		if validGroupName(arg[2:]) {
			s.refs = append(s.refs, groupRef{name: arg[2:]})
		}
	case strings.HasPrefix(arg, "R") && len(arg) > 1 && isDigit(arg[1]):
		if n, ok := smallNumber(arg[1:]); ok {
			s.refs = append(s.refs, groupRef{num: n})
		}
	case len(arg) > 2 && (arg[0] == '<' && arg[len(arg)-1] == '>' || arg[0] == '\'' && arg[len(arg)-1] == '\''):
		if name := arg[1 : len(arg)-1]; validGroupName(name) {
			s.refs = append(s.refs, groupRef{name: name})
		}
	default:
		s.numberOrName(arg)
	}
}

// options reads "(?flags)" or "(?flags:": the letters x and n matter
// here; another letter leaves the decision to RE2 (the scan goes on as
// in a group).
func (s *scanner) options(cur string) {
	j := s.i
	on := true
	set := cur
	for j < len(s.p) && s.p[j] != ')' && s.p[j] != ':' {
		switch c := s.p[j]; {
		case c == '-':
			on = false
		case c == '^':
			set, on = "", true
		case strings.IndexByte("imnsxJU", c) >= 0:
			if on {
				if strings.IndexByte(set, c) < 0 {
					set += string(c)
				}
			} else {
				set = strings.ReplaceAll(set, string(c), "")
			}
		default:
			s.flags = append(s.flags, cur)
			return
		}
		j++
	}
	if j == len(s.p) {
		s.bad = true // "missing closing parenthesis"
		return
	}
	s.i = j + 1
	if s.p[j] == ':' {
		s.flags = append(s.flags, set)
	} else {
		s.flags[len(s.flags)-1] = set
	}
}

// verbOrAssertion reads "(*...)": a backtracking verb, or the start of
// an assertion written "(*name:"; anything else is an error.
func (s *scanner) verbOrAssertion() {
	s.i++
	end := strings.IndexAny(s.p[s.i:], ":)")
	if end < 0 {
		s.bad = true
		return
	}
	name := s.p[s.i : s.i+end]
	s.i += end
	if s.p[s.i] == ':' && alphaAssertions[name] {
		s.i++
		if s.verb == "" {
			s.verb = "(*" + name + ":"
		}
		s.flags = append(s.flags, s.flags[len(s.flags)-1])
		return
	}
	v, ok := verbs[name]
	if !ok {
		s.bad = true
		return
	}
	named := s.p[s.i] == ':'
	if named {
		close := strings.IndexByte(s.p[s.i:], ')')
		if close < 0 || (close == 1 && v.needsName) {
			s.bad = true
			return
		}
		s.i += close
	}
	if (v.needsName && !named) || (named && !v.mayName) {
		s.bad = true
		return
	}
	s.i++
	if s.verb == "" {
		s.verb = "(*" + name + ")"
	}
}

// validGroupName is PCRE2's rule for a group name: word characters, not
// starting with a digit, at most 32 of them.
func validGroupName(n string) bool {
	if n == "" || len(n) > 32 || isDigit(n[0]) {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c == '_' || isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// smallNumber parses decimal digits, refusing none and numbers PCRE2
// does not take as a group number.
func smallNumber(d string) (int, bool) {
	if d == "" || len(d) > 5 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(d); i++ {
		if !isDigit(d[i]) {
			return 0, false
		}
		n = n*10 + int(d[i]-'0')
	}
	return n, n <= 65535
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
