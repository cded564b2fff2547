package confparse

import (
	"errors"
	"fmt"
	"strings"
)

// MultiviewsMatch bits, mod_mime's MULTIMATCH_*.
const (
	MultiMatchAny        = 1
	MultiMatchNegotiated = 2
	MultiMatchHandlers   = 4
	MultiMatchFilters    = 8
)

// ForceLanguagePriority bits, mod_negotiation's FLP_*; unset is Prefer.
const (
	FLPNone     = 1
	FLPPrefer   = 2
	FLPFallback = 4
)

// applyMultiviewsMatch is mod_mime's multiviews_match, one word at a
// time: the words of one section add up, within the combinations it
// allows.
func applyMultiviewsMatch(c *Cmd) error {
	if err := c.CheckContext(NotInLocation); err != nil {
		return err
	}
	m := &c.Dir.MultiviewsMatch
	for _, w := range c.Args {
		switch {
		case strings.EqualFold(w, "Any"):
			if *m != 0 && *m&^MultiMatchAny != 0 {
				return errors.New("Any is incompatible with NegotiatedOnly, Filters and Handlers")
			}
			*m |= MultiMatchAny
		case strings.EqualFold(w, "NegotiatedOnly"):
			if *m != 0 && *m&^MultiMatchNegotiated != 0 {
				return errors.New("NegotiatedOnly is incompatible with Any, Filters and Handlers")
			}
			*m |= MultiMatchNegotiated
		case strings.EqualFold(w, "Filters"):
			if *m&(MultiMatchNegotiated|MultiMatchAny) != 0 {
				return errors.New("Filters is incompatible with Any and NegotiatedOnly")
			}
			*m |= MultiMatchFilters
		case strings.EqualFold(w, "Handlers"):
			if *m&(MultiMatchNegotiated|MultiMatchAny) != 0 {
				return errors.New("Handlers is incompatible with Any and NegotiatedOnly")
			}
			*m |= MultiMatchHandlers
		default:
			return fmt.Errorf("Unrecognized option '%s'", w)
		}
	}
	return nil
}

// cacheNegotiatedNote is what CacheNegotiatedDocs does, in Apache too.
const cacheNegotiatedNote = "only for HTTP/1.0 clients and type maps: Off (the default) gives a response the type-map handler negotiated an Expires of the request time (MultiViews gives none, in Apache either: the variant's subrequest drops the mark); Off in a virtual host leaves the main server's On in force, as Apache's merge does"

// applyCacheNegotiatedDocs is mod_negotiation's cache_negotiated_docs:
// the server's flag, the last line's.
func applyCacheNegotiatedDocs(c *Cmd) error {
	c.Server.CacheNegotiatedDocs = ptr(strings.EqualFold(c.Args[0], "on"))
	return nil
}

// applyLanguagePriority is mod_negotiation's set_language_priority: the
// languages of every line of a section, in order.
func applyLanguagePriority(c *Cmd) error {
	c.Dir.LanguagePriority = append(c.Dir.LanguagePriority, c.Args...)
	return nil
}

// applyForceLanguagePriority is mod_negotiation's set_force_priority.
func applyForceLanguagePriority(c *Cmd) error {
	f := &c.Dir.ForceLanguagePriority
	for _, w := range c.Args {
		switch {
		case strings.EqualFold(w, "None"):
			if *f&^FLPNone != 0 {
				return errors.New("Cannot combine ForceLanguagePriority options with None")
			}
			*f = FLPNone
		case strings.EqualFold(w, "Prefer"):
			if *f&FLPNone != 0 {
				return errors.New("Cannot combine ForceLanguagePriority options None and Prefer")
			}
			*f |= FLPPrefer
		case strings.EqualFold(w, "Fallback"):
			if *f&FLPNone != 0 {
				return errors.New("Cannot combine ForceLanguagePriority options None and Fallback")
			}
			*f |= FLPFallback
		default:
			return fmt.Errorf("Invalid ForceLanguagePriority option %s", w)
		}
	}
	return nil
}
