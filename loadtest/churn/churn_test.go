package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testConfig(url string, groups, size int) *config {
	return &config{
		url: url, secret: []byte("test-secret"), groups: groups, size: size,
		duration: time.Second, warmup: 300 * time.Millisecond,
		replyTimeout: 2 * time.Second, connectTimeout: 5 * time.Second,
		connectConcurrency: 8, prefix: "t", maxMessage: 1 << 20,
		serverPID: os.Getpid(),
	}
}

// The whole scenario against the fake hub: cycles complete, every op is
// answered, events are counted, and nothing fails.
func TestChurnScenario(t *testing.T) {
	for _, size := range []int{2, 5, 7} {
		hub := startFakeHub(t, "test-secret")
		hub.pingEvery = 50
		cfg := testConfig(hub.url(), 6, size)
		res, err := run(cfg, nil, io.Discard)
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		var out strings.Builder
		printReport(&out, res)
		t.Logf("size %d:\n%s", size, out.String())
		if res.failed() || res.Errors.Window+res.Errors.OutsideWindow > 0 {
			t.Fatalf("size %d: errors %v %v", size, res.Errors.ByCode, res.Errors.Samples)
		}
		if res.Cycles.Completed < 10 {
			t.Fatalf("size %d: only %d cycles", size, res.Cycles.Completed)
		}
		c := float64(res.Cycles.Completed)
		invites := 2
		if size == 2 {
			invites = 1
		}
		want := map[string]int{
			"party.create": 1, "party.invite": invites, "party.invite_accept": invites,
			"party.join": size - 1 - invites, "party.chat": size, "party.kick": 1, "party.leave": size - 1,
		}
		for op, per := range want {
			got := float64(res.Commands.PerOp[op].Replies)
			// The window cuts cycles at both ends: allow one cycle per group either way.
			slack := float64(per * (cfg.groups + 1))
			if got < c*float64(per)-slack || got > c*float64(per)+slack {
				t.Errorf("size %d: %s has %v replies for %v cycles, want about %d per cycle", size, op, got, c, per)
			}
			if per > 0 && res.Commands.PerOp[op].Latency.P50us <= 0 {
				t.Errorf("size %d: %s has no latency", size, op)
			}
		}
		if res.InvitedDelivery.Count == 0 || res.Events.ByType["party.chat"] == 0 || res.Events.ByType["party.member_left"] == 0 {
			t.Errorf("size %d: events %v, invited %+v", size, res.Events.ByType, res.InvitedDelivery)
		}
		if res.Anomalies.SeqErrors+res.Anomalies.StrayReplies+res.Anomalies.Dropped+res.Anomalies.Recoveries != 0 {
			t.Errorf("size %d: anomalies %+v", size, res.Anomalies)
		}
		if res.Server == nil || !res.Server.Alive || res.Server.RSSMiB <= 0 || res.Server.CPUSeconds < 0 {
			t.Errorf("size %d: server %+v", size, res.Server)
		}
		if res.WindowS < 0.99 || res.WindowS > 1.01 {
			t.Errorf("size %d: window %v", size, res.WindowS)
		}
		pongs, bad, live := hub.stats()
		if len(bad) > 0 || pongs == 0 {
			t.Errorf("size %d: hub saw problems %v, pongs %d", size, bad, pongs)
		}
		// The bot closed every connection, so every party is gone.
		deadline := time.Now().Add(2 * time.Second)
		for live > 0 && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
			_, _, live = hub.stats()
		}
		if live != 0 {
			t.Errorf("size %d: %d parties still live after the run", size, live)
		}
	}
}

// A missing reply is a timeout error; the group leaves and starts over.
func TestChurnTimeoutAndRecovery(t *testing.T) {
	hub := startFakeHub(t, "test-secret")
	hub.dropReply = func(op string, n int) bool { return op == "party.join" && n%40 == 0 }
	cfg := testConfig(hub.url(), 4, 5)
	cfg.replyTimeout = 150 * time.Millisecond
	cfg.duration = 1500 * time.Millisecond
	res, err := run(cfg, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	printReport(&out, res)
	t.Logf("\n%s", out.String())
	if !res.failed() {
		t.Fatal("a run with timeouts must fail")
	}
	for key := range res.Errors.ByCode {
		if key != "party.join timeout" {
			t.Errorf("unexpected error %q", key)
		}
	}
	for key := range res.Errors.OutsideByCode {
		if key != "party.join timeout" {
			t.Errorf("unexpected error %q", key)
		}
	}
	if res.Errors.Window == 0 || res.Anomalies.Recoveries == 0 || res.Cycles.Completed < 5 {
		t.Fatalf("errors %d recoveries %d cycles %d", res.Errors.Window, res.Anomalies.Recoveries, res.Cycles.Completed)
	}
	if res.Commands.PerOp["party.join"].Errors != res.Errors.ByCode["party.join timeout"] {
		t.Errorf("per-op errors %d", res.Commands.PerOp["party.join"].Errors)
	}
	if !strings.Contains(out.String(), "party.join timeout") || !strings.Contains(out.String(), "FAILED") {
		t.Error("the report does not show the errors")
	}
}

// Error replies are failures, reported by op and code, and the group starts
// over.
func TestChurnErrorReplies(t *testing.T) {
	hub := startFakeHub(t, "test-secret")
	hub.failReply = func(op string, n int) string {
		if op == "party.chat" && n%25 == 0 {
			return "rate_limited"
		}
		return ""
	}
	cfg := testConfig(hub.url(), 3, 5)
	res, err := run(cfg, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !res.failed() || res.Errors.ByCode["party.chat rate_limited"] == 0 || len(res.Errors.ByCode) != 1 {
		t.Fatalf("errors %+v", res.Errors)
	}
	o := res.Commands.PerOp["party.chat"]
	if o.Replies != o.OK+o.Errors {
		t.Errorf("chat: %d replies, %d ok, %d errors", o.Replies, o.OK, o.Errors)
	}
	if res.Anomalies.Recoveries == 0 || res.Cycles.Completed == 0 {
		t.Errorf("anomalies %+v cycles %d", res.Anomalies, res.Cycles.Completed)
	}
}

func TestChurnRefusedToken(t *testing.T) {
	hub := startFakeHub(t, "test-secret")
	cfg := testConfig(hub.url(), 1, 2)
	cfg.secret = []byte("wrong")
	_, err := run(cfg, nil, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("err = %v, want a 401", err)
	}
}

func TestJSONOutput(t *testing.T) {
	hub := startFakeHub(t, "test-secret")
	cfg := testConfig(hub.url(), 2, 5)
	cfg.duration = 500 * time.Millisecond
	res, err := run(cfg, nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := writeJSON(path, res); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"commands", "events", "errors", "server", "bot", "cycles", "window_s"} {
		if _, ok := back[k]; !ok {
			t.Errorf("JSON has no %q", k)
		}
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"--url", "ws://127.0.0.1:1/x", "--secret", "s", "--groups", "3", "--size", "4",
		"--duration", "2.5", "--warmup", "0", "--server-pid", "42", "--json", "o.json"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.groups != 3 || cfg.size != 4 || cfg.duration != 2500*time.Millisecond || cfg.serverPID != 42 ||
		cfg.jsonPath != "o.json" || cfg.replyTimeout != 5*time.Second {
		t.Fatalf("%+v", cfg)
	}
	for _, bad := range [][]string{
		{"--secret", "s"},
		{"--url", "ws://x/", "--secret", "s", "--size", "1"},
		{"--url", "ws://x/", "--secret", "s", "--prefix", "bad prefix"},
		{"--url", "ws://x/", "--secret", "s", "extra"},
	} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
