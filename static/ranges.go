package static

import (
	"strconv"
	"strings"
)

// byteRange is one range to send, both ends inclusive.
type byteRange struct{ start, end int64 }

// Apache's compiled-in defaults for MaxRanges, MaxRangeOverlaps and
// MaxRangeReversals.
const (
	defaultMaxRanges    = 200
	defaultMaxOverlaps  = 20
	defaultMaxReversals = 20
)

// Values for [FileOptions] MaxRanges, MaxRangeOverlaps and
// MaxRangeReversals besides a positive limit.
const (
	// RangesDefault (the zero value) is Apache's default limit: 200 ranges,
	// 20 overlaps, 20 reversals.
	RangesDefault = 0
	// RangesUnlimited is "unlimited".
	RangesUnlimited = -1
	// RangesNone is "none": any range (MaxRanges), overlap or reversal
	// makes Apache ignore the Range header. MaxRanges none also sends
	// "Accept-Ranges: none".
	RangesNone = -2
)

// limit turns an option value into the C value: -1 unlimited, else the limit.
func limit(v, def int) int {
	switch {
	case v == RangesDefault:
		return def
	case v == RangesUnlimited:
		return -1
	case v == RangesNone:
		return 0
	case v < 0:
		return def
	}
	return v
}

// parseStrictLength is ap_parse_strict_length: digits only, fits int64.
func parseStrictLength(s string) (int64, bool) {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// setByterange is ap_set_byterange for a Range header value (already known
// to be present) and a body of clength bytes. n is the number of ranges
// (0: ignore the header and send everything, -1: none is satisfiable, 416);
// overlapping and adjacent ranges are merged the way Apache merges them
// (only with the range being built, in request order), and "0-" anywhere
// makes the whole request a single full range.
func setByterange(rng string, clength int64) (ranges []byteRange, n, overlaps, reversals int) {
	if len(rng) < 6 || !strings.EqualFold(rng[:6], "bytes=") {
		return nil, 0, 0, 0
	}
	rest := rng[6:]
	var ostart, oend, sumLengths int64
	inMerge := false
	unsatisfiable := false
	numRanges := 0
	for {
		// ap_getword(&range, ','): up to the next comma, then skip commas.
		i := strings.IndexByte(rest, ',')
		var cur string
		if i < 0 {
			cur, rest = rest, ""
		} else {
			cur = rest[:i]
			rest = strings.TrimLeft(rest[i:], ",")
		}
		if cur == "" {
			break
		}
		dash := strings.IndexByte(cur, '-')
		if dash < 0 {
			return nil, 0, 0, 0
		}
		var start, end int64
		if dash == 0 {
			number, ok := parseStrictLength(cur[1:])
			if !ok || number < 1 {
				return nil, 0, 0, 0
			}
			start = clength - number
			end = clength - 1
		} else {
			number, ok := parseStrictLength(cur[:dash])
			if !ok {
				return nil, 0, 0, 0
			}
			start = number
			if cur[dash+1:] != "" {
				number, ok = parseStrictLength(cur[dash+1:])
				if !ok {
					return nil, 0, 0, 0
				}
				end = number
				if start > end {
					return nil, 0, 0, 0
				}
			} else {
				end = clength - 1
				if start == 0 {
					numRanges = 0
					sumLengths = 0
					inMerge = true
					oend, ostart = end, start
					ranges = ranges[:0]
					break
				}
			}
		}
		if start < 0 {
			start = 0
		}
		if start >= clength {
			unsatisfiable = true
			continue
		}
		if end >= clength {
			end = clength - 1
		}
		if !inMerge {
			ostart, oend = start, end
			inMerge = true
			continue
		}
		inMerge = false
		if start >= ostart && end <= oend {
			inMerge = true
		}
		if start < ostart && end >= ostart-1 {
			ostart = start
			reversals++
			inMerge = true
		}
		if end >= oend && start <= oend+1 {
			oend = end
			inMerge = true
		}
		if inMerge {
			overlaps++
			continue
		}
		ranges = append(ranges, byteRange{ostart, oend})
		sumLengths += oend - ostart + 1
		inMerge = true
		ostart, oend = start, end
		numRanges++
	}
	if inMerge {
		ranges = append(ranges, byteRange{ostart, oend})
		sumLengths += oend - ostart + 1
		numRanges++
	} else if numRanges == 0 && unsatisfiable {
		return nil, -1, overlaps, reversals
	}
	if sumLengths > clength {
		return nil, 0, overlaps, reversals
	}
	return ranges, numRanges, overlaps, reversals
}
