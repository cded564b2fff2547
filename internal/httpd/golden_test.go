package httpd

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite nothing; print the differences in full")

// TestApacheCaptures runs every real apache2 -t capture of
// testdata/configtest through gowsgid and compares stdout, stderr and the
// exit code. The captures were taken under /srv/cases/<case>; the test
// copies each case into a temporary directory and rewrites those paths.
func TestApacheCaptures(t *testing.T) {
	cases, err := filepath.Glob("../../testdata/configtest/[0-9]*")
	if err != nil || len(cases) < 90 {
		t.Fatalf("want the 90 captured cases, found %d (%v)", len(cases), err)
	}
	for _, dir := range cases {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			runCapture(t, dir, name)
		})
	}
}

func runCapture(t *testing.T, src, name string) {
	src, _ = filepath.Abs(src)
	root := t.TempDir()
	caseDir := filepath.Join(root, "cases", name)
	htdocs := filepath.Join(root, "htdocs")
	if err := os.MkdirAll(htdocs, 0o755); err != nil {
		t.Fatal(err)
	}
	rewrite := strings.NewReplacer("/srv/cases/"+name, caseDir, "/srv/cases", filepath.Join(root, "cases"),
		"/srv/htdocs", htdocs)
	copyTree(t, src, caseDir, rewrite)

	read := func(f string) string {
		b, err := os.ReadFile(filepath.Join(caseDir, f))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		return string(b)
	}
	o := Options{Prog: "apache2", ConfigFile: filepath.Join(caseDir, "httpd.conf"), Test: true}
	args := strings.Fields(read("ARGS"))
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-D":
			i++
			o.Defines = append(o.Defines, args[i])
		case "-S":
			o.Defines = append(o.Defines, "DUMP_VHOSTS", "DUMP_RUN_CFG")
		case "-M":
			o.Defines = append(o.Defines, "DUMP_MODULES")
		default:
			t.Fatalf("unknown ARGS word %q", args[i])
		}
	}
	env := map[string]string{}
	for _, line := range strings.Split(read("ENV"), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	o.Getenv = func(k string) (string, bool) {
		if v, ok := env[k]; ok {
			return v, true
		}
		return os.LookupEnv(k)
	}
	var stdout, stderr bytes.Buffer
	o.Stdout, o.Stderr = &stdout, &stderr
	wd, _ := os.Getwd()
	if err := os.Chdir(caseDir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	res := Check(o)

	wantCode, _ := strconv.Atoi(strings.TrimSpace(read("exitcode")))
	if res.ExitCode != wantCode {
		t.Errorf("exit code %d, want %d", res.ExitCode, wantCode)
	}
	// Compare in the captured paths: map the temporary ones back. (The
	// captures in the case directory were rewritten by copyTree; read the
	// originals.)
	back := strings.NewReplacer(caseDir, "/srv/cases/"+name, filepath.Join(root, "cases"), "/srv/cases",
		htdocs, "/srv/htdocs")
	orig := func(f string) string {
		b, _ := os.ReadFile(filepath.Join(src, f))
		return string(b)
	}
	compareOutput(t, "stdout", back.Replace(stdout.String()), orig("stdout.txt"))
	compareOutput(t, "stderr", back.Replace(stderr.String()), orig("stderr.txt"))
}

var (
	logStamp = regexp.MustCompile(`(?m)^\[[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] `)
	logPID   = regexp.MustCompile(`\[pid \d+:tid \d+\]`)
)

// normalizeLog hides what differs between two runs of the same check:
// timestamps and process ids.
func normalizeLog(s string) string {
	s = logStamp.ReplaceAllString(s, "[TIME] ")
	return logPID.ReplaceAllString(s, "[pid PID:tid PID]")
}

// sortMutexLines sorts each run of "Mutex ..." lines: Apache prints them
// in the order of a hash table seeded per process, so two apache2 runs
// differ there too.
func sortMutexLines(s string) string {
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && strings.HasPrefix(lines[j], "Mutex ") {
			j++
		}
		if j > i {
			sort.Strings(lines[i:j])
			i = j
		} else {
			i++
		}
	}
	return strings.Join(lines, "\n")
}

func compareOutput(t *testing.T, stream, got, want string) {
	t.Helper()
	got, want = sortMutexLines(normalizeLog(got)), sortMutexLines(normalizeLog(want))
	// A message longer than Apache's log buffer is cut; in the temporary
	// directory the paths are longer, so the cut falls elsewhere: compare
	// up to the last complete nested "Syntax error" of our output.
	if len(want) > 7900 && len(got) > 1000 {
		cut := strings.LastIndex(got, ": Syntax error on line")
		if cut < 0 {
			t.Fatalf("%s: a long message without nesting:\n%s", stream, got)
		}
		got, want = got[:cut], want[:min(cut, len(want))]
	}
	if got != want {
		if *updateGolden || len(got)+len(want) < 4000 {
			t.Errorf("%s differs\n--- got\n%s--- want\n%s", stream, got, want)
		} else {
			t.Errorf("%s differs (%d vs %d bytes); first difference at byte %d", stream, len(got), len(want), firstDiff(got, want))
		}
	}
}

func firstDiff(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// copyTree copies a case directory, rewriting paths in every file.
func copyTree(t *testing.T, src, dst string, rewrite *strings.Replacer) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, []byte(rewrite.Replace(string(b))), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
