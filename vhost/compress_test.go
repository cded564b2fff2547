package vhost

import (
	"net/http"
	"testing"
)

// accepts reads Accept-Encoding as mod_deflate and mod_brotli do: the
// first token naming the coding, case-insensitively, refused only by a
// first parameter that spells q=0 (q=0, q=0.0 ... q=0.000).
func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		header, coding string
		want           bool
	}{
		{"gzip", "gzip", true},
		{"GZip", "gzip", true},
		{"deflate, gzip;q=0.5", "gzip", true},
		{"gzip;q=0", "gzip", false},
		{"gzip; q=0.000", "gzip", false},
		{"gzip;q=0.001", "gzip", true},
		{"gzip;level=1;q=0", "gzip", true}, // only the first parameter counts
		{"x-gzip", "gzip", false},
		{"identity", "gzip", false},
		{"br;q=0, gzip", "br", false},
		{"gzip, br", "br", true},
		{"", "gzip", false},
	} {
		if got := accepts([]string{tc.header}, tc.coding); got != tc.want {
			t.Errorf("accepts(%q, %s) = %v, want %v", tc.header, tc.coding, got, tc.want)
		}
	}
	if accepts(nil, "gzip") {
		t.Error("no Accept-Encoding accepts gzip")
	}
}

// encoded: a content coding other than identity, 7bit, 8bit or binary
// keeps the filters off.
func TestEncoded(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   bool
	}{
		{nil, false}, {[]string{"identity"}, false}, {[]string{"8bit, binary"}, false},
		{[]string{"gzip"}, true}, {[]string{"identity", "br"}, true},
	} {
		if got := encoded(http.Header{"Content-Encoding": tc.values}); got != tc.want {
			t.Errorf("encoded(%q) = %v, want %v", tc.values, got, tc.want)
		}
	}
}
