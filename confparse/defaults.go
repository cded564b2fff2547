package confparse

import (
	"strings"
	"sync"
)

// behaviour is what gowsgid adds to a directive of the Apache table: how
// far it is implemented, why, and the function that checks and applies it.
type behaviour struct {
	status Status
	note   string
	apply  ApplyFunc
}

const (
	noteMPM   = "process and thread pool sizing of Apache's MPM; gowsgid runs goroutines and sizes its Python pool from ThreadsPerChild/MaxRequestWorkers"
	noteMutex = "gowsgid needs no cross-process accept or cache mutexes"
	// noteHandlers names the handlers gowsgid serves.
	noteFilters  = "DEFLATE and BROTLI_COMPRESS compress responses as mod_deflate and mod_brotli do; other filter names are accepted and not applied"
	noteHandlers = "handlers served: wsgi-script, server-status (when mod_status is loaded) and gowsgid-metrics (Prometheus text); any other name goes to the default handler, as in Apache"
)

// behaviours maps lower-cased directive names to gowsgid's behaviour. A
// directive that is not listed is known (Apache's checks of argument count
// and context still apply) and reported as not implemented.
var behaviours = map[string]behaviour{
	// Read-time directives: confparse does all of their work.
	"include":               {status: Implemented},
	"includeoptional":       {status: Implemented},
	"define":                {status: Implemented},
	"undefine":              {status: Implemented},
	"<ifmodule":             {status: Implemented},
	"<ifdefine":             {status: Implemented},
	"<iffile":               {status: Implemented},
	"<ifdirective":          {status: Implemented},
	"<ifsection":            {status: Implemented},
	"<ifversion":            {status: Implemented, note: "answers as Apache " + ApacheVersion},
	"allowmethods":          {status: Implemented, apply: applyAllowMethods},
	"httpprotocoloptions":   {status: Implemented, note: "Strict, LenientMethods, RegisteredMethods and Require1.0 as Apache (Strict refuses a bare LF line end, Unsafe accepts it); the rest of Unsafe and Allow0.9 are not (requests are parsed strictly and HTTP/0.9 is refused, configtest says so where they are named)", apply: applyHTTPProtocolOptions},
	"languagepriority":      {status: Implemented, note: "orders the variants of MultiViews and type maps", apply: applyLanguagePriority},
	"forcelanguagepriority": {status: Implemented, apply: applyForceLanguagePriority},
	"cachenegotiateddocs":   {status: Implemented, note: cacheNegotiatedNote, apply: applyCacheNegotiatedDocs},
	"multiviewsmatch":       {status: Implemented, apply: applyMultiviewsMatch},
	"<macro":                {status: Implemented},
	"use":                   {status: Implemented},
	"undefmacro":            {status: Implemented},
	"macroignoreemptyargs":  {status: Implemented},
	"macroignorebadnesting": {status: Implemented},
	"loadmodule":            {status: Implemented, note: "decides which directives and <IfModule> tests exist; no shared object is loaded"},
	"loadfile":              {status: NoEffect, note: "gowsgid loads no shared objects; the file must exist, as in Apache"},
	"serverroot":            {status: Implemented},
	"defaultruntimedir":     {status: NoEffect, note: "gowsgid keeps no runtime files besides PidFile"},
	"error":                 {status: Implemented, apply: applyError},
	"namevirtualhost":       {status: NoEffect, note: "no effect in Apache 2.4 either", apply: applyNameVirtualHost},

	// Sections and the server model: checked now, served by vhost.
	"<virtualhost":         {status: Implemented, apply: applyVirtualHost},
	"<directory":           {status: Implemented, apply: applyDirSection},
	"<directorymatch":      {status: Implemented, apply: applyDirSection},
	"<location":            {status: Implemented, apply: applyDirSection},
	"<locationmatch":       {status: Implemented, apply: applyDirSection},
	"<files":               {status: Implemented, apply: applyDirSection},
	"<filesmatch":          {status: Implemented, apply: applyDirSection},
	"<if":                  {status: Implemented, apply: applyIfSection},
	"<elseif":              {status: Implemented, apply: applyIfSection},
	"<else":                {status: Implemented, apply: applyIfSection},
	"<limit":               {status: Implemented, apply: applyLimitSection},
	"registerhttpmethod":   {status: Implemented, note: "registers the methods, which a .htaccess <Limit> may then name (HttpProtocolOptions RegisteredMethods is not implemented)", apply: applyRegisterHttpMethod},
	"<limitexcept":         {status: Implemented, apply: applyLimitSection},
	"servername":           {status: Implemented, apply: applyServerName},
	"serveralias":          {status: Implemented, apply: applyServerAlias},
	"serveradmin":          {status: Implemented, apply: applyServerAdmin},
	"documentroot":         {status: Implemented, apply: applyDocumentRoot},
	"options":              {status: Implemented, apply: applyOptions},
	"allowoverride":        {status: Implemented, apply: applyAllowOverride},
	"allowoverridelist":    {status: Implemented, apply: applyAllowOverrideList},
	"errordocument":        {status: Implemented, apply: applyErrorDocument},
	"loglevel":             {status: Implemented, note: "per server and virtual host, with module:level; inside <Directory>/<Location> it is accepted and has no effect", apply: applyLogLevel},
	"timeout":              {status: Implemented, apply: applyTimeout},
	"keepalivetimeout":     {status: Implemented, apply: applyKeepAliveTimeout},
	"keepalive":            {status: Implemented},
	"maxkeepaliverequests": {status: Implemented, note: "per virtual host, as Apache; an HTTP/1.0 client that asks for keep-alive gets Keep-Alive: timeout=N, max=M"},
	"listen":               {status: Implemented, apply: applyListen},
	"user": {status: Implemented, note: "started as root, gowsgid drops to User after binding; a privileged helper keeps binding and daemon spawning",
		apply: applyUser},
	"group":          {status: Implemented, apply: applyGroup},
	"pidfile":        {status: Implemented, apply: applyPidFile},
	"errorlog":       {status: Implemented, note: "a file, |program or syslog[:facility], per server and virtual host", apply: applyErrorLog},
	"errorlogformat": {status: Implemented, note: "per server and virtual host, with the connection and request lines and log ids (%L); %F is always empty", apply: applyErrorLogFormat},
	"mutex":          {status: NoEffect, note: noteMutex, apply: applyMutex},

	// mod_remoteip.
	"remoteipheader":                  {status: Implemented, apply: applyRemoteIPHeader},
	"remoteipproxiesheader":           {status: Implemented, apply: applyRemoteIPProxiesHeader},
	"remoteiptrustedproxy":            {status: Implemented, apply: applyRemoteIPProxy(false)},
	"remoteipinternalproxy":           {status: Implemented, apply: applyRemoteIPProxy(true)},
	"remoteiptrustedproxylist":        {status: Implemented, apply: applyRemoteIPProxyList(false)},
	"remoteipinternalproxylist":       {status: Implemented, apply: applyRemoteIPProxyList(true)},
	"remoteipproxyprotocol":           {status: Implemented, apply: applyRemoteIPProxyProtocol},
	"remoteipproxyprotocolexceptions": {status: Implemented, apply: applyRemoteIPProxyProtocolExceptions},

	// mod_log_config and mod_logio.
	"logformat":      {status: Implemented, apply: applyLogFormat},
	"customlog":      {status: Implemented, apply: applyCustomLog},
	"transferlog":    {status: Implemented, apply: applyCustomLog},
	"globallog":      {status: Implemented, apply: applyCustomLog},
	"bufferedlogs":   {status: Implemented, apply: applyBufferedLogs},
	"logiotrackttfb": {note: "%^FB logs '-'"},

	// Per-directory settings of core, mod_dir, mod_mime, auth, autoindex.
	"acceptpathinfo": {status: Implemented, apply: applyAcceptPathInfo},
	"hostnamelookups": {status: Implemented, note: "the client's name for %h, REMOTE_HOST and the Remote_Host, REMOTE_HOST variables, looked up once per connection",
		apply: applyHostnameLookups},
	"serversignature":  {status: Implemented, apply: applyServerSignature},
	"usecanonicalname": {status: Implemented, apply: applyUseCanonicalName},
	"enablesendfile": {status: Implemented, note: "Off: static files and wsgi.file_wrapper responses are read and written instead of sent with sendfile(2)",
		apply: applyEnableSendfile},
	"enablemmap": {status: Implemented, note: "gowsgid never maps files into memory; Off reads a file the compression filters take in 8000-byte pieces, which decides, as under Apache, whether the compressed response has a Content-Length",
		apply: applyEnableMMAP},
	"qualifyredirecturl": {status: Implemented, note: "REDIRECT_URL of an ErrorDocument's request (a WSGI script's environ) is the full URL",
		apply: applyQualifyRedirectURL},
	"mergeslashes": {status: Implemented, note: "Off keeps // in the URI that Alias, <LocationMatch>, mod_rewrite and WSGI applications see; <Location> matches the merged URI, as in Apache",
		apply: applyMergeSlashes},
	"defaultlanguage":             {status: Implemented, apply: applyDefaultLanguage},
	"directorycheckhandler":       {status: Implemented, apply: applyDirectoryCheckHandler},
	"aliaspreservepath":           {status: Implemented, apply: applyAliasPreservePath},
	"redirectrelative":            {status: Implemented, apply: applyRedirectRelative},
	"authzsendforbiddenonfailure": {status: Implemented, apply: applyAuthzForbiddenOnFail},
	"defaulttype":                 {status: NoEffect, note: "deprecated in Apache 2.4: any value but None warns (AH00117) and is ignored, as in Apache", apply: applyDefaultType},
	"fancyindexing":               {status: Implemented, note: "refused, as Apache refuses it: IndexOptions FancyIndexing is the directive", apply: applyDeprecated},
	"maxmemfree":                  {status: NoEffect, note: "Go's runtime manages the memory; there are no APR allocators to trim", apply: applyMPMSize},
	"threadstacksize":             {status: NoEffect, note: "goroutines grow their stacks as needed (the embedded Python threads' stacks are sized by gowsgid itself)", apply: applyMPMSize},
	"coredumpdirectory":           {status: NoEffect, note: "checked (the directory must exist); gowsgid does not change directory for core dumps", apply: applyCoreDumpDirectory},
	"scoreboardfile":              {status: NoEffect, note: "gowsgid's scoreboard lives in its own memory; no file is made", apply: applyGlobalOnly},
	"adddefaultcharset":           {status: Implemented, apply: applyAddDefaultCharset},
	"limitrequestbody":            {status: Implemented, note: "a body over the limit (Content-Length, or chunked as it comes) is 413 for the static handler", apply: applyLimitRequestBody},
	"maxranges":                   {status: Implemented, apply: applyRangeLimit("MaxRanges", func(d *DirConfig) **int { return &d.MaxRanges })},
	"maxrangeoverlaps":            {status: Implemented, apply: applyRangeLimit("MaxRangeOverlaps", func(d *DirConfig) **int { return &d.MaxRangeOverlaps })},
	"maxrangereversals":           {status: Implemented, apply: applyRangeLimit("MaxRangeReversals", func(d *DirConfig) **int { return &d.MaxRangeReversals })},
	"forcetype":                   {status: Implemented, apply: applyForceType},
	"sethandler":                  {status: Implemented, note: noteHandlers, apply: applySetHandler},
	"fileetag":                    {status: Implemented, apply: applyFileETag},
	"directoryindex":              {status: Implemented, apply: applyDirectoryIndex},
	"directoryslash":              {status: Implemented, apply: applyDirectorySlash},
	"directoryindexredirect":      {status: Implemented, apply: applyDirectoryIndexRedirect},
	"fallbackresource":            {status: Implemented, apply: applyFallbackResource},
	"addtype":                     {status: Implemented, apply: applyAddExtension},
	"addcharset":                  {status: Implemented, apply: applyAddExtension},
	"addencoding":                 {status: Implemented, apply: applyAddExtension},
	"addlanguage":                 {status: Implemented, apply: applyAddExtension},
	"addhandler":                  {status: Implemented, apply: applyAddExtension},
	"removetype":                  {status: Implemented, apply: applyRemoveExtension},
	"removehandler":               {status: Implemented, apply: applyRemoveExtension},
	"removecharset":               {status: Implemented, apply: applyRemoveExtension},
	"removeencoding":              {status: Implemented, apply: applyRemoveExtension},
	"removelanguage":              {status: Implemented, apply: applyRemoveExtension},
	"typesconfig":                 {status: Implemented, apply: applyTypesConfig},
	"authtype":                    {status: Implemented, apply: applyAuthType},
	"authname":                    {status: Implemented, apply: applyAuthName},
	"authbasicprovider":           {status: Implemented, apply: applyAuthBasicProvider},
	"authbasicauthoritative":      {status: Implemented, apply: applyAuthBasicAuthoritative},
	"authbasicfake":               {status: Implemented, apply: applyAuthBasicFake},
	"authbasicusedigestalgorithm": {status: Implemented, apply: applyAuthBasicUseDigestAlgorithm},
	"authuserfile":                {status: Implemented, apply: applyAuthUserFile},
	"authgroupfile":               {status: Implemented, apply: applyAuthGroupFile},
	"authmerging":                 {status: Implemented, apply: applyAuthMerging},
	"authdigestprovider":          {status: Implemented, apply: applyAuthDigestProvider},
	"authdigestqop":               {status: Implemented, note: "auth only, as Apache " + ApacheVersion, apply: applyAuthDigestQop},
	"authdigestnoncelifetime":     {status: Implemented, apply: applyAuthDigestNonceLifetime},
	"authdigestnccheck":           {status: Implemented, note: "nonce counts are kept in gowsgid's memory", apply: applyAuthDigestNcCheck},
	"authdigestalgorithm":         {status: Implemented, note: "MD5 only, as Apache " + ApacheVersion, apply: applyAuthDigestAlgorithm},
	"authdigestdomain":            {status: Implemented, apply: applyAuthDigestDomain},
	"authdigestshmemsize":         {status: NoEffect, note: "checked; gowsgid keeps the digest client table in its own memory", apply: applyAuthDigestShmemSize},
	"indexoptions":                {status: Implemented, apply: applyIndexOptions},
	"indexignore":                 {status: Implemented, apply: applyIndexIgnore},
	"indexignorereset":            {status: Implemented, apply: applyIndexIgnoreReset},
	"addicon":                     {status: Implemented, apply: applyAddIcon},
	"addiconbytype":               {status: Implemented, apply: applyAddIcon},
	"addiconbyencoding":           {status: Implemented, apply: applyAddIcon},
	"addalt":                      {status: Implemented, apply: applyAddIcon},
	"addaltbytype":                {status: Implemented, apply: applyAddIcon},
	"addaltbyencoding":            {status: Implemented, apply: applyAddIcon},
	"adddescription":              {status: Implemented, apply: applyAddDescription},
	"defaulticon":                 {status: Implemented, apply: applyDefaultIcon},
	"headername":                  {status: Implemented, apply: applyHeaderName},
	"readmename":                  {status: Implemented, apply: applyReadmeName},
	"indexstylesheet":             {status: Implemented, apply: applyIndexStyleSheet},
	"indexheadinsert":             {status: Implemented, apply: applyIndexHeadInsert},
	"indexorderdefault":           {status: Implemented, apply: applyIndexOrderDefault},
	"servertokens":                {status: Implemented, apply: applyServerTokens},
	"traceenable":                 {status: Implemented, apply: applyTraceEnable},
	"limitrequestline": {status: Implemented, note: "checked against the request line net/http parsed (1 MiB at most)",
		apply: applyRequestLimit(func(l *RequestLimits) **int { return &l.Line }, "LimitRequestLine", "")},
	"limitrequestfieldsize": {status: Implemented, note: "a field is measured as \"Name: value\" as net/http parsed it",
		apply: applyRequestLimit(func(l *RequestLimits) **int { return &l.FieldSize }, "LimitRequestFieldsize", "")},
	"limitinternalrecursion": {status: Implemented, apply: applyLimitInternalRecursion},
	"limitrequestfields": {status: Implemented,
		apply: applyRequestLimit(func(l *RequestLimits) **int { return &l.Fields }, "LimitRequestFields", " (0 = no limit)")},
	"acceptfilter": {status: Implemented, note: "on Linux any filter but none is TCP_DEFER_ACCEPT (30 s), the default for http and https, as Apache",
		apply: applyAcceptFilter},
	// Output filters: the compression filters are applied; the others
	// (INCLUDES, SUBSTITUTE, ...) are accepted and not.
	"setoutputfilter":       {status: Implemented, note: noteFilters, apply: applySetOutputFilter},
	"addoutputfilter":       {status: Implemented, note: noteFilters, apply: applyAddOutputFilter},
	"removeoutputfilter":    {status: Implemented, apply: applyRemoveOutputFilter},
	"addoutputfilterbytype": {status: Implemented, note: noteFilters, apply: applyAddOutputFilterByType},
	"deflatecompressionlevel": {status: Implemented, note: "Go's compress/flate at that level (the bytes differ from zlib's; the decoded body is the same)",
		apply: applyDeflateCompressionLevel},
	"deflatealteretag":               {status: Implemented, apply: applyAlterETag},
	"brotlialteretag":                {status: Implemented, apply: applyAlterETag},
	"brotlicompressionquality":       {status: Implemented, note: "github.com/andybalholm/brotli at that quality", apply: applyBrotliQuality},
	"deflatebuffersize":              {status: NoEffect, note: "whether a compressed file goes out with Content-Length follows zlib under the default 8096-byte buffer"},
	"deflatewindowsize":              {status: NoEffect, note: "Go's compress/flate always uses a 32 KiB window; Content-Length follows zlib's default window"},
	"deflatememlevel":                {status: NoEffect, note: "Go's compress/flate has no memory level; Content-Length follows zlib's default level 9"},
	"brotlicompressionwindow":        {status: Implemented, apply: applyBrotliWindow},
	"brotlicompressionmaxinputblock": {status: NoEffect, note: "the brotli library's block size for the quality is used"},
	"action":                         {status: Implemented, note: "the script is served by an internal redirect, as mod_actions does; for gowsgid that is a WSGI script or a file (CGI is out of scope)", apply: applyAction},
	"script":                         {status: Implemented, apply: applyScript},
	// mod_ssl: TLS from Go's crypto/tls.
	"protocols":                        {status: Implemented, note: "with mod_http2 loaded: h2 over TLS (ALPN, in this order), h2c on cleartext ports for clients with prior knowledge (no Upgrade: h2c; any server's h2c turns it on for every cleartext port)", apply: applyProtocols},
	"h2direct":                         {status: Implemented, note: "for the server a connection arrives at, as in mod_http2", apply: applyH2Direct},
	"h2upgrade":                        {status: Implemented, note: "for h2c: an HTTP/1.1 request on a cleartext connection; gowsgid upgrades no TLS connection (h2 is chosen by ALPN)", apply: applyH2Upgrade},
	"h2maxsessionstreams":              {status: Implemented, note: "the main server's, for every HTTP/2 connection (set when a listener opens)", apply: applyH2Positive},
	"h2windowsize":                     {status: Implemented, note: "the main server's, for every HTTP/2 connection (set when a listener opens)", apply: applyH2WindowSize},
	"h2maxworkers":                     {status: NoEffect, note: "streams are goroutines: there is no worker pool to size", apply: applyH2Positive},
	"h2minworkers":                     {status: NoEffect, note: "streams are goroutines: there is no worker pool to size", apply: applyH2Positive},
	"h2maxworkeridleseconds":           {status: NoEffect, note: "streams are goroutines: there is no worker pool to size"},
	"h2moderntlsonly":                  {status: NoEffect, note: "always on: Go's HTTP/2 server requires TLS 1.2 or later and refuses the suites RFC 9113 forbids", apply: applyH2Flag},
	"h2tlswarmupsize":                  {status: NoEffect, note: "Go's crypto/tls sizes records itself: one TCP segment each for a connection's first 128 KiB, then full ones"},
	"h2tlscooldownsecs":                {status: NoEffect, note: "Go's crypto/tls sizes records itself and does not go back to small ones after an idle time"},
	"protocolshonororder":              {status: Implemented, note: "for TLS's ALPN"},
	"sslengine":                        {status: Implemented, note: "on: the connections of the server's address are TLS; optional is off, with the notice AH10510, as Apache 2.4.71 has it (it dropped RFC 2817 upgrades)", apply: applySSLEngine},
	"sslcertificatefile":               {status: Implemented, apply: applySSLCertificateFile},
	"sslcertificatekeyfile":            {status: Implemented, note: "unencrypted keys only: an encrypted key is refused at start-up", apply: applySSLCertificateKeyFile},
	"sslcertificatechainfile":          {status: Implemented, apply: applySSLCertificateChainFile},
	"sslprotocol":                      {status: Implemented, note: "the lowest to the highest protocol enabled (Go's crypto/tls offers a range)", apply: applySSLProtocol},
	"sslstrictsnivhostcheck":           {status: Implemented, note: "a request without SNI is refused (403, AH02033) on an address with name-based hosts only, as in Apache", apply: applySSLStrictSNIVHostCheck},
	"sslsessiontickets":                {status: Implemented, apply: applySSLSessionTickets},
	"ssloptions":                       {status: Implemented, note: "StdEnvVars gives HTTPS and the SSL_ variables gowsgid knows; ExportCertData, StrictRequire and FakeBasicAuth work; OptRenegotiate narrows a directory's SSLCipherSuite check to the suite in use; LegacyDNStringFormat is accepted", apply: applySSLOptions},
	"sslverifyclient":                  {status: Implemented, note: "for a server: the handshake asks for (or requires) a client certificate; in a directory gowsgid does not renegotiate: a request there whose mode asks more than the handshake did (optional where it asked for no certificate, require where it did not require one) is refused (403, AH10158), as Apache refuses a client without post-handshake authentication; optional_no_ca verifies against the CAs and lets only issuer errors pass", apply: applySSLVerifyClient},
	"sslrequiressl":                    {status: Implemented, note: "on a cleartext connection the request is refused (403)", apply: applySSLRequireSSL},
	"sslrequire":                       {status: Implemented, note: "every SSL_ variable gowsgid exports is known; PeerExtList() is not", apply: applySSLRequire},
	"sslusername":                      {status: Implemented, apply: applySSLUserName},
	"sslverifydepth":                   {status: Implemented, note: "for a server", apply: applySSLVerifyDepth},
	"sslcacertificatefile":             {status: Implemented, apply: applySSLCACertificate},
	"sslcacertificatepath":             {status: Implemented, note: "every PEM file in the directory is read (no hash links needed)", apply: applySSLCACertificate},
	"sslcarevocationfile":              {status: Implemented, note: "client certificates only; not with SSLVerifyClient optional_no_ca", apply: applySSLCACertificate},
	"sslcarevocationpath":              {status: Implemented, note: "every PEM file in the directory is read (no hash links needed)", apply: applySSLCACertificate},
	"sslcarevocationcheck":             {status: Implemented, apply: applySSLCARevocationCheck},
	"sslcadnrequestfile":               {status: NoEffect, note: "the certificate request names the CAs of SSLCACertificateFile and -Path (Go's crypto/tls); the file is compared by the SNI/Host check (AH02032)", apply: applySSLCACertificate},
	"sslcadnrequestpath":               {status: NoEffect, note: "the certificate request names the CAs of SSLCACertificateFile and -Path (Go's crypto/tls); the directory is compared by the SNI/Host check (AH02032)", apply: applySSLCACertificate},
	"sslvhostsnipolicy":                {status: Implemented, note: "strict, secure, authonly and insecure compare what mod_ssl 2.4.71 compares (measured)", apply: applySSLVHostSNIPolicy},
	"sslciphersuite":                   {status: Implemented, note: "the suites before TLS 1.3 the string permits, as OpenSSL 3.0 reads it, of those Go's crypto/tls implements (no DHE, CCM, CAMELLIA, ARIA, PSK); crypto/tls orders them itself and offers all its TLS 1.3 suites whatever the TLSv1.3 list says; in a directory, a TLS 1.2 connection whose suite the directory does not permit is refused (403) where Apache would renegotiate", apply: applySSLCipherSuite},
	"sslopensslconfcmd":                {status: Implemented, note: "Curves and Groups (those Go implements: X25519, P-256, P-384, P-521), CipherString, Protocol, MinProtocol, MaxProtocol and Options' SessionTicket are applied; Ciphersuites is checked (Go offers all its TLS 1.3 suites); the other commands are checked as mod_ssl checks them and have no effect (configtest says so)", apply: applySSLOpenSSLConfCmd},
	"sslhonorcipherorder":              {status: NoEffect, note: "Go's crypto/tls orders cipher suites itself"},
	"sslsessioncache":                  {status: Implemented, note: "with SSLSessionTickets off, sessions resume from a cache in the server's memory, with tickets that only name the session (the provider's own store is not used)", apply: applySSLSessionCache},
	"sslsessioncachetimeout":           {status: Implemented, note: "how long a cached session may resume", apply: applySSLSessionCacheTimeout},
	"sslrandomseed":                    {status: NoEffect, note: "Go's crypto/rand seeds itself from the kernel"},
	"sslusestapling":                   {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingcache":                 {status: NoEffect, note: "accepted; no OCSP response is stapled", apply: applySSLStaplingCache},
	"sslstaplingerrorcachetimeout":     {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingfaketrylater":          {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingforceurl":              {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingrespondertimeout":      {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingresponsemaxage":        {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingresponsetimeskew":      {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingreturnrespondererrors": {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslstaplingstandardcachetimeout":  {status: NoEffect, note: "accepted; no OCSP response is stapled"},
	"sslcompression":                   {status: Implemented, note: "Go's TLS never compresses; On is refused, as mod_ssl refuses it with Debian's OpenSSL", apply: applySSLCompression},
	"sslinsecurerenegotiation":         {status: NoEffect, note: "Go's TLS server never renegotiates, securely or not"},
	"sslsessionticketkeyfile":          {status: Implemented, note: "its 48 bytes key the session tickets, so every server that reads the same file resumes the sessions of the others (the tickets are Go's, not OpenSSL's)", apply: applySSLSessionTicketKeyFile},
	"sslpassphrasedialog": {status: Implemented, note: "exec: runs its program for each encrypted key, |program talks to its program, and builtin asks on the terminal (or reads standard input), as mod_ssl does",
		apply: applySSLPassPhraseDialog},
	"requestreadtimeout": {status: Implemented, note: "header and body stages with MinRate, mod_reqtimeout's defaults when it is loaded; the handshake stage is checked and waits for TLS",
		apply: applyRequestReadTimeout},
	"accessfilename":      {status: Implemented, apply: applyAccessFileName},
	"allowencodedslashes": {status: Implemented, apply: applyAllowEncodedSlashes},

	// mod_env, mod_setenvif, mod_headers and mod_expires.
	"setenv":             {status: Implemented, apply: applySetEnv},
	"unsetenv":           {status: Implemented, apply: applyUnsetEnv},
	"passenv":            {status: Implemented, note: "from gowsgid's environment when the configuration is read", apply: applyPassEnv},
	"setenvif":           {status: Implemented, apply: applySetEnvIf},
	"setenvifnocase":     {status: Implemented, apply: applySetEnvIf},
	"browsermatch":       {status: Implemented, apply: applySetEnvIf},
	"browsermatchnocase": {status: Implemented, apply: applySetEnvIf},
	"setenvifexpr":       {status: Implemented, apply: applySetEnvIfExpr},
	"header":             {status: Implemented, apply: applyHeader},
	"requestheader":      {status: Implemented, apply: applyHeader},
	"expiresactive":      {status: Implemented, apply: applyExpiresActive},
	"expiresbytype":      {status: Implemented, apply: applyExpiresByType},
	"expiresdefault":     {status: Implemented, apply: applyExpiresDefault},

	// MPM sizing.
	"threadsperchild":   {status: Implemented, note: "sizes the embedded Python pool: requests inside Python at once (1 under prefork)"},
	"maxrequestworkers": {status: Implemented, note: "caps the requests served at once (others wait, AH00484 is logged once) and the embedded Python pool, gives wsgi.multiprocess as mod_wsgi derives it, and is the number of server-status's scoreboard slots"},
	"maxclients":        {status: Implemented, note: "the old name of MaxRequestWorkers"},

	// mod_status's scoreboard settings (core directives).
	"extendedstatus":           {status: Implemented, note: "On by default with mod_status; Off leaves the totals out of server-status (gowsgid counts them either way)"},
	"seerequesttail":           {status: NoEffect, note: "gowsgid's status page shows no per-worker request lines"},
	"startservers":             {status: NoEffect, note: noteMPM},
	"serverlimit":              {status: NoEffect, note: noteMPM},
	"threadlimit":              {status: NoEffect, note: noteMPM},
	"minsparethreads":          {status: NoEffect, note: noteMPM},
	"maxsparethreads":          {status: NoEffect, note: noteMPM},
	"minspareservers":          {status: NoEffect, note: noteMPM},
	"maxspareservers":          {status: NoEffect, note: noteMPM},
	"asyncrequestworkerfactor": {status: NoEffect, note: noteMPM},
	"listencoresbucketsratio":  {status: NoEffect, note: noteMPM},
	"listenbacklog":            {status: Implemented, note: "the accept queue of every Listen socket (unset: the kernel's somaxconn, where Apache asks for 511)", apply: applyListenBacklog},
	"sendbuffersize":           {status: Implemented, note: "SO_SNDBUF of every Listen socket, which its connections inherit", apply: applySendBufferSize},
	"receivebuffersize":        {status: Implemented, note: "SO_RCVBUF of every Listen socket, which its connections inherit", apply: applyReceiveBufferSize},
	"listentcpdeferaccept":     {status: Implemented, note: "TCP_DEFER_ACCEPT's seconds where AcceptFilter is data (the default for http and https)", apply: applyListenTCPDeferAccept},
	"gracefulshutdowntimeout":  {status: Implemented, note: "how long -k graceful-stop (SIGWINCH) lets requests in flight run", apply: applyGracefulShutdownTimeout},
	"maxconnectionsperchild":   {status: NoEffect, note: "gowsgid serves from one process and has no children to recycle; daemon processes recycle with maximum-requests="},
	"maxrequestsperchild":      {status: NoEffect, note: "the old name of MaxConnectionsPerChild: gowsgid has no children to recycle"},

	// mod_alias.
	"alias":             {status: Implemented, apply: applyAlias},
	"scriptalias":       {apply: applyAlias},
	"aliasmatch":        {status: Implemented, apply: applyAliasMatch},
	"scriptaliasmatch":  {apply: applyAliasMatch},
	"redirect":          {status: Implemented, apply: applyRedirect},
	"redirectmatch":     {status: Implemented, apply: applyRedirect},
	"redirecttemp":      {status: Implemented, apply: applyRedirect},
	"redirectpermanent": {status: Implemented, apply: applyRedirect},

	// mod_rewrite.
	"rewriteengine":  {status: Implemented, apply: applyRewriteEngine},
	"rewriteoptions": {status: Implemented, apply: applyRewriteOptions},
	"rewritebase":    {status: Implemented, apply: applyRewriteBase},
	"rewritecond": {status: Implemented, note: "patterns are PCRE2's, as in Apache (RE2 in a build without cgo, where one RE2 cannot compile is a configtest finding)",
		apply: applyRewriteCond},
	"rewriterule": {status: Implemented, note: "patterns are PCRE2's, as in Apache (RE2 in a build without cgo, where one RE2 cannot compile is a configtest finding); [P] answers 403 (no mod_proxy)",
		apply: applyRewriteRule},
	"rewritemap": {status: Implemented, note: "txt:, rnd:, int:, dbm: (default/db, gdbm and sdbm files) and prg: maps (programs run as Apache's parent runs them, as root or the map's user:group); dbm=ndbm/lmdb:, dbd: and fastdbd: are checked as Apache checks them and never find a key (configtest says so)",
		apply: applyRewriteMap},

	// Access control.
	"require":      {status: Implemented, apply: applyRequire},
	"<requireall":  {status: Implemented, apply: applyAuthzSection},
	"<requireany":  {status: Implemented, apply: applyAuthzSection},
	"<requirenone": {status: Implemented, apply: applyAuthzSection},
	"order":        {status: Implemented, apply: applyOrder},
	"allow":        {status: Implemented, apply: applyAllowDeny},
	"deny":         {status: Implemented, apply: applyAllowDeny},
	"satisfy":      {status: Implemented, apply: applySatisfy},

	// mod_wsgi: embedded mode is served (embedpy); daemon mode is issue 6.
	"wsgiscriptalias":      {status: Implemented, apply: applyWSGIScriptAlias},
	"wsgiscriptaliasmatch": {status: Implemented, apply: applyWSGIScriptAlias},
	"wsgidaemonprocess": {status: Implemented, note: "workers are this binary re-executed, reached over socketpairs; socket-user, server-metrics and newrelic-* have no effect (configtest says so)",
		apply: applyWSGIDaemonProcess},
	"wsgiimportscript": {status: Implemented,
		apply: applyWSGIImportScript},
	"wsgisocketprefix": {status: NoEffect, note: "gowsgid reaches its daemon processes over socketpairs; there are no socket files",
		apply: wsgiGlobalValue(func(s *WSGIServerSettings, v string) { s.SocketPrefix = v })},
	"wsgisocketrotation": {status: NoEffect, note: "no socket files to rotate", apply: wsgiGlobalFlag(nil)},
	"wsgiacceptmutex":    {status: NoEffect, note: noteMutex, apply: wsgiGlobalValue(nil)},
	"wsgilazyinitialization": {status: NoEffect, note: "Python is always initialised lazily, in the process that runs the application",
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.LazyInitialization = on })},
	"wsgiverbosedebugging": {status: NoEffect, note: "gowsgid's debug messages follow LogLevel", apply: wsgiGlobalFlag(nil)},
	"wsgipy3kwarningflag":  {status: NoEffect, note: "Python 2 only", apply: wsgiGlobalFlag(nil)},
	"wsgidontwritebytecode": {status: Implemented,
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.DontWriteBytecode = on })},
	"wsgipythonwarnings": {status: Implemented,
		apply: wsgiGlobalValue(func(s *WSGIServerSettings, v string) { s.PythonWarnings = append(s.PythonWarnings, v) })},
	"wsgipythonoptimize": {status: Implemented,
		apply: wsgiGlobalValue(func(s *WSGIServerSettings, v string) { s.PythonOptimize = atoi(v) })},
	"wsgipythonhome": {status: Implemented,
		apply: wsgiGlobalValue(func(s *WSGIServerSettings, v string) { s.PythonHome = v })},
	"wsgipythonpath": {status: Implemented,
		apply: wsgiGlobalValue(func(s *WSGIServerSettings, v string) { s.PythonPath = v })},
	"wsgipythoneggs": {status: Implemented,
		apply: wsgiGlobalValue(func(s *WSGIServerSettings, v string) { s.PythonEggs = v })},
	"wsgipythonhashseed": {status: Implemented, apply: applyWSGIPythonHashSeed},
	"wsgidestroyinterpreter": {status: Implemented, note: "runs every interpreter's atexit callbacks at stop; the interpreters are not torn down",
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.DestroyInterpreter = on })},
	"wsgirestrictembedded": {status: Implemented,
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.RestrictEmbedded = on })},
	"wsgirestrictstdin": {status: Implemented,
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.RestrictStdin = on })},
	"wsgirestrictstdout": {status: Implemented,
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.RestrictStdout = on })},
	"wsgirestrictsignal": {status: Implemented,
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.RestrictSignal = on })},
	"wsgicasesensitivity": {status: Implemented,
		apply: wsgiGlobalFlag(func(s *WSGIServerSettings, on bool) { s.KeepScriptCase = !on })},
	"wsgiservermetrics":       {apply: wsgiGlobalFlag(nil)},
	"wsginewrelicconfigfile":  {apply: wsgiGlobalValue(nil)},
	"wsginewrelicenvironment": {apply: wsgiGlobalValue(nil)},
	"wsgipassapacherequest": {status: NoEffect, note: "there is no Apache request_rec to pass: environ has no apache.request_rec",
		apply: wsgiDirFlag(func(w *WSGIDirSettings) **bool { return &w.PassApacheRequest })},
	"wsgipassauthorization": {status: Implemented,
		apply: wsgiDirFlag(func(w *WSGIDirSettings) **bool { return &w.PassAuthorization })},
	"wsgiscriptreloading": {status: Implemented,
		apply: wsgiDirFlag(func(w *WSGIDirSettings) **bool { return &w.ScriptReloading })},
	"wsgierroroverride": {status: Implemented, note: "applies to daemon mode only, as in mod_wsgi",
		apply: wsgiDirFlag(func(w *WSGIDirSettings) **bool { return &w.ErrorOverride })},
	"wsgichunkedrequest": {status: Implemented,
		apply: wsgiDirFlag(func(w *WSGIDirSettings) **bool { return &w.ChunkedRequest })},
	"wsgiignoreactivity": {status: Implemented, note: "reported in mod_wsgi.ignore_activity; the inactivity timer is daemon mode's",
		apply: wsgiDirFlag(func(w *WSGIDirSettings) **bool { return &w.IgnoreActivity })},
	"wsgienablesendfile": {status: Implemented, note: "file_wrapper responses use sendfile unless EnableSendfile is Off; the setting shows in mod_wsgi.enable_sendfile",
		apply: wsgiDirFlag(func(w *WSGIDirSettings) **bool { return &w.EnableSendfile })},
	"wsgiuserauthoritative":  {apply: wsgiDirFlag(nil)},
	"wsgigroupauthoritative": {apply: wsgiDirFlag(nil)},
	"wsgiprocessgroup": {status: Implemented,
		apply: wsgiDirValue(func(w *WSGIDirSettings) **string { return &w.ProcessGroup })},
	"wsgiapplicationgroup": {status: Implemented,
		apply: wsgiDirValue(func(w *WSGIDirSettings) **string { return &w.ApplicationGroup })},
	"wsgicallableobject": {status: Implemented,
		apply: wsgiDirValue(func(w *WSGIDirSettings) **string { return &w.CallableObject })},
	"wsgitrustedproxyheaders": {status: Implemented, apply: applyWSGITrustedProxyHeaders},
	"wsgimapheadtoget":        {status: Implemented, apply: applyWSGIMapHEADToGET},
	"wsgitrustedproxies":      {status: Implemented, apply: applyWSGITrustedProxies},
	"wsgirestrictprocess":     {status: Implemented, apply: applyWSGIRestrictProcess},
	"wsgiaccessscript": {status: Implemented, apply: applyWSGIScriptOption("access",
		func(w *WSGIDirSettings) **WSGIScriptRef { return &w.AccessScript })},
	"wsgiauthuserscript": {status: Implemented, apply: applyWSGIScriptOption("auth user",
		func(w *WSGIDirSettings) **WSGIScriptRef { return &w.AuthUserScript })},
	"wsgiauthgroupscript": {status: Implemented, apply: applyWSGIScriptOption("auth group",
		func(w *WSGIDirSettings) **WSGIScriptRef { return &w.AuthGroupScript })},
	"wsgidispatchscript": {status: Implemented, apply: applyWSGIScriptOption("dispatch",
		func(w *WSGIDirSettings) **WSGIScriptRef { return &w.DispatchScript })},
	"wsgihandlerscript": {status: Implemented, apply: applyWSGIHandlerScript},
}

var defaultRegistry = sync.OnceValue(func() *Registry {
	dirs := make([]Directive, len(apacheDirectives))
	copy(dirs, apacheDirectives)
	for i := range dirs {
		if b, ok := behaviours[strings.ToLower(dirs[i].Name)]; ok {
			dirs[i].Status, dirs[i].Note, dirs[i].Apply = b.status, b.note, b.apply
		}
		if dirs[i].Status == NotImplemented && dirs[i].Note == "" {
			dirs[i].Note = directiveNotes[strings.ToLower(dirs[i].Name)]
		}
		if dirs[i].Status == NotImplemented && dirs[i].Note == "" {
			dirs[i].Note = moduleNotes[dirs[i].Module]
		}
	}
	return NewRegistry(apacheModules, dirs)
})

// Default returns the registry of every Apache module and directive of
// Debian 12 with mod_wsgi, with gowsgid's behaviour attached.
func Default() *Registry { return defaultRegistry() }

var mpmIndex = sync.OnceValue(func() map[string][]string {
	idx := map[string][]string{}
	for mpm, names := range mpmDirectives {
		for _, n := range names {
			l := strings.ToLower(n)
			idx[l] = append(idx[l], mpm)
		}
	}
	return idx
})

// mpmOf returns the MPM source files that define an MPM directive, or
// ok=false for a directive that does not come from an MPM.
func mpmOf(name string) ([]string, bool) {
	m, ok := mpmIndex()[strings.ToLower(name)]
	return m, ok
}
