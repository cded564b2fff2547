package authz

import "crypto/md5"

// md5Crypt is the FreeBSD MD5-crypt algorithm as apr_md5_encode ("$apr1$")
// and crypt(3) ("$1$") implement it; magic selects the variant. setting
// is the stored hash: its salt is the text after magic up to the first '$'
// or 8 characters.
func md5Crypt(pw, setting, magic string) string {
	sp := setting
	if len(sp) >= len(magic) && sp[:len(magic)] == magic {
		sp = sp[len(magic):]
	}
	sl := 0
	for sl < len(sp) && sp[sl] != '$' && sl < 8 {
		sl++
	}
	salt := sp[:sl]

	ctx := md5.New()
	ctx.Write([]byte(pw))
	ctx.Write([]byte(magic))
	ctx.Write([]byte(salt))

	ctx1 := md5.New()
	ctx1.Write([]byte(pw))
	ctx1.Write([]byte(salt))
	ctx1.Write([]byte(pw))
	final := ctx1.Sum(nil)
	for pl := len(pw); pl > 0; pl -= 16 {
		ctx.Write(final[:min(pl, 16)])
	}
	for i := range final {
		final[i] = 0
	}
	for i := len(pw); i != 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write(final[:1])
		} else {
			ctx.Write([]byte(pw[:1]))
		}
	}
	final = ctx.Sum(nil)

	for i := 0; i < 1000; i++ {
		c := md5.New()
		if i&1 != 0 {
			c.Write([]byte(pw))
		} else {
			c.Write(final)
		}
		if i%3 != 0 {
			c.Write([]byte(salt))
		}
		if i%7 != 0 {
			c.Write([]byte(pw))
		}
		if i&1 != 0 {
			c.Write(final)
		} else {
			c.Write([]byte(pw))
		}
		final = c.Sum(final[:0])
	}

	out := make([]byte, 0, len(magic)+sl+1+22)
	out = append(out, magic...)
	out = append(out, salt...)
	out = append(out, '$')
	f := func(a, b, c int) uint32 { return uint32(final[a])<<16 | uint32(final[b])<<8 | uint32(final[c]) }
	out = to64(out, f(0, 6, 12), 4)
	out = to64(out, f(1, 7, 13), 4)
	out = to64(out, f(2, 8, 14), 4)
	out = to64(out, f(3, 9, 15), 4)
	out = to64(out, f(4, 10, 5), 4)
	out = to64(out, uint32(final[11]), 2)
	return string(out)
}
