package confparse

import (
	"errors"
	"fmt"
)

// RequestLimits are core's limits on a request head, a server setting
// each virtual host may override (nil: inherit; then Apache's defaults).
type RequestLimits struct {
	// Line is LimitRequestLine: the bytes of the request line.
	Line *int
	// FieldSize is LimitRequestFieldSize: the bytes of one header field.
	FieldSize *int
	// Fields is LimitRequestFields: how many header fields (0: no limit).
	Fields *int
	// Redirects and Subrequests are LimitInternalRecursion: how many
	// internal redirects, and how many nested subrequests, a request
	// may make (0: inherit; then Apache's 10).
	Redirects, Subrequests int
}

// applyRequestLimit is core's set_limit_req_line, _fieldsize and
// _fields: C's atoi of the argument, refused when negative.
func applyRequestLimit(field func(*RequestLimits) **int, name, extra string) ApplyFunc {
	return func(c *Cmd) error {
		lim := atoi(c.Args[0])
		if lim < 0 {
			return fmt.Errorf("%s \"%s\" must be a non-negative integer%s", name, c.Args[0], extra)
		}
		*field(&c.Server.RequestLimits) = &lim
		return nil
	}
}

// applyLimitInternalRecursion is core's set_recursion_limit: one limit
// for both, or the redirects' and the subrequests'; a low one is only
// warned about.
func applyLimitInternalRecursion(c *Cmd) error {
	limits := [2]int{}
	warnings := [2]string{
		"AH00119: Limiting internal redirects to very low numbers may cause normal requests to fail.",
		"AH00120: Limiting the subrequest depth to a very low level may cause normal requests to fail.",
	}
	for i, arg := range c.Args {
		limits[i] = atoi(arg)
		if limits[i] <= 0 {
			return errors.New("The recursion limit must be greater than zero.")
		}
		if limits[i] < 4 {
			c.Notice(Notice{Level: "warn", Module: "core", Text: warnings[i]})
		}
	}
	if len(c.Args) == 1 {
		limits[1] = limits[0]
	}
	c.Server.RequestLimits.Redirects, c.Server.RequestLimits.Subrequests = limits[0], limits[1]
	return nil
}
