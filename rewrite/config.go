package rewrite

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gowsgid/gowsgid/apexpr"
)

// Options are RewriteOptions' switches (mod_rewrite's OPTION_* bits).
type Options uint16

// The options.
const (
	OptInherit Options = 1 << iota
	OptInheritBefore
	OptAllowNoSlash
	OptAllowAnyURI
	OptMergeBase
	OptInheritDown
	OptInheritDownBefore
	OptIgnoreInherit
	OptIgnoreContextInfo
	OptLegacyPrefixDocroot
	OptUnsafePrefixStat
)

var optionNames = map[string]Options{
	"inherit": OptInherit, "inheritbefore": OptInheritBefore, "inheritdown": OptInheritDown,
	"inheritdownbefore": OptInheritDownBefore, "ignoreinherit": OptIgnoreInherit,
	"allownoslash": OptAllowNoSlash, "allowanyuri": OptAllowAnyURI, "mergebase": OptMergeBase,
	"ignorecontextinfo": OptIgnoreContextInfo, "legacyprefixdocroot": OptLegacyPrefixDocroot,
	"unsafeprefixstat": OptUnsafePrefixStat,
}

// ParseOptions is cmd_rewriteoptions for one argument: the options it
// names, and warnings (AH00664 for MaxRedirects=).
func ParseOptions(arg string) (Options, []string, error) {
	var o Options
	var warns []string
	for _, w := range strings.Fields(arg) {
		if opt, ok := optionNames[strings.ToLower(w)]; ok {
			o |= opt
			continue
		}
		if len(w) >= 13 && strings.EqualFold(w[:13], "MaxRedirects=") {
			warns = append(warns, "AH00664: RewriteOptions: MaxRedirects option has been removed in favor of the global LimitInternalRecursion directive and will be ignored.")
			continue
		}
		return 0, warns, fmt.Errorf("RewriteOptions: unknown option '%s'", w)
	}
	return o, warns, nil
}

// ruleList is the rules of one scope and the conditions read since its
// last rule (they belong to the next one).
type ruleList struct {
	Rules   []*Rule
	pending []*Cond
}

// ServerConf is mod_rewrite's per-server configuration.
type ServerConf struct {
	On, OnSet  bool
	Options    Options
	OptionsSet bool
	Maps       map[string]*Map
	ruleList
}

// DirConf is mod_rewrite's per-directory configuration: a server's
// defaults, a section or an .htaccess file.
type DirConf struct {
	On, OnSet  bool
	Options    Options
	OptionsSet bool
	// Directory is the scope's path with a trailing slash ("" for the
	// server's defaults): the prefix stripped from file names.
	Directory string
	// Base is RewriteBase ("" when none applies).
	Base    string
	BaseSet bool
	ruleList
}

// NewDirConf returns the configuration of a per-directory scope whose
// path is path ("" for a server's defaults).
func NewDirConf(path string) *DirConf {
	d := &DirConf{}
	if path != "" {
		d.Directory = path
		if !strings.HasSuffix(path, "/") {
			d.Directory += "/"
		}
	}
	return d
}

// SetEngine is RewriteEngine.
func (d *DirConf) SetEngine(on bool) { d.On, d.OnSet = on, true }

// SetEngine is RewriteEngine.
func (s *ServerConf) SetEngine(on bool) { s.On, s.OnSet = on, true }

// AddOptions is RewriteOptions.
func (d *DirConf) AddOptions(o Options) { d.Options |= o; d.OptionsSet = true }

// AddOptions is RewriteOptions.
func (s *ServerConf) AddOptions(o Options) { s.Options |= o; s.OptionsSet = true }

// SetBase is cmd_rewritebase (the caller checks the scope).
func (d *DirConf) SetBase(base string) error {
	if base == "" {
		return errors.New("RewriteBase: empty URL not allowed")
	}
	if base[0] != '/' {
		return errors.New("RewriteBase: argument is not a valid URL")
	}
	d.Base, d.BaseSet = base, true
	return nil
}

// Issue is something about a directive that is not an error: a warning
// Apache logs, or a pattern RE2 cannot compile (Unsupported).
type Issue struct {
	Warning     string
	Unsupported string
}

// AddCond is cmd_rewritecond: the condition waits for the next rule.
func (l *ruleList) AddCond(args string) (*Issue, error) {
	c, issue, err := parseCond(args)
	if err != nil {
		return issue, err
	}
	l.pending = append(l.pending, c)
	return issue, nil
}

// AddRule is cmd_rewriterule: the rule takes the pending conditions.
func (l *ruleList) AddRule(args, file string, line int) (*Issue, error) {
	r, issue, err := parseRule(args)
	if err != nil {
		return issue, err
	}
	r.File, r.Line = file, line
	r.Conds, l.pending = l.pending, nil
	l.Rules = append(l.Rules, r)
	return issue, nil
}

// parseArgLine is parseargline: up to three words, each optionally quoted
// with ' or " (no escapes: a backslash before a space keeps both); false
// when there is not even a second word.
func parseArgLine(s string) (a1, a2, a3 string, has3, ok bool) {
	i := skipSpaces(s, 0)
	word := func() (string, int, bool) {
		var quote byte
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			quote = s[i]
			i++
		}
		start := i
		for ; i < len(s); i++ {
			c := s[i]
			if (isSpace(c) && quote == 0) || (quote != 0 && c == quote) {
				break
			}
			if c == '\\' && i+1 < len(s) && isSpace(s[i+1]) {
				i++
			}
		}
		w := s[start:i]
		if i >= len(s) {
			return w, i, false
		}
		i++ // the terminator is overwritten
		return w, i, true
	}
	a1, _, more := word()
	if !more {
		return "", "", "", false, false
	}
	i = skipSpaces(s, i)
	a2, _, more = word()
	if !more {
		return a1, a2, "", false, true
	}
	i = skipSpaces(s, i)
	if i >= len(s) {
		return a1, a2, "", false, true
	}
	a3, _, _ = word()
	return a1, a2, a3, true, true
}

func skipSpaces(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// isSpace is apr_isspace in the C locale.
func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// parseFlags is cmd_parseflagfield: "[a,b=c, d]" split into keys and
// values (a key without '=' has the value "").
func parseFlags(field string, set func(key, val string) error) error {
	if len(field) < 2 || field[0] != '[' || field[len(field)-1] != ']' {
		return errors.New("bad flag delimiters")
	}
	body := field[1:len(field)-1] + ","
	for body != "" {
		body = strings.TrimLeft(body, " \t\n\v\f\r")
		comma := strings.IndexByte(body, ',')
		if body == "" || comma < 0 {
			break
		}
		item := strings.TrimRight(body[:comma], " \t\n\v\f\r")
		key, val, _ := strings.Cut(item, "=")
		if err := set(key, val); err != nil {
			return err
		}
		body = body[comma+1:]
	}
	return nil
}

// condType is a RewriteCond pattern's kind (CONDPAT_*).
type condType uint8

const (
	condRegex condType = iota
	condFileExists
	condFileSize
	condFileLink
	condFileDir
	condFileXBit
	condLookupURL
	condLookupFile
	condStrLT
	condStrLE
	condStrEQ
	condStrGT
	condStrGE
	condIntLT
	condIntLE
	condIntEQ
	condIntGT
	condIntGE
	condExpr
)

// Cond is one RewriteCond.
type Cond struct {
	Input   string
	Pattern string // the operand, after '!' and any operator
	kind    condType
	re      *pattern
	expr    *apexpr.Expr
	nocase  bool
	negate  bool
	ornext  bool
	novary  bool
	// Unsupported says why the pattern cannot be compiled (RE2); a rule
	// with such a condition fails the request when it is reached.
	Unsupported string
}

func parseCond(args string) (*Cond, *Issue, error) {
	a1, a2, a3, has3, ok := parseArgLine(args)
	if !ok {
		return nil, nil, fmt.Errorf("RewriteCond: bad argument line '%s'", args)
	}
	c := &Cond{Input: a1}
	if has3 {
		err := parseFlags(a3, func(key, _ string) error {
			switch strings.ToLower(key) {
			case "nocase", "nc":
				c.nocase = true
			case "ornext", "or":
				c.ornext = true
			case "novary", "nv":
				c.novary = true
			default:
				return fmt.Errorf("unknown flag '%s'", key)
			}
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("RewriteCond: %s", err)
		}
	}
	p := a2
	if strings.HasPrefix(p, "!") {
		c.negate = true
		p = p[1:]
	}
	c.kind, p = condKind(a1, p, &c.negate)
	var issue *Issue
	if c.kind != condRegex && (c.kind < condStrLT || c.kind > condStrGE) && c.nocase {
		issue = &Issue{Warning: fmt.Sprintf("AH00665: RewriteCond: NoCase option for non-regex pattern '%s' is not supported and will be ignored.", p)}
		c.nocase = false
	}
	c.Pattern = p
	switch c.kind {
	case condRegex:
		re, why, bad := compile(p, c.nocase)
		if bad {
			return nil, issue, fmt.Errorf("RewriteCond: cannot compile regular expression '%s'", p)
		}
		c.re, c.Unsupported = re, why
		if why != "" {
			issue = &Issue{Unsupported: fmt.Sprintf("RewriteCond pattern '%s': %s", p, why)}
		}
	case condExpr:
		flags := apexpr.Flags(0)
		if c.novary {
			flags = apexpr.FlagDontVary
		}
		e, err := apexpr.ParseFlags(p, flags)
		if err != nil {
			return nil, issue, fmt.Errorf("RewriteCond: cannot compile expression \"%s\" %s", p, err)
		}
		c.expr = e
	}
	return c, issue, nil
}

// condKind is cmd_rewritecond's choice of pattern type: the type and the
// operand that follows the operator. "!-ne" tests equality, negated.
func condKind(input, p string, negate *bool) (condType, string) {
	if strings.EqualFold(input, "expr") {
		return condExpr, p
	}
	if len(p) < 2 {
		return condRegex, p
	}
	if p[0] == '-' {
		if len(p) == 2 {
			switch p[1] {
			case 'f':
				return condFileExists, p
			case 's':
				return condFileSize, p
			case 'd':
				return condFileDir, p
			case 'x':
				return condFileXBit, p
			case 'h', 'L', 'l':
				return condFileLink, p
			case 'U':
				return condLookupURL, p
			case 'F':
				return condLookupFile, p
			}
			return condRegex, p
		}
		if len(p) > 3 {
			switch p[1:3] {
			case "lt":
				return condIntLT, p[3:]
			case "le":
				return condIntLE, p[3:]
			case "gt":
				return condIntGT, p[3:]
			case "ge":
				return condIntGE, p[3:]
			case "eq":
				return condIntEQ, p[3:]
			case "ne":
				*negate = !*negate
				return condIntEQ, p[3:]
			}
		}
		return condRegex, p
	}
	switch p[0] {
	case '>':
		if p[1] == '=' {
			return condStrGE, p[2:]
		}
		return condStrGT, p[1:]
	case '<':
		if p[1] == '=' {
			return condStrLE, p[2:]
		}
		return condStrLT, p[1:]
	case '=':
		if p[1:] == `""` {
			return condStrEQ, ""
		}
		return condStrEQ, p[1:]
	}
	return condRegex, p
}

// ruleFlag is a RewriteRule's RULEFLAG_* bits.
type ruleFlag uint32

const (
	flagForceRedirect ruleFlag = 1 << iota
	flagLast
	flagNewRound
	flagChain
	flagIgnoreOnSubreq
	flagNotMatch
	flagProxy
	flagPassThrough
	flagQSAppend
	flagNoCase
	flagNoEscape
	flagNoSub
	flagStatus
	flagEscapeBackref
	flagDiscardPathInfo
	flagQSDiscard
	flagEnd
	flagEscapeNoPlus
	flagQSLast
	flagQSNone
	flagEscapeCtls
	flagUnsafePrefixStat
	flagUnsafeAllow3F
	flagUNC
)

// maxRounds is REWRITE_MAX_ROUNDS, the default limit of [N].
const maxRounds = 32000

// Rule is one RewriteRule with its conditions.
type Rule struct {
	Pattern string // without a leading '!'
	re      *pattern
	Output  string
	flags   ruleFlag
	// ForcedType and ForcedHandler are [T=] and [H=].
	ForcedType, ForcedHandler string
	// Status is [R=]'s code, [F]'s 403, [G]'s 410 (302 by default).
	Status            int
	env, cookies      []string
	skip, maxRounds   int
	escapes, noEscape string
	Conds             []*Cond
	// Unsupported says why the pattern cannot be compiled (RE2).
	Unsupported string
	File        string
	Line        int
}

func parseRule(args string) (*Rule, *Issue, error) {
	a1, a2, a3, has3, ok := parseArgLine(args)
	if !ok {
		return nil, nil, fmt.Errorf("RewriteRule: bad argument line '%s'", args)
	}
	r := &Rule{Status: 302, maxRounds: maxRounds}
	if has3 {
		if err := parseFlags(a3, r.setFlag); err != nil {
			return nil, nil, fmt.Errorf("RewriteRule: %s", err)
		}
	}
	if strings.HasPrefix(a1, "!") {
		r.flags |= flagNotMatch
		a1 = a1[1:]
	}
	re, why, bad := compile(a1, r.flags&flagNoCase != 0)
	if bad {
		return nil, nil, fmt.Errorf("RewriteRule: cannot compile regular expression '%s'", a1)
	}
	var issue *Issue
	if why != "" {
		issue = &Issue{Unsupported: fmt.Sprintf("RewriteRule pattern '%s': %s", a1, why)}
	}
	r.Pattern, r.re, r.Unsupported = a1, re, why
	r.Output = a2
	if a2 == "-" {
		r.flags |= flagNoSub
	}
	switch {
	case strings.HasSuffix(a2, "?"):
		// A literal '?' ends the substitution: with QSA, the query is
		// split at the last '?'; without, the rule gives no query.
		if r.flags&flagQSAppend != 0 {
			r.flags |= flagQSLast
		} else {
			r.flags |= flagQSNone
			r.Output = a2[:len(a2)-1]
		}
	case r.flags&flagQSDiscard != 0 && !strings.Contains(a2, "?"):
		r.flags |= flagQSNone
	}
	return r, issue, nil
}

// setFlag is cmd_rewriterule_setflag for one flag.
func (r *Rule) setFlag(key, val string) error {
	if key == "" {
		return fmt.Errorf("unknown flag '%s'", key)
	}
	rest := key[1:]
	is := func(names ...string) bool {
		for _, n := range names {
			if strings.EqualFold(rest, n) {
				return true
			}
		}
		return false
	}
	bad := false
	switch key[0] | 0x20 {
	case 'b':
		switch {
		case is("", "ackrefescaping"):
			r.flags |= flagEscapeBackref
			if val != "" {
				r.escapes = val
			}
		case is("NE"):
			if val == "" {
				return errors.New("flag 'BNE' wants a list of characters (i.e. [BNE=...])")
			}
			r.noEscape = val
		case is("NP", "ackrefernoplus"):
			r.flags |= flagEscapeNoPlus
		case is("CTLS"):
			r.flags |= flagEscapeCtls | flagEscapeBackref
		default:
			bad = true
		}
	case 'c':
		switch {
		case is("", "hain"):
			r.flags |= flagChain
		case is("O", "ookie"):
			r.cookies = append(r.cookies, val)
		default:
			bad = true
		}
	case 'd':
		// Any other d... flag is ignored, as in Apache.
		if is("", "PI", "iscardpath") {
			r.flags |= flagDiscardPathInfo
		}
	case 'e':
		switch {
		case is("", "nv"):
			r.env = append(r.env, val)
		case is("nd"):
			r.flags |= flagEnd
		default:
			bad = true
		}
	case 'f':
		if !is("", "orbidden") {
			bad = true
			break
		}
		r.flags |= flagStatus | flagNoSub
		r.Status = 403
	case 'g':
		if !is("", "one") {
			bad = true
			break
		}
		r.flags |= flagStatus | flagNoSub
		r.Status = 410
	case 'h':
		if !is("", "andler") {
			bad = true
			break
		}
		r.ForcedHandler = val
	case 'l':
		if !is("", "ast") {
			bad = true
			break
		}
		r.flags |= flagLast
	case 'n':
		switch {
		case is("E", "oescape"):
			r.flags |= flagNoEscape
		case is("", "ext"):
			r.flags |= flagNewRound
			if val != "" {
				r.maxRounds = int(cAtoi(val))
			}
		case is("S", "osubreq"):
			r.flags |= flagIgnoreOnSubreq
		case is("C", "ocase"):
			r.flags |= flagNoCase
		default:
			bad = true
		}
	case 'p':
		switch {
		case is("", "roxy"):
			r.flags |= flagProxy
		case is("T", "assthrough"):
			r.flags |= flagPassThrough
		default:
			bad = true
		}
	case 'q':
		switch {
		case is("SA", "sappend"):
			r.flags |= flagQSAppend
		case is("SD", "sdiscard"):
			r.flags |= flagQSDiscard
		case is("SL", "slast"):
			r.flags |= flagQSLast
		default:
			bad = true
		}
	case 'r':
		if !is("", "edirect") {
			bad = true
			break
		}
		return r.setRedirect(val)
	case 's':
		if !is("", "kip") {
			bad = true
			break
		}
		r.skip = int(cAtoi(val))
	case 't':
		if !is("", "ype") {
			bad = true
			break
		}
		r.ForcedType = val
	case 'u':
		switch {
		case is("nsafePrefixStat"):
			r.flags |= flagUnsafePrefixStat
		case is("nsafeAllow3F"):
			r.flags |= flagUnsafeAllow3F
		case is("NC"):
			r.flags |= flagUNC
		default:
			bad = true
		}
	default:
		bad = true
	}
	if bad {
		return fmt.Errorf("unknown flag '%s'", key)
	}
	return nil
}

// setRedirect is the R flag: the status a keyword or number names; a
// number that is not a redirect makes the rule answer with it.
func (r *Rule) setRedirect(val string) error {
	r.flags |= flagForceRedirect
	if val == "" {
		return nil
	}
	status := 0
	switch {
	case strings.EqualFold(val, "permanent"):
		status = 301
	case strings.EqualFold(val, "temp"):
		status = 302
	case strings.EqualFold(val, "seeother"):
		status = 303
	case val[0] >= '0' && val[0] <= '9':
		status = int(cAtoi(val))
		if status != 500 && !knownStatus(status) {
			return fmt.Errorf("invalid HTTP response code '%s' for flag 'R'", val)
		}
		if status < 300 || status > 399 {
			r.flags |= flagStatus | flagNoSub
		}
	}
	r.Status = status
	return nil
}

// knownStatus reports whether httpd has a status line for the code
// (ap_index_of_response does not fall back to 500's).
func knownStatus(s int) bool {
	switch {
	case s >= 100 && s <= 103, s >= 200 && s <= 208, s == 226, s >= 300 && s <= 305, s == 307, s == 308,
		s >= 400 && s <= 417, s >= 421 && s <= 424, s == 426, s == 428, s == 429, s == 431, s == 451,
		s >= 500 && s <= 508, s == 510, s == 511:
		return true
	}
	return false
}

// Unimplemented lists what the rule asks for that gowsgid does not do:
// [P] (mod_proxy).
func (r *Rule) Unimplemented() []string {
	if r.flags&flagProxy != 0 {
		return []string{"RewriteRule [P] needs mod_proxy, which gowsgid does not implement: the request is answered 403"}
	}
	return nil
}
