package confparse

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// Every directive that Debian's Apache tree uses, in its enabled and
// available modules, configurations and sites, is implemented, has no
// effect for a stated reason, or is not implemented with a note saying
// why (so that configtest and `gowsgid directives` explain it).
func TestStockTreeDirectivesExplained(t *testing.T) {
	const root = "/etc/apache2"
	if _, err := os.Stat(filepath.Join(root, "apache2.conf")); err != nil {
		t.Skip("no /etc/apache2 (make test installs apache2)")
	}
	used := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".conf") || strings.HasSuffix(path, ".load")) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		lr := newLineReader(path, data, 1<<20)
		for {
			text, line, ok, err := lr.next()
			if err != nil || !ok {
				return err
			}
			pl, err := parseLine(text)
			if err != nil || pl.Head == "" || pl.Close || strings.HasPrefix(pl.Head, "#") {
				continue
			}
			name := pl.Head
			rel, _ := filepath.Rel(root, path)
			used[strings.ToLower(name)] = append(used[strings.ToLower(name)], rel+":"+strconv.Itoa(line))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	reg := Default()
	var bad []string
	for name, where := range used {
		d := reg.Lookup(name)
		switch {
		case d == nil:
			bad = append(bad, name+" (unknown) at "+where[0])
		case d.Status == NotImplemented && d.Note == "":
			bad = append(bad, d.Name+" (not implemented, no note) at "+where[0])
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%d directives of the stock tree lack a reason:\n  %s", len(bad), strings.Join(bad, "\n  "))
	}
	if len(used) < 50 {
		t.Errorf("only %d directives found under %s", len(used), root)
	}
}
