// Command churn is a load test of the party hub's party life cycle: groups of
// players create a party, invite, accept, join by code, chat, kick and leave,
// over and over, each step waiting for the previous reply (a closed loop).
// It reports commands/s and latency per op, events/s, errors by code, and the
// server's CPU and memory.
//
//	churn --url ws://127.0.0.1:PORT/api/v1/social/party/ws --secret S \
//	      --groups 200 --size 5 --duration 15 --warmup 3 [--server-pid PID] [--json out.json]
//
// It uses the Go standard library only (its own RFC 6455 client).
package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

type config struct {
	url                string
	secret             []byte
	groups, size       int
	duration, warmup   time.Duration
	serverPID          int
	jsonPath           string
	replyTimeout       time.Duration
	connectTimeout     time.Duration
	connectConcurrency int
	prefix             string
	maxMessage         int
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "churn:", err)
		os.Exit(2)
	}
	interrupt := make(chan os.Signal, 1)
	signal.Notify(interrupt, syscall.SIGINT, syscall.SIGTERM)
	res, err := run(cfg, interrupt, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "churn:", err)
		os.Exit(2)
	}
	printReport(os.Stdout, res)
	if cfg.jsonPath != "" {
		if err := writeJSON(cfg.jsonPath, res); err != nil {
			fmt.Fprintln(os.Stderr, "churn:", err)
			os.Exit(2)
		}
	}
	if res.failed() {
		os.Exit(1)
	}
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("churn", flag.ContinueOnError)
	url := fs.String("url", "", "the party WebSocket URL, ws://HOST:PORT/api/v1/social/party/ws (required)")
	secret := fs.String("secret", "", "the server's JWT secret (HS256) (required)")
	groups := fs.Int("groups", 200, "groups (concurrent parties)")
	size := fs.Int("size", 5, "players per group (2 or more; over 5, party.create asks for max_members)")
	duration := fs.Float64("duration", 15, "measured seconds")
	warmup := fs.Float64("warmup", 3, "seconds run before the measured window")
	serverPID := fs.Int("server-pid", 0, "the server's pid: report its CPU (utime+stime) and RSS")
	jsonPath := fs.String("json", "", "also write the result as JSON to this file")
	replyTimeout := fs.Float64("reply-timeout", 5, "seconds to wait for a reply (or a party.invited) before counting an error")
	connectTimeout := fs.Float64("connect-timeout", 10, "seconds for a connection to get session.ready")
	connectConcurrency := fs.Int("connect-concurrency", 50, "connections opened at once during setup")
	prefix := fs.String("prefix", "churn", "player ids are PREFIX-gG-pI")
	maxMessage := fs.Int("max-message", 1<<20, "largest server message accepted, bytes")
	caFile := fs.String("ca", "", "PEM certificate(s) to trust for a wss:// --url (default: the system's roots)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if *caFile != "" {
		pem, err := os.ReadFile(*caFile)
		if err != nil {
			return nil, err
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--ca %s holds no PEM certificate", *caFile)
		}
		tlsConfig.RootCAs = roots
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	cfg := &config{
		url: *url, secret: []byte(*secret), groups: *groups, size: *size,
		duration:           seconds(*duration),
		warmup:             seconds(*warmup),
		serverPID:          *serverPID,
		jsonPath:           *jsonPath,
		replyTimeout:       seconds(*replyTimeout),
		connectTimeout:     seconds(*connectTimeout),
		connectConcurrency: *connectConcurrency,
		prefix:             *prefix,
		maxMessage:         *maxMessage,
	}
	switch {
	case cfg.url == "":
		return nil, errors.New("--url is required")
	case len(cfg.secret) == 0:
		return nil, errors.New("--secret is required")
	case cfg.groups < 1:
		return nil, errors.New("--groups must be at least 1")
	case cfg.size < 2:
		return nil, errors.New("--size must be at least 2 (a leader and someone to kick)")
	case cfg.duration <= 0 || cfg.warmup < 0:
		return nil, errors.New("--duration must be positive and --warmup not negative")
	case cfg.replyTimeout <= 0 || cfg.connectTimeout <= 0 || cfg.connectConcurrency < 1:
		return nil, errors.New("timeouts and --connect-concurrency must be positive")
	}
	if !validPlayerID(playerID(cfg.prefix, cfg.groups-1, cfg.size-1)) {
		return nil, fmt.Errorf("--prefix %q makes player ids that are not [A-Za-z0-9_.:-]{1,64}", cfg.prefix)
	}
	return cfg, nil
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func playerID(prefix string, g, i int) string { return fmt.Sprintf("%s-g%d-p%d", prefix, g, i) }

// run connects every player, runs the groups through warm-up and the
// measured window, shuts down cleanly, and returns the result. A signal on
// interrupt ends the window early (or aborts before it).
func run(cfg *config, interrupt <-chan os.Signal, log io.Writer) (*result, error) {
	raiseFileLimit()
	s := newStats()
	exp := time.Now().Add(cfg.warmup + cfg.duration + time.Hour).Unix()

	// Setup: every player connected and session.ready received.
	all := make([][]*player, cfg.groups)
	needLeave := make([]bool, cfg.groups)
	for g := range all {
		all[g] = make([]*player, cfg.size)
		for i := range all[g] {
			id := playerID(cfg.prefix, g, i)
			all[g][i] = newPlayer(id, cfg.url, playerToken(cfg.secret, id, exp), s)
		}
	}
	var readers sync.WaitGroup
	setupStart := time.Now()
	if err := connectAll(cfg, all, needLeave, &readers, interrupt); err != nil {
		closeAll(all, &readers, 2*time.Second)
		return nil, err
	}
	fmt.Fprintf(log, "churn: %d connections ready in %.1fs; warm-up %v, then %v measured\n",
		cfg.groups*cfg.size, time.Since(setupStart).Seconds(), cfg.warmup, cfg.duration)

	// A watchdog bounds the rest of the run, whatever happens.
	watchdog := time.AfterFunc(cfg.warmup+cfg.duration+cfg.connectTimeout+60*time.Second, func() {
		fmt.Fprintln(os.Stderr, "churn: watchdog: the run did not end in time; exiting")
		os.Exit(3)
	})
	defer watchdog.Stop()

	now := time.Now()
	start := now.Add(cfg.warmup)
	end := start.Add(cfg.duration)
	s.winEnd.Store(s.since(end))
	s.winStart.Store(s.since(start))
	s.timeline.Store(newTimeline(s.since(now), s.since(start), s.since(end)))

	stop := make(chan struct{})
	var groups sync.WaitGroup
	for g := range all {
		gr := newGroup(g, all[g], cfg, s, stop, &readers)
		groups.Add(1)
		go func(leave bool) {
			defer groups.Done()
			gr.run(leave)
		}(needLeave[g])
	}

	res := &result{}
	interrupted := false
	select {
	case <-time.After(time.Until(start)):
	case <-interrupt:
		interrupted = true
	}
	if interrupted {
		close(stop)
		groups.Wait()
		closeAll(all, &readers, 2*time.Second)
		return nil, errors.New("interrupted before the measured window")
	}
	cpu0, cpuErr := serverCPU(cfg.serverPID)
	self0 := selfCPUSeconds()
	t0 := time.Now()
	select {
	case <-time.After(time.Until(end)):
	case <-interrupt:
		interrupted = true
		s.winEnd.Store(s.since(time.Now()))
	}
	t1 := time.Now()
	cpu1, cpuErr1 := serverCPU(cfg.serverPID)
	self1 := selfCPUSeconds()
	if cfg.serverPID > 0 {
		res.Server = &serverResult{PID: cfg.serverPID}
		if cpuErr == nil && cpuErr1 == nil {
			res.Server.CPUSeconds = cpu1 - cpu0
			res.Server.CPUPercent = 100 * (cpu1 - cpu0) / t1.Sub(t0).Seconds()
			res.Server.Alive = true
		} else {
			res.Server.Note = "could not read /proc/PID/stat: " + errString(firstErr(cpuErr, cpuErr1))
		}
		if rss, err := procRSSMiB(cfg.serverPID); err == nil {
			res.Server.RSSMiB = rss
		} else if res.Server.Note == "" {
			res.Server.Note = "could not read VmRSS: " + err.Error()
		}
	}
	res.Bot = botResult{CPUSeconds: self1 - self0, CPUPercent: 100 * (self1 - self0) / t1.Sub(t0).Seconds()}
	res.Bot.Bound = res.Bot.CPUPercent >= 90

	// Shutdown: stop the groups, then close every connection.
	close(stop)
	waitTimeout(&groups, cfg.connectTimeout+cfg.replyTimeout)
	closeAll(all, &readers, 2*time.Second)

	fill(res, cfg, s, interrupted)
	return res, nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

func serverCPU(pid int) (float64, error) {
	if pid <= 0 {
		return 0, nil
	}
	return procCPUSeconds(pid)
}

// connectAll opens every connection, connectConcurrency at a time, and
// fails on the first connection that cannot be set up.
func connectAll(cfg *config, all [][]*player, needLeave []bool, readers *sync.WaitGroup, interrupt <-chan os.Signal) error {
	type job struct{ g, i int }
	jobs := make(chan job)
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < cfg.connectConcurrency; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				p := all[j.g][j.i]
				inParty, err := p.connect(cfg.connectTimeout, cfg.maxMessage, readers)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("connecting %s: %w", p.id, err)
				}
				if inParty {
					needLeave[j.g] = true
				}
				mu.Unlock()
			}
		}()
	}
	failed := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return firstErr != nil
	}
feed:
	for g := range all {
		for i := range all[g] {
			if failed() {
				break feed
			}
			select {
			case jobs <- job{g, i}:
			case <-interrupt:
				mu.Lock()
				if firstErr == nil {
					firstErr = errors.New("interrupted while connecting")
				}
				mu.Unlock()
				break feed
			}
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

// closeAll sends a close frame on every open connection, waits up to grace
// for the server's closes, then closes whatever is left.
func closeAll(all [][]*player, readers *sync.WaitGroup, grace time.Duration) {
	// In parallel: a server that stopped reading must not hold up the rest.
	var sends sync.WaitGroup
	for _, ps := range all {
		for _, p := range ps {
			if p.alive() {
				sends.Add(1)
				go func(ws *wsConn) {
					defer sends.Done()
					_ = ws.SendClose(closeNormal, "done")
				}(p.link.ws)
			}
		}
	}
	waitTimeout(&sends, grace)
	if waitTimeout(readers, grace) {
		return
	}
	for _, ps := range all {
		for _, p := range ps {
			if p.link != nil {
				p.link.ws.Close()
			}
		}
	}
	waitTimeout(readers, grace)
}

// waitTimeout waits for wg at most d; true if it finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}
