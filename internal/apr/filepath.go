package apr

import "strings"

// FilepathMergeSecure is apr_filepath_merge(root, add) with
// APR_FILEPATH_SECUREROOT, as ap_core_translate and mod_rewrite call it:
// root with a trailing slash, then the segments of add, "." and empty
// ones dropped, ".." removing the one before it; false when that would
// climb above root.
func FilepathMergeSecure(root, add string) (string, bool) {
	out := root
	if !strings.HasSuffix(out, "/") {
		out += "/"
	}
	kept := len(out)
	for add != "" {
		var seg string
		var slash bool
		seg, add, slash = cutSegment(add)
		switch seg {
		case "", ".":
		case "..":
			if out == "/" {
				return "", false
			}
			out = out[:strings.LastIndexByte(out[:len(out)-1], '/')+1]
			if len(out) < kept {
				return "", false
			}
		default:
			out += seg
			if slash {
				out += "/"
			}
		}
	}
	return out, true
}

// FilepathMerge is apr_filepath_merge(root, add) with
// APR_FILEPATH_TRUENAME, as ap_server_root_relative calls it: an
// absolute add replaces root, a relative one is appended to it; the
// result is cleaned lexically, without looking at the file system:
// empty and "." segments are dropped, ".." removes the segment before it
// (nothing above "/"), and a trailing slash stays. root itself is taken
// as it is.
func FilepathMerge(root, add string) string {
	var out string
	if strings.HasPrefix(add, "/") {
		out = "/"
		add = strings.TrimLeft(add, "/")
	} else {
		out = root
		if out != "" && !strings.HasSuffix(out, "/") {
			out += "/"
		}
	}
	for add != "" {
		var seg string
		var slash bool
		seg, add, slash = cutSegment(add)
		switch seg {
		case "", ".":
		case "..":
			switch {
			case out == "/":
				// Above the root is the root.
			case out == "" || out == "../" || strings.HasSuffix(out, "/../"):
				// A relative root already climbing: climb on.
				out += ".."
				if slash {
					out += "/"
				}
			default:
				out = strings.TrimSuffix(out, "/")
				out = out[:strings.LastIndexByte(out, '/')+1]
			}
		default:
			out += seg
			if slash {
				out += "/"
			}
		}
	}
	return out
}

// cutSegment splits the first segment off a path: the segment, the rest
// after its slash, and whether a slash followed it.
func cutSegment(path string) (seg, rest string, slash bool) {
	if i := strings.IndexByte(path, '/'); i >= 0 {
		return path[:i], path[i+1:], true
	}
	return path, "", false
}
