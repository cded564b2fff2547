package confparse

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// MultiViews is no finding any more; a type-map handler is, since
// gowsgid reads no type maps.
func TestNegotiationFindings(t *testing.T) {
	cfg, _ := loadServing(t, "LoadModule negotiation_module m.so\nOptions +MultiViews\nAddHandler type-map .var\n<Location /m>\nSetHandler type-map\n</Location>\n")
	var typeMaps int
	for _, f := range cfg.Findings {
		if strings.Contains(f.Message, "MultiViews: gowsgid does no content negotiation") {
			t.Errorf("finding %q", f.Message)
		}
		if strings.HasPrefix(f.Message, "type-map: gowsgid reads no type maps") {
			typeMaps++
		}
	}
	if typeMaps != 2 {
		t.Errorf("%d type-map findings, want 2: %v", typeMaps, cfg.Findings)
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
