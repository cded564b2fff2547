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
		seg, slash := add, false
		if i := strings.IndexByte(add, '/'); i >= 0 {
			seg, add, slash = add[:i], add[i+1:], true
		} else {
			add = ""
		}
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
