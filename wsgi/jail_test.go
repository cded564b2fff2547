package wsgi

import "testing"

// TestJailPath: a path is in the jail when the jail's directory and a
// slash start it, as mod_wsgi tests it (a directory named with a
// trailing slash holds nothing).
func TestJailPath(t *testing.T) {
	for _, tc := range []struct {
		root, path, want string
		in               bool
	}{
		{"/srv/jail", "/srv/jail/app.wsgi", "/app.wsgi", true},
		{"/srv/jail", "/srv/jail/a/b.wsgi", "/a/b.wsgi", true},
		{"/srv/jail", "/srv/jailbreak/app.wsgi", "/srv/jailbreak/app.wsgi", false},
		{"/srv/jail", "/srv/jail", "/srv/jail", false},
		{"/srv/jail", "/srv/other/app.wsgi", "/srv/other/app.wsgi", false},
		{"/srv/jail/", "/srv/jail/app.wsgi", "/srv/jail/app.wsgi", false},
	} {
		got, in := jailPath(tc.root, tc.path)
		if got != tc.want || in != tc.in {
			t.Errorf("jailPath(%q, %q) = %q, %v; want %q, %v", tc.root, tc.path, got, in, tc.want, tc.in)
		}
	}
}

// TestJailedEnv: a jailed worker's environ has SCRIPT_FILENAME and
// DOCUMENT_ROOT without the jail's directory, and no DOCUMENT_ROOT that
// lies outside the jail.
func TestJailedEnv(t *testing.T) {
	call := &Call{Script: "/srv/jail/app.wsgi"}
	if !call.jail("/srv/jail", false) {
		t.Fatal("a script in the jail refused")
	}
	if call.jailed.script != "/app.wsgi" || call.jailed.module != ModuleName("/app.wsgi", false) {
		t.Errorf("jailed script %q module %q", call.jailed.script, call.jailed.module)
	}
	for _, tc := range []struct {
		in   EnvVar
		want EnvVar
		kept bool
	}{
		{EnvVar{Key: "SCRIPT_FILENAME", Value: "/srv/jail/app.wsgi"}, EnvVar{Key: "SCRIPT_FILENAME", Value: "/app.wsgi"}, true},
		{EnvVar{Key: "DOCUMENT_ROOT", Value: "/srv/jail/htdocs"}, EnvVar{Key: "DOCUMENT_ROOT", Value: "/htdocs"}, true},
		{EnvVar{Key: "DOCUMENT_ROOT", Value: "/var/www"}, EnvVar{}, false},
		{EnvVar{Key: "PATH_TRANSLATED", Value: "/srv/jail/htdocs/x"}, EnvVar{Key: "PATH_TRANSLATED", Value: "/srv/jail/htdocs/x"}, true},
	} {
		got, kept := call.jailed.env(tc.in)
		if kept != tc.kept || (kept && got != tc.want) {
			t.Errorf("%v: got %v kept %v, want %v kept %v", tc.in, got, kept, tc.want, tc.kept)
		}
	}
	if (&Call{Script: "/elsewhere/app.wsgi"}).jail("/srv/jail", false) {
		t.Error("a script outside the jail accepted")
	}
	// A handler script: the request's file is tested, the handler's
	// path and module go as they are.
	handled := &Call{Script: "/srv/handler.wsgi", Module: "_mod_wsgi_h",
		Env: []EnvVar{{Key: "SCRIPT_FILENAME", Value: "/srv/jail/page.py"}}}
	if !handled.jail("/srv/jail", false) || handled.jailed.script != "/srv/handler.wsgi" || handled.jailed.module != "_mod_wsgi_h" {
		t.Errorf("handler script: %+v", handled.jailed)
	}
	outside := &Call{Script: "/srv/jail/handler.wsgi", Env: []EnvVar{{Key: "SCRIPT_FILENAME", Value: "/srv/page.py"}}}
	if outside.jail("/srv/jail", false) {
		t.Error("a request file outside the jail accepted (its handler script is inside)")
	}
}
