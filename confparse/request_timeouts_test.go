package confparse

import (
	"strings"
	"testing"
)

// RequestReadTimeout's messages are mod_reqtimeout's, as apache2 -t
// 2.4.71 printed them for the same lines (testdata/configtest 91-93
// hold three of them as captures).
func TestRequestReadTimeoutErrors(t *testing.T) {
	for _, tc := range []struct{ arg, want string }{
		{"header=abc", "RequestReadTimeout: header=abc: Value 'abc' not numerical"},
		{"header=5x", "RequestReadTimeout: header=5x: Cannot parse 'x'"},
		{"header=-1", "RequestReadTimeout: header=-1: Must set MinRate option if using timeout range"},
		{"header=20-40", "RequestReadTimeout: header=20-40: Must set MinRate option if using timeout range"},
		{"body=10,MinRate=0", "RequestReadTimeout: body=10,MinRate=0: Minimum data rate must be larger than 0"},
		{"header=10,minrate=abc", "RequestReadTimeout: header=10,minrate=abc: Value 'abc' not numerical"},
		{"body=40-20,MinRate=500", "RequestReadTimeout: body=40-20,MinRate=500: Maximum timeout must be larger than initial timeout"},
		{"trailer=5", "RequestReadTimeout: trailer=5: Unknown RequestReadTimeout parameter"},
		{"header", "Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'"},
	} {
		dir := t.TempDir()
		conf := "LoadModule mpm_event_module m.so\nLoadModule reqtimeout_module m.so\nRequestReadTimeout " + tc.arg + "\n"
		_, err := load(t, dir, writeConf(t, dir, "httpd.conf", conf))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "httpd.conf:3: ") {
			t.Errorf("RequestReadTimeout %s: error %v, want %q at line 3", tc.arg, err, tc.want)
		}
	}
}

// The stages in force: a virtual host's own, else the main server's,
// else mod_reqtimeout's defaults; none without the module; and a
// server whose every stage is 0 times nothing.
func TestReadTimeoutsMerge(t *testing.T) {
	cfg, _ := loadServing(t, "LoadModule reqtimeout_module m.so\nRequestReadTimeout body=7\n"+
		"<VirtualHost 127.0.0.1:81>\nRequestReadTimeout Header=2-4,MINRATE=100\n</VirtualHost>\n"+
		"<VirtualHost 127.0.0.1:82>\nRequestReadTimeout header=0 body=0\n</VirtualHost>\n")
	header, body, ok := cfg.ReadTimeouts(nil)
	if want := (ReadTimeoutStage{Timeout: 20, MaxTimeout: 40, MinRate: 500}); !ok || header != want {
		t.Errorf("main header = %+v %v, want the default %+v", header, ok, want)
	}
	if want := (ReadTimeoutStage{Timeout: 7}); body != want {
		t.Errorf("main body = %+v, want %+v", body, want)
	}
	header, body, ok = cfg.ReadTimeouts(cfg.VirtualHosts[0])
	if want := (ReadTimeoutStage{Timeout: 2, MaxTimeout: 4, MinRate: 100}); !ok || header != want {
		t.Errorf("vhost header = %+v %v, want %+v", header, ok, want)
	}
	if want := (ReadTimeoutStage{Timeout: 7}); body != want {
		t.Errorf("vhost body = %+v, want the main server's %+v", body, want)
	}
	if _, _, ok := cfg.ReadTimeouts(cfg.VirtualHosts[1]); ok {
		t.Error("a vhost with header=0 body=0 still times reads")
	}

	cfg, _ = loadServing(t, "")
	if _, _, ok := cfg.ReadTimeouts(nil); ok {
		t.Error("without mod_reqtimeout, reads are timed")
	}
}
