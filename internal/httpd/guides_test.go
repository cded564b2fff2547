package httpd

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TestGuideConfigs checks the two example configurations the project
// starts from (the mod_wsgi Quick Configuration Guide's daemon-mode virtual
// host and Indico's production guide, kept verbatim in testdata/guides) and
// the example site: gowsgid says Syntax OK, and so does apache2.
func TestGuideConfigs(t *testing.T) {
	for _, tc := range []struct{ name, define, dir string }{
		{"modwsgi-quick", "GUIDE_ROOT", "../../testdata/guides/modwsgi-quick"},
		{"indico", "GUIDE_ROOT", "../../testdata/guides/indico"},
		{"example-site", "SITE", "../../testdata/site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, err := filepath.Abs(tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"-t", "-C", "Define " + tc.define + " " + dir, "-f", filepath.Join(dir, "httpd.conf")}
			out, errOut, code := runGowsgid(t, dir, nil, args)
			if code != 0 || out != "" || errOut != "Syntax OK\n" {
				t.Fatalf("gowsgid -t: exit %d, stdout %q, stderr %q", code, out, errOut)
			}
			if bin, err := exec.LookPath("apache2"); err == nil {
				aOut, aErr, aCode := runApache(t, bin, dir, nil, args)
				if aCode != code || aOut != out || aErr != errOut {
					t.Errorf("apache2 -t differs: exit %d, stdout %q, stderr %q", aCode, aOut, aErr)
				}
			}
		})
	}
}
