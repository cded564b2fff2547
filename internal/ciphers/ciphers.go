// Package ciphers reads OpenSSL cipher strings, the language of mod_ssl's
// SSLCipherSuite ("HIGH:!aNULL", "ECDHE+AESGCM:!SHA1", ...), and
// answers which cipher suites before TLS 1.3 a string permits, as
// OpenSSL 3.0's SSL_CTX_set_cipher_list decides it, and which of them Go's
// crypto/tls can offer.
//
// OpenSSL orders the suites too ("+", @STRENGTH); Go's crypto/tls
// orders them itself, so only the set is kept. TLS 1.3 suites are not
// part of the language (mod_ssl's "SSLCipherSuite TLSv1.3 ..." sets
// them apart), and crypto/tls does not let them be chosen.
package ciphers

//go:generate go run gen.go

import (
	"crypto/tls"
	"errors"
	"strings"
)

// cipher is one entry of OpenSSL's table, its fields as `openssl ciphers
// -v` prints them.
type cipher struct {
	id               uint16
	name             string
	proto            string // the lowest protocol: "SSLv3", "TLSv1", "TLSv1.2"
	kx, au, enc, mac string
	flags            flag
}

type flag uint8

const (
	high       flag = 1 << iota // the strength class HIGH (every suite but the eNULL ones)
	fips                        // FIPS 140-2 approved
	notDefault                  // COMPLEMENTOFDEFAULT: left out of DEFAULT
)

// Library errors, worded as OpenSSL 3.0 reports them.
var (
	// ErrNoMatch: the string permits no suite before TLS 1.3.
	ErrNoMatch = errors.New("error:0A0000B9:SSL routines::no cipher match")
	// ErrInvalidCommand: a character the language does not know, or an
	// "@" command other than STRENGTH and SECLEVEL=n.
	ErrInvalidCommand = errors.New("error:0A000118:SSL routines::invalid command")
)

// defaultList is OSSL_default_cipher_list(): what a string that starts
// with DEFAULT starts from.
const defaultList = "ALL:!COMPLEMENTOFDEFAULT:!eNULL"

// DefaultSecurityLevel is the security level of Debian's openssl.cnf
// (CipherString = DEFAULT:@SECLEVEL=2), which mod_ssl's contexts start
// with; a string's @SECLEVEL=n replaces it.
const DefaultSecurityLevel = 2

// Selection is what a cipher string permits.
type Selection struct {
	// Names are OpenSSL's names of the suites permitted, in the order of
	// OpenSSL's table.
	Names []string
	// SecurityLevel is the level Go and Missing were worked out for:
	// the string's @SECLEVEL (LevelSet), else DefaultSecurityLevel.
	SecurityLevel int
	LevelSet      bool
	// Go are the IDs of the permitted suites crypto/tls implements and
	// the security level allows, for tls.Config.CipherSuites; Missing
	// are the names of the permitted suites it does not implement
	// (DHE, CCM, CAMELLIA, ARIA, PSK, ...).
	Go      []uint16
	Missing []string
}

// Select evaluates spec as SSL_CTX_set_cipher_list does. The error is
// ErrInvalidCommand or ErrNoMatch.
func Select(spec string) (Selection, error) {
	st := state{active: make([]bool, len(table)), dead: make([]bool, len(table)), level: -1}
	rules := spec
	if strings.HasPrefix(spec, "DEFAULT") {
		if err := st.apply(defaultList); err != nil {
			return Selection{}, err
		}
		rules = strings.TrimPrefix(strings.TrimPrefix(spec, "DEFAULT"), ":")
	}
	if err := st.apply(rules); err != nil {
		return Selection{}, err
	}
	var sel Selection
	for i, c := range table {
		if st.active[i] {
			sel.Names = append(sel.Names, c.name)
		}
	}
	if len(sel.Names) == 0 {
		return Selection{}, ErrNoMatch
	}
	level := DefaultSecurityLevel
	if st.level >= 0 {
		level = st.level
	}
	sel = sel.AtLevel(level)
	sel.LevelSet = st.level >= 0
	return sel, nil
}

// AtLevel is the selection at an OpenSSL security level: one the context
// already had when a string without @SECLEVEL replaced its list.
func (s Selection) AtLevel(level int) Selection {
	out := Selection{Names: s.Names, SecurityLevel: level, LevelSet: s.LevelSet}
	goSuites := implemented()
	for _, name := range s.Names {
		c, _ := byName(name)
		switch {
		case !goSuites[c.id]:
			out.Missing = append(out.Missing, c.name)
		case permitted(c, level):
			out.Go = append(out.Go, c.id)
		}
	}
	return out
}

// permitted is what OpenSSL's security level lets through of the suites
// crypto/tls implements: from level 3 only forward secrecy (no RSA key
// exchange), from 4 (192 bits) no SHA-1 MAC and no 128-bit cipher.
func permitted(c cipher, level int) bool {
	switch {
	case level >= 3 && c.kx == "RSA":
		return false
	case level >= 4 && (c.mac == "SHA1" || strings.HasSuffix(c.enc, "(128)")):
		return false
	}
	return true
}

// implemented is the set of suites before TLS 1.3 crypto/tls can offer.
func implemented() map[uint16]bool {
	m := make(map[uint16]bool)
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, s := range list {
			for _, v := range s.SupportedVersions {
				if v <= tls.VersionTLS12 {
					m[s.ID] = true
				}
			}
		}
	}
	return m
}

// state is the cipher list being built: active suites are permitted;
// dead ones were removed with "!" and cannot come back.
type state struct {
	active, dead []bool
	level        int
}

// itemSep reports whether b separates the rules of a string.
func itemSep(b byte) bool { return b == ':' || b == ' ' || b == ';' || b == ',' }

// nameByte reports whether b may appear in a cipher or alias name.
func nameByte(b byte) bool {
	return 'A' <= b && b <= 'Z' || 'a' <= b && b <= 'z' || '0' <= b && b <= '9' || b == '-' || b == '.' || b == '='
}

// apply runs the rules of s, as ssl_cipher_process_rulestr does: each is
// an optional operator ("-" delete, "+" move, "!" kill, "@" command) and
// names joined by "+", whose suites it applies to (all of them must
// match). A rule naming something unknown is ignored.
func (st *state) apply(s string) error {
	for i := 0; i < len(s); {
		if itemSep(s[i]) {
			i++
			continue
		}
		// An operator must be followed by a name ("!:" is invalid).
		op := s[i]
		switch op {
		case '-', '+', '!', '@':
			i++
		default:
			op = 0
		}
		match := func(cipher) bool { return true }
		known := true
		for {
			start := i
			for i < len(s) && nameByte(s[i]) {
				i++
			}
			if i == start {
				// Neither a name nor a separator.
				return ErrInvalidCommand
			}
			word := s[start:i]
			if op == '@' {
				if err := st.command(word); err != nil {
					return err
				}
				break
			}
			pred := lookup(word)
			if pred == nil {
				known = false
				break
			}
			prev := match
			match = func(c cipher) bool { return prev(c) && pred(c) }
			if i < len(s) && s[i] == '+' {
				i++
				continue
			}
			break
		}
		if op != '@' && known {
			st.rule(op, match)
		}
		// The rest of an ignored or "@" rule is skipped.
		for i < len(s) && !itemSep(s[i]) {
			i++
		}
	}
	return nil
}

// command is an "@" rule.
func (st *state) command(word string) error {
	switch {
	case word == "STRENGTH":
		return nil // an order, not a set
	case len(word) == len("SECLEVEL=n") && strings.HasPrefix(word, "SECLEVEL=") && '0' <= word[9] && word[9] <= '5':
		st.level = int(word[9] - '0')
		return nil
	}
	return ErrInvalidCommand
}

// rule applies one operator to the suites match selects.
func (st *state) rule(op byte, match func(cipher) bool) {
	for i, c := range table {
		if st.dead[i] || !match(c) {
			continue
		}
		switch op {
		case 0:
			st.active[i] = true
		case '-':
			st.active[i] = false
		case '!':
			st.active[i], st.dead[i] = false, true
		}
	}
}

// lookup is the predicate of a cipher's name or an alias of OpenSSL
// 3.0's table (nil: unknown).
func lookup(word string) func(cipher) bool {
	if p, ok := aliases[word]; ok {
		return p
	}
	for _, c := range table {
		if c.name == word {
			name := c.name
			return func(c cipher) bool { return c.name == name }
		}
	}
	return nil
}

func kx(names ...string) func(cipher) bool {
	return func(c cipher) bool { return contains(names, c.kx) }
}

func au(names ...string) func(cipher) bool {
	return func(c cipher) bool { return contains(names, c.au) }
}

func mac(name string) func(cipher) bool { return func(c cipher) bool { return c.mac == name } }

func proto(name string) func(cipher) bool { return func(c cipher) bool { return c.proto == name } }

func has(f flag) func(cipher) bool { return func(c cipher) bool { return c.flags&f != 0 } }

// enc matches the ciphers whose Enc column starts with one of prefixes
// ("AESGCM(" for both key sizes, "AESGCM(128)" for one).
func enc(prefixes ...string) func(cipher) bool {
	return func(c cipher) bool {
		for _, p := range prefixes {
			if strings.HasPrefix(c.enc, p) {
				return true
			}
		}
		return false
	}
}

func both(a, b func(cipher) bool) func(cipher) bool {
	return func(c cipher) bool { return a(c) && b(c) }
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func none(cipher) bool { return false }

// aliases are OpenSSL 3.0's cipher_aliases, over the columns of `openssl
// ciphers -v`. Those of algorithms Debian's OpenSSL leaves out (GOST,
// RC2, IDEA, SEED, DES, RC4) match nothing.
var aliases = map[string]func(cipher) bool{
	"ALL":                 func(c cipher) bool { return c.enc != "None" },
	"COMPLEMENTOFALL":     func(c cipher) bool { return c.enc == "None" },
	"COMPLEMENTOFDEFAULT": has(notDefault),

	"kRSA": kx("RSA"), "kEDH": kx("DH"), "kDHE": kx("DH"), "DH": kx("DH"),
	"kEECDH": kx("ECDH"), "kECDHE": kx("ECDH"), "ECDH": kx("ECDH"),
	"kPSK": kx("PSK"), "kRSAPSK": kx("RSAPSK"), "kECDHEPSK": kx("ECDHEPSK"), "kDHEPSK": kx("DHEPSK"),
	"kSRP": kx("SRP"), "kGOST": none, "kGOST18": none,

	"aRSA": au("RSA"), "aDSS": au("DSS"), "DSS": au("DSS"), "aNULL": au("None"),
	"aECDSA": au("ECDSA"), "ECDSA": au("ECDSA"), "aPSK": au("PSK"), "aSRP": au("SRP"),
	"aGOST01": none, "aGOST12": none, "aGOST": none,

	"EDH":   both(kx("DH"), func(c cipher) bool { return c.au != "None" }),
	"DHE":   both(kx("DH"), func(c cipher) bool { return c.au != "None" }),
	"EECDH": both(kx("ECDH"), func(c cipher) bool { return c.au != "None" }),
	"ECDHE": both(kx("ECDH"), func(c cipher) bool { return c.au != "None" }),
	"NULL":  func(c cipher) bool { return c.enc == "None" },
	"RSA":   both(kx("RSA"), au("RSA")),
	"ADH":   both(kx("DH"), au("None")),
	"AECDH": both(kx("ECDH"), au("None")),
	"PSK":   kx("PSK", "RSAPSK", "ECDHEPSK", "DHEPSK"),
	"SRP":   kx("SRP"),

	"3DES": enc("3DES"), "RC4": enc("RC4"), "RC2": enc("RC2"), "IDEA": enc("IDEA"), "SEED": enc("SEED"),
	"eNULL": func(c cipher) bool { return c.enc == "None" }, "GOST": none,
	"AES128":      enc("AES(128)", "AESGCM(128)", "AESCCM(128)", "AESCCM8(128)"),
	"AES256":      enc("AES(256)", "AESGCM(256)", "AESCCM(256)", "AESCCM8(256)"),
	"AES":         enc("AES"),
	"AESGCM":      enc("AESGCM("),
	"AESCCM":      enc("AESCCM"),
	"AESCCM8":     enc("AESCCM8("),
	"CAMELLIA128": enc("Camellia(128)"), "CAMELLIA256": enc("Camellia(256)"), "CAMELLIA": enc("Camellia("),
	"CHACHA20": enc("CHACHA20"),
	"ARIA128":  enc("ARIAGCM(128)"), "ARIA256": enc("ARIAGCM(256)"), "ARIA": enc("ARIAGCM("), "ARIAGCM": enc("ARIAGCM("),
	"CBC": enc("AES(", "Camellia(", "3DES(", "SEED(", "IDEA(", "DES(", "RC2("),

	"MD5": mac("MD5"), "SHA1": mac("SHA1"), "SHA": mac("SHA1"), "SHA256": mac("SHA256"), "SHA384": mac("SHA384"),
	"GOST94": none, "GOST89MAC": none, "GOST12": none,

	"SSLv3": proto("SSLv3"), "TLSv1": proto("TLSv1"), "TLSv1.0": proto("TLSv1"), "TLSv1.2": proto("TLSv1.2"),
	"DTLSv1": none, "DTLSv1.0": none, "DTLSv1.2": none,

	"LOW": none, "MEDIUM": none, "HIGH": has(high), "FIPS": has(fips),
}

// Name is the suite's name as mod_ssl's SSL_CIPHER gives it: OpenSSL's
// ("ECDHE-RSA-AES128-GCM-SHA256") for a suite before TLS 1.3, the
// standard one (which OpenSSL uses too) for TLS 1.3's.
func Name(id uint16) string {
	if c, ok := byID(id); ok {
		return c.name
	}
	return tls.CipherSuiteName(id)
}

// KeyBits is the size of the suite's cipher key in bits, as mod_ssl's
// SSL_CIPHER_USEKEYSIZE and SSL_CIPHER_ALGKEYSIZE give it.
func KeyBits(id uint16) int {
	name := tls.CipherSuiteName(id)
	if c, ok := byID(id); ok {
		name = c.enc
	}
	switch {
	case strings.Contains(name, "128"):
		return 128
	case strings.Contains(name, "3DES"):
		return 168
	}
	return 256
}

func byName(name string) (cipher, bool) {
	for _, c := range table {
		if c.name == name {
			return c, true
		}
	}
	return cipher{}, false
}

func byID(id uint16) (cipher, bool) {
	for _, c := range table {
		if c.id == id {
			return c, true
		}
	}
	return cipher{}, false
}
