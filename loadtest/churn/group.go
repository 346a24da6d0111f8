package main

// One group: `size` players that go through the party life cycle over and
// over, one command at a time (a closed loop).

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"
)

type group struct {
	idx     int
	players []*player
	cfg     *config
	s       *stats
	stop    <-chan struct{}
	readers *sync.WaitGroup

	timer *time.Timer
	buf   []byte
}

func newGroup(idx int, players []*player, cfg *config, s *stats, stop <-chan struct{}, readers *sync.WaitGroup) *group {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &group{idx: idx, players: players, cfg: cfg, s: s, stop: stop, readers: readers, timer: t}
}

func (g *group) stopped() bool {
	select {
	case <-g.stop:
		return true
	default:
		return false
	}
}

func (g *group) disarm() {
	if !g.timer.Stop() {
		select {
		case <-g.timer.C:
		default:
		}
	}
}

// run cycles until stop. needLeave: some player may still be in a party (the
// server said so in session.ready), so the group first cleans up.
func (g *group) run(needLeave bool) {
	if needLeave {
		g.recover()
	}
	for !g.stopped() {
		if g.cycle() {
			continue
		}
		if g.stopped() {
			return
		}
		g.s.recoveries.Add(1)
		g.recover()
	}
}

// cycle runs steps 1-5 once; false when a step failed or the run stops.
func (g *group) cycle() bool {
	ps := g.players
	n := len(ps)
	p0 := ps[0]

	// 1. create
	extra := ""
	if n > 5 {
		extra = `,"max_members":` + strconv.Itoa(n)
	}
	r, ok := g.cmd(p0, opCreate, extra, true)
	if !ok {
		return false
	}
	if r.party == nil || r.party.ID == "" || r.party.InviteCode == "" {
		g.s.addError(opNames[opCreate], "bad_reply", p0.id+": no party id or invite code in the reply", r.at)
		return false
	}
	partyID := r.party.ID
	code := r.party.InviteCode

	// 2. invite players 1 and 2; each accepts the invite it is sent.
	for i := 1; i <= 2 && i < n; i++ {
		r, ok := g.cmd(p0, opInvite, `,"player":"`+ps[i].id+`"`, true)
		if !ok {
			return false
		}
		inv, ok := g.waitInvite(ps[i], partyID, r.sent)
		if !ok {
			return false
		}
		if r.invite != nil && r.invite.ID != "" && r.invite.ID != inv.id {
			g.s.addError("party.invited", "wrong_invite", fmt.Sprintf("%s: reply names invite %s, event %s", ps[i].id, r.invite.ID, inv.id), inv.at)
			return false
		}
		if _, ok := g.cmd(ps[i], opAccept, `,"invite":`+jsonString(inv.id), true); !ok {
			return false
		}
	}

	// 3. the others join by the invite code.
	joinField := `,"invite_code":` + jsonString(code)
	for i := 3; i < n; i++ {
		if _, ok := g.cmd(ps[i], opJoin, joinField, true); !ok {
			return false
		}
	}

	// 4. everybody chats once.
	for _, p := range ps {
		if _, ok := g.cmd(p, opChat, `,"text":"gg"`, true); !ok {
			return false
		}
	}

	// 5. the leader kicks the last player, the other members leave, then the
	// leader leaves and the party is gone.
	if _, ok := g.cmd(p0, opKick, `,"player":"`+ps[n-1].id+`"`, true); !ok {
		return false
	}
	for i := 1; i < n-1; i++ {
		if _, ok := g.cmd(ps[i], opLeave, "", true); !ok {
			return false
		}
	}
	r, ok = g.cmd(p0, opLeave, "", true)
	if !ok {
		return false
	}
	if g.s.inWindow(r.at) {
		g.s.cycles.Add(1)
	}
	return true
}

// cmd sends one command and waits for its reply. With record, the reply is
// counted and timed, and any failure is an error; without (cleanup), nothing
// is recorded. ok is true for an ok reply.
func (g *group) cmd(p *player, op int, extra string, record bool) (reply, bool) {
	if !p.alive() {
		if record {
			g.s.addError(opNames[op], "connection_closed", p.id+": "+errString(p.link.err), time.Now())
		}
		return reply{}, false
	}
	p.rid++
	rid := p.rid
	g.buf = append(g.buf[:0], `{"op":"`...)
	g.buf = append(g.buf, opNames[op]...)
	g.buf = append(g.buf, `","rid":`...)
	g.buf = strconv.AppendInt(g.buf, rid, 10)
	g.buf = append(g.buf, extra...)
	g.buf = append(g.buf, '}')
	l := p.link
	sent := time.Now()
	if err := l.ws.WriteText(g.buf); err != nil {
		if record {
			g.s.addError(opNames[op], "write_failed", p.id+": "+err.Error(), time.Now())
		}
		return reply{}, false
	}
	g.timer.Reset(g.cfg.replyTimeout)
	for {
		select {
		case r := <-p.replies:
			if r.rid != rid {
				g.s.strayReplies.Add(1)
				continue
			}
			g.disarm()
			r.sent = sent
			if record {
				g.s.recordReply(op, &r, p.id)
			}
			return r, r.ok
		case now := <-g.timer.C:
			if record {
				g.s.addError(opNames[op], "timeout", fmt.Sprintf("%s: no reply to rid %d within %v", p.id, rid, g.cfg.replyTimeout), now)
			}
			return reply{rid: rid, code: "timeout"}, false
		case <-l.dead:
			g.disarm()
			if record {
				g.s.addError(opNames[op], "connection_closed", p.id+": "+errString(l.err), time.Now())
			}
			return reply{rid: rid, code: "connection_closed"}, false
		case <-g.stop:
			g.disarm()
			return reply{}, false
		}
	}
}

// waitInvite waits for p's party.invited event for partyID (older invites are
// skipped) and times its delivery from sent.
func (g *group) waitInvite(p *player, partyID string, sent time.Time) (invite, bool) {
	l := p.link
	g.timer.Reset(g.cfg.replyTimeout)
	for {
		select {
		case inv := <-p.invites:
			if inv.partyID != partyID {
				continue // left over from an earlier, failed cycle
			}
			g.disarm()
			if g.s.inWindow(inv.at) {
				g.s.invited.record(inv.at.Sub(sent))
			}
			return inv, true
		case now := <-g.timer.C:
			g.s.addError("party.invited", "timeout", fmt.Sprintf("%s: no party.invited for party %s within %v", p.id, partyID, g.cfg.replyTimeout), now)
			return invite{}, false
		case <-l.dead:
			g.disarm()
			g.s.addError("party.invited", "connection_closed", p.id+": "+errString(l.err), time.Now())
			return invite{}, false
		case <-g.stop:
			g.disarm()
			return invite{}, false
		}
	}
}

// recover brings every player of the group back to "connected, in no party":
// a closed connection is opened again, then everyone sends party.leave (a
// not_in_party answer is fine). It retries, with a growing pause, until that
// works or the run stops.
func (g *group) recover() {
	for attempt := 0; !g.stopped(); attempt++ {
		if attempt > 0 {
			pause := time.Duration(attempt) * 100 * time.Millisecond
			if pause > 2*time.Second {
				pause = 2 * time.Second
			}
			select {
			case <-time.After(pause):
			case <-g.stop:
				return
			}
		}
		clean := true
		for _, p := range g.players {
			if g.stopped() {
				return
			}
			if !p.alive() {
				if _, err := p.connect(g.cfg.connectTimeout, g.cfg.maxMessage, g.readers); err != nil {
					g.s.addError("reconnect", "failed", p.id+": "+err.Error(), time.Now())
					clean = false
					continue
				}
				g.s.reconnects.Add(1)
			}
			r, ok := g.cmd(p, opLeave, "", false)
			if !ok && r.code != "not_in_party" {
				clean = false
			}
		}
		for _, p := range g.players {
			drainInvites(p)
		}
		if clean {
			return
		}
	}
}

func drainInvites(p *player) {
	for {
		select {
		case <-p.invites:
		default:
			return
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
