package apexpr

import (
	"errors"
	"strings"

	"github.com/gowsgid/gowsgid/internal/apregex"
)

// opcode is the operation of a parse tree node (ap_expr_node_op_e).
type opcode int

const (
	opTrue opcode = iota
	opFalse
	opNot
	opOr
	opAnd
	opComp
	opEQ
	opNE
	opLT
	opLE
	opGT
	opGE
	opIn
	opReg
	opNRE
	opStrEQ
	opStrNE
	opStrLT
	opStrLE
	opStrGT
	opStrGE
	opConcat
	opDigit
	opString
	opRegex
	opRegexBackref
	opVar
	opListElement
	opUnaryOpCall
	opBinaryOpCall
	opStringFuncCall
	opListFuncCall
)

// node is a parse tree node. Which fields are used depends on op.
type node struct {
	op          opcode
	left, right *node // operands / list link (right is the previous element)
	str         string
	num         int             // backref number
	re          *apregex.Regexp // opRegex
	v           *varInfo        // opVar
	fn          *funcInfo       // call nodes
}

// Flags modify parsing and evaluation like Apache's AP_EXPR_FLAG_* values.
type Flags uint

const (
	// FlagSSLExprCompat compares words like the old SSLRequire did: by
	// length first, then bytewise, for all comparison operators.
	FlagSSLExprCompat Flags = 1
	// FlagDontVary stops request headers used by the expression from being
	// reported to a VaryRecorder.
	FlagDontVary Flags = 2
	// FlagRestricted rejects the functions and operators that access the
	// file system (file, filesize, -d, -e, -f, -s, -L, -h, -x).
	FlagRestricted Flags = 4
	// FlagStringResult parses a string expression instead of a boolean one.
	FlagStringResult Flags = 8
	// FlagModSSL parses as Apache does with mod_ssl loaded: SSL_*
	// variables (asked of Context.Var by their upper-case name) and the
	// SSL() function exist. It has no AP_EXPR_FLAG_* counterpart: Apache
	// knows which modules registered expr_lookup hooks.
	FlagModSSL Flags = 16
)

// Expr is a parsed expression. It is immutable and safe for concurrent
// evaluation.
type Expr struct {
	root  *node
	flags Flags
	src   string
}

// String returns the source text the expression was parsed from.
func (e *Expr) String() string { return e.src }

// Flags returns the flags the expression was parsed with.
func (e *Expr) Flags() Flags { return e.flags }

// IsString reports whether e is a string expression (ParseString).
func (e *Expr) IsString() bool { return e.flags&FlagStringResult != 0 }

// ReadsVar reports whether the expression looks up the variable name
// (case-insensitively), as a lookup hook sees the parser ask for it:
// %{NAME} in the expression or in a string, not text in a regex.
// mod_authz_core asks it about REMOTE_USER.
func (e *Expr) ReadsVar(name string) bool {
	var walk func(n *node) bool
	walk = func(n *node) bool {
		if n == nil {
			return false
		}
		if n.op == opVar && n.v != nil && strings.EqualFold(n.v.name, name) {
			return true
		}
		return walk(n.left) || walk(n.right)
	}
	return walk(e.root)
}

// Parse parses a boolean expression as <If "...">, Require expr,
// SetEnvIfExpr and Header ... expr=... do. The error text is what Apache
// reports after "Cannot parse condition clause: ".
func Parse(src string) (*Expr, error) {
	return ParseFlags(src, 0)
}

// ParseString parses a string expression (AP_EXPR_FLAG_STRING_RESULT): plain
// text with %{VAR}, %{func:arg} and $N interpolation, as used by
// ErrorDocument, SetHandler, Alias/Redirect in <Location> and Header values.
func ParseString(src string) (*Expr, error) {
	return ParseFlags(src, FlagStringResult)
}

// ParseFlags parses src with the given flags; FlagStringResult selects a
// string expression.
func ParseFlags(src string, flags Flags) (*Expr, error) {
	p := &parser{flags: flags}
	p.lx = newLexer(src, flags&FlagStringResult != 0, &p.error2)
	root, err := p.parse()
	if err != nil {
		return nil, err
	}
	return &Expr{root: root, flags: flags, src: src}, nil
}

// MustParse is like Parse but panics on error.
func MustParse(src string) *Expr {
	e, err := Parse(src)
	if err != nil {
		panic("apexpr: Parse(" + src + "): " + err.Error())
	}
	return e
}

type parser struct {
	lx     *lexer
	flags  Flags
	error1 string // ctx->error: bison's message or the regex failure
	error2 string // ctx->error2: scanner and lookup messages
	hasErr bool
}

// semantic value
type value struct {
	tok  token
	node *node
}

// Outcome of running a semantic action.
const (
	actOK = iota
	actAbort
	actError // YYERROR
)

func (p *parser) parse() (*node, error) {
	tb := getTables()
	states := []int{0}
	vals := []value{{}}
	var la *token // lookahead (nil = YYEMPTY)
	var result *node
	rc := 0
loop:
	for {
		st := states[len(states)-1]
		if st == tb.final {
			break // YYACCEPT
		}
		var act int
		if tb.onlyDefault[st] {
			act = 0
		} else {
			if la == nil {
				t := p.lx.next()
				if p.lx.fatal {
					return nil, errors.New(errJammed)
				}
				la = &t
			}
			act = tb.action[st][la.kind]
		}
		if act == 0 {
			if tb.defaultRed[st] < 0 {
				// yyerrlab: report, then error recovery finds no state
				// that shifts the error token and aborts.
				p.error1 = syntaxError(tb, st, la)
				p.hasErr = true
				rc = 1
				break loop
			}
			act = -tb.defaultRed[st]
		}
		if act > 0 {
			states = append(states, act-1)
			vals = append(vals, value{tok: *la})
			la = nil
			continue
		}
		r := rules[-act]
		n := len(r.rhs)
		args := vals[len(vals)-n:]
		res, outcome := p.reduce(-act, args)
		switch outcome {
		case actAbort:
			rc = 1
			break loop
		case actError:
			// YYERROR: no state can shift the error token: abort
			// without calling yyerror.
			rc = 1
			break loop
		}
		if r.lhs == nRoot {
			result = res
		}
		states = states[:len(states)-n]
		vals = vals[:len(vals)-n]
		to := tb.gotoTab[states[len(states)-1]][r.lhs]
		states = append(states, to)
		vals = append(vals, value{node: res})
	}
	if p.hasErr {
		if p.error2 != "" {
			return nil, errors.New(p.error1 + ": " + p.error2)
		}
		return nil, errors.New(p.error1)
	}
	if p.error2 != "" {
		return nil, errors.New(p.error2)
	}
	if rc != 0 || result == nil {
		return nil, errors.New("syntax error")
	}
	return result, nil
}

// syntaxError builds bison 2.5's %error-verbose message (yysyntax_error).
func syntaxError(tb *lrTables, st int, la *token) string {
	if la == nil {
		return "syntax error"
	}
	args := []string{tokenNames[la.kind]}
	if !tb.onlyDefault[st] {
		for x := 0; x < numTerminals; x++ {
			if tb.action[st][x] != 0 && x != tError {
				if len(args) == 5 {
					args = args[:1]
					break
				}
				args = append(args, tokenNames[x])
			}
		}
	}
	msg := "syntax error, unexpected " + args[0]
	if len(args) > 1 {
		msg += ", expecting " + strings.Join(args[1:], " or ")
	}
	return msg
}

var compareOps = map[int]opcode{
	tOpEQ: opEQ, tOpNE: opNE, tOpLT: opLT, tOpLE: opLE, tOpGT: opGT, tOpGE: opGE,
	tOpStrEQ: opStrEQ, tOpStrNE: opStrNE, tOpStrLT: opStrLT, tOpStrLE: opStrLE,
	tOpStrGT: opStrGT, tOpStrGE: opStrGE,
}

func mk(op opcode, l, r *node) *node { return &node{op: op, left: l, right: r} }

// reduce runs the semantic action of rule ri.
func (p *parser) reduce(ri int, a []value) (*node, int) {
	r := rules[ri]
	switch r.act {
	case aRootBool, aRootString:
		return a[1].node, actOK
	case aAbort:
		return nil, actAbort
	case aTrue:
		return mk(opTrue, nil, nil), actOK
	case aFalse:
		return mk(opFalse, nil, nil), actOK
	case aNot:
		return mk(opNot, a[1].node, nil), actOK
	case aOr:
		return mk(opOr, a[0].node, a[2].node), actOK
	case aAnd:
		return mk(opAnd, a[0].node, a[2].node), actOK
	case aComp:
		return mk(opComp, a[0].node, nil), actOK
	case aUnary:
		return p.unaryOpMake(a[0].tok.s, a[1].node), actOK
	case aBinary:
		return p.binaryOpMake(a[1].tok.s, a[0].node, a[2].node), actOK
	case aParen:
		return a[1].node, actOK
	case aCompare:
		return mk(compareOps[r.rhs[1]], a[0].node, a[2].node), actOK
	case aIn:
		return mk(opIn, a[0].node, a[2].node), actOK
	case aRegMatch:
		op := opReg
		if r.rhs[1] == tOpNRE {
			op = opNRE
		}
		return mk(op, a[0].node, a[2].node), actOK
	case aWordlistFunc, aPass:
		return a[0].node, actOK
	case aWordlistBrace:
		return a[1].node, actOK
	case aWordsFirst:
		return mk(opListElement, a[0].node, nil), actOK
	case aWordsNext:
		return mk(opListElement, a[2].node, a[0].node), actOK
	case aStringConcat:
		return mk(opConcat, a[0].node, a[1].node), actOK
	case aStrpartString:
		return &node{op: opString, str: a[0].tok.s}, actOK
	case aVarPlain:
		return p.varMake(a[1].tok.s), actOK
	case aVarFunc:
		return p.strFuncMake(a[1].tok.s, a[3].node), actOK
	case aDigit:
		return &node{op: opDigit, str: a[0].tok.s}, actOK
	case aWordConcat:
		return mk(opConcat, a[0].node, a[2].node), actOK
	case aWordQuoted:
		return a[1].node, actOK
	case aWordEmpty:
		return &node{op: opString, str: ""}, actOK
	case aRegex, aRegexI:
		re, err := compileRegex(a[0].tok.s, r.act == aRegexI)
		if err != nil {
			p.error1 = "Failed to compile regular expression"
			p.hasErr = true
			return nil, actError
		}
		return &node{op: opRegex, re: re}, actOK
	case aBackref:
		return &node{op: opRegexBackref, num: a[0].tok.n}, actOK
	case aLstFunc:
		return p.listFuncMake(a[0].tok.s, a[2].node), actOK
	case aStrFunc:
		return p.strFuncMake(a[0].tok.s, a[2].node), actOK
	}
	return nil, actOK
}

// compileRegex compiles a regex the way ap_pregcomp does with the default
// RegexDefaultOptions (DOTALL and DOLLAR_ENDONLY): with PCRE2
// (internal/apregex).
func compileRegex(src string, icase bool) (*apregex.Regexp, error) {
	opts := apregex.Default
	if icase {
		opts |= apregex.ICase
	}
	return apregex.Compile(src, opts)
}
