package confparse

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/gowsgid/gowsgid/errlogfmt"
	"github.com/gowsgid/gowsgid/internal/apr"
)

// applyServerName is core's server_hostname_port.
func applyServerName(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	arg := c.Args[0]
	if apr.FnmatchTest(arg) {
		return fmt.Errorf("Invalid ServerName \"%s\" use ServerAlias to set multiple server names.", arg)
	}
	part := arg
	if scheme, rest, ok := strings.Cut(arg, "://"); ok {
		c.Server.ServerScheme = strings.ToLower(scheme)
		part = rest
	}
	port := 0
	if host, portStr, ok := strings.Cut(part, ":"); ok {
		part = host
		port = atoi(portStr)
		if port <= 0 || port >= 65536 {
			return fmt.Errorf("The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", arg)
		}
	}
	c.Server.ServerName = part
	c.Server.ServerPort = port
	return nil
}

// applyServerAlias is core's set_server_alias.
func applyServerAlias(c *Cmd) error {
	if !c.Server.IsVirtual() {
		return errors.New("ServerAlias only used in <VirtualHost>")
	}
	for _, name := range SplitWords(c.Node.Raw) {
		if isMatchExp(name) {
			c.Server.WildNames = append(c.Server.WildNames, name)
		} else {
			c.Server.Names = append(c.Server.Names, name)
		}
	}
	return nil
}

// isMatchExp is ap_is_matchexp: a '*' or '?' makes a wildcard name.
func isMatchExp(s string) bool { return strings.ContainsAny(s, "*?") }

// applyServerAdmin records ServerAdmin.
func applyServerAdmin(c *Cmd) error {
	c.Server.ServerAdmin = c.Args[0]
	return nil
}

// applyDocumentRoot is core's set_document_root.
func applyDocumentRoot(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	if c.w.opts.NoDocumentRootCheck {
		c.Server.DocumentRoot = c.Args[0]
		return nil
	}
	p := c.w.rootRelative(c.Args[0])
	if !isDirectory(p) {
		if c.Server.IsVirtual() {
			c.Notice(Notice{Bare: true, Level: "warn", Module: "core",
				Text: fmt.Sprintf("AH00112: Warning: DocumentRoot [%s] does not exist", p)})
		} else {
			return fmt.Errorf("DocumentRoot '%s' is not a directory, or is not readable", p)
		}
	}
	// As apr_filepath_merge leaves it: cleaned, a trailing slash kept
	// (DOCUMENT_ROOT shows it; the mapping joins it to the path
	// without doubling it).
	c.Server.DocumentRoot = p
	return nil
}

func (w *walker) rootRelative(p string) string { return serverRootRelative(w.tree.ServerRoot, p) }

// RootRelative resolves p against the configuration's ServerRoot, as
// ap_server_root_relative does.
func (c *Config) RootRelative(p string) string {
	if c.Tree == nil {
		return p
	}
	return serverRootRelative(c.Tree.ServerRoot, p)
}

// serverRootRelative is ap_server_root_relative: a relative p is taken
// from root, and either is cleaned lexically (apr_filepath_merge), so
// that "/x/nosub/../a.conf" is /x/a.conf whether or not /x/nosub
// exists.
func serverRootRelative(root, p string) string { return apr.FilepathMerge(root, p) }

// applyOptions is core's set_options on the scope's configuration.
func applyOptions(c *Cmd) error {
	allowed := AllOptions
	if c.scope.htaccess {
		allowed = c.scope.overrideOpts
	}
	if c.Dir == nil {
		var scratch OptionsState
		return scratch.ApplyAllowed(c.Node.Raw, allowed)
	}
	return c.Dir.Options.ApplyAllowed(c.Node.Raw, allowed)
}

// Option bits, Apache's OPT_*.
const (
	OptIndexes     = 1 << iota // Indexes
	OptIncludes                // Includes (SSI)
	OptSymLinks                // FollowSymLinks
	OptExecCGI                 // ExecCGI
	_                          // OPT_UNSET
	OptIncWithExec             // Includes without NOEXEC
	OptSymOwner                // SymLinksIfOwnerMatch
	OptMulti                   // MultiViews
	OptAll         = OptIndexes | OptIncludes | OptIncWithExec | OptSymLinks | OptExecCGI
	// AllOptions are the options a configuration file may set (Apache's
	// cmd->override_opts outside .htaccess).
	AllOptions = OptAll | OptSymOwner | OptMulti
)

// OptionsState is the Options part of core's per-directory config: the
// effective set, the pending +/- changes, and whether a plain (absolute)
// Options line was seen (Apache's OPT_UNSET bit cleared).
type OptionsState struct {
	Opts, Add, Remove int
	Explicit          bool
}

// Apply runs one Options line over the state, with set_options's rules
// and messages.
func (o *OptionsState) Apply(raw string) error { return o.ApplyAllowed(raw, AllOptions) }

// ApplyAllowed is Apply where only the options in allowed may be named
// (a .htaccess file under AllowOverride Options=...): another is
// "Option X not allowed here".
func (o *OptionsState) ApplyAllowed(raw string, allowed int) error {
	first, merge, allNone := true, false, false
	mixed := errors.New("Either all Options must start with + or -, or no Option may.")
	for _, w := range SplitWords(raw) {
		action := byte(0)
		if w != "" && (w[0] == '+' || w[0] == '-') {
			action = w[0]
			w = w[1:]
			if !merge && !first && !allNone {
				return mixed
			}
			merge = true
		} else if first {
			o.Opts, o.Explicit = 0, true
		} else if merge {
			return mixed
		}
		var opt int
		switch strings.ToLower(w) {
		case "indexes":
			opt = OptIndexes
		case "includes":
			opt = OptIncludes | OptIncWithExec
		case "includesnoexec":
			opt = OptIncludes
		case "followsymlinks":
			opt = OptSymLinks
		case "symlinksifownermatch":
			opt = OptSymOwner
		case "execcgi":
			opt = OptExecCGI
		case "multiviews":
			opt = OptMulti
		case "runscripts":
			opt = OptMulti | OptExecCGI
		case "none":
			if !first {
				return errors.New("'Options None' must be the first Option given.")
			} else if merge {
				return errors.New("You may not use 'Options +None' or 'Options -None'.")
			}
			allNone = true
		case "all":
			if !first {
				return errors.New("'Options All' must be the first option given.")
			} else if merge {
				return errors.New("You may not use 'Options +All' or 'Options -All'.")
			}
			opt = OptAll
			allNone = true
		default:
			return fmt.Errorf("Illegal option %s", w)
		}
		if allowed&opt != opt {
			return fmt.Errorf("Option %s not allowed here", w)
		}
		switch action {
		case '-':
			o.Remove |= opt
			o.Add &^= opt
			o.Opts &^= opt
		case '+':
			o.Add |= opt
			o.Remove &^= opt
			o.Opts |= opt
		default:
			o.Opts |= opt
		}
		first = false
	}
	return nil
}

// merge is merge_core_dir_configs for Options.
func (base OptionsState) merge(child OptionsState) OptionsState {
	if child.Explicit {
		return child
	}
	m := base
	m.Add = (base.Add &^ child.Remove) | child.Add
	m.Remove = (base.Remove &^ child.Add) | child.Remove
	m.Opts = (base.Opts &^ m.Remove) | m.Add
	if base.Opts&(OptIncludes|OptIncWithExec) == OptIncludes|OptIncWithExec &&
		child.Opts&(OptIncludes|OptIncWithExec) == OptIncludes {
		m.Opts &^= OptIncWithExec
	}
	return m
}

// applyAllowOverride is core's set_override.
func applyAllowOverride(c *Cmd) error {
	if c.CheckContext(NotInLocation|NotInFiles) != nil {
		c.Notice(Notice{Level: "warn", Module: "core", Text: fmt.Sprintf(
			"AH00114: Useless use of AllowOverride in line %d of %s.", c.Node.Line, c.Node.File)})
	}
	o, opts, err := ParseAllowOverride(c.Node.Raw)
	if err != nil {
		return err
	}
	if c.Dir != nil {
		c.Dir.AllowOverride = &o
		if opts >= 0 {
			c.Dir.AllowOverrideOpts = &opts
		}
	}
	return nil
}

// applyAllowOverrideList is core's set_override_list: the directives a
// .htaccess file may hold whatever AllowOverride says. "None" alone is
// an empty list; a name no module knows, or one that is not allowed in
// a directory context at all, is discarded with a warning.
func applyAllowOverrideList(c *Cmd) error {
	if c.CheckContext(NotInLocation|NotInFiles) != nil {
		c.Notice(Notice{Level: "warn", Module: "core", Text: fmt.Sprintf(
			"AH00115: Useless use of AllowOverrideList at %s:%d", c.Node.File, c.Node.Line)})
	}
	if err := c.CheckContext(NotInHtaccess); err != nil {
		return err
	}
	list := []string{}
	for _, name := range c.Args {
		if strings.EqualFold(name, "None") {
			if len(c.Args) != 1 {
				return errors.New("'None' not allowed with other directives in AllowOverrideList")
			}
			break
		}
		d := c.w.reg.Lookup(name)
		switch {
		case d == nil || !c.w.loaded(d):
			c.Notice(Notice{Level: "warn", Module: "core", Text: fmt.Sprintf(
				"AH00116: Discarding unrecognized directive `%s' in AllowOverrideList at %s:%d", name, c.Node.File, c.Node.Line)})
		case d.Context&(OrAll|AccessConf) == 0:
			c.Notice(Notice{Level: "warn", Module: "core", Text: fmt.Sprintf(
				"AH02304: Discarding directive `%s' not allowed in AllowOverrideList at %s:%d", name, c.Node.File, c.Node.Line)})
		default:
			list = append(list, strings.ToLower(name))
		}
	}
	if c.Dir != nil {
		c.Dir.OverrideList = list
	}
	return nil
}

// ParseAllowOverride is core's set_override: the Override mask
// (Nonfatal= adds NonfatalOverride/NonfatalUnknown), and the options
// "Options=..." lets .htaccess files set (plain "Options" allows
// OptAll); opts is -1 when the line does not name Options. Apache cuts
// each word at '=' before comparing, so "Limit=x" is Limit.
func ParseAllowOverride(raw string) (o Override, opts int, err error) {
	opts = -1
	for _, w := range SplitWords(raw) {
		k, v, hasV := strings.Cut(w, "=")
		switch {
		case strings.EqualFold(k, "Limit"):
			o |= OrLimit
		case strings.EqualFold(k, "Options"):
			o |= OrOptions
			opts = OptAll
			if hasV {
				opts = allowOpts(v)
			}
		case strings.EqualFold(k, "FileInfo"):
			o |= OrFileInfo
		case strings.EqualFold(k, "AuthConfig"):
			o |= OrAuthCfg
		case strings.EqualFold(k, "Indexes"):
			o |= OrIndexes
		case strings.EqualFold(k, "Nonfatal"):
			switch {
			case !hasV:
				return o, opts, fmt.Errorf("=Override, =Unknown or =All expected after %s", k)
			case strings.EqualFold(v, "Override"):
				o |= NonfatalOverride
			case strings.EqualFold(v, "Unknown"):
				o |= NonfatalUnknown
			case strings.EqualFold(v, "All"):
				o |= NonfatalOverride | NonfatalUnknown
			}
		case strings.EqualFold(k, "None"):
			o = 0
		case strings.EqualFold(k, "All"):
			o = OrAll
		default:
			return o, opts, fmt.Errorf("Illegal override option %s", k)
		}
	}
	return o, opts, nil
}

// allowOpts is set_allow_opts: the comma-separated options of
// "AllowOverride Options=..."; Apache ignores an unknown word's error
// (set_override does not look at it) and keeps what came before.
func allowOpts(list string) int {
	opts := 0
	for _, w := range strings.Split(list, ",") {
		if w == "" {
			continue
		}
		switch strings.ToLower(w) {
		case "indexes":
			opts |= OptIndexes
		case "includes":
			opts |= OptIncludes | OptIncWithExec
		case "includesnoexec":
			opts |= OptIncludes
		case "followsymlinks":
			opts |= OptSymLinks
		case "symlinksifownermatch":
			opts |= OptSymOwner
		case "execcgi":
			opts |= OptExecCGI
		case "multiviews":
			opts |= OptMulti
		case "runscripts":
			opts |= OptMulti | OptExecCGI
		case "none":
		case "all":
			opts |= OptAll
		default:
			return opts
		}
	}
	return opts
}

// applyError is core's generate_error.
func applyError(c *Cmd) error {
	arg := c.Node.Raw
	if arg == "" {
		return errors.New("The Error directive was used with no message.")
	}
	if (arg[0] == '"' || arg[0] == '\'') && arg[len(arg)-1] == arg[0] {
		if len(arg) < 2 {
			return errors.New(arg[1:])
		}
		return errors.New(arg[1 : len(arg)-1])
	}
	return errors.New(arg)
}

// applyNameVirtualHost gives AH00548 once, as Apache does.
func applyNameVirtualHost(c *Cmd) error {
	if !c.w.nameVHostWarned {
		c.w.nameVHostWarned = true
		c.Notice(Notice{Bare: true, Level: "notice", Module: "core", Text: fmt.Sprintf(
			"AH00548: NameVirtualHost has no effect and will be removed in the next release %s:%d",
			c.Node.File, c.Node.Line)})
	}
	return nil
}

// applyErrorDocument is core's set_error_document. The document is stored
// as Apache stores it: a message (text with a space, or neither a local
// path nor a URL) gets a leading '"'; "default" restores the canned page.
func applyErrorDocument(c *Cmd) error {
	code := atoi(c.Args[0])
	if code != 500 {
		if _, ok := StatusLines[code]; !ok {
			return fmt.Errorf("Unsupported HTTP response code %s", c.Args[0])
		}
	}
	msg := c.Args[1]
	isText := strings.Contains(msg, " ") || (!strings.HasPrefix(msg, "/") && !isURL(msg))
	if code == 401 && !isText && !strings.HasPrefix(msg, "/") {
		c.Notice(Notice{Level: "notice", Module: "core", Text: fmt.Sprintf(
			"AH00113: %s:%d cannot use a full URL in a 401 ErrorDocument directive --- ignoring!", c.Node.File, c.Node.Line)})
		return nil
	}
	doc := "default"
	if !strings.EqualFold(msg, "default") {
		doc = msg
		if isText {
			doc = "\"" + msg
		}
		if _, err := c.parseExprString(doc); err != nil {
			return fmt.Errorf("Cannot parse expression in ErrorDocument: %s", err)
		}
	}
	if c.Dir != nil {
		if c.Dir.ErrorDocuments == nil {
			c.Dir.ErrorDocuments = map[int]string{}
		}
		c.Dir.ErrorDocuments[code] = doc
	}
	c.Record()
	return nil
}

// logLevels are Apache's log level keywords.
var logLevels = []string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
	"trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"}

const logLevelError = "Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8"

func isLogLevel(s string) bool {
	for _, l := range logLevels {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}

// applyLogLevel is core's set_loglevel, called per word: a level keyword
// sets the level of every module (and forgets the module levels set
// before it), module:level the level of one module. At server scope the
// result is the server's LogLevels; inside a section it is only recorded
// (per-directory LogLevel is not applied).
func applyLogLevel(c *Cmd) error {
	levels := &c.Server.LogLevel
	inSection := c.scope.inPath
	for _, arg := range c.Args {
		i := strings.LastIndexByte(arg, ':')
		if i < 0 {
			if !isLogLevel(arg) {
				return errors.New(logLevelError)
			}
			if !inSection {
				levels.Level, levels.Modules = strings.ToLower(arg), nil
			}
			continue
		}
		mod, level := arg[:i], arg[i+1:]
		if level == "" {
			return fmt.Errorf("Module specifier '%s' must be followed by a log level keyword", mod)
		}
		if !isLogLevel(level) {
			return fmt.Errorf("%s:%s: %s", mod, level, logLevelError)
		}
		short, ok := c.w.tree.moduleShortName(mod)
		if !ok {
			return fmt.Errorf("Cannot find module %s", mod)
		}
		if !inSection {
			if levels.Modules == nil {
				levels.Modules = map[string]string{}
			}
			levels.Modules[short] = strings.ToLower(level)
		}
	}
	c.Record()
	return nil
}

// applyKeepAliveTimeout is http_core's set_keep_alive_timeout.
func applyKeepAliveTimeout(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	if _, err := parseTimeout(c.Args[0], "s"); err != nil {
		return errors.New("KeepAliveTimeout has wrong format")
	}
	c.Record()
	return nil
}

// parseTimeout is ap_timeout_parameter_parse: an integer with an
// optional unit (s, h, ms, mi; only the leading letters count) and defUnit
// when none is given. It returns seconds.
func parseTimeout(s, defUnit string) (float64, error) {
	n, rest := strtol(s)
	unit := rest
	if unit == "" {
		unit = defUnit
	}
	bad := errors.New("bad timeout")
	switch {
	case n < 0, unit == "":
		return 0, bad
	case unit[0] == 's':
		return float64(n), nil
	case unit[0] == 'h':
		return float64(n) * 3600, nil
	case unit[0] == 'm' && len(unit) > 1 && unit[1] == 's':
		return float64(n) / 1000, nil
	case unit[0] == 'm' && len(unit) > 1 && unit[1] == 'i':
		return float64(n) * 60, nil
	}
	return 0, bad
}

// strtol is C's strtol in base 10: it returns the number and the text
// after it (all of s when there is no number).
func strtol(s string) (int64, string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	digits := i
	var n int64
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if n < 1<<62 {
			n = n*10 + int64(s[i]-'0')
		}
		i++
	}
	if i == digits {
		return 0, s[:start] + s[start:] // no number: endp is the start
	}
	if neg {
		n = -n
	}
	return n, s[i:]
}

// Atoi is C's atoi, as Apache and its modules read most numbers:
// leading spaces and sign, digits up to the first other byte, 0 when
// there are none.
func Atoi(s string) int { return atoi(s) }

// Atoi64 is APR's apr_atoi64 (strtoll in base 10): Atoi without its
// 32-bit bound, for sizes in bytes.
func Atoi64(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n int64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > (1<<63-1-9)/10 {
			n = 1<<63 - 1 // strtoll's LLONG_MAX on overflow
			break
		}
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// atoi is C's atoi: leading spaces and sign, digits up to the first other
// byte, 0 when there are none; its magnitude is bounded by 2^31.
func atoi(s string) int {
	return int(max(min(Atoi64(s), 1<<31), -(1 << 31)))
}

// applyListen is listen.c's ap_set_listener.
func applyListen(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	if len(c.Args) < 1 || len(c.Args) > 2 {
		return errors.New("Listen requires 1 or 2 arguments.")
	}
	host, port, err := ParseAddrPort(c.Args[0])
	if err != nil {
		return errors.New("Invalid address or port")
	}
	if host == "*" {
		host = ""
	}
	if port == 0 {
		return errors.New("Port must be specified")
	}
	proto := "http"
	if len(c.Args) == 2 {
		proto = strings.ToLower(c.Args[1])
	} else if port == 443 {
		proto = "https"
	}
	for _, l := range c.Config.Listeners {
		if l.Port == port && sameListenHost(l.Host, host) {
			return errors.New("Cannot define multiple Listeners on the same IP:port")
		}
	}
	if host != "" && net.ParseIP(host) == nil {
		if _, err := c.Config.resolve(host); err != nil {
			c.Notice(Notice{Level: "crit", Module: "core", Text: fmt.Sprintf(
				"AH00077: alloc_listener: failed to set up sockaddr for %s", host)})
			return errors.New("Listen setup failed")
		}
	}
	c.Config.Listeners = append(c.Config.Listeners, Listener{Host: host, Port: port, Protocol: proto,
		File: c.Node.File, Line: c.Node.Line})
	return nil
}

func sameListenHost(a, b string) bool {
	if a == b {
		return true
	}
	ia, ib := net.ParseIP(a), net.ParseIP(b)
	return ia != nil && ib != nil && ia.Equal(ib)
}

// errBadAddrPort is ParseAddrPort's error.
var errBadAddrPort = errors.New("invalid address or port")

// ParseAddrPort is apr_parse_addr_port: "host", "host:port", "[v6]:port"
// or a bare port. It returns host "" for a bare port.
func ParseAddrPort(s string) (host string, port int, err error) {
	bad := errBadAddrPort
	if s == "" {
		return "", 0, bad
	}
	last := len(s) - 1
	for last >= 0 && s[last] >= '0' && s[last] <= '9' {
		last--
	}
	if last < 0 {
		p := atoi(s)
		if p < 1 || p > 65535 {
			return "", 0, bad
		}
		return "", p, nil
	}
	addr := s
	// A ':' with digits after it ends the host; with none it is part of
	// the host ("*:" is a name to resolve).
	if s[last] == ':' && last < len(s)-1 {
		if last == 0 {
			return "", 0, bad // the string starts with ':'
		}
		p := atoi(s[last+1:])
		if p < 1 || p > 65535 {
			return "", 0, bad
		}
		port = p
		addr = s[:last]
	}
	if strings.HasPrefix(addr, "[") {
		end := strings.IndexByte(addr, ']')
		if end != len(addr)-1 {
			return "", 0, bad
		}
		inner := addr[1:end]
		if i := strings.IndexByte(inner, '%'); i >= 0 {
			inner = inner[:i]
		}
		if ip := net.ParseIP(inner); ip == nil || ip.To4() != nil && !strings.Contains(inner, ":") {
			return "", 0, bad
		}
		return addr[1:end], port, nil
	}
	return addr, port, nil
}

// applyUser and applyGroup record mod_unixd's User and Group.
func applyUser(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	uid, err := unameToID(c.Args[0])
	if err != nil {
		return err
	}
	if uid == 0 {
		return errors.New("Error:\tApache has not been designed to serve pages while\n" +
			"\trunning as root.  There are known race conditions that\n" +
			"\twill allow any local user to read any file on the system.\n" +
			"\tIf you still desire to serve pages as root then\n" +
			"\tadd -DBIG_SECURITY_HOLE to the CFLAGS env variable\n" +
			"\tand then rebuild the server.\n" +
			"\tIt is strongly suggested that you instead modify the User\n" +
			"\tdirective in your httpd.conf file to list a non-root\n" +
			"\tuser.\n")
	}
	c.Config.User, c.Config.UserID = c.Args[0], uid
	return nil
}

func applyGroup(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	gid, err := gnameToID(c.Args[0])
	if err != nil {
		return err
	}
	c.Config.Group, c.Config.GroupID = c.Args[0], gid
	return nil
}

// applyPidFile records PidFile.
func applyPidFile(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	c.Config.PidFile = c.Args[0]
	return nil
}

// applyErrorLog records ErrorLog for the server it appears in.
func applyErrorLog(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	c.Server.ErrorLog = c.Args[0]
	return nil
}

// applyErrorLogFormat is core's set_errorlog_format: one argument is the
// format of the server's lines (the last one wins), "connection" or
// "request" and a format add a once-per-connection or once-per-request
// line.
func applyErrorLogFormat(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	f := &c.Server.ErrorLogFormats
	if len(c.Args) == 1 {
		m, err := errlogfmt.Parse(c.Args[0], true)
		if err != nil {
			return err
		}
		f.Main = m
		return nil
	}
	var lines *[]*errlogfmt.Format
	switch strings.ToLower(c.Args[0]) {
	case "connection":
		lines = &f.Conn
	case "request":
		lines = &f.Req
	default:
		return errors.New("ErrorLogFormat type must be one of request, connection")
	}
	l, err := errlogfmt.Parse(c.Args[1], false)
	if err != nil {
		return err
	}
	*lines = append(*lines, l)
	return nil
}

// ErrorLogFormatsOf is server s's ErrorLogFormat settings as core merges
// them: a virtual host's own, else the main server's. A virtual host
// begins with the main server's line format as it stood at its
// <VirtualHost> (create_core_server_config), which a later one in the
// main server does not replace.
func (cfg *Config) ErrorLogFormatsOf(s *Server) errlogfmt.Formats {
	f := cfg.Main.ErrorLogFormats
	if s == nil || s == cfg.Main {
		return f
	}
	if s.ErrorLogFormats.Main != nil {
		f.Main = s.ErrorLogFormats.Main
	} else if s.mainLogFormat != nil {
		f.Main = s.mainLogFormat
	}
	if s.ErrorLogFormats.Conn != nil {
		f.Conn = s.ErrorLogFormats.Conn
	}
	if s.ErrorLogFormats.Req != nil {
		f.Req = s.ErrorLogFormats.Req
	}
	return f
}

// applyMutex is ap_set_mutex: a mechanism (with an optional directory),
// then the mutex types it applies to ("default" when none is named).
func applyMutex(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	words := SplitWords(c.Node.Raw)
	if len(words) == 0 || words[0] == "" {
		return errors.New("Mutex requires at least a mechanism argument (" + mutexMechanisms + ")")
	}
	mechdir := words[0]
	meth, file, _ := strings.Cut(mechdir, ":")
	var mech string
	switch strings.ToLower(meth) {
	case "none", "no":
		mech = "none"
	case "default", "yes":
		mech = "default"
	case "fcntl", "file":
		mech = "fcntl"
	case "flock":
		mech = "flock"
	case "posixsem", "sem":
		mech, file = "posixsem", ""
	case "sysvsem":
		mech = "sysvsem"
	case "pthread":
		mech = "pthread"
	default:
		return fmt.Errorf("Invalid Mutex argument %s (%s)", mechdir, mutexMechanisms)
	}
	dir := ""
	if file != "" {
		dir = c.Config.RootRelative(file)
		if !isDirectory(dir) {
			return fmt.Errorf("Invalid Mutex directory in argument %s", mechdir)
		}
	}
	var types []string
	for _, w := range words[1:] {
		if !strings.EqualFold(w, "omitpid") {
			types = append(types, w)
		}
	}
	if len(types) == 0 {
		types = []string{"default"}
	}
	valid := MutexTypes(c.w.tree)
	for i := len(types) - 1; i >= 0; i-- {
		if !slices.Contains(valid, types[i]) {
			return fmt.Errorf("Mutex type %s is not valid", types[i])
		}
		c.Config.Mutexes[types[i]] = Mutex{Mechanism: mech, Dir: dir}
	}
	return nil
}

const mutexMechanisms = "Mutex mechanisms are: 'none', 'default', 'flock:/path/to/file', 'fcntl:/path/to/file', 'file:/path/to/file', 'pthread', 'sysvsem', 'posixsem', 'sem'"

// Mutex is one Mutex setting.
type Mutex struct {
	Mechanism string // none, default, fcntl, flock, posixsem, sysvsem, pthread
	Dir       string // "" for the default directory
}

// moduleMutexes are the mutex types Apache's modules register (found by
// loading each Debian module and reading apache2 -S).
var moduleMutexes = map[string][]string{
	"mod_auth_digest.c":   {"authdigest-client"},
	"mod_authn_socache.c": {"authn-socache"},
	"util_ldap.c":         {"ldap-cache"},
	"mod_lua.c":           {"lua-ivm-shm"},
	"mod_proxy.c":         {"proxy"},
	"mod_rewrite.c":       {"rewrite-map"},
	"mod_ssl.c":           {"ssl-cache", "ssl-stapling", "ssl-stapling-refresh"},
}

// MutexTypes lists the mutex types that exist with the loaded modules:
// "default", mod_watchdog's, and those of loaded modules, sorted.
func MutexTypes(t *Tree) []string {
	types := []string{"default", "watchdog-callback"}
	for _, m := range t.Loaded {
		types = append(types, moduleMutexes[m.File]...)
	}
	slices.Sort(types[1:])
	return types
}

// applyTimeout is core's set_timeout: atoi, so rubbish is 0.
func applyTimeout(c *Cmd) error {
	if err := c.CheckContext(NotInDirContext); err != nil {
		return err
	}
	// Apache reads Timeout with atoi: rubbish is 0 and Syntax OK.
	c.Record()
	return nil
}

// applyAcceptFilter is core's set_accf_map: the accept filter of a
// protocol.
func applyAcceptFilter(c *Cmd) error {
	if c.Config.AcceptFilters == nil {
		c.Config.AcceptFilters = map[string]string{}
	}
	c.Config.AcceptFilters[strings.ToLower(c.Args[0])] = c.Args[1]
	return nil
}

// DeferAccept reports whether the listeners of a protocol hand over a
// connection only once it has data: Linux's accept filter, "data", is
// the default for http and https; "none" turns it off.
func (c *Config) DeferAccept(protocol string) bool {
	protocol = strings.ToLower(protocol)
	filter, ok := c.AcceptFilters[protocol]
	if !ok {
		return protocol == "http" || protocol == "https"
	}
	return filter != "none"
}
