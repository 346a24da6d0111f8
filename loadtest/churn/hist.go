package main

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// histogram is a log-linear latency histogram over nanoseconds: exact below
// 256 ns, then 128 buckets per power of two, so a bucket is at most 1/128
// (0.8%) of its value wide. Recording is lock-free.
type histogram struct {
	buckets [histBuckets]atomic.Uint64
	count   atomic.Uint64
	max     atomic.Int64
}

const (
	histSubBits = 7
	histSub     = 1 << histSubBits // 128
	histLinear  = 2 * histSub      // values below this have their own bucket
	histBuckets = histLinear + (64-histSubBits-1)*histSub
)

// histIndex returns the bucket of v.
func histIndex(v uint64) int {
	if v < histLinear {
		return int(v)
	}
	shift := bits.Len64(v) - (histSubBits + 1) // v>>shift is in [128, 255]
	return histLinear + (shift-1)*histSub + int(v>>uint(shift)) - histSub
}

// histBounds returns the lowest value of bucket i and its width.
func histBounds(i int) (low, width uint64) {
	if i < histLinear {
		return uint64(i), 1
	}
	k := i - histLinear
	shift := uint(k/histSub + 1)
	return uint64(k%histSub+histSub) << shift, 1 << shift
}

func (h *histogram) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.buckets[histIndex(uint64(d))].Add(1)
	h.count.Add(1)
	for {
		m := h.max.Load()
		if int64(d) <= m || h.max.CompareAndSwap(m, int64(d)) {
			break
		}
	}
}

// quantile returns the q-quantile (0 < q <= 1) as the middle of its bucket,
// never above the largest value recorded; 0 when empty.
func (h *histogram) quantile(q float64) time.Duration {
	n := h.count.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(q*float64(n) + 0.999999)
	if rank < 1 {
		rank = 1
	}
	if rank >= n {
		return time.Duration(h.max.Load())
	}
	var seen uint64
	for i := range h.buckets {
		seen += h.buckets[i].Load()
		if seen >= rank {
			low, width := histBounds(i)
			v := time.Duration(low + (width-1)/2)
			if m := time.Duration(h.max.Load()); v > m {
				v = m
			}
			return v
		}
	}
	return time.Duration(h.max.Load())
}
