package vhost

import (
	"crypto/rand"
	"crypto/tls"
	"slices"
	"sync"
	"time"
)

// sessionCache is mod_ssl's SSLSessionCache for servers whose
// SSLSessionTickets is off. With tickets off, OpenSSL resumes a TLS 1.2
// session by its id and a TLS 1.3 session by a stateful ticket, both
// looked up in the cache; no key that could decrypt past sessions ever
// leaves the server, which is why Debian's ssl.conf turns tickets off.
// Go's crypto/tls resumes only with tickets, so gowsgid gives each
// client a ticket that is a random name for the session state it keeps
// here (tls.Config WrapSession and UnwrapSession): the same property,
// and returning clients resume again.
type sessionCache struct {
	mu      sync.Mutex
	entries map[string]cachedSession
	// order holds the keys oldest first, for eviction; a key whose
	// session was removed meanwhile stays until it is reached.
	order []string
	max   int
	now   func() time.Time
}

type cachedSession struct {
	state   []byte
	expires time.Time
}

// sessionIDLen is the size of a session's name (SSL_MAX_SSL_SESSION_ID_LENGTH).
const sessionIDLen = 32

// sessionCacheEntries bounds the cache by the size SSLSessionCache gives
// ("shmcb:path(512000)"), at about 512 bytes a session, and by a
// default when it gives none.
func sessionCacheEntries(size int64) int {
	const perSession, fallback = 512, 1000
	if size <= 0 {
		return fallback
	}
	return int(max(size/perSession, 16))
}

func newSessionCache(entries int) *sessionCache {
	return &sessionCache{entries: map[string]cachedSession{}, max: entries, now: time.Now}
}

// configure makes cfg keep its sessions in c for ttl, apart from those
// of other hosts (mod_ssl's session id context is the virtual host's).
func (c *sessionCache) configure(cfg *tls.Config, host string, ttl time.Duration) {
	cfg.WrapSession = func(_ tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		state, err := ss.Bytes()
		if err != nil {
			return nil, err
		}
		id := make([]byte, sessionIDLen)
		if _, err := rand.Read(id); err != nil {
			return nil, err
		}
		c.put(host+"\x00"+string(id), state, ttl)
		return id, nil
	}
	cfg.UnwrapSession = func(id []byte, _ tls.ConnectionState) (*tls.SessionState, error) {
		state, ok := c.get(host + "\x00" + string(id))
		if !ok {
			return nil, nil // a full handshake
		}
		return tls.ParseSessionState(state)
	}
}

func (c *sessionCache) put(key string, state []byte, ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A full cache drops its oldest sessions, as shmcb does.
	for len(c.entries) >= c.max && len(c.order) > 0 {
		delete(c.entries, c.order[0])
		c.order = c.order[1:]
	}
	if len(c.order) > 2*c.max {
		// Keys of sessions that expired or were dropped: compact.
		c.order = slices.DeleteFunc(c.order, func(k string) bool { _, ok := c.entries[k]; return !ok })
	}
	c.entries[key] = cachedSession{state: state, expires: c.now().Add(ttl)}
	c.order = append(c.order, key)
}

func (c *sessionCache) get(key string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if !c.now().Before(e.expires) {
		delete(c.entries, key)
		return nil, false
	}
	return e.state, true
}
