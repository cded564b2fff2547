package confparse

import (
	"crypto/tls"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"
)

// SSLConfCmd is one SSLOpenSSLConfCmd line: an OpenSSL SSL_CONF command
// (its canonical name) and its value.
type SSLConfCmd struct {
	Name, Value string
	Node        *Node
}

// confValue is how mod_ssl checks an SSL_CONF command's value when it
// reads the line (SSL_CONF_cmd_value_type).
type confValue uint8

const (
	confString confValue = iota
	confFile
	confDir
)

// confCmd is an SSL_CONF command: its canonical name and how mod_ssl
// checks its value.
type confCmd struct {
	name  string
	value confValue
}

// sslConfCmds are the commands OpenSSL 3.0's SSL_CONF_cmd knows in a
// configuration file for a server (SSL_CONF_FLAG_FILE, names compared
// without case), by lower-case name.
var sslConfCmds = func() map[string]confCmd {
	m := map[string]confCmd{}
	add := func(value confValue, names ...string) {
		for _, n := range names {
			m[strings.ToLower(n)] = confCmd{n, value}
		}
	}
	add(confString, "SignatureAlgorithms", "ClientSignatureAlgorithms", "Curves", "Groups", "ECDHParameters",
		"CipherString", "Ciphersuites", "Protocol", "MinProtocol", "MaxProtocol", "Options", "VerifyMode",
		"ChainCAStore", "VerifyCAStore", "RequestCAStore", "ClientCAStore", "RecordPadding", "NumTickets")
	add(confFile, "Certificate", "PrivateKey", "ServerInfoFile", "ChainCAFile", "VerifyCAFile", "RequestCAFile", "ClientCAFile", "DHParameters")
	add(confDir, "ChainCAPath", "VerifyCAPath", "RequestCAPath", "ClientCAPath")
	return m
}()

// applySSLOpenSSLConfCmd is mod_ssl's ssl_cmd_SSLOpenSSLConfCmd: the
// command must be one OpenSSL knows, a file or directory it names must
// exist; OpenSSL reads the value when the server starts (OpenSSLConf).
func applySSLOpenSSLConfCmd(c *Cmd) error {
	cmd, ok := sslConfCmds[strings.ToLower(c.Args[0])]
	if !ok {
		return fmt.Errorf("'%s': invalid OpenSSL configuration command", c.Args[0])
	}
	value := c.Args[1]
	switch cmd.value {
	case confFile:
		value = c.Config.RootRelative(value)
		if fi, err := os.Stat(value); err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
			return fmt.Errorf("%s: file '%s' does not exist or is empty", c.Directive.Name, value)
		}
	case confDir:
		value = c.Config.RootRelative(value)
		if fi, err := os.Stat(value); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s: directory '%s' does not exist", c.Directive.Name, value)
		}
	}
	if cmd.name == "CipherString" {
		value += ":!aNULL:!eNULL:!EXP" // as mod_ssl does
	}
	c.Server.SSL.ConfCmds = append(c.Server.SSL.ConfCmds, SSLConfCmd{Name: cmd.name, Value: value, Node: c.Node})
	return nil
}

// OpenSSLConf is what a TLS server's SSLOpenSSLConfCmd lines change,
// applied in order after mod_ssl's own directives, as mod_ssl applies
// them at start-up.
type OpenSSLConf struct {
	// CipherString replaces SSLCipherSuite's string (with mod_ssl's
	// suffix); Ciphersuites the TLS 1.3 list. "" when not set.
	CipherString, Ciphersuites string
	// Groups are the key exchange groups of Curves or Groups that Go
	// implements, in order (nil: not set); MissingGroups the ones it
	// does not (X448, the FFDHE groups, brainpool and others).
	Groups        []tls.CurveID
	MissingGroups []string
	// minVersion and maxVersion are the bounds of the protocol range
	// (indexes of tlsVersions), as mod_ssl sets them from SSLProtocol
	// and MinProtocol and MaxProtocol replace them; off are the
	// protocols Protocol switches off (SSL_OP_NO_TLSv1...).
	minVersion, maxVersion int
	off                    [4]bool
	// NoSessionTickets is Options -SessionTicket (last word wins).
	NoSessionTickets *bool
	// NoEffect are the commands gowsgid accepts and does not apply.
	NoEffect []SSLConfCmd
}

// tlsVersions are the protocols SSLProtocol and SSL_CONF name, oldest
// first.
var tlsVersions = []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// OpenSSLConf applies a TLS server's SSLOpenSSLConfCmd lines as
// SSL_CONF_cmd would; the error is mod_ssl's AH02407 for the first one
// OpenSSL would refuse.
func (c *Config) OpenSSLConf(s *Server) (OpenSSLConf, error) {
	ssl := c.SSLOf(s)
	out := OpenSSLConf{maxVersion: len(tlsVersions) - 1}
	if ssl.Protocols != nil {
		// ssl_init_ctx_protocol: the highest protocol enabled, and down
		// from it as long as there is no hole.
		out.maxVersion = -1
		for i, v := range tlsVersions {
			if ssl.Protocols[v] {
				out.maxVersion = i
			}
		}
		out.minVersion = out.maxVersion
		for out.minVersion > 0 && ssl.Protocols[tlsVersions[out.minVersion-1]] {
			out.minVersion--
		}
	}
	for _, cmd := range ssl.ConfCmds {
		if err := out.apply(cmd); err != nil {
			return out, &ConfCmdError{Cmd: cmd, Err: fmt.Errorf("AH02407: \"SSLOpenSSLConfCmd %s %s\" failed for %s (%w)", cmd.Name, cmd.Value, SSLName(s), err)}
		}
	}
	if out.Groups != nil && len(out.Groups) == 0 {
		cmd := ssl.ConfCmds[0]
		for _, c := range ssl.ConfCmds {
			if c.Name == "Curves" || c.Name == "Groups" {
				cmd = c
			}
		}
		return out, &ConfCmdError{Cmd: cmd, Err: fmt.Errorf("%s: Go's crypto/tls implements none of the groups %s names (%s): no key exchange would be possible",
			SSLName(s), cmd.Name, strings.Join(out.MissingGroups, ", "))}
	}
	return out, nil
}

// ConfCmdError is an SSLOpenSSLConfCmd line the server cannot start with.
type ConfCmdError struct {
	Cmd SSLConfCmd
	Err error
}

func (e *ConfCmdError) Error() string { return e.Err.Error() }

func (e *ConfCmdError) Unwrap() error { return e.Err }

func (o *OpenSSLConf) apply(cmd SSLConfCmd) error {
	switch cmd.Name {
	case "Curves", "Groups":
		return o.groups(cmd.Value)
	case "CipherString":
		o.CipherString = cmd.Value
	case "Ciphersuites":
		if _, err := TLS13Suites(cmd.Value); err != nil {
			return err
		}
		o.Ciphersuites = cmd.Value
	case "MinProtocol", "MaxProtocol":
		return o.bound(cmd.Name == "MinProtocol", cmd.Value)
	case "Protocol":
		return o.protocolList(cmd.Value)
	case "Options":
		return o.options(cmd.Value)
	case "DHParameters":
		// Go offers no DHE suite, so the parameters are not used; but
		// OpenSSL reads them at start-up, and a file it cannot decode
		// stops mod_ssl (AH02407, AH02312).
		if err := checkDHParameters(cmd.Value); err != nil {
			return err
		}
		o.NoEffect = append(o.NoEffect, cmd)
	default:
		o.NoEffect = append(o.NoEffect, cmd)
	}
	return nil
}

// checkDHParameters decodes a DHParameters file as OpenSSL 3.0's PEM
// decoder would: a "DH PARAMETERS" or "X9.42 DH PARAMETERS" block holding
// an ASN.1 sequence of integers. A file that cannot be read here (only
// root may read it) is left to the server's start.
func checkDHParameters(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "DH PARAMETERS" && block.Type != "X9.42 DH PARAMETERS" {
			continue
		}
		var params struct {
			P, G *big.Int
			Rest asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(block.Bytes, &params); err == nil && params.P != nil && params.P.Sign() > 0 {
			return nil
		}
	}
	return errors.New("SSL Library Error: error:1E08010C:DECODER routines::unsupported (No supported data to decode. Input type: PEM)")
}

// goGroups are the names OpenSSL 3.0 gives the groups Go's crypto/tls
// implements (its TLS names, curve names, and NIST and X9.62 aliases;
// case counts).
var goGroups = map[string]tls.CurveID{
	"x25519": tls.X25519, "X25519": tls.X25519,
	"secp256r1": tls.CurveP256, "prime256v1": tls.CurveP256, "P-256": tls.CurveP256,
	"secp384r1": tls.CurveP384, "P-384": tls.CurveP384, "secp521r1": tls.CurveP521, "P-521": tls.CurveP521,
}

// otherGroups are the names of the other TLS groups OpenSSL 3.0 accepts.
var otherGroups = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`x448 X448 ffdhe2048 ffdhe3072 ffdhe4096 ffdhe6144 ffdhe8192
		brainpoolP256r1 brainpoolP384r1 brainpoolP512r1 secp160k1 secp160r1 secp160r2 secp192k1 secp192r1
		prime192v1 P-192 secp224k1 secp224r1 P-224 secp256k1 sect163k1 K-163 sect163r1 sect163r2 B-163
		sect193r1 sect193r2 sect233k1 K-233 sect233r1 B-233 sect239k1 sect283k1 K-283 sect283r1 B-283
		sect409k1 K-409 sect409r1 B-409 sect571k1 K-571 sect571r1 B-571`) {
		m[n] = true
	}
	return m
}()

// groups is SSL_CTX_set1_groups_list: names separated by ":" (blanks
// around them do not count), each known to OpenSSL, none twice.
func (o *OpenSSLConf) groups(list string) error {
	var ids []tls.CurveID
	var missing []string
	seen := map[string]bool{}
	for _, name := range strings.Split(list, ":") {
		name = strings.TrimSpace(name)
		id, ok := goGroups[name]
		switch {
		case ok || otherGroups[name]:
			key := name
			if ok {
				key = id.String()
			}
			if seen[key] {
				return fmt.Errorf("SSL Library Error: error:0A080106:SSL routines::passed invalid argument (group '%s' listed twice)", name)
			}
			seen[key] = true
			if ok {
				ids = append(ids, id)
			} else {
				missing = append(missing, name)
			}
		default:
			return fmt.Errorf("SSL Library Error: error:0A080106:SSL routines::passed invalid argument (group '%s' cannot be set)", name)
		}
	}
	o.Groups, o.MissingGroups = ids, missing
	if o.Groups == nil {
		o.Groups = []tls.CurveID{}
	}
	return nil
}

// bound is MinProtocol or MaxProtocol: it replaces the bound; "None"
// lifts it.
func (o *OpenSSLConf) bound(min bool, v string) error {
	idx := indexOf(tlsVersions, v) // SSLv3: -1, below them all
	switch {
	case v == "None" && min:
		idx = 0
	case v == "None":
		idx = len(tlsVersions) - 1
	case idx < 0 && v != "SSLv3":
		return errors.New("not a protocol version")
	}
	if min {
		o.minVersion = max(idx, 0)
	} else {
		o.maxVersion = idx
	}
	return nil
}

// Protocols are the protocols a handshake can agree on at an OpenSSL
// security level: those within the bounds that Protocol leaves on and,
// from security level 1, TLS 1.2 and later (OpenSSL 3.0 refuses the
// MD5-SHA1 signatures of the older ones); of those, the run down from
// the highest without a hole, as mod_ssl sets its range.
func (o OpenSSLConf) Protocols(level int) map[string]bool {
	out := map[string]bool{}
	top := -1
	for i := range tlsVersions {
		if i >= o.minVersion && i <= o.maxVersion && !o.off[i] && (level < 1 || i >= 2) {
			top = i
		}
	}
	for i := top; i >= 0 && i >= o.minVersion && !o.off[i] && (level < 1 || i >= 2); i-- {
		out[tlsVersions[i]] = true
	}
	return out
}

// protocolList is Protocol: words separated by commas, each
// a protocol or ALL, "-" turning it off and "+" or nothing on.
func (o *OpenSSLConf) protocolList(list string) error {
	return eachOption(list, func(on bool, word string) error {
		switch {
		case strings.EqualFold(word, "ALL"):
			for i := range o.off {
				o.off[i] = !on
			}
		case strings.EqualFold(word, "SSLv2"), strings.EqualFold(word, "SSLv3"):
		default:
			idx := indexOfFold(tlsVersions, word)
			if idx < 0 {
				return errors.New("unknown protocol")
			}
			o.off[idx] = !on
		}
		return nil
	})
}

// sslOptions are the words OpenSSL 3.0's Options command knows.
var sslOptions = strings.Fields(`SessionTicket EmptyFragments Bugs Compression ServerPreference
	NoResumptionOnRenegotiation DHSingle ECDHSingle UnsafeLegacyRenegotiation UnsafeLegacyServerConnect
	NoRenegotiation AllowNoDHEKEX PrioritizeChaCha MiddleboxCompat AntiReplay ExtendedMasterSecret
	CANames KTLS EncryptThenMac ClientRenegotiation`)

// options is Options: only SessionTicket changes anything in Go's TLS.
func (o *OpenSSLConf) options(list string) error {
	return eachOption(list, func(on bool, word string) error {
		idx := indexOfFold(sslOptions, word)
		if idx < 0 {
			return errors.New("unknown option")
		}
		if sslOptions[idx] == "SessionTicket" {
			off := !on
			o.NoSessionTickets = &off
		}
		return nil
	})
}

// eachOption calls fn for each word of an SSL_CONF option list, with
// whether it turns the option on.
func eachOption(list string, fn func(on bool, word string) error) error {
	for _, w := range strings.Split(list, ",") {
		// CONF_parse_list: blanks around an item do not count.
		if w = strings.TrimSpace(w); w == "" {
			continue
		}
		on := true
		switch w[0] {
		case '-':
			on, w = false, w[1:]
		case '+':
			w = w[1:]
		}
		if err := fn(on, w); err != nil {
			return err
		}
	}
	return nil
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func indexOfFold(list []string, s string) int {
	for i, x := range list {
		if strings.EqualFold(x, s) {
			return i
		}
	}
	return -1
}

// tls13Suites are the TLS 1.3 suites OpenSSL 3.0 knows; Go implements
// the first three.
var tls13Suites = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
	"TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256"}

// TLS13Suites is SSL_CTX_set_ciphersuites: the known suites of a list
// separated by ":" (unknown names are passed over); a list that names
// none is refused.
func TLS13Suites(list string) ([]string, error) {
	var out []string
	for _, name := range strings.Split(list, ":") {
		if indexOf(tls13Suites, name) >= 0 {
			out = append(out, name)
		}
	}
	if len(out) == 0 && list != "" {
		return nil, errors.New("SSL Library Error: error:0A0000B9:SSL routines::no cipher match")
	}
	return out, nil
}
