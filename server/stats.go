package server

import (
	"github.com/gowsgid/gowsgid/status"
	"github.com/gowsgid/gowsgid/vhost"
)

// countAndLog is the Transaction hook of a configuration with access
// logs: the request is counted, then logged.
func countAndLog(count, log func(*vhost.Request)) func(*vhost.Request) {
	return func(r *vhost.Request) {
		count(r)
		log(r)
	}
}

// Stats are the server's counters: they outlive graceful restarts.
func (s *Server) Stats() *status.Stats { return s.stats }
