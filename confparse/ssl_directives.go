package confparse

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/internal/ciphers"
)

// SSLSettings are a server's mod_ssl settings (SSLEngine and the
// certificate files are a virtual host's own; the rest inherit from the
// main server when unset).
type SSLSettings struct {
	// Engine is SSLEngine: "on", "off", "optional" ("" unset: off).
	Engine string
	// CertificateFiles and KeyFiles are SSLCertificateFile and
	// SSLCertificateKeyFile, in order (absolute paths), with where each
	// was set; ChainFile is SSLCertificateChainFile.
	CertificateFiles, KeyFiles []SSLFile
	ChainFile                  string
	// Protocols is SSLProtocol as a set of "TLSv1", "TLSv1.1",
	// "TLSv1.2", "TLSv1.3" (nil: unset, mod_ssl's default "all").
	Protocols map[string]bool
	// CipherSuite is SSLCipherSuite's OpenSSL cipher string, with the
	// ":!aNULL:!eNULL:!EXP" mod_ssl appends ("" unset: OpenSSL's
	// default list); TLS13Ciphers is "SSLCipherSuite TLSv1.3 ...".
	CipherSuite, TLS13Ciphers string
	// CipherSuiteAt and TLS13CiphersAt are the SSLCipherSuite lines
	// they come from.
	CipherSuiteAt, TLS13CiphersAt *Node
	// ConfCmds are the SSLOpenSSLConfCmd lines: the main server's, then
	// the virtual host's.
	ConfCmds []SSLConfCmd
	// StrictSNI is SSLStrictSNIVHostCheck (nil: unset, off).
	StrictSNI *bool
	// SessionTickets is SSLSessionTickets (nil: unset, on).
	SessionTickets *bool
	// TicketKeyFile is SSLSessionTicketKeyFile, resolved ("": unset).
	TicketKeyFile string
	// SessionCache is SSLSessionCache's provider ("shmcb", "dbm", ...),
	// "" when unset, "none" or "nonenotnull" (the main server's only);
	// SessionCacheSize is its size in bytes when it names one
	// ("shmcb:path(512000)"), else 0.
	SessionCache     string
	SessionCacheSize int64
	// SessionCacheTimeout is SSLSessionCacheTimeout in seconds (nil:
	// unset, 300).
	SessionCacheTimeout *int
	// Options are SSLOptions as written (StdEnvVars, ExportCertData, ...).
	Options []string
	// VerifyClient is SSLVerifyClient ("", "none", "optional",
	// "optional_no_ca", "require"), VerifyDepth SSLVerifyDepth (nil:
	// mod_ssl's 1), CAFile and CAPath SSLCACertificateFile and -Path.
	VerifyClient   string
	VerifyDepth    *int
	CAFile, CAPath string
	// CRLFile and CRLPath are SSLCARevocationFile and -Path; CRLCheck is
	// SSLCARevocationCheck's mode ("none", "leaf", "chain"; "" unset:
	// none) and CRLOptional its no_crl_for_cert_ok flag.
	CRLFile, CRLPath string
	CRLCheck         string
	CRLOptional      bool
	// DNFile and DNPath are SSLCADNRequestFile and -Path.
	DNFile, DNPath string
}

// SSLFile is a certificate or key file and the line that named it.
type SSLFile struct {
	Path, File string
	Line       int
}

// applySSLEngine is mod_ssl's ssl_cmd_SSLEngine.
func applySSLEngine(c *Cmd) error {
	v := strings.ToLower(c.Args[0])
	switch v {
	case "on", "off", "optional":
		c.Server.SSL.Engine = v
		return nil
	}
	return errors.New("Argument must be On, Off, or Optional")
}

// sslFile is ssl_cmd_check_file: the path, relative to ServerRoot,
// must name a non-empty file.
func sslFile(c *Cmd) (SSLFile, error) {
	path := c.Config.RootRelative(c.Args[0])
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrPermission) {
		// Re-read after privileges were dropped: the privileged
		// helper, which read it as root, checks it.
		return SSLFile{Path: path, File: c.Node.File, Line: c.Node.Line}, nil
	}
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return SSLFile{}, fmt.Errorf("%s: file '%s' does not exist or is empty", c.Directive.Name, path)
	}
	return SSLFile{Path: path, File: c.Node.File, Line: c.Node.Line}, nil
}

func applySSLCertificateFile(c *Cmd) error {
	f, err := sslFile(c)
	if err == nil {
		c.Server.SSL.CertificateFiles = append(c.Server.SSL.CertificateFiles, f)
	}
	return err
}

func applySSLCertificateKeyFile(c *Cmd) error {
	f, err := sslFile(c)
	if err == nil {
		c.Server.SSL.KeyFiles = append(c.Server.SSL.KeyFiles, f)
	}
	return err
}

func applySSLCertificateChainFile(c *Cmd) error {
	f, err := sslFile(c)
	if err == nil {
		c.Server.SSL.ChainFile = f.Path
	}
	return err
}

// applySSLProtocol is ssl_cmd_protocol_parse.
func applySSLProtocol(c *Cmd) error {
	set := map[string]bool{}
	all := []string{"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
	for _, w := range SplitWords(c.Node.Raw) {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		}
		var these []string
		// mod_ssl's strcEQ ignores case: "All -SSLv3" is common.
		switch canon := canonicalSSLProtocol(w); canon {
		case "SSLv2":
			if action == '-' {
				continue
			}
			return errors.New("SSLProtocol: SSLv2 is no longer supported")
		case "SSLv3":
			if action != '-' {
				return errors.New("SSLv3 not supported by this version of OpenSSL")
			}
			continue
		case "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3":
			these = []string{canon}
		case "all":
			these = all
		default:
			return fmt.Errorf("%s: Illegal protocol '%s'", c.Directive.Name, w)
		}
		if action == 0 {
			set = map[string]bool{}
		}
		for _, p := range these {
			set[p] = action != '-'
		}
	}
	c.Server.SSL.Protocols = set
	return nil
}

// canonicalSSLProtocol spells a protocol keyword of SSLProtocol as
// gowsgid keys it, whatever its case; other words are returned as given.
func canonicalSSLProtocol(w string) string {
	for _, k := range []string{"SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3", "all"} {
		if strings.EqualFold(w, k) {
			return k
		}
	}
	return w
}

func applySSLStrictSNIVHostCheck(c *Cmd) error {
	on := strings.EqualFold(c.Args[0], "on")
	c.Server.SSL.StrictSNI = &on
	return nil
}

func applySSLSessionTickets(c *Cmd) error {
	on := strings.EqualFold(c.Args[0], "on")
	c.Server.SSL.SessionTickets = &on
	return nil
}

// applySSLPassPhraseDialog is ssl_cmd_SSLPassPhraseDialog: builtin, an
// exec: program that must exist (relative to ServerRoot), or a |pipe
// program.
func applySSLPassPhraseDialog(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	arg := c.Args[0]
	switch {
	case arg == "builtin":
		c.Config.PassPhraseDialog = arg
	case len(arg) > 5 && strings.HasPrefix(arg, "exec:"):
		path := c.Config.RootRelative(arg[5:])
		if _, err := os.Stat(path); err != nil && !errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("SSLPassPhraseDialog: file '%s' does not exist", path)
		}
		c.Config.PassPhraseDialog = "exec:" + path
	case len(arg) > 1 && arg[0] == '|':
		c.Config.PassPhraseDialog = arg
	default:
		return errors.New("SSLPassPhraseDialog: Invalid argument")
	}
	return nil
}

// applySSLSessionTicketKeyFile is ssl_cmd_SSLSessionTicketKeyFile: a file
// that exists and is not empty; its 48 bytes are read at start-up.
func applySSLSessionTicketKeyFile(c *Cmd) error {
	f, err := sslFile(c)
	if err == nil {
		c.Server.SSL.TicketKeyFile = f.Path
	}
	return err
}

// socacheProviders are the socache providers each module registers.
// ap_list_provider_names walks a hash table, so Apache's list of "known
// names" comes in an order that changes from run to run; gowsgid gives
// this one.
var socacheProviders = []struct{ module, name string }{
	{"mod_socache_shmcb.c", "default"}, {"mod_socache_shmcb.c", "shmcb"},
	{"mod_socache_dbm.c", "dbm"}, {"mod_socache_memcache.c", "memcache"},
	{"mod_socache_redis.c", "redis"}, {"mod_socache_dc.c", "dc"},
}

// applySSLSessionCache is ssl_cmd_SSLSessionCache: "none",
// "nonenotnull", or "provider[:args]" of a loaded socache module.
func applySSLSessionCache(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	arg := c.Args[0]
	if strings.EqualFold(arg, "none") || strings.EqualFold(arg, "nonenotnull") {
		c.Server.SSL.SessionCache, c.Server.SSL.SessionCacheSize = "", 0
		return nil
	}
	name, rest, known, ok := c.socacheProvider(arg)
	if ok {
		c.Server.SSL.SessionCache, c.Server.SSL.SessionCacheSize = name, socacheSize(rest)
		return nil
	}
	return fmt.Errorf("SSLSessionCache: '%s' session cache not supported (known names: %s). "+
		"Maybe you need to load the appropriate socache module (mod_socache_%s?).", name, strings.Join(known, ","), name)
}

// socacheProvider finds the loaded socache provider an SSLSessionCache or
// SSLStaplingCache argument ("name[:args]") names, and the names known.
func (c *Cmd) socacheProvider(arg string) (name, rest string, known []string, ok bool) {
	name, rest, _ = strings.Cut(arg, ":")
	for _, p := range socacheProviders {
		if !c.w.tree.IsLoaded(p.module) {
			continue
		}
		if p.name == name {
			ok = true
		}
		known = append(known, p.name)
	}
	return name, rest, known, ok
}

// applySSLStaplingCache is ssl_cmd_SSLStaplingCache: global only, and a
// loaded socache provider (no OCSP response is stapled, so it is not
// used).
func applySSLStaplingCache(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	if name, _, known, ok := c.socacheProvider(c.Args[0]); !ok {
		return fmt.Errorf("SSLStaplingCache: '%s' stapling cache not supported (known names: %s) "+
			"Maybe you need to load the appropriate socache module (mod_socache_%s?)", name, strings.Join(known, ","), name)
	}
	return nil
}

// socacheSize is the "(bytes)" of a shmcb argument, 0 when it has none.
func socacheSize(args string) int64 {
	open := strings.LastIndexByte(args, '(')
	if open < 0 || !strings.HasSuffix(args, ")") {
		return 0
	}
	return max(Atoi64(args[open+1:len(args)-1]), 0)
}

// applySSLSessionCacheTimeout is ssl_cmd_SSLSessionCacheTimeout: atoi,
// and not negative.
func applySSLSessionCacheTimeout(c *Cmd) error {
	n := int(cAtoi(c.Args[0]))
	if n < 0 {
		return errors.New("SSLSessionCacheTimeout: Invalid argument")
	}
	c.Server.SSL.SessionCacheTimeout = &n
	return nil
}

// applySSLCompression is SSLCompression: Go's TLS never compresses, and
// Debian's OpenSSL has no compression method, so mod_ssl refuses On.
func applySSLCompression(c *Cmd) error {
	if strings.EqualFold(c.Args[0], "on") {
		return errors.New("This version of OpenSSL does not have any compression methods available, cannot enable SSLCompression.")
	}
	return nil
}

func applySSLOptions(c *Cmd) error {
	words := SplitWords(c.Node.Raw)
	for _, w := range words {
		name := w
		if name != "" && (name[0] == '+' || name[0] == '-') {
			name = name[1:]
		}
		switch strings.ToLower(name) {
		case "stdenvvars", "exportcertdata", "fakebasicauth", "strictrequire", "optrenegotiate", "legacydnstringformat":
		default:
			return fmt.Errorf("SSLOptions: Illegal option '%s'", name)
		}
	}
	if c.Section != nil {
		c.Dir.SSLOptions = append(c.Dir.SSLOptions, words...)
		return nil
	}
	c.Server.SSL.Options = append(c.Server.SSL.Options, words...)
	return nil
}

// SSLOptionSet applies SSLOptions words in order to set: "+X" adds,
// "-X" removes, a bare "X" replaces what was set before it in the same
// list (mod_ssl's ssl_cmd_SSLOptions); names are lower case.
func SSLOptionSet(set map[string]bool, words []string) map[string]bool {
	out := map[string]bool{}
	for k, v := range set {
		out[k] = v
	}
	first := true
	for _, w := range words {
		switch {
		case strings.HasPrefix(w, "+"):
			out[strings.ToLower(w[1:])] = true
		case strings.HasPrefix(w, "-"):
			delete(out, strings.ToLower(w[1:]))
		default:
			if first {
				out = map[string]bool{}
			}
			out[strings.ToLower(w)] = true
		}
		first = false
	}
	return out
}

// SSLOf is a server's mod_ssl settings with the main server's filling
// what it leaves unset, as ssl_config_server_merge merges them: an
// SSLEngine on of the main server puts every virtual host that does not
// say otherwise on TLS.
func (c *Config) SSLOf(s *Server) SSLSettings {
	out := s.SSL
	if s == c.Main || c.Main == nil {
		return out
	}
	m := c.Main.SSL
	if out.Engine == "" {
		out.Engine = m.Engine
	}
	if len(out.CertificateFiles) == 0 {
		out.CertificateFiles, out.KeyFiles = m.CertificateFiles, m.KeyFiles
	}
	if out.ChainFile == "" {
		out.ChainFile = m.ChainFile
	}
	if out.Protocols == nil {
		out.Protocols = m.Protocols
	}
	if out.CipherSuite == "" {
		out.CipherSuite, out.CipherSuiteAt = m.CipherSuite, m.CipherSuiteAt
	}
	if out.TLS13Ciphers == "" {
		out.TLS13Ciphers, out.TLS13CiphersAt = m.TLS13Ciphers, m.TLS13CiphersAt
	}
	if len(m.ConfCmds) > 0 {
		out.ConfCmds = append(append([]SSLConfCmd(nil), m.ConfCmds...), out.ConfCmds...)
	}
	if out.StrictSNI == nil {
		out.StrictSNI = m.StrictSNI
	}
	if out.SessionTickets == nil {
		out.SessionTickets = m.SessionTickets
	}
	if out.TicketKeyFile == "" {
		out.TicketKeyFile = m.TicketKeyFile
	}
	if out.SessionCacheTimeout == nil {
		out.SessionCacheTimeout = m.SessionCacheTimeout
	}
	// The session cache is global (SSLModConfigRec).
	out.SessionCache, out.SessionCacheSize = m.SessionCache, m.SessionCacheSize
	if out.Options == nil {
		out.Options = m.Options
	}
	if out.VerifyClient == "" {
		out.VerifyClient = m.VerifyClient
	}
	if out.VerifyDepth == nil {
		out.VerifyDepth = m.VerifyDepth
	}
	if out.CAFile == "" && out.CAPath == "" {
		out.CAFile, out.CAPath = m.CAFile, m.CAPath
	}
	if out.CRLFile == "" {
		out.CRLFile = m.CRLFile
	}
	if out.CRLPath == "" {
		out.CRLPath = m.CRLPath
	}
	if out.CRLCheck == "" {
		out.CRLCheck, out.CRLOptional = m.CRLCheck, m.CRLOptional
	}
	if out.DNFile == "" {
		out.DNFile = m.DNFile
	}
	if out.DNPath == "" {
		out.DNPath = m.DNPath
	}
	return out
}

// applySSLVerifyClient is mod_ssl's SSLVerifyClient: for a server, the
// handshake's request for a client certificate; in a directory, what
// the request needs (gowsgid does not renegotiate: see vhost).
func applySSLVerifyClient(c *Cmd) error {
	v := strings.ToLower(c.Args[0])
	switch v {
	case "none", "off":
		v = "none"
	case "require", "on":
		v = "require"
	case "optional", "optional_no_ca":
	default:
		return fmt.Errorf("%s: Invalid argument '%s'", c.Directive.Name, c.Args[0])
	}
	if c.Section != nil {
		c.Dir.SSLVerifyClient = &v
		return nil
	}
	c.Server.SSL.VerifyClient = v
	return nil
}

// applySSLCipherSuite is mod_ssl's ssl_cmd_SSLCipherSuite: the cipher
// string of the protocols before TLS 1.3 (mod_ssl appends
// ":!aNULL:!eNULL:!EXP" to it), or, after "TLSv1.3", TLS 1.3's suites.
// OpenSSL reads the string at start-up, not here: a string that permits
// nothing passes apache2 -t and stops the server (vhost).
func applySSLCipherSuite(c *Cmd) error {
	proto, spec := "SSL", c.Args[0]
	if len(c.Args) == 2 {
		proto, spec = c.Args[0], c.Args[1]
	}
	switch proto {
	case "SSL":
		spec += ":!aNULL:!eNULL:!EXP"
		if c.Section != nil {
			c.Dir.SSLCipherSuite = spec
		} else {
			c.Server.SSL.CipherSuite, c.Server.SSL.CipherSuiteAt = spec, c.Node
		}
		return nil
	case "TLSv1.3":
		if c.Section != nil {
			return errors.New("TLSv1.3 ciphers cannot be set inside a directory context")
		}
		c.Server.SSL.TLS13Ciphers, c.Server.SSL.TLS13CiphersAt = spec, c.Node
		return nil
	}
	return fmt.Errorf("protocol '%s' not supported", proto)
}

// applySSLVerifyDepth is mod_ssl's SSLVerifyDepth: for a server, how
// many issuers the handshake lets stand above a client's certificate;
// in a directory, a lower limit than the handshake's asks for a new
// verification (see vhost).
func applySSLVerifyDepth(c *Cmd) error {
	n := atoi(c.Args[0])
	if n < 0 {
		return fmt.Errorf("%s: Invalid argument '%s'", c.Directive.Name, c.Args[0])
	}
	if c.Section != nil {
		c.Dir.SSLVerifyDepth = &n
		return nil
	}
	c.Server.SSL.VerifyDepth = &n
	return nil
}

// applySSLCACertificate is SSLCACertificateFile and -Path,
// SSLCADNRequestFile and -Path, and
// SSLCARevocationFile and -Path.
func applySSLCACertificate(c *Cmd) error {
	name := strings.ToLower(c.Directive.Name)
	if strings.HasSuffix(name, "path") {
		path, err := sslDir(c)
		if err != nil {
			return err
		}
		switch name {
		case "sslcarevocationpath":
			c.Server.SSL.CRLPath = path
		case "sslcadnrequestpath":
			c.Server.SSL.DNPath = path
		default:
			c.Server.SSL.CAPath = path
		}
		return nil
	}
	f, err := sslFile(c)
	if err != nil {
		return err
	}
	switch name {
	case "sslcarevocationfile":
		c.Server.SSL.CRLFile = f.Path
	case "sslcadnrequestfile":
		c.Server.SSL.DNFile = f.Path
	default:
		c.Server.SSL.CAFile = f.Path
	}
	return nil
}

// applySSLVHostSNIPolicy is mod_ssl's SSLVHostSNIPolicy (2.4.64): how
// alike the TLS settings of the host a handshake chose and the host a
// request names must be (ssl_hook_ReadReq, AH02032).
func applySSLVHostSNIPolicy(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	v := strings.ToLower(c.Args[0])
	switch v {
	case "strict", "secure", "authonly", "insecure":
		c.Config.SNIPolicy = v
		return nil
	}
	return fmt.Errorf("Invalid SSLVhostSNIPolicy argument '%s'", c.Args[0])
}

// sslDir is ssl_cmd_check_dir: the path, relative to ServerRoot, must
// name a directory.
func sslDir(c *Cmd) (string, error) {
	path := c.Config.RootRelative(c.Args[0])
	if fi, err := os.Stat(path); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s: directory '%s' does not exist", c.Directive.Name, path)
	}
	return path, nil
}

// applySSLCARevocationCheck is mod_ssl's ssl_cmd_crlcheck_parse.
func applySSLCARevocationCheck(c *Cmd) error {
	words := SplitWords(c.Node.Raw)
	mode := ""
	if len(words) > 0 {
		mode = strings.ToLower(words[0])
	}
	switch mode {
	case "none", "leaf", "chain":
	default:
		return fmt.Errorf("%s: Invalid argument '%s'", c.Directive.Name, firstOr(words, ""))
	}
	optional := false
	for _, w := range words[1:] {
		if !strings.EqualFold(w, "no_crl_for_cert_ok") {
			return fmt.Errorf("%s: Invalid argument '%s'", c.Directive.Name, w)
		}
		optional = true
	}
	c.Server.SSL.CRLCheck, c.Server.SSL.CRLOptional = mode, optional
	return nil
}

func firstOr(words []string, def string) string {
	if len(words) == 0 {
		return def
	}
	return words[0]
}

// SSLRequirement is one SSLRequire expression, parsed as mod_ssl parses
// it (ap_expr with AP_EXPR_FLAG_SSL_EXPR_COMPAT).
type SSLRequirement struct {
	// Expr is the expression as written, which the error log quotes.
	Expr string
	// Parsed is Expr parsed.
	Parsed *apexpr.Expr
}

// applySSLRequireSSL is mod_ssl's ssl_cmd_SSLRequireSSL, which ignores
// any argument.
func applySSLRequireSSL(c *Cmd) error {
	c.Dir.SSLRequireSSL = true
	return nil
}

// applySSLRequire is mod_ssl's ssl_cmd_SSLRequire.
func applySSLRequire(c *Cmd) error {
	src := c.Node.Raw // RAW_ARGS: quotes are the expression's own
	e, err := apexpr.ParseFlags(src, c.exprFlags()|apexpr.FlagSSLExprCompat)
	if err != nil {
		return fmt.Errorf("SSLRequire: %s", err)
	}
	c.Dir.SSLRequire = append(c.Dir.SSLRequire, SSLRequirement{Expr: src, Parsed: e})
	return nil
}

// applySSLUserName is mod_ssl's ssl_cmd_SSLUserName.
func applySSLUserName(c *Cmd) error {
	v := c.Args[0]
	c.Dir.SSLUserName = &v
	return nil
}

// DefaultCipherString is what mod_ssl gives OpenSSL when SSLCipherSuite
// is unset: SSL_DEFAULT_CIPHER_LIST (OpenSSL 3.0's default list) and its
// own suffix.
const DefaultCipherString = "ALL:!COMPLEMENTOFDEFAULT:!eNULL:!aNULL:!eNULL:!EXP"

// Ciphers is what a TLS server's cipher list permits before TLS 1.3, as
// OpenSSL has it once the server has started: SSLCipherSuite's string
// (mod_ssl's default when unset), replaced by an SSLOpenSSLConfCmd
// CipherString, at the security level the last string that names one
// set (@SECLEVEL; the level stays when a string does not). The error is
// mod_ssl's AH01898 or AH02407 with OpenSSL's reason.
func (c *Config) Ciphers(s *Server) (ciphers.Selection, error) {
	sel, err := c.sslCipherSuite(s)
	if err != nil {
		return sel, err
	}
	conf, _ := c.OpenSSLConf(s)
	if conf.CipherString == "" {
		return sel, nil
	}
	next, err := ciphers.Select(conf.CipherString)
	if err != nil {
		return next, fmt.Errorf("AH02407: \"SSLOpenSSLConfCmd CipherString %s\" failed for %s (SSL Library Error: %w)", conf.CipherString, SSLName(s), err)
	}
	if !next.LevelSet {
		next = next.AtLevel(sel.SecurityLevel)
	}
	return next, nil
}

// sslCipherSuite is what SSLCipherSuite's string permits: the list the
// context has when mod_ssl loads the certificates, before the
// SSLOpenSSLConfCmd commands run.
func (c *Config) sslCipherSuite(s *Server) (ciphers.Selection, error) {
	spec := c.SSLOf(s).CipherSuite
	if spec == "" {
		spec = DefaultCipherString
	}
	sel, err := ciphers.Select(spec)
	if err != nil {
		return sel, fmt.Errorf("AH01898: Unable to configure permitted SSL ciphers (SSL Library Error: %w)", err)
	}
	return sel, nil
}

// TLSProtocols are the protocols a TLS server's handshakes can agree on
// ("TLSv1" ... "TLSv1.3"): SSLProtocol's range, what SSLOpenSSLConfCmd
// changes of it, and the security level in force.
func (c *Config) TLSProtocols(s *Server) map[string]bool {
	conf, _ := c.OpenSSLConf(s)
	level := ciphers.DefaultSecurityLevel
	if sel, err := c.Ciphers(s); err == nil {
		level = sel.SecurityLevel
	}
	return conf.Protocols(level)
}

// go13Suites are the TLS 1.3 suites Go's crypto/tls always offers.
var go13Suites = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}

// cipherFindings checks a TLS server's SSLCipherSuite for configtest:
// fatal when OpenSSL would refuse it (the server would not start); a
// warning when crypto/tls implements none of the suites before TLS 1.3
// it permits (those protocols are then off), or when its TLS 1.3 list
// leaves out a suite crypto/tls offers anyway.
func (c *Config) cipherFindings(s *Server) []Finding {
	ssl := c.SSLOf(s)
	finding := func(at *Node, msg string, fatal bool) Finding {
		if at == nil {
			at = s.Node
		}
		f := Finding{Directive: "SSLCipherSuite", Message: msg, Fatal: fatal}
		if at != nil {
			f.File, f.Line = at.File, at.Line
		}
		return f
	}
	var out []Finding
	conf, err := c.OpenSSLConf(s)
	var ce *ConfCmdError
	if errors.As(err, &ce) {
		return []Finding{finding(ce.Cmd.Node, err.Error(), true)}
	}
	for _, cmd := range conf.NoEffect {
		out = append(out, finding(cmd.Node, fmt.Sprintf("%s: gowsgid does not apply SSLOpenSSLConfCmd %s", SSLName(s), cmd.Name), false))
	}
	if len(conf.MissingGroups) > 0 {
		out = append(out, finding(lastConfCmd(ssl, "Curves", "Groups"), fmt.Sprintf("%s: Go's crypto/tls does not implement the groups %s",
			SSLName(s), strings.Join(conf.MissingGroups, ", ")), false))
	}
	if _, err := TLS13Suites(ssl.TLS13Ciphers); err != nil {
		return append(out, finding(ssl.TLS13CiphersAt, "AH10127: Unable to configure permitted TLSv1.3 ciphers ("+err.Error()+")", true))
	}
	sel, err := c.Ciphers(s)
	switch {
	case err != nil && strings.HasPrefix(err.Error(), "AH02407"):
		return append(out, finding(lastConfCmd(ssl, "CipherString"), err.Error(), true))
	case err != nil:
		return append(out, finding(ssl.CipherSuiteAt, err.Error(), true))
	case len(sel.Go) == 0 && c.TLSProtocols(s)["TLSv1.2"]:
		n := min(len(sel.Names), 4)
		out = append(out, finding(ssl.CipherSuiteAt, fmt.Sprintf("%s: TLS 1.2 and earlier are off: Go's crypto/tls implements none of the %d suites the cipher string permits (%s...)",
			SSLName(s), len(sel.Names), strings.Join(sel.Names[:n], ", ")), false))
	}
	tls13, at := ssl.TLS13Ciphers, ssl.TLS13CiphersAt
	if conf.Ciphersuites != "" {
		tls13, at = conf.Ciphersuites, lastConfCmd(ssl, "Ciphersuites")
	}
	if tls13 != "" {
		for _, name := range go13Suites {
			if !slices.Contains(strings.Split(tls13, ":"), name) {
				out = append(out, finding(at, fmt.Sprintf("%s: Go's crypto/tls offers every TLS 1.3 suite (%s) whatever the TLS 1.3 list says",
					SSLName(s), strings.Join(go13Suites, ", ")), false))
				break
			}
		}
	}
	return out
}

// lastConfCmd is the node of the last SSLOpenSSLConfCmd with one of
// names (nil: none).
func lastConfCmd(ssl SSLSettings, names ...string) *Node {
	var n *Node
	for _, c := range ssl.ConfCmds {
		if slices.Contains(names, c.Name) {
			n = c.Node
		}
	}
	return n
}
