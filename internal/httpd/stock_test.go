package httpd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStockDebianTree copies Debian's /etc/apache2 (installed by make
// test, mod_wsgi enabled) and compares apache2 and gowsgid on it in every
// listing mode, with Debian's envvars exported as apache2ctl exports them,
// and once more with an error injected into a site file.
func TestStockDebianTree(t *testing.T) {
	bin := apache2(t)
	if _, err := os.Stat("/etc/apache2/apache2.conf"); err != nil {
		t.Skip("no /etc/apache2 (make test installs apache2)")
	}
	dir := filepath.Join(t.TempDir(), "apache2")
	if out, err := exec.Command("cp", "-a", "/etc/apache2", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "mods-enabled/wsgi.load")); err != nil {
		t.Fatal("mod_wsgi is not enabled in the stock tree: is libapache2-mod-wsgi-py3 installed?")
	}
	vars, err := Envvars(filepath.Join(dir, "envvars"))
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, k := range []string{"APACHE_RUN_USER", "APACHE_RUN_GROUP", "APACHE_PID_FILE", "APACHE_RUN_DIR",
		"APACHE_LOCK_DIR", "APACHE_LOG_DIR", "LANG"} {
		if v, ok := vars[k]; ok {
			env = append(env, k+"="+v)
		}
	}
	if len(env) < 6 {
		t.Fatalf("envvars gave %q", env)
	}
	// The run and log directories the tree names must exist for apache2 -t.
	for _, k := range []string{"APACHE_RUN_DIR", "APACHE_LOG_DIR"} {
		os.MkdirAll(vars[k], 0o755)
	}
	conf := filepath.Join(dir, "apache2.conf")
	modes := map[string][]string{
		"t":             {"-t"},
		"S":             {"-S"},
		"M":             {"-M"},
		"dump-includes": {"-t", "-D", "DUMP_INCLUDES"},
		"dump-run-cfg":  {"-t", "-D", "DUMP_RUN_CFG"},
	}
	check := func(t *testing.T, args []string) {
		args = append([]string{"-d", dir, "-f", conf}, args...)
		wantOut, wantErr, wantCode := runApache(t, bin, dir, env, args)
		gotOut, gotErr, gotCode := runGowsgid(t, dir, env, args)
		if gotCode != wantCode {
			t.Errorf("exit code %d, apache2 %d", gotCode, wantCode)
		}
		compareOutput(t, "stdout", gotOut, wantOut)
		compareOutput(t, "stderr", gotErr, wantErr)
	}
	for name, args := range modes {
		t.Run(name, func(t *testing.T) { check(t, args) })
	}
	t.Run("injected-error", func(t *testing.T) {
		site := filepath.Join(dir, "sites-available/000-default.conf")
		b, err := os.ReadFile(site)
		if err != nil {
			t.Fatal(err)
		}
		broken := strings.Replace(string(b), "DocumentRoot /var/www/html", "DocumentRoot /var/www/html\n\tBogusDirective on", 1)
		if err := os.WriteFile(site, []byte(broken), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(site, b, 0o644)
		check(t, []string{"-t"})
	})
}

// TestEnvvarsBesideConfig checks that gowsgid finds Debian's variables in
// the envvars file beside the configuration when the environment lacks
// them, as apache2ctl would have exported them.
func TestEnvvarsBesideConfig(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "envvars"), []byte("export GOWSGID_TEST_LOG_DIR="+dir+"/logs$SUFFIX\nexport GOWSGID_TEST_CONFDIR=$APACHE_CONFDIR\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "logs"), 0o755)
	os.WriteFile(filepath.Join(dir, "apache2.conf"), []byte(strings.ReplaceAll(preamble, "$DIR", dir)+
		"ErrorLog ${GOWSGID_TEST_LOG_DIR}/error.log\nServerAdmin ${GOWSGID_TEST_CONFDIR}\nDefine X ${GOWSGID_TEST_CONFDIR}\n"), 0o644)
	var out, errb strings.Builder
	res := Check(Options{Prog: "gowsgid", ConfigFile: filepath.Join(dir, "apache2.conf"), Test: true,
		Stdout: &out, Stderr: &errb, Defines: []string{"DUMP_RUN_CFG"}})
	if res.ExitCode != 0 {
		t.Fatalf("exit %d: %s", res.ExitCode, errb.String())
	}
	if !strings.Contains(out.String(), `Main ErrorLog: "`+dir+`/logs/error.log"`) {
		t.Errorf("envvars not used:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "Define: X="+dir+"\n") {
		t.Errorf("APACHE_CONFDIR is not the config's directory:\n%s", out.String())
	}
}
