package main

import (
	"testing"
	"time"
)

func TestTimelinePutsEachReplyInItsSecond(t *testing.T) {
	sec := int64(time.Second)
	// Warm-up from 10 s to 12 s, window from 12 s to 14.5 s (after base).
	tl := newTimeline(10*sec, 12*sec, 14*sec+sec/2)
	tl.record(9*sec, time.Millisecond)            // before: ignored
	tl.record(10*sec, 100*time.Microsecond)       // warm-up, second 0
	tl.record(12*sec+1, 200*time.Microsecond)     // window, second 2
	tl.record(12*sec+sec/2, 400*time.Microsecond) // window, second 2
	tl.record(14*sec+sec/4, 800*time.Microsecond) // the last, half second
	tl.record(14*sec+sec/2, time.Millisecond)     // at the end: ignored
	s := tl.series(15 * sec)
	if len(s) != 5 {
		t.Fatalf("%d seconds, want 5: %+v", len(s), s)
	}
	want := []struct {
		ts      float64
		in      bool
		replies uint64
		perS    float64
	}{{-2, false, 1, 1}, {-1, false, 0, 0}, {0, true, 2, 2}, {1, true, 0, 0}, {2, true, 1, 2}}
	for i, w := range want {
		if s[i].TS != w.ts || s[i].InWindow != w.in || s[i].Replies != w.replies || s[i].PerS != w.perS {
			t.Errorf("second %d: %+v, want t_s %v in_window %v replies %d per_s %v", i, s[i], w.ts, w.in, w.replies, w.perS)
		}
	}
	if s[4].WidthS != 0.5 {
		t.Errorf("last width %v, want 0.5", s[4].WidthS)
	}
	if p := s[2].MaxUs; p != 400 {
		t.Errorf("max of second 2: %v us, want 400", p)
	}
	if p := s[0].P50us; p < 99 || p > 101 {
		t.Errorf("p50 of second 0: %v us, want about 100", p)
	}
	// Interrupted 1.25 s into the window: the series ends there, its last second a quarter.
	cut := tl.series(13*sec + sec/4)
	if len(cut) != 4 || cut[3].WidthS != 0.25 || cut[3].TS != 1 {
		t.Errorf("cut series: %+v", cut)
	}
}
