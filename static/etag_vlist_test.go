package static

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A negotiated response's ETag: the variant's, with the validator after
// a ';' and no closing quote (Apache's apr_cpystrn drops it); a weak
// validator makes the whole ETag weak.
func TestETagVListValidator(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	os.WriteFile(p, []byte("0123456789abcdef"), 0o644)
	old := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	os.Chtimes(p, old, old)
	fi, _ := os.Stat(p)
	now := old.Add(time.Hour)
	bits := ETagBits{MTime: true, Size: true}
	for vlv, want := range map[string]string{
		"":                  `"10-60dedc04dd340"`,
		`"60dedc04dd340"`:   `"10-60dedc04dd340;60dedc04dd340`,
		`W/"66202e4ebc854"`: `W/"10-60dedc04dd340;66202e4ebc854`,
	} {
		if got := makeETagVL(fi, bits, now, nil, vlv); got != want {
			t.Errorf("vlist %q: %s, want %s", vlv, got, want)
		}
	}
}
