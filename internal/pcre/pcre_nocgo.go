//go:build !cgo

package pcre

// Available reports whether this build has PCRE2.
func Available() bool { return false }

// Regexp is a compiled pattern; without cgo there are none.
type Regexp struct{}

// Compile fails: PCRE2 needs cgo.
func Compile(pattern string, opts Options) (*Regexp, error) { return nil, ErrUnavailable }

// String is the pattern as written.
func (r *Regexp) String() string { return "" }

// NumSubexp is the number of capture groups.
func (r *Regexp) NumSubexp() int { return 0 }

// SubexpNames are the groups' names.
func (r *Regexp) SubexpNames() []string { return nil }

// FindStringSubmatchIndex never matches.
func (r *Regexp) FindStringSubmatchIndex(s string) []int { return nil }

// MatchString never matches.
func (r *Regexp) MatchString(s string) bool { return false }
