// Package dbmfile reads the DBM files Apache's tools write for RewriteMap
// dbm: maps (httxt2dbm, through APR's DBM layer): Berkeley DB hash files,
// APR's default DBM type on Debian, GDBM files and SDBM files. Each is read whole
// into a map of its keys and values, which the caller reads again when
// the file changes.
package dbmfile

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Berkeley DB's constants (db_page.h, hash.h).
const (
	hashMagic = 0x061561
	// The generic page header: lsn (8), pgno, prev_pgno, next_pgno (4
	// each), entries and hf_offset (2 each), level and type (1 each).
	pageHeader = 26
	// Page types.
	pageHashUnsorted = 2
	pageOverflow     = 7
	pageHashMeta     = 8
	pageHash         = 13
	// Item types on a hash page.
	itemKeyData   = 1
	itemDuplicate = 2
	itemOffPage   = 3
	itemOffDup    = 4
	// metaflags: page checksums, which change the page layout.
	metaChecksum = 0x01
)

// ErrFormat reports a file that is not what its type says.
var ErrFormat = errors.New("not a DBM file of this type")

// FormatError is a file that is not a database of its type, with the APR
// status Apache logs when its DBM library refuses it (an error code of
// the library's own, which APR cannot name).
type FormatError struct {
	Status int
	Msg    string
}

func (e *FormatError) Error() string { return ErrFormat.Error() + ": " + e.Msg }

// Is makes a FormatError an ErrFormat.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

// The APR statuses of the libraries' refusals: APR_OS_START_USEERR plus
// Berkeley DB's EINVAL, and plus GDBM's own error numbers.
const (
	berkeleyInvalid  = 120022
	gdbmBadMagic     = 120007
	gdbmEmptyFile    = 120008
	gdbmShortFile    = 120025
	decodedPerByte   = 2
	decodedAllowance = 64 << 10
)

// budget bounds what a file decodes to: a record's bytes are in the file
// once, so a file whose records point at the same bytes over and over
// (made to exhaust memory) is refused.
type budget struct{ left int }

func newBudget(size int) *budget { return &budget{left: decodedPerByte*size + decodedAllowance} }

func (b *budget) take(n int) bool {
	b.left -= n
	return b.left >= 0
}

// ReadBerkeleyHash reads a Berkeley DB hash file (versions 8 to 10, as DB
// 4.x to 6.x write them, either byte order): every key with its value.
// A key stored with duplicates gives its first value; keys whose values
// live in an off-page duplicate tree are left out.
func ReadBerkeleyHash(data []byte) (map[string]string, error) {
	bad := func(format string, args ...any) error {
		return &FormatError{Status: berkeleyInvalid, Msg: fmt.Sprintf(format, args...)}
	}
	if len(data) < 512 {
		return nil, bad("%d bytes", len(data))
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint32(data[12:]) == hashMagic:
	case binary.BigEndian.Uint32(data[12:]) == hashMagic:
		bo = binary.BigEndian
	default:
		return nil, bad("no hash magic")
	}
	version, pageSize := bo.Uint32(data[16:]), int(bo.Uint32(data[20:]))
	if version < 8 || version > 10 {
		return nil, bad("hash version %d", version)
	}
	if pageSize < 512 || pageSize > 64<<10 || pageSize&(pageSize-1) != 0 {
		return nil, bad("page size %d", pageSize)
	}
	if data[24] != 0 || data[26]&metaChecksum != 0 {
		return nil, bad("encrypted or checksummed pages")
	}
	if data[25] != pageHashMeta {
		return nil, bad("page 0 is not a hash meta page")
	}
	r := &bdbReader{data: data, bo: bo, pageSize: pageSize, budget: newBudget(len(data))}
	out := map[string]string{}
	for pg := 1; (pg+1)*pageSize <= len(data); pg++ {
		page := r.page(pg)
		if t := page[25]; t != pageHash && t != pageHashUnsorted {
			continue
		}
		n := int(bo.Uint16(page[20:]))
		for i := 0; i+1 < n; i += 2 {
			key, ok := r.item(page, i)
			if !ok {
				continue
			}
			val, ok := r.item(page, i+1)
			if !ok {
				continue
			}
			if _, dup := out[key]; !dup {
				out[key] = val
			}
		}
		if r.budget.left < 0 {
			return nil, bad("its records decode to more than the file holds")
		}
	}
	return out, nil
}

// bdbReader reads the pages of a Berkeley DB file.
type bdbReader struct {
	data     []byte
	bo       binary.ByteOrder
	pageSize int
	budget   *budget
}

func (r *bdbReader) page(pg int) []byte {
	return r.data[pg*r.pageSize : (pg+1)*r.pageSize]
}

// item is the indx'th item of a hash page, as a string: its bytes run
// from its offset to the previous item's (the page's end for the
// first), after the type byte.
func (r *bdbReader) item(page []byte, indx int) (string, bool) {
	off := func(i int) int { return int(r.bo.Uint16(page[pageHeader+2*i:])) }
	if pageHeader+2*(indx+1) > len(page) {
		return "", false
	}
	start, end := off(indx), len(page)
	if indx > 0 {
		end = off(indx - 1)
	}
	if start < pageHeader || start >= end || end > len(page) {
		return "", false
	}
	it := page[start:end]
	switch it[0] {
	case itemKeyData:
		if !r.budget.take(len(it) - 1) {
			return "", false
		}
		return string(it[1:]), true
	case itemDuplicate:
		// On-page duplicates: length, data, length, for each.
		if len(it) < 3 {
			return "", false
		}
		n := int(r.bo.Uint16(it[1:]))
		if 3+n > len(it) || !r.budget.take(n) {
			return "", false
		}
		return string(it[3 : 3+n]), true
	case itemOffPage:
		// type, 3 unused bytes, first overflow page, total length.
		if len(it) < 12 {
			return "", false
		}
		return r.overflow(int(r.bo.Uint32(it[4:])), int(r.bo.Uint32(it[8:])))
	case itemOffDup:
		return "", false
	}
	return "", false
}

// overflow reads an item of length total from the chain of overflow
// pages that starts at pg: each holds hf_offset bytes after its header.
func (r *bdbReader) overflow(pg, total int) (string, bool) {
	pages := len(r.data) / r.pageSize
	if total < 0 || !r.budget.take(total) {
		return "", false
	}
	b := make([]byte, 0, min(total, len(r.data)))
	for seen := 0; pg != 0 && len(b) < total; seen++ {
		if pg >= pages || seen > pages {
			return "", false
		}
		page := r.page(pg)
		if page[25] != pageOverflow {
			return "", false
		}
		n := int(r.bo.Uint16(page[22:]))
		if pageHeader+n > len(page) {
			return "", false
		}
		b = append(b, page[pageHeader:pageHeader+n]...)
		pg = int(r.bo.Uint32(page[16:]))
	}
	if len(b) != total {
		return "", false
	}
	return string(b), true
}

// sdbmPage is SDBM's page size (PBLKSIZ).
const sdbmPage = 1024

// ReadSDBM reads the .pag file of an SDBM database (APR's sdbm, in this
// machine's byte order): every key with its value. The .dir file, a
// bitmap of split pages, is not needed to read every page.
func ReadSDBM(pag []byte) (map[string]string, error) {
	if len(pag)%sdbmPage != 0 {
		return nil, fmt.Errorf("%w: %d bytes is not a number of pages", ErrFormat, len(pag))
	}
	out := map[string]string{}
	for p := 0; p < len(pag); p += sdbmPage {
		page := pag[p : p+sdbmPage]
		ino := func(i int) int { return int(binary.NativeEndian.Uint16(page[2*i:])) }
		n := ino(0)
		if n%2 != 0 || 2*(n+1) > sdbmPage {
			return nil, fmt.Errorf("%w: page %d holds %d entries", ErrFormat, p/sdbmPage, n)
		}
		off := sdbmPage
		for i := 1; i < n; i += 2 {
			k, v := ino(i), ino(i+1)
			if v > k || k > off || v < 2*(n+1) {
				return nil, fmt.Errorf("%w: page %d is damaged", ErrFormat, p/sdbmPage)
			}
			key := string(page[k:off])
			if _, dup := out[key]; !dup {
				out[key] = string(page[v:k])
			}
			off = v
		}
	}
	return out, nil
}

// GDBM's magic numbers of the formats with 64-bit file offsets: the
// original one, the standard one and the one with a sync counter. Their
// headers agree on the fields read here.
const (
	gdbmOriginalMagic = 0x13579ace
	gdbmMagic64       = 0x13579acf
	gdbmNumsyncMagic  = 0x13579ad1
)

// GDBM's bucket layout (gdbmdefs.h, 64-bit off_t): av_count, padding,
// six avail_elems of 16 bytes, bucket_bits, count, then the elements of
// 24 bytes: hash_value (-1 for a free slot), the key's first 4 bytes,
// data_pointer (the key, then the value), key_size, data_size.
const (
	gdbmBucketTable   = 112
	gdbmElementSize   = 24
	gdbmHeaderMinimum = 40
)

// ReadGDBM reads a GDBM file (64-bit offsets, this machine's byte
// order): every key with its value. It visits each bucket the hash
// directory names, so no key is read twice.
func ReadGDBM(data []byte) (map[string]string, error) {
	bad := func(status int, format string, args ...any) error {
		return &FormatError{Status: status, Msg: fmt.Sprintf(format, args...)}
	}
	switch {
	case len(data) == 0:
		return nil, bad(gdbmEmptyFile, "empty")
	case len(data) < gdbmHeaderMinimum:
		return nil, bad(gdbmShortFile, "%d bytes", len(data))
	}
	bo := binary.NativeEndian
	switch bo.Uint32(data) {
	case gdbmOriginalMagic, gdbmMagic64, gdbmNumsyncMagic:
	default:
		return nil, bad(gdbmBadMagic, "no GDBM magic")
	}
	dir, dirSize := int64(bo.Uint64(data[8:])), int64(int32(bo.Uint32(data[16:])))
	bucketSize, elems := int64(int32(bo.Uint32(data[24:]))), int64(int32(bo.Uint32(data[28:])))
	size := int64(len(data))
	if dir < 0 || dirSize < 8 || dir > size || dirSize > size-dir ||
		elems < 1 || bucketSize < gdbmBucketTable+elems*gdbmElementSize {
		return nil, bad(gdbmBadMagic, "bad header")
	}
	spend := newBudget(len(data))
	out := map[string]string{}
	seen := map[int64]bool{}
	for i := dir; i+8 <= dir+dirSize; i += 8 {
		bucket := int64(bo.Uint64(data[i:]))
		if seen[bucket] {
			continue
		}
		seen[bucket] = true
		if bucket < 0 || bucket > size-bucketSize {
			return nil, bad(gdbmBadMagic, "bucket at %d", bucket)
		}
		for e := int64(0); e < elems; e++ {
			el := data[bucket+gdbmBucketTable+e*gdbmElementSize:]
			if int32(bo.Uint32(el)) == -1 {
				continue
			}
			at := int64(bo.Uint64(el[8:]))
			keySize, dataSize := int64(int32(bo.Uint32(el[16:]))), int64(int32(bo.Uint32(el[20:])))
			if at < 0 || keySize < 0 || dataSize < 0 || at > size || keySize+dataSize > size-at {
				return nil, bad(gdbmBadMagic, "element at %d", at)
			}
			if !spend.take(int(keySize + dataSize)) {
				return nil, bad(gdbmBadMagic, "its records decode to more than the file holds")
			}
			key := string(data[at : at+keySize])
			if _, dup := out[key]; !dup {
				out[key] = string(data[at+keySize : at+keySize+dataSize])
			}
		}
	}
	return out, nil
}
