// Package rewrite is mod_rewrite's engine as Apache httpd 2.4 runs it
// (modules/mappers/mod_rewrite.c): the directives RewriteEngine,
// RewriteOptions, RewriteBase, RewriteCond, RewriteRule and RewriteMap
// parsed into rule lists with Apache's checks and messages, the
// per-server and per-directory merges, and the two hooks, Translate for
// the rules of a server (translate_name, before mod_alias) and Fixup for
// the rules of a directory, <Location> or .htaccess file (fixups, with
// the per-directory prefix stripping and the internal redirect).
//
// The package knows nothing of the rest of the server: a hook gets the
// request's state in a Request and reaches the server through its Server
// interface (variables, headers, environment, subrequests, the virtual
// host and the document root).
//
// Patterns are compiled once, when the configuration is read, with
// PCRE2 (internal/apregex), the library Apache compiles them with, under
// Apache's default options (dot matches newline, $ only at the very
// end): lookaround, backreferences and the rest mean what they mean in
// Apache. A build without cgo falls back on Go's regexp (RE2): a pattern
// PCRE accepts and RE2 cannot compile is then kept with its reason
// (Rule.Unsupported), the configuration loads, configtest reports it
// with file and line, and a request that reaches the rule is answered
// 500; PCRE2's start-of-pattern options ((*UTF), (*CRLF), ...) are read
// first, and the rules of PCRE2 that RE2 does not share (ranges with a
// class at one end, references to groups that do not exist, ...) are
// checked, so that the patterns Apache refuses are refused. A prg: map talks to a
// program the server starts (Map.Connect): one key a line, one answer a
// line. A dbm: map of the default type (Berkeley DB hash), gdbm or sdbm
// is read whole (internal/dbmfile) and again when its file changes;
// ndbm, lmdb and dbd: maps are accepted with Apache's checks and never find a
// key; [P] answers 403 as Apache does without mod_proxy.
package rewrite
