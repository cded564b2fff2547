// Package pemkey decrypts the encrypted private keys mod_ssl reads with a
// pass phrase (OpenSSL's PEM_read_bio_PrivateKey): PKCS#8 "ENCRYPTED
// PRIVATE KEY" blocks (PBES2 with PBKDF2 or scrypt, AES or Triple DES in
// CBC mode, what `openssl genpkey -aes256` and `openssl pkcs8 -topk8`
// write) and the legacy "Proc-Type: 4,ENCRYPTED" blocks (`openssl rsa
// -aes256 -traditional`, `openssl genrsa -des3` of OpenSSL 1.x).
package pemkey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"

	"golang.org/x/crypto/pbkdf2"
	"golang.org/x/crypto/scrypt"
)

// ErrIncorrect is Decrypt's error when the pass phrase does not decrypt
// the key.
var ErrIncorrect = errors.New("bad decrypt: the pass phrase is incorrect")

// Encrypted reports whether data holds an encrypted PEM private key.
func Encrypted(data []byte) bool {
	_, _, ok := encryptedBlock(data)
	return ok
}

// encryptedBlock finds the first encrypted key block of data and the
// PEM text before and after it.
func encryptedBlock(data []byte) (block *pem.Block, rest []byte, ok bool) {
	for {
		b, r := pem.Decode(data)
		if b == nil {
			return nil, nil, false
		}
		if b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED") {
			return b, r, true
		}
		data = r
	}
}

// CanDecrypt reports, before anyone is asked for a pass phrase, why the
// first encrypted private key of data could not be decrypted (a key
// type, cipher or key derivation this package does not know), or nil.
func CanDecrypt(data []byte) error {
	b, _, ok := encryptedBlock(data)
	if !ok {
		return errors.New("no encrypted private key")
	}
	if b.Type != "ENCRYPTED PRIVATE KEY" {
		if b.Type != "RSA PRIVATE KEY" && b.Type != "EC PRIVATE KEY" {
			return fmt.Errorf("unsupported private key type %q", b.Type)
		}
		cipherName, _, _ := strings.Cut(b.Headers["DEK-Info"], ",")
		switch cipherName {
		case "DES-CBC", "DES-EDE3-CBC", "AES-128-CBC", "AES-192-CBC", "AES-256-CBC":
			return nil
		}
		return fmt.Errorf("unsupported PEM encryption %q", cipherName)
	}
	_, err := parsePKCS8(b.Bytes)
	return err
}

// Decrypt decrypts the first encrypted private key of data with
// passphrase and returns it as an unencrypted PEM block ("PRIVATE KEY",
// or the legacy block's own type). It fails with ErrIncorrect when the
// pass phrase is wrong.
func Decrypt(data, passphrase []byte) ([]byte, error) {
	if err := CanDecrypt(data); err != nil {
		return nil, err
	}
	b, _, _ := encryptedBlock(data)
	if b.Type != "ENCRYPTED PRIVATE KEY" {
		//lint:ignore SA1019 legacy PEM encryption is what such key files use.
		der, err := x509.DecryptPEMBlock(b, passphrase) //nolint:staticcheck
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, ErrIncorrect
		}
		if err != nil {
			return nil, err
		}
		if !parses(b.Type, der) {
			return nil, ErrIncorrect
		}
		return pem.EncodeToMemory(&pem.Block{Type: b.Type, Bytes: der}), nil
	}
	der, err := decryptPKCS8(b.Bytes, passphrase)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// parses reports whether der is a key of a legacy block's type: a
// wrong pass phrase whose padding happens to check gives garbage.
func parses(typ string, der []byte) bool {
	var err error
	switch typ {
	case "RSA PRIVATE KEY":
		_, err = x509.ParsePKCS1PrivateKey(der)
	case "EC PRIVATE KEY":
		_, err = x509.ParseECPrivateKey(der)
	default:
		_, err = x509.ParsePKCS8PrivateKey(der)
	}
	return err == nil
}

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt     = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
)

type encryptedPrivateKeyInfo struct {
	Algorithm pkix.AlgorithmIdentifier
	Data      []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt       []byte
	Iterations int
	KeyLength  int                      `asn1:"optional"`
	PRF        pkix.AlgorithmIdentifier `asn1:"optional"`
}

type scryptParams struct {
	Salt        []byte
	Cost        int
	BlockSize   int
	Parallelism int
	KeyLength   int `asn1:"optional"`
}

// pkcs8Params is what decrypting an EncryptedPrivateKeyInfo takes.
type pkcs8Params struct {
	info      encryptedPrivateKeyInfo
	newCipher func([]byte) (cipher.Block, error)
	keyLen    int
	iv        []byte
	kdf       pkix.AlgorithmIdentifier
}

// parsePKCS8 reads an EncryptedPrivateKeyInfo (RFC 5958) encrypted with
// PBES2 (RFC 8018) and checks that its key derivation and cipher are
// ones Decrypt knows.
func parsePKCS8(der []byte) (*pkcs8Params, error) {
	var p pkcs8Params
	if _, err := asn1.Unmarshal(der, &p.info); err != nil {
		return nil, fmt.Errorf("encrypted private key: %w", err)
	}
	if !p.info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, fmt.Errorf("encrypted private key: unsupported encryption %v (PBES2 only)", p.info.Algorithm.Algorithm)
	}
	var params pbes2Params
	if _, err := asn1.Unmarshal(p.info.Algorithm.Parameters.FullBytes, &params); err != nil {
		return nil, fmt.Errorf("encrypted private key: PBES2 parameters: %w", err)
	}
	var err error
	if p.newCipher, p.keyLen, err = blockCipher(params.EncryptionScheme.Algorithm); err != nil {
		return nil, err
	}
	if _, err := asn1.Unmarshal(params.EncryptionScheme.Parameters.FullBytes, &p.iv); err != nil {
		return nil, fmt.Errorf("encrypted private key: cipher IV: %w", err)
	}
	p.kdf = params.KeyDerivationFunc
	switch {
	case p.kdf.Algorithm.Equal(oidPBKDF2):
		var kp pbkdf2Params
		if _, err := asn1.Unmarshal(p.kdf.Parameters.FullBytes, &kp); err != nil {
			return nil, fmt.Errorf("encrypted private key: PBKDF2 parameters: %w", err)
		}
		if _, err := prf(kp.PRF.Algorithm); err != nil {
			return nil, err
		}
	case p.kdf.Algorithm.Equal(oidScrypt):
	default:
		return nil, fmt.Errorf("encrypted private key: unsupported key derivation %v", p.kdf.Algorithm)
	}
	return &p, nil
}

// decryptPKCS8 decrypts an EncryptedPrivateKeyInfo and returns the
// PrivateKeyInfo.
func decryptPKCS8(der, passphrase []byte) ([]byte, error) {
	p, err := parsePKCS8(der)
	if err != nil {
		return nil, err
	}
	key, err := deriveKey(p.kdf, passphrase, p.keyLen)
	if err != nil {
		return nil, err
	}
	block, err := p.newCipher(key)
	if err != nil {
		return nil, err
	}
	data := p.info.Data
	if len(p.iv) != block.BlockSize() || len(data) == 0 || len(data)%block.BlockSize() != 0 {
		return nil, errors.New("encrypted private key: bad IV or data length")
	}
	plain := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, p.iv).CryptBlocks(plain, data)
	plain, ok := unpad(plain, block.BlockSize())
	if !ok {
		return nil, ErrIncorrect
	}
	if _, err := x509.ParsePKCS8PrivateKey(plain); err != nil {
		// A PrivateKeyInfo of a kind Go does not know (DSA, Ed448) is
		// not a wrong pass phrase; bytes that are none at all are.
		var pki struct {
			Version    int
			Algorithm  pkix.AlgorithmIdentifier
			PrivateKey []byte
		}
		if rest, perr := asn1.Unmarshal(plain, &pki); perr == nil && len(rest) == 0 {
			return nil, fmt.Errorf("decrypted private key of an unsupported kind (%v): %w", pki.Algorithm.Algorithm, err)
		}
		return nil, ErrIncorrect
	}
	return plain, nil
}

// blockCipher is the cipher of a PBES2 encryption scheme and its key
// length.
func blockCipher(oid asn1.ObjectIdentifier) (func([]byte) (cipher.Block, error), int, error) {
	switch {
	case oid.Equal(oidAES128CBC):
		return aes.NewCipher, 16, nil
	case oid.Equal(oidAES192CBC):
		return aes.NewCipher, 24, nil
	case oid.Equal(oidAES256CBC):
		return aes.NewCipher, 32, nil
	case oid.Equal(oidDESEDE3CBC):
		return des.NewTripleDESCipher, 24, nil
	}
	return nil, 0, fmt.Errorf("encrypted private key: unsupported cipher %v", oid)
}

// deriveKey runs a PBES2 key derivation function.
func deriveKey(kdf pkix.AlgorithmIdentifier, passphrase []byte, keyLen int) ([]byte, error) {
	switch {
	case kdf.Algorithm.Equal(oidPBKDF2):
		var p pbkdf2Params
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
			return nil, fmt.Errorf("encrypted private key: PBKDF2 parameters: %w", err)
		}
		h, err := prf(p.PRF.Algorithm)
		if err != nil {
			return nil, err
		}
		if p.KeyLength != 0 && p.KeyLength != keyLen {
			return nil, errors.New("encrypted private key: PBKDF2 key length does not fit the cipher")
		}
		if p.Iterations <= 0 || p.Iterations > 1<<24 {
			return nil, errors.New("encrypted private key: PBKDF2 iteration count out of range")
		}
		return pbkdf2.Key(passphrase, p.Salt, p.Iterations, keyLen, h), nil
	case kdf.Algorithm.Equal(oidScrypt):
		var p scryptParams
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &p); err != nil {
			return nil, fmt.Errorf("encrypted private key: scrypt parameters: %w", err)
		}
		return scrypt.Key(passphrase, p.Salt, p.Cost, p.BlockSize, p.Parallelism, keyLen)
	}
	return nil, fmt.Errorf("encrypted private key: unsupported key derivation %v", kdf.Algorithm)
}

// prf is PBKDF2's pseudo-random function (HMAC-SHA1 when absent).
func prf(oid asn1.ObjectIdentifier) (func() hash.Hash, error) {
	switch {
	case len(oid) == 0, oid.Equal(oidHMACSHA1):
		return sha1.New, nil
	case oid.Equal(oidHMACSHA224):
		return sha256.New224, nil
	case oid.Equal(oidHMACSHA256):
		return sha256.New, nil
	case oid.Equal(oidHMACSHA384):
		return sha512.New384, nil
	case oid.Equal(oidHMACSHA512):
		return sha512.New, nil
	}
	return nil, fmt.Errorf("encrypted private key: unsupported PBKDF2 PRF %v", oid)
}

// unpad strips PKCS#7 padding.
func unpad(b []byte, size int) ([]byte, bool) {
	n := int(b[len(b)-1])
	if n == 0 || n > size || n > len(b) {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
