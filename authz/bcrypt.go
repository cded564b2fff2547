package authz

import (
	"encoding/base64"
	"encoding/binary"
	"strings"

	"golang.org/x/crypto/blowfish"
)

// bcryptAlphabet is crypt_blowfish's BF_itoa64.
const bcryptAlphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

var bcryptEncoding = base64.NewEncoding(bcryptAlphabet).WithPadding(base64.NoPadding)

// bcryptMagic is "OrpheanBeholderScryDoubt".
var bcryptMagic = []byte("OrpheanBeholderScryDoubt")

// bcryptHash is crypt_blowfish's BF_crypt (used by APR for $2a$/$2y$ and
// by libxcrypt for $2b$/$2x$): it returns the hash of pw for the setting
// (the stored hash), or false when the setting is malformed. The key setup
// reproduces BF_set_key exactly: $2x$ uses the historical sign-extension
// bug, and $2a$ applies the safety measure for the keys that bug could
// have collided on.
func bcryptHash(pw, setting string) (string, bool) {
	if len(setting) < 7+22 || setting[0] != '$' || setting[1] != '2' || setting[3] != '$' ||
		setting[4] < '0' || setting[4] > '3' || setting[5] < '0' || setting[5] > '9' ||
		(setting[4] == '3' && setting[5] > '1') || setting[6] != '$' {
		return "", false
	}
	minor := setting[2]
	cost := int(setting[4]-'0')*10 + int(setting[5]-'0')
	if cost < 4 {
		return "", false
	}
	saltText := setting[7 : 7+22]
	for i := 0; i < len(saltText); i++ {
		if strings.IndexByte(bcryptAlphabet, saltText[i]) < 0 {
			return "", false
		}
	}
	salt, err := bcryptEncoding.DecodeString(saltText)
	if err != nil || len(salt) != 16 {
		return "", false
	}

	bug := minor == 'x'
	var safety uint32
	if minor == 'a' {
		safety = 0x10000
	}
	key := append([]byte(pw), 0)
	var expanded [18]uint32
	var sign, diff uint32
	p := 0
	for i := 0; i < 18; i++ {
		var correct, buggy uint32
		for j := 0; j < 4; j++ {
			c := key[p]
			correct = correct<<8 | uint32(c)
			buggy = buggy<<8 | uint32(int32(int8(c)))
			if j != 0 {
				sign |= buggy & 0x80
			}
			if c == 0 {
				p = 0
			} else {
				p++
			}
		}
		diff |= correct ^ buggy
		if bug {
			expanded[i] = buggy
		} else {
			expanded[i] = correct
		}
	}
	diff |= diff >> 16
	diff &= 0xffff
	diff += 0xffff
	sign <<= 9
	sign &= ^diff & safety

	ckey := make([]byte, 72)
	for i, w := range expanded {
		binary.BigEndian.PutUint32(ckey[4*i:], w)
	}
	ikey := make([]byte, 72)
	copy(ikey, ckey)
	binary.BigEndian.PutUint32(ikey, expanded[0]^sign)

	c, err := blowfish.NewSaltedCipher(ikey, salt)
	if err != nil {
		return "", false
	}
	rounds := uint64(1) << cost
	for i := uint64(0); i < rounds; i++ {
		blowfish.ExpandKey(ckey, c)
		blowfish.ExpandKey(salt, c)
	}
	data := make([]byte, len(bcryptMagic))
	copy(data, bcryptMagic)
	for i := 0; i < 24; i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	return setting[:7] + bcryptEncoding.EncodeToString(salt) + bcryptEncoding.EncodeToString(data[:23]), true
}
