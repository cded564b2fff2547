package server

import "testing"

func TestGCPercent(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	}
	if p, ok := gcPercent(env(nil)); !ok || p != servingGCPercent {
		t.Errorf("without GOGC: %d %v, want %d true", p, ok, servingGCPercent)
	}
	for _, v := range []string{"50", "off", ""} {
		if _, ok := gcPercent(env(map[string]string{"GOGC": v})); ok {
			t.Errorf("GOGC=%q: the operator's setting was overridden", v)
		}
	}
}
