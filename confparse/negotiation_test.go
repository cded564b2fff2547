package confparse

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// MultiViews and the type-map handler are served: neither is a
// configtest finding.
func TestNegotiationFindings(t *testing.T) {
	cfg, _ := loadServing(t, "LoadModule negotiation_module m.so\nOptions +MultiViews\nAddHandler type-map .var\n<Location /m>\nSetHandler type-map\n</Location>\n")
	for _, f := range cfg.Findings {
		if strings.Contains(f.Message, "MultiViews") || strings.Contains(f.Message, "type-map") || strings.Contains(f.Message, "type map") {
			t.Errorf("finding %q", f.Message)
		}
	}
}

// CacheNegotiatedDocs is a server's flag: the last line wins.
func TestCacheNegotiatedDocs(t *testing.T) {
	cfg, _ := loadServing(t, "LoadModule negotiation_module m.so\nCacheNegotiatedDocs on\nCacheNegotiatedDocs Off\n<VirtualHost *:80>\nCacheNegotiatedDocs ON\n</VirtualHost>\n")
	if p := cfg.Main.CacheNegotiatedDocs; p == nil || *p {
		t.Errorf("main server: %v, want Off", p)
	}
	if len(cfg.VirtualHosts) != 1 {
		t.Fatalf("%d virtual hosts", len(cfg.VirtualHosts))
	}
	if p := cfg.VirtualHosts[0].CacheNegotiatedDocs; p == nil || !*p {
		t.Errorf("virtual host: %v, want On", p)
	}
}

// MultiviewsMatch, LanguagePriority and ForceLanguagePriority as their
// modules take them: words add up within a section, a subdirectory's
// replace the parent's, and the combinations Apache refuses fail with
// its messages.
func TestNegotiationDirectives(t *testing.T) {
	cfg, dir := loadServing(t, `LoadModule negotiation_module m.so
LanguagePriority en de
ForceLanguagePriority Fallback
<Directory /a>
  MultiviewsMatch Handlers
  MultiviewsMatch Filters
  LanguagePriority fr
  LanguagePriority it
  ForceLanguagePriority Prefer Fallback
</Directory>
`)
	_ = dir
	main := cfg.Main.Dir
	if !slices.Equal(main.LanguagePriority, []string{"en", "de"}) || main.ForceLanguagePriority != FLPFallback {
		t.Errorf("server: %v %d", main.LanguagePriority, main.ForceLanguagePriority)
	}
	var a *DirConfig
	for _, s := range cfg.Main.Sections {
		if s.Path == "/a/" {
			a = s.Dir
		}
	}
	if a == nil {
		t.Fatal("no <Directory /a>")
	}
	m := main.Merge(a)
	if !slices.Equal(m.LanguagePriority, []string{"fr", "it"}) || m.ForceLanguagePriority != FLPPrefer|FLPFallback ||
		m.MultiviewsMatch != MultiMatchHandlers|MultiMatchFilters {
		t.Errorf("merged: %v %d %d", m.LanguagePriority, m.ForceLanguagePriority, m.MultiviewsMatch)
	}
	for _, c := range []struct{ conf, err string }{
		{"MultiviewsMatch Any Handlers", "Handlers is incompatible with Any and NegotiatedOnly"},
		{"MultiviewsMatch Filters NegotiatedOnly", "NegotiatedOnly is incompatible with Any, Filters and Handlers"},
		{"MultiviewsMatch Handlers Any", "Any is incompatible with NegotiatedOnly, Filters and Handlers"},
		{"MultiviewsMatch Some", "Unrecognized option 'Some'"},
		{"<Location /x>\nMultiviewsMatch Any\n</Location>", "MultiviewsMatch cannot occur within <Location> section"},
		{"ForceLanguagePriority Prefer None", "Cannot combine ForceLanguagePriority options with None"},
		{"ForceLanguagePriority None Fallback", "Cannot combine ForceLanguagePriority options None and Fallback"},
		{"ForceLanguagePriority Maybe", "Invalid ForceLanguagePriority option Maybe"},
	} {
		d := t.TempDir()
		_, err := load(t, d, writeConf(t, d, "httpd.conf", "LoadModule mpm_event_module m.so\nLoadModule mime_module m.so\nLoadModule negotiation_module m.so\nServerName x\nDocumentRoot "+filepath.Join(d)+"\n"+c.conf+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.conf, err, c.err)
		}
	}
}
