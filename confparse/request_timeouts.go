package confparse

import (
	"errors"
	"fmt"
	"strings"
)

// ReadTimeoutStage is one stage of mod_reqtimeout's RequestReadTimeout:
// reading the request head ("header") or its body ("body"). A stage
// allows Timeout seconds from its first read, then one second more for
// every MinRate bytes received, up to MaxTimeout seconds (0: no cap). A
// Timeout of 0 disables the stage.
type ReadTimeoutStage struct {
	Timeout, MaxTimeout, MinRate int
}

// mod_reqtimeout's defaults (2.4.39 and later), in force where the
// module is loaded and no RequestReadTimeout sets a stage.
var (
	defaultHeaderTimeout = ReadTimeoutStage{Timeout: 20, MaxTimeout: 40, MinRate: 500}
	defaultBodyTimeout   = ReadTimeoutStage{Timeout: 20, MinRate: 500}
)

// RequestReadTimeouts are a server's RequestReadTimeout stages (nil: not
// set here; a virtual host inherits the main server's, which defaults
// to mod_reqtimeout's).
type RequestReadTimeouts struct {
	Handshake, Header, Body *ReadTimeoutStage
}

// ReadTimeouts are the header and body stages in force for server s
// (the main server when nil), merged as mod_reqtimeout merges them;
// ok is false when mod_reqtimeout is not loaded or s disables every
// stage, so that no read of its connections is timed.
func (c *Config) ReadTimeouts(s *Server) (header, body ReadTimeoutStage, ok bool) {
	if c.Tree != nil && !c.Tree.IsLoaded("mod_reqtimeout.c") {
		return ReadTimeoutStage{}, ReadTimeoutStage{}, false
	}
	pick := func(own, main *ReadTimeoutStage, def ReadTimeoutStage) ReadTimeoutStage {
		switch {
		case own != nil:
			return *own
		case main != nil:
			return *main
		}
		return def
	}
	var own RequestReadTimeouts
	if s != nil {
		own = s.ReadTimeouts
	}
	main := c.Main.ReadTimeouts
	header = pick(own.Header, main.Header, defaultHeaderTimeout)
	body = pick(own.Body, main.Body, defaultBodyTimeout)
	handshake := pick(own.Handshake, main.Handshake, ReadTimeoutStage{})
	return header, body, handshake.Timeout > 0 || header.Timeout > 0 || body.Timeout > 0
}

// applyRequestReadTimeout is mod_reqtimeout's set_reqtimeouts: words of
// the form stage=timeout[-max][,MinRate=rate].
func applyRequestReadTimeout(c *Cmd) error {
	for _, word := range SplitWords(c.Node.Raw) {
		key, val, ok := strings.Cut(word, "=")
		if !ok {
			return errors.New("Invalid RequestReadTimeout parameter. Parameter must be in the form 'key=value'")
		}
		if err := setReadTimeoutStage(&c.Server.ReadTimeouts, key, val); err != nil {
			return fmt.Errorf("RequestReadTimeout: %s=%s: %s", key, val, err)
		}
	}
	return nil
}

// setReadTimeoutStage is set_reqtimeout_param: it parses one stage's
// value, with mod_reqtimeout's messages.
func setReadTimeoutStage(t *RequestReadTimeouts, key, val string) error {
	var stage **ReadTimeoutStage
	switch strings.ToLower(key) {
	case "handshake":
		stage = &t.Handshake
	case "header":
		stage = &t.Header
	case "body":
		stage = &t.Body
	default:
		return errors.New("Unknown RequestReadTimeout parameter")
	}
	st := &ReadTimeoutStage{}
	initial := val
	if i := strings.Index(strings.ToLower(val), ",minrate="); i >= 0 {
		initial = val[:i]
		var err error
		if st.MinRate, err = parseTimeoutInt(val[i+len(",minrate="):]); err != nil {
			return err
		}
		if st.MinRate == 0 {
			return errors.New("Minimum data rate must be larger than 0")
		}
		if lo, hi, ok := strings.Cut(initial, "-"); ok {
			if st.MaxTimeout, err = parseTimeoutInt(hi); err != nil {
				return err
			}
			initial = lo
		}
	} else if strings.Contains(val, "-") {
		return errors.New("Must set MinRate option if using timeout range")
	}
	var err error
	if st.Timeout, err = parseTimeoutInt(initial); err != nil {
		return err
	}
	if st.MaxTimeout != 0 && st.Timeout >= st.MaxTimeout {
		return errors.New("Maximum timeout must be larger than initial timeout")
	}
	*stage = st
	return nil
}

// parseTimeoutInt is mod_reqtimeout's parse_int: strtol, with its
// messages for no digits, trailing text and a negative value.
func parseTimeoutInt(s string) (int, error) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	if j < len(s) && (s[j] == '+' || s[j] == '-') {
		j++
	}
	digits := j
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == digits {
		return 0, fmt.Errorf("Value '%s' not numerical", s)
	}
	if j < len(s) {
		return 0, fmt.Errorf("Cannot parse '%s'", s[j:])
	}
	n := atoi(s[i:j])
	if n < 0 {
		return 0, errors.New("Value must be non-negative")
	}
	return n, nil
}
