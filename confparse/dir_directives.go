package confparse

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The per-directory directives of core, mod_dir, mod_mime, mod_authn_*,
// mod_auth_basic and mod_autoindex that configs for Python sites use, each
// with its module's checks and messages, recording into Cmd.Dir.

// oneOf makes an ApplyFunc for a TAKE1 keyword directive: the lower-cased
// word must be one of words, else msg is the error; set stores it.
func oneOf(msg string, set func(d *DirConfig, v string), words ...string) ApplyFunc {
	return func(c *Cmd) error {
		v := strings.ToLower(c.Args[0])
		for _, w := range words {
			if v == w {
				set(c.Dir, v)
				return nil
			}
		}
		return errors.New(msg)
	}
}

func ptr[T any](v T) *T { return &v }

var (
	applyAcceptPathInfo = oneOf("AcceptPathInfo must be set to on, off or default",
		func(d *DirConfig, v string) { d.AcceptPathInfo = ptr(v) }, "on", "off", "default")
	applyServerSignature = oneOf("ServerSignature: use one of: off | on | email",
		func(d *DirConfig, v string) { d.ServerSignature = ptr(v) }, "on", "off", "email")
	applyUseCanonicalName = oneOf("parameter must be 'on', 'off', or 'dns'",
		func(d *DirConfig, v string) { d.UseCanonicalName = ptr(v) }, "on", "off", "dns")
	applyHostnameLookups = oneOf("parameter must be 'on', 'off', or 'double'",
		func(d *DirConfig, v string) { d.HostnameLookups = ptr(v) }, "on", "off", "double")
	applyEnableSendfile = oneOf("parameter must be 'on' or 'off'",
		func(d *DirConfig, v string) { d.EnableSendfile = ptr(v == "on") }, "on", "off")
	// applyEnableMMAP is kept for the compression filters: gowsgid maps
	// no files itself.
	applyEnableMMAP = oneOf("parameter must be 'on' or 'off'",
		func(d *DirConfig, v string) { d.EnableMMAP = ptr(v == "on") }, "on", "off")
)

// applyAddDefaultCharset is core's set_add_default_charset.
func applyAddDefaultCharset(c *Cmd) error {
	switch v := c.Args[0]; {
	case strings.EqualFold(v, "off"):
		c.Dir.AddDefaultCharset = ptr("")
	case strings.EqualFold(v, "on"):
		c.Dir.AddDefaultCharset = ptr("iso-8859-1")
	default:
		c.Dir.AddDefaultCharset = ptr(v)
	}
	return nil
}

// applyLimitRequestBody is core's set_limit_req_body.
func applyLimitRequestBody(c *Cmd) error {
	n, rest := strtol(c.Args[0])
	if rest == c.Args[0] && c.Args[0] != "" && (c.Args[0][0] < '0' || c.Args[0][0] > '9') {
		return errors.New("LimitRequestBody requires a non-negative integer.")
	}
	if rest != "" || n < 0 {
		return errors.New("LimitRequestBody requires a non-negative integer.")
	}
	c.Dir.LimitRequestBody = &n
	return nil
}

// The values of MaxRanges, MaxRangeOverlaps and MaxRangeReversals other
// than a positive limit (static's RangesDefault, RangesUnlimited and
// RangesNone).
const (
	RangesDefault   = 0
	RangesUnlimited = -1
	RangesNone      = -2
)

// applyRangeLimit is core's set_max_ranges, set_max_overlaps and
// set_max_reversals: none, default, unlimited or a positive integer
// (read as atoi reads it).
func applyRangeLimit(name string, field func(*DirConfig) **int) func(c *Cmd) error {
	return func(c *Cmd) error {
		v := RangesDefault
		switch arg := c.Args[0]; strings.ToLower(arg) {
		case "none":
			v = RangesNone
		case "default":
		case "unlimited":
			v = RangesUnlimited
		default:
			// glibc's atoi: strtol's long cut to an int, so a number
			// past 2^31 wraps around.
			n := int32(Atoi64(arg))
			if n <= 0 {
				return fmt.Errorf("%s requires 'none', 'default', 'unlimited' or a positive integer", name)
			}
			v = int(n)
		}
		*field(c.Dir) = &v
		return nil
	}
}

// applyForceType is ForceType (ap_set_string_slot_lower).
func applyForceType(c *Cmd) error {
	c.Dir.ForceType = ptr(strings.ToLower(c.Args[0]))
	return nil
}

// applySetHandler is core's set_sethandler: the value is a string
// expression, most often just a handler name.
func applySetHandler(c *Cmd) error {
	if _, err := c.parseExprString(c.Args[0]); err != nil {
		return fmt.Errorf("Can't parse expression : %s", err)
	}
	c.Dir.SetHandler = ptr(c.Args[0])
	return nil
}

// applyFileETag is core's set_etag_bits: absolute keywords replace what
// the scope had (and what it inherits); +/- keywords are kept apart, to
// apply on top of the inherited bits when configurations merge.
func applyFileETag(c *Cmd) error {
	var spec FileETagSpec
	if c.Dir.FileETag != nil {
		spec = *c.Dir.FileETag
	}
	first := true
	for _, w := range SplitWords(c.Node.Raw) {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action, w = w[0], w[1:]
		} else if first {
			spec, first = FileETagSpec{}, false
		}
		var bit ETagBits
		switch strings.ToLower(w) {
		case "none", "all":
			if action != 0 {
				return fmt.Errorf("FileETag keyword '%s' cannot be used with '+' or '-'", w)
			}
			bit = ETagNone
			if strings.EqualFold(w, "all") {
				bit = ETagAll
			}
			spec.Bits = bit
		case "size":
			bit = ETagSize
		case "mtime", "lmtime", "lastmodified":
			bit = ETagMTime
		case "inode":
			bit = ETagINode
		case "digest":
			bit = ETagDigest
		default:
			return fmt.Errorf("Unknown keyword '%s' for FileETag directive", w)
		}
		switch action {
		case '+':
			spec.Add |= bit
			spec.Remove &^= bit
		case '-':
			spec.Remove |= bit
			spec.Add &^= bit
		default:
			spec.Bits |= bit
			spec.Add, spec.Remove = ETagUnset, ETagUnset
		}
	}
	c.Dir.FileETag = &spec
	return nil
}

// applyDirectoryIndex is mod_dir's add_index.
func applyDirectoryIndex(c *Cmd) error {
	words := untilEmpty(SplitWords(c.Node.Raw), 0)
	if len(words) == 1 && strings.EqualFold(words[0], "disabled") {
		c.Dir.DirectoryIndex = []string{}
		return nil
	}
	c.Dir.DirectoryIndex = append(c.Dir.DirectoryIndex, words...)
	return nil
}

func applyDirectorySlash(c *Cmd) error {
	c.Dir.DirectorySlash = ptr(strings.EqualFold(c.Args[0], "on"))
	return nil
}

// applyDirectoryIndexRedirect is mod_dir's configure_redirect.
func applyDirectoryIndexRedirect(c *Cmd) error {
	v := c.Args[0]
	var status int
	switch {
	case strings.EqualFold(v, "on"), strings.EqualFold(v, "temp"):
		status = 302
	case strings.EqualFold(v, "off"):
		status = 0
	case strings.EqualFold(v, "permanent"):
		status = 301
	case strings.EqualFold(v, "seeother"):
		status = 303
	case v != "" && v[0] >= '0' && v[0] <= '9':
		status = int(cAtoi(v))
		if status < 300 || status > 399 {
			return errors.New("DirectoryIndexRedirect only accepts values between 300 and 399")
		}
	default:
		return errors.New("DirectoryIndexRedirect ON|OFF|permanent|temp|seeother|3xx")
	}
	c.Dir.DirectoryIndexRedirect = ptr(status)
	return nil
}

func applyFallbackResource(c *Cmd) error {
	c.Dir.FallbackResource = ptr(c.Args[0])
	return nil
}

// mimeTable picks the per-extension table an Add* directive of mod_mime
// fills.
func mimeTable(d *DirConfig, name string) *map[string]string {
	switch strings.ToLower(name) {
	case "addtype":
		return &d.Types
	case "addcharset":
		return &d.Charsets
	case "addencoding":
		return &d.Encodings
	case "addlanguage":
		return &d.Languages
	case "addhandler":
		return &d.Handlers
	}
	return nil
}

// applyAddExtension is mod_mime's add_extension_info (ITERATE2: a value,
// then extensions); both are lower-cased, a leading dot is dropped.
func applyAddExtension(c *Cmd) error {
	table := mimeTable(c.Dir, c.Directive.Name)
	if table == nil {
		return nil // AddInputFilter/AddOutputFilter: recorded only
	}
	if *table == nil {
		*table = map[string]string{}
	}
	value := strings.ToLower(c.Args[0])
	for _, ext := range c.Args[1:] {
		(*table)[strings.TrimPrefix(strings.ToLower(ext), ".")] = value
	}
	return nil
}

// applyRemoveExtension is RemoveType / RemoveHandler.
func applyRemoveExtension(c *Cmd) error {
	for _, ext := range c.Args {
		ext = strings.TrimPrefix(strings.ToLower(ext), ".")
		switch strings.ToLower(c.Directive.Name) {
		case "removetype":
			c.Dir.RemovedTypes = append(c.Dir.RemovedTypes, ext)
			delete(c.Dir.Types, ext)
		case "removehandler":
			c.Dir.RemovedHandlers = append(c.Dir.RemovedHandlers, ext)
			delete(c.Dir.Handlers, ext)
		case "removecharset":
			c.Dir.RemovedCharsets = append(c.Dir.RemovedCharsets, ext)
		case "removeencoding":
			c.Dir.RemovedEncodings = append(c.Dir.RemovedEncodings, ext)
		case "removelanguage":
			c.Dir.RemovedLanguages = append(c.Dir.RemovedLanguages, ext)
		}
	}
	return nil
}

// applyTypesConfig records mod_mime's TypesConfig for the server.
func applyTypesConfig(c *Cmd) error {
	c.Server.TypesConfig = c.Config.RootRelative(c.Args[0])
	return nil
}

// applyAuthType is mod_authn_core's set_authtype: the type is a string
// expression, evaluated per request.
func applyAuthType(c *Cmd) error {
	if _, err := c.parseExprString(c.Args[0]); err != nil {
		return fmt.Errorf("Cannot parse expression '%s' in AuthType: %s", c.Args[0], err)
	}
	c.Dir.AuthType = ptr(c.Args[0])
	return nil
}

// applyAuthName is mod_authn_core's set_authname, a string expression
// too.
func applyAuthName(c *Cmd) error {
	if _, err := c.parseExprString(c.Args[0]); err != nil {
		return fmt.Errorf("Cannot parse expression '%s' in AuthName: %s", c.Args[0], err)
	}
	c.Dir.AuthName = ptr(c.Args[0])
	return nil
}

// BasicFake is AuthBasicFake's user and password expressions; both are
// empty for "AuthBasicFake off".
type BasicFake struct {
	User, Password string
}

// applyAuthBasicFake is mod_auth_basic's add_basic_fake: the password
// defaults to "password", as mod_ssl's FakeBasicAuth sends it.
func applyAuthBasicFake(c *Cmd) error {
	user := c.Args[0]
	if strings.EqualFold(user, "off") {
		c.Dir.AuthBasicFake = &BasicFake{}
		return nil
	}
	pass := "password"
	if len(c.Args) > 1 {
		pass = c.Args[1]
	}
	if _, err := c.parseExprString(user); err != nil {
		return fmt.Errorf("Could not parse fake username expression '%s': %s", user, err)
	}
	if _, err := c.parseExprString(pass); err != nil {
		return fmt.Errorf("Could not parse fake password expression associated to user '%s': %s", user, err)
	}
	c.Dir.AuthBasicFake = &BasicFake{User: user, Password: pass}
	return nil
}

// applyAuthBasicUseDigestAlgorithm is mod_auth_basic's
// set_use_digest_algorithm.
func applyAuthBasicUseDigestAlgorithm(c *Cmd) error {
	alg := c.Args[0]
	if !strings.EqualFold(alg, "Off") && !strings.EqualFold(alg, "MD5") {
		return fmt.Errorf("Invalid algorithm in AuthBasicUseDigestAlgorithm: %s", alg)
	}
	c.Dir.AuthBasicDigestMD5 = ptr(strings.EqualFold(alg, "MD5"))
	return nil
}

// applyAuthBasicProvider checks the providers that exist (file is
// mod_authn_file's; others belong to modules gowsgid does not serve yet).
func applyAuthBasicProvider(c *Cmd) error {
	for _, p := range c.Args {
		mod := map[string]string{"file": "mod_authn_file.c", "dbm": "mod_authn_dbm.c",
			"dbd": "mod_authn_dbd.c", "anon": "mod_authn_anon.c", "ldap": "mod_authnz_ldap.c",
			"socache": "mod_authn_socache.c", "wsgi": "mod_wsgi.c"}[p]
		if mod == "" || !c.w.tree.IsLoaded(mod) {
			return fmt.Errorf("Unknown Authn provider: %s", p)
		}
	}
	c.Dir.AuthBasicProvider = append(c.Dir.AuthBasicProvider, c.Args...)
	return nil
}

func applyAuthUserFile(c *Cmd) error {
	c.Dir.AuthUserFile = ptr(c.Config.RootRelative(c.Args[0]))
	return nil
}

func applyAuthGroupFile(c *Cmd) error {
	c.Dir.AuthGroupFile = ptr(c.Config.RootRelative(c.Args[0]))
	return nil
}

// applyAuthMerging is mod_authz_core's AuthMerging.
var applyAuthMerging = oneOf("AuthMerging must be one of: Off | And | Or",
	func(d *DirConfig, v string) { d.AuthMerging = ptr(v) }, "off", "and", "or")

// applyIndexOptions adds the line's words to the section's: the lines of
// one section add up in one record (add_opts), while sections merge
// record by record (merge_autoindex_configs).
func applyIndexOptions(c *Cmd) error {
	words := SplitWords(c.Node.Raw)
	if c.Dir.IndexOptions == nil {
		c.Dir.IndexOptions = &IndexOptionsMerge{}
	}
	if err := checkIndexOptions(c.Dir.IndexOptions.Words, words); err != nil {
		return err
	}
	c.Dir.IndexOptions.Words = append(c.Dir.IndexOptions.Words, words...)
	return nil
}

// applyIndexIgnoreReset is IndexIgnoreReset (a flag).
func applyIndexIgnoreReset(c *Cmd) error {
	c.Dir.IndexIgnoreReset = strings.EqualFold(c.Args[0], "on")
	return nil
}

func applyIndexIgnore(c *Cmd) error {
	c.Dir.IndexIgnore = append(c.Dir.IndexIgnore, c.Args...)
	return nil
}

// atoiStrict parses a decimal integer, rejecting anything else.
func atoiStrict(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// applyServerTokens is core's set_serv_tokens.
func applyServerTokens(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	switch v := strings.ToLower(c.Args[0]); v {
	case "os", "min", "minimal", "major", "minor", "prod", "productonly", "full":
		c.Config.ServerTokens = v
		return nil
	}
	return errors.New("ServerTokens takes 1 argument: 'Prod(uctOnly)', 'Major', 'Minor', 'Min(imal)', 'OS', or 'Full'")
}

// applyTraceEnable is core's set_trace_enable.
func applyTraceEnable(c *Cmd) error {
	v := strings.ToLower(c.Args[0])
	if v != "on" && v != "off" && v != "extended" {
		return errors.New("TraceEnable must be one of 'on', 'off', or 'extended'")
	}
	c.Server.TraceEnable = v
	if !c.Server.IsVirtual() {
		c.Config.TraceEnable = v
	}
	return nil
}

// applyAccessFileName is core's set_access_name.
func applyAccessFileName(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	c.Server.AccessFileName = SplitWords(c.Node.Raw)
	return nil
}

// applyAllowEncodedSlashes is core's set_allow2f.
func applyAllowEncodedSlashes(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	v := strings.ToLower(c.Args[0])
	if v != "on" && v != "off" && v != "nodecode" {
		return fmt.Errorf("%s must be On, Off, or NoDecode", c.Directive.Name)
	}
	c.Server.AllowEncodedSlashes = v
	return nil
}

// dirFlag is ap_set_flag_slot for a per-directory On/Off setting.
func dirFlag(field func(d *DirConfig) **bool) ApplyFunc {
	return func(c *Cmd) error {
		*field(c.Dir) = ptr(strings.EqualFold(c.Args[0], "on"))
		return nil
	}
}

var (
	applyQualifyRedirectURL     = dirFlag(func(d *DirConfig) **bool { return &d.QualifyRedirectURL })
	applyDirectoryCheckHandler  = dirFlag(func(d *DirConfig) **bool { return &d.DirectoryCheckHandler })
	applyRedirectRelative       = dirFlag(func(d *DirConfig) **bool { return &d.RedirectRelative })
	applyAliasPreservePath      = dirFlag(func(d *DirConfig) **bool { return &d.AliasPreservePath })
	applyAuthzForbiddenOnFail   = dirFlag(func(d *DirConfig) **bool { return &d.AuthzForbiddenOnFailure })
	applyAuthBasicAuthoritative = dirFlag(func(d *DirConfig) **bool { return &d.AuthBasicAuthoritative })
)

// applyDefaultLanguage is mod_mime's DefaultLanguage (ap_set_string_slot).
func applyDefaultLanguage(c *Cmd) error {
	c.Dir.DefaultLanguage = ptr(c.Args[0])
	return nil
}
