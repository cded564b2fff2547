package authz

import (
	"reflect"
	"testing"
)

// TestAlwaysGranted checks AlwaysGranted's answer for each kind of
// configuration and, where it says yes, that Check grants every request
// with the zero Result.
func TestAlwaysGranted(t *testing.T) {
	cases := []struct {
		name string
		body string // inside <Location /t/>
		want bool
	}{
		{"no rules", "", true},
		{"all granted", "Require all granted", true},
		{"all denied", "Require all denied", false},
		{"not denied in all", "<RequireAll>\nRequire all granted\nRequire not all denied\n</RequireAll>", true},
		{"none of denied", "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire all denied\n</RequireNone>\n</RequireAll>", true},
		{"none of granted", "<RequireAll>\nRequire all granted\n<RequireNone>\nRequire all granted\n</RequireNone>\n</RequireAll>", false},
		{"any granted", "<RequireAny>\nRequire all denied\nRequire all granted\n</RequireAny>", true},
		{"limited", "<Limit POST>\nRequire all granted\n</Limit>", false},
		{"ip", "Require ip 127.0.0.1", false},
		{"valid user", basicAuth + "Require valid-user", false},
		{"auth type alone", "AuthType Basic", false},
		{"auth type with granted", basicAuth + "Require all granted", true},
		{"access compat", "Order allow,deny\nAllow from all", false},
		{"satisfy any", "Require all granted\nSatisfy any", false},
	}
	reqs := []treq{{}, {method: "POST"}, {method: "HEAD"}, {method: "PUT", ip: "10.0.0.7"},
		{creds: true, user: "umd5", pw: "password"}, {creds: true, user: "umd5", pw: "wrong"}}
	quiet := func(level string) bool { return level != LevelDebug }
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeAuthFiles(t, dir)
			cfg := loadConfig(t, dir, "<Location /t/>\n"+c.body+"\n</Location>\n")
			dc := dirFor(cfg, "/t/x", "/srv/t/x")
			ck := NewChecker(Options{Resolver: testResolver, Logged: quiet})
			if got := ck.AlwaysGranted(dc); got != c.want {
				t.Fatalf("AlwaysGranted = %v, want %v", got, c.want)
			}
			if got := ck.AlwaysGranted(dc); got != c.want {
				t.Fatalf("AlwaysGranted remembered %v, want %v", got, c.want)
			}
			if NewChecker(Options{Resolver: testResolver}).AlwaysGranted(dc) {
				t.Fatal("AlwaysGranted when debug lines are wanted")
			}
			if !c.want {
				return
			}
			for _, q := range reqs {
				if res := ck.Check(dc, q.request("/t/x", "/srv/t/x")); !reflect.DeepEqual(res, Result{}) {
					t.Errorf("%+v: Check = %+v, want the zero Result", q, res)
				}
			}
		})
	}
}
