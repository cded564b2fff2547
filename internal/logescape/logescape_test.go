package logescape

import "testing"

func TestEscapes(t *testing.T) {
	tests := []struct{ in, item, errorItem string }{
		{"plain /path?x=1", "plain /path?x=1", "plain /path?x=1"},
		{`quote " and back\slash`, `quote \" and back\\slash`, `quote " and back\\slash`},
		{"tab\tnl\ncr\rbs\bvt\v", `tab\tnl\ncr\rbs\bvt\v`, `tab\tnl\ncr\rbs\bvt\v`},
		{"ctl\x01\x1f del\x7f", `ctl\x01\x1f del\x7f`, `ctl\x01\x1f del\x7f`},
		{"café", `caf\xc3\xa9`, `caf\xc3\xa9`},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := string(AppendItem(nil, tt.in)); got != tt.item {
			t.Errorf("AppendItem(%q) = %q, want %q", tt.in, got, tt.item)
		}
		if got := string(AppendErrorItem([]byte("x:"), tt.in)); got != "x:"+tt.errorItem {
			t.Errorf("AppendErrorItem(%q) = %q, want %q", tt.in, got, "x:"+tt.errorItem)
		}
	}
}
