// Package compat is gowsgid's differential test suite: each test writes a
// configuration and its document tree into a temporary directory, starts
// real Apache httpd (Debian's apache2) and gowsgid on the same
// configuration file, sends both the same raw requests and compares what
// matters of the answers. The package holds tests only.
package compat
