package confparse

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/internal/pemkey"
)

// dialogTranscript is what Apache 2.4.71's mod_ssl wrote to a piped
// dialog ("SSLPassPhraseDialog |program") that answered six wrong pass
// phrases for the first key it asked for, before it gave up (captured
// on Debian 12; the banner names gowsgid here).
const dialogTranscript = `gowsgid/0.1.0 mod_ssl (Pass Phrase Dialog)
Some of your private key files are encrypted for security reasons.
In order to read them you have to provide the pass phrases.

Private key c.test:443:0 (KEY)
Enter pass phrase:
Apache:mod_ssl:Error: Pass phrase incorrect (5 more retries permitted).
Enter pass phrase:
Apache:mod_ssl:Error: Pass phrase incorrect (4 more retries permitted).
Enter pass phrase:
Apache:mod_ssl:Error: Pass phrase incorrect (3 more retries permitted).
Enter pass phrase:
Apache:mod_ssl:Error: Pass phrase incorrect (2 more retries permitted).
Enter pass phrase:
Apache:mod_ssl:Error: Pass phrase incorrect (1 more retry permitted).
Enter pass phrase:
Apache:mod_ssl:Error: Pass phrase incorrect.
**Stopped
`

// encryptedKey writes a new RSA key encrypted with phrase as OpenSSL's
// tools write it, and returns its path.
func encryptedKey(t *testing.T, dir, name, phrase string) string {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is needed (Debian's openssl package, which ssl-cert installs)")
	}
	path := filepath.Join(dir, name)
	for _, args := range [][]string{
		{"genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path + ".plain"},
		{"pkcs8", "-topk8", "-v2", "aes256", "-in", path + ".plain", "-passout", "pass:" + phrase, "-out", path},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	return path
}

// pipeDialog writes a dialog program that prints answers, one per line,
// then copies what it is told to a transcript file until its input ends;
// it returns the SSLPassPhraseDialog value and the transcript's path.
func pipeDialog(t *testing.T, dir string, answers ...string) (string, string) {
	t.Helper()
	prog := filepath.Join(dir, "dialog.sh")
	os.WriteFile(prog, []byte("#!/bin/sh\nout=$1; shift\nprintf '%s\\n' \"$@\"\ncat > \"$out.tmp\"; mv \"$out.tmp\" \"$out\"\n"), 0o755)
	transcript := filepath.Join(dir, "transcript")
	return "|" + prog + " " + transcript + " " + strings.Join(answers, " "), transcript
}

// readTranscript waits for the dialog program to have written its
// transcript (it ends after the server closes its pipes).
func readTranscript(t *testing.T, path string) string {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil {
			return string(b)
		}
	}
	t.Fatal("the dialog program wrote no transcript")
	return ""
}

// TestPipeDialogGivesUp answers a piped dialog wrongly six times: the
// program is told what mod_ssl tells it, the pauses grow as mod_ssl's
// (none for the first two retries, then 5, 10 and 15 s), and the key
// fails with AH02580.
func TestPipeDialogGivesUp(t *testing.T) {
	dir := t.TempDir()
	key := encryptedKey(t, dir, "c.key", "right")
	dialog, transcript := pipeDialog(t, dir, "w1", "w2", "w3", "w4", "w5", "w6", "right")
	var pauses []time.Duration
	c := &Config{PassPhraseDialog: dialog, sleep: func(d time.Duration) { pauses = append(pauses, d) }}
	_, err := c.ReadKeyFile("c.test:443", 0, SSLFile{Path: key, File: "httpd.conf", Line: 7})
	var ce *CertificateError
	if !errors.As(err, &ce) || ce.Msg != "AH02580: Init: Pass phrase incorrect for key c.test:443:0" || ce.LogLevel() != "emerg" || ce.Line != 7 {
		t.Fatalf("error %#v", err)
	}
	if got, want := readTranscript(t, transcript), strings.Replace(dialogTranscript, "KEY", key, 1); got != want {
		t.Errorf("the program was told\n%s\nwant\n%s", got, want)
	}
	if want := []time.Duration{5 * time.Second, 10 * time.Second, 15 * time.Second}; !slices.Equal(pauses, want) {
		t.Errorf("pauses %v, want %v", pauses, want)
	}
}

// TestPipeDialogRemembers decrypts two keys that share a pass phrase and
// a third with its own, through one piped dialog per key that asks: the
// second key is decrypted with the first's pass phrase without asking,
// the third's dialog has no banner (a remembered pass phrase was tried
// first), an empty answer is asked again, and a program that ends
// without answering fails the key with AH02578.
func TestPipeDialogRemembers(t *testing.T) {
	dir := t.TempDir()
	a := encryptedKey(t, dir, "a.key", "shared")
	b := encryptedKey(t, dir, "b.key", "shared")
	c3 := encryptedKey(t, dir, "c.key", "own")
	c := &Config{Keys: &KeyCache{}}
	var transcript string
	c.PassPhraseDialog, transcript = pipeDialog(t, dir, "shared")
	if _, err := c.ReadKeyFile("a.test:443", 0, SSLFile{Path: a}); err != nil {
		t.Fatal(err)
	}
	if got := readTranscript(t, transcript); !strings.HasPrefix(got, "gowsgid/0.1.0 mod_ssl (Pass Phrase Dialog)\n") ||
		!strings.HasSuffix(got, "\nPrivate key a.test:443:0 ("+a+")\nEnter pass phrase:\n\nOK: Pass Phrase Dialog successful.\n") {
		t.Errorf("a.key's dialog:\n%s", got)
	}
	os.Remove(transcript)
	c.PassPhraseDialog, transcript = pipeDialog(t, dir, "wrong")
	if _, err := c.ReadKeyFile("b.test:443", 0, SSLFile{Path: b}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(transcript); err == nil {
		t.Error("b.key's pass phrase was asked for")
	}
	c.PassPhraseDialog, transcript = pipeDialog(t, dir, "''", "own")
	if _, err := c.ReadKeyFile("c.test:443", 0, SSLFile{Path: c3}); err != nil {
		t.Fatal(err)
	}
	want := "\nPrivate key c.test:443:0 (" + c3 + ")\nEnter pass phrase:\nApache:mod_ssl:Error: Pass phrase empty (needs to be at least 1 character).\n" +
		"Enter pass phrase:\n\nOK: Pass Phrase Dialog successful.\n"
	if got := readTranscript(t, transcript); got != want {
		t.Errorf("c.key's dialog:\n%s\nwant\n%s", got, want)
	}

	fresh := &Config{PassPhraseDialog: "|/bin/true"}
	_, err := fresh.ReadKeyFile("a.test:443", 0, SSLFile{Path: a})
	var ce *CertificateError
	if !errors.As(err, &ce) || !strings.HasPrefix(ce.Msg, "AH02578: ") || ce.LogLevel() != "error" {
		t.Errorf("a program that said nothing: %v", err)
	}
}

// TestBuiltinDialogReadsStdin answers the builtin dialog on standard
// input, as OpenSSL reads it without a terminal: one wrong pass phrase,
// then the right one; prompts go to standard output as Apache writes
// them, the line ends after the answers to standard error, and what
// follows an answer stays unread for the next key. Without a terminal
// or standard input the key fails with AH02578.
func TestBuiltinDialogReadsStdin(t *testing.T) {
	dir := t.TempDir()
	key := encryptedKey(t, dir, "c.key", "right")
	in := filepath.Join(dir, "answers")
	os.WriteFile(in, []byte("wrong\nright\nfor the next key\n"), 0o644)
	stdin, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var out, errOut strings.Builder
	c := &Config{PassPhraseTerminal: &pemkey.Terminal{In: stdin, Out: &out, Err: &errOut}}
	if _, err := c.ReadKeyFile("c.test:443", 0, SSLFile{Path: key}); err != nil {
		t.Fatal(err)
	}
	// Apache 2.4.71's standard output for the same answers.
	want := "gowsgid/0.1.0 mod_ssl (Pass Phrase Dialog)\nSome of your private key files are encrypted for security reasons.\n" +
		"In order to read them you have to provide the pass phrases.\n\nPrivate key c.test:443:0 (" + key + ")\n" +
		"Enter pass phrase:Apache:mod_ssl:Error: Pass phrase incorrect (5 more retries permitted).\nEnter pass phrase:\nOK: Pass Phrase Dialog successful.\n"
	if out.String() != want || errOut.String() != "\n\n" {
		t.Errorf("stdout\n%q\nwant\n%q\nstderr %q", out.String(), want, errOut.String())
	}
	rest := make([]byte, 64)
	n, _ := stdin.Read(rest)
	if string(rest[:n]) != "for the next key\n" {
		t.Errorf("left on stdin: %q", rest[:n])
	}

	none := &Config{}
	_, err = none.ReadKeyFile("c.test:443", 0, SSLFile{Path: key})
	var ce *CertificateError
	if !errors.As(err, &ce) || !strings.HasPrefix(ce.Msg, "AH02578: ") {
		t.Errorf("without a terminal: %v", err)
	}
}
