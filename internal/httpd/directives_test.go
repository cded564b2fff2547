package httpd

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

// TestDirectivesDoc keeps docs/directives.md equal to the registry
// (regenerate with make directives-doc).
func TestDirectivesDoc(t *testing.T) {
	var buf bytes.Buffer
	if err := DirectivesMarkdown(&buf, nil); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../../docs/directives.md")
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Fatal("docs/directives.md is out of date: run make directives-doc")
	}
}

// TestContextText checks the context wording of every directive against
// what apache2 -L printed for it (testdata/apache2-L-directives.tsv).
func TestContextText(t *testing.T) {
	b, err := os.ReadFile("../../testdata/apache2-L-directives.tsv")
	if err != nil {
		t.Fatal(err)
	}
	reg := confparse.Default()
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f := strings.Split(line, "\t")
		d := reg.Lookup(f[0])
		if d == nil {
			t.Errorf("%s: not in the registry", f[0])
			continue
		}
		if d.Module != f[1] && !slices.Contains(d.Also, f[1]) {
			t.Errorf("%s: module %s, apache2 -L says %s", f[0], d.Module, f[1])
		}
		want := strings.ReplaceAll(f[2], " [no per-dir config]", "")
		if got := ContextText(d); got != want {
			t.Errorf("%s: %q, apache2 -L %q", f[0], got, want)
		}
		checked++
	}
	if checked < 770 {
		t.Fatalf("checked %d directives", checked)
	}
	var buf bytes.Buffer
	if err := DirectivesTable(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n < 770 {
		t.Errorf("directives table has %d lines", n)
	}
}
