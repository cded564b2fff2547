package confparse

import (
	"maps"
	"slices"

	"github.com/gowsgid/gowsgid/apexpr"
	"github.com/gowsgid/gowsgid/rewrite"
)

// DirConfig is the per-directory configuration of one scope (a server's
// defaults, a <Directory>, <Location>, <Files>, <If> section, or an
// .htaccess file): the settings of every module Apache keeps per directory,
// with Merge doing what each module's merge function does. A nil pointer or
// slice means "not set here; inherit".
type DirConfig struct {
	// core
	Options       OptionsState
	AllowOverride *Override
	// AllowOverrideOpts is the Options=... list of AllowOverride.
	AllowOverrideOpts *int
	OverrideList      []string // AllowOverrideList
	// ErrorDocuments maps a status to its ErrorDocument as Apache stores
	// it: a message starts with '"', "default" is the canned page, else
	// a local path or a URL (all string expressions).
	ErrorDocuments   map[int]string
	AcceptPathInfo   *string // "on", "off", "default"
	UseCanonicalName *string // "on", "off", "dns"
	HostnameLookups  *string // "on", "off", "double"
	LimitRequestBody *int64
	// MaxRanges, MaxRangeOverlaps and MaxRangeReversals: a positive
	// limit, or RangesDefault, RangesUnlimited, RangesNone.
	MaxRanges, MaxRangeOverlaps, MaxRangeReversals *int
	ServerSignature                                *string // "on", "off", "email"
	AddDefaultCharset                              *string // "" is Off; "on" means iso-8859-1
	ForceType                                      *string // "none" disables an inherited one
	SetHandler                                     *string
	FileETag                                       *FileETagSpec
	EnableSendfile                                 *bool
	// EnableMMAP is core's: whether a file is read as memory maps
	// (which decides, through zlib, when mod_deflate passes a
	// compressed file down; nil is on).
	EnableMMAP *bool
	// QualifyRedirectURL is core's: whether REDIRECT_URL (after an
	// ErrorDocument's internal redirect) is a full URL (nil is off).
	QualifyRedirectURL *bool
	// DefaultLanguage is mod_mime's: the language of a file whose
	// extensions name none.
	DefaultLanguage *string
	// mod_dir
	DirectoryIndex []string // {"disabled"} turns it off
	DirectorySlash *bool
	// DirectoryCheckHandler On leaves a directory whose handler is set
	// to that handler (nil is Off: mod_dir acts whatever the handler).
	DirectoryCheckHandler *bool
	// DirectoryIndexRedirect is the redirect status for a found index
	// file (0: Off, serve it); nil when unset.
	DirectoryIndexRedirect *int
	FallbackResource       *string
	// mod_mime, by lower-case extension without the dot
	Types, Charsets, Encodings, Languages, Handlers map[string]string
	// RemovedTypes and RemovedHandlers undo inherited entries.
	RemovedTypes, RemovedHandlers []string
	// RemovedCharsets, RemovedEncodings and RemovedLanguages are
	// RemoveCharset, RemoveEncoding and RemoveLanguage: applied to the
	// merged table, the section's own additions included (mod_mime's
	// remove_items), when the section merges onto a configuration that
	// has mod_mime settings, and then not inherited (see Merge).
	RemovedCharsets, RemovedEncodings, RemovedLanguages []string
	// mimeConf is set where a mod_mime directive is: Apache creates the
	// module's per-directory record only there (see Merge).
	mimeConf bool
	// OutputFilters are mod_mime's AddOutputFilter entries (lower-case
	// ";"-separated filter names by extension); RemovedOutputFilters
	// undo inherited ones (RemoveOutputFilter).
	OutputFilters        map[string]string
	RemovedOutputFilters []string
	// MultiviewsMatch is mod_mime's MultiviewsMatch: MultiMatch* bits,
	// 0 unset (NegotiatedOnly).
	MultiviewsMatch int
	// LanguagePriority and ForceLanguagePriority are mod_negotiation's:
	// the languages in order (nil unset), and FLP* bits (0 unset,
	// which is Prefer).
	LanguagePriority      []string
	ForceLanguagePriority int
	// SetOutputFilter is core's filter list for every response here
	// (lower case, ";"-separated; "" for none).
	SetOutputFilter *string
	// FilterChain and FilterTypes are mod_filter's
	// AddOutputFilterByType: the filters in the order they join the
	// response's chain (the enclosing scopes' first, each once), and
	// each filter's media types, as written, from the innermost scope
	// that names the filter (filter_merge overlays the scopes' filter
	// records: a scope's list replaces the enclosing one's).
	FilterChain []string
	FilterTypes map[string][]string
	// Actions are mod_actions' Action entries by lower-case handler
	// name or media type; MethodScripts its Script entries by method.
	Actions       map[string]Action
	MethodScripts map[string]string
	// SSLVerifyClient is mod_ssl's per-directory SSLVerifyClient, and
	// SSLOptions its per-directory SSLOptions words (enclosing scopes'
	// first).
	SSLVerifyClient *string
	// SSLVerifyDepth is mod_ssl's per-directory SSLVerifyDepth.
	SSLVerifyDepth *int
	// SSLCipherSuite is mod_ssl's per-directory SSLCipherSuite, with
	// mod_ssl's suffix ("" unset).
	SSLCipherSuite string
	SSLOptions     []string
	// SSLRequireSSL is mod_ssl's SSLRequireSSL (once set, enclosed
	// scopes cannot unset it); SSLRequire its SSLRequire expressions, the
	// enclosing scopes' first, all of which must hold; SSLUserName the
	// variable whose value becomes the request's user.
	SSLRequireSSL bool
	SSLRequire    []SSLRequirement
	SSLUserName   *string
	// H2Upgrade is mod_http2's H2Upgrade in a directory (nil: the
	// server's).
	H2Upgrade *bool
	// mod_alias, inside <Location>/<Directory>
	Redirects []Redirect
	// RedirectRelative On sends a Redirect's local target (/path) as it
	// is, not made into an absolute URL; AliasPreservePath On maps the
	// rest of the URI after a <Location>'s path onto its one-argument
	// Alias (nil: Off).
	RedirectRelative, AliasPreservePath *bool
	// LocationAlias is the one-argument Alias of a <Location> (nil:
	// none here).
	LocationAlias *LocationAlias
	// authorization and authentication
	Authz       *AuthzSection
	AuthMerging *string // "off", "and", "or"
	// AuthzForbiddenOnFailure is AuthzSendForbiddenOnFailure: an
	// authenticated user authorization refuses gets 403, not 401.
	AuthzForbiddenOnFailure *bool
	AccessCompat            *AccessCompat
	// AllowMethods is mod_allowmethods' list (HEAD stored as GET, which
	// it stands for). nil: not set here; empty and not nil: "reset",
	// every method allowed.
	AllowMethods       []string
	AuthType, AuthName *string
	AuthBasicProvider  []string
	// AuthBasicAuthoritative Off (false) lets a user no provider knows
	// pass on to the next authentication module; nil is On.
	AuthBasicAuthoritative *bool
	// AuthBasicFake makes the Authorization header the application sees
	// (nil: not set here; a zero BasicFake is "AuthBasicFake off").
	AuthBasicFake *BasicFake
	// AuthBasicDigestMD5 is AuthBasicUseDigestAlgorithm MD5: the
	// provider is asked for the hash of user:realm:password (nil: not
	// set here).
	AuthBasicDigestMD5 *bool
	AuthUserFile       *string
	AuthGroupFile      *string
	// Digest is mod_auth_digest's configuration, nil where none of its
	// directives is; a section's replaces its parent's whole.
	Digest *DigestConfig
	// mod_autoindex: IndexOptions is how Apache's records merged: a
	// section's own is a leaf with the words of its IndexOptions lines
	// (add_opts adds them up into one record); a merge is a node (see
	// Merge). nil is a record without IndexOptions.
	IndexOptions *IndexOptionsMerge
	IndexIgnore  []string
	// IndexIgnoreReset is IndexIgnoreReset On, pending until the section
	// merges onto a record (merge_autoindex_configs: then the parent's
	// IndexIgnore list is dropped; the flag is not inherited).
	IndexIgnoreReset bool
	// aiConf is set where a mod_autoindex directive is: Apache creates
	// the module's per-directory record only there (see Merge).
	aiConf bool
	// IndexIcons and IndexDescriptions are mod_autoindex's icon, alt
	// and description lists, the innermost section's first; the rest
	// its single settings.
	IndexIcons                          []IndexIcon
	IndexDescriptions                   []IndexDescription
	DefaultIcon, HeaderName, ReadmeName *string
	IndexStyleSheet, IndexHeadInsert    *string
	IndexOrderDefault                   []string
	// mod_wsgi
	WSGI WSGIDirSettings
	// mod_headers: RequestHeader, Header (onsuccess) and Header always,
	// each in order; a merge appends the child's to the parent's.
	RequestHeaders, Headers, HeadersAlways []*HeaderAction
	// SetEnvIf are mod_setenvif's directives of directory context
	// (those of server context are Server.SetEnvIf); a merge appends.
	SetEnvIf []*SetEnvIf
	// Env is mod_env's configuration, nil where no SetEnv, UnsetEnv or
	// PassEnv is.
	Env *EnvConfig
	// Expires is mod_expires' configuration, nil where none of its
	// directives is.
	Expires *ExpiresConfig
	// mod_rewrite (nil: no directive of it in this scope)
	Rewrite *rewrite.DirConf
}

// FileETagSpec is a parsed FileETag, kept as core keeps it: the
// absolute bits, and the bits a relative keyword (+INode, -MTime) adds
// or removes, which apply when configurations merge. Effective gives the
// attributes that make the ETag.
type FileETagSpec struct {
	Bits, Add, Remove ETagBits
}

// ETagBits are FileETag's attributes, with core's values.
type ETagBits uint8

// The FileETag attributes; ETagUnset (zero) is core's ETAG_UNSET.
const (
	ETagUnset  ETagBits = 0
	ETagNone   ETagBits = 1 << 0
	ETagMTime  ETagBits = 1 << 1
	ETagINode  ETagBits = 1 << 2
	ETagSize   ETagBits = 1 << 3
	ETagDigest ETagBits = 1 << 4
	ETagAll             = ETagMTime | ETagINode | ETagSize
	// ETagBackward is what an unset FileETag means.
	ETagBackward = ETagMTime | ETagSize
)

// Effective is the set of attributes ap_make_etag uses: none if None,
// MTime and Size if nothing is set. A nil spec is the default.
func (s *FileETagSpec) Effective() ETagBits {
	if s == nil {
		return ETagBackward
	}
	bits := (s.Bits &^ s.Remove) | s.Add
	switch {
	case bits&ETagNone != 0:
		return ETagNone
	case bits == ETagUnset:
		return ETagBackward
	}
	return bits
}

// mergeFileETag is merge_core_dir_configs' FileETag part: a child with
// absolute bits replaces the parent's; one with only relative keywords
// adds and removes its bits on top of the parent's.
// Like core, it runs for every merge: a parent's "None INode" is INode
// below a section that does not set FileETag.
func mergeFileETag(parent, child *FileETagSpec) *FileETagSpec {
	if parent == nil && child == nil {
		return nil
	}
	if parent == nil {
		parent = &FileETagSpec{}
	}
	if child == nil {
		child = &FileETagSpec{}
	}
	m := *child
	if child.Bits == ETagUnset {
		m.Add = (parent.Add &^ child.Remove) | child.Add
		m.Remove = (parent.Remove &^ child.Add) | child.Remove
		m.Bits = (parent.Bits &^ m.Remove) | m.Add
	}
	if m.Bits != ETagNone {
		m.Bits &^= ETagNone
	}
	return &m
}

// LocationAlias is mod_alias's Alias with one argument, inside a
// <Location>: the whole URI maps to the expression's value.
type LocationAlias struct {
	// Target is the string expression (as written in Raw).
	Target *apexpr.Expr
	Raw    string
	// Fake is the enclosing section's path (cmd->path), which
	// AliasPreservePath strips from the URI.
	Fake string
	// Handler is cgi-script for ScriptAlias, else "".
	Handler string
}

// Redirect is one Redirect/RedirectMatch rule.
type Redirect struct {
	Status int
	// From is the URL path or regex; empty for the expression form used
	// inside <Location> (then To is an ap_expr string).
	From  string
	To    string
	Regex bool
	Expr  bool
}

// WSGIDirSettings are mod_wsgi's per-directory settings (nil = inherit).
type WSGIDirSettings struct {
	ProcessGroup, ApplicationGroup, CallableObject *string
	PassAuthorization, ScriptReloading, ChunkedRequest,
	ErrorOverride, EnableSendfile, IgnoreActivity, PassApacheRequest *bool
	MapHEADToGET        *string
	TrustedProxyHeaders []string
	TrustedProxies      []IPSubnet
	RestrictProcess     []string
	// AccessScript, AuthUserScript and AuthGroupScript are the Python
	// hooks of WSGIAccessScript, WSGIAuthUserScript and
	// WSGIAuthGroupScript.
	AccessScript, AuthUserScript, AuthGroupScript *WSGIScriptRef
	// DispatchScript is WSGIDispatchScript's.
	DispatchScript *WSGIScriptRef
	// HandlerScripts are the WSGIHandlerScript handlers by name.
	HandlerScripts map[string]*WSGIHandlerScript
}

// WSGIHandlerScript is a handler name's script: its handle_request
// runs the requests that handler serves, with the options given.
type WSGIHandlerScript struct {
	Script                         string
	ProcessGroup, ApplicationGroup *string
	PassAuthorization              *bool
}

// WSGIScriptRef is a hook script and the application group (interpreter)
// it runs in; nil ApplicationGroup is the main interpreter.
type WSGIScriptRef struct {
	Script           string
	ApplicationGroup *string
}

// AuthzSection is a node of a Require tree: a <RequireAll/Any/None>
// container (Provider == "") or one Require line.
type AuthzSection struct {
	And, Negate bool
	Provider    string // "all", "ip", "valid-user", ...
	Args        string // the provider's arguments, unsplit
	Children    []*AuthzSection
	// Merged marks the container AuthMerging And/Or builds from a
	// parent's and a child's rules.
	Merged bool
	// Limits are the enclosing <Limit>/<LimitExcept> sections: the rule
	// applies to a method every one of them admits.
	Limits []MethodLimit
	File   string
	Line   int
}

// MethodLimit is one <Limit> (Except false) or <LimitExcept> (true).
// Methods are the names given, HEAD written as GET (Apache's M_GET is
// both).
type MethodLimit struct {
	Methods []string
	Except  bool
}

// Admits reports whether every limit lets the method through. HEAD counts
// as GET, as in Apache (M_GET covers it).
func Admits(limits []MethodLimit, method string) bool {
	if method == "HEAD" {
		method = "GET"
	}
	for _, l := range limits {
		in := slices.Contains(l.Methods, method)
		if in == l.Except {
			return false
		}
	}
	return true
}

// AccessCompat is mod_access_compat's configuration of one scope. It has
// no merge function in Apache: a scope that sets any of its directives
// replaces the inherited configuration whole.
type AccessCompat struct {
	// Orders are the scope's Order directives in the order read.
	// Apache keeps an order per method, which each Order sets for the
	// methods of its <Limit>/<LimitExcept> sections: the last Order
	// that admits a method decides it (OrderFor).
	Orders      []LimitedValue
	Allow, Deny []AccessRule
	// Satisfies are the Satisfy directives, per method likewise
	// (SatisfyFor).
	Satisfies []LimitedValue
}

// LimitedValue is one setting of a directive Apache keeps per method:
// its value and the <Limit>/<LimitExcept> sections it was read in.
type LimitedValue struct {
	Value  string
	Limits []MethodLimit
}

// lastFor is the value of the last setting whose limits admit method,
// or def when none does.
func lastFor(vs []LimitedValue, method, def string) string {
	for i := len(vs) - 1; i >= 0; i-- {
		if Admits(vs[i].Limits, method) {
			return vs[i].Value
		}
	}
	return def
}

// OrderFor is mod_access_compat's order[method]: "allow,deny",
// "deny,allow" (the default) or "mutual-failure".
func (ac *AccessCompat) OrderFor(method string) string {
	return lastFor(ac.Orders, method, "deny,allow")
}

// SatisfyFor is mod_access_compat's satisfy[method]: "all", "any", or
// "" (SATISFY_NOSPEC, which Apache treats as all) when no Satisfy
// covers the method.
func (ac *AccessCompat) SatisfyFor(method string) string {
	return lastFor(ac.Satisfies, method, "")
}

// AccessRule is one Allow/Deny "from" word.
type AccessRule struct {
	// Kind is "all", "env", "nenv", "ip", or "host".
	Kind  string
	Value string
	Net   IPSubnet
	// Limits are the enclosing <Limit>/<LimitExcept> sections.
	Limits []MethodLimit
}

// MergedOptions is the Options and AllowOverride settings that
// parent.Merge(child) would have, without building the merged
// configuration: the directory walk needs them at every level.
func (parent *DirConfig) MergedOptions(child *DirConfig) (opts int, override *Override, overrideOpts *int) {
	if parent == nil {
		parent = &DirConfig{}
	}
	if child == nil {
		return parent.Options.Opts, parent.AllowOverride, parent.AllowOverrideOpts
	}
	override, overrideOpts = parent.AllowOverride, parent.AllowOverrideOpts
	if child.AllowOverride != nil {
		override = child.AllowOverride
	}
	if child.AllowOverrideOpts != nil {
		overrideOpts = child.AllowOverrideOpts
	}
	return parent.Options.merge(child.Options).Opts, override, overrideOpts
}

// Merge returns the configuration of child applied over parent, as Apache
// merges per-directory configurations down the section order.
func (parent *DirConfig) Merge(child *DirConfig) *DirConfig {
	if child == nil {
		return parent
	}
	if parent == nil {
		parent = &DirConfig{}
	}
	m := *parent
	m.Options = parent.Options.merge(child.Options)
	setPtr(&m.AllowOverride, child.AllowOverride)
	setPtr(&m.AllowOverrideOpts, child.AllowOverrideOpts)
	if child.OverrideList != nil {
		m.OverrideList = child.OverrideList
	}
	if child.ErrorDocuments != nil {
		m.ErrorDocuments = maps.Clone(parent.ErrorDocuments)
		if m.ErrorDocuments == nil {
			m.ErrorDocuments = map[int]string{}
		}
		maps.Copy(m.ErrorDocuments, child.ErrorDocuments)
	}
	setPtr(&m.AcceptPathInfo, child.AcceptPathInfo)
	setPtr(&m.UseCanonicalName, child.UseCanonicalName)
	setPtr(&m.HostnameLookups, child.HostnameLookups)
	setPtr(&m.LimitRequestBody, child.LimitRequestBody)
	setPtr(&m.MaxRanges, child.MaxRanges)
	setPtr(&m.MaxRangeOverlaps, child.MaxRangeOverlaps)
	setPtr(&m.MaxRangeReversals, child.MaxRangeReversals)
	setPtr(&m.ServerSignature, child.ServerSignature)
	setPtr(&m.AddDefaultCharset, child.AddDefaultCharset)
	setPtr(&m.ForceType, child.ForceType)
	setPtr(&m.SetHandler, child.SetHandler)
	m.FileETag = mergeFileETag(m.FileETag, child.FileETag)
	setPtr(&m.EnableSendfile, child.EnableSendfile)
	setPtr(&m.EnableMMAP, child.EnableMMAP)
	setPtr(&m.QualifyRedirectURL, child.QualifyRedirectURL)
	setPtr(&m.DefaultLanguage, child.DefaultLanguage)
	setPtr(&m.RedirectRelative, child.RedirectRelative)
	setPtr(&m.AliasPreservePath, child.AliasPreservePath)
	setPtr(&m.LocationAlias, child.LocationAlias)
	setPtr(&m.AuthzForbiddenOnFailure, child.AuthzForbiddenOnFailure)
	// mod_dir
	if child.DirectoryIndex != nil {
		m.DirectoryIndex = child.DirectoryIndex
	}
	setPtr(&m.DirectorySlash, child.DirectorySlash)
	setPtr(&m.DirectoryCheckHandler, child.DirectoryCheckHandler)
	setPtr(&m.DirectoryIndexRedirect, child.DirectoryIndexRedirect)
	setPtr(&m.FallbackResource, child.FallbackResource)
	// mod_mime: extension tables overlay, removals apply to the parent.
	// A removed type stays as "": RemoveType hides the types file's
	// type too (static.MimeDir).
	m.Types = overlay(parent.Types, child.Types, child.RemovedTypes, true)
	m.Handlers = overlay(parent.Handlers, child.Handlers, child.RemovedHandlers, false)
	// ap_merge_per_dir_configs calls merge_mime_dir_configs only when
	// both sides have mod_mime's record, and that merge applies the
	// child's removals and forgets them. A side without one passes the
	// other's record on as it is, removals pending: the sections a walk
	// merges among themselves before merging them onto the server's keep
	// the removals of the first one with mod_mime settings for the
	// server's tables.
	switch {
	case !child.hasMimeConf():
	case !parent.hasMimeConf():
		m.Charsets, m.Encodings, m.Languages = child.Charsets, child.Encodings, child.Languages
		m.RemovedCharsets, m.RemovedEncodings, m.RemovedLanguages = child.RemovedCharsets, child.RemovedEncodings, child.RemovedLanguages
	default:
		m.Charsets = overlayThenRemove(parent.Charsets, child.Charsets, child.RemovedCharsets)
		m.Encodings = overlayThenRemove(parent.Encodings, child.Encodings, child.RemovedEncodings)
		m.Languages = overlayThenRemove(parent.Languages, child.Languages, child.RemovedLanguages)
		m.RemovedCharsets, m.RemovedEncodings, m.RemovedLanguages = nil, nil, nil
	}
	m.mimeConf = parent.hasMimeConf() || child.hasMimeConf()
	m.OutputFilters = overlay(parent.OutputFilters, child.OutputFilters, child.RemovedOutputFilters, false)
	if child.MultiviewsMatch != 0 {
		m.MultiviewsMatch = child.MultiviewsMatch
	}
	if child.LanguagePriority != nil {
		m.LanguagePriority = child.LanguagePriority
	}
	if child.ForceLanguagePriority != 0 {
		m.ForceLanguagePriority = child.ForceLanguagePriority
	}
	m.RemovedTypes, m.RemovedHandlers, m.RemovedOutputFilters = nil, nil, nil
	setPtr(&m.SetOutputFilter, child.SetOutputFilter)
	m.Actions = overlayMap(parent.Actions, child.Actions)
	m.MethodScripts = overlayMap(parent.MethodScripts, child.MethodScripts)
	setPtr(&m.SSLVerifyClient, child.SSLVerifyClient)
	setPtr(&m.SSLVerifyDepth, child.SSLVerifyDepth)
	if child.SSLCipherSuite != "" {
		m.SSLCipherSuite = child.SSLCipherSuite
	}
	m.SSLRequireSSL = parent.SSLRequireSSL || child.SSLRequireSSL
	if child.SSLRequire != nil {
		m.SSLRequire = append(slices.Clip(parent.SSLRequire), child.SSLRequire...)
	}
	setPtr(&m.SSLUserName, child.SSLUserName)
	setPtr(&m.H2Upgrade, child.H2Upgrade)
	if child.SSLOptions != nil {
		m.SSLOptions = append(slices.Clip(parent.SSLOptions), child.SSLOptions...)
	}
	if child.FilterChain != nil {
		m.FilterChain = slices.Clip(parent.FilterChain)
		for _, f := range child.FilterChain {
			if !slices.Contains(m.FilterChain, f) {
				m.FilterChain = append(m.FilterChain, f)
			}
		}
		m.FilterTypes = overlayMap(parent.FilterTypes, child.FilterTypes)
	}
	// mod_alias: the child's redirects are tried first.
	if child.Redirects != nil {
		m.Redirects = append(slices.Clip(child.Redirects), parent.Redirects...)
	}
	// mod_authz_core's merge_authz_core_dir_config: a child with neither
	// rules nor AuthMerging inherits; AuthMerging Off (or unset, with
	// rules) replaces; And/Or combine the parent's and the child's.
	switch {
	case child.AuthMerging == nil && child.Authz == nil && parent.Authz != nil:
		// keep the parent's rules and mode
	case child.AuthMerging == nil || *child.AuthMerging == "off" || (parent.Authz == nil && child.Authz == nil):
		m.Authz, m.AuthMerging = child.Authz, child.AuthMerging
	default:
		switch {
		case parent.Authz != nil && child.Authz != nil:
			m.Authz = &AuthzSection{And: *child.AuthMerging == "and", Merged: true,
				Children: []*AuthzSection{parent.Authz, child.Authz}}
		case child.Authz != nil:
			m.Authz = child.Authz
		}
		m.AuthMerging = child.AuthMerging
	}
	if child.AccessCompat != nil {
		m.AccessCompat = child.AccessCompat
	}
	if child.AllowMethods != nil {
		m.AllowMethods = child.AllowMethods
	}
	setPtr(&m.AuthType, child.AuthType)
	setPtr(&m.AuthName, child.AuthName)
	if child.AuthBasicProvider != nil {
		m.AuthBasicProvider = child.AuthBasicProvider
	}
	setPtr(&m.AuthBasicAuthoritative, child.AuthBasicAuthoritative)
	setPtr(&m.AuthBasicFake, child.AuthBasicFake)
	setPtr(&m.AuthBasicDigestMD5, child.AuthBasicDigestMD5)
	setPtr(&m.AuthUserFile, child.AuthUserFile)
	setPtr(&m.AuthGroupFile, child.AuthGroupFile)
	if child.Digest != nil {
		m.Digest = child.Digest
	}
	// mod_autoindex: ap_merge_per_dir_configs merges two records only
	// when both sides have one, else passes on the one there is as it is.
	// A walk merges the sections among themselves before merging them
	// onto the server's, and merge_autoindex_configs is not associative
	// for IndexOptions (two incremental sections merged make a record
	// that is no longer incremental) nor for IndexIgnoreReset, so the
	// merges are kept as Apache makes them.
	switch {
	case !child.hasAIConf():
	case !parent.hasAIConf():
		m.IndexOptions, m.IndexIgnore, m.IndexIgnoreReset = child.IndexOptions, child.IndexIgnore, child.IndexIgnoreReset
	default:
		if parent.IndexOptions != nil || child.IndexOptions != nil {
			m.IndexOptions = &IndexOptionsMerge{Base: parent.IndexOptions, Add: child.IndexOptions}
		}
		if child.IndexIgnoreReset {
			m.IndexIgnore = child.IndexIgnore
		} else if child.IndexIgnore != nil {
			m.IndexIgnore = append(slices.Clip(parent.IndexIgnore), child.IndexIgnore...)
		}
		m.IndexIgnoreReset = false
	}
	m.aiConf = parent.hasAIConf() || child.hasAIConf()
	// merge_autoindex_configs: the child's list entries come first.
	if child.IndexIcons != nil {
		m.IndexIcons = append(slices.Clip(child.IndexIcons), parent.IndexIcons...)
	}
	if child.IndexDescriptions != nil {
		m.IndexDescriptions = append(slices.Clip(child.IndexDescriptions), parent.IndexDescriptions...)
	}
	setPtr(&m.DefaultIcon, child.DefaultIcon)
	setPtr(&m.HeaderName, child.HeaderName)
	setPtr(&m.ReadmeName, child.ReadmeName)
	setPtr(&m.IndexStyleSheet, child.IndexStyleSheet)
	setPtr(&m.IndexHeadInsert, child.IndexHeadInsert)
	if child.IndexOrderDefault != nil {
		m.IndexOrderDefault = child.IndexOrderDefault
	}
	m.Rewrite = rewrite.MergeDir(parent.Rewrite, child.Rewrite)
	// mod_wsgi
	w, cw := &m.WSGI, child.WSGI
	setPtr(&w.ProcessGroup, cw.ProcessGroup)
	setPtr(&w.ApplicationGroup, cw.ApplicationGroup)
	setPtr(&w.CallableObject, cw.CallableObject)
	setPtr(&w.PassAuthorization, cw.PassAuthorization)
	setPtr(&w.ScriptReloading, cw.ScriptReloading)
	setPtr(&w.ChunkedRequest, cw.ChunkedRequest)
	setPtr(&w.ErrorOverride, cw.ErrorOverride)
	setPtr(&w.EnableSendfile, cw.EnableSendfile)
	setPtr(&w.IgnoreActivity, cw.IgnoreActivity)
	setPtr(&w.PassApacheRequest, cw.PassApacheRequest)
	setPtr(&w.MapHEADToGET, cw.MapHEADToGET)
	if cw.TrustedProxyHeaders != nil {
		w.TrustedProxyHeaders = cw.TrustedProxyHeaders
	}
	if cw.TrustedProxies != nil {
		w.TrustedProxies = cw.TrustedProxies
	}
	if cw.RestrictProcess != nil {
		w.RestrictProcess = cw.RestrictProcess
	}
	setPtr(&w.AccessScript, cw.AccessScript)
	setPtr(&w.AuthUserScript, cw.AuthUserScript)
	setPtr(&w.AuthGroupScript, cw.AuthGroupScript)
	setPtr(&w.DispatchScript, cw.DispatchScript)
	if cw.HandlerScripts != nil {
		// apr_hash_overlay: the child's names over the parent's.
		hs := make(map[string]*WSGIHandlerScript, len(w.HandlerScripts)+len(cw.HandlerScripts))
		maps.Copy(hs, w.HandlerScripts)
		maps.Copy(hs, cw.HandlerScripts)
		w.HandlerScripts = hs
	}
	// mod_headers and mod_setenvif append, mod_env and mod_expires have
	// merge functions of their own.
	m.RequestHeaders = appendList(parent.RequestHeaders, child.RequestHeaders)
	m.Headers = appendList(parent.Headers, child.Headers)
	m.HeadersAlways = appendList(parent.HeadersAlways, child.HeadersAlways)
	m.SetEnvIf = appendList(parent.SetEnvIf, child.SetEnvIf)
	m.Env = mergeEnv(parent.Env, child.Env)
	m.Expires = mergeExpires(parent.Expires, child.Expires)
	return &m
}

// appendList is apr_array_append: the parent's entries, then the
// child's; either list alone is shared.
func appendList[T any](parent, child []T) []T {
	switch {
	case len(child) == 0:
		return parent
	case len(parent) == 0:
		return child
	}
	return append(slices.Clip(parent), child...)
}

func setPtr[T any](dst **T, v *T) {
	if v != nil {
		*dst = v
	}
}

// overlay returns base with over's entries on top and removed keys gone
// (kept with an empty value when blank is set); it shares base when there
// is nothing to change.
func overlay(base, over map[string]string, removed []string, blank bool) map[string]string {
	if len(over) == 0 && len(removed) == 0 {
		return base
	}
	m := maps.Clone(base)
	if m == nil {
		m = map[string]string{}
	}
	for _, k := range removed {
		if blank {
			m[k] = ""
		} else {
			delete(m, k)
		}
	}
	maps.Copy(m, over)
	return m
}

// IndexOptionsMerge is one mod_autoindex record's IndexOptions: a
// section's own words (Base and Add nil), or the merge of two records
// (merge_autoindex_configs(Base, Add); a nil side is a record without
// IndexOptions).
type IndexOptionsMerge struct {
	Words     []string
	Base, Add *IndexOptionsMerge
}

// hasAIConf reports whether d has mod_autoindex's per-directory record.
func (d *DirConfig) hasAIConf() bool {
	return d.aiConf || d.IndexOptions != nil || d.IndexIgnore != nil || d.IndexIgnoreReset
}

// hasMimeConf reports whether d has mod_mime's per-directory record.
func (d *DirConfig) hasMimeConf() bool {
	return d.mimeConf || d.Types != nil || d.Charsets != nil || d.Encodings != nil || d.Languages != nil ||
		d.Handlers != nil || d.RemovedCharsets != nil || d.RemovedEncodings != nil || d.RemovedLanguages != nil
}

// overlayThenRemove is merge_mime_dir_configs for an extension table
// with removals: the child's entries over the parent's, then the removed
// extensions taken out of the result.
func overlayThenRemove(base, over map[string]string, removed []string) map[string]string {
	if len(removed) == 0 {
		return overlay(base, over, nil, false)
	}
	m := maps.Clone(base)
	if m == nil {
		m = map[string]string{}
	}
	maps.Copy(m, over)
	for _, k := range removed {
		delete(m, k)
	}
	return m
}

// overlayMap is apr_table_overlay for a keyed setting: the child's
// entries over the parent's.
func overlayMap[V any](parent, child map[string]V) map[string]V {
	if len(child) == 0 {
		return parent
	}
	if len(parent) == 0 {
		return child
	}
	m := maps.Clone(parent)
	maps.Copy(m, child)
	return m
}
