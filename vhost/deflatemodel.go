package vhost

// Whether Apache sends a compressed static file with a Content-Length
// depends on zlib. The default handler passes the file and its end in one
// brigade; mod_deflate reads the file (a memory map of at most 4 MiB at a
// time, or 8000-byte reads under EnableMMAP Off) and feeds each piece to
// zlib whole. Whenever zlib has filled the output buffer
// (DeflateBufferSize, 8096 bytes) and part of the piece is unread, or a
// next piece comes, mod_deflate passes the buffer down the chain;
// everything else waits for the end and goes down with it. The
// content-length filter gives a Content-Length only to a response whose
// first brigade holds its end. zlib's output comes in blocks, each of
// lit_bufsize-1 symbols (32767 at mod_deflate's DeflateMemLevel 9), and
// every such block is longer than the buffer (a symbol costs at least two
// bits once its block's codes are built); so the response is chunked if
// and only if zlib completes a block before it has read the last byte of
// the file. zlib reads ahead into its 64 KiB window, so that moment comes
// from zlib's own way of matching strings: the model below is zlib
// 1.2.13's deflate_fast and deflate_slow, as Debian's Apache runs them,
// reduced to counting symbols.

const (
	zMinMatch     = 3
	zMaxMatch     = 258
	zMinLookahead = zMaxMatch + zMinMatch + 1
	// zTooFar is the distance beyond which deflate_slow drops a match of
	// three bytes.
	zTooFar = 4096
	// zWindowBits and zMemLevel are mod_deflate's defaults
	// (DeflateWindowSize 15, DeflateMemLevel 9).
	zWindowBits = 15
	zMemLevel   = 9
	// mmapPiece is APR_MMAP_LIMIT: a file bucket is read as memory maps
	// of at most this many bytes; readPiece is APR_BUCKET_BUFF_SIZE, what
	// one read gives without memory maps.
	mmapPiece = 4 << 20
	readPiece = 8000
)

// zlibLevel is a row of zlib's configuration_table.
type zlibLevel struct {
	good, lazy, nice, chain int
	fast                    bool // deflate_fast, else deflate_slow
}

// zlibLevels are zlib's levels 1 to 9 (index 0 is unused: mod_deflate
// takes 1 to 9, or zlib's default, 6).
var zlibLevels = [10]zlibLevel{
	{},
	{4, 4, 8, 4, true}, {4, 5, 16, 8, true}, {4, 6, 32, 32, true},
	{4, 4, 16, 16, false}, {8, 16, 32, 32, false}, {8, 16, 128, 128, false},
	{8, 32, 128, 256, false}, {32, 128, 258, 1024, false}, {32, 258, 258, 4096, false},
}

// deflateModel follows zlib through a static file of known size and
// says whether mod_deflate passes compressed bytes down before the end
// (passed). It is given the file in order with write and settles as soon
// as the answer is known: at the first block zlib completes, or once zlib
// has read the whole file (a file of at most 64 KiB is read at once, so
// the model does no work for it).
type deflateModel struct {
	lv         zlibLevel
	wsize      int
	maxDist    int
	hashShift  uint32
	hashMask   uint32
	blockLimit int // symbols per block

	window     []byte
	head, prev []uint16
	strstart   int
	lookahead  int
	insH       uint32
	// The match state of deflate_slow (deflate_fast uses matchLength).
	matchLength, prevLength int
	matchStart              int
	matchAvailable          bool
	symbols                 int

	// pending is the input given and not yet read by zlib; size is the
	// whole input, read how much zlib has read, pieceEnd the end of the
	// piece it is working on, piece the size of a piece.
	pending              []byte
	size, read, pieceEnd int64
	piece                int64
	passed, settled      bool
}

// newDeflateModel models a file of size bytes compressed at level (zlib's
// default, 6, for 0), read in pieces of piece bytes.
func newDeflateModel(level int, size, piece int64) *deflateModel {
	if level <= 0 || level >= len(zlibLevels) {
		level = 6
	}
	m := &deflateModel{lv: zlibLevels[level], wsize: 1 << zWindowBits, size: size, piece: piece}
	m.maxDist = m.wsize - zMinLookahead
	hashBits := uint32(zMemLevel + 7)
	m.hashMask = 1<<hashBits - 1
	m.hashShift = (hashBits + zMinMatch - 1) / zMinMatch
	m.blockLimit = 1<<(zMemLevel+6) - 1
	m.matchLength, m.prevLength = zMinMatch-1, zMinMatch-1
	if size <= min(int64(2*m.wsize), piece) {
		// zlib's first read takes it all.
		m.settled = true
		return m
	}
	m.window = make([]byte, 2*m.wsize)
	m.head = make([]uint16, 1<<hashBits)
	m.prev = make([]uint16, m.wsize)
	return m
}

// write gives the model the next bytes of the file.
func (m *deflateModel) write(p []byte) {
	if m.settled {
		return
	}
	m.pending = append(m.pending, p...)
	for !m.settled {
		if m.lookahead < zMinLookahead && !m.fill() {
			return // zlib reads bytes not given yet
		}
		if m.settled {
			return
		}
		if m.lv.fast {
			m.stepFast()
		} else {
			m.stepSlow()
		}
	}
	m.pending = nil
}

// fill is fill_window: it slides the window when the match position is
// in its upper half, and reads what fits, within the piece zlib was
// given; zlib gets the next piece when it has used this one up. It
// returns false when the bytes zlib would read were not given yet.
func (m *deflateModel) fill() bool {
	for m.lookahead < zMinLookahead && m.read < m.size {
		if m.read == m.pieceEnd {
			m.pieceEnd = min(m.pieceEnd+m.piece, m.size)
		}
		if m.strstart >= m.wsize+m.maxDist {
			m.slide()
		}
		n := min(int64(len(m.window)-m.lookahead-m.strstart), m.pieceEnd-m.read)
		if int64(len(m.pending)) < n {
			return false
		}
		copy(m.window[m.strstart+m.lookahead:], m.pending[:n])
		m.pending = m.pending[n:]
		m.lookahead += int(n)
		m.read += n
		if m.lookahead >= zMinMatch {
			s := m.strstart
			m.insH = (uint32(m.window[s])<<m.hashShift ^ uint32(m.window[s+1])) & m.hashMask
		}
	}
	if m.read == m.size {
		// Nothing is left unread: no block can end early any more.
		m.settled = true
	}
	return true
}

// slide moves the upper half of the window down, and the hash chains
// with it (slide_hash).
func (m *deflateModel) slide() {
	w := m.wsize
	copy(m.window, m.window[w:m.strstart+m.lookahead])
	m.matchStart -= w
	m.strstart -= w
	for _, t := range [][]uint16{m.head, m.prev} {
		for i, v := range t {
			if int(v) >= w {
				t[i] = v - uint16(w)
			} else {
				t[i] = 0
			}
		}
	}
}

// insert is INSERT_STRING: the string at str joins its hash chain; the
// chain's previous head is returned (0 for none).
func (m *deflateModel) insert(str int) int {
	m.insH = (m.insH<<m.hashShift ^ uint32(m.window[str+zMinMatch-1])) & m.hashMask
	h := m.head[m.insH]
	m.prev[str&(m.wsize-1)] = h
	m.head[m.insH] = uint16(str)
	return int(h)
}

// tally counts a symbol; a block ends at the limit and fills the
// output buffer, which mod_deflate passes down at once when zlib has not
// read all of its piece, else when it gives zlib the next piece: unless
// zlib has read the whole file.
func (m *deflateModel) tally() {
	m.symbols++
	if m.symbols < m.blockLimit {
		return
	}
	m.symbols = 0
	if m.read < m.size {
		m.passed, m.settled = true, true
	}
}

// stepSlow is one turn of deflate_slow's loop (lazy matching).
func (m *deflateModel) stepSlow() {
	head := 0
	if m.lookahead >= zMinMatch {
		head = m.insert(m.strstart)
	}
	m.prevLength = m.matchLength
	m.matchLength = zMinMatch - 1
	if head != 0 && m.prevLength < m.lv.lazy && m.strstart-head <= m.maxDist {
		m.matchLength = m.longestMatch(head)
		if m.matchLength == zMinMatch && m.strstart-m.matchStart > zTooFar {
			m.matchLength = zMinMatch - 1
		}
	}
	switch {
	case m.prevLength >= zMinMatch && m.matchLength <= m.prevLength:
		// The previous match stands: its strings join the chains.
		last := m.strstart + m.lookahead - zMinMatch
		m.tally()
		m.lookahead -= m.prevLength - 1
		for n := m.prevLength - 2; n > 0; n-- {
			m.strstart++
			if m.strstart <= last {
				m.insert(m.strstart)
			}
		}
		m.matchAvailable = false
		m.matchLength = zMinMatch - 1
		m.strstart++
	case m.matchAvailable:
		m.tally() // the previous byte as a literal
		m.strstart++
		m.lookahead--
	default:
		m.matchAvailable = true
		m.strstart++
		m.lookahead--
	}
}

// stepFast is one turn of deflate_fast's loop (no lazy matching).
func (m *deflateModel) stepFast() {
	head := 0
	if m.lookahead >= zMinMatch {
		head = m.insert(m.strstart)
	}
	if head != 0 && m.strstart-head <= m.maxDist {
		m.matchLength = m.longestMatch(head)
	}
	if m.matchLength < zMinMatch {
		m.tally()
		m.lookahead--
		m.strstart++
		return
	}
	m.tally()
	m.lookahead -= m.matchLength
	if m.matchLength <= m.lv.lazy && m.lookahead >= zMinMatch {
		for n := m.matchLength - 1; n > 0; n-- {
			m.strstart++
			m.insert(m.strstart)
		}
		m.strstart++
	} else {
		m.strstart += m.matchLength
		m.insH = (uint32(m.window[m.strstart])<<m.hashShift ^ uint32(m.window[m.strstart+1])) & m.hashMask
	}
	m.matchLength = 0
}

// longestMatch is longest_match: the longest string at a position of the
// chain from cur that equals the one at strstart, longer than
// prevLength (which it returns when there is none); it sets matchStart.
// The model runs while at least zMinLookahead bytes are ahead, so no
// match reaches past them.
func (m *deflateModel) longestMatch(cur int) int {
	w, scan := m.window, m.strstart
	chain, best, nice := m.lv.chain, m.prevLength, min(m.lv.nice, m.lookahead)
	limit := 0
	if scan > m.maxDist {
		limit = scan - m.maxDist
	}
	if m.prevLength >= m.lv.good {
		chain >>= 2
	}
	for {
		if w[cur+best] == w[scan+best] && w[cur+best-1] == w[scan+best-1] &&
			w[cur] == w[scan] && w[cur+1] == w[scan+1] {
			// The third byte is equal when the first two are: the
			// strings share a hash.
			n := zMinMatch
			for n < zMaxMatch && w[scan+n] == w[cur+n] {
				n++
			}
			if n > best {
				m.matchStart, best = cur, n
				if n >= nice {
					break
				}
			}
		}
		if cur = int(m.prev[cur&(m.wsize-1)]); cur <= limit {
			break
		}
		if chain--; chain == 0 {
			break
		}
	}
	return min(best, m.lookahead)
}
