// Package conftest loads configurations written by tests: a
// configuration text in a fresh server root, processed as the server
// does, with host names resolving to 127.0.0.1.
package conftest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gowsgid/gowsgid/confparse"
)

// Load writes conf ($R is the server root) to httpd.conf in a new
// temporary server root that has htdocs/file.txt and an empty logs/, and
// loads it.
func Load(t testing.TB, conf string) (cfg *confparse.Config, root string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(root, "htdocs"), 0o755)
	os.MkdirAll(filepath.Join(root, "logs"), 0o755)
	os.WriteFile(filepath.Join(root, "htdocs", "file.txt"), []byte("file\n"), 0o644)
	return LoadIn(t, root, conf), root
}

// LoadIn writes conf to root's httpd.conf, replacing the one there (a
// configuration changed for a graceful restart), and loads it.
func LoadIn(t testing.TB, root, conf string) *confparse.Config {
	t.Helper()
	path := filepath.Join(root, "httpd.conf")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(conf, "$R", root)), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := confparse.Load(confparse.ReadOptions{ServerRoot: root, ConfigFile: path,
		Getenv: func(string) (string, bool) { return "", false }}, confparse.ProcessOptions{
		Resolve: func(string) ([]string, error) { return []string{"127.0.0.1"}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Read returns a file of the server root's logs/ ("" when missing).
func Read(t testing.TB, root, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "logs", name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}
