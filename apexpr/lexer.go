package apexpr

import "strings"

// The scanner reproduces util_expr_scan.l (a flex scanner with the
// exclusive start conditions str, var, vararg, regex and regex_flags and a
// state stack), including flex's longest-match / first-rule tie breaking.

// maxStringLen is MAX_STRING_LEN (HUGE_STRING_LEN, 8192): the size of the
// scanner's string and regex buffers.
const maxStringLen = 8192

type lexState int

const (
	stInitial lexState = iota
	stStr
	stVar
	stVararg
	stRegex
	stRegexFlags
)

// errJammed is what flex prints (before exiting the whole process) when no
// rule matches with %option nodefault, e.g. for a quote inside %{func:arg}.
const errJammed = "flex scanner jammed"

type token struct {
	kind int    // terminal symbol
	s    string // T_ID, T_STRING, T_DIGIT, T_REGEX*, T_OP_UNARY/BINARY
	n    int    // T_REGEX_BACKREF
}

type lexer struct {
	in      string
	pos     int
	state   lexState
	stack   []lexState
	atStart bool
	strMode bool // AP_EXPR_FLAG_STRING_RESULT

	buf    []byte // str_buf
	strDel byte   // str_del

	regexBuf []byte
	regexDel byte

	// error2 is ctx->error2: set by the scanner (PERROR) and by lookups.
	error2 *string
	// fatal is set when flex would have aborted the process.
	fatal bool
}

func newLexer(src string, strMode bool, error2 *string) *lexer {
	// The C scanner sees a NUL-terminated string.
	if i := strings.IndexByte(src, 0); i >= 0 {
		src = src[:i]
	}
	lx := &lexer{in: src, atStart: true, strMode: strMode, error2: error2}
	return lx
}

func (lx *lexer) perror(msg string) token {
	*lx.error2 = msg
	return token{kind: tErr}
}

func (lx *lexer) push(s lexState) {
	lx.stack = append(lx.stack, lx.state)
	lx.state = s
}

func (lx *lexer) pop() {
	if n := len(lx.stack); n > 0 {
		lx.state = lx.stack[n-1]
		lx.stack = lx.stack[:n-1]
	} else {
		// flex: "start-condition stack underflow" (cannot happen)
		lx.fatal = true
	}
}

func (lx *lexer) peek(off int) int {
	if lx.pos+off < len(lx.in) {
		return int(lx.in[lx.pos+off])
	}
	return -1
}

// appendByte is STR_APPEND.
func (lx *lexer) appendByte(c byte) bool {
	lx.buf = append(lx.buf, c)
	return len(lx.buf) < maxStringLen
}

// flushString returns the collected string as T_STRING and resets the
// buffer.
func (lx *lexer) flushString() token {
	s := string(lx.buf)
	lx.buf = lx.buf[:0]
	return token{kind: tString, s: s}
}

func isAlpha(c int) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c int) bool { return c >= '0' && c <= '9' }
func isAlnum(c int) bool { return isAlpha(c) || isDigit(c) }

// regexDelims are the delimiters allowed after "m".
const regexDelims = "/#$%^,;:_?|-!.'\""

var keywords = map[string]int{
	"and": tOpAnd, "or": tOpOr, "not": tOpNot,
	"lt": tOpLT, "le": tOpLE, "gt": tOpGT, "ge": tOpGE, "ne": tOpNE, "eq": tOpEQ,
	"in": tOpIn, "true": tTrue, "false": tFalse,
}

var dashKeywords = map[string]int{
	"in": tOpIn, "eq": tOpEQ, "ne": tOpNE, "ge": tOpGE, "le": tOpLE, "gt": tOpGT, "lt": tOpLT,
}

// next returns the next token; kind tEnd at end of input.
func (lx *lexer) next() token {
	if lx.fatal {
		return token{kind: tErr}
	}
	if lx.atStart {
		lx.atStart = false
		if lx.strMode {
			lx.state = stStr
			return token{kind: tExprString}
		}
		return token{kind: tExprBool}
	}
	for {
		switch lx.state {
		case stStr, stVararg:
			if t, ok := lx.scanStr(); ok {
				return t
			}
		case stVar:
			return lx.scanVar()
		case stRegex:
			if t, ok := lx.scanRegex(); ok {
				return t
			}
		case stRegexFlags:
			re := string(lx.regexBuf)
			lx.state = stInitial
			if lx.peek(0) == 'i' {
				lx.pos++
				return token{kind: tRegexI, s: re}
			}
			return token{kind: tRegex, s: re}
		default:
			if t, ok := lx.scanInitial(); ok {
				return t
			}
		}
		if lx.fatal {
			return token{kind: tErr}
		}
	}
}

func (lx *lexer) scanInitial() (token, bool) {
	c := lx.peek(0)
	if c < 0 {
		return token{kind: tEnd}, true
	}
	c1 := lx.peek(1)
	switch {
	case c == ' ' || c == '\t' || c == '\n':
		for c := lx.peek(0); c == ' ' || c == '\t' || c == '\n'; c = lx.peek(0) {
			lx.pos++
		}
		return token{}, false
	case c == '"' || c == '\'':
		lx.pos++
		lx.buf = lx.buf[:0]
		lx.strDel = byte(c)
		lx.state = stStr
		return token{kind: tStrBegin}, true
	case c == '%' && c1 == '{':
		lx.pos += 2
		lx.push(stVar)
		return token{kind: tVarBegin}, true
	case c == '$' && isDigit(c1):
		lx.pos += 2
		return token{kind: tRegexBackref, n: c1 - '0'}, true
	case c == 'm' && c1 >= 0 && strings.IndexByte(regexDelims, byte(c1)) >= 0 &&
		(c1 != '_' || !(isAlnum(lx.peek(2)) || lx.peek(2) == '_')):
		lx.pos += 2
		lx.regexDel = byte(c1)
		lx.regexBuf = lx.regexBuf[:0]
		lx.state = stRegex
		return token{}, false
	case c == '/':
		lx.pos++
		lx.regexDel = '/'
		lx.regexBuf = lx.regexBuf[:0]
		lx.state = stRegex
		return token{}, false
	case c == '=':
		if c1 == '~' {
			lx.pos += 2
			return token{kind: tOpReg}, true
		}
		if c1 == '=' {
			lx.pos += 2
		} else {
			lx.pos++
		}
		return token{kind: tOpStrEQ}, true
	case c == '!':
		switch c1 {
		case '=':
			lx.pos += 2
			return token{kind: tOpStrNE}, true
		case '~':
			lx.pos += 2
			return token{kind: tOpNRE}, true
		}
		lx.pos++
		return token{kind: tOpNot}, true
	case c == '<' || c == '>':
		k := tOpStrLT
		if c == '>' {
			k = tOpStrGT
		}
		if c1 == '=' {
			lx.pos += 2
			return token{kind: k + 1}, true // T_OP_STR_LE / T_OP_STR_GE
		}
		lx.pos++
		return token{kind: k}, true
	case c == '&' && c1 == '&':
		lx.pos += 2
		return token{kind: tOpAnd}, true
	case c == '|' && c1 == '|':
		lx.pos += 2
		return token{kind: tOpOr}, true
	case c == '.':
		lx.pos++
		return token{kind: tOpConcat}, true
	case c == '-' && isDigit(c1):
		return lx.scanDigits(), true
	case c == '-' && (isAlpha(c1) || c1 == '_'):
		n := 1
		for d := lx.peek(1 + n); isAlnum(d) || d == '_'; d = lx.peek(1 + n) {
			n++
		}
		name := lx.in[lx.pos+1 : lx.pos+1+n]
		lx.pos += 1 + n
		if n == 1 {
			return token{kind: tOpUnary, s: name}, true
		}
		if k, ok := dashKeywords[name]; ok {
			return token{kind: k}, true
		}
		return token{kind: tOpBinary, s: name}, true
	case isDigit(c):
		return lx.scanDigits(), true
	case isAlpha(c):
		start := lx.pos
		lx.pos++
		for d := lx.peek(0); isAlnum(d) || d == '_'; d = lx.peek(0) {
			lx.pos++
		}
		word := lx.in[start:lx.pos]
		if k, ok := keywords[word]; ok {
			return token{kind: k}, true
		}
		return token{kind: tID, s: word}, true
	case c == '(' || c == ')' || c == '{' || c == '}' || c == ',' || c == ':':
		lx.pos++
		return token{kind: charToken(byte(c))}, true
	}
	lx.pos++
	return lx.perror("Parse error near '" + string([]byte{byte(c)}) + "'"), true
}

func charToken(c byte) int {
	switch c {
	case '(':
		return tLParen
	case ')':
		return tRParen
	case '{':
		return tLBrace
	case '}':
		return tRBrace
	case ',':
		return tComma
	case ':':
		return tColon
	}
	return tUndefined
}

func (lx *lexer) scanDigits() token {
	start := lx.pos
	if lx.peek(0) == '-' {
		lx.pos++
	}
	for isDigit(lx.peek(0)) {
		lx.pos++
	}
	return token{kind: tDigit, s: lx.in[start:lx.pos]}
}

// scanStr handles the str and vararg start conditions.
func (lx *lexer) scanStr() (token, bool) {
	inStr := lx.state == stStr
	c := lx.peek(0)
	if c < 0 {
		if inStr && lx.strMode {
			lx.state = stInitial
			return lx.flushString(), true
		}
		return lx.perror("Unterminated string or variable"), true
	}
	c1 := lx.peek(1)
	switch {
	case c == '\n':
		lx.pos++
		return lx.perror("Unterminated string or variable"), true
	case c == '"' || c == '\'':
		if !inStr {
			lx.fatal = true
			*lx.error2 = errJammed
			return token{kind: tErr}, true
		}
		if byte(c) == lx.strDel {
			if len(lx.buf) == 0 {
				lx.pos++
				lx.state = stInitial
				return token{kind: tStrEnd}, true
			}
			return lx.flushString(), true // the delimiter is scanned again
		}
		lx.pos++
		if !lx.appendByte(byte(c)) {
			return lx.perror("String too long"), true
		}
		return token{}, false
	case c == '\\':
		if c1 < 0 {
			// No rule matches a lone trailing backslash.
			lx.fatal = true
			*lx.error2 = errJammed
			return token{kind: tErr}, true
		}
		if isDigit(c1) {
			n := 0
			for isDigit(lx.peek(1 + n)) {
				n++
			}
			oct := 0
			for oct < 3 && oct < n && lx.peek(1+oct) <= '7' {
				oct++
			}
			if n > oct {
				lx.pos += 1 + n
				return lx.perror("Bad escape sequence"), true
			}
			v := 0
			for i := 0; i < oct; i++ {
				v = v*8 + lx.peek(1+i) - '0'
			}
			lx.pos += 1 + oct
			if v > 0xff {
				return lx.perror("Escape sequence out of bound"), true
			}
			if !lx.appendByte(byte(v)) {
				return lx.perror("String too long"), true
			}
			return token{}, false
		}
		var b byte
		switch c1 {
		case 'n':
			b = '\n'
		case 'r':
			b = '\r'
		case 't':
			b = '\t'
		case 'b':
			b = '\b'
		case 'f':
			b = '\f'
		default:
			b = byte(c1)
		}
		lx.pos += 2
		if !lx.appendByte(b) {
			return lx.perror("String too long"), true
		}
		return token{}, false
	case c == '$' && isDigit(c1):
		if len(lx.buf) > 0 {
			return lx.flushString(), true
		}
		lx.pos += 2
		return token{kind: tRegexBackref, n: c1 - '0'}, true
	case c == '%' && c1 == '{':
		if len(lx.buf) > 0 {
			return lx.flushString(), true
		}
		lx.pos += 2
		lx.push(stVar)
		return token{kind: tVarBegin}, true
	case c == '}' && !inStr:
		if len(lx.buf) > 0 {
			return lx.flushString(), true
		}
		lx.pos++
		lx.pop()
		return token{kind: tVarEnd}, true
	case c == '%' || c == '$' || c == '}':
		lx.pos++
		if !lx.appendByte(byte(c)) {
			return lx.perror("String too long"), true
		}
		return token{}, false
	}
	// [^\\\n"'%}$]+
	for {
		c := lx.peek(0)
		if c < 0 || c == '\\' || c == '\n' || c == '"' || c == '\'' || c == '%' || c == '}' || c == '$' {
			break
		}
		lx.pos++
		if !lx.appendByte(byte(c)) {
			return lx.perror("String too long"), true
		}
	}
	return token{}, false
}

func (lx *lexer) scanVar() token {
	c := lx.peek(0)
	switch {
	case c < 0:
		return lx.perror("Unterminated string or variable")
	case isAlpha(c):
		start := lx.pos
		lx.pos++
		for d := lx.peek(0); isAlnum(d) || d == '_'; d = lx.peek(0) {
			lx.pos++
		}
		return token{kind: tID, s: lx.in[start:lx.pos]}
	case c == '}':
		lx.pos++
		lx.pop()
		return token{kind: tVarEnd}
	case c == ':':
		lx.pos++
		lx.state = stVararg
		return token{kind: tColon}
	case c == '\n':
		lx.pos++
		return lx.perror("Unterminated string or variable")
	}
	lx.pos++
	return lx.perror("Invalid character in variable name '" + string([]byte{byte(c)}) + "'")
}

func (lx *lexer) scanRegex() (token, bool) {
	for {
		c := lx.peek(0)
		if c < 0 {
			// No <<EOF>> rule for <regex>: flex's default yyterminate().
			return token{kind: tEnd}, true
		}
		lx.pos++
		if byte(c) == lx.regexDel {
			lx.state = stRegexFlags
			return token{}, false
		}
		lx.regexBuf = append(lx.regexBuf, byte(c))
		if len(lx.regexBuf) >= maxStringLen {
			return lx.perror("Regexp too long"), true
		}
	}
}
