package confparse

import (
	"fmt"
	"strings"
	"testing"
)

// doublingMacros are n macros that each use the one before twice: their
// last expands to 2^n lines.
func doublingMacros(n int) string {
	var b strings.Builder
	b.WriteString("<Macro M0>\nServerAdmin a@b\n</Macro>\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "<Macro M%d>\nUse M%d\nUse M%d\n</Macro>\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "Use M%d\n", n)
	return b.String()
}

// TestMacroBudget: macros that grow as 2^n stop with an error, in a
// configuration past its budget (a million lines; a thousand here), in a
// .htaccess file (read while requests are served) past ten thousand;
// below that they expand.
func TestMacroBudget(t *testing.T) {
	dir := t.TempDir()
	conf := writeConf(t, dir, "httpd.conf", testPreamble+"LoadModule macro_module m\n"+doublingMacros(11))
	_, err := Load(ReadOptions{ServerRoot: dir, ConfigFile: conf, MacroLines: 1000, Getenv: func(string) (string, bool) { return "", false }},
		ProcessOptions{})
	if err == nil || !strings.Contains(err.Error(), "expand to more than 1000 lines") {
		t.Errorf("2^11 lines: %v", err)
	}
	conf = writeConf(t, dir, "httpd.conf", testPreamble+"LoadModule macro_module m\n"+doublingMacros(10))
	cfg, err := load(t, dir, conf)
	if err != nil {
		t.Fatalf("2^10 lines: %v", err)
	}
	ht := writeConf(t, dir, ".htaccess", strings.ReplaceAll(doublingMacros(14), "ServerAdmin a@b", "ErrorDocument 404 /x"))
	if _, err := ReadHtaccess(cfg, ht, OrFileInfo, AllOptions, nil); err == nil || !strings.Contains(err.Error(), "expand to more than 10000 lines") {
		t.Errorf("2^14 lines in .htaccess: %v", err)
	}
	ht = writeConf(t, dir, ".htaccess", strings.ReplaceAll(doublingMacros(8), "ServerAdmin a@b", "ErrorDocument 404 /x"))
	if _, err := ReadHtaccess(cfg, ht, OrFileInfo, AllOptions, nil); err != nil {
		t.Errorf("2^8 lines in .htaccess: %v", err)
	}
}
