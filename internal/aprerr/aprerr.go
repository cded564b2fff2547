// Package aprerr writes operating-system errors as Apache's error log
// writes an APR status before a message.
package aprerr

import (
	"errors"
	"fmt"
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
