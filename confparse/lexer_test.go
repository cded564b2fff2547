package confparse

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestLineReader(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string // "LINE:text"
	}{
		{"plain", "a b\nc\n", []string{"1:a b", "2:c"}},
		{"continuation joins without a space", "DocumentRoot /tm\\\np\n", []string{"2:DocumentRoot /tmp"}},
		{"continuation keeps leading space", "A \\\n   b\n", []string{"2:A    b"}},
		{"crlf continuation", "A\\\r\nB\r\n", []string{"2:AB"}},
		{"backslash then space is literal", "A \\ \nB\n", []string{"1:A \\", "2:B"}},
		{"backslash at eof without newline", "A \\", []string{"1:A \\"}},
		{"comment swallows next line", "# x \\\nServerName y\nZ\n", []string{"2:# x ServerName y", "3:Z"}},
		{"line is the last physical line", "A\\\nB\\\nC\n", []string{"3:ABC"}},
		{"trimmed", " \t A b \t\r\n", []string{"1:A b"}},
		{"blank lines returned", "\n\nA\n", []string{"1:", "2:", "3:A"}},
		{"escaped backslash still continues", "A\\\\\nB\n", []string{"2:A\\B"}},
		{"empty line after continued backslash continues again", "A\\\\\n\nB\n", []string{"3:AB"}},
		{"continuation into eof counts the read", "A\\\n", []string{"2:A"}},
		{"nul ends the line", "A\x00B\\\nC\n", []string{"1:A", "2:C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lr := newLineReader("f", []byte(tt.input), maxConfLine)
			var got []string
			for {
				text, line, ok, err := lr.next()
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					break
				}
				got = append(got, strconv.Itoa(line)+":"+text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLineTooLong(t *testing.T) {
	lr := newLineReader("f.conf", []byte("A "+strings.Repeat("x", 100)+"\n"), 50)
	_, _, _, err := lr.next()
	if err == nil || err.Error() != "Error reading f.conf at line 1: Line too long" {
		t.Fatalf("err = %v", err)
	}
	// The limit is Apache's buffer, its NUL included: a line (a CR
	// counted, continuations joined) of the limit's length is too long,
	// one byte less is not (checked against Apache 2.4.71 at 16 MiB).
	x := func(n int) string { return strings.Repeat("x", n) }
	for _, tt := range []struct {
		input string
		fails bool
	}{
		{x(50) + "\n", true},
		{x(49) + "\n", false},
		{x(49) + "\r\n", true},
		{x(48) + "\r\n", false},
		{x(25) + "\\\n" + x(25) + "\n", true},
		{x(25) + "\\\n" + x(24) + "\n", false},
		{x(49) + "\\\n\n", false},
		{x(50), true},
	} {
		_, _, _, err := newLineReader("f.conf", []byte(tt.input), 50).next()
		if (err != nil) != tt.fails {
			t.Errorf("%q: error %v, want failure %v", tt.input, err, tt.fails)
		}
	}
}

func TestParseLine(t *testing.T) {
	tests := []struct {
		line  string
		head  string
		open  bool
		close bool
		raw   string
		args  []string
	}{
		{`ServerName a.example`, "ServerName", false, false, "a.example", []string{"a.example"}},
		{`DocumentRoot "/a b"`, "DocumentRoot", false, false, `"/a b"`, []string{"/a b"}},
		{`X 'it\'s' "q\"d" a\\b a\b`, "X", false, false, `'it\'s' "q\"d" a\\b a\b`, []string{"it's", `q"d`, `a\b`, `a\b`}},
		{`X "abc"def`, "X", false, false, `"abc"def`, []string{"abc", "def"}},
		{`X a"b`, "X", false, false, `a"b`, []string{`a"b`}},
		{`X "unterminated to the end`, "X", false, false, `"unterminated to the end`, []string{"unterminated to the end"}},
		{`X ""`, "X", false, false, `""`, []string{""}},
		{`X # not a comment`, "X", false, false, "# not a comment", []string{"#", "not", "a", "comment"}},
		{`<Directory /tmp>`, "<Directory", true, false, "/tmp>", []string{"/tmp>"}},
		{`<Directory>`, "<Directory", true, false, ">", nil},
		{`<Location "/a b">`, "<Location", true, false, `"/a b">`, []string{"/a b", ">"}},
		{`</Directory>`, "</Directory>", false, true, "", nil},
		{`</Directory > junk`, "</Directory", false, true, "> junk", []string{">", "junk"}},
		{`"ServerName" x`, "ServerName", false, false, "x", []string{"x"}},
		{`"</IfModule>"`, "</IfModule>", false, true, "", nil},
		{"A\tb\vc", "A", false, false, "b\vc", []string{"b", "c"}},
		{`Name> x`, "Name", false, false, "x", []string{"x"}},
	}
	for _, tt := range tests {
		pl, err := parseLine(tt.line)
		if err != nil {
			t.Fatalf("%q: %v", tt.line, err)
		}
		if pl.Head != tt.head || pl.Open != tt.open || pl.Close != tt.close || pl.Raw != tt.raw || !reflect.DeepEqual(pl.Args, tt.args) {
			t.Errorf("%q: got head=%q open=%v close=%v raw=%q args=%q", tt.line, pl.Head, pl.Open, pl.Close, pl.Raw, pl.Args)
		}
	}
}

func TestArity(t *testing.T) {
	d := func(shape ArgShape) *Directive {
		return &Directive{Name: "X", Args: shape, Usage: "help"}
	}
	tests := []struct {
		shape ArgShape
		words []string
		want  []string
		err   string
	}{
		{Take1, nil, nil, "X takes one argument, help"},
		{Take1, []string{""}, nil, "X takes one argument, help"},
		{Take1, []string{"a", "b"}, nil, "X takes one argument, help"},
		{Take1, []string{"a"}, []string{"a"}, ""},
		{Take2, []string{"a"}, nil, "X takes two arguments, help"},
		{Take12, []string{"a", ""}, []string{"a"}, ""},
		{Take12, []string{"a", "b", "c"}, nil, "X takes 1-2 arguments, help"},
		{Take3, []string{"a", "b"}, nil, "X takes three arguments, help"},
		{Take23, []string{"a"}, nil, "X takes two or three arguments, help"},
		{Take123, []string{"a", "b", "c", "d"}, nil, "X takes one, two or three arguments, help"},
		{Take13, []string{"a", "b"}, nil, "X takes one or three arguments, help"},
		{Take13, []string{"a", "b", "c"}, []string{"a", "b", "c"}, ""},
		{Iterate, nil, nil, "X requires at least one argument, help"},
		{Iterate, []string{"a", "", "b"}, []string{"a"}, ""},
		{Iterate2, []string{"a"}, nil, "X requires at least two arguments, help"},
		{Iterate2, []string{"a", "b", "c"}, []string{"a", "b", "c"}, ""},
		{Flag, []string{"maybe"}, nil, "X must be On or Off"},
		{Flag, []string{"ON", "extra"}, []string{"ON"}, ""},
		{TakeArgv, []string{"a", "", "b", ""}, []string{"a", "", "b"}, ""},
	}
	for _, tt := range tests {
		got, err := arity(d(tt.shape), strings.Join(tt.words, " "), tt.words)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if msg != tt.err || (tt.err == "" && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("%v %q: got %q, %q; want %q, %q", tt.shape, tt.words, got, msg, tt.want, tt.err)
		}
	}
	if _, err := arity(d(NoArgs), "x", []string{"x"}); err == nil || err.Error() != "X takes no arguments" {
		t.Errorf("NoArgs: %v", err)
	}
}
