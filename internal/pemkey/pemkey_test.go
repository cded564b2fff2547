package pemkey

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// openssl runs the openssl command line tool in dir.
func openssl(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl %v: %v\n%s", args, err, out)
	}
}

// TestDecryptWhatOpenSSLWrites encrypts keys as OpenSSL's tools do, in
// each form mod_ssl reads with a pass phrase, and decrypts them: the key
// must be the one encrypted, and another pass phrase must be refused.
func TestDecryptWhatOpenSSLWrites(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl is needed (Debian's openssl package, which ssl-cert installs)")
	}
	dir := t.TempDir()
	openssl(t, dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem")
	openssl(t, dir, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem")
	for _, tc := range []struct {
		name, src string
		args      []string
	}{
		{"pkcs8 aes256 (genpkey's default)", "rsa.pem", []string{"pkcs8", "-topk8", "-v2", "aes256"}},
		{"pkcs8 aes128, sha512 prf", "ec.pem", []string{"pkcs8", "-topk8", "-v2", "aes128", "-v2prf", "hmacWithSHA512"}},
		{"pkcs8 des3, sha1 prf", "rsa.pem", []string{"pkcs8", "-topk8", "-v2", "des3", "-v2prf", "hmacWithSHA1"}},
		{"pkcs8 scrypt", "ec.pem", []string{"pkcs8", "-topk8", "-scrypt"}},
		{"traditional rsa aes256", "rsa.pem", []string{"rsa", "-aes256", "-traditional"}},
		{"traditional ec des3", "ec.pem", []string{"ec", "-des3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "enc.pem")
			openssl(t, dir, append(tc.args, "-in", tc.src, "-passout", "pass:s3cret", "-out", out)...)
			enc, _ := os.ReadFile(out)
			if !Encrypted(enc) {
				t.Fatalf("not seen as encrypted:\n%s", enc)
			}
			plain, err := Decrypt(enc, []byte("s3cret"))
			if err != nil {
				t.Fatal(err)
			}
			if !sameKey(t, plain, filepath.Join(dir, tc.src)) {
				t.Errorf("decrypted key is not %s", tc.src)
			}
			if Encrypted(plain) {
				t.Errorf("the decrypted block still says it is encrypted")
			}
			if _, err := Decrypt(enc, []byte("wrong")); !errors.Is(err, ErrIncorrect) {
				t.Errorf("wrong pass phrase: %v, want ErrIncorrect", err)
			}
		})
	}
	plain, _ := os.ReadFile(filepath.Join(dir, "rsa.pem"))
	if Encrypted(plain) {
		t.Errorf("an unencrypted key is seen as encrypted")
	}
}

// sameKey reports whether the PEM key decrypted is the one in file.
func sameKey(t *testing.T, decrypted []byte, file string) bool {
	t.Helper()
	want, _ := os.ReadFile(file)
	a, b := parseKey(t, decrypted), parseKey(t, want)
	type eq interface{ Equal(crypto.PrivateKey) bool }
	return a.(eq).Equal(b)
}

func parseKey(t *testing.T, data []byte) crypto.PrivateKey {
	t.Helper()
	blk, _ := pem.Decode(data)
	if blk == nil {
		t.Fatalf("no PEM block in %q", data)
	}
	var k any
	var err error
	switch blk.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(blk.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
	}
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Keys this package cannot decrypt are known as such before a pass
// phrase is asked for (CanDecrypt), and a key of a kind Go does not
// know, decrypted with the right pass phrase, is not called a wrong one.
func TestWhatCannotBeDecrypted(t *testing.T) {
	dir := t.TempDir()
	openssl(t, dir, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem")
	openssl(t, dir, "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", "rsa.pem", "-passout", "pass:s3cret", "-out", "pbes1.pem")
	openssl(t, dir, "genpkey", "-algorithm", "ed448", "-aes256", "-pass", "pass:s3cret", "-out", "ed448.pem")
	pbes1, _ := os.ReadFile(filepath.Join(dir, "pbes1.pem"))
	if err := CanDecrypt(pbes1); err == nil {
		t.Errorf("a PBES1 key: CanDecrypt says yes")
	}
	ed448, _ := os.ReadFile(filepath.Join(dir, "ed448.pem"))
	if err := CanDecrypt(ed448); err != nil {
		t.Fatalf("a PBES2 key: %v", err)
	}
	if _, err := Decrypt(ed448, []byte("s3cret")); err == nil || errors.Is(err, ErrIncorrect) {
		t.Errorf("an Ed448 key with its pass phrase: %v, want an unsupported kind", err)
	}
	if _, err := Decrypt(ed448, []byte("wrong")); !errors.Is(err, ErrIncorrect) {
		t.Errorf("an Ed448 key with a wrong pass phrase: %v, want ErrIncorrect", err)
	}
	legacyDSA := []byte("-----BEGIN DSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n-----END DSA PRIVATE KEY-----\n")
	if err := CanDecrypt(legacyDSA); err == nil {
		t.Errorf("a legacy DSA key: CanDecrypt says yes")
	}
}
