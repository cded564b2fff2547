package confparse

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/gowsgid/gowsgid/internal/pemkey"
)

// KeyCache keeps the private keys a pass phrase decrypted, by mod_ssl's
// key id ("name:port:index") and file, so that a graceful restart reuses a key
// whose file did not change instead of asking again (mod_ssl's
// tPrivateKey, which it reuses when the file's mtime is the same). It
// is safe for concurrent use.
type KeyCache struct {
	mu   sync.Mutex
	keys map[string]cachedKey
}

type cachedKey struct {
	encrypted [sha256.Size]byte // the file's contents the key came from
	pem       []byte
}

func (k *KeyCache) get(id, path string, encrypted []byte) ([]byte, bool) {
	if k == nil {
		return nil, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	e, ok := k.keys[id+"\x00"+path]
	if !ok || e.encrypted != sha256.Sum256(encrypted) {
		return nil, false
	}
	return e.pem, true
}

func (k *KeyCache) put(id, path string, encrypted, pem []byte) {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[string]cachedKey{}
	}
	k.keys[id+"\x00"+path] = cachedKey{encrypted: sha256.Sum256(encrypted), pem: pem}
}

// keyTypeArgs are the second argument mod_ssl gives a pass phrase
// program for the first three keys of a server (its key_types, kept for
// the configurations of older 2.4 releases); later keys get their index.
var keyTypeArgs = []string{"RSA", "DSA", "ECC"}

// errDeferred marks an encrypted key configtest leaves to the start.
var errDeferred = errors.New("encrypted key left to the start")

// KeyFile is the file the private key index of server s comes from:
// its SSLCertificateKeyFile, or the certificate's own file when it has
// none.
func (c *Config) KeyFile(s *Server, i int) (SSLFile, bool) {
	ssl := c.SSLOf(s)
	switch {
	case i < len(ssl.KeyFiles):
		return ssl.KeyFiles[i], true
	case i < len(ssl.CertificateFiles):
		return ssl.CertificateFiles[i], true
	}
	return SSLFile{}, false
}

// ReadKeyFile reads the private key index of server id (its name:port)
// from key and, when it is encrypted, decrypts it (decryptKey).
func (c *Config) ReadKeyFile(id string, i int, key SSLFile) ([]byte, error) {
	data, err := c.readFile(key.Path)
	if err != nil {
		return nil, err
	}
	if !pemkey.Encrypted(data) {
		return data, nil
	}
	return c.decryptKey(id, i, key, data)
}

// decryptKey is ssl_load_encrypted_pkey: the key index i of server id,
// read from key, decrypted with a pass phrase. A key decrypted before,
// from the same file and contents, is reused; then the pass phrases
// given for earlier keys of the configuration are tried; then the
// dialog asks: an exec: program is run, builtin has no terminal here.
func (c *Config) decryptKey(id string, i int, key SSLFile, data []byte) ([]byte, error) {
	keyID := id + ":" + strconv.Itoa(i)
	if pem, ok := c.Keys.get(keyID, key.Path, data); ok {
		return pem, nil
	}
	program, exec := strings.CutPrefix(c.PassPhraseDialog, "exec:")
	if !exec {
		// builtin (or a pipe program, which gowsgid does not run): no
		// terminal to ask on, as for Apache started without one.
		return nil, &CertificateError{File: key.File, Line: key.Line, Level: "error",
			Msg: "AH02578: Init: Unable to read pass phrase [Hint: key introduced or changed before restart?]"}
	}
	if err := pemkey.CanDecrypt(data); err != nil {
		// Before anyone is asked for a pass phrase.
		return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf(
			"AH02564: Failed to configure encrypted (?) private key %s, check %s: %v", keyID, key.Path, err)}
	}
	if c.DeferEncryptedKeys {
		return nil, errDeferred
	}
	c.phraseMu.Lock()
	defer c.phraseMu.Unlock()
	for _, p := range c.passPhrases {
		if pem, err := pemkey.Decrypt(data, []byte(p)); err == nil {
			c.Keys.put(keyID, key.Path, data, pem)
			return pem, nil
		}
	}
	arg := strconv.Itoa(i)
	if i < len(keyTypeArgs) {
		arg = keyTypeArgs[i]
	}
	phrase, err := pemkey.ReadFilter(program, []string{id, arg})
	if err != nil {
		return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf(
			"AH02564: Failed to configure encrypted (?) private key %s, check %s: SSLPassPhraseDialog %s: %v", keyID, key.Path, program, err)}
	}
	pem, err := pemkey.Decrypt(data, []byte(phrase))
	if errors.Is(err, pemkey.ErrIncorrect) {
		return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf("AH02580: Init: Pass phrase incorrect for key %s", keyID)}
	}
	if err != nil {
		return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf(
			"AH02564: Failed to configure encrypted (?) private key %s, check %s: %v", keyID, key.Path, err)}
	}
	c.passPhrases = append(c.passPhrases, phrase)
	c.Keys.put(keyID, key.Path, data, pem)
	return pem, nil
}

// ForgetPassPhrases wipes the pass phrases the configuration's keys
// were decrypted with, as mod_ssl wipes its list once the servers are
// configured.
func (c *Config) ForgetPassPhrases() {
	c.phraseMu.Lock()
	defer c.phraseMu.Unlock()
	c.passPhrases = nil
}
