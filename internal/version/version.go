// Package version holds gowsgid's version, for the packages that print
// it: the Server banner, SSL_VERSION_INTERFACE, mod_ssl's pass phrase
// dialog.
package version

// Version is gowsgid's release.
const Version = "0.1.0"

// Product is gowsgid's name and version, as Apache's
// AP_SERVER_BASEVERSION ("Apache/2.4.71") names Apache.
const Product = "gowsgid/" + Version
