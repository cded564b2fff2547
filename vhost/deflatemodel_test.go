package vhost

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// modelWords is markup-like text: a few words and numbers.
func modelWords(seed uint64, n int) []byte {
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

// modelLetters is random lower-case letters: few long matches.
func modelLetters(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 9))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.IntN(26))
	}
	return b
}

// modelLines is numbered lines: long matches, few symbols.
func modelLines(n int) []byte {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "line %d of a long page\n", i)
	}
	return []byte(b.String()[:n])
}

// The model answers as zlib 1.2.13 does under mod_deflate's loop: the
// expectations are what real zlib gave (deflateInit2 with the level, raw
// deflate, window 15, memLevel 9; each piece fed whole with an 8096-byte
// output buffer; "passed" when the buffer filled while the piece had
// bytes left), for pieces of memory maps and of 8000-byte reads.
func TestDeflateModel(t *testing.T) {
	inputs := []struct {
		name string
		data []byte
	}{
		{"letters70k", modelLetters(1, 70000)}, {"letters66k", modelLetters(2, 65600)}, {"letters64k", modelLetters(3, 65536)},
		{"words100k", modelWords(4, 100000)}, {"words300k", modelWords(5, 300000)}, {"words90k", modelWords(6, 90000)},
		{"words130k", modelWords(7, 130000)}, {"lines200k", modelLines(200000)}, {"lines2m", modelLines(2000000)},
		{"words5m", modelWords(8, 5<<20)},
	}
	passing := []struct {
		level int
		piece int64
		names []string
	}{
		{6, mmapPiece, []string{"letters70k", "letters66k", "words300k", "lines2m", "words5m"}},
		{6, readPiece, []string{"letters70k", "letters66k", "letters64k", "words300k", "lines2m", "words5m"}},
		{1, mmapPiece, []string{"words300k", "lines2m", "words5m"}},
		{1, readPiece, []string{"words300k", "lines2m", "words5m"}},
		{9, mmapPiece, []string{"letters70k", "letters66k", "lines2m", "words5m"}},
		{9, readPiece, []string{"letters70k", "letters66k", "letters64k", "lines2m", "words5m"}},
	}
	for _, p := range passing {
		for _, in := range inputs {
			m := newDeflateModel(p.level, int64(len(in.data)), p.piece)
			// In the pieces a file is copied in, not zlib's.
			for rest := in.data; len(rest) > 0 && !m.settled; {
				n := min(len(rest), 32<<10)
				m.write(rest[:n])
				rest = rest[n:]
			}
			if want := slices.Contains(p.names, in.name); m.passed != want {
				t.Errorf("level %d, pieces of %d, %s: passed %v, zlib %v", p.level, p.piece, in.name, m.passed, want)
			}
		}
	}
}
