package authz

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// itoa64 is the crypt(3) base64 alphabet.
const itoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// ascii64Value returns the value of a crypt(3) base64 character, or -1.
func ascii64Value(c byte) int {
	switch {
	case c >= '.' && c <= '9':
		return int(c - '.')
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 12
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 38
	}
	return -1
}

// to64 appends n characters encoding v, low 6 bits first.
func to64(b []byte, v uint32, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, itoa64[v&0x3f])
		v >>= 6
	}
	return b
}

// ValidatePassword reports whether password matches hash as Apache's
// apr_password_validate does on Debian 12 (APR-util 1.6.3 with libxcrypt
// behind crypt_r):
//
//   - "$2a$", "$2y$" (crypt_blowfish in APR) and "$2b$", "$2x$" (libxcrypt):
//     bcrypt, including crypt_blowfish's sign-extension bug for $2x$ and
//     its safety measure for $2a$;
//   - "$apr1$": APR's MD5 algorithm (htpasswd -m);
//   - "{SHA}": base64 of the unsalted SHA-1 (htpasswd -s);
//   - "$1$": MD5-crypt; "$5$" and "$6$": SHA-256/SHA-512-crypt with an
//     optional "rounds=N$";
//   - anything else whose first two characters are crypt salt characters:
//     traditional DES crypt (13 characters; only the first 8 password
//     characters count).
//
// Everything else, plain text included, never matches, as with crypt_r
// on Linux. libxcrypt's other methods (yescrypt "$y$", "$gy$", scrypt
// "$7$", BSDi "_", sunmd5, NT hashes, bigcrypt) are not implemented and
// never match. The password is used up to its first NUL byte, as in C.
func ValidatePassword(password, hash string) bool {
	password = cString(password)
	hash = cString(hash)
	var sample string
	switch {
	case len(hash) >= 4 && hash[0] == '$' && hash[1] == '2' &&
		(hash[2] == 'a' || hash[2] == 'y' || hash[2] == 'b' || hash[2] == 'x') && hash[3] == '$':
		s, ok := bcryptHash(password, hash)
		if !ok {
			return false
		}
		sample = s
	case strings.HasPrefix(hash, "$apr1$"):
		sample = md5Crypt(password, hash, "$apr1$")
	case strings.HasPrefix(hash, "{SHA}"):
		sum := sha1.Sum([]byte(password))
		sample = "{SHA}" + base64.StdEncoding.EncodeToString(sum[:])
	case strings.HasPrefix(hash, "$1$"):
		salt := hash[3:]
		n := 0
		for n < len(salt) && ascii64Value(salt[n]) >= 0 {
			n++
		}
		if n < len(salt) && salt[n] != '$' {
			return false
		}
		sample = md5Crypt(password, hash, "$1$")
	case strings.HasPrefix(hash, "$5$"):
		s, ok := shaCrypt(password, hash, false)
		if !ok {
			return false
		}
		sample = s
	case strings.HasPrefix(hash, "$6$"):
		s, ok := shaCrypt(password, hash, true)
		if !ok {
			return false
		}
		sample = s
	case len(hash) >= 2 && ascii64Value(hash[0]) >= 0 && ascii64Value(hash[1]) >= 0:
		sample = desCrypt(password, hash[:2])
	default:
		return false
	}
	return len(sample) == len(hash) && subtle.ConstantTimeCompare([]byte(sample), []byte(hash)) == 1
}
