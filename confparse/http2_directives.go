package confparse

import (
	"errors"
	"strings"
)

// core's Protocols and the mod_http2 switches that decide where HTTP/2
// is spoken.

// applyProtocols is core's Protocols: the protocols a server speaks, in
// its order of preference.
func applyProtocols(c *Cmd) error {
	c.Server.Protocols = nil
	for _, a := range c.Args {
		c.Server.Protocols = append(c.Server.Protocols, strings.ToLower(a))
	}
	return nil
}

// applyH2Upgrade is mod_http2's H2Upgrade: whether an HTTP/1.1 request
// may switch its connection to HTTP/2 (Upgrade: h2c).
func applyH2Upgrade(c *Cmd) error {
	on, err := h2Flag(c)
	if err != nil {
		return err
	}
	if c.Section != nil {
		c.Dir.H2Upgrade = &on
		return nil
	}
	c.Server.H2Upgrade = &on
	return nil
}

// applyH2Direct is mod_http2's H2Direct: whether a connection may start
// HTTP/2 with its preface, without Upgrade or ALPN.
func applyH2Direct(c *Cmd) error {
	on, err := h2Flag(c)
	if err != nil {
		return err
	}
	c.Server.H2Direct = &on
	return nil
}

// H2DirectOf is H2Direct for a server: its own, else the main
// server's; unset, mod_http2 allows it on cleartext connections and not
// over TLS.
func (c *Config) H2DirectOf(s *Server, tls bool) bool {
	switch {
	case s != nil && s.H2Direct != nil:
		return *s.H2Direct
	case c.Main != nil && c.Main.H2Direct != nil:
		return *c.Main.H2Direct
	}
	return !tls
}

// H2UpgradeOf is H2Upgrade for a server: its own, else the main
// server's; on when neither sets it (mod_http2's default for h2c).
func (c *Config) H2UpgradeOf(s *Server) bool {
	switch {
	case s != nil && s.H2Upgrade != nil:
		return *s.H2Upgrade
	case c.Main != nil && c.Main.H2Upgrade != nil:
		return *c.Main.H2Upgrade
	}
	return true
}

// ProtocolsOf is the Protocols list in force for s: its own, else the
// main server's, else http/1.1 alone.
func (c *Config) ProtocolsOf(s *Server) []string {
	switch {
	case s != nil && s.Protocols != nil:
		return s.Protocols
	case c.Main != nil && c.Main.Protocols != nil:
		return c.Main.Protocols
	}
	return []string{"http/1.1"}
}

// h2Flag reads mod_http2's On/Off argument, with its message for
// anything else.
func h2Flag(c *Cmd) (bool, error) {
	switch strings.ToLower(c.Args[0]) {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, errors.New("value must be On or Off")
}

// applyH2Positive is mod_http2's check of H2MaxSessionStreams,
// H2MaxWorkers and H2MinWorkers (apr_atoi64: leading digits).
func applyH2Positive(c *Cmd) error {
	n := atoi(c.Args[0])
	if n < 1 {
		return errors.New("value must be > 0")
	}
	if strings.EqualFold(c.Directive.Name, "H2MaxSessionStreams") {
		c.Server.H2MaxSessionStreams = &n
	}
	return nil
}

// applyH2WindowSize is mod_http2's H2WindowSize: the initial flow
// control window of a stream.
func applyH2WindowSize(c *Cmd) error {
	n := atoi(c.Args[0])
	if n < 1024 {
		return errors.New("value must be >= 1024")
	}
	c.Server.H2WindowSize = &n
	return nil
}

// applyH2Flag checks an On/Off mod_http2 switch gowsgid has no choice
// about (H2ModernTLSOnly).
func applyH2Flag(c *Cmd) error {
	_, err := h2Flag(c)
	return err
}

// mod_http2's defaults.
const (
	DefaultH2MaxSessionStreams = 100
	DefaultH2WindowSize        = 65535
)

// H2Settings are the HTTP/2 settings gowsgid's HTTP/2 server announces:
// the main server's H2MaxSessionStreams and H2WindowSize, or mod_http2's
// defaults. (mod_http2 reads them from each connection's server;
// gowsgid sets its HTTP/2 server up once per listener.)
func (c *Config) H2Settings() (maxStreams, window int) {
	maxStreams, window = DefaultH2MaxSessionStreams, DefaultH2WindowSize
	if c.Main != nil && c.Main.H2MaxSessionStreams != nil {
		maxStreams = *c.Main.H2MaxSessionStreams
	}
	if c.Main != nil && c.Main.H2WindowSize != nil {
		window = *c.Main.H2WindowSize
	}
	return maxStreams, window
}
