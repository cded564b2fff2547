// Package aprerr writes operating-system errors as Apache's error log
// writes an APR status before a message.
package aprerr

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"
)

// TimeUp is the prefix of a line about APR_TIMEUP, a wait that ran out.
const TimeUp = "(70007)The timeout specified has expired: "

// Prefix is what Apache writes before a message logged with the system
// error in err: "(2)No such file or directory: ". It is "" when err
// holds no errno.
func Prefix(err error) string {
	var en syscall.Errno
	if !errors.As(err, &en) {
		return ""
	}
	return fmt.Sprintf("(%d)%s: ", int(en), Strerror(en))
}

// Strerror is the C library's text for errno, as APR prints it: with a
// capital first letter ("No such file or directory").
func Strerror(en syscall.Errno) string {
	s := en.Error()
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Resolver is the getaddrinfo status Apache writes for a failed name
// lookup: "(EAI 2)Name or service not known: " for a name that does not
// exist, "(EAI 3)Temporary failure in name resolution: " for a lookup
// that could not be made. A lookup that gave nothing (err nil) is a
// name not known. Text is the status's words alone.
func Resolver(err error) (prefix, text string) {
	code, text := 3, "Temporary failure in name resolution"
	var de *net.DNSError
	if err == nil || errors.As(err, &de) && de.IsNotFound {
		code, text = 2, "Name or service not known"
	}
	return fmt.Sprintf("(EAI %d)%s: ", code, text), text
}
