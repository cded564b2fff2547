package apexpr

import (
	"sort"
	"sync"
)

// This file holds the ap_expr grammar of util_expr_parse.y (Apache httpd
// 2.4.x) and an LALR(1) table builder that reproduces what bison 2.5 builds
// from it: the same precedence-based conflict resolution, the same "most
// common reduction" default reductions and therefore the same set of
// explicitly expected tokens per state, which is what bison's %error-verbose
// messages list.

// Terminal symbols, numbered as bison numbers them (yytname order).
const (
	tEnd          = iota // $end
	tError               // error (unused by the grammar)
	tUndefined           // $undefined
	tTrue                // T_TRUE
	tFalse               // T_FALSE
	tExprBool            // T_EXPR_BOOL
	tExprString          // T_EXPR_STRING
	tErr                 // T_ERROR
	tDigit               // T_DIGIT
	tID                  // T_ID
	tString              // T_STRING
	tRegex               // T_REGEX
	tRegexI              // T_REGEX_I
	tRegexBackref        // T_REGEX_BACKREF
	tOpUnary             // T_OP_UNARY
	tOpBinary            // T_OP_BINARY
	tStrBegin            // T_STR_BEGIN
	tStrEnd              // T_STR_END
	tVarBegin            // T_VAR_BEGIN
	tVarEnd              // T_VAR_END
	tOpEQ                // T_OP_EQ
	tOpNE                // T_OP_NE
	tOpLT                // T_OP_LT
	tOpLE                // T_OP_LE
	tOpGT                // T_OP_GT
	tOpGE                // T_OP_GE
	tOpReg               // T_OP_REG
	tOpNRE               // T_OP_NRE
	tOpIn                // T_OP_IN
	tOpStrEQ             // T_OP_STR_EQ
	tOpStrNE             // T_OP_STR_NE
	tOpStrLT             // T_OP_STR_LT
	tOpStrLE             // T_OP_STR_LE
	tOpStrGT             // T_OP_STR_GT
	tOpStrGE             // T_OP_STR_GE
	tOpConcat            // T_OP_CONCAT
	tOpOr                // T_OP_OR
	tOpAnd               // T_OP_AND
	tOpNot               // T_OP_NOT
	tLParen              // '('
	tRParen              // ')'
	tLBrace              // '{'
	tRBrace              // '}'
	tComma               // ','
	tColon               // ':'
	numTerminals
)

// Nonterminal symbols follow the terminals.
const (
	nAccept = numTerminals + iota
	nRoot
	nExpr
	nComparison
	nWordlist
	nWords
	nString
	nStrpart
	nVar
	nWord
	nRegex
	nBackref
	nLstfunccall
	nStrfunccall
	numSymbols
)

// tokenNames are the names bison prints in syntax error messages.
var tokenNames = [numTerminals]string{
	"$end", "error", "$undefined", "T_TRUE", "T_FALSE", "T_EXPR_BOOL",
	"T_EXPR_STRING", "T_ERROR", "T_DIGIT", "T_ID", "T_STRING", "T_REGEX",
	"T_REGEX_I", "T_REGEX_BACKREF", "T_OP_UNARY", "T_OP_BINARY",
	"T_STR_BEGIN", "T_STR_END", "T_VAR_BEGIN", "T_VAR_END", "T_OP_EQ",
	"T_OP_NE", "T_OP_LT", "T_OP_LE", "T_OP_GT", "T_OP_GE", "T_OP_REG",
	"T_OP_NRE", "T_OP_IN", "T_OP_STR_EQ", "T_OP_STR_NE", "T_OP_STR_LT",
	"T_OP_STR_LE", "T_OP_STR_GT", "T_OP_STR_GE", "T_OP_CONCAT", "T_OP_OR",
	"T_OP_AND", "T_OP_NOT", "'('", "')'", "'{'", "'}'", "','", "':'",
}

// Semantic actions, one per rule.
type action int

const (
	aAccept action = iota
	aRootBool
	aRootString
	aAbort // T_ERROR { YYABORT; }
	aTrue
	aFalse
	aNot
	aOr
	aAnd
	aComp
	aUnary
	aBinary
	aParen
	aCompare // word OP word; the operator is taken from the rule's token
	aIn
	aRegMatch
	aWordlistFunc
	aWordlistBrace
	aWordsFirst
	aWordsNext
	aStringConcat
	aPass // $$ = $1
	aStrpartString
	aVarPlain
	aVarFunc
	aDigit
	aWordConcat
	aWordQuoted
	aWordEmpty
	aRegex
	aRegexI
	aBackref
	aLstFunc
	aStrFunc
)

type rule struct {
	lhs int
	rhs []int
	act action
}

// rules mirrors util_expr_parse.y, in order (rule 0 is bison's $accept).
var rules = []rule{
	{nAccept, []int{nRoot, tEnd}, aAccept},
	{nRoot, []int{tExprBool, nExpr}, aRootBool},
	{nRoot, []int{tExprString, nString}, aRootString},
	{nRoot, []int{tErr}, aAbort},
	{nExpr, []int{tTrue}, aTrue},
	{nExpr, []int{tFalse}, aFalse},
	{nExpr, []int{tOpNot, nExpr}, aNot},
	{nExpr, []int{nExpr, tOpOr, nExpr}, aOr},
	{nExpr, []int{nExpr, tOpAnd, nExpr}, aAnd},
	{nExpr, []int{nComparison}, aComp},
	{nExpr, []int{tOpUnary, nWord}, aUnary},
	{nExpr, []int{nWord, tOpBinary, nWord}, aBinary},
	{nExpr, []int{tLParen, nExpr, tRParen}, aParen},
	{nExpr, []int{tErr}, aAbort},
	{nComparison, []int{nWord, tOpEQ, nWord}, aCompare},
	{nComparison, []int{nWord, tOpNE, nWord}, aCompare},
	{nComparison, []int{nWord, tOpLT, nWord}, aCompare},
	{nComparison, []int{nWord, tOpLE, nWord}, aCompare},
	{nComparison, []int{nWord, tOpGT, nWord}, aCompare},
	{nComparison, []int{nWord, tOpGE, nWord}, aCompare},
	{nComparison, []int{nWord, tOpStrEQ, nWord}, aCompare},
	{nComparison, []int{nWord, tOpStrNE, nWord}, aCompare},
	{nComparison, []int{nWord, tOpStrLT, nWord}, aCompare},
	{nComparison, []int{nWord, tOpStrLE, nWord}, aCompare},
	{nComparison, []int{nWord, tOpStrGT, nWord}, aCompare},
	{nComparison, []int{nWord, tOpStrGE, nWord}, aCompare},
	{nComparison, []int{nWord, tOpIn, nWordlist}, aIn},
	{nComparison, []int{nWord, tOpReg, nRegex}, aRegMatch},
	{nComparison, []int{nWord, tOpNRE, nRegex}, aRegMatch},
	{nWordlist, []int{nLstfunccall}, aWordlistFunc},
	{nWordlist, []int{tLBrace, nWords, tRBrace}, aWordlistBrace},
	{nWords, []int{nWord}, aWordsFirst},
	{nWords, []int{nWords, tComma, nWord}, aWordsNext},
	{nString, []int{nString, nStrpart}, aStringConcat},
	{nString, []int{nStrpart}, aPass},
	{nString, []int{tErr}, aAbort},
	{nStrpart, []int{tString}, aStrpartString},
	{nStrpart, []int{nVar}, aPass},
	{nStrpart, []int{nBackref}, aPass},
	{nVar, []int{tVarBegin, tID, tVarEnd}, aVarPlain},
	{nVar, []int{tVarBegin, tID, tColon, nString, tVarEnd}, aVarFunc},
	{nWord, []int{tDigit}, aDigit},
	{nWord, []int{nWord, tOpConcat, nWord}, aWordConcat},
	{nWord, []int{nVar}, aPass},
	{nWord, []int{nBackref}, aPass},
	{nWord, []int{nStrfunccall}, aPass},
	{nWord, []int{tStrBegin, nString, tStrEnd}, aWordQuoted},
	{nWord, []int{tStrBegin, tStrEnd}, aWordEmpty},
	{nRegex, []int{tRegex}, aRegex},
	{nRegex, []int{tRegexI}, aRegexI},
	{nBackref, []int{tRegexBackref}, aBackref},
	{nLstfunccall, []int{tID, tLParen, nWord, tRParen}, aLstFunc},
	{nStrfunccall, []int{tID, tLParen, nWord, tRParen}, aStrFunc},
}

// Precedence declarations: %right T_OP_OR; %right T_OP_AND; %right
// T_OP_NOT; %right T_OP_CONCAT. All four are right associative.
var tokenPrec = map[int]int{tOpOr: 1, tOpAnd: 2, tOpNot: 3, tOpConcat: 4}

// rulePrec is, as in bison, the precedence of the last terminal of the rule
// (0 when that terminal has none).
func rulePrec(r rule) int {
	last := -1
	for _, s := range r.rhs {
		if s < numTerminals {
			last = s
		}
	}
	if last < 0 {
		return 0
	}
	return tokenPrec[last]
}

// Parse table entry encoding: 0 = error/default, >0 = shift to state n-1,
// <0 = reduce by rule -n.
type lrTables struct {
	// action[state][terminal] holds the explicit actions (bison's yytable
	// entries; entries equal to the default reduction are removed).
	action [][numTerminals]int
	// defaultRed[state] is the default reduction rule or -1.
	defaultRed []int
	// onlyDefault[state] is true when the state has no explicit action at
	// all (bison's yypact_value_is_default): no lookahead is read there.
	onlyDefault []bool
	gotoTab     []map[int]int
	final       int // state reached after shifting $end
}

var (
	tablesOnce sync.Once
	tables     *lrTables
)

func getTables() *lrTables {
	tablesOnce.Do(func() { tables = buildTables() })
	return tables
}

type item struct{ rule, dot int }

type lr0State struct {
	kernel []item
	items  []item // closure
	trans  map[int]int
}

func closure0(kernel []item) []item {
	seen := map[item]bool{}
	var out []item
	var add func(it item)
	add = func(it item) {
		if seen[it] {
			return
		}
		seen[it] = true
		out = append(out, it)
		r := rules[it.rule]
		if it.dot < len(r.rhs) && r.rhs[it.dot] >= numTerminals {
			for i, r2 := range rules {
				if r2.lhs == r.rhs[it.dot] {
					add(item{i, 0})
				}
			}
		}
	}
	for _, it := range kernel {
		add(it)
	}
	return out
}

func kernelKey(k []item) string {
	b := make([]byte, 0, len(k)*4)
	for _, it := range k {
		b = append(b, byte(it.rule), byte(it.rule>>8), byte(it.dot), ',')
	}
	return string(b)
}

func buildTables() *lrTables {
	// LR(0) automaton.
	var states []*lr0State
	index := map[string]int{}
	addState := func(kernel []item) int {
		sort.Slice(kernel, func(i, j int) bool {
			if kernel[i].rule != kernel[j].rule {
				return kernel[i].rule < kernel[j].rule
			}
			return kernel[i].dot < kernel[j].dot
		})
		key := kernelKey(kernel)
		if n, ok := index[key]; ok {
			return n
		}
		n := len(states)
		index[key] = n
		states = append(states, &lr0State{kernel: kernel, items: closure0(kernel), trans: map[int]int{}})
		return n
	}
	addState([]item{{0, 0}})
	for i := 0; i < len(states); i++ {
		s := states[i]
		bySym := map[int][]item{}
		var order []int
		for _, it := range s.items {
			r := rules[it.rule]
			if it.dot < len(r.rhs) {
				x := r.rhs[it.dot]
				if _, ok := bySym[x]; !ok {
					order = append(order, x)
				}
				bySym[x] = append(bySym[x], item{it.rule, it.dot + 1})
			}
		}
		for _, x := range order {
			s.trans[x] = addState(bySym[x])
		}
	}

	// FIRST sets (the grammar has no empty rules).
	first := make([]map[int]bool, numSymbols)
	for x := 0; x < numSymbols; x++ {
		first[x] = map[int]bool{}
		if x < numTerminals {
			first[x][x] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, r := range rules {
			for t := range first[r.rhs[0]] {
				if !first[r.lhs][t] {
					first[r.lhs][t] = true
					changed = true
				}
			}
		}
	}

	// LALR(1) lookaheads by spontaneous generation and propagation
	// (Aho/Sethi/Ullman algorithm 4.13), with a dummy lookahead '#'.
	const dummy = -1
	type lr1 struct {
		it item
		la int
	}
	closure1 := func(start lr1) []lr1 {
		seen := map[lr1]bool{}
		var out []lr1
		stack := []lr1{start}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[x] {
				continue
			}
			seen[x] = true
			out = append(out, x)
			r := rules[x.it.rule]
			if x.it.dot < len(r.rhs) && r.rhs[x.it.dot] >= numTerminals {
				var las []int
				if x.it.dot+1 < len(r.rhs) {
					for t := range first[r.rhs[x.it.dot+1]] {
						las = append(las, t)
					}
				} else {
					las = []int{x.la}
				}
				for i, r2 := range rules {
					if r2.lhs == r.rhs[x.it.dot] {
						for _, la := range las {
							stack = append(stack, lr1{item{i, 0}, la})
						}
					}
				}
			}
		}
		return out
	}
	type key struct {
		state int
		it    item
	}
	la := map[key]map[int]bool{}
	prop := map[key][]key{}
	getLA := func(k key) map[int]bool {
		m := la[k]
		if m == nil {
			m = map[int]bool{}
			la[k] = m
		}
		return m
	}
	// $end is not a lookahead of the $accept item: bison shifts $end.
	for si, s := range states {
		for _, kit := range s.kernel {
			for _, x := range closure1(lr1{kit, dummy}) {
				r := rules[x.it.rule]
				if x.it.dot >= len(r.rhs) {
					continue
				}
				to := key{s.trans[r.rhs[x.it.dot]], item{x.it.rule, x.it.dot + 1}}
				if x.la == dummy {
					prop[key{si, kit}] = append(prop[key{si, kit}], to)
				} else {
					getLA(to)[x.la] = true
				}
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for from, tos := range prop {
			for t := range la[from] {
				for _, to := range tos {
					m := getLA(to)
					if !m[t] {
						m[t] = true
						changed = true
					}
				}
			}
		}
	}

	// Action tables with bison's conflict resolution and default reductions.
	tb := &lrTables{
		action:      make([][numTerminals]int, len(states)),
		defaultRed:  make([]int, len(states)),
		onlyDefault: make([]bool, len(states)),
		gotoTab:     make([]map[int]int, len(states)),
		final:       -1,
	}
	for si, s := range states {
		tb.gotoTab[si] = map[int]int{}
		// Reductions and their lookahead sets (closure items of completed
		// rules are kernel items, since no rule is empty).
		type red struct {
			rule int
			las  map[int]bool
		}
		var reds []red
		for _, kit := range s.kernel {
			r := rules[kit.rule]
			if kit.dot == len(r.rhs) && kit.rule != 0 {
				las := map[int]bool{}
				for t := range la[key{si, kit}] {
					las[t] = true
				}
				reds = append(reds, red{kit.rule, las})
			}
		}
		sort.Slice(reds, func(i, j int) bool { return reds[i].rule < reds[j].rule })
		shifts := map[int]int{}
		for x, to := range s.trans {
			if x < numTerminals {
				shifts[x] = to
				if x == tEnd {
					tb.final = to
				}
			} else {
				tb.gotoTab[si][x] = to
			}
		}
		// Bison marks a state consistent when it has a single reduction and
		// no token shift; it then needs no lookahead at all.
		consistent := len(reds) <= 1 && len(shifts) == 0
		// Resolve shift/reduce conflicts by precedence (all declared
		// tokens are %right, so equal precedence means shift).
		for _, rd := range reds {
			rp := rulePrec(rules[rd.rule])
			for t := range rd.las {
				if _, ok := shifts[t]; !ok {
					continue
				}
				tp := tokenPrec[t]
				if rp == 0 || tp == 0 {
					delete(rd.las, t) // unresolved: bison shifts
					continue
				}
				if tp < rp {
					delete(shifts, t) // reduce
				} else {
					delete(rd.las, t) // shift (higher, or equal and %right)
				}
			}
		}
		var row [numTerminals]int
		if consistent {
			// No lookaheads are computed for consistent states.
			for i := range reds {
				reds[i].las = map[int]bool{}
			}
		}
		for i := len(reds) - 1; i >= 0; i-- {
			for t := range reds[i].las {
				row[t] = -reds[i].rule
			}
		}
		for t, to := range shifts {
			row[t] = to + 1
		}
		def := -1
		if len(reds) >= 1 {
			if consistent {
				def = reds[0].rule
			} else {
				max := 0
				for _, rd := range reds {
					count := 0
					for t := 0; t < numTerminals; t++ {
						if row[t] == -rd.rule {
							count++
						}
					}
					if count > max {
						max = count
						def = rd.rule
					}
				}
				if max > 0 {
					for t := 0; t < numTerminals; t++ {
						if row[t] == -def {
							row[t] = 0
						}
					}
				}
			}
		}
		tb.action[si] = row
		tb.defaultRed[si] = def
		empty := true
		for _, a := range row {
			if a != 0 {
				empty = false
				break
			}
		}
		tb.onlyDefault[si] = empty
	}
	return tb
}
