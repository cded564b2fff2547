package authz

import (
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strconv"
	"strings"
)

// The byte order in which SHA-crypt encodes its digest: triples of digest
// indexes, each written as 4 characters (last entry: see shaCrypt).
var (
	sha256Order = [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
		{15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}}
	sha512Order = [][3]int{{0, 21, 42}, {22, 43, 1}, {44, 2, 23}, {3, 24, 45}, {25, 46, 4},
		{47, 5, 26}, {6, 27, 48}, {28, 49, 7}, {50, 8, 29}, {9, 30, 51}, {31, 52, 10},
		{53, 11, 32}, {12, 33, 54}, {34, 55, 13}, {56, 14, 35}, {15, 36, 57}, {37, 58, 16},
		{59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41}}
)

// shaCrypt is Ulrich Drepper's SHA-256-crypt ("$5$") or SHA-512-crypt
// ("$6$") as libxcrypt computes it for the setting (the stored hash):
// "rounds=N$" (1000 <= N <= 999999999, no leading zero) is optional, the
// salt is at most 16 characters up to the next '$'. ok is false when
// libxcrypt would refuse the setting.
func shaCrypt(pw, setting string, is512 bool) (string, bool) {
	prefix := "$5$"
	newHash := sha256.New
	if is512 {
		prefix = "$6$"
		newHash = sha512.New
	}
	s := setting[len(prefix):]
	rounds, custom := 5000, false
	if strings.HasPrefix(s, "rounds=") {
		num := s[len("rounds="):]
		end := 0
		for end < len(num) && num[end] >= '0' && num[end] <= '9' {
			end++
		}
		if end == 0 || num[0] == '0' || end >= len(num) || num[end] != '$' || end > 9 {
			return "", false
		}
		n, err := strconv.Atoi(num[:end])
		if err != nil || n < 1000 || n > 999999999 {
			return "", false
		}
		rounds, custom = n, true
		s = num[end+1:]
	}
	sl := strings.IndexByte(s, '$')
	if sl < 0 {
		sl = len(s)
	}
	sl = min(sl, 16)
	salt := []byte(s[:sl])
	for _, c := range salt {
		if ascii64Value(c) < 0 {
			return "", false
		}
	}
	key := []byte(pw)

	sum := func(h hash.Hash) []byte { return h.Sum(nil) }
	b := newHash()
	b.Write(key)
	b.Write(salt)
	b.Write(key)
	bsum := sum(b)
	hlen := len(bsum)

	a := newHash()
	a.Write(key)
	a.Write(salt)
	cnt := len(key)
	for ; cnt > hlen; cnt -= hlen {
		a.Write(bsum)
	}
	a.Write(bsum[:cnt])
	for cnt = len(key); cnt > 0; cnt >>= 1 {
		if cnt&1 != 0 {
			a.Write(bsum)
		} else {
			a.Write(key)
		}
	}
	asum := sum(a)

	dp := newHash()
	for i := 0; i < len(key); i++ {
		dp.Write(key)
	}
	dpsum := sum(dp)
	p := make([]byte, 0, len(key))
	for cnt = len(key); cnt >= hlen; cnt -= hlen {
		p = append(p, dpsum...)
	}
	p = append(p, dpsum[:cnt]...)

	ds := newHash()
	for i := 0; i < 16+int(asum[0]); i++ {
		ds.Write(salt)
	}
	dssum := sum(ds)
	sp := dssum[:len(salt)]

	c := asum
	for r := 0; r < rounds; r++ {
		h := newHash()
		if r&1 != 0 {
			h.Write(p)
		} else {
			h.Write(c)
		}
		if r%3 != 0 {
			h.Write(sp)
		}
		if r%7 != 0 {
			h.Write(p)
		}
		if r&1 != 0 {
			h.Write(c)
		} else {
			h.Write(p)
		}
		c = h.Sum(c[:0])
	}

	out := []byte(prefix)
	if custom {
		out = append(out, "rounds="...)
		out = strconv.AppendInt(out, int64(rounds), 10)
		out = append(out, '$')
	}
	out = append(out, salt...)
	out = append(out, '$')
	order := sha256Order
	if is512 {
		order = sha512Order
	}
	for _, t := range order {
		out = to64(out, uint32(c[t[0]])<<16|uint32(c[t[1]])<<8|uint32(c[t[2]]), 4)
	}
	if is512 {
		out = to64(out, uint32(c[63]), 2)
	} else {
		out = to64(out, uint32(c[31])<<8|uint32(c[30]), 3)
	}
	return string(out), true
}
