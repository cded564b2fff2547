package confparse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// oracleWords splits a line into words with Apache's ap_getword_conf rules,
// written independently of lexer.go as a character state machine, so the
// fuzzer compares two implementations rather than one with itself.
func oracleWords(line string) []string {
	const (
		between = iota
		bare
		quoted
	)
	var words []string
	var cur []byte
	state, quote := between, byte(0)
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch state {
		case between:
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			case c == '"' || c == '\'':
				state, quote, cur = quoted, c, []byte{}
			default:
				state, cur = bare, []byte{}
				i--
			}
		case bare:
			if c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' {
				words = append(words, string(cur))
				state = between
			} else if c == '\\' && i+1 < len(line) && line[i+1] == '\\' {
				cur = append(cur, '\\')
				i++
			} else {
				cur = append(cur, c)
			}
		case quoted:
			if c == quote {
				words = append(words, string(cur))
				state = between
			} else if c == '\\' && i+1 < len(line) && (line[i+1] == quote || line[i+1] == '\\') {
				cur = append(cur, line[i+1])
				i++
			} else {
				cur = append(cur, c)
			}
		}
	}
	if state != between {
		words = append(words, string(cur))
	}
	return words
}

func FuzzLexLine(f *testing.F) {
	for _, s := range []string{`ServerName a`, `X "a b" 'c\'d' e\\f g\h`, `X "abc"def`, `"`, `" `, `0\ 000`,
		`<Directory "/a b">`, `</Directory>`, "X\t\"unterminated", `X ""`, `'\\'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		line = string(trimSpace([]byte(strings.ReplaceAll(line, "\x00", ""))))
		if line == "" {
			return
		}
		want := oracleWords(line)
		got := SplitWords(line)
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") || len(got) != len(want) {
			t.Fatalf("SplitWords(%q) = %q, oracle %q", line, got, want)
		}
		pl, err := parseLine(line)
		if err != nil {
			t.Fatal(err)
		}
		if len(pl.Args) != len(want)-1 {
			t.Fatalf("parseLine(%q): %d args, want %d", line, len(pl.Args), len(want)-1)
		}
		if pl.Raw != ">" && !strings.HasSuffix(line, pl.Raw) {
			t.Fatalf("parseLine(%q): raw %q is not the end of the line", line, pl.Raw)
		}
	})
}

// FuzzRead reads and processes arbitrary bytes as a configuration file:
// nothing may panic, and every error must be a located *Error (or an
// unlocated one of the kinds Apache prints without a location).
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob("../testdata/configtest/*/httpd.conf")
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		f.Add(b)
	}
	f.Add([]byte("<VirtualHost *:80>\n<Directory /x>\n</VirtualHost>\n"))
	f.Add([]byte("<IfModule !x>\n</IfModule\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lower := strings.ToLower(string(data))
		for _, risky := range []string{"include", "loadfile", "iffile", "serverroot", "errorlog", "mutex"} {
			if strings.Contains(lower, risky) {
				t.Skip("touches the host file system")
			}
		}
		dir := t.TempDir()
		conf := filepath.Join(dir, "f.conf")
		header := "LoadModule mpm_event_module x\nLoadModule authz_core_module x\nLoadModule wsgi_module x\nErrorLog " + dir + "/e.log\n"
		if err := os.WriteFile(conf, append([]byte(header), data...), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(ReadOptions{ServerRoot: dir, ConfigFile: conf, Getenv: func(string) (string, bool) { return "", false }},
			ProcessOptions{Resolve: func(string) ([]string, error) { return []string{"127.0.0.1"}, nil }})
		if err == nil {
			return
		}
		var ce *Error
		if !errors.As(err, &ce) {
			t.Fatalf("error of type %T: %v", err, err)
		}
		if inner := ce.Innermost(); inner.Line < 0 || (inner.Line > 0 && inner.File == "") {
			t.Fatalf("badly located error: %#v", inner)
		}
	})
}
