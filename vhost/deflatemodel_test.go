package vhost

import (
	"slices"
	"testing"

	"github.com/gowsgid/gowsgid/internal/textgen"
)

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
		{"letters70k", textgen.Letters(1, 70000)}, {"letters66k", textgen.Letters(2, 65600)}, {"letters64k", textgen.Letters(3, 65536)},
		{"words100k", textgen.Words(4, 100000)}, {"words300k", textgen.Words(5, 300000)}, {"words90k", textgen.Words(6, 90000)},
		{"words130k", textgen.Words(7, 130000)}, {"lines200k", textgen.Lines(200000)}, {"lines2m", textgen.Lines(2000000)},
		{"words5m", textgen.Words(8, 5<<20)},
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
