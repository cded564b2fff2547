package confparse

import (
	"errors"
	"strings"
	"testing"
)

// TestIncludeWildcards checks Include's wildcard matching, which is
// apr_fnmatch(pattern, name, APR_FNM_PERIOD) per path component; the
// expected files are the ones Apache 2.4 includes.
func TestIncludeWildcards(t *testing.T) {
	tests := []struct {
		pattern string
		files   []string
		want    string // the included files, or the error's text
	}{
		{"d/*", []string{"d/.hidden", "d/a.conf"}, "d/a.conf"},
		{"d/.*", []string{"d/.hidden", "d/a.conf"}, "d/.hidden"},
		{"d/\\.*", []string{"d/.hidden", "d/a.conf"}, "d/.hidden"},
		{"d/[.a]*", []string{"d/.hidden", "d/a.conf"}, "d/a.conf"},
		{"d/?hidden", []string{"d/.hidden", "d/xhidden"}, "d/xhidden"},
		{"*/x.conf", []string{".d1/x.conf", "d2/x.conf", "d3/x.conf"}, "d2/x.conf d3/x.conf"},
		{"d/[^a]*.conf", []string{"d/a.conf", "d/b.conf"}, "d/b.conf"},
		{"d/[!a]*.conf", []string{"d/a.conf", "d/b.conf"}, "d/b.conf"},
		// An unbalanced '[' is a literal.
		{"d/a[*.conf", []string{"d/a[b.conf", "d/ab.conf"}, "d/a[b.conf"},
		// "x-]" is not a range: '-' and 'x' are members.
		{"d/[a-]x", []string{"d/-x", "d/ax", "d/bx"}, "d/-x d/ax"},
		// An escaped '*' is no wildcard (apr_fnmatch_test): the name is
		// opened as it is, backslash included.
		{"d/\\*.conf", []string{"d/*.conf", "d/a.conf"}, "Could not open configuration file"},
		{"d/[*].conf", []string{"d/*.conf", "d/a.conf"}, "d/*.conf"},
		{"d/*.conf", []string{"d/.a.conf", "d/A.CONF"}, "No matches for the wildcard '*.conf' in"},
	}
	for _, tt := range tests {
		t.Run(tt.pattern, func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range tt.files {
				writeConf(t, dir, f, "ServerAdmin "+f+"\n")
			}
			conf := writeConf(t, dir, "f.conf", testPreamble+"Include "+tt.pattern+"\n")
			tree, err := Read(ReadOptions{ServerRoot: dir, ConfigFile: conf})
			if err != nil {
				var ce *Error
				if !errors.As(err, &ce) || !strings.Contains(ce.Innermost().Msg, tt.want) {
					t.Fatalf("Include %s: %v, want %q", tt.pattern, err, tt.want)
				}
				return
			}
			var got []string
			VisitNodes(tree.Nodes, func(n *Node) {
				if n.Name == "ServerAdmin" {
					got = append(got, n.Raw)
				}
			})
			if strings.Join(got, " ") != tt.want {
				t.Fatalf("Include %s included %q, want %q", tt.pattern, got, tt.want)
			}
		})
	}
}
