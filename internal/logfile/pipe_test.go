package logfile

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestTokenizeArgv: apr_tokenize_to_argv's rules, which Apache 2.4 uses
// to run "|program args".
func TestTokenizeArgv(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"/usr/bin/rotatelogs /var/log/x 86400", []string{"/usr/bin/rotatelogs", "/var/log/x", "86400"}},
		{"  a\t b  ", []string{"a", "b"}},
		{`/bin/sh -c "cat >> log"`, []string{"/bin/sh", "-c", "cat >> log"}},
		{`a 'b c' "d 'e'"`, []string{"a", "b c", "d 'e'"}},
		{`a\ b c\"d`, []string{"a b", `c"d`}},
		{`"x \" y"`, []string{`x " y`}},
		{`back\\slash \n`, []string{`back\slash`, "n"}},
		{`mid"quote z`, []string{`mid"quote`, "z"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := TokenizeArgv(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("TokenizeArgv(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestShellCommand: "|$command" runs as APR_SHELLCMD_ENV runs it: the
// command is split into words as apr_tokenize_to_argv splits it, and the
// words, their quotes gone, are joined with single spaces for /bin/sh
// -c; so two spaces inside quotes become one (checked against Apache
// 2.4.71). The messages name the command as written.
func TestShellCommand(t *testing.T) {
	dir := t.TempDir()
	command := `echo "a  b" > out; exec cat > /dev/null`
	p, err := StartProgram("|$"+command, dir, func(string, ...any) {})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "out")); err != nil || string(b) != "a b\n" {
		t.Errorf("the shell wrote %q (%v), want %q", b, err, "a b\n")
	}
	if got, want := p.(*pipe).argv, []string{"/bin/sh", "-c", `echo a  b > out; exec cat > /dev/null`}; !reflect.DeepEqual(got, want) {
		t.Errorf("argv %q, want %q", got, want)
	}
	if got := p.(*pipe).program; got != command {
		t.Errorf("messages name %q, want %q", got, command)
	}
}
