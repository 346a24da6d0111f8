package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

type latencyResult struct {
	Count  uint64  `json:"count"`
	P50us  float64 `json:"p50_us"`
	P99us  float64 `json:"p99_us"`
	P999us float64 `json:"p999_us"`
	MaxUs  float64 `json:"max_us"`
}

type opResult struct {
	Replies uint64        `json:"replies"`
	PerS    float64       `json:"per_s"`
	OK      uint64        `json:"ok"`
	Errors  uint64        `json:"errors"` // error replies, timeouts and closed connections in the window
	Latency latencyResult `json:"latency"`
}

type serverResult struct {
	PID        int     `json:"pid"`
	CPUSeconds float64 `json:"cpu_s"`
	CPUPercent float64 `json:"cpu_pct"` // of one core, over the window
	RSSMiB     float64 `json:"rss_mib"` // at the end of the window
	Alive      bool    `json:"alive"`
	Note       string  `json:"note,omitempty"`
}

type botResult struct {
	CPUSeconds float64 `json:"cpu_s"`
	CPUPercent float64 `json:"cpu_pct"`
	Bound      bool    `json:"bound"` // >= 90% of a core: the server figures may be a lower bound
}

type result struct {
	Scenario string `json:"scenario"`
	Config   struct {
		URL            string  `json:"url"`
		Groups         int     `json:"groups"`
		Size           int     `json:"size"`
		DurationS      float64 `json:"duration_s"`
		WarmupS        float64 `json:"warmup_s"`
		ReplyTimeoutS  float64 `json:"reply_timeout_s"`
		Connections    int     `json:"connections"`
		GeneratedAtUTC string  `json:"generated_at_utc"`
	} `json:"config"`
	WindowS     float64 `json:"window_s"`
	Interrupted bool    `json:"interrupted"`

	Cycles struct {
		Completed uint64  `json:"completed"`
		PerS      float64 `json:"per_s"`
	} `json:"cycles"`
	Commands struct {
		Replies uint64              `json:"replies"`
		PerS    float64             `json:"per_s"`
		OK      uint64              `json:"ok"`
		PerOp   map[string]opResult `json:"per_op"`
	} `json:"commands"`
	InvitedDelivery latencyResult `json:"invited_delivery"` // party.invite sent -> invitee's party.invited
	Events          struct {
		Received uint64            `json:"received"`
		PerS     float64           `json:"per_s"`
		ByType   map[string]uint64 `json:"by_type"`
	} `json:"events"`
	Errors struct {
		Window        uint64            `json:"window"`
		OutsideWindow uint64            `json:"outside_window"` // warm-up and setup
		ByCode        map[string]uint64 `json:"by_code"`        // "op code" -> count, window
		OutsideByCode map[string]uint64 `json:"outside_by_code"`
		Samples       []string          `json:"samples"`
	} `json:"errors"`
	Anomalies struct {
		SeqErrors    uint64 `json:"seq_errors"`
		StrayReplies uint64 `json:"stray_replies"`
		Dropped      uint64 `json:"dropped"`
		Recoveries   uint64 `json:"recoveries"`
		Reconnects   uint64 `json:"reconnects"`
	} `json:"anomalies"`
	Server *serverResult `json:"server,omitempty"`
	Bot    botResult     `json:"bot"`
	// Seconds: every command's replies and latency, one entry a second from the warm-up's
	// start (loadtest/plot.py draws them).
	Seconds []secondResult `json:"seconds"`
}

// failed: any error at all, or a broken seq order, fails the run.
func (r *result) failed() bool {
	return r.Errors.Window+r.Errors.OutsideWindow+r.Anomalies.SeqErrors > 0
}

func latencyOf(h *histogram) latencyResult {
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }
	return latencyResult{
		Count:  h.count.Load(),
		P50us:  us(h.quantile(0.50)),
		P99us:  us(h.quantile(0.99)),
		P999us: us(h.quantile(0.999)),
		MaxUs:  us(time.Duration(h.max.Load())),
	}
}

// fill copies the counters into res once the run is over.
func fill(res *result, cfg *config, s *stats, interrupted bool) {
	res.Scenario = "churn"
	res.Config.URL = cfg.url
	res.Config.Groups = cfg.groups
	res.Config.Size = cfg.size
	res.Config.DurationS = cfg.duration.Seconds()
	res.Config.WarmupS = cfg.warmup.Seconds()
	res.Config.ReplyTimeoutS = cfg.replyTimeout.Seconds()
	res.Config.Connections = cfg.groups * cfg.size
	res.Config.GeneratedAtUTC = time.Now().UTC().Format(time.RFC3339)
	res.Interrupted = interrupted
	window := time.Duration(s.winEnd.Load() - s.winStart.Load()).Seconds()
	res.WindowS = window
	rate := func(n uint64) float64 {
		if window <= 0 {
			return 0
		}
		return float64(n) / window
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	res.Errors.ByCode = copyMap(s.errWindow)
	res.Errors.OutsideByCode = copyMap(s.errOutside)
	res.Errors.Window = sumMap(s.errWindow)
	res.Errors.OutsideWindow = sumMap(s.errOutside)
	res.Errors.Samples = append([]string{}, s.samples...)

	res.Commands.PerOp = map[string]opResult{}
	for op := 0; op < numOps; op++ {
		var errs uint64
		for key, n := range s.errWindow {
			if strings.HasPrefix(key, opNames[op]+" ") {
				errs += n
			}
		}
		o := opResult{
			Replies: s.replies[op].Load(),
			OK:      s.okReplies[op].Load(),
			Errors:  errs,
			Latency: latencyOf(&s.lat[op]),
		}
		o.PerS = rate(o.Replies)
		res.Commands.PerOp[opNames[op]] = o
		res.Commands.Replies += o.Replies
		res.Commands.OK += o.OK
	}
	res.Commands.PerS = rate(res.Commands.Replies)
	res.InvitedDelivery = latencyOf(&s.invited)

	res.Events.ByType = map[string]uint64{}
	for k := 0; k < numEvKinds; k++ {
		n := s.events[k].Load()
		if n > 0 {
			res.Events.ByType[evNames[k]] = n
		}
		res.Events.Received += n
	}
	res.Events.PerS = rate(res.Events.Received)

	res.Cycles.Completed = s.cycles.Load()
	res.Cycles.PerS = rate(res.Cycles.Completed)
	res.Anomalies.SeqErrors = s.seqErrors.Load()
	res.Anomalies.StrayReplies = s.strayReplies.Load()
	res.Anomalies.Dropped = s.dropped.Load()
	res.Anomalies.Recoveries = s.recoveries.Load()
	res.Anomalies.Reconnects = s.reconnects.Load()
	res.Seconds = []secondResult{}
	if tl := s.timeline.Load(); tl != nil {
		res.Seconds = tl.series(s.winEnd.Load())
	}
}

func copyMap(m map[string]uint64) map[string]uint64 {
	out := make(map[string]uint64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func printReport(w io.Writer, r *result) {
	fmt.Fprintf(w, "churn: %d groups x %d players (%d connections), %.1f s measured after %.1f s warm-up",
		r.Config.Groups, r.Config.Size, r.Config.Connections, r.WindowS, r.Config.WarmupS)
	if r.Interrupted {
		fmt.Fprint(w, " (interrupted: window cut short)")
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  cycles    %10d  %10.1f/s\n", r.Cycles.Completed, r.Cycles.PerS)
	fmt.Fprintf(w, "  commands  %10d  %10.1f/s  (replies; %d ok)\n", r.Commands.Replies, r.Commands.PerS, r.Commands.OK)
	fmt.Fprintf(w, "  events    %10d  %10.1f/s\n", r.Events.Received, r.Events.PerS)
	fmt.Fprintf(w, "  errors    %10d in the window, %d outside it\n", r.Errors.Window, r.Errors.OutsideWindow)
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-22s %9s %10s %7s %9s %9s %9s %9s\n", "op", "replies", "per s", "errors", "p50 us", "p99 us", "p99.9 us", "max us")
	row := func(name string, replies uint64, perS float64, errs uint64, l latencyResult) {
		fmt.Fprintf(w, "  %-22s %9d %10.1f %7d %9.0f %9.0f %9.0f %9.0f\n", name, replies, perS, errs, l.P50us, l.P99us, l.P999us, l.MaxUs)
	}
	for _, name := range opNames {
		o := r.Commands.PerOp[name]
		row(name, o.Replies, o.PerS, o.Errors, o.Latency)
	}
	var invErrs uint64
	for key, n := range r.Errors.ByCode {
		if strings.HasPrefix(key, "party.invited ") {
			invErrs += n
		}
	}
	l := r.InvitedDelivery
	fmt.Fprintf(w, "  %-22s %9d %10s %7d %9.0f %9.0f %9.0f %9.0f   (event: invite sent -> delivered)\n",
		"party.invited", l.Count, "", invErrs, l.P50us, l.P99us, l.P999us, l.MaxUs)
	fmt.Fprintln(w)

	var parts []string
	for _, k := range evNames {
		if n, ok := r.Events.ByType[k]; ok {
			parts = append(parts, fmt.Sprintf("%s %.0f", k, float64(n)/nonZero(r.WindowS)))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "  events/s by type: %s\n", strings.Join(parts, ", "))
	}
	if s := r.Server; s != nil {
		if s.Note != "" {
			fmt.Fprintf(w, "  server pid %d: %s\n", s.PID, s.Note)
		}
		if s.Alive {
			fmt.Fprintf(w, "  server pid %d: CPU %.2f s = %.1f%% of one core over the window; RSS %.1f MiB at the end\n",
				s.PID, s.CPUSeconds, s.CPUPercent, s.RSSMiB)
		}
	}
	bound := ""
	if r.Bot.Bound {
		bound = "  BOUND: the bot was near a full core; the server's figures are a lower bound"
	}
	fmt.Fprintf(w, "  bot: CPU %.2f s = %.1f%% of one core%s\n", r.Bot.CPUSeconds, r.Bot.CPUPercent, bound)
	a := r.Anomalies
	if a.SeqErrors+a.StrayReplies+a.Dropped+a.Recoveries+a.Reconnects > 0 {
		fmt.Fprintf(w, "  anomalies: seq errors %d, stray replies %d, dropped %d, recoveries %d, reconnects %d\n",
			a.SeqErrors, a.StrayReplies, a.Dropped, a.Recoveries, a.Reconnects)
	}
	if r.Errors.Window+r.Errors.OutsideWindow > 0 {
		fmt.Fprintln(w, "  errors by op and code:")
		for _, k := range sortedKeys(r.Errors.ByCode) {
			fmt.Fprintf(w, "    %-40s %8d\n", k, r.Errors.ByCode[k])
		}
		for _, k := range sortedKeys(r.Errors.OutsideByCode) {
			fmt.Fprintf(w, "    %-40s %8d  (outside the window)\n", k, r.Errors.OutsideByCode[k])
		}
	}
	if len(r.Errors.Samples) > 0 {
		fmt.Fprintln(w, "  first problems:")
		for _, s := range r.Errors.Samples {
			fmt.Fprintf(w, "    %s\n", s)
		}
	}
	if r.failed() {
		fmt.Fprintln(w, "  FAILED: errors or seq errors (see above)")
	}
}

func nonZero(x float64) float64 {
	if x <= 0 {
		return 1
	}
	return x
}

func writeJSON(path string, r *result) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
