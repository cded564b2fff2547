package privsep

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/certgen"
	"github.com/gowsgid/gowsgid/rewrite"
	"github.com/gowsgid/gowsgid/wsgi"
)

// pair runs a helper on one end of a socketpair and returns a client on
// the other, and the directory of the configuration, which listens on
// addr and logs to error.log there.
func pair(t *testing.T, addr string, extra ...string) (*Client, string) {
	t.Helper()
	dir := t.TempDir()
	conf := filepath.Join(dir, "httpd.conf")
	os.WriteFile(conf, []byte("LoadModule mpm_event_module x\nListen "+addr+"\nErrorLog "+dir+"/error.log\n"+
		strings.ReplaceAll(strings.Join(extra, "\n"), "$DIR", dir)+"\n"), 0o644)
	load := func() (*confparse.Config, error) {
		return confparse.Load(confparse.ReadOptions{ServerRoot: dir, ConfigFile: conf}, confparse.ProcessOptions{})
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := &Helper{Control: os.NewFile(uintptr(fds[1]), "helper"), Load: load,
		Groups: func(*confparse.Config) (map[string]*wsgi.GroupOptions, func(), error) {
			return map[string]*wsgi.GroupOptions{}, nil, nil
		}}
	go h.Serve()
	c, err := newClient(os.NewFile(uintptr(fds[0]), "client"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.control.Close() })
	return c, dir
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestHelperBindsOnlyTheConfiguration: the helper hands out a listener
// for a Listen address of its configuration, and nothing else.
func TestHelperBindsOnlyTheConfiguration(t *testing.T) {
	addr := freeAddr(t)
	c, _ := pair(t, addr)
	ln, err := c.Listen(addr)
	if err != nil {
		t.Fatalf("Listen %s: %v", addr, err)
	}
	defer ln.Close()
	if got := ln.Addr().String(); got != addr {
		t.Errorf("listener on %s, want %s", got, addr)
	}
	go func() {
		if conn, err := ln.Accept(); err == nil {
			conn.Close()
		}
	}()
	if conn, err := net.Dial("tcp", addr); err != nil {
		t.Errorf("the listener accepts nothing: %v", err)
	} else {
		conn.Close()
	}
	other := freeAddr(t)
	if _, err := c.Listen(other); err == nil || !strings.Contains(err.Error(), "is no Listen address of the configuration") {
		t.Errorf("Listen %s (not configured): %v, want a refusal", other, err)
	}
}

// TestHelperSpawnsOnlyConfiguredGroups: a group the configuration does
// not define is refused.
func TestHelperSpawnsOnlyConfiguredGroups(t *testing.T) {
	c, _ := pair(t, freeAddr(t))
	_, _, err := c.Spawn(&wsgi.GroupOptions{Name: "evil"}, 1)
	if err == nil || !strings.Contains(err.Error(), `no WSGIDaemonProcess "evil"`) {
		t.Errorf("spawning an unknown group: %v, want a refusal", err)
	}
	if err := c.Reload(); err != nil {
		t.Errorf("reload: %v", err)
	}
}

// TestHelperOpensOnlyLogFiles: the helper opens the configuration's log
// files for appending, and refuses any other file.
func TestHelperOpensOnlyLogFiles(t *testing.T) {
	c, dir := pair(t, freeAddr(t))
	f, err := c.OpenFile(filepath.Join(dir, "error.log"))
	if err != nil {
		t.Fatalf("opening the ErrorLog: %v", err)
	}
	if _, err := f.WriteString("line\n"); err != nil {
		t.Errorf("the log file is not writable: %v", err)
	}
	f.Close()
	if _, err := c.OpenFile("/etc/passwd"); err == nil || !strings.Contains(err.Error(), "is no log file of the configuration") {
		t.Errorf("opening /etc/passwd: %v, want a refusal", err)
	}
}

// TestHelperReadsOnlyCertificates: the helper reads the configuration's
// certificate and key files (root-only in Debian's /etc/ssl/private),
// the CA certificates and revocation lists client certificates are
// checked with (the main server's too, which virtual hosts inherit, and
// the files of an SSLCACertificatePath), and refuses any other file.
func TestHelperReadsOnlyCertificates(t *testing.T) {
	src := t.TempDir()
	os.Mkdir(filepath.Join(src, "capath"), 0o755)
	for name, mode := range map[string]os.FileMode{"site.key": 0o600, "site.crt": 0o644, "ca.crt": 0o600,
		"ca.crl": 0o600, "capath/other-ca.pem": 0o600, "capath/sub/deeper.pem": 0o600} {
		os.MkdirAll(filepath.Dir(filepath.Join(src, name)), 0o755)
		os.WriteFile(filepath.Join(src, name), []byte("DATA"), mode)
	}
	c, _ := pair(t, freeAddr(t), "LoadModule ssl_module x", "SSLCACertificateFile "+src+"/ca.crt",
		"SSLCARevocationFile "+src+"/ca.crl", "<VirtualHost 127.0.0.1:1>",
		"SSLCertificateFile "+src+"/site.crt", "SSLCertificateKeyFile "+src+"/site.key",
		"SSLCACertificatePath "+src+"/capath", "</VirtualHost>")
	for _, name := range []string{"site.key", "site.crt", "ca.crt", "ca.crl", "capath/other-ca.pem"} {
		if b, err := c.ReadFile(filepath.Join(src, name)); err != nil || len(b) == 0 {
			t.Errorf("reading %s: %q %v", name, b, err)
		}
	}
	for _, p := range []string{"/etc/passwd", filepath.Join(src, "capath/sub/deeper.pem")} {
		if _, err := c.ReadFile(p); err == nil || !strings.Contains(err.Error(), "is no certificate or key file of the configuration") {
			t.Errorf("reading %s: %v, want a refusal", p, err)
		}
	}
}

// TestHelperDecryptsOnlyConfiguredKeys: the helper hands out the key of
// a server of its configuration decrypted, running the configuration's
// SSLPassPhraseDialog program as root (once: it keeps the key); a key
// asked for under another server's name, or a file that is no key of
// the configuration, is refused, and a wrong pass phrase is mod_ssl's
// AH02580.
func TestHelperDecryptsOnlyConfiguredKeys(t *testing.T) {
	src := t.TempDir()
	cert, err := certgen.SelfSigned(certgen.Spec{CommonName: "a.test", NotAfter: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(cert.KeyPEM)
	k, _ := x509.ParsePKCS8PrivateKey(blk.Bytes)
	der, _ := x509.MarshalECPrivateKey(k.(*ecdsa.PrivateKey))
	//lint:ignore SA1019 the legacy form is one mod_ssl reads.
	enc, err := x509.EncryptPEMBlock(rand.Reader, "EC PRIVATE KEY", der, []byte("s3cret"), x509.PEMCipherAES256) //nolint:staticcheck
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "a.crt"), cert.CertPEM, 0o644)
	os.WriteFile(filepath.Join(src, "a.key"), pem.EncodeToMemory(enc), 0o600)
	prog := filepath.Join(src, "pp.sh")
	os.WriteFile(prog, []byte("#!/bin/sh\necho run >> "+src+"/runs\ncat "+src+"/phrase\n"), 0o755)
	os.WriteFile(filepath.Join(src, "phrase"), []byte("s3cret\n"), 0o644)
	c, _ := pair(t, freeAddr(t), "LoadModule ssl_module x", "SSLPassPhraseDialog exec:"+prog,
		"<VirtualHost 127.0.0.1:1>", "ServerName a.test", "SSLCertificateFile "+src+"/a.crt",
		"SSLCertificateKeyFile "+src+"/a.key", "</VirtualHost>")
	key := confparse.SSLFile{Path: filepath.Join(src, "a.key")}
	for i := 0; i < 2; i++ {
		got, err := c.ReadKey("a.test:443", 0, key)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tls.X509KeyPair(cert.CertPEM, got); err != nil {
			t.Errorf("the key handed out does not go with the certificate: %v", err)
		}
	}
	if runs, _ := os.ReadFile(filepath.Join(src, "runs")); string(runs) != "run\n" {
		t.Errorf("the program ran %q, want once", runs)
	}
	if _, err := c.ReadKey("b.test:443", 0, key); err == nil || !strings.Contains(err.Error(), "is no key of b.test:443") {
		t.Errorf("another server's name: %v, want a refusal", err)
	}
	if _, err := c.ReadKey("a.test:443", 0, confparse.SSLFile{Path: "/etc/shadow"}); err == nil {
		t.Errorf("/etc/shadow was handed out")
	}
	// After a reload the keys it kept are still known: a changed file
	// asks again, and a wrong pass phrase is mod_ssl's error.
	os.WriteFile(filepath.Join(src, "a.key"), append(pem.EncodeToMemory(enc), '\n'), 0o600)
	os.WriteFile(filepath.Join(src, "phrase"), []byte("wrong\n"), 0o644)
	if err := c.Reload(); err != nil {
		t.Fatal(err)
	}
	_, err = c.ReadKey("a.test:443", 0, key)
	var ce *confparse.CertificateError
	if !errors.As(err, &ce) || ce.Msg != "AH02580: Init: Pass phrase incorrect for key a.test:443:0" {
		t.Errorf("a wrong pass phrase: %v, want AH02580", err)
	}
}

// TestReceivedDescriptorsCloseOnExec: a descriptor the helper hands
// over is not inherited by the programs the server runs (piped loggers).
func TestReceivedDescriptorsCloseOnExec(t *testing.T) {
	c, dir := pair(t, freeAddr(t))
	f, err := c.OpenFile(filepath.Join(dir, "error.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFD, 0)
	if errno != 0 {
		t.Fatal(errno)
	}
	if flags&syscall.FD_CLOEXEC == 0 {
		t.Fatalf("the log file's descriptor lacks FD_CLOEXEC (flags %#x)", flags)
	}
}

// TestHelperStartsOnlyPipedLogs: the helper starts the programs of the
// configuration's piped logs and hands over the write end of their
// input; it tells what happens to them, and refuses any other program.
func TestHelperStartsOnlyPipedLogs(t *testing.T) {
	c, dir := pair(t, freeAddr(t), `CustomLog "|/bin/sh -c 'cat > $DIR/piped.out'" common`,
		`<VirtualHost 127.0.0.1:1>`, `ErrorLog "|/bin/true"`, `</VirtualHost>`)
	quiet := func(string, ...any) {}
	p, err := c.StartPipe("/bin/sh -c 'cat > "+dir+"/piped.out'", quiet)
	if err != nil {
		t.Fatalf("starting the CustomLog program: %v", err)
	}
	if _, err := p.Writer().WriteString("line\n"); err != nil {
		t.Errorf("writing to the program: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("closing: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "piped.out")); string(b) != "line\n" {
		t.Errorf("the program wrote %q, want %q", b, "line\n")
	}

	notices := make(chan string, 4)
	p, err = c.StartPipe("/bin/true", func(format string, args ...any) { notices <- fmt.Sprintf(format, args...) })
	if err != nil {
		t.Fatalf("starting the ErrorLog program: %v", err)
	}
	select {
	case n := <-notices:
		if !strings.HasPrefix(n, "AH00106: piped log program '/bin/true' failed unexpectedly") {
			t.Errorf("notice %q, want AH00106", n)
		}
	case <-time.After(5 * time.Second):
		t.Error("no notice that the program exited")
	}
	p.Close()

	for _, prog := range []string{"/bin/sh -c id", "/bin/true ", "$/bin/true"} {
		if _, err := c.StartPipe(prog, quiet); err == nil || !strings.Contains(err.Error(), "is no piped log of the configuration") {
			t.Errorf("starting %q: %v, want a refusal", prog, err)
		}
	}
}

// TestHelperStartsOnlyConfiguredMapPrograms: the helper starts the
// program of a RewriteMap prg: line of its configuration, with the
// line's user, and hands the server both ends of its pipes and the
// system error of a start that fails; any other program, or the same
// one under another user, is refused.
func TestHelperStartsOnlyConfiguredMapPrograms(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "up.sh"), []byte("#!/bin/sh\nwhile read -r k; do echo \"$1 $k\"; done\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "closed.sh"), []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := pair(t, freeAddr(t), "LoadModule rewrite_module x", "RewriteEngine On",
		`RewriteMap up "prg:`+dir+`/up.sh -x"`, `RewriteMap closed "prg:`+dir+`/closed.sh"`)
	up := rewrite.Program{Argv: []string{filepath.Join(dir, "up.sh"), "-x"}}
	p, err := c.StartMapProgram(up, nil)
	if err != nil {
		t.Fatalf("starting a configured program: %v", err)
	}
	p.In().WriteString("key\n")
	if line, _ := bufio.NewReader(p.Out()).ReadString('\n'); line != "-x key\n" {
		t.Errorf("the program answered %q", line)
	}
	if err := p.Close(); err != nil {
		t.Errorf("closing: %v", err)
	}
	if _, err := c.StartMapProgram(rewrite.Program{Argv: []string{filepath.Join(dir, "closed.sh")}}, nil); !errors.Is(err, syscall.EACCES) {
		t.Errorf("a program that cannot run: %v, want EACCES", err)
	}
	for _, spec := range []rewrite.Program{
		{Argv: []string{"/bin/sh", "-c", "id"}},
		{Argv: []string{filepath.Join(dir, "up.sh")}},
		{Argv: up.Argv, User: "nobody"},
	} {
		if _, err := c.StartMapProgram(spec, nil); err == nil || !strings.Contains(err.Error(), "no RewriteMap prg: of the configuration") {
			t.Errorf("%+v: %v, want a refusal", spec, err)
		}
	}
}
