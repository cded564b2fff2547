package confparse

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gowsgid/gowsgid/internal/apr"
)

// maxIncludeDirDepth is AP_MAX_FNMATCH_DIR_DEPTH.
const maxIncludeDirDepth = 128

// include is core's Include/IncludeOptional: the named files, directories
// (recursively) or wildcard matches, read in byte order and spliced in.
func (r *reader) include(n *Node, name string, optional bool) ([]*Node, *Error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > maxIncludeDepth {
		return nil, &Error{Phase: ReadPhase, Msg: fmt.Sprintf(
			"Exceeded maximum include depth of %d, There appears to be a recursion.", maxIncludeDepth)}
	}
	r.includeLine = n.Line
	w := &includeWalk{r: r, optional: optional}
	full := r.rootRelative(name)
	var err *Error
	if !apr.FnmatchTest(full) {
		err = w.noMatch(full)
	} else {
		if !filepath.IsAbs(full) {
			return nil, &Error{Phase: ReadPhase, Msg: "Include must have an absolute path, " + full}
		}
		err = w.match("/", strings.TrimPrefix(full, "/"))
	}
	if err != nil {
		return nil, err
	}
	return w.nodes, nil
}

// includeWalk collects the nodes of the files an Include names.
type includeWalk struct {
	r        *reader
	optional bool
	depth    int
	nodes    []*Node
}

const includePrefix = "Include/IncludeOptional: "

// noMatch is ap_dir_nofnmatch: a directory is included whole, in strcmp
// order, dotfiles and backups included.
func (w *includeWalk) noMatch(name string) *Error {
	if isDir(name) {
		w.depth++
		defer func() { w.depth-- }()
		if w.depth > maxIncludeDirDepth {
			return &Error{Phase: ReadPhase, Msg: fmt.Sprintf(
				"%sDirectory '%s' exceeds the maximum include directory nesting level of %d. You have probably a recursion somewhere.",
				includePrefix, name, maxIncludeDirDepth)}
		}
		entries, err := os.ReadDir(name)
		if err != nil {
			return &Error{Phase: ReadPhase, Msg: fmt.Sprintf("%sCould not open directory %s: %s", includePrefix, name, strerror(err))}
		}
		paths := make([]string, 0, len(entries))
		for _, e := range entries {
			paths = append(paths, joinPath(name, e.Name()))
		}
		sort.Strings(paths)
		for _, p := range paths {
			if err := w.noMatch(p); err != nil {
				return err
			}
		}
		return nil
	}
	if w.optional {
		if _, err := os.Stat(name); err != nil {
			return nil
		}
	}
	nodes, err := w.r.readFile(name, w.r.includeLine)
	if err != nil {
		return &Error{Phase: ReadPhase, Cause: err}
	}
	w.nodes = append(w.nodes, nodes...)
	return nil
}

// match is ap_dir_fnmatch: it walks the pattern one path component at a
// time; a wildcard component in the middle only matches directories
// (not symbolic links to them).
func (w *includeWalk) match(dir, pattern string) *Error {
	first, rest, more := strings.Cut(pattern, "/")
	if !apr.FnmatchTest(first) {
		p := joinPath(dir, first)
		if !more {
			return w.noMatch(p)
		}
		return w.match(p, rest)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) && w.optional {
			return nil
		}
		return &Error{Phase: ReadPhase, Msg: fmt.Sprintf("%sCould not open directory %s: %s", includePrefix, dir, strerror(err))}
	}
	var paths []string
	for _, e := range entries {
		if !apr.Fnmatch(first, e.Name(), apr.FNMPeriod) {
			continue
		}
		// In the middle of the pattern only directories match, by the
		// entry's own type (APR_FINFO_TYPE from readdir, else lstat): a
		// symbolic link to a directory is no directory here.
		if more && !e.IsDir() {
			continue
		}
		paths = append(paths, joinPath(dir, e.Name()))
	}
	if len(paths) == 0 {
		if !w.optional {
			return &Error{Phase: ReadPhase, Msg: fmt.Sprintf("%sNo matches for the wildcard '%s' in '%s', failing", includePrefix, first, dir)}
		}
		return nil
	}
	sort.Strings(paths)
	for _, p := range paths {
		var err *Error
		if more {
			err = w.match(p, rest)
		} else {
			err = w.noMatch(p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// joinPath is ap_make_full_path: it joins with exactly one '/'.
func joinPath(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}
