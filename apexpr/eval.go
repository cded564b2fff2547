package apexpr

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gowsgid/gowsgid/internal/apr"
)

// Context supplies the request data an expression reads. Implementations
// only need the four lookups below; optional behaviour (Vary tracking,
// subrequests, a private OS environment, a clock) is provided by also
// implementing VaryRecorder, Subrequester, OSEnver or Clock.
type Context interface {
	// Var returns a request, connection or server variable by its
	// canonical upper-case name as listed by VarNames (REQUEST_URI,
	// HTTPS, REMOTE_ADDR, SERVER_PORT, ...), and with FlagModSSL by the
	// upper-cased name of an SSL_ variable (SSL_CLIENT_S_DN_CN, ...). HTTP_* variables are not
	// asked for: they are read with Header. When ok is false the package
	// falls back to a default: the current local time for TIME_*,
	// DefaultServerSoftware, DefaultAPIVersion, "off" for HTTPS and HTTP2,
	// IPV6 computed from CONN_REMOTE_ADDR, "false" for IS_SUBREQ,
	// DOCUMENT_URI from Env("DOCUMENT_URI") or REQUEST_URI, and "" for the
	// others.
	Var(name string) (value string, ok bool)
	// Header returns a request header (req(), http(), req_novary() and the
	// HTTP_* variables); "" when absent. Lookups must be case insensitive.
	Header(name string) string
	// RespHeader returns a response header (resp()): the regular output
	// headers first, then the error headers; "" when absent.
	RespHeader(name string) string
	// Env returns a variable of the request's (subprocess) environment, as
	// set by SetEnv, SetEnvIf, RewriteRule [E=] and the like (reqenv(), and
	// env() after the notes).
	Env(name string) (value string, ok bool)
	// Note returns a request note (note(), and env() first).
	Note(name string) (value string, ok bool)
}

// VaryRecorder is implemented by Contexts that want to know which request
// headers a boolean expression depended on. After a successful Eval (and
// unless FlagDontVary is set) AddVary is called once with the header names
// joined by ", ", as Apache merges them into the response's Vary header.
// "Host" is never reported.
type VaryRecorder interface {
	AddVary(headers string)
}

// Subrequester is implemented by Contexts that can run internal
// subrequests for the -U, -A (URI) and -F (file) operators. Without it
// those operators are false.
type Subrequester interface {
	// SubrequestURI looks up a URI; -U and -A are true when the status
	// is below 400.
	SubrequestURI(uri string) (status int)
	// SubrequestFile looks up a file path; -F is true when the status is
	// below 300 and the returned filename exists.
	SubrequestFile(path string) (status int, filename string)
}

// OSEnver is implemented by Contexts that supply the process environment
// for osenv() and env() instead of os.LookupEnv.
type OSEnver interface {
	OSEnv(name string) (value string, ok bool)
}

// Clock is implemented by Contexts that supply the time for the TIME_*
// variables (when Var does not return them).
type Clock interface {
	Now() time.Time
}

// Defaults for variables a Context does not supply.
const (
	DefaultServerSoftware = "Apache/2.4.71 (Debian)"
	DefaultAPIVersion     = "20120211" // MODULE_MAGIC_NUMBER_MAJOR
)

// maxRegMatch is AP_MAX_REG_MATCH: $0 .. $9.
const maxRegMatch = 10

// maxRecursion is AP_EXPR_MAX_RECURSION.
const maxRecursion = 20

// Backrefs carries regular expression captures between an expression and
// its caller, like the pmatch/source arguments of ap_expr_exec_re: $0..$9
// read them, and a successful =~ / !~ match with capturing groups replaces
// them. A match that fails against a regex with groups clears Source.
type Backrefs struct {
	// Source is the subject string of the last match; "" means no
	// captures are available.
	Source string
	// Match holds submatch index pairs as returned by
	// regexp.FindStringSubmatchIndex (-1 for groups that did not match),
	// at most 10 pairs.
	Match []int
}

// Get returns capture n ($n) or "".
func (b *Backrefs) Get(n int) string {
	if b == nil || b.Source == "" || n < 0 || n >= maxRegMatch || 2*n+1 >= len(b.Match) {
		return ""
	}
	so, eo := b.Match[2*n], b.Match[2*n+1]
	if so < 0 || eo <= so || eo > len(b.Source) {
		return ""
	}
	return b.Source[so:eo]
}

type evalCtx struct {
	c      Context
	flags  Flags
	reclvl int
	err    string
	hasErr bool
	br     *Backrefs
	vary   []string
}

func (ec *evalCtx) setErr(msg string) {
	ec.err = msg
	ec.hasErr = true
}

func (ec *evalCtx) incRec() bool {
	if ec.reclvl < maxRecursion {
		ec.reclvl++
		return false
	}
	ec.setErr("Recursion limit reached")
	ec.reclvl = int(^uint(0) >> 1)
	return true
}

func (ec *evalCtx) addVary(name string) {
	if ec.flags&FlagDontVary == 0 {
		ec.vary = append(ec.vary, name)
	}
}

// EvalError is returned when evaluation fails (Apache logs "Evaluation of
// expression from FILE:LINE failed: MSG"); Error() is MSG.
type EvalError struct{ Msg string }

func (e *EvalError) Error() string { return e.Msg }

// ErrNotBoolean and ErrNotString are returned when Eval is used on a
// string expression or EvalString on a boolean one.
var (
	ErrNotBoolean = errors.New("apexpr: Eval called on a string expression")
	ErrNotString  = errors.New("apexpr: EvalString called on a boolean expression")
)

// Eval evaluates a boolean expression.
func (e *Expr) Eval(ctx Context) (bool, error) {
	return e.EvalRe(ctx, nil)
}

// EvalRe evaluates a boolean expression with caller-supplied regex
// captures (nil for none); captures made by the expression are stored back
// into br.
func (e *Expr) EvalRe(ctx Context, br *Backrefs) (bool, error) {
	if e.flags&FlagStringResult != 0 {
		return false, ErrNotBoolean
	}
	if br == nil {
		br = &Backrefs{}
	}
	ec := &evalCtx{c: ctx, flags: e.flags, br: br}
	res := ec.evalBool(e.root)
	if ec.hasErr {
		return false, &EvalError{ec.err}
	}
	if len(ec.vary) > 0 {
		if vr, ok := ctx.(VaryRecorder); ok {
			vr.AddVary(strings.Join(ec.vary, ", "))
		}
	}
	return res, nil
}

// EvalString evaluates a string expression.
func (e *Expr) EvalString(ctx Context) (string, error) {
	return e.EvalStringRe(ctx, nil)
}

// EvalStringRe evaluates a string expression with caller-supplied regex
// captures (nil for none), e.g. those of a <LocationMatch> regex.
func (e *Expr) EvalStringRe(ctx Context, br *Backrefs) (string, error) {
	if e.flags&FlagStringResult == 0 {
		return "", ErrNotString
	}
	if e.root.op == opString {
		return e.root.str, nil // constant string short cut
	}
	if br == nil {
		br = &Backrefs{}
	}
	ec := &evalCtx{c: ctx, flags: e.flags, br: br}
	res := ec.evalWord(e.root)
	if ec.hasErr {
		return "", &EvalError{ec.err}
	}
	return res, nil
}

func (ec *evalCtx) evalWord(n *node) string {
	if ec.incRec() {
		return ""
	}
	result := ""
	switch n.op {
	case opDigit, opString:
		result = n.str
	case opVar:
		result = ec.evalVar(n.v)
	case opConcat:
		switch {
		case n.left.op != opConcat && n.right.op != opConcat:
			s1 := ec.evalWord(n.left)
			s2 := ec.evalWord(n.right)
			result = s1 + s2
		case n.left.op == opConcat:
			// Left-nested chain: evaluated from the last element back
			// to the first, as Apache does.
			var parts []string
			p := n
			for p.op == opConcat {
				parts = append(parts, ec.evalWord(p.right))
				p = p.left
			}
			parts = append(parts, ec.evalWord(p))
			var b strings.Builder
			for i := len(parts) - 1; i >= 0; i-- {
				b.WriteString(parts[i])
			}
			result = b.String()
		default:
			var b strings.Builder
			p := n
			for p.op == opConcat {
				b.WriteString(ec.evalWord(p.left))
				p = p.right
			}
			b.WriteString(ec.evalWord(p))
			result = b.String()
		}
	case opStringFuncCall:
		result = ec.callStringFunc(n.fn, ec.evalWord(n.left))
	case opRegexBackref:
		result = ec.br.Get(n.num)
	default:
		ec.setErr("Internal evaluation error: Unknown word expression node")
	}
	ec.reclvl--
	return result
}

func (ec *evalCtx) now() time.Time {
	if c, ok := ec.c.(Clock); ok {
		return c.Now()
	}
	return time.Now()
}

func (ec *evalCtx) osEnv(name string) string {
	if o, ok := ec.c.(OSEnver); ok {
		v, _ := o.OSEnv(name)
		return v
	}
	v, _ := os.LookupEnv(name)
	return v
}

func (ec *evalCtx) evalVar(v *varInfo) string {
	if v.kind == varHeader {
		if !strings.EqualFold(v.header, "Host") {
			ec.addVary(v.header)
		}
		return ec.c.Header(v.header)
	}
	if val, ok := ec.c.Var(v.name); ok {
		return val
	}
	switch v.name {
	case "TIME_YEAR", "TIME_MON", "TIME_DAY", "TIME_HOUR", "TIME_MIN", "TIME_SEC", "TIME_WDAY", "TIME":
		val, _ := TimeVar(v.name, ec.now())
		return val
	case "SERVER_SOFTWARE":
		return DefaultServerSoftware
	case "API_VERSION":
		return DefaultAPIVersion
	case "HTTPS", "HTTP2":
		return "off"
	case "IPV6":
		a := apr.ParseSockaddr(ec.varOr("CONN_REMOTE_ADDR", ec.varOr("REMOTE_ADDR", "")))
		if a.Is6() && !a.Is4In6() {
			return "on"
		}
		return "off"
	case "IS_SUBREQ":
		return "false"
	case "DOCUMENT_URI":
		if u, ok := ec.c.Env("DOCUMENT_URI"); ok {
			return u
		}
		return ec.varOr("REQUEST_URI", "")
	case "SCRIPT_FILENAME":
		return ec.varOr("REQUEST_FILENAME", "")
	case "REQUEST_FILENAME":
		return ec.varOr("SCRIPT_FILENAME", "")
	case "CONN_REMOTE_ADDR":
		return ec.varOr("REMOTE_ADDR", "")
	}
	return ""
}

// TimeVar is one of the TIME, TIME_YEAR, ..., TIME_WDAY variables of
// ap_expr and mod_rewrite for t; false for another name.
func TimeVar(name string, t time.Time) (string, bool) {
	switch name {
	case "TIME_YEAR":
		return fmt.Sprintf("%04d", t.Year()), true
	case "TIME_MON":
		return fmt.Sprintf("%02d", int(t.Month())), true
	case "TIME_DAY":
		return fmt.Sprintf("%02d", t.Day()), true
	case "TIME_HOUR":
		return fmt.Sprintf("%02d", t.Hour()), true
	case "TIME_MIN":
		return fmt.Sprintf("%02d", t.Minute()), true
	case "TIME_SEC":
		return fmt.Sprintf("%02d", t.Second()), true
	case "TIME_WDAY":
		return fmt.Sprintf("%d", int(t.Weekday())), true
	case "TIME":
		return t.Format("20060102150405"), true
	}
	return "", false
}

func (ec *evalCtx) varOr(name, def string) string {
	if v, ok := ec.c.Var(name); ok {
		return v
	}
	return def
}

func (ec *evalCtx) callStringFunc(fi *funcInfo, arg string) string {
	c := ec.c
	switch fi.name {
	case "osenv":
		return ec.osEnv(arg)
	case "env":
		if v, ok := c.Note(arg); ok {
			return v
		}
		if v, ok := c.Env(arg); ok {
			return v
		}
		return ec.osEnv(arg)
	case "resp":
		return c.RespHeader(arg)
	case "req", "http":
		if !strings.EqualFold(arg, "Host") {
			ec.addVary(arg)
		}
		return c.Header(arg)
	case "req_novary":
		return c.Header(arg)
	case "note":
		v, _ := c.Note(arg)
		return v
	case "reqenv":
		v, _ := c.Env(arg)
		return v
	case "tolower":
		return ASCIILower(arg)
	case "toupper":
		return ASCIIUpper(arg)
	case "escape":
		return EscapeURI(arg)
	case "unescape":
		return unescapeURL(arg)
	case "file":
		s, err := readFile(arg)
		if err != "" {
			ec.setErr(err)
		}
		return s
	case "filesize":
		return fileSize(arg)
	case "base64":
		return base64Encode(arg)
	case "unbase64":
		return base64Decode(arg)
	case "sha1":
		return sha1Hex(arg)
	case "md5":
		return md5Hex(arg)
	case "ldap":
		return escapeLDAP(arg)
	case "SSL":
		return ec.sslFunc(arg)
	}
	return ""
}

// sslFunc is mod_ssl's SSL() function, ssl_var_lookup: an SSL_ variable,
// HTTP:header, ENV:variable, or one of the variables core expressions
// know; "" for any other name.
func (ec *evalCtx) sslFunc(name string) string {
	switch {
	case isSSLVar(name):
		v, _ := ec.c.Var(name)
		return v
	case len(name) > 5 && strings.EqualFold(name[:5], "HTTP:"):
		return ec.c.Header(name[5:])
	case len(name) > 4 && strings.EqualFold(name[:4], "ENV:"):
		v, _ := ec.c.Env(name[4:])
		return v
	}
	if v := lookupVar(name); v != nil {
		return ec.evalVar(v)
	}
	return ""
}

func (ec *evalCtx) evalBool(n *node) bool {
	if ec.incRec() {
		return false
	}
	result := false
loop:
	for {
		switch n.op {
		case opTrue:
			result = !result
			break loop
		case opFalse:
			break loop
		case opNot:
			result = !result
			n = n.left
		case opOr:
			for {
				e1 := n.left
				if e1.op == opNot {
					if !ec.evalBool(e1.left) {
						result = !result
						break loop
					}
				} else if ec.evalBool(e1) {
					result = !result
					break loop
				}
				n = n.right
				if n.op != opOr {
					break
				}
			}
		case opAnd:
			for {
				e1 := n.left
				if e1.op == opNot {
					if ec.evalBool(e1.left) {
						break loop
					}
				} else if !ec.evalBool(e1) {
					break loop
				}
				n = n.right
				if n.op != opAnd {
					break
				}
			}
		case opUnaryOpCall:
			result = result != ec.unaryOp(n.fn, ec.evalWord(n.left))
			break loop
		case opBinaryOpCall:
			a1 := ec.evalWord(n.left)
			a2 := ec.evalWord(n.right)
			result = result != ec.binaryOp(n.fn, a1, a2)
			break loop
		case opComp:
			var r bool
			if ec.flags&FlagSSLExprCompat != 0 {
				r = ec.sslComp(n.left)
			} else {
				r = ec.comp(n.left)
			}
			result = result != r
			break loop
		default:
			ec.setErr("Internal evaluation error: Unknown expression node")
			break loop
		}
	}
	ec.reclvl--
	return result
}

func intCmp(a, b string) int {
	i1, i2 := atoi64(a), atoi64(b)
	switch {
	case i1 < i2:
		return -1
	case i1 == i2:
		return 0
	}
	return 1
}

// strcmp compares C strings (up to the first NUL) as unsigned bytes.
func strcmp(a, b string) int {
	return strings.Compare(string(cstrOf(a)), string(cstrOf(b)))
}

func (ec *evalCtx) comp(n *node) bool {
	switch n.op {
	case opEQ, opNE, opLT, opLE, opGT, opGE:
		c := intCmp(ec.evalWord(n.left), ec.evalWord(n.right))
		return cmpResult(n.op, c)
	case opStrEQ, opStrNE, opStrLT, opStrLE, opStrGT, opStrGE:
		c := strcmp(ec.evalWord(n.left), ec.evalWord(n.right))
		return cmpResult(n.op, c)
	case opIn:
		needle := ec.evalWord(n.left)
		for e := n.right; e != nil; e = e.right {
			if e.op != opListElement {
				break
			}
			if strcmp(needle, ec.evalWord(e.left)) == 0 {
				return true
			}
		}
		return false
	case opReg, opNRE:
		word := ec.evalWord(n.left)
		re := n.right.re
		var result bool
		if re.NumSubexp() > 0 {
			m := re.FindStringSubmatchIndex(word)
			result = m != nil
			if result {
				if len(m) > 2*maxRegMatch {
					m = m[:2*maxRegMatch]
				}
				ec.br.Source = word
				ec.br.Match = m
			} else {
				ec.br.Source = ""
			}
		} else {
			result = re.MatchString(word)
		}
		if n.op == opReg {
			return result
		}
		return !result
	}
	ec.setErr("Internal evaluation error: Unknown comp expression node")
	return true // -1 in C
}

func cmpResult(op opcode, c int) bool {
	switch op {
	case opEQ, opStrEQ:
		return c == 0
	case opNE, opStrNE:
		return c != 0
	case opLT, opStrLT:
		return c < 0
	case opLE, opStrLE:
		return c <= 0
	case opGT, opStrGT:
		return c > 0
	}
	return c >= 0
}

// strcmplex is the combined length-then-bytes comparison of ssl_expr
// (bytes compare as signed char, as on x86).
func strcmplex(a, b string) int {
	a, b = string(cstrOf(a)), string(cstrOf(b))
	if len(a) != len(b) {
		if len(a) > len(b) {
			return 1
		}
		return -1
	}
	for i := 0; i < len(a); i++ {
		x, y := int8(a[i]), int8(b[i])
		if x > y {
			return 1
		}
		if x < y {
			return -1
		}
	}
	return 0
}

func (ec *evalCtx) sslComp(n *node) bool {
	switch n.op {
	case opEQ, opStrEQ, opNE, opStrNE, opLT, opStrLT, opLE, opStrLE, opGT, opStrGT, opGE, opStrGE:
		c := strcmplex(ec.evalWord(n.left), ec.evalWord(n.right))
		op := n.op
		if op >= opStrEQ {
			op = op - opStrEQ + opEQ
		}
		return cmpResult(op, c)
	}
	return ec.comp(n)
}

func (ec *evalCtx) unaryOp(fi *funcInfo, arg string) bool {
	switch fi.name {
	case "n":
		return arg != ""
	case "z":
		return arg == ""
	case "R":
		return fi.subnet.Test(apr.ParseSockaddr(ec.varOr("REMOTE_ADDR", "")))
	case "T":
		return opT(arg)
	case "d", "e", "f", "s":
		if arg == "" {
			return false
		}
		st, err := os.Stat(arg)
		if err != nil {
			return false
		}
		switch fi.name {
		case "d":
			return st.IsDir()
		case "e":
			return true
		case "f":
			return st.Mode().IsRegular()
		}
		return st.Mode().IsRegular() && st.Size() > 0
	case "L", "h":
		if arg == "" {
			return false
		}
		st, err := os.Lstat(arg)
		return err == nil && st.Mode()&os.ModeSymlink != 0
	case "x":
		if arg == "" {
			return false
		}
		st, err := os.Lstat(arg)
		return err == nil && st.Mode().Perm()&0o111 != 0
	case "F":
		sr, ok := ec.c.(Subrequester)
		if !ok {
			return false
		}
		status, fn := sr.SubrequestFile(arg)
		if status >= 300 || fn == "" {
			return false
		}
		_, err := os.Stat(fn)
		return err == nil
	case "U", "A":
		sr, ok := ec.c.(Subrequester)
		if !ok {
			return false
		}
		return sr.SubrequestURI(arg) < 400
	}
	return false
}

func (ec *evalCtx) binaryOp(fi *funcInfo, a1, a2 string) bool {
	switch fi.name {
	case "ipmatch":
		return fi.subnet.Test(apr.ParseSockaddr(a1))
	case "fnmatch":
		return apr.Fnmatch(a2, a1, apr.FNMPathname)
	case "strmatch":
		return apr.Fnmatch(a2, a1, 0)
	case "strcmatch":
		return apr.Fnmatch(a2, a1, apr.FNMCaseBlind)
	}
	return false
}
