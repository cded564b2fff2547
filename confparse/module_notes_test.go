package confparse

import (
	"strings"
	"testing"
)

// ProxyPass is out of scope, and configtest says so rather than "not
// implemented yet".
func TestProxyPassOutOfScope(t *testing.T) {
	cfg, _ := loadServing(t, "LoadModule proxy_module m.so\nProxyPass /api http://127.0.0.1:9000/\n")
	for _, f := range cfg.Findings {
		if f.Directive == "ProxyPass" {
			if !strings.Contains(f.Message, "out of scope") || strings.Contains(f.Message, "yet") {
				t.Errorf("finding %q", f.Message)
			}
			return
		}
	}
	t.Errorf("no finding for ProxyPass in %v", cfg.Findings)
}
