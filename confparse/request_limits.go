package confparse

import "fmt"

// RequestLimits are core's limits on a request head, a server setting
// each virtual host may override (nil: inherit; then Apache's defaults).
type RequestLimits struct {
	// Line is LimitRequestLine: the bytes of the request line.
	Line *int
	// FieldSize is LimitRequestFieldSize: the bytes of one header field.
	FieldSize *int
	// Fields is LimitRequestFields: how many header fields (0: no limit).
	Fields *int
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
