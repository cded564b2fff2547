package apexpr

import (
	"strings"
	"testing"
)

// parseCases are boolean expressions with the message Apache 2.4.71 gives
// for them ("" = accepted). The messages were taken from apache2 -t, and
// TestApacheParseDifferential re-checks them against the real server.
var parseCases = []struct {
	expr string
	err  string
}{
	// accepted
	{"true", ""},
	{"false", ""},
	{"!true", ""},
	{"not true or false", ""},
	{"true && false || true", ""},
	{"(((true)))", ""},
	{"((true) and (false or true))", ""},
	{"1 == 1", ""},
	{"1 = 1", ""},
	{"1 -eq 1", ""},
	{"1 eq 1", ""},
	{"-1 -eq 1", ""},
	{"1 -eq -1", ""},
	{"'a' == 'b'", ""},
	{`"a" != "b"`, ""},
	{"'a' < 'b' || 'a' <= 'b' || 'a' > 'b' || 'a' >= 'b'", ""},
	{"1 -ne 1 || 1 -lt 1 || 1 -le 1 || 1 -gt 1 || 1 -ge 1", ""},
	{"1 ne 1 || 1 lt 1 || 1 le 1 || 1 gt 1 || 1 ge 1", ""},
	{`%{REQUEST_URI} !~ m#^/foo#i`, ""},
	{`%{REQUEST_URI} =~ m_ x_`, ""},
	{`%{REQUEST_URI} =~ m_.x_i`, ""},
	{`%{REQUEST_URI} =~ m_x_`, "syntax error, unexpected T_ID, expecting T_REGEX or T_REGEX_I"},
	{`'x' =~ /x/i`, ""},
	{`%{HTTP_HOST} in {'a', 'b', "c"}`, ""},
	{"1 -in {1}", ""},
	{"1 in {1} and 2 in {2}", ""},
	{"-n %{QUERY_STRING}", ""},
	{"-z ''", ""},
	{"-f '/etc/passwd'", ""},
	{"-d '/' && -e '/' && -s '/' && -L '/' && -h '/' && -x '/'", ""},
	{"-F '/' || -U '/' || -A '/' || -T 'on'", ""},
	{"-R '10.0.0.0/8'", ""},
	{"-R '10.1'", ""},
	{"-R '::1/128'", ""},
	{"-R '10.0.0.0/255.0.255.0'", ""},
	{"%{REMOTE_ADDR} -ipmatch '192.168.1.0/24'", ""},
	{"%{REMOTE_ADDR} -IPMATCH '192.168.1.0/24'", ""},
	{"'abc' -strmatch 'a*' || 'abc' -strcmatch 'A*' || '/a/b' -fnmatch '/a/*'", ""},
	{"req('Host') == 'x'", ""},
	{"HTTP('Host') == 'x'", ""},
	{"tolower(%{HTTP_HOST}) == 'x'", ""},
	{"%{req:Host} == 'x'", ""},
	{"%{tolower:%{HTTP_HOST}} == 'x'", ""},
	{"%{request_uri} == 1", ""},
	{"'a' . 'b' == 'ab'", ""},
	{"$1 == 'x'", ""},
	{`"$1x" == 'x'`, ""},
	{`"\101\n\t\x" == 1`, ""},
	{"ldap('x') == 1", ""},
	{"md5('x') == sha1('y')", ""},
	{"file('/etc/hostname') == 1", ""},
	{"filesize('/etc/hostname') -gt 1", ""},
	{"req('a') in {'b'} || true && false", ""},
	{"%{TIME_YEAR} -ge 2024 && %{API_VERSION} > 0 && %{HTTPS} == 'on'", ""},

	// bison syntax errors
	{"", "syntax error, unexpected $end"},
	{"1 ==", "syntax error, unexpected $end"},
	{"1", "syntax error, unexpected $end"},
	{"'abc'", "syntax error, unexpected $end"},
	{"true and", "syntax error, unexpected $end"},
	{"!", "syntax error, unexpected $end"},
	{"-n", "syntax error, unexpected $end"},
	{"%{REQUEST_URI} -eq", "syntax error, unexpected $end"},
	{"(true", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"},
	{"true or (false", "syntax error, unexpected $end, expecting T_OP_OR or T_OP_AND or ')'"},
	{"true )", "syntax error, unexpected ')', expecting $end"},
	{"true)", "syntax error, unexpected ')', expecting $end"},
	{"true true", "syntax error, unexpected T_TRUE, expecting $end"},
	{"-n 1 2", "syntax error, unexpected T_DIGIT, expecting $end"},
	{"'a' == 'b' == 'c'", "syntax error, unexpected T_OP_STR_EQ, expecting $end"},
	{"true,", "syntax error, unexpected ',', expecting $end"},
	{"true:", "syntax error, unexpected ':', expecting $end"},
	{"== 1", "syntax error, unexpected T_OP_STR_EQ"},
	{"1 = = 1", "syntax error, unexpected T_OP_STR_EQ"},
	{"1 . == 1", "syntax error, unexpected T_OP_STR_EQ"},
	{"and true", "syntax error, unexpected T_OP_AND"},
	{"1 1", "syntax error, unexpected T_DIGIT"},
	{"{1} == 1", "syntax error, unexpected '{'"},
	{"1 in {}", "syntax error, unexpected '}'"},
	{"1 in {1,}", "syntax error, unexpected '}'"},
	{"x in foo(1)", "syntax error, unexpected T_OP_IN, expecting '('"},
	{"mx == 1", "syntax error, unexpected T_OP_STR_EQ, expecting '('"},
	{"m_ == 1", "syntax error, unexpected $end"},
	{"1 =~ /abc", "syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I"},
	{"1 =~ m/abc/x", "syntax error, unexpected T_ID, expecting $end"},
	{"'x' =~ /x/ix", "syntax error, unexpected T_ID, expecting $end"},
	{"%{} == 1", "syntax error, unexpected T_VAR_END, expecting T_ID"},

	// scanner errors, alone or appended to a bison message
	{`"abc`, "Unterminated string or variable"},
	{"'abc", "Unterminated string or variable"},
	{"%{HTTP_HOST", "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"},
	{"%{HTTP HOST} == 1", "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in variable name ' '"},
	{"%{1A} == 1", "syntax error, unexpected T_ERROR, expecting T_ID: Invalid character in variable name '1'"},
	{`"\8" == 1`, "Bad escape sequence"},
	{`"\0123" == 1`, "Bad escape sequence"},
	{`"\400" == 1`, "Escape sequence out of bound"},
	{"1 == @", "syntax error, unexpected T_ERROR: Parse error near '@'"},
	{"true and @", "Parse error near '@'"},
	{"@", "Parse error near '@'"},
	{"&", "Parse error near '&'"},
	{"|", "Parse error near '|'"},
	{"$ == 1", "Parse error near '$'"},
	{"$a == 1", "Parse error near '$'"},
	{"% == 1", "Parse error near '%'"},
	{`"abc { not "\x"`, `syntax error, unexpected T_ERROR: Parse error near '\'`},
	{`%{req:a'b} == 1`, "flex scanner jammed"},
	{`"abc\`, "flex scanner jammed"},

	// lookup (semantic) errors
	{"%{FOO} == 1", "Variable 'FOO' does not exist"},
	{`"%{FOO}" == 1`, "Variable 'FOO' does not exist"},
	{`"%{tolower:%{FOO}}" == 1`, "Variable 'FOO' does not exist"},
	{"%{tolower:x%{FOO}} == 1", "Variable 'FOO' does not exist"},
	{"foo(1) == 1", "Function 'foo' does not exist"},
	{"%{foo:1} == 1", "Function 'foo' does not exist"},
	{"-X 1", "Unary operator '-X' does not exist"},
	{"-N 1", "Unary operator '-N' does not exist"},
	{"1 -foo 1", "Binary operator '-foo' does not exist"},
	{"1 in foo(1)", "List-returning function 'foo' does not exist"},
	{"-R 10", "-R requires subnet/netmask as constant argument"},
	{"1 -ipmatch %{REMOTE_ADDR}", "-ipmatch requires subnet/netmask as constant argument"},
	{"1 -IPMATCH 1", "-IPMATCH requires subnet/netmask as constant argument"},
	{"-R ''", "parsing of subnet/netmask failed"},
	{"-R 'foo'", "parsing of subnet/netmask failed"},
	{"-R '10.0.0.0/33'", "parsing of subnet/netmask failed"},
	{"-R '0.0.0.0/0'", "parsing of subnet/netmask failed"},
	{"-R '::ffff:1.2.3.4'", "parsing of subnet/netmask failed"},
	{"-R '1:2'", "parsing of subnet/netmask failed"},
	{"1 =~ /(/", "Failed to compile regular expression"},
	{`%{REQUEST_URI} =~ /^\/foo/`, "Failed to compile regular expression"},
	{"'x' =~ /a{2,1}/", "Failed to compile regular expression"},
	{"%{FOO} =~ /(/", "Failed to compile regular expression: Variable 'FOO' does not exist"},
	{"%{FOO} == %{BAR}", "Variable 'BAR' does not exist"},
	{"%{FOO} == 'x", "Unterminated string or variable"},
}

func TestParse(t *testing.T) {
	for _, c := range parseCases {
		e, err := Parse(c.expr)
		got := ""
		if err != nil {
			got = err.Error()
			if e != nil {
				t.Errorf("Parse(%q) returned both an Expr and an error", c.expr)
			}
		} else if e == nil {
			t.Errorf("Parse(%q) returned neither an Expr nor an error", c.expr)
		}
		if got != c.err {
			t.Errorf("Parse(%q) error = %q, want %q", c.expr, got, c.err)
		}
	}
}

var parseStringCases = []struct {
	expr string
	err  string
}{
	{"", ""},
	{"abc", ""},
	{"%{REQUEST_URI}", ""},
	{"x%{REQUEST_URI}y", ""},
	{"%{tolower:ABC}", ""},
	{"$1", ""},
	{"a$1b", ""},
	{`"quoted" 'single'`, ""},
	{"100%", ""},
	{"a}b", ""},
	{"}", ""},
	{`\n\t`, ""},
	{"%{req:a$1b}", ""},
	{"%{req:a%b}", ""},
	{"%{req:a%{HTTP_HOST}b}", ""},
	{"%{ldap:x}", ""},
	{"%{FOO}", "Variable 'FOO' does not exist"},
	{"%{req:x}%{FOO}%{BAR}", "Variable 'BAR' does not exist"},
	{"%{foo:bar}", "Function 'foo' does not exist"},
	{"%{tolower:ABC", "Unterminated string or variable"},
	{"%{REQUEST_URI", "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"},
	{"%{", "syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable"},
	{"%{}", "syntax error, unexpected T_VAR_END, expecting T_ID"},
	{"%{X Y}", "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Invalid character in variable name ' '"},
	{"%{req:}", "syntax error, unexpected T_VAR_END, expecting T_ERROR or T_STRING or T_REGEX_BACKREF or T_VAR_BEGIN"},
	{`\999`, "Bad escape sequence"},
	{`\777`, "Escape sequence out of bound"},
	{"%{req:a'b}", "flex scanner jammed"},
	{`abc\`, "flex scanner jammed"},
}

func TestParseString(t *testing.T) {
	for _, c := range parseStringCases {
		_, err := ParseString(c.expr)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("ParseString(%q) error = %q, want %q", c.expr, got, c.err)
		}
	}
}

func TestParseRestricted(t *testing.T) {
	cases := []struct {
		expr  string
		flags Flags
		err   string
	}{
		{"-f '/x'", FlagRestricted, "-f not available in restricted context"},
		{"-L '/x'", FlagRestricted, "-L not available in restricted context"},
		{"file('/x') == ''", FlagRestricted, "file not available in restricted context"},
		{"FILESIZE('/x') == ''", FlagRestricted, "filesize not available in restricted context"},
		{"-F '/x' && -n 'x'", FlagRestricted, ""},
		{"-f '/x'", 0, ""},
		{"%{file:/x}", FlagRestricted | FlagStringResult, "file not available in restricted context"},
	}
	for _, c := range cases {
		_, err := ParseFlags(c.expr, c.flags)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err {
			t.Errorf("ParseFlags(%q, %d) error = %q, want %q", c.expr, c.flags, got, c.err)
		}
	}
}

func TestLexerLimits(t *testing.T) {
	long := strings.Repeat("a", maxStringLen-1)
	if _, err := Parse("'" + long + "' == 1"); err != nil {
		t.Errorf("string of %d bytes: %v", len(long), err)
	}
	if _, err := Parse("'" + long + "a' == 1"); err == nil || err.Error() != "String too long" {
		t.Errorf("string of %d bytes: got %v, want String too long", len(long)+1, err)
	}
	if _, err := Parse("1 =~ /" + long + "a/"); err == nil || err.Error() != "syntax error, unexpected T_ERROR, expecting T_REGEX or T_REGEX_I: Regexp too long" {
		t.Errorf("long regex: got %v", err)
	}
	if _, err := Parse("1 =~ /" + long + "/"); err != nil {
		t.Errorf("regex of %d bytes: %v", len(long), err)
	}
	// The C scanner stops at a NUL byte.
	if _, err := Parse("true\x00 junk"); err != nil {
		t.Errorf("NUL: %v", err)
	}
}

func TestTokens(t *testing.T) {
	cases := []struct {
		src  string
		want []int
	}{
		{"== = != < <= > >= =~ !~", []int{tOpStrEQ, tOpStrEQ, tOpStrNE, tOpStrLT, tOpStrLE, tOpStrGT, tOpStrGE, tOpReg, tOpNRE}},
		{"and && or || not ! .", []int{tOpAnd, tOpAnd, tOpOr, tOpOr, tOpNot, tOpNot, tOpConcat}},
		{"-in -eq -ne -lt -le -gt -ge", []int{tOpIn, tOpEQ, tOpNE, tOpLT, tOpLE, tOpGT, tOpGE}},
		{"in eq ne lt le gt ge", []int{tOpIn, tOpEQ, tOpNE, tOpLT, tOpLE, tOpGT, tOpGE}},
		{"-f -ipmatch -inx -_ -1 12", []int{tOpUnary, tOpBinary, tOpBinary, tOpUnary, tDigit, tDigit}},
		{"true false truex andx", []int{tTrue, tFalse, tID, tID}},
		{"$0 $9 ( ) { } , :", []int{tRegexBackref, tRegexBackref, tLParen, tRParen, tLBrace, tRBrace, tComma, tColon}},
		{"/a/ /a/i m#a# m_.a_i m_ax", []int{tRegex, tRegexI, tRegex, tRegexI, tID}},
		{"'a%{X}b$1'", []int{tStrBegin, tString, tVarBegin, tID, tVarEnd, tString, tRegexBackref, tStrEnd}},
		{"%{f:a}", []int{tVarBegin, tID, tColon, tString, tVarEnd}},
		{"''", []int{tStrBegin, tStrEnd}},
	}
	for _, c := range cases {
		var e2 string
		lx := newLexer(c.src, false, &e2)
		var got []int
		for {
			tok := lx.next()
			if tok.kind == tExprBool {
				continue
			}
			if tok.kind == tEnd || tok.kind == tErr {
				break
			}
			got = append(got, tok.kind)
		}
		if len(got) != len(c.want) {
			t.Errorf("%q: tokens %v, want %v (%s)", c.src, got, c.want, e2)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: token %d = %s, want %s", c.src, i, tokenNames[got[i]], tokenNames[c.want[i]])
			}
		}
	}
}

// TestPrecedence checks the tree shapes that %right T_OP_OR, T_OP_AND,
// T_OP_NOT and T_OP_CONCAT produce.
func TestPrecedence(t *testing.T) {
	cases := []struct{ expr, want string }{
		{"true || false && false", "Or(T, And(F, F))"},
		{"true && false || false", "Or(And(T, F), F)"},
		{"true || false || true", "Or(T, Or(F, T))"},
		{"true && false && true", "And(T, And(F, T))"},
		{"!true || true", "Or(Not(T), T)"},
		{"!true && false", "And(Not(T), F)"},
		{"!(true && false)", "Not(And(T, F))"},
		{"(true || false) && true", "And(Or(T, F), T)"},
		{"'a' . 'b' . 'c' == 1", "Comp(==(.(a, .(b, c)), 1))"},
	}
	for _, c := range cases {
		e, err := Parse(c.expr)
		if err != nil {
			t.Errorf("%q: %v", c.expr, err)
			continue
		}
		if got := dumpTree(e.root); got != c.want {
			t.Errorf("%q: tree %s, want %s", c.expr, got, c.want)
		}
	}
}

func dumpTree(n *node) string {
	switch n.op {
	case opTrue:
		return "T"
	case opFalse:
		return "F"
	case opNot:
		return "Not(" + dumpTree(n.left) + ")"
	case opOr:
		return "Or(" + dumpTree(n.left) + ", " + dumpTree(n.right) + ")"
	case opAnd:
		return "And(" + dumpTree(n.left) + ", " + dumpTree(n.right) + ")"
	case opComp:
		return "Comp(" + dumpTree(n.left) + ")"
	case opStrEQ:
		return "==(" + dumpTree(n.left) + ", " + dumpTree(n.right) + ")"
	case opConcat:
		return ".(" + dumpTree(n.left) + ", " + dumpTree(n.right) + ")"
	case opString, opDigit:
		return n.str
	}
	return "?"
}

// ReadsVar sees the variables the parser looks up, as mod_authz_core's
// lookup hook does: in the expression and inside strings, in any case,
// but not text inside a regex.
func TestReadsVar(t *testing.T) {
	for src, want := range map[string]bool{
		`%{REMOTE_USER} == 'bob'`:                    true,
		`%{remote_user} == 'bob'`:                    true,
		`%{HTTP:X-A} == '%{REMOTE_USER}x'`:           true,
		`%{QUERY_STRING} =~ /%{REMOTE_USER}/`:        false,
		`reqenv('REMOTE_USER') == 'bob'`:             false,
		`-n %{QUERY_STRING} && %{REMOTE_USER} = 'x'`: true,
	} {
		e, err := Parse(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if got := e.ReadsVar("REMOTE_USER"); got != want {
			t.Errorf("%s: ReadsVar = %v, want %v", src, got, want)
		}
	}
}
