package confparse

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseAllowOverride(t *testing.T) {
	tests := []struct {
		in   string
		o    Override
		opts int
		err  string
	}{
		{"None", 0, -1, ""},
		{"All", OrAll, -1, ""},
		{"AuthConfig Limit", OrAuthCfg | OrLimit, -1, ""},
		{"Options", OrOptions, OptAll, ""},
		{"Options=Indexes,FollowSymLinks", OrOptions, OptIndexes | OptSymLinks, ""},
		{"Options=MultiViews", OrOptions, OptMulti, ""},
		{"Options=Indexes,Bogus,ExecCGI", OrOptions, OptIndexes, ""},
		{"Nonfatal=All AuthConfig", NonfatalOverride | NonfatalUnknown | OrAuthCfg, -1, ""},
		{"Nonfatal=Override", NonfatalOverride, -1, ""},
		{"Nonfatal=Unknown", NonfatalUnknown, -1, ""},
		{"Nonfatal", 0, -1, "=Override, =Unknown or =All expected after Nonfatal"},
		{"FileInfo=x", OrFileInfo, -1, ""},
		{"Bogus=1", 0, -1, "Illegal override option Bogus"},
	}
	for _, tt := range tests {
		o, opts, err := ParseAllowOverride(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || o != tt.o || opts != tt.opts {
			t.Errorf("%q = %v, %#x, %v; want %v, %#x", tt.in, o, opts, err, tt.o, tt.opts)
		}
	}
}

// loadServing loads conf (with the modules serving uses) from a fresh
// directory.
func loadServing(t *testing.T, conf string) (*Config, string) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "htdocs"), 0o755)
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	mods := "LoadModule mpm_event_module m.so\nLoadModule authz_core_module m.so\nLoadModule mime_module m.so\n" +
		"ServerName x\nDocumentRoot " + dir + "/htdocs\n"
	cfg, err := load(t, dir, writeConf(t, dir, "httpd.conf", mods+conf))
	if err != nil {
		t.Fatal(err)
	}
	return cfg, dir
}

// ErrorDocument is stored as Apache stores it: a message with a leading
// '"', "default", or the path or URL.
func TestErrorDocumentStored(t *testing.T) {
	cfg, _ := loadServing(t, `ErrorDocument 404 /e/404.html
ErrorDocument 403 "Go away
ErrorDocument 410 http://example.com/x
ErrorDocument 500 word
ErrorDocument 503 default
`)
	want := map[int]string{404: "/e/404.html", 403: "\"Go away", 410: "http://example.com/x", 500: "\"word", 503: "default"}
	for code, doc := range want {
		if got := cfg.Main.Dir.ErrorDocuments[code]; got != doc {
			t.Errorf("ErrorDocument %d = %q, want %q", code, got, doc)
		}
	}
}

// TraceEnable is a server setting each virtual host may override.
func TestTraceEnablePerServer(t *testing.T) {
	cfg, _ := loadServing(t, "TraceEnable Off\n<VirtualHost *:80>\nTraceEnable On\n</VirtualHost>\n<VirtualHost *:81>\n</VirtualHost>\n")
	if cfg.TraceEnable != "off" || cfg.Main.TraceEnable != "off" {
		t.Errorf("main: %q %q", cfg.TraceEnable, cfg.Main.TraceEnable)
	}
	if v := cfg.VirtualHosts[0].TraceEnable; v != "on" {
		t.Errorf("first vhost: %q", v)
	}
	if v := cfg.VirtualHosts[1].TraceEnable; v != "" {
		t.Errorf("second vhost inherits, got %q", v)
	}
}

// A .htaccess Options line may only name what AllowOverride Options=...
// lists; Nonfatal skips refused and unknown directives.
func TestHtaccessOverrides(t *testing.T) {
	cfg, dir := loadServing(t, "")
	path := writeConf(t, dir, ".htaccess", "Options +Indexes\n")
	if _, err := ReadHtaccess(cfg, path, OrOptions, OptIndexes, nil); err != nil {
		t.Errorf("Options +Indexes: %v", err)
	}
	path = writeConf(t, dir, ".htaccess", "Options +ExecCGI\n")
	if _, err := ReadHtaccess(cfg, path, OrOptions, OptIndexes, nil); err == nil || err.Error() != "Option ExecCGI not allowed here" {
		t.Errorf("Options +ExecCGI: %v", err)
	}
	path = writeConf(t, dir, ".htaccess", "AddType text/x .x\nBogusDirective\nRequire all denied\n")
	ht, err := ReadHtaccess(cfg, path, OrAuthCfg|NonfatalOverride|NonfatalUnknown, AllOptions, nil)
	if err != nil || ht.Dir.Authz == nil || ht.Dir.Types != nil {
		t.Errorf("Nonfatal=All: %v, %+v", err, ht)
	}
	if _, err := ReadHtaccess(cfg, path, OrAuthCfg, AllOptions, nil); err == nil {
		t.Error("AddType refused by AllowOverride AuthConfig: no error")
	}
}

// A .htaccess <Limit> may name Apache's methods and those the
// configuration registered, but cannot register one itself.
func TestHtaccessLimitMethods(t *testing.T) {
	cfg, dir := loadServing(t, "RegisterHttpMethod BAZ\n<Location /x>\n<LimitExcept BAR>\nRequire all denied\n</LimitExcept>\n</Location>\n")
	for _, tc := range []struct{ body, err string }{
		{"<Limit GET HEAD PROPFIND>\nRequire all denied\n</Limit>\n", ""},
		{"<Limit BAR>\nRequire all denied\n</Limit>\n", ""},
		{"<Limit BAZ>\nRequire all denied\n</Limit>\n", ""},
		{"<Limit GET FOO>\nRequire all denied\n</Limit>\n", "Could not register method 'FOO' for <Limit from .htaccess configuration"},
		{"<LimitExcept get>\nRequire all denied\n</LimitExcept>\n", "Could not register method 'get' for <LimitExcept from .htaccess configuration"},
	} {
		path := writeConf(t, dir, ".htaccess", tc.body)
		_, err := ReadHtaccess(cfg, path, OrAuthCfg, AllOptions, nil)
		if got := fmt.Sprint(err); (tc.err == "" && err != nil) || (tc.err != "" && got != tc.err) {
			t.Errorf("%q: %v, want %q", tc.body, err, tc.err)
		}
	}
}

// RemoveType leaves the extension without a type, including the types
// file's; a deeper AddType gives it one again.
func TestRemoveTypeMerge(t *testing.T) {
	parent := &DirConfig{Types: map[string]string{"txt": "text/x-a"}}
	removed := parent.Merge(&DirConfig{RemovedTypes: []string{"txt", "css"}})
	if v, ok := removed.Types["txt"]; !ok || v != "" {
		t.Errorf("txt after RemoveType: %q, %v", v, ok)
	}
	if v, ok := removed.Types["css"]; !ok || v != "" {
		t.Errorf("css after RemoveType: %q, %v", v, ok)
	}
	again := removed.Merge(&DirConfig{Types: map[string]string{"txt": "text/x-b"}})
	if again.Types["txt"] != "text/x-b" {
		t.Errorf("txt after AddType: %q", again.Types["txt"])
	}
}

// AddOutputFilterByType: lines of one scope add types to a filter; a
// nested scope that names the filter replaces its list (mod_filter's
// apr_hash_overlay), and the chain keeps the enclosing scopes' order.
func TestFilterByTypeMerge(t *testing.T) {
	cfg, err := loadMetadata(t, `LoadModule filter_module m
AddOutputFilterByType DEFLATE text/html text/plain
AddOutputFilterByType DEFLATE text/css
<Location /a>
  AddOutputFilterByType BROTLI_COMPRESS;DEFLATE application/json
</Location>
`)
	if err != nil {
		t.Fatal(err)
	}
	server := cfg.Main.Dir
	if want := []string{"text/html", "text/plain", "text/css"}; !reflect.DeepEqual(server.FilterTypes["DEFLATE"], want) {
		t.Errorf("server: %v, want %v", server.FilterTypes, want)
	}
	m := server.Merge(cfg.Main.Sections[0].Dir)
	if want := []string{"DEFLATE", "BROTLI_COMPRESS"}; !reflect.DeepEqual(m.FilterChain, want) {
		t.Errorf("chain %v, want %v", m.FilterChain, want)
	}
	want := map[string][]string{"DEFLATE": {"application/json"}, "BROTLI_COMPRESS": {"application/json"}}
	if !reflect.DeepEqual(m.FilterTypes, want) {
		t.Errorf("types %v, want %v", m.FilterTypes, want)
	}
}

// BrotliCompressionWindow: mod_brotli's default is 18; 10 to 24 are
// taken.
func TestBrotliWindow(t *testing.T) {
	cfg, err := loadMetadata(t, "LoadModule brotli_module m\n")
	if err != nil {
		t.Fatal(err)
	}
	if w := *cfg.CompressionOf(cfg.Main).BrotliWindow; w != 18 {
		t.Errorf("default window %d, want 18", w)
	}
	cfg, err = loadMetadata(t, "LoadModule brotli_module m\nBrotliCompressionWindow 22\n")
	if err != nil {
		t.Fatal(err)
	}
	if w := *cfg.CompressionOf(cfg.Main).BrotliWindow; w != 22 {
		t.Errorf("window %d, want 22", w)
	}
	if _, err := loadMetadata(t, "LoadModule brotli_module m\nBrotliCompressionWindow 9\n"); err == nil ||
		!strings.Contains(err.Error(), "BrotliCompressionWindow must be between 10 and 24") {
		t.Errorf("window 9: %v", err)
	}
}

// A .htaccess file is read while requests are served: what it holds
// that configtest would report (an unimplemented directive, MultiViews)
// is not added to the shared configuration's findings.
func TestHtaccessAddsNoFindings(t *testing.T) {
	cfg, dir := loadServing(t, "LoadModule negotiation_module m.so\n")
	before := len(cfg.Findings)
	path := writeConf(t, dir, ".htaccess", "Options +MultiViews\nContentDigest On\n")
	if _, err := ReadHtaccess(cfg, path, OrOptions|OrFileInfo, AllOptions, nil); err != nil {
		t.Fatal(err)
	}
	if len(cfg.Findings) != before {
		t.Errorf("findings from a .htaccess file: %+v", cfg.Findings[before:])
	}
}

// The listener settings and GracefulShutdownTimeout are read once for the
// whole server, as Apache reads them (atoi).
func TestServerWideSettings(t *testing.T) {
	cfg, _ := loadServing(t, "ListenBacklog 64\nSendBufferSize 8192\nReceiveBufferSize 16384x\nListenTCPDeferAccept 9\nGracefulShutdownTimeout 7s\n")
	want := ListenSettings{Backlog: 64, SendBuffer: 8192, ReceiveBuffer: 16384, DeferAccept: 9}
	if cfg.Listen != want {
		t.Errorf("Listen = %+v, want %+v", cfg.Listen, want)
	}
	if cfg.GracefulShutdownTimeout != 7 {
		t.Errorf("GracefulShutdownTimeout = %d, want 7", cfg.GracefulShutdownTimeout)
	}
	if got := cfg.Listen.DeferAcceptSeconds(); got != 9 {
		t.Errorf("DeferAcceptSeconds = %d", got)
	}
	cfg, _ = loadServing(t, "")
	if got := cfg.Listen.DeferAcceptSeconds(); got != 30 || cfg.GracefulShutdownTimeout != 0 {
		t.Errorf("defaults: DeferAcceptSeconds %d, GracefulShutdownTimeout %d", got, cfg.GracefulShutdownTimeout)
	}
}
