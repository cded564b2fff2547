package aprargv

import (
	"reflect"
	"testing"
)

// TestTokenize: apr_tokenize_to_argv's rules, which Apache 2.4 uses
// to run "|program args".
func TestTokenize(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"/usr/bin/rotatelogs /var/log/x 86400", []string{"/usr/bin/rotatelogs", "/var/log/x", "86400"}},
		{"  a\t b  ", []string{"a", "b"}},
		{`/bin/sh -c "cat >> log"`, []string{"/bin/sh", "-c", "cat >> log"}},
		{`a 'b c' "d 'e'"`, []string{"a", "b c", "d 'e'"}},
		{`a\ b c\"d`, []string{"a b", `c"d`}},
		{`"x \" y"`, []string{`x " y`}},
		{`back\\slash \n`, []string{`back\slash`, "n"}},
		{`mid"quote z`, []string{`mid"quote`, "z"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := Tokenize(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
