package confparse

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gowsgid/gowsgid/internal/pemkey"
	"github.com/gowsgid/gowsgid/internal/version"
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
// dialog asks: an exec: program is run, a |program or the builtin
// terminal dialog is asked (askDialog).
func (c *Config) decryptKey(id string, i int, key SSLFile, data []byte) ([]byte, error) {
	keyID := id + ":" + strconv.Itoa(i)
	if pem, ok := c.Keys.get(keyID, key.Path, data); ok {
		return pem, nil
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
	program, exec := strings.CutPrefix(c.PassPhraseDialog, "exec:")
	if !exec {
		return c.askDialog(keyID, key, data)
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

// dialogRetries is mod_ssl's BUILTIN_DIALOG_RETRIES: the wrong answers a
// builtin or piped dialog may give after the first; past
// dialogBackoffAfter of them, each further one waits 5 s more
// (BUILTIN_DIALOG_BACKOFF).
const (
	dialogRetries      = 5
	dialogBackoffAfter = 2
)

// askDialog asks the builtin (terminal) or piped dialog for key's pass
// phrase, as mod_ssl's ssl_pphrase_Handle_CB and its caller do, with
// their messages: mod_ssl's banner when no remembered pass phrase was
// tried first, the key's name, a prompt per try, up to five more tries
// after a wrong answer (the later ones after a pause), and the answer
// remembered for the keys that follow. c.phraseMu is held.
func (c *Config) askDialog(keyID string, key SSLFile, data []byte) ([]byte, error) {
	var d *pemkey.Dialog
	if command, pipe := strings.CutPrefix(c.PassPhraseDialog, "|"); pipe {
		var err error
		if d, err = pemkey.OpenPipe(command); err != nil {
			return nil, &CertificateError{File: key.File, Line: key.Line, Level: "error", Msg: fmt.Sprintf(
				"AH01966: Init: Failed to create pass phrase pipe '%s': %v", command, err)}
		}
	} else if t := c.PassPhraseTerminal; t != nil {
		d = t.Open()
	} else {
		return nil, c.unreadPassPhrase(key)
	}
	defer d.Close()
	if len(c.passPhrases) == 0 {
		d.Printf("%s mod_ssl (Pass Phrase Dialog)\n", version.Product)
		d.Printf("Some of your private key files are encrypted for security reasons.\n")
		d.Printf("In order to read them you have to provide the pass phrases.\n")
	}
	d.Printf("\nPrivate key %s (%s)\n", keyID, key.Path)
	for retry := 0; ; {
		phrase, err := d.Ask()
		if err != nil {
			d.Printf("Apache:mod_ssl:Error: Private key not found.\n**Stopped\n")
			return nil, c.unreadPassPhrase(key)
		}
		pem, err := pemkey.Decrypt(data, []byte(phrase))
		switch {
		case err == nil:
			c.passPhrases = append(c.passPhrases, phrase)
			c.Keys.put(keyID, key.Path, data, pem)
			d.Printf("\nOK: Pass Phrase Dialog successful.\n")
			return pem, nil
		case !errors.Is(err, pemkey.ErrIncorrect):
			return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf(
				"AH02564: Failed to configure encrypted (?) private key %s, check %s: %v", keyID, key.Path, err)}
		case retry < dialogRetries:
			left, plural := dialogRetries-retry, "ies"
			if left == 1 {
				plural = "y"
			}
			d.Printf("Apache:mod_ssl:Error: Pass phrase incorrect (%d more retr%s permitted).\n", left, plural)
			if retry++; retry > dialogBackoffAfter {
				c.pause(time.Duration(retry-dialogBackoffAfter) * 5 * time.Second)
			}
		default:
			d.Printf("Apache:mod_ssl:Error: Pass phrase incorrect.\n**Stopped\n")
			return nil, &CertificateError{File: key.File, Line: key.Line, Msg: fmt.Sprintf("AH02580: Init: Pass phrase incorrect for key %s", keyID)}
		}
	}
}

// unreadPassPhrase is mod_ssl's failure when its dialog gave no pass
// phrase at all: AH02578 when the server's standard output is not a
// terminal (a server started in the background, which no one can
// answer), AH02579 when it is.
func (c *Config) unreadPassPhrase(key SSLFile) error {
	if t := c.PassPhraseTerminal; t != nil && pemkey.IsTerminal(t.Out) {
		return &CertificateError{File: key.File, Line: key.Line, Level: "error", Msg: "AH02579: Init: Private key not found"}
	}
	return &CertificateError{File: key.File, Line: key.Line, Level: "error",
		Msg: "AH02578: Init: Unable to read pass phrase [Hint: key introduced or changed before restart?]"}
}

// pause waits between wrong answers (c.sleep in tests).
func (c *Config) pause(d time.Duration) {
	if c.sleep != nil {
		c.sleep(d)
		return
	}
	time.Sleep(d)
}

// ForgetPassPhrases wipes the pass phrases the configuration's keys
// were decrypted with, as mod_ssl wipes its list once the servers are
// configured.
func (c *Config) ForgetPassPhrases() {
	c.phraseMu.Lock()
	defer c.phraseMu.Unlock()
	c.passPhrases = nil
}
