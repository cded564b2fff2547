package apexpr

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// apacheRunner runs the real apache2 -t on small configurations.
type apacheRunner struct {
	bin      string
	mpmLine  string
	modDir   string
	mu       sync.Mutex
	dirCount int
	base     string
}

// newApacheRunner returns nil (and skips the test) only when apache2 is
// not on PATH.
func newApacheRunner(t *testing.T) *apacheRunner {
	t.Helper()
	bin, err := exec.LookPath("apache2")
	if err != nil {
		t.Skip("apache2 not on PATH")
		return nil
	}
	r := &apacheRunner{bin: bin, base: t.TempDir()}
	out, _ := exec.Command(bin, "-l").CombinedOutput()
	if !regexp.MustCompile(`(event|worker|prefork)\.c`).Match(out) {
		var mod string
		for _, dir := range []string{
			"/usr/lib/apache2/modules", "/usr/lib64/apache2/modules",
			"/usr/lib64/httpd/modules", "/usr/lib/httpd/modules",
			"/usr/libexec/apache2", "/usr/local/apache2/modules",
		} {
			for _, m := range []string{"mod_mpm_event.so", "mod_mpm_prefork.so", "mod_mpm_worker.so"} {
				if _, err := os.Stat(filepath.Join(dir, m)); err == nil && mod == "" {
					mod = filepath.Join(dir, m)
				}
			}
		}
		if mod == "" {
			t.Fatal("apache2 is on PATH but no MPM module was found")
		}
		r.modDir = filepath.Dir(mod)
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(mod), "mod_"), ".so") + "_module"
		r.mpmLine = "LoadModule " + name + " " + mod + "\n"
	}
	return r
}

// confQuote quotes s as one argument of a configuration directive, so that
// ap_getword_conf yields s again.
func confQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

var (
	reIfErr      = regexp.MustCompile(`Cannot parse condition clause: (.*)`)
	reHandlerErr = regexp.MustCompile(`Can't parse expression : (.*)`)
)

// check runs apache2 -t with expr in <If> (or, when str is true, as a
// SetHandler string expression) and returns whether it was accepted and
// the parse error message.
func (r *apacheRunner) check(t *testing.T, expr string, str bool) (bool, string) {
	t.Helper()
	r.mu.Lock()
	r.dirCount++
	dir := filepath.Join(r.base, "c"+itoa(r.dirCount))
	r.mu.Unlock()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var inner string
	if str {
		inner = "SetHandler " + confQuote(expr) + "\n"
	} else {
		inner = "<If " + confQuote(expr) + ">\n</If>\n"
	}
	conf := "ServerRoot " + dir + "\n" + r.mpmLine +
		"ServerName localhost\nErrorLog " + dir + "/error.log\nPidFile " + dir + "/x.pid\n" +
		"DocumentRoot " + dir + "\n<Location /x>\n" + inner + "</Location>\n"
	cf := filepath.Join(dir, "t.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(r.bin, "-t", "-f", cf).CombinedOutput()
	text := string(out)
	if err == nil && strings.Contains(text, "Syntax OK") {
		return true, ""
	}
	if strings.Contains(text, errJammed) {
		return false, errJammed
	}
	re := reIfErr
	if str {
		re = reHandlerErr
	}
	if m := re.FindStringSubmatch(text); m != nil {
		return false, unescapeLogItem(strings.TrimRight(m[1], "\r"))
	}
	t.Fatalf("unexpected apache2 output for %q: %v\n%s", expr, err, text)
	return false, ""
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// unescapeLogItem undoes ap_escape_errorlog_item, which Apache applies to
// messages written to the error log (and to stderr during apache2 -t).
func unescapeLogItem(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'b':
			b.WriteByte('\b')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case 'x':
			if i+2 < len(s) && isXDigit(s[i+1]) && isXDigit(s[i+2]) {
				b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
				i += 2
			} else {
				b.WriteString("\\x")
			}
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
