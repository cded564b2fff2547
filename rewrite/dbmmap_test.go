package rewrite

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeDBM writes text as a DBM file of format with Apache's httxt2dbm.
func writeDBM(t *testing.T, format, text, out string) {
	t.Helper()
	bin, err := exec.LookPath("httxt2dbm")
	if err != nil {
		t.Fatal("httxt2dbm is missing (apache2-utils; make test installs it)")
	}
	in := out + ".txt"
	if err := os.WriteFile(in, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command(bin, "-f", format, "-i", in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("httxt2dbm: %v\n%s", err, b)
	}
}

// TestDBMMapLookups: dbm: maps of the default type (Berkeley DB), of
// sdbm and of gdbm find their keys, see a rewritten file, and log mod_rewrite's
// lines for a file that is gone or is no database.
func TestDBMMapLookups(t *testing.T) {
	dir := t.TempDir()
	same := func(p string) string { return p }
	for _, tc := range []struct{ format, source, data string }{
		{"DB", "dbm:" + dir + "/db.map", dir + "/db.map"},
		{"SDBM", "dbm=sdbm:" + dir + "/s.map", dir + "/s.map.pag"},
		{"GDBM", "dbm=gdbm:" + dir + "/g.map", dir + "/g.map"},
	} {
		_, out, _ := strings.Cut(tc.source, ":")
		writeDBM(t, tc.format, "old /old-place\nkeep /kept\n", out)
		m, err := ParseMap("m", tc.source, "", same, false)
		if err != nil || m.Unimplemented != "" {
			t.Fatalf("%s: %v %q", tc.source, err, m.Unimplemented)
		}
		var logs []string
		logf := func(s string) { logs = append(logs, s) }
		check := func(key, want string, found bool) {
			t.Helper()
			if v, ok := m.lookup(key, logf); v != want || ok != found {
				t.Errorf("%s: %s = %q %v, want %q %v", tc.format, key, v, ok, want, found)
			}
		}
		check("old", "/old-place", true)
		check("missing", "", false)
		// A changed map is read again (its time is moved on, so that a
		// change within the same clock tick is seen). httxt2dbm adds to
		// the database it finds.
		writeDBM(t, tc.format, "old /new-place\nadded /a\n", out)
		later := time.Now().Add(2 * time.Second)
		for _, f := range []string{tc.data, out + ".dir"} {
			os.Chtimes(f, later, later)
		}
		check("old", "/new-place", true)
		check("added", "/a", true)
		check("keep", "/kept", true)
		if len(logs) > 0 {
			t.Errorf("%s: logged %q", tc.format, logs)
		}
		os.Remove(tc.data)
		check("old", "", false)
		want := "(2)No such file or directory: AH00662: mod_rewrite: can't access DBM RewriteMap file " + tc.data
		if tc.format == "SDBM" {
			want = strings.Replace(want, "AH00662", "AH00663", 1)
		}
		if len(logs) != 1 || logs[0] != want {
			t.Errorf("%s: logged %q, want %q", tc.format, logs, want)
		}
	}
	bad := filepath.Join(dir, "bad.map")
	os.WriteFile(bad, []byte("old /old-place\n"), 0o644)
	m, err := ParseMap("m", "dbm:"+bad, "", same, false)
	if err != nil {
		t.Fatal(err)
	}
	var logs []string
	for _, key := range []string{"old", "old", "other"} {
		if v, ok := m.lookup(key, func(s string) { logs = append(logs, s) }); ok {
			t.Errorf("a text file read as a database: %q", v)
		}
	}
	// Once for each key: mod_rewrite caches a failed lookup.
	want := "(120022)APR does not understand this error code: AH00656: mod_rewrite: can't open DBM RewriteMap " + bad
	if len(logs) != 2 || logs[0] != want || logs[1] != want {
		t.Errorf("logged %q, want %q twice", logs, want)
	}
}
