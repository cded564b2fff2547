package robust

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/apachetest"
	"github.com/gowsgid/gowsgid/internal/certgen"
	"github.com/gowsgid/gowsgid/internal/listenwait"
)

// passPhraseConf serves three TLS hosts whose keys are encrypted, with
// SSLPassPhraseDialog exec: (the address comes twice, then the
// program's pass phrase for c.test).
const passPhraseConf = `ServerRoot "$DIR"
LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so
LoadModule authz_core_module /usr/lib/apache2/modules/mod_authz_core.so
LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so
ServerName localhost
User www-data
Group www-data
Listen %[1]s https
ErrorLog $DIR/logs/error.log
PidFile $DIR/logs/httpd.pid
SSLPassPhraseDialog exec:$DIR/bin/pp.sh
DocumentRoot $DIR/htdocs
<Directory />
    Require all granted
</Directory>
<VirtualHost %[1]s>
    ServerName a.test
    SSLEngine on
    SSLCertificateFile $DIR/a.crt
    SSLCertificateKeyFile $DIR/a.key
</VirtualHost>
<VirtualHost %[1]s>
    ServerName b.test
    SSLEngine on
    SSLCertificateFile $DIR/b.crt
    SSLCertificateKeyFile $DIR/b.key
</VirtualHost>
<VirtualHost %[1]s>
    ServerName c.test
    SSLEngine on
    SSLCertificateFile $DIR/c.crt
    SSLCertificateKeyFile $DIR/c.key
</VirtualHost>
`

// passPhraseProgram records how it was run (arguments, user, directory,
// environment) and prints the pass phrase: a.test's and b.test's keys
// share one, c.test's has its own (PP_C, substituted).
const passPhraseProgram = `#!/bin/sh
echo "$1 $2 uid=$(id -u) cwd=$(pwd) env=$(env | sort | tr '\n' ' ')" >> "$(dirname "$0")/../calls"
case "$1" in c.test:*) echo 'PP_C';; *) echo 's3cret';; esac
`

// writePassPhraseSite writes the hosts' certificates with encrypted
// keys (c.test's encrypted with cPhrase), the program that answers
// cKnown for c.test, and a page.
func writePassPhraseSite(t *testing.T, dir, cPhrase, cKnown string) {
	t.Helper()
	for _, d := range []string{"bin", "htdocs", "logs"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	os.WriteFile(filepath.Join(dir, "htdocs", "x.txt"), []byte("x\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bin", "pp.sh"), []byte(strings.Replace(passPhraseProgram, "PP_C", cKnown, 1)), 0o755)
	for _, host := range []string{"a", "b", "c"} {
		c, err := certgen.SelfSigned(certgen.Spec{CommonName: host + ".test", NotAfter: time.Now().Add(time.Hour)})
		if err == nil {
			err = c.WriteFiles(dir, host)
		}
		if err != nil {
			t.Fatal(err)
		}
		phrase := "s3cret"
		if host == "c" {
			phrase = cPhrase
		}
		key := filepath.Join(dir, host+".key")
		out, err := exec.Command("openssl", "pkcs8", "-topk8", "-v2", "aes256", "-in", key, "-passout", "pass:"+phrase, "-out", key+".enc").CombinedOutput()
		if err != nil {
			t.Fatalf("openssl: %v\n%s", err, out)
		}
		os.Rename(key+".enc", key)
		os.Chmod(key, 0o600)
	}
}

// TestPassPhraseDialogAgainstApache starts Apache and gowsgid on hosts
// whose keys are encrypted: the exec: program runs as mod_ssl runs it
// (as root, in its directory, with an empty environment and the host
// and "RSA" as arguments, once for the two keys that share a pass
// phrase, as mod_ssl tries the pass phrases it was given first), the
// hosts serve, and a graceful restart reuses the keys without running
// it again. A wrong pass phrase stops the start with mod_ssl's line.
func TestPassPhraseDialogAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	calls := map[string]string{}
	for _, side := range []string{"apache", "gowsgid"} {
		dir := rootSiteDir(t)
		writePassPhraseSite(t, dir, "other", "other")
		addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
		conf := fmt.Sprintf(passPhraseConf, addr)
		var in *apachetest.Instance
		if side == "apache" {
			in = apachetest.Start(t, dir, conf, addr)
		} else {
			in = apachetest.StartGowsgid(t, dir, conf, nil, addr)
		}
		for _, host := range []string{"a.test", "b.test", "c.test"} {
			if got := fetchTLS(t, addr, host); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
				t.Errorf("%s: %s: %q", side, host, got)
			}
		}
		before, _ := os.ReadFile(filepath.Join(dir, "calls"))
		syscall.Kill(in.Pid(), syscall.SIGUSR1)
		time.Sleep(1500 * time.Millisecond)
		if got := fetchTLS(t, addr, "c.test"); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
			t.Errorf("%s: after the graceful restart: %q", side, got)
		}
		after, _ := os.ReadFile(filepath.Join(dir, "calls"))
		if string(after) != string(before) {
			t.Errorf("%s: the graceful restart ran the program again:\n%s", side, after[len(before):])
		}
		calls[side] = strings.ReplaceAll(string(before), dir, "$DIR")
		in.Stop()
	}
	t.Logf("the program's runs:\n%s", calls["gowsgid"])
	if calls["apache"] != calls["gowsgid"] || strings.Count(calls["apache"], "\n") != 2 {
		t.Errorf("apache ran the program as\n%s\ngowsgid as\n%s", calls["apache"], calls["gowsgid"])
	}

	// A wrong pass phrase for c.test.
	logs := map[string]string{}
	for _, bin := range []string{apachetest.GowsgidBinary(t), "apache2"} {
		dir := rootSiteDir(t)
		writePassPhraseSite(t, dir, "other", "wrong")
		addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
		conf := filepath.Join(dir, "httpd.conf")
		os.WriteFile(conf, []byte(strings.ReplaceAll(fmt.Sprintf(passPhraseConf, addr), "$DIR", dir)), 0o644)
		out, err := exec.Command(bin, "-DFOREGROUND", "-f", conf).CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("%s: exit %v, want 1\n%s", bin, err, out)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "logs/error.log"))
		logs[filepath.Base(bin)] = failureLines(string(b), dir)
	}
	for name, got := range logs {
		if want := "[ssl:emerg] AH02580: Init: Pass phrase incorrect for key c.test:443:0\nAH00016: Configuration Failed"; got != want {
			t.Errorf("%s's error log:\n%s\nwant\n%s", name, got, want)
		}
	}
}

// fetchTLS asks host for /x.txt over TLS (SNI host) and returns the
// status line.
func fetchTLS(t *testing.T, addr, host string) string {
	t.Helper()
	c, err := tls.Dial("tcp", addr, &tls.Config{ServerName: host, InsecureSkipVerify: true})
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "GET /x.txt HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n")
	b, _ := io.ReadAll(c)
	line, _, _ := strings.Cut(string(b), "\r\n")
	return line
}

// dialogProgram is a piped pass phrase dialog: it prints its answers
// (after the transcript's name), one per line, then copies what it is
// told to a transcript file of its own until its input ends.
const dialogProgram = `#!/bin/sh
out=$1.$$; shift
printf '%s\n' "$@"
cat > "$out.tmp"; mv "$out.tmp" "$out"
`

// TestPipeAndBuiltinDialogsAgainstApache starts Apache and gowsgid, as
// root, on hosts whose keys are encrypted (a.test's and b.test's with
// one pass phrase, c.test's with another), with SSLPassPhraseDialog
// |program and builtin: each piped program is told what mod_ssl tells
// it (the banner aside, which names the server), the builtin dialog
// reading standard input writes the same standard output, and the hosts
// serve.
func TestPipeAndBuiltinDialogsAgainstApache(t *testing.T) {
	apachetest.Binary(t)
	banner := regexp.MustCompile(`(?m)^\S+ mod_ssl \(Pass Phrase Dialog\)$`)
	for _, dialog := range []string{"pipe", "builtin"} {
		told := map[string]string{}
		for _, bin := range []string{"apache2", apachetest.GowsgidBinary(t)} {
			dir := rootSiteDir(t)
			writePassPhraseSite(t, dir, "other", "other")
			os.WriteFile(filepath.Join(dir, "bin", "dialog.sh"), []byte(dialogProgram), 0o755)
			addr := fmt.Sprintf("127.0.0.1:%d", apachetest.FreePorts(t, 1)[0])
			line := `SSLPassPhraseDialog "|$DIR/bin/dialog.sh $DIR/told s3cret other"`
			if dialog == "builtin" {
				line = "SSLPassPhraseDialog builtin"
			}
			conf := filepath.Join(dir, "httpd.conf")
			text := strings.Replace(fmt.Sprintf(passPhraseConf, addr), "SSLPassPhraseDialog exec:$DIR/bin/pp.sh", line, 1)
			os.WriteFile(conf, []byte(strings.ReplaceAll(text, "$DIR", dir)), 0o644)
			var stdout, stderr strings.Builder
			cmd := exec.Command(bin, "-DFOREGROUND", "-f", conf)
			cmd.Stdin = strings.NewReader("wrong\nother\ns3cret\n")
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() { cmd.Wait(); close(exited) }()
			name := filepath.Base(bin)
			if err := listenwait.Wait(addr, 15*time.Second, exited); err != nil {
				b, _ := os.ReadFile(filepath.Join(dir, "logs/error.log"))
				t.Fatalf("%s, %s dialog: %v\n%s\n%s", name, dialog, err, stderr.String(), b)
			}
			for _, host := range []string{"a.test", "b.test", "c.test"} {
				if got := fetchTLS(t, addr, host); !strings.HasPrefix(got, "HTTP/1.1 200 ") {
					t.Errorf("%s, %s dialog: %s: %q", name, dialog, host, got)
				}
			}
			cmd.Process.Signal(syscall.SIGTERM)
			<-exited
			got := stdout.String()
			if dialog == "pipe" {
				var runs []string
				for deadline := time.Now().Add(5 * time.Second); len(runs) < 2 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
					runs, _ = filepath.Glob(filepath.Join(dir, "told.*[0-9]"))
				}
				var texts []string
				for _, r := range runs {
					b, _ := os.ReadFile(r)
					texts = append(texts, string(b))
				}
				slices.Sort(texts)
				got = strings.Join(texts, "---\n")
			}
			told[name] = banner.ReplaceAllString(strings.ReplaceAll(got, dir, "$DIR"), "SERVER mod_ssl (Pass Phrase Dialog)")
		}
		t.Logf("%s dialog:\n%s", dialog, told["gowsgid"])
		if told["apache2"] != told["gowsgid"] || !strings.Contains(told["apache2"], "Private key b.test:443:0") {
			t.Errorf("%s dialog: apache wrote\n%s\ngowsgid\n%s", dialog, told["apache2"], told["gowsgid"])
		}
	}
}
