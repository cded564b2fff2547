package logfile

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

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
