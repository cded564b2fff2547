package static

import (
	"crypto/sha1"
	"encoding/base64"
	"io"
	"io/fs"
	"strconv"
	"time"
)

// ETagKey is the key of the ETag field in a response's header map:
// Apache's spelling, which is not Go's canonical form ("Etag"), so the
// map is indexed with it directly (Header.Get, Set and Del canonicalise
// and would miss it). net/http writes a key as it is in the map.
const ETagKey = "ETag"

// ETagBits is FileETag: which parts of the file's metadata make up the ETag.
// The zero value is FileETag None (no ETag header); Apache's default,
// when no FileETag applies, is {MTime: true, Size: true}.
type ETagBits struct {
	// INode, MTime and Size are FileETag's INode, MTime and Size: the
	// ETag is "<inode>-<size>-<mtime in µs>" in lower-case hex, with the
	// parts not selected left out.
	INode, MTime, Size bool
	// Digest is FileETag Digest: a strong ETag made of the base64 SHA-1 of
	// the file's content (regular files only).
	Digest bool
}

// None reports whether no ETag is sent.
func (b ETagBits) None() bool { return !b.INode && !b.MTime && !b.Size && !b.Digest }

// makeETag is ap_make_etag_ex for a file or directory without a variant list
// validator. now is the request time: a file modified less than a second
// before it (or in the future) gets a weak ETag. ra is used for Digest.
func makeETag(fi fs.FileInfo, bits ETagBits, now time.Time, ra io.ReaderAt) string {
	return makeETagVL(fi, bits, now, ra, "")
}

// ETag is ap_make_etag for a file or directory (fi) with the variant
// list validator vlv ("" for none): mod_negotiation makes a type map's
// ETag so, as the validator of the list of variants the map is. ra
// reads the file for FileETag Digest.
func ETag(fi fs.FileInfo, bits ETagBits, now time.Time, ra io.ReaderAt, vlv string) string {
	return makeETagVL(fi, bits, now, ra, vlv)
}

// makeETagVL is ap_make_etag_ex with a variant list validator vlv (an
// ETag, "" for none): a weak one makes the whole ETag weak, and it
// follows a ';' in place of the closing quote, without its own last
// character (Apache copies it with apr_cpystrn, which keeps one byte
// less than it is given: the ETag ends up with no closing quote).
func makeETagVL(fi fs.FileInfo, bits ETagBits, now time.Time, ra io.ReaderAt, vlv string) string {
	if bits.None() {
		return ""
	}
	weak := false
	if vlv != "" {
		if vlv[0] == 'W' {
			vlv, weak = vlv[min(3, len(vlv)):], true
		} else {
			vlv = vlv[1:]
		}
	}
	end := func(b []byte) string {
		if vlv != "" {
			return string(append(append(b, ';'), vlv[:len(vlv)-1]...))
		}
		return string(append(b, '"'))
	}
	if bits.Digest && fi.Mode().IsRegular() && ra != nil {
		h := sha1.New()
		if _, err := io.Copy(h, io.NewSectionReader(ra, 0, fi.Size())); err != nil {
			return ""
		}
		b := []byte(`"`)
		if weak {
			b = []byte(`W/"`)
		}
		return end(append(b, base64.StdEncoding.EncodeToString(h.Sum(nil))...))
	}
	mtime := fi.ModTime().UnixMicro()
	b := make([]byte, 0, 64)
	if weak || now.UnixMicro()-mtime < 1_000_000 {
		b = append(b, 'W', '/')
	}
	b = append(b, '"')
	added := false
	if bits.INode {
		b = strconv.AppendUint(b, inode(fi), 16)
		added = true
	}
	if bits.Size {
		if added {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(fi.Size()), 16)
		added = true
	}
	if bits.MTime {
		if added {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(mtime), 16)
	}
	return end(b)
}

// findETag is find_list_item from server/util.c with AP_ETAG_WEAK (weak
// comparison: W/ prefixes ignored on both sides) or AP_ETAG_STRONG (tok must
// be strong, and the scan stops at the first weak list item). Outside
// quoted strings and comments, letters compare case-insensitively and runs
// of white space compare as one space.
func findETag(line, tok string, weak bool) bool {
	if line == "" || tok == "" {
		return false
	}
	at := func(s string, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	if !weak && tok[0] != '"' {
		return false
	}
	if weak {
		if at(tok, 0) == 'W' && at(tok, 1) == '/' && at(tok, 2) == '"' {
			tok = tok[2:]
		} else if tok[0] != '"' {
			return false
		}
	}
	ptr := 0
	good := false
	addspace, inQpair, inQstr, inCom := 0, false, false, 0
	for {
		for at(line, ptr) == ',' || isSpace(at(line, ptr)) {
			ptr++
		}
		if !weak && at(line, ptr) != '"' {
			break
		}
		if weak {
			if at(line, ptr) == 'W' && at(line, ptr+1) == '/' && at(line, ptr+2) == '"' {
				ptr += 2
			} else if at(line, ptr) != '"' {
				break
			}
		}
		if at(line, ptr) == 0 {
			break
		}
		good = true
		pos := 0
		next := func() byte { c := at(tok, pos); pos++; return c }
		for ; at(line, ptr) != 0 && (inQpair || inQstr || inCom > 0 || at(line, ptr) != ','); ptr++ {
			c := line[ptr]
			if inQpair {
				inQpair = false
				if good {
					good = next() == c
				}
				continue
			}
			switch c {
			case '\\':
				inQpair = true
				if addspace == 1 {
					good = good && next() == ' '
				}
				good = good && next() == c
				addspace = 0
			case '"':
				if inCom == 0 {
					inQstr = !inQstr
				}
				if addspace == 1 {
					good = good && next() == ' '
				}
				good = good && next() == c
				addspace = 0
			case '(':
				if !inQstr {
					inCom++
				}
				if addspace == 1 {
					good = good && next() == ' '
				}
				good = good && next() == c
				addspace = 0
			case ')':
				if inCom > 0 {
					inCom--
				}
				good = good && next() == c
				addspace = 0
			case ' ', '\t':
				if addspace != 0 || !good {
					break
				}
				if inCom > 0 || inQstr {
					good = next() == c
				} else {
					addspace = 1
				}
			case '=', '/', ';':
				if !(inCom > 0 || inQstr) {
					addspace = -1
				}
				good = good && next() == c
			default:
				if !good {
					break
				}
				if addspace == 1 {
					good = next() == ' '
				}
				if inCom > 0 || inQstr {
					good = good && next() == c
				} else {
					good = good && lowerByte(next()) == lowerByte(c)
				}
				addspace = 0
			}
		}
		if good && at(tok, pos) != 0 {
			good = false
		}
		if at(line, ptr) == 0 || good {
			break
		}
	}
	return good
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
