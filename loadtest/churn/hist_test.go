package main

import (
	"math/rand"
	"sort"
	"testing"
	"time"
)

func TestHistBuckets(t *testing.T) {
	// Contiguous, in order, and each bucket within 1/128 of its value.
	prevLow, prevWidth := uint64(0), uint64(1)
	for i := 1; i < histBuckets; i++ {
		low, width := histBounds(i)
		if low != prevLow+prevWidth {
			t.Fatalf("bucket %d starts at %d, want %d", i, low, prevLow+prevWidth)
		}
		if i >= histLinear && width*histSub > low {
			t.Fatalf("bucket %d too wide: %d at %d", i, width, low)
		}
		if histIndex(low) != i || histIndex(low+width-1) != i {
			t.Fatalf("bucket %d: index(%d)=%d index(%d)=%d", i, low, histIndex(low), low+width-1, histIndex(low+width-1))
		}
		prevLow, prevWidth = low, width
		if low > 1<<62 {
			break
		}
	}
	if histIndex(^uint64(0)) != histBuckets-1 {
		t.Fatalf("max value lands in %d, want %d", histIndex(^uint64(0)), histBuckets-1)
	}
}

func TestHistQuantiles(t *testing.T) {
	var h histogram
	rng := rand.New(rand.NewSource(1))
	var vals []int
	for i := 0; i < 100000; i++ {
		v := int(rng.ExpFloat64() * 200e3) // ns, mean 200 us
		vals = append(vals, v)
		h.record(time.Duration(v))
	}
	sort.Ints(vals)
	for _, q := range []float64{0.5, 0.99, 0.999} {
		exact := float64(vals[int(q*float64(len(vals)))-1])
		got := float64(h.quantile(q))
		if got < exact*0.99 || got > exact*1.01 {
			t.Errorf("q%.3f: %.0f, exact %.0f", q, got, exact)
		}
	}
	if h.quantile(1) != time.Duration(vals[len(vals)-1]) {
		t.Errorf("max %v, want %v", h.quantile(1), vals[len(vals)-1])
	}
	var empty histogram
	if empty.quantile(0.5) != 0 {
		t.Error("empty histogram")
	}
}
