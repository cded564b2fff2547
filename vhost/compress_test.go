package vhost

import (
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
		{"gzip deflate", "gzip", true},  // white space ends a token
		{"deflate gzip", "gzip", true},  // and so does each token after it
		{"gzip;q=0 , br", "gzip", true}, // the q value is "q=0 "
		{"gzip ;q=0", "gzip", false},    // white space after the token is skipped
		{",gzip", "gzip", false},        // an empty first token ends the search
		{"br;q=0.5;x, gzip", "gzip", true},
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
// keeps the filters off; the tokens are compared with case, as
// ap_get_token reads them (after each, the next byte is skipped).
func TestEncoded(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  bool
	}{
		{"", false}, {"identity", false}, {"8bit, binary", false}, {"8bit,binary", false},
		{"gzip", true}, {"identity, br", true}, {"Identity", true}, {"identity gzip", true},
		{"identity;q=1", true}, // "q=1" is read as the next token
	} {
		if got := encoded(tc.value); got != tc.want {
			t.Errorf("encoded(%q) = %v, want %v", tc.value, got, tc.want)
		}
	}
}
