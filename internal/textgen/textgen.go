// Package textgen makes reproducible test bodies whose compressed size
// behaves like real pages: the same seed gives the same bytes, so tests
// that compare with real zlib or with Apache's compression can pin what
// they expect.
package textgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Words is n bytes of markup-like text: a few words and numbers.
func Words(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	ws := []string{"alpha", "beta", "gamma", "delta", "omega", "lorem", "ipsum", "<p>", "</div>", "class=\"x\""}
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(ws[rng.IntN(len(ws))])
		if rng.IntN(7) == 0 {
			fmt.Fprintf(&b, "%d", rng.IntN(100000))
		}
		b.WriteByte(' ')
	}
	return []byte(b.String()[:n])
}

// Letters is n random lower-case letters: few long matches.
func Letters(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 9))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return b
}

// Lines is n bytes of numbered lines: long matches, few symbols.
func Lines(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "line %d of a long page\n", i)
	}
	return []byte(b.String()[:n])
}
