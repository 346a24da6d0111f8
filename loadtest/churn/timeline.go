package main

import (
	"math"
	"sync/atomic"
	"time"
)

// timeline keeps one latency histogram per second of the run (warm-up and window), over
// every command reply, for the per-second series in the JSON that loadtest/plot.py draws.
type timeline struct {
	start  int64 // ns since stats.base of the first slot's start (the warm-up's start)
	window int64 // ns since stats.base of the measured window's start
	end    int64 // ns since stats.base of the window's end: the last slot may be shorter
	slots  []histogram
}

// newTimeline covers [start, end) in one-second slots; window marks where measuring begins.
func newTimeline(start, window, end int64) *timeline {
	n := int((end - start + int64(time.Second) - 1) / int64(time.Second))
	return &timeline{start: start, window: window, end: end, slots: make([]histogram, n)}
}

// record adds one reply's latency to the slot of at (ns since base); outside the span, nothing.
func (t *timeline) record(at int64, d time.Duration) {
	if at < t.start || at >= t.end {
		return
	}
	t.slots[(at-t.start)/int64(time.Second)].record(d)
}

// secondResult is one second of the run: replies to every command, and their latency.
type secondResult struct {
	TS       float64 `json:"t_s"`       // the second's start, from the measured window's start (negative: warm-up)
	WidthS   float64 `json:"width_s"`   // 1, or less for a last partial second
	InWindow bool    `json:"in_window"` // the second lies within the measured window
	Replies  uint64  `json:"replies"`
	PerS     float64 `json:"per_s"`
	P50us    float64 `json:"p50_us"`
	P99us    float64 `json:"p99_us"`
	P999us   float64 `json:"p999_us"`
	MaxUs    float64 `json:"max_us"`
}

// series returns one entry a second, in order, up to cut (ns since base: the window's end,
// earlier when the run was interrupted), so an interrupted run shows no empty seconds.
func (t *timeline) series(cut int64) []secondResult {
	end := t.end
	if cut < end {
		end = cut
	}
	out := make([]secondResult, 0, len(t.slots))
	for i := range t.slots {
		slotStart := t.start + int64(i)*int64(time.Second)
		if slotStart >= end {
			break
		}
		width := math.Min(1, float64(end-slotStart)/1e9)
		l := latencyOf(&t.slots[i])
		out = append(out, secondResult{
			TS:       float64(slotStart-t.window) / 1e9,
			WidthS:   width,
			InWindow: slotStart >= t.window,
			Replies:  l.Count,
			PerS:     float64(l.Count) / width,
			P50us:    l.P50us,
			P99us:    l.P99us,
			P999us:   l.P999us,
			MaxUs:    l.MaxUs,
		})
	}
	return out
}

// timelineRef is set once the warm-up begins; replies before then (setup) are not in it.
type timelineRef = atomic.Pointer[timeline]
