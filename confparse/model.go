package confparse

import (
	"slices"
	"sync"
	"time"

	"github.com/gowsgid/gowsgid/errlogfmt"
	"github.com/gowsgid/gowsgid/internal/apregex"
	"github.com/gowsgid/gowsgid/internal/pemkey"
	"github.com/gowsgid/gowsgid/rewrite"
)

// Config is a configuration after the walk: the server-wide settings, the
// main server, its virtual hosts, and what gowsgid found along the way.
// Per-directory sections keep their directive nodes; vhost compiles them.
type Config struct {
	Tree *Tree
	// Main is the main server: the directives outside any <VirtualHost>.
	Main *Server
	// VirtualHosts in config order.
	VirtualHosts []*Server
	// AcceptFilters are AcceptFilter's filters by lower-cased protocol.
	AcceptFilters map[string]string
	// Compresses is set when an output filter list names DEFLATE or
	// BROTLI_COMPRESS somewhere.
	Compresses bool
	// ReadFile, when set, reads the certificates and keys of mod_ssl's
	// directives (nil: os.ReadFile): a server that dropped its
	// privileges reads them through its privileged helper.
	ReadFile func(path string) ([]byte, error)
	// PassPhraseDialog is SSLPassPhraseDialog: "builtin" (also when
	// unset), "exec:" and the program's absolute path, or "|" and a pipe
	// program.
	PassPhraseDialog string
	// ReadKey, when set, reads the private key index of server id (its
	// name:port) from key, decrypted as ReadKeyFile decrypts it (nil:
	// ReadKeyFile): a server that dropped its privileges has its
	// privileged helper read it and run the pass phrase dialog, as
	// Apache's parent does as root, so that the pass phrases stay there.
	ReadKey func(id string, index int, key SSLFile) ([]byte, error)
	// Keys keeps the keys decrypted with a pass phrase from one
	// configuration to the next (nil: none are kept).
	Keys *KeyCache
	// DeferEncryptedKeys makes LoadCertificates leave an encrypted key
	// alone (configtest runs no pass phrase dialog): its certificate is
	// loaded without it, and the key listed in DeferredKeys.
	DeferEncryptedKeys bool
	DeferredKeys       []SSLFile
	// PassPhraseTerminal is where "SSLPassPhraseDialog builtin" asks, as
	// Apache asks on its standard streams before it detaches (nil:
	// nowhere, and an encrypted key fails as under an Apache whose
	// standard input is /dev/null).
	PassPhraseTerminal *pemkey.Terminal
	// passPhrases are the pass phrases given while this configuration's
	// keys load (mod_ssl's pphrases), tried on each further key.
	phraseMu    sync.Mutex
	passPhrases []string
	sleep       func(time.Duration) // the pause between wrong answers, for tests
	// Listeners from Listen, in config order.
	Listeners []Listener
	// Listen holds the socket options of every listener (ListenBacklog,
	// SendBufferSize, ReceiveBufferSize, ListenTCPDeferAccept).
	Listen ListenSettings
	// GracefulShutdownTimeout is how many seconds a graceful stop lets
	// requests run (0: as long as they take).
	GracefulShutdownTimeout int
	// User and Group from mod_unixd ("" when unset), with their ids.
	User, Group     string
	UserID, GroupID int
	// PidFile as written ("" when unset).
	PidFile string
	// BufferedLogs is mod_log_config's BufferedLogs (one setting for
	// every access log).
	BufferedLogs bool
	// Mutexes configured with Mutex, by type.
	Mutexes map[string]Mutex
	// WSGIDaemons are the WSGIDaemonProcess groups, in config order.
	WSGIDaemons []*WSGIDaemon
	// WSGI holds the server-wide mod_wsgi settings.
	WSGI WSGIServerSettings
	// ProxyProtocol is mod_remoteip's RemoteIPProxyProtocol setting.
	ProxyProtocol ProxyProtocolSettings
	// ServerTokens is the lower-cased keyword ("" = Full); TraceEnable
	// the main server's "on", "off" or "extended" ("" = on; each
	// virtual host may have its own, Server.TraceEnable).
	ServerTokens, TraceEnable string
	// SNIPolicy is SSLVHostSNIPolicy, lower-cased ("strict", "secure",
	// "authonly", "insecure"; "" unset: secure).
	SNIPolicy string
	// Findings are gowsgid's own observations: directives it does not
	// implement yet, checks Apache cannot make.
	Findings []Finding
	// AddressResolver resolves VirtualHost and Listen host names; set by
	// the walk from WalkOptions.
	resolve func(host string) ([]string, error)
	// registry is the one the configuration was processed with (for
	// .htaccess files).
	registry *Registry
	// setEnvIfIDs counts the header names of SetEnvIf entries
	// (SetEnvIf.NameID).
	setEnvIfIDs int
	// registered are the methods beyond Apache's own that the
	// configuration registered (ap_method_register of <Limit>,
	// <LimitExcept>, Script and RegisterHttpMethod): a .htaccess file
	// may name only those.
	registered map[string]bool
}

// HTTPProtocolOptions is core's HttpProtocolOptions for one server: each
// setting nil when unset (Strict, LenientMethods, Allow0.9), and merged
// into a virtual host one by one.
type HTTPProtocolOptions struct {
	Unsafe, RegisteredMethods, Allow09 *bool
}

// Merge is merge_core_server_configs for the three settings: the
// virtual host's where set, else the main server's.
func (o HTTPProtocolOptions) Merge(main HTTPProtocolOptions) HTTPProtocolOptions {
	if o.Unsafe == nil {
		o.Unsafe = main.Unsafe
	}
	if o.RegisteredMethods == nil {
		o.RegisteredMethods = main.RegisteredMethods
	}
	if o.Allow09 == nil {
		o.Allow09 = main.Allow09
	}
	return o
}

// MethodKnown reports whether ap_method_number_of knows m: one of
// Apache's methods (HEAD is GET's number), one the configuration
// registered, or one mod_dav registers when it is loaded.
func (cfg *Config) MethodKnown(m string) bool {
	return m == "HEAD" || cfg.methodRegistered(m)
}

// methodRegistered is MethodKnown without HEAD, which the checks of
// method names in directives do not take.
func (cfg *Config) methodRegistered(m string) bool {
	if slices.Contains(apacheMethods, m) || cfg.registered[m] {
		return true
	}
	return (m == "BIND" || m == "SEARCH") && cfg.Tree != nil && cfg.Tree.IsLoaded("mod_dav.c")
}

// registerMethod is ap_method_register for a method the configuration
// names.
func (cfg *Config) registerMethod(m string) {
	if cfg.registered == nil {
		cfg.registered = map[string]bool{}
	}
	cfg.registered[m] = true
}

// Listener is one Listen directive.
type Listener struct {
	// Host is the address or host name, "" for all addresses.
	Host string
	Port int
	// Protocol is "http" or "https" (the second argument, or https for
	// port 443).
	Protocol string
	File     string
	Line     int
}

// Server is the main server or one virtual host: Apache's server_rec.
type Server struct {
	// Node is the <VirtualHost> section; nil for the main server.
	Node *Node
	// Addrs are the <VirtualHost> addresses.
	Addrs []VHostAddr
	// ServerName as written, and the port it names (0 if none).
	ServerName string
	ServerPort int
	// Hostname is the effective server name after start-up: ServerName,
	// else what Apache derives (the main server's, the local host's, or
	// the address's reverse DNS name).
	Hostname string
	// Scheme from a ServerName like https://name ("" if none).
	ServerScheme string
	// Names and WildNames are the ServerAlias entries.
	Names, WildNames []string
	ServerAdmin      string
	// DocumentRoot as resolved against ServerRoot ("" if not set here).
	DocumentRoot string
	// ErrorLog as written ("" if not set here).
	ErrorLog string
	// ErrorLogFormats are the server's own ErrorLogFormat lines
	// (Config.ErrorLogFormatsOf merges a virtual host's);
	// mainLogFormat is the main server's line format when a virtual
	// host began.
	ErrorLogFormats errlogfmt.Formats
	mainLogFormat   *errlogfmt.Format
	// LogLevel as set in this server (a virtual host's is merged with
	// the main server's by LogLevels.Merge).
	LogLevel LogLevels
	// Logs are the server's access log directives (mod_log_config).
	Logs LogSettings
	// RemoteIP are the server's mod_remoteip directives.
	RemoteIP RemoteIPSettings
	// Sections are the per-directory sections in config order.
	Sections []*Section
	// Directives are the directives directly in the server scope, in
	// order, for the per-directory defaults (Apache's lookup_defaults).
	Directives []*Node
	// Dir is the server's per-directory defaults (lookup_defaults).
	Dir *DirConfig
	// Aliases and Redirects are mod_alias's server lists, in config
	// order; a virtual host's are followed by the main server's.
	Aliases   []Alias
	Redirects []Redirect
	// WSGIAliases are the WSGIScriptAlias(Match) entries, in order.
	WSGIAliases []*WSGIScriptAlias
	// TypesConfig is mod_mime's types file ("" = inherit / default).
	TypesConfig string
	// AccessFileName lists the .htaccess names (nil = inherit).
	AccessFileName []string
	// AllowEncodedSlashes is "", "on", "off" or "nodecode" ("" = inherit).
	AllowEncodedSlashes string
	// MergeSlashes is core's MergeSlashes (nil = inherit; unset is On).
	MergeSlashes *bool
	// CacheNegotiatedDocs is mod_negotiation's flag (nil = unset): the
	// server's last word on it.
	CacheNegotiatedDocs *bool
	// TraceEnable is "", "on", "off" or "extended" ("" = inherit): a
	// server setting each virtual host may override (core's
	// trace_enable).
	TraceEnable string
	// HTTPProtocol is HttpProtocolOptions.
	HTTPProtocol HTTPProtocolOptions
	// RequestLimits are LimitRequestLine, LimitRequestFieldSize and
	// LimitRequestFields.
	RequestLimits RequestLimits
	// ReadTimeouts are mod_reqtimeout's RequestReadTimeout stages.
	ReadTimeouts RequestReadTimeouts
	// Compression is mod_deflate's and mod_brotli's settings.
	Compression Compression
	// SSL is mod_ssl's settings.
	SSL SSLSettings
	// Protocols is core's Protocols list, lower case (nil: unset).
	Protocols []string
	// H2Upgrade is mod_http2's H2Upgrade of server context, H2Direct its
	// H2Direct (nil: unset).
	H2Upgrade, H2Direct *bool
	// H2MaxSessionStreams and H2WindowSize are mod_http2's (nil: unset).
	H2MaxSessionStreams, H2WindowSize *int
	// SetEnvIf are mod_setenvif's directives of server context, run
	// when a request has been read (a virtual host's own; vhost puts
	// the main server's first).
	SetEnvIf []*SetEnvIf
	// Rewrite is mod_rewrite's server configuration (nil: no
	// directive of it here, in the server's sections included).
	Rewrite *rewrite.ServerConf
}

// Alias is one Alias, ScriptAlias, AliasMatch or ScriptAliasMatch.
type Alias struct {
	From, To string
	Regex    bool
	// Handler is "cgi-script" for the Script forms.
	Handler string
	File    string
	Line    int
}

// IsVirtual reports whether s is a virtual host.
func (s *Server) IsVirtual() bool { return s.Node != nil }

// VHostAddr is one address of a <VirtualHost>.
type VHostAddr struct {
	// Host as written ("*" and "_default_" are wildcards).
	Host string
	// IP is the resolved address ("" for wildcards).
	IP string
	// Port is 0 for a wildcard port.
	Port int
	// Wildcard is true for "*" and "_default_" (and 0.0.0.0 / ::).
	Wildcard bool
}

// SectionKind tells the per-directory section types apart.
type SectionKind uint8

// The section kinds.
const (
	SectionDirectory SectionKind = iota + 1
	SectionLocation
	SectionFiles
	SectionIf
	SectionElseIf
	SectionElse
	SectionOther // sections of modules gowsgid does not implement
)

// Section is a <Directory>, <Location>, <Files> or <If> section.
type Section struct {
	Kind SectionKind
	Node *Node
	// Path is the section argument: canonical with a trailing '/' for
	// <Directory>, as written otherwise.
	Path string
	// Regex is set for the *Match forms and "~".
	Regex *apregex.Regexp
	// Directives are the section's own directives (not nested sections).
	Directives []*Node
	// Dir is the section's per-directory configuration.
	Dir *DirConfig
	// Nested are sections inside this one (<Files> in <Directory>, <If>).
	Nested []*Section
}

// Finding is an observation of gowsgid's about a configuration, printed by
// `gowsgid configtest` after Apache's output and logged at start-up.
type Finding struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Directive string `json:"directive,omitempty"`
	Message   string `json:"message"`
	// Unimplemented marks a directive gowsgid does not implement yet
	// (--strict refuses to start with one).
	Unimplemented bool `json:"unimplemented,omitempty"`
	// Fatal marks a problem the server will not start with (configtest
	// fails on it).
	Fatal bool `json:"fatal,omitempty"`
}

// WSGIServerSettings are mod_wsgi's server-wide directives.
type WSGIServerSettings struct {
	PythonHome, PythonPath, PythonEggs string
	PythonOptimize                     int
	PythonHashSeed                     string
	PythonWarnings                     []string
	DontWriteBytecode                  bool
	RestrictEmbedded                   bool
	RestrictStdin, RestrictStdout      bool
	RestrictSignal                     bool
	LazyInitialization                 bool
	DestroyInterpreter                 bool
	SocketPrefix                       string
	ImportScripts                      []WSGIImportScript
	// KeepScriptCase is WSGICaseSensitivity Off: module names come from
	// the script's path as written. On, Linux's default, lower-cases it
	// first (mod_wsgi's reading of the flag).
	KeepScriptCase bool
}

// WSGIImportScript is one WSGIImportScript or a preloading WSGIScriptAlias.
type WSGIImportScript struct {
	Script, ProcessGroup, ApplicationGroup string
	File                                   string
	Line                                   int
}

// WSGIDaemon is one WSGIDaemonProcess group.
type WSGIDaemon struct {
	Name string
	// Options as given, by option name (lower-case), values as written.
	Options map[string]string
	// Order lists the option names in the order given.
	Order []string
	// Server is the scope it was defined in (the main server or a vhost).
	Server *Server
	File   string
	Line   int
}
