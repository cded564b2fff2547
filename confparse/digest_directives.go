package confparse

import (
	"fmt"
	"strings"
)

// DigestConfig is mod_auth_digest's per-directory configuration. The
// module has no merger, so the configuration of the innermost section that
// uses one of its directives replaces the enclosing one whole (checked
// against Apache 2.4.71: a <Location> with only AuthDigestDomain drops the
// AuthDigestNcCheck of its parent).
type DigestConfig struct {
	// Providers is AuthDigestProvider; empty means mod_authn_file.
	Providers []string
	// NonceLifetime is AuthDigestNonceLifetime in seconds (default 300;
	// 0 means one-time nonces, negative never expires).
	NonceLifetime int64
	// NcCheck is AuthDigestNcCheck.
	NcCheck bool
	// Algorithm is AuthDigestAlgorithm as written ("MD5" in any case).
	Algorithm string
	// Domain is AuthDigestDomain: the URIs, space-separated, in order.
	Domain []string
}

// DefaultNonceLifetime is mod_auth_digest's DFLT_NONCE_LIFE in seconds.
const DefaultNonceLifetime = 300

// digestConfig returns the scope's mod_auth_digest configuration, creating
// it with the module's defaults (create_digest_dir_config).
func (c *Cmd) digestConfig() *DigestConfig {
	if c.Dir.Digest == nil {
		c.Dir.Digest = &DigestConfig{NonceLifetime: DefaultNonceLifetime, Algorithm: "MD5"}
	}
	return c.Dir.Digest
}

// digestProviders are the authn providers Apache knows and whether they
// offer get_realm_hash (those that do not are refused for Digest).
var digestProviders = map[string]struct {
	module string
	realm  bool
}{
	"file": {"mod_authn_file.c", true}, "dbm": {"mod_authn_dbm.c", true},
	"dbd": {"mod_authn_dbd.c", true}, "anon": {"mod_authn_anon.c", false},
	"ldap": {"mod_authnz_ldap.c", false}, "socache": {"mod_authn_socache.c", true},
	"wsgi": {"mod_wsgi.c", true},
}

// applyAuthDigestProvider is add_authn_provider.
func applyAuthDigestProvider(c *Cmd) error {
	d := c.digestConfig()
	for _, p := range c.Args {
		info, ok := digestProviders[p]
		if !ok || !c.w.tree.IsLoaded(info.module) {
			return fmt.Errorf("Unknown Authn provider: %s", p)
		}
		if !info.realm {
			return fmt.Errorf("The '%s' Authn provider doesn't support Digest Authentication", p)
		}
		d.Providers = append(d.Providers, p)
	}
	return nil
}

// applyAuthDigestQop is set_qop of Apache 2.4.71, which only takes auth.
func applyAuthDigestQop(c *Cmd) error {
	c.digestConfig()
	for _, op := range c.Args {
		if !strings.EqualFold(op, "auth") {
			return fmt.Errorf("AuthDigestQop is deprecated: only 'auth' is supported")
		}
	}
	return nil
}

// applyAuthDigestNonceLifetime is set_nonce_lifetime: strtol, trailing
// white space allowed.
func applyAuthDigestNonceLifetime(c *Cmd) error {
	t := c.Args[0]
	n, rest := strtol(t)
	if rest != "" && !isSpace(rest[0]) {
		return fmt.Errorf("Invalid time in AuthDigestNonceLifetime: %s", t)
	}
	c.digestConfig().NonceLifetime = n
	return nil
}

// applyAuthDigestNcCheck is set_nc_check.
func applyAuthDigestNcCheck(c *Cmd) error {
	c.digestConfig().NcCheck = strings.EqualFold(c.Args[0], "on")
	return nil
}

// applyAuthDigestAlgorithm is set_algorithm of Apache 2.4.71, which takes
// MD5 only.
func applyAuthDigestAlgorithm(c *Cmd) error {
	if !strings.EqualFold(c.Args[0], "MD5") {
		return fmt.Errorf("Unsupported algorithm in AuthDigestAlgorithm: %s", c.Args[0])
	}
	c.digestConfig().Algorithm = c.Args[0]
	return nil
}

// applyAuthDigestDomain is set_uri_list.
func applyAuthDigestDomain(c *Cmd) error {
	d := c.digestConfig()
	d.Domain = append(d.Domain, c.Args...)
	return nil
}

// applyAuthDigestShmemSize is set_shmem_size: checked, and of no further
// use, as gowsgid keeps its client table in its own memory.
func applyAuthDigestShmemSize(c *Cmd) error {
	s := c.Args[0]
	size, rest := strtol(s)
	rest = strings.TrimLeft(rest, " \t\n\v\f\r")
	switch {
	case rest == "" || rest[0] == 'b' || rest[0] == 'B':
	case rest[0] == 'k' || rest[0] == 'K':
		size *= 1024
	case rest[0] == 'm' || rest[0] == 'M':
		size *= 1048576
	default:
		return fmt.Errorf("Invalid size in AuthDigestShmemSize: %s", s)
	}
	// sizeof(*client_list) + sizeof(client_entry*) + sizeof(client_entry)
	// of Debian's 64-bit 2.4.71, as its message prints it.
	const minSize = 88
	if size < minSize {
		return fmt.Errorf("size in AuthDigestShmemSize too small: %d < %d", size, minSize)
	}
	return nil
}
