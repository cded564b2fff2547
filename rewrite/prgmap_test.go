package rewrite

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// TestParseProgramMap: the program line is split as apr_tokenize_to_argv
// splits it, its path taken from ServerRoot; the third argument names
// the user and group it runs as.
func TestParseProgramMap(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "map.sh"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, p)
	}
	for _, tt := range []struct {
		source, options string
		want            Program
	}{
		{"prg:map.sh", "", Program{Argv: []string{root + "/map.sh"}}},
		{`prg:'map.sh' a\ b "c d"`, "", Program{Argv: []string{root + "/map.sh", "a b", "c d"}}},
		{"prg:map.sh", "nobody:nogroup", Program{Argv: []string{root + "/map.sh"}, User: "nobody", Group: "nogroup"}},
		{"prg:map.sh", "nobody", Program{Argv: []string{root + "/map.sh"}, User: "nobody"}},
		{"PRG:map.sh", ":nobody:x", Program{Argv: []string{root + "/map.sh"}, User: "nobody", Group: "x"}},
	} {
		m, err := ParseMap("m", tt.source, tt.options, rel, false)
		if err != nil {
			t.Fatalf("%s: %v", tt.source, err)
		}
		got, ok := m.Program()
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %s: %+v %v, want %+v", tt.source, tt.options, got, ok, tt.want)
		}
	}
	if _, err := ParseMap("m", "prg:nosuch.sh", "", rel, false); err == nil || err.Error() != "RewriteMap: file for map m not found:"+root+"/nosuch.sh" {
		t.Errorf("missing program: %v", err)
	}
	if m, _ := ParseMap("m", "txt:map.sh", "", rel, false); m != nil {
		if _, ok := m.Program(); ok {
			t.Error("a txt: map has a program")
		}
	}
}

// programScript answers as the maps of the tests below: "null" and
// "Null" ask for NULL in two spellings, "two" answers two lines (the
// second is the next lookup's answer), "die" exits without answering;
// any other key is answered with the number of keys read so far.
const programScript = `#!/bin/sh
n=0
while IFS= read -r key; do
	n=$((n+1))
	case "$key" in
	null) echo NULL ;;
	Null) echo nUlL ;;
	empty) echo ;;
	two) printf 'first\nsecond\n' ;;
	cr) printf 'a\r\n' ;;
	nul) printf 'abc\000def\n' ;;
	nulnull) printf 'NULL\000x\n' ;;
	die) exit 3 ;;
	*) echo "$key-$n" ;;
	esac
done
`

// TestProgramMapLookups: lookup_map_program's protocol, with a real
// program on pipes.
func TestProgramMapLookups(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "map.sh")
	if err := os.WriteFile(script, []byte(programScript), 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := ParseMap("m", "prg:"+script, "", func(p string) string { return p }, false)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := m.lookup("before", nil); ok {
		t.Errorf("a map whose program was not started found %q", v)
	}
	cmd := exec.Command(script)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close(); cmd.Wait() })
	m.Connect(in, out)
	for _, tt := range []struct {
		key   string
		value string
		found bool
	}{
		{"a", "a-1", true},
		{"null", "", false},
		{"Null", "", false},
		{"empty", "", true},
		{"new\nline", "", false}, // not sent: the next key is the fifth
		{"b", "b-5", true},
		{"cr", "a\r", true},  // only the newline ends an answer
		{"nul", "abc", true}, // a C string: it ends at NUL
		{"nulnull", "NULL", true},
		{"two", "first", true},
		// From here the program is a step behind, as under mod_rewrite.
		{"c", "second", true},
		{"d", "c-10", true},
		{"die", "d-11", true},
		// A program that has ended answers the empty string, a value.
		{"e", "", true},
		{"f", "", true},
	} {
		v, ok := m.lookup(tt.key, nil)
		if v != tt.value || ok != tt.found {
			t.Errorf("lookup %q = %q %v, want %q %v", tt.key, v, ok, tt.value, tt.found)
		}
	}
}
