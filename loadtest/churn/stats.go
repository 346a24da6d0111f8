package main

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// The commands the scenario sends, in cycle order.
const (
	opCreate = iota
	opInvite
	opAccept
	opJoin
	opChat
	opKick
	opLeave
	numOps
)

var opNames = [numOps]string{
	"party.create", "party.invite", "party.invite_accept", "party.join",
	"party.chat", "party.kick", "party.leave",
}

// Event kinds counted separately; anything else is "other".
const numEvKinds = 9

var evNames = [numEvKinds]string{
	"session.ready", "party.invited", "party.invite_sent", "party.member_joined",
	"party.member_left", "party.leader_changed", "party.chat", "party.disbanded", "other",
}

const (
	evReady   = 0
	evInvited = 1
	evOther   = 8
)

var evIndex = func() map[string]int {
	m := map[string]int{}
	for i, n := range evNames[:len(evNames)-1] {
		m[n] = i
	}
	return m
}()

func evKind(ev []byte) int {
	if i, ok := evIndex[string(ev)]; ok { // no allocation for a []byte key
		return i
	}
	return evOther
}

// stats gathers everything the report shows. Counters are atomic: the group
// goroutines and the connections' reader goroutines update them.
type stats struct {
	base time.Time // the window is kept as offsets from base (monotonic clock)

	winStart atomic.Int64 // ns since base; 0 = not set yet
	winEnd   atomic.Int64

	replies   [numOps]atomic.Uint64 // every reply (ok or error) received in the window
	okReplies [numOps]atomic.Uint64
	lat       [numOps]histogram
	invited   histogram   // invite sent -> invitee's party.invited, in the window
	timeline  timelineRef // every reply, one histogram a second, from the warm-up on

	events [numEvKinds]atomic.Uint64
	cycles atomic.Uint64

	seqErrors    atomic.Uint64 // whole run
	strayReplies atomic.Uint64 // replies nobody waits for (late after a timeout)
	dropped      atomic.Uint64 // replies/invites dropped because a queue was full
	reconnects   atomic.Uint64
	recoveries   atomic.Uint64

	mu         sync.Mutex
	errWindow  map[string]uint64 // "op code" -> count, in the window
	errOutside map[string]uint64 // same, during warm-up or setup
	samples    []string
	sampled    map[string]int // samples taken per "op code"
}

func newStats() *stats {
	return &stats{base: time.Now(), errWindow: map[string]uint64{}, errOutside: map[string]uint64{}, sampled: map[string]int{}}
}

func (s *stats) since(t time.Time) int64 { return int64(t.Sub(s.base)) }

// inWindow reports whether t falls in the measured window.
func (s *stats) inWindow(t time.Time) bool {
	start := s.winStart.Load()
	if start == 0 {
		return false
	}
	n := s.since(t)
	return n >= start && n < s.winEnd.Load()
}

// addError records one failure at time at.
func (s *stats) addError(op, code, detail string, at time.Time) {
	key := op + " " + code
	in := s.inWindow(at)
	s.mu.Lock()
	if in {
		s.errWindow[key]++
	} else {
		s.errOutside[key]++
	}
	if len(s.samples) < 20 && s.sampled[key] < 3 {
		s.sampled[key]++
		where := "window"
		if !in {
			where = "outside window"
		}
		s.samples = append(s.samples, key+" ("+where+"): "+detail)
	}
	s.mu.Unlock()
}

// recordReply counts a reply to op (received at r.at, sent at r.sent); a
// failed reply is also recorded as an error.
func (s *stats) recordReply(op int, r *reply, playerID string) {
	if s.inWindow(r.at) {
		s.replies[op].Add(1)
		if r.ok {
			s.okReplies[op].Add(1)
		}
		s.lat[op].record(r.at.Sub(r.sent))
	}
	if tl := s.timeline.Load(); tl != nil {
		tl.record(s.since(r.at), r.at.Sub(r.sent))
	}
	if !r.ok {
		s.addError(opNames[op], r.code, playerID+": "+r.message, r.at)
	}
}

func (s *stats) sample(msg string) {
	s.mu.Lock()
	if len(s.samples) < 20 {
		s.samples = append(s.samples, msg)
	}
	s.mu.Unlock()
}

func sumMap(m map[string]uint64) uint64 {
	var n uint64
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
