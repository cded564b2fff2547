package confparse

import (
	"reflect"
	"strings"
	"testing"
)

// loadMetadata loads conf with mod_env, mod_setenvif, mod_headers and
// mod_expires loaded.
func loadMetadata(t *testing.T, conf string) (*Config, error) {
	t.Helper()
	dir := t.TempDir()
	mods := "LoadModule mpm_event_module m\nLoadModule authz_core_module m\nLoadModule env_module m\n" +
		"LoadModule setenvif_module m\nLoadModule headers_module m\nLoadModule expires_module m\n" +
		"ServerName x\nErrorLog " + dir + "/e.log\n"
	return load(t, dir, writeConf(t, dir, "httpd.conf", mods+conf))
}

func TestHeaderParse(t *testing.T) {
	tests := []struct {
		line  string
		table string // "in", "out", "err"
		want  HeaderAction
	}{
		{`Header set X-A "a b"`, "out", HeaderAction{Op: HeaderSet, Name: "X-A", Value: []FormatTag{{Arg: "a b"}}}},
		{`Header always add X-A: v`, "err", HeaderAction{Op: HeaderAdd, Name: "X-A", Value: []FormatTag{{Arg: "v"}}}},
		{`Header onsuccess unset X-A env=!FOO`, "out", HeaderAction{Op: HeaderUnset, Name: "X-A", Env: "!FOO"}},
		{`RequestHeader append X-A v early`, "in", HeaderAction{Op: HeaderAppend, Name: "X-A", Value: []FormatTag{{Arg: "v"}}, Early: true}},
		{`Header set X-A "t %t d %D %{FOO}e %{BAR}s %% %l%i%b\n\q" env=FOO`, "out", HeaderAction{Op: HeaderSet, Name: "X-A", Env: "FOO",
			Value: []FormatTag{{Arg: "t "}, {Spec: 't'}, {Arg: " d "}, {Spec: 'D'}, {Arg: " "}, {Spec: 'e', Arg: "FOO"}, {Arg: " "},
				{Spec: 's', Arg: "BAR"}, {Arg: " "}, {Arg: "%"}, {Arg: " "}, {Spec: 'l'}, {Spec: 'i'}, {Spec: 'b'}, {Arg: "\n\\q"}}}},
		{`Header setifempty X-A v`, "out", HeaderAction{Op: HeaderSetIfEmpty, Name: "X-A", Value: []FormatTag{{Arg: "v"}}}},
		{`Header merge X-A v`, "out", HeaderAction{Op: HeaderMerge, Name: "X-A", Value: []FormatTag{{Arg: "v"}}}},
		{`Header note X-A n`, "out", HeaderAction{Op: HeaderNote, Name: "X-A", Value: []FormatTag{{Arg: "n"}}}},
	}
	for _, tt := range tests {
		cfg, err := loadMetadata(t, tt.line+"\n")
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		d := cfg.Main.Dir
		list := map[string][]*HeaderAction{"in": d.RequestHeaders, "out": d.Headers, "err": d.HeadersAlways}[tt.table]
		if len(list) != 1 {
			t.Errorf("%s: %d actions in %s", tt.line, len(list), tt.table)
			continue
		}
		got := *list[0]
		got.File, got.Line = "", 0
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.line, got, tt.want)
		}
	}
}

func TestHeaderParseForms(t *testing.T) {
	cfg, err := loadMetadata(t, `Header edit* X-A "^(a)b" "$1-%{V}e"
Header echo ^X-
Header set X-B "expr=%{REQUEST_URI}" "expr=-n %{HTTP:Accept}"
`)
	if err != nil {
		t.Fatal(err)
	}
	h := cfg.Main.Dir.Headers
	if h[0].Op != HeaderEditAll || h[0].Regex.String() != "^(a)b" || !reflect.DeepEqual(h[0].Value, []FormatTag{{Arg: "$1-"}, {Spec: 'e', Arg: "V"}}) {
		t.Errorf("edit*: %+v", h[0])
	}
	if h[1].Op != HeaderEcho || !h[1].Regex.MatchString("X-Foo") || h[1].Value != nil {
		t.Errorf("echo: %+v", h[1])
	}
	if h[2].ValueExpr == nil || h[2].Cond == nil {
		t.Errorf("expr forms: %+v", h[2])
	}
}

// The messages are Apache's (checked against apache2 -t).
func TestMetadataErrors(t *testing.T) {
	tests := []struct{ line, want string }{
		{"Header", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{"Header set X", "Header requires three arguments"},
		{"Header unset X env=A extra", "header unset takes two arguments"},
		{"Header set X y z w", "Too many arguments to directive"},
		{"Header set X y z w v", "Header has too many arguments"},
		{"Header set X y env=!", "error: missing environment variable name. envclause should be in the form env=envar "},
		{"Header set X y bogus", "Unknown parameter: bogus"},
		{`Header set X "expr=%{"`, "Can't parse value expression : syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable"},
		{`Header set X y "expr=true &&"`, "Can't parse envclause/expression: syntax error, unexpected $end"},
		{"Header set X %Z", "Unrecognized header format %Z"},
		{"Header set X %{FOO}", "Unrecognized header format %"},
		{"RequestHeader echo X", "Header echo only valid on Header directives"},
		{"Header echo (", "Header echo regex could not be compiled"},
		{`Header edit X "(" y`, "Header edit regex could not be compiled"},
		{"Header edit X a", "Header edit requires a match and a substitution"},
		{"Header echo X y z", "Header echo takes two arguments"},
		{"SetEnvIf", "Missing header-field name for SetEnvIf"},
		{"SetEnvIf X", "Missing regular expression for SetEnvIf"},
		{`SetEnvIf X y "" Z`, "Missing envariable expression for SetEnvIf"},
		{"SetEnvIf X ( Z", "SetEnvIf regex could not be compiled."},
		{"SetEnvIfNoCase ( y Z", "SetEnvIfNoCaseHeader name regex could not be compiled."},
		{`SetEnvIfExpr "%{" X`, `Could not parse expression "%{": syntax error, unexpected T_ERROR, expecting T_ID: Unterminated string or variable`},
		{"BrowserMatch", "Missing regular expression for BrowserMatch"},
		{"ExpiresByType text x", "Invalid mimetype: should contain a slash"},
		{"ExpiresByType text/html x", "'ExpiresByType text/html x': bad expires code, unrecognised <base> 'x'"},
		{`ExpiresByType text/html "access plus 1"`, "'ExpiresByType text/html access plus 1': bad expires code, missing <type>"},
		{`ExpiresDefault "now plus 1 fortnights"`, "'ExpiresDefault now plus 1 fortnights': bad expires code, unrecognised <type>'fortnights'"},
		{`ExpiresDefault "a plus x days"`, "'ExpiresDefault a plus x days': bad expires code, numeric value expected <num> 'x'"},
	}
	for _, tt := range tests {
		_, err := loadMetadata(t, tt.line+"\n")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", tt.line, err, tt.want)
		}
	}
}

func TestExpiryCode(t *testing.T) {
	tests := []struct {
		in   string
		want ExpiryCode
	}{
		{"A3600", ExpiryCode{'A', 3600}},
		{"M-5", ExpiryCode{'M', -5}},
		{"Access plus 1 day", ExpiryCode{'A', 0}}, // read as "A" + atoi("ccess...")
		{"access plus 1 month 2 days", ExpiryCode{'A', 32 * 86400}},
		{"now 1 hour 30 minutes", ExpiryCode{'A', 5400}},
		{"modification plus 2 weeks 1 second", ExpiryCode{'M', 14*86400 + 1}},
		{"a p 1 y", ExpiryCode{'A', 365 * 86400}},
		{"access plus 100 years", ExpiryCode{'A', 3153600000 - 1<<32}}, // C int overflow
	}
	for _, tt := range tests {
		got, err := parseExpiryCode(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%q = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestSetEnvIfParse(t *testing.T) {
	cfg, err := loadMetadata(t, `SetEnvIf User-Agent "^Moz(.*)" MOZ=$1 !OLD NEW= A==b
BrowserMatchNoCase msie IE
SetEnvIf user-agent \.x DOT
SetEnvIf ^X-.* . XH
SetEnvIf Remote_Addr 127 LOCAL
SetEnvIfExpr "-n %{HTTP:X}" EXPR
<Directory />
  BrowserMatch bot BOT
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Main.SetEnvIf
	if len(s) != 6 {
		t.Fatalf("%d server entries", len(s))
	}
	if s[0].Regex == nil || !reflect.DeepEqual(s[0].Vars, []EnvPair{{"MOZ", "$1"}, {"OLD", "!"}, {"NEW", "1"}, {"A", "b"}}) {
		t.Errorf("SetEnvIf: %+v", s[0])
	}
	if s[1].Regex != nil || s[1].Literal != "msie" || !s[1].ICase || s[1].NameID != s[0].NameID {
		t.Errorf("BrowserMatchNoCase (same name as the first): %+v", s[1])
	}
	if s[2].Literal != ".x" || s[2].NameID != s[0].NameID {
		t.Errorf("escaped literal: %+v", s[2])
	}
	if s[3].NameRegex == nil || s[3].NameID == s[0].NameID {
		t.Errorf("header name regex: %+v", s[3])
	}
	if s[4].Attr != AttrRemoteAddr {
		t.Errorf("Remote_Addr: %+v", s[4])
	}
	if s[5].Expr == nil || s[5].NameID != 0 {
		t.Errorf("SetEnvIfExpr: %+v", s[5])
	}
	d := cfg.Main.Sections[0].Dir.SetEnvIf
	if len(d) != 1 || d[0].NameID != browserMatchID {
		t.Errorf("directory entries: %+v", d)
	}
}

func TestEnvMerge(t *testing.T) {
	cfg, err := loadMetadata(t, `SetEnv A 1
SetEnv b 2
SetEnv C
UnsetEnv C
<Directory /a>
  UnsetEnv a
  SetEnv B 3
  SetEnv D 4
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	server := cfg.Main.Dir
	if want := (&EnvConfig{Vars: []EnvPair{{"A", "1"}, {"b", "2"}}, Unset: []string{"C"}}); !reflect.DeepEqual(server.Env, want) {
		t.Errorf("server: %+v", server.Env)
	}
	m := server.Merge(cfg.Main.Sections[0].Dir)
	if want := []EnvPair{{"b", "3"}, {"D", "4"}}; !reflect.DeepEqual(m.Env.Vars, want) || m.Env.Unset != nil {
		t.Errorf("merged: %+v, want %v", m.Env, want)
	}
	// A configuration without mod_env's takes the child's whole, unset
	// names included (Apache merges only what both sides have).
	if got := (&DirConfig{}).Merge(cfg.Main.Sections[0].Dir).Env; got != cfg.Main.Sections[0].Dir.Env {
		t.Errorf("merge into nothing: %+v", got)
	}
}

func TestExpiresMerge(t *testing.T) {
	cfg, err := loadMetadata(t, `ExpiresActive On
ExpiresByType image/* A60
ExpiresByType text/html A10
ExpiresDefault M5
<Directory /a>
  ExpiresByType TEXT/HTML A20
</Directory>
<Directory /b>
  ExpiresActive Off
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	server := cfg.Main.Dir.Expires
	if !*server.Active || !server.Wildcards || *server.Default != (ExpiryCode{'M', 5}) || len(server.ByType) != 2 {
		t.Errorf("server: %+v", server)
	}
	a := mergeExpires(server, cfg.Main.Sections[0].Dir.Expires)
	if !*a.Active || a.Wildcards || a.ByType["text/html"] != (ExpiryCode{'A', 20}) || a.ByType["image/*"] != (ExpiryCode{'A', 60}) {
		t.Errorf("/a: %+v", a)
	}
	b := mergeExpires(server, cfg.Main.Sections[1].Dir.Expires)
	if *b.Active || b.Wildcards || *b.Default != (ExpiryCode{'M', 5}) {
		t.Errorf("/b: %+v", b)
	}
}

func TestNonRegexPattern(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Mozilla", "Mozilla", true},
		{`a\.b`, "a.b", true},
		{`a\\b`, `a\b`, true},
		{"^Moz", "", false},
		{`a\b`, "", false},
		{"a.b", "", false},
	}
	for _, tt := range tests {
		got, ok := nonRegexPattern(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%q = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
