package confparse

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"
	"strings"
)

// mod_wsgi 4.9's directive checks (src/server/mod_wsgi.c), with its
// messages.

// parseWSGIOption is wsgi_parse_option: one name=value pair, the value
// quoted as Apache words are. ok is false when the next word is not of
// that form.
func parseWSGIOption(args string) (name, value, rest string, ok bool) {
	i := skipSpace(args, 0)
	if i >= len(args) || args[i] == '=' {
		return "", "", args[i:], false
	}
	j := i
	for j < len(args) && args[j] != '=' && !isSpace(args[j]) {
		j++
	}
	if j >= len(args) || args[j] != '=' {
		return "", "", args[i:], false
	}
	name = args[i:j]
	rest = args[j+1:]
	k := skipSpace(rest, 0)
	if k < len(rest) {
		var end int
		value, end = getWordConf(rest, k)
		rest = rest[skipSpace(rest, end):]
	} else {
		rest = rest[k:]
	}
	return name, value, rest, true
}

// wsgiDaemonIntOptions are the numeric WSGIDaemonProcess options that must
// not be negative, with the noun of their error message.
var wsgiDaemonIntOptions = map[string]string{
	"maximum-requests": "request count", "startup-timeout": "startup timeout",
	"shutdown-timeout": "shutdown timeout", "deadlock-timeout": "deadlock timeout",
	"inactivity-timeout": "inactivity timeout", "request-timeout": "request timeout",
	"graceful-timeout": "graceful timeout", "eviction-timeout": "eviction timeout",
	"restart-interval": "restart interval", "connect-timeout": "connect timeout",
	"socket-timeout": "socket timeout", "queue-timeout": "queue timeout",
	"listen-backlog": "listen backlog", "response-socket-timeout": "response socket timeout",
	"cpu-time-limit": "CPU time limit", "memory-limit": "memory limit",
	"virtual-memory-limit": "virtual memory limit",
}

// wsgiDaemonFreeOptions take any value.
var wsgiDaemonFreeOptions = map[string]bool{
	"supplementary-groups": true, "lang": true, "locale": true, "python-home": true,
	"python-path": true, "python-eggs": true, "display-name": true,
	"newrelic-config-file": true, "newrelic-environment": true,
}

// WSGIDaemonOptions lists every option mod_wsgi 4.9 accepts on
// WSGIDaemonProcess.
func WSGIDaemonOptions() []string {
	opts := []string{"user", "group", "processes", "threads", "umask", "chroot", "home",
		"stack-size", "send-buffer-size", "receive-buffer-size", "header-buffer-size",
		"response-buffer-size", "socket-user", "script-user", "script-group",
		"cpu-priority", "server-metrics"}
	for o := range wsgiDaemonIntOptions {
		opts = append(opts, o)
	}
	for o := range wsgiDaemonFreeOptions {
		opts = append(opts, o)
	}
	return opts
}

// applyWSGIDaemonProcess is wsgi_add_daemon_process.
func applyWSGIDaemonProcess(c *Cmd) error {
	args := c.Node.Raw
	i := skipSpace(args, 0)
	name := ""
	if i < len(args) {
		var end int
		name, end = getWordConf(args, i)
		args = args[skipSpace(args, end):]
	} else {
		args = ""
	}
	if name == "" {
		return errors.New("Name of WSGI daemon process not supplied.")
	}
	d := &WSGIDaemon{Name: name, Options: map[string]string{}, Server: c.Server,
		File: c.Node.File, Line: c.Node.Line}
	invalid := func(what string) error {
		return fmt.Errorf("Invalid %s for WSGI daemon process.", what)
	}
	for args != "" {
		opt, value, rest, ok := parseWSGIOption(args)
		if !ok {
			return errors.New("Invalid option to WSGI daemon process definition.")
		}
		args = rest
		switch {
		case opt == "user":
			if value == "" {
				return invalid("user")
			}
			uid, err := unameToID(value)
			if err != nil {
				return err
			}
			if uid == 0 {
				return errors.New("WSGI process blocked from running as root.")
			}
		case opt == "group":
			if value == "" {
				return invalid("group")
			}
			if _, err := gnameToID(value); err != nil {
				return err
			}
		case opt == "processes":
			if value == "" || atoi(value) < 1 {
				return invalid("process count")
			}
		case opt == "threads":
			// WSGI_STACK_LAST-1 bounds the thread count.
			if n := atoi(value); value == "" || n < 0 || n >= 4095 {
				return invalid("thread count")
			}
		case opt == "umask":
			if value == "" {
				return invalid("umask")
			}
			if n, err := strconv.ParseInt(value, 8, 64); err != nil || n < 0 {
				return invalid("umask")
			}
		case opt == "chroot":
			if os.Geteuid() != 0 && !c.w.opts.StartedAsRoot {
				return errors.New("Cannot chroot WSGI daemon process when not root.")
			}
			if !strings.HasPrefix(value, "/") {
				return errors.New("Invalid chroot directory for WSGI daemon process.")
			}
		case opt == "home":
			if !strings.HasPrefix(value, "/") {
				return errors.New("Invalid home directory for WSGI daemon process.")
			}
		case opt == "stack-size":
			if value == "" || atoi(value) <= 0 {
				return invalid("stack size")
			}
		case wsgiDaemonIntOptions[opt] != "":
			if value == "" || atoi(value) < 0 {
				return invalid(wsgiDaemonIntOptions[opt])
			}
		case opt == "send-buffer-size", opt == "receive-buffer-size":
			noun := strings.TrimSuffix(opt, "-size")
			if value == "" {
				return invalid(strings.ReplaceAll(noun, "-", " ") + " size")
			}
			if n := atoi(value); n < 512 && n != 0 {
				word := "Send"
				if opt == "receive-buffer-size" {
					word = "Receive"
				}
				return fmt.Errorf("%s buffer size must be >= 512 bytes, or 0 for system default.", word)
			}
		case opt == "header-buffer-size":
			if value == "" {
				return invalid("header buffer size")
			}
			if n := atoi(value); n < 8192 && n != 0 {
				return errors.New("Header buffer size must be >= 8192 bytes, or 0 for default.")
			}
		case opt == "response-buffer-size":
			if value == "" {
				return invalid("response buffer size")
			}
			if n := atoi(value); n < 65536 && n != 0 {
				return errors.New("Response buffer size must be >= 65536 bytes, or 0 for default.")
			}
		case opt == "script-user":
			if value == "" {
				return invalid("script user")
			}
			uid, err := unameToID(value)
			if err != nil {
				return err
			}
			if strings.HasPrefix(value, "#") {
				// mod_wsgi keeps the name: the check compares names.
				u, err := user.LookupId(strconv.Itoa(uid))
				if err != nil {
					return errors.New("Couldn't determine uid from script user.")
				}
				value = u.Username
			}
		case opt == "script-group":
			if value == "" {
				return invalid("script group")
			}
			gid, err := gnameToID(value)
			if err != nil {
				return err
			}
			if strings.HasPrefix(value, "#") {
				g, err := user.LookupGroupId(strconv.Itoa(gid))
				if err != nil {
					return errors.New("Couldn't determine gid from script group.")
				}
				value = g.Name
			}
		case opt == "socket-user":
			if value == "" {
				return invalid("socket user")
			}
		case opt == "cpu-priority":
			if value == "" {
				return invalid("CPU priority")
			}
		case opt == "server-metrics":
			if !strings.EqualFold(value, "on") && !strings.EqualFold(value, "off") {
				return invalid("server metrics flag")
			}
		case wsgiDaemonFreeOptions[opt]:
		default:
			return errors.New("Invalid option to WSGI daemon process definition.")
		}
		if _, seen := d.Options[opt]; !seen {
			d.Order = append(d.Order, opt)
		}
		d.Options[opt] = value
	}
	if _, u := d.Options["script-user"]; u {
		if _, g := d.Options["script-group"]; g {
			return errors.New("Only one of script-user and script-group allowed.")
		}
	}
	for _, other := range c.Config.WSGIDaemons {
		if other.Name == name {
			return errors.New("Name duplicates previous WSGI daemon definition.")
		}
	}
	c.Config.WSGIDaemons = append(c.Config.WSGIDaemons, d)
	return nil
}

// unameToID is ap_uname2id: "#uid" or a user name; an unknown name stops
// Apache with AH00543.
func unameToID(name string) (int, error) {
	if strings.HasPrefix(name, "#") {
		return atoi(name[1:]), nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, &Error{Phase: StartupPhase, Msg: "AH00543: {prog}: bad user name " + name}
	}
	id, _ := strconv.Atoi(u.Uid)
	return id, nil
}

// gnameToID is ap_gname2id.
func gnameToID(name string) (int, error) {
	if strings.HasPrefix(name, "#") {
		return atoi(name[1:]), nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, &Error{Phase: StartupPhase, Msg: "AH00544: {prog}: bad group name " + name}
	}
	id, _ := strconv.Atoi(g.Gid)
	return id, nil
}

// WSGIScriptAlias is one parsed WSGIScriptAlias or WSGIScriptAliasMatch.
type WSGIScriptAlias struct {
	URL, Target                    string
	Match                          bool
	ProcessGroup, ApplicationGroup *string // nil when not given; "" is %{GLOBAL}
	CallableObject                 string
	PassAuthorization              *bool
	File                           string
	Line                           int
}

// ParseWSGIScriptAlias parses the arguments of WSGIScriptAlias(Match) with
// mod_wsgi's rules and messages.
func ParseWSGIScriptAlias(d *Directive, raw string) (*WSGIScriptAlias, error) {
	tooFew := fmt.Errorf("%s requires at least two arguments, %s", d.Name, d.Usage)
	args := raw
	i := skipSpace(args, 0)
	if i >= len(args) {
		return nil, tooFew
	}
	loc, end := getWordConf(args, i)
	args = args[skipSpace(args, end):]
	if loc == "" || args == "" {
		return nil, tooFew
	}
	target, end := getWordConf(args, 0)
	args = args[skipSpace(args, end):]
	if target == "" {
		return nil, tooFew
	}
	a := &WSGIScriptAlias{URL: loc, Target: target, Match: strings.HasSuffix(strings.ToLower(d.Name), "match")}
	bad := errors.New("Invalid option to WSGI script alias definition.")
	for args != "" {
		opt, value, rest, ok := parseWSGIOption(args)
		if !ok {
			return nil, bad
		}
		args = rest
		switch opt {
		case "application-group":
			if value == "" {
				return nil, errors.New("Invalid name for WSGI application group.")
			}
			if value == "%{GLOBAL}" {
				value = ""
			}
			a.ApplicationGroup = &value
		case "process-group":
			if value == "" {
				return nil, errors.New("Invalid name for WSGI process group.")
			}
			if value == "%{GLOBAL}" {
				value = ""
			}
			a.ProcessGroup = &value
		case "callable-object":
			if value == "" {
				return nil, errors.New("Invalid name for WSGI callable object.")
			}
			a.CallableObject = value
		case "pass-authorization":
			var on bool
			switch {
			case strings.EqualFold(value, "on"):
				on = true
			case strings.EqualFold(value, "off"):
			default:
				return nil, errors.New("Invalid value for authorization flag.")
			}
			a.PassAuthorization = &on
		default:
			return nil, bad
		}
	}
	if a.Match {
		if _, err := compilePOSIX(loc); err != nil {
			return nil, errors.New("Regular expression could not be compiled.")
		}
	}
	return a, nil
}

// applyWSGIScriptAlias is wsgi_add_script_alias.
func applyWSGIScriptAlias(c *Cmd) error {
	a, err := ParseWSGIScriptAlias(c.Directive, c.Node.Raw)
	if err != nil {
		return err
	}
	a.File, a.Line = c.Node.File, c.Node.Line
	// Both groups given and fixed: the script is preloaded, and a daemon
	// group must already be defined and reachable from here.
	if a.ProcessGroup != nil && a.ApplicationGroup != nil &&
		!strings.Contains(*a.ProcessGroup, "%{") && !strings.Contains(*a.ApplicationGroup, "%{") &&
		(!a.Match || !strings.Contains(a.Target, "$")) {
		if err := c.checkPreloadGroup(*a.ProcessGroup); err != nil {
			return err
		}
		c.Config.WSGI.ImportScripts = append(c.Config.WSGI.ImportScripts, WSGIImportScript{
			Script: a.Target, ProcessGroup: *a.ProcessGroup, ApplicationGroup: *a.ApplicationGroup,
			File: c.Node.File, Line: c.Node.Line})
	}
	c.Server.WSGIAliases = append(c.Server.WSGIAliases, a)
	return nil
}

// checkPreloadGroup is mod_wsgi's config-time check that a preloaded
// script's daemon group exists and may be used from this server.
func (c *Cmd) checkPreloadGroup(group string) error {
	if group == "" || group == "%{RESOURCE}" || group == "%{SERVER}" || group == "%{HOST}" {
		return nil
	}
	var found *WSGIDaemon
	for _, d := range c.Config.WSGIDaemons {
		if d.Name == group {
			found = d
			break
		}
	}
	if found == nil {
		return errors.New("WSGI process group not yet configured.")
	}
	here, there := c.Server.ServerName, found.Server.ServerName
	if found.Server.IsVirtual() {
		switch {
		case here != "" && there != "" && here != there:
			return errors.New("WSGI process group not accessible.")
		case here == "" && there != "", here != "" && there == "":
			return errors.New("WSGI process group not matchable.")
		}
	}
	return nil
}

// applyWSGIImportScript is wsgi_add_import_script.
func applyWSGIImportScript(c *Cmd) error {
	args := c.Node.Raw
	i := skipSpace(args, 0)
	script := ""
	if i < len(args) {
		var end int
		script, end = getWordConf(args, i)
		args = args[skipSpace(args, end):]
	} else {
		args = ""
	}
	if script == "" {
		return errors.New("Location of import script not supplied.")
	}
	var pg, ag *string
	for args != "" {
		opt, value, rest, ok := parseWSGIOption(args)
		if !ok {
			return errors.New("Invalid option to WSGI import script definition.")
		}
		args = rest
		switch opt {
		case "application-group":
			if value == "" {
				return errors.New("Invalid name for WSGI application group.")
			}
			if value == "%{GLOBAL}" {
				value = ""
			}
			ag = &value
		case "process-group":
			if value == "" {
				return errors.New("Invalid name for WSGI process group.")
			}
			if value == "%{GLOBAL}" {
				value = ""
			}
			pg = &value
		default:
			return errors.New("Invalid option to WSGI import script definition.")
		}
	}
	if ag == nil {
		return errors.New("Name of WSGI application group required.")
	}
	if pg == nil {
		return errors.New("Name of WSGI process group required.")
	}
	if err := c.checkPreloadGroup(*pg); err != nil {
		return err
	}
	c.Config.WSGI.ImportScripts = append(c.Config.WSGI.ImportScripts, WSGIImportScript{
		Script: script, ProcessGroup: *pg, ApplicationGroup: *ag, File: c.Node.File, Line: c.Node.Line})
	return nil
}

// wsgiFlag parses mod_wsgi's On/Off TAKE1 values with its message.
func wsgiFlag(c *Cmd) (bool, error) {
	switch {
	case strings.EqualFold(c.Args[0], "on"):
		return true, nil
	case strings.EqualFold(c.Args[0], "off"):
		return false, nil
	}
	return false, fmt.Errorf("%s must be one of: Off | On", c.Directive.Name)
}

// wsgiGlobalFlag makes the ApplyFunc of a server-only On/Off directive.
func wsgiGlobalFlag(set func(*WSGIServerSettings, bool)) ApplyFunc {
	return func(c *Cmd) error {
		if err := c.CheckContext(GlobalOnly); err != nil {
			return err
		}
		on, err := wsgiFlag(c)
		if err != nil {
			return err
		}
		if set != nil {
			set(&c.Config.WSGI, on)
		}
		return nil
	}
}

// wsgiGlobalValue makes the ApplyFunc of a server-only valued directive.
func wsgiGlobalValue(set func(*WSGIServerSettings, string)) ApplyFunc {
	return func(c *Cmd) error {
		if err := c.CheckContext(GlobalOnly); err != nil {
			return err
		}
		if set != nil {
			set(&c.Config.WSGI, c.Args[0])
		}
		return nil
	}
}

// wsgiDirFlag makes the ApplyFunc of a per-directory On/Off directive
// that stores into the field field picks.
func wsgiDirFlag(field func(*WSGIDirSettings) **bool) ApplyFunc {
	return func(c *Cmd) error {
		on, err := wsgiFlag(c)
		if err != nil {
			return err
		}
		if field != nil {
			*field(&c.Dir.WSGI) = &on
		}
		return nil
	}
}

// wsgiDirValue stores a per-directory string setting.
func wsgiDirValue(field func(*WSGIDirSettings) **string) ApplyFunc {
	return func(c *Cmd) error {
		v := c.Args[0]
		*field(&c.Dir.WSGI) = &v
		return nil
	}
}

// applyWSGIMapHEADToGET accepts Auto too.
func applyWSGIMapHEADToGET(c *Cmd) error {
	v := strings.ToLower(c.Args[0])
	if v != "on" && v != "off" && v != "auto" {
		return errors.New("WSGIMapHEADToGET must be one of: Off | On | Auto")
	}
	c.Dir.WSGI.MapHEADToGET = &v
	return nil
}

// applyWSGIPythonHashSeed checks the seed range.
func applyWSGIPythonHashSeed(c *Cmd) error {
	if err := c.CheckContext(GlobalOnly); err != nil {
		return err
	}
	f := c.Args[0]
	if f != "" && f != "random" {
		if n, err := strconv.ParseUint(f, 10, 64); err != nil || n > 4294967295 {
			return errors.New("WSGIPythonHashSeed must be \"random\" or an integer in range [0; 4294967295]")
		}
	}
	c.Config.WSGI.PythonHashSeed = f
	return nil
}

// applyWSGITrustedProxies checks each address or subnet.
func applyWSGITrustedProxies(c *Cmd) error {
	nets := []IPSubnet{}
	for _, w := range SplitWords(c.Node.Raw) {
		addr, mask, hasMask := strings.Cut(w, "/")
		if !looksLikeIP(addr) {
			return fmt.Errorf("Unable to parse trusted proxy IP address/subnet of \"%s\".", w)
		}
		n, err := parseIPSubnet(addr, mask, hasMask)
		if err != nil {
			msg := errBadIP.Error()
			if err == errBadMask {
				msg = err.Error()
			}
			return fmt.Errorf("Unable to parse trusted proxy IP address/subnet of \"%s\". %s", w, msg)
		}
		nets = append(nets, n)
	}
	// Each line adds to the scope's list, as mod_wsgi pushes them; a
	// line with no address still makes the list (trusting no one).
	list := append([]IPSubnet{}, c.Dir.WSGI.TrustedProxies...)
	c.Dir.WSGI.TrustedProxies = append(list, nets...)
	return nil
}

// applyWSGIRestrictProcess records the process groups requests in scope
// may use (%{GLOBAL} is embedded mode).
func applyWSGIRestrictProcess(c *Cmd) error {
	groups := SplitWords(c.Node.Raw)
	for i, g := range groups {
		if g == "%{GLOBAL}" {
			groups[i] = ""
		}
	}
	c.Dir.WSGI.RestrictProcess = groups
	return nil
}

// applyWSGITrustedProxyHeaders records the header names.
func applyWSGITrustedProxyHeaders(c *Cmd) error {
	// Each line adds to the scope's list, as mod_wsgi pushes them.
	c.Dir.WSGI.TrustedProxyHeaders = append(append([]string{}, c.Dir.WSGI.TrustedProxyHeaders...), SplitWords(c.Node.Raw)...)
	return nil
}

// looksLikeIP is wsgi_looks_like_ip: digits, dots, or hex and colons.
func looksLikeIP(s string) bool {
	if strings.Contains(s, ":") {
		return strings.Trim(s, "0123456789abcdefABCDEF:.") == ""
	}
	return s != "" && strings.Trim(s, "0123456789.") == ""
}

// applyWSGIScriptOption checks the "path [application-group=..]" forms of
// WSGIAccessScript, WSGIAuthUserScript, WSGIAuthGroupScript and
// WSGIDispatchScript.
func applyWSGIScriptOption(what string, field func(*WSGIDirSettings) **WSGIScriptRef) ApplyFunc {
	return func(c *Cmd) error {
		ref := &WSGIScriptRef{}
		args := c.Node.Raw
		i := skipSpace(args, 0)
		script := ""
		if i < len(args) {
			var end int
			script, end = getWordConf(args, i)
			args = args[skipSpace(args, end):]
		} else {
			args = ""
		}
		if script == "" {
			return fmt.Errorf("Location of %s script not supplied.", what)
		}
		for args != "" {
			opt, value, rest, ok := parseWSGIOption(args)
			if !ok || opt != "application-group" {
				return fmt.Errorf("Invalid option to WSGI %s script definition.", what)
			}
			if value == "" {
				return errors.New("Invalid name for WSGI application group.")
			}
			ref.ApplicationGroup = &value
			args = rest
		}
		ref.Script = script
		if field != nil {
			*field(&c.Dir.WSGI) = ref
		}
		c.Record()
		return nil
	}
}

// applyWSGIHandlerScript is wsgi_add_handler_script.
func applyWSGIHandlerScript(c *Cmd) error {
	words := SplitWords(c.Node.Raw)
	if len(words) == 0 || words[0] == "" {
		return errors.New("Name for handler script not supplied.")
	}
	args := c.Node.Raw
	_, end := getWordConf(args, skipSpace(args, 0))
	args = args[skipSpace(args, end):]
	if args == "" {
		return errors.New("Location of handler script not supplied.")
	}
	script, end := getWordConf(args, 0)
	args = args[skipSpace(args, end):]
	hs := &WSGIHandlerScript{Script: script}
	for args != "" {
		opt, value, rest, ok := parseWSGIOption(args)
		if !ok {
			return errors.New("Invalid option to WSGI handler script definition.")
		}
		args = rest
		switch opt {
		case "process-group":
			if value == "" {
				return errors.New("Invalid name for WSGI process group.")
			}
			hs.ProcessGroup = &value
		case "application-group":
			if value == "" {
				return errors.New("Invalid name for WSGI application group.")
			}
			hs.ApplicationGroup = &value
		case "pass-authorization":
			if !strings.EqualFold(value, "on") && !strings.EqualFold(value, "off") {
				return errors.New("Invalid value for authorization flag.")
			}
			on := strings.EqualFold(value, "on")
			hs.PassAuthorization = &on
		default:
			return errors.New("Invalid option to WSGI handler script definition.")
		}
	}
	if c.Dir.WSGI.HandlerScripts == nil {
		c.Dir.WSGI.HandlerScripts = map[string]*WSGIHandlerScript{}
	}
	c.Dir.WSGI.HandlerScripts[words[0]] = hs
	c.Record()
	return nil
}
