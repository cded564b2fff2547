// Package apexpr parses and evaluates Apache httpd 2.4's expression
// language ("Expressions in Apache HTTP Server", ap_expr), as used by
// <If>, <ElseIf>, Require expr, SetEnvIfExpr, Header ... expr=, ErrorDocument,
// SetHandler and Alias/Redirect inside <Location>.
//
// The scanner mirrors server/util_expr_scan.l and the parser is an LALR(1)
// automaton built at first use from the grammar of server/util_expr_parse.y
// with bison 2.5's conflict resolution and default reductions, so syntax
// errors carry the same "syntax error, unexpected X, expecting Y or Z" text
// that Apache prints after "Cannot parse condition clause: ". Scanner
// errors ("Unterminated string or variable", "Invalid character in
// variable name 'x'", ...) and lookup errors ("Variable 'X' does not
// exist", "Function 'f' does not exist", "-R requires subnet/netmask as
// constant argument", ...) are reproduced for the variables, functions and
// operators that core Apache 2.4 registers (see VarNames, FuncNames,
// UnaryOpNames, BinaryOpNames). Of the module-specific ones, mod_ssl's
// SSL_* variables and SSL() function are known when the expression is
// parsed with FlagModSSL; its PeerExtList() is not.
//
// Evaluation follows server/util_expr_eval.c: -eq/-ne/-lt/... compare as
// 64-bit integers, ==/!=/</... as byte strings, =~ and !~ set $0..$9 for
// later use when the regex has capturing groups, "in" tests list
// membership, and the string functions (req, http, resp, reqenv, osenv,
// note, env, tolower, toupper, escape, unescape, base64, unbase64, md5,
// sha1, ldap, file, filesize) and operators (-n -z -T -R -d -e -f -s -L -h
// -x -F -U -A, -ipmatch -strmatch -strcmatch -fnmatch) behave like
// Apache's. Request data comes from a Context, so the package has no
// dependency on the rest of the server.
//
// Regular expressions use Go's regexp (RE2) with Apache's default options
// (dot matches newline, $ only at the very end) instead of PCRE:
// backreferences inside a pattern, lookaround, possessive quantifiers and
// atomic groups are not supported and are reported as "Failed to compile
// regular expression", and "." matches a UTF-8 sequence rather than a byte.
package apexpr
