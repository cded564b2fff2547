package vhost

import (
	"crypto/rand"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/internal/aprerr"
	"github.com/gowsgid/gowsgid/internal/statcache"
	"github.com/gowsgid/gowsgid/internal/version"
	"github.com/gowsgid/gowsgid/rewrite"
	"github.com/gowsgid/gowsgid/static"
)

// DefaultDocumentRoot is Debian's compiled-in DocumentRoot.
const DefaultDocumentRoot = "/var/www/html"

// DefaultAdmin is httpd's DEFAULT_ADMIN, the ServerAdmin of a server that
// names none (shown on 500 pages and EMail signatures).
const DefaultAdmin = "[no address given]"

// DefaultTypesConfig is httpd's AP_TYPES_CONFIG_FILE, the TypesConfig of
// a configuration that names none, relative to ServerRoot. (Debian's
// mime.conf names /etc/mime.types.)
const DefaultTypesConfig = "mime.types"

// Table is a compiled configuration: the address table and one Host per
// server. It is immutable once built and safe for concurrent use; a
// reload builds a new one.
type Table struct {
	// ticketKey encrypts the TLS session tickets of every host of the
	// table, so that a client resumes its session on a new connection.
	ticketKey [32]byte
	// sessions is SSLSessionCache, for the hosts whose tickets are off;
	// nil without one.
	sessions *sessionCache
	// encoders keeps compressor states for the DEFLATE and
	// BROTLI_COMPRESS filters.
	encoders encoderPools
	Config   *confparse.Config
	Addrs    *AddrTable
	Main     *Host
	hosts    map[*confparse.Server]*Host
	// Banner is the Server header and signature product (ServerTokens).
	Banner string
	// autoindex is whether mod_autoindex is loaded.
	autoindex bool
	// negotiation is whether mod_negotiation is loaded.
	negotiation bool
	// regex holds the compiled patterns of the alias lists.
	regex regexCache
	// htaccess caches parsed .htaccess files.
	htaccess htaccessCache
	// merges remembers merged per-directory configurations.
	merges mergeCache
	// date is the Date header of the current second; server the
	// Server header (Banner). Both are shared by every response, with a
	// capacity of 1 so that an append copies them.
	date   dateCache
	server []string
	// Warnings are what Apache's modules log about the configuration
	// when it is merged (mod_remoteip) and at start-up (mod_ssl), for
	// the server to write to its error log.
	Warnings []LogLine
	// mergeWarnings are the lines of the merge, which come first.
	mergeWarnings []LogLine
	// stat answers the directory walk's stat and lstat calls (nil: the
	// kernel does).
	stat *statcache.Cache
	// cipherLists keeps what each cipher string of a directory's
	// SSLCipherSuite permits (string → cipherList).
	cipherLists sync.Map
}

// SetStatCache makes the directory walks of requests served with t ask c
// instead of the kernel; the server sets it before serving.
func (t *Table) SetStatCache(c *statcache.Cache) { t.stat = c }

// StartupError is a configuration Apache accepts but cannot serve, as
// its post-configuration hooks report it: the message, and the module
// and level of its error log line. Serving marks what fails only when
// Apache starts serving (its second pass of the hooks: mod_rewrite's map
// programs), which Apache reports with AH00020 instead of AH00016.
type StartupError struct {
	Module, Level, Msg string
	Serving            bool
	// OpeningLogs marks a failure of the open_logs hooks, which Apache
	// ends with "AH00015: Unable to open logs"; Bare a line logged as
	// APLOG_STARTUP does, the message alone.
	OpeningLogs, Bare bool
}

func (e *StartupError) Error() string { return e.Msg }

// Host is one server (the main server or a virtual host) with the main
// server's settings merged in, as ap_fixup_virtual_hosts merges them.
type Host struct {
	Server   *confparse.Server
	Hostname string
	// Port is server_rec's port (0: the scheme's default): ServerName's,
	// else a virtual host's first address's, else the main server's.
	Port         int
	Admin        string
	DocumentRoot string
	// Defaults is the per-directory configuration every request starts
	// from (Apache's lookup_defaults).
	Defaults *confparse.DirConfig
	// dirs are the <Directory> sections sorted as
	// ap_core_reorder_directories sorts them; files, locations and ifs
	// are the server-level sections, main's first.
	dirs      []*dirSection
	files     []*confparse.Section
	locations []*confparse.Section
	ifs       []*confparse.Section
	// Aliases, Redirects and WSGIAliases are the host's lists followed by
	// the main server's.
	Aliases     []confparse.Alias
	Redirects   []confparse.Redirect
	WSGIAliases []*confparse.WSGIScriptAlias
	// AccessFileNames are the .htaccess names.
	AccessFileNames     []string
	AllowEncodedSlashes string
	// keepSlashes is MergeSlashes Off: runs of '/' in the URI path are
	// kept (On, the default, makes them one before anything maps it).
	keepSlashes bool
	// limits are the request head limits of connections whose base
	// server this is (LimitRequestLine, ...FieldSize, ...Fields).
	limits headLimits
	// readTimeouts are the RequestReadTimeout stages.
	readTimeouts readTimeouts
	// keepAlive is MaxKeepAliveRequests and KeepAliveTimeout.
	keepAlive keepAlive
	// tls is the host's mod_ssl setup (nil: SSLEngine off).
	tls *hostTLS
	// sslOptions are the SSLOptions words of the host, else of the main
	// server; a directory's SSLOptions modify them.
	sslOptions []string
	// TraceEnable is "on", "off" or "extended": the host's, else the
	// main server's (core's merge of trace_enable).
	TraceEnable string
	// cacheNegotiatedDocs is CacheNegotiatedDocs On: the host's, else
	// the main server's (an Off of the host's own is no setting to
	// mod_negotiation, which has no merge).
	cacheNegotiatedDocs bool
	// registeredMethodsOnly is HttpProtocolOptions RegisteredMethods,
	// the host's, else the main server's.
	registeredMethodsOnly bool
	// strictLineEnds is HttpProtocolOptions Strict (the default): a
	// bare LF ends no line of a request head.
	strictLineEnds bool
	// remoteIP is mod_remoteip's configuration, each setting the host's
	// or else the main server's.
	remoteIP confparse.RemoteIPSettings
	Types    *static.Types
	// setEnvIf are the SetEnvIf directives of server context (the main
	// server's, then the host's); early is set when the defaults have
	// mod_headers actions marked early; postRead when either has work
	// for a request that has just been read.
	setEnvIf        []*confparse.SetEnvIf
	early, postRead bool
	// rewrite is mod_rewrite's server configuration, merged.
	rewrite *rewrite.ServerConf
	// rewriteShared is set on a virtual host without mod_rewrite
	// directives: like Apache's, its server configuration is the main
	// server's own (maps and options), and the translate hook does
	// nothing there.
	rewriteShared bool
}

type dirSection struct {
	*confparse.Section
	components int
	fnmatch    bool
}

// Build compiles a processed configuration.
func Build(cfg *confparse.Config) (*Table, error) {
	t := &Table{Config: cfg, Addrs: BuildAddrTable(cfg), hosts: map[*confparse.Server]*Host{},
		autoindex: cfg.Tree.IsLoaded("mod_autoindex.c"), negotiation: cfg.Tree.IsLoaded("mod_negotiation.c"),
		regex: regexCache{}}
	if _, err := rand.Read(t.ticketKey[:]); err != nil {
		return nil, fmt.Errorf("session ticket key: %w", err)
	}
	if ssl := cfg.Main.SSL; ssl.SessionCache != "" {
		t.sessions = newSessionCache(sessionCacheEntries(ssl.SessionCacheSize))
	}
	t.Banner = Banner(cfg.ServerTokens)
	t.server = []string{t.Banner}
	types := map[string]*static.Types{}
	loadTypes := func(path string) (*static.Types, error) {
		if tt, ok := types[path]; ok {
			return tt, nil
		}
		tt, err := static.LoadTypes(path)
		if err != nil {
			return nil, &StartupError{Module: "mime", Level: "error",
				Msg: aprerr.Prefix(err) + "AH01597: could not open mime types config file " + path + "."}
		}
		types[path] = tt
		return tt, nil
	}
	main, err := t.compileHost(cfg.Main, nil, loadTypes)
	if err != nil {
		return nil, err
	}
	t.Main = main
	t.hosts[cfg.Main] = main
	// Apache's list of servers has the virtual hosts in reverse order
	// (each is put first): mod_ssl's warnings come in that order.
	var mainWarnings []LogLine
	mainWarnings, t.Warnings = t.Warnings, nil
	for i := len(cfg.VirtualHosts) - 1; i >= 0; i-- {
		s := cfg.VirtualHosts[i]
		h, err := t.compileHost(s, cfg.Main, loadTypes)
		if err != nil {
			return nil, err
		}
		t.hosts[s] = h
	}
	t.Warnings = append(append(t.mergeWarnings, mainWarnings...), t.Warnings...)
	if cfg.Tree.IsLoaded("mod_ssl.c") && t.sessions == nil {
		t.Warnings = append(t.Warnings, LogLine{"ssl", "warn", "AH01873: Init: Session Cache is not configured [hint: SSLSessionCache]"})
	}
	return t, nil
}

// Host returns the compiled host of a server (nil means the main server).
func (t *Table) Host(s *confparse.Server) *Host {
	if s == nil {
		return t.Main
	}
	return t.hosts[s]
}

func (t *Table) compileHost(s, main *confparse.Server, loadTypes func(string) (*static.Types, error)) (*Host, error) {
	h := &Host{Server: s, Hostname: s.Hostname, Port: s.ServerPort, Admin: s.ServerAdmin,
		DocumentRoot: s.DocumentRoot, AccessFileNames: s.AccessFileName,
		AllowEncodedSlashes: s.AllowEncodedSlashes, TraceEnable: s.TraceEnable, remoteIP: s.RemoteIP}
	h.keepSlashes = s.MergeSlashes != nil && !*s.MergeSlashes
	h.cacheNegotiatedDocs = flagOn(s.CacheNegotiatedDocs)
	h.readTimeouts = newReadTimeouts(t.Config, s)
	h.keepAlive = newKeepAlive(s, main)
	var mainSections []*confparse.Section
	typesConfig := s.TypesConfig
	if main != nil {
		// mod_mime reads the main server's TypesConfig only
		// (mime_post_config); a virtual host's is accepted and unused.
		typesConfig = main.TypesConfig
		// ap_fixup_virtual_hosts: the vhost's unset settings come from the
		// main server; lists are the vhost's followed by the main's.
		if h.DocumentRoot == "" {
			h.DocumentRoot = main.DocumentRoot
		}
		if h.Admin == "" {
			h.Admin = main.ServerAdmin
		}
		if h.AccessFileNames == nil {
			h.AccessFileNames = main.AccessFileName
		}
		if h.AllowEncodedSlashes == "" {
			h.AllowEncodedSlashes = main.AllowEncodedSlashes
		}
		if s.MergeSlashes == nil {
			h.keepSlashes = main.MergeSlashes != nil && !*main.MergeSlashes
		}
		if h.TraceEnable == "" {
			h.TraceEnable = main.TraceEnable
		}
		if !h.cacheNegotiatedDocs {
			h.cacheNegotiatedDocs = flagOn(main.CacheNegotiatedDocs)
		}
		h.limits = resolveLimits(s.RequestLimits, main.RequestLimits)
		if h.remoteIP.Header == "" {
			h.remoteIP.Header = main.RemoteIP.Header
		}
		if h.remoteIP.ProxiesHeader == "" {
			h.remoteIP.ProxiesHeader = main.RemoteIP.ProxiesHeader
		}
		// Apache 2.4.71 merges the two lists, the host's entries matched
		// first, and says so when the configuration is merged.
		if h.remoteIP.Proxies == nil {
			h.remoteIP.Proxies = main.RemoteIP.Proxies
		} else if main.RemoteIP.Proxies != nil {
			own := h.remoteIP.Proxies
			h.remoteIP.Proxies = append(own[:len(own):len(own)], main.RemoteIP.Proxies...)
			t.mergeWarnings = append(t.mergeWarnings, LogLine{"remoteip", "warn", fmt.Sprintf(
				"AH10633: RemoteIP proxy entries are configured in both the main server and the virtual host defined at %s:%d, they are merged",
				s.Node.File, s.Node.Line)})
		}
		// The main server's lookup_defaults, with core's built-in
		// defaults (FollowSymLinks), under the host's own: mod_rewrite's
		// engine state among them (config_perdir_merge), so the main
		// server's RewriteEngine On holds in a virtual host that does
		// not say RewriteEngine itself.
		h.Defaults = t.Main.Defaults.Merge(s.Dir)
		mainSections = main.Sections
		h.Aliases = append(append([]confparse.Alias(nil), s.Aliases...), main.Aliases...)
		h.Redirects = append(append([]confparse.Redirect(nil), s.Redirects...), main.Redirects...)
		h.WSGIAliases = append(append([]*confparse.WSGIScriptAlias(nil), s.WSGIAliases...), main.WSGIAliases...)
		h.setEnvIf = append(append([]*confparse.SetEnvIf(nil), main.SetEnvIf...), s.SetEnvIf...)
	} else {
		h.setEnvIf = s.SetEnvIf
		h.limits = resolveLimits(s.RequestLimits, confparse.RequestLimits{})
		h.Defaults = (&confparse.DirConfig{Options: confparse.OptionsState{Opts: confparse.OptSymLinks}}).Merge(s.Dir)
		h.Aliases, h.Redirects, h.WSGIAliases = s.Aliases, s.Redirects, s.WSGIAliases
	}
	proto := s.HTTPProtocol
	if main != nil {
		proto = proto.Merge(main.HTTPProtocol)
	}
	h.registeredMethodsOnly = proto.RegisteredMethods != nil && *proto.RegisteredMethods
	h.strictLineEnds = proto.Unsafe == nil || !*proto.Unsafe
	for _, list := range [][]*confparse.HeaderAction{h.Defaults.RequestHeaders, h.Defaults.Headers, h.Defaults.HeadersAlways} {
		for _, a := range list {
			h.early = h.early || a.Early
		}
	}
	h.postRead = h.early || len(h.setEnvIf) > 0
	if main != nil && s.ServerName == "" {
		// ap_init_virtual_host starts from the main server's port, the
		// <VirtualHost> address's overrides it, ServerName's would.
		h.Port = main.ServerPort
		if len(s.Addrs) > 0 && s.Addrs[0].Port != 0 {
			h.Port = s.Addrs[0].Port
		}
	}
	h.compileRewrite(s, main, t.Config.Tree.IsLoaded("mod_rewrite.c"))
	if h.DocumentRoot == "" {
		h.DocumentRoot = DefaultDocumentRoot
	}
	if h.Admin == "" {
		h.Admin = DefaultAdmin
	}
	if h.AccessFileNames == nil {
		h.AccessFileNames = []string{".htaccess"}
	}
	if h.TraceEnable == "" {
		h.TraceEnable = "on"
	}
	if typesConfig == "" {
		typesConfig = t.Config.RootRelative(DefaultTypesConfig)
	}
	if t.Config.Tree.IsLoaded("mod_mime.c") {
		tt, err := loadTypes(typesConfig)
		if err != nil {
			return nil, err
		}
		h.Types = tt
	}
	for _, a := range h.Aliases {
		if a.Regex {
			t.regex.add(a.From)
		}
	}
	for _, rd := range h.Redirects {
		if rd.Regex {
			t.regex.add(rd.From)
		}
	}
	for _, a := range h.WSGIAliases {
		if a.Match {
			t.regex.add(a.URL)
		}
	}
	for _, sec := range append(append([]*confparse.Section(nil), mainSections...), s.Sections...) {
		switch sec.Kind {
		case confparse.SectionDirectory:
			h.dirs = append(h.dirs, newDirSection(sec))
		case confparse.SectionLocation:
			h.locations = append(h.locations, sec)
		case confparse.SectionFiles:
			h.files = append(h.files, sec)
		case confparse.SectionIf, confparse.SectionElseIf, confparse.SectionElse:
			h.ifs = append(h.ifs, sec)
		}
	}
	// ap_core_reorder_directories: plain before regex, then by the number
	// of components, then config order.
	sort.SliceStable(h.dirs, func(i, j int) bool {
		a, b := h.dirs[i], h.dirs[j]
		if (a.Regex == nil) != (b.Regex == nil) {
			return a.Regex == nil
		}
		return a.components < b.components
	})
	h.sslOptions = t.Config.SSLOf(h.Server).Options
	if err := t.compileTLS(h); err != nil {
		return nil, err
	}
	return h, nil
}

func newDirSection(sec *confparse.Section) *dirSection {
	d := &dirSection{Section: sec}
	switch {
	case sec.Regex != nil:
		d.components = strings.Count(sec.Regex.String(), "/")
	case sec.Path == "/":
		d.components = 0
	default:
		d.components = strings.Count(sec.Path, "/")
	}
	d.fnmatch = sec.Regex == nil && fnmatchTest(sec.Path)
	return d
}

// Version is gowsgid's version, as its banner and SSL_VERSION_INTERFACE
// give it.
const Version = version.Version

// Banner is the product token Apache's ServerTokens selects, naming
// gowsgid: Prod "gowsgid", Major "gowsgid/0", Minor "gowsgid/0.1",
// Min "gowsgid/0.1.0", OS "gowsgid/0.1.0 (Debian)", Full adds
// "Python/3.x" where Apache adds mod_wsgi's.
func Banner(tokens string) string {
	const version = Version
	switch strings.ToLower(tokens) {
	case "prod", "productonly":
		return "gowsgid"
	case "major":
		return "gowsgid/0"
	case "minor":
		return "gowsgid/0.1"
	case "min", "minimal":
		return "gowsgid/" + version
	case "os":
		return "gowsgid/" + version + " (Debian)"
	}
	return "gowsgid/" + version + " (Debian)"
}
