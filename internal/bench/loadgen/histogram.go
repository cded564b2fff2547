package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// subBits sets the histogram's precision: 2^subBits buckets for each
// power of two, so a recorded value is known within 1/2^subBits (1.6%).
const subBits = 6

// numBuckets covers every non-negative int64 of nanoseconds.
const numBuckets = (64 - subBits) << subBits

// Histogram is a log-linear latency histogram of fixed size (about
// 30 KiB): recording is a few instructions and never allocates, and
// histograms of many connections merge by adding counts. It is not safe
// for concurrent use; keep one per goroutine and Merge them.
type Histogram struct {
	counts [numBuckets]uint64
	total  uint64
	max    time.Duration
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{} }

// bucketOf is the bucket of a value: values below 2^subBits have one
// bucket each; above, each power of two [2^k, 2^(k+1)) is split into
// 2^subBits equal buckets.
func bucketOf(v uint64) int {
	if v < 1<<subBits {
		return int(v)
	}
	k := bits.Len64(v) - 1
	shift := k - subBits
	return (shift+1)<<subBits + int(v>>shift) - 1<<subBits
}

// bucketRange is the smallest value of bucket i and the bucket's width.
func bucketRange(i int) (low, width uint64) {
	if i < 1<<subBits {
		return uint64(i), 1
	}
	group := i >> subBits // the bucket's power of two, from 1
	m := uint64(i&(1<<subBits-1)) + 1<<subBits
	shift := group - 1
	return m << shift, 1 << shift
}

// Record adds one latency; negative ones count as zero.
func (h *Histogram) Record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d))]++
	h.total++
	if d > h.max {
		h.max = d
	}
}

// Merge adds the counts of o to h.
func (h *Histogram) Merge(o *Histogram) {
	for i, n := range o.counts {
		h.counts[i] += n
	}
	h.total += o.total
	h.max = max(h.max, o.max)
}

// Count is the number of recorded latencies.
func (h *Histogram) Count() uint64 { return h.total }

// Max is the largest recorded latency, exactly.
func (h *Histogram) Max() time.Duration { return h.max }

// Percentile returns the latency below which the fraction q of the
// recorded latencies fall (q is clamped to (0, 1]), as the middle of its
// bucket; 0 when nothing was recorded.
func (h *Histogram) Percentile(q float64) time.Duration {
	if h == nil || h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(min(max(q, 0), 1) * float64(h.total)))
	rank = max(rank, 1)
	var seen uint64
	for i, n := range h.counts {
		seen += n
		if seen >= rank {
			low, width := bucketRange(i)
			return min(time.Duration(low+width/2), h.max)
		}
	}
	return h.max
}
