//go:build !cgo

package apregex

import "regexp"

// PCRE reports whether this build compiles with PCRE2; without cgo it
// compiles with Go's regexp.
func PCRE() bool { return false }

// Regexp is a compiled pattern. It is safe for concurrent use.
type Regexp struct {
	re   *regexp.Regexp
	expr string
}

// Compile compiles pattern with Go's regexp under opts (Go's "$"
// matches only at the very end whatever DollarEndOnly says).
func Compile(pattern string, opts Options) (*Regexp, error) {
	flags := ""
	if opts&ICase != 0 {
		flags += "i"
	}
	if opts&Newline != 0 {
		flags += "m"
	}
	if opts&DotAll != 0 {
		flags += "s"
	}
	expr := pattern
	if flags != "" {
		expr = "(?" + flags + ")" + pattern
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	return &Regexp{re: re, expr: pattern}, nil
}

// String is the pattern as written.
func (r *Regexp) String() string { return r.expr }

// NumSubexp is the number of capture groups.
func (r *Regexp) NumSubexp() int { return r.re.NumSubexp() }

// SubexpNames are the groups' names, "" for a group without one; the
// first is the whole match's, always "".
func (r *Regexp) SubexpNames() []string { return r.re.SubexpNames() }

// FindStringSubmatchIndex matches s and returns the offsets of the match
// and of each group, two per group (-1 for a group that took no part),
// or nil when s does not match.
func (r *Regexp) FindStringSubmatchIndex(s string) []int { return r.re.FindStringSubmatchIndex(s) }

// MatchString reports whether s matches.
func (r *Regexp) MatchString(s string) bool { return r.re.MatchString(s) }
