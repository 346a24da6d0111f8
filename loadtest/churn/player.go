package main

// One bot player: its connection, the reader goroutine that sorts the
// server's messages into replies and invites, and the cheap event scanning
// that counts events and checks each party's seq.

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"
)

// The parts of server messages the bot reads.
type wireParty struct {
	ID         string   `json:"id"`
	InviteCode string   `json:"invite_code"`
	Leader     string   `json:"leader"`
	Members    []string `json:"members"`
}

type wireInvite struct {
	ID     string     `json:"id"`
	Party  *wireParty `json:"party"`
	Player string     `json:"player"`
	By     string     `json:"by"`
}

type wireMsg struct {
	Ev    string `json:"ev"`
	Rid   *int64 `json:"rid"`
	Ok    bool   `json:"ok"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	Data *struct {
		Party  *wireParty  `json:"party"`
		Invite *wireInvite `json:"invite"`
	} `json:"data"`
	Invite *wireInvite     `json:"invite"`
	Party  json.RawMessage `json:"party"` // session.ready: PARTY or null; events: the party id
	Player string          `json:"player"`
}

// reply is one command's answer as the group goroutine sees it.
type reply struct {
	rid           int64
	ok            bool
	code, message string
	party         *wireParty
	invite        *wireInvite
	sent, at      time.Time // command written; reply read
}

// invite is a party.invited event.
type invite struct {
	id, partyID string
	at          time.Time
}

// link is one connection of a player; a reconnect makes a new one.
type link struct {
	ws    *wsConn
	dead  chan struct{} // closed when the reader goroutine ends
	err   error         // why it ended; read only after dead is closed
	ready chan wireMsg  // the session.ready message
}

type player struct {
	id  string
	s   *stats
	url string
	tok string

	link *link // owned by the group goroutine (and the setup before it)
	rid  int64

	replies chan reply
	invites chan invite

	// Reader-goroutine state: the party whose events it follows, and the
	// last seq seen in it.
	seqParty string
	seqLast  int64
}

func newPlayer(id, url, token string, s *stats) *player {
	return &player{
		id: id, url: url, tok: token, s: s,
		replies: make(chan reply, 16),
		invites: make(chan invite, 16),
	}
}

// connect opens a new connection, starts its reader and waits for
// session.ready. It returns whether the server says the player is already in
// a party.
func (p *player) connect(timeout time.Duration, maxMessage int, readers *sync.WaitGroup) (bool, error) {
	ws, err := dialWS(p.url, p.tok, timeout)
	if err != nil {
		return false, err
	}
	l := &link{ws: ws, dead: make(chan struct{}), ready: make(chan wireMsg, 1)}
	p.seqParty, p.seqLast = "", 0
	p.link = l
	readers.Add(1)
	go func() {
		defer readers.Done()
		l.err = ws.readLoop(maxMessage, func(msg []byte, at time.Time) { p.onMessage(l, msg, at) })
		close(l.dead)
		ws.Close()
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case m := <-l.ready:
		if m.Player != "" && m.Player != p.id {
			ws.Close()
			return false, errors.New("session.ready names player " + m.Player)
		}
		inParty := len(m.Party) > 0 && string(m.Party) != "null"
		return inParty, nil
	case <-l.dead:
		return false, errors.New("connection closed before session.ready: " + errString(l.err))
	case <-t.C:
		ws.Close()
		return false, errors.New("no session.ready within " + timeout.String())
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

// alive reports whether the current connection is still open.
func (p *player) alive() bool {
	if p.link == nil {
		return false
	}
	select {
	case <-p.link.dead:
		return false
	default:
		return true
	}
}

var (
	evPrefix  = []byte(`{"ev":"`)
	ridPrefix = []byte(`{"rid":`)
	okSuffix  = []byte(`,"ok":true}`)
)

// onMessage runs on the reader goroutine for every text message.
func (p *player) onMessage(l *link, msg []byte, at time.Time) {
	// Fast path: the server writes "ev" first in every event.
	if bytes.HasPrefix(msg, evPrefix) {
		rest := msg[len(evPrefix):]
		if end := bytes.IndexByte(rest, '"'); end >= 0 {
			p.onEvent(l, rest[:end], msg, at)
			return
		}
	}
	// Fast path: an ok reply without data, exactly {"rid":N,"ok":true}.
	if bytes.HasPrefix(msg, ridPrefix) && bytes.HasSuffix(msg, okSuffix) {
		rid, n := leadingInt(msg[len(ridPrefix):])
		if n > 0 && len(ridPrefix)+n+len(okSuffix) == len(msg) {
			p.pushReply(reply{rid: rid, ok: true, at: at})
			return
		}
	}
	var m wireMsg
	if err := json.Unmarshal(msg, &m); err != nil {
		p.s.addError("message", "bad_json", p.id+": "+err.Error()+": "+clip(msg), at)
		return
	}
	if m.Ev != "" {
		p.onEvent(l, []byte(m.Ev), msg, at)
		return
	}
	if m.Rid == nil {
		code := "no_rid"
		if m.Error != nil {
			code = m.Error.Code
		}
		p.s.addError("reply", code, p.id+": reply without rid: "+clip(msg), at)
		return
	}
	r := reply{rid: *m.Rid, ok: m.Ok, at: at}
	if m.Error != nil {
		r.code, r.message = m.Error.Code, m.Error.Message
	} else if !m.Ok {
		r.code = "no_error_object"
	}
	if m.Data != nil {
		r.party, r.invite = m.Data.Party, m.Data.Invite
	}
	p.pushReply(r)
}

// pushReply hands a reply to the group goroutine; the queue only fills up
// with replies nobody waits for any more, which are dropped.
func (p *player) pushReply(r reply) {
	select {
	case p.replies <- r:
	default:
		p.s.dropped.Add(1)
	}
}

func (p *player) onEvent(l *link, ev, msg []byte, at time.Time) {
	k := evKind(ev)
	if p.s.inWindow(at) {
		p.s.events[k].Add(1)
	}
	switch k {
	case evReady:
		var m wireMsg
		if err := json.Unmarshal(msg, &m); err != nil {
			p.s.addError("session.ready", "bad_json", p.id+": "+err.Error(), at)
			return
		}
		select {
		case l.ready <- m:
		default:
		}
	case evInvited:
		var m wireMsg
		if err := json.Unmarshal(msg, &m); err != nil || m.Invite == nil || m.Invite.Party == nil {
			p.s.addError("party.invited", "bad_event", p.id+": "+clip(msg), at)
			return
		}
		select {
		case p.invites <- invite{id: m.Invite.ID, partyID: m.Invite.Party.ID, at: at}:
		default:
			p.s.dropped.Add(1)
		}
	default:
		// party.signal is not numbered: it carries the party's current seq.
		if bytes.HasPrefix(ev, []byte("party.")) && string(ev) != "party.signal" {
			p.checkSeq(msg)
		}
	}
}

// checkSeq follows the seq of the party whose events this connection gets:
// within one party each event must be the previous one plus one. Only the
// top level of the message is scanned (before any nested object); a message
// without a top-level "seq" (the notices to a single player, such as
// party.invite_cancelled) is not checked.
func (p *player) checkSeq(msg []byte) {
	top := msg
	if i := bytes.IndexByte(msg[1:], '{'); i >= 0 {
		top = msg[:i+1]
	}
	id, ok := scanString(top, `"party":"`)
	if !ok {
		return
	}
	seq, ok := scanInt(top, `"seq":`)
	if !ok {
		return
	}
	if p.seqParty == string(id) {
		if seq != p.seqLast+1 {
			p.s.seqErrors.Add(1)
			p.s.sample("seq " + p.id + ": party " + p.seqParty + " seq " +
				strconv.FormatInt(p.seqLast, 10) + " then " + strconv.FormatInt(seq, 10))
		}
	} else {
		p.seqParty = string(id)
	}
	p.seqLast = seq
}

// scanString returns the JSON string that follows key (which ends with the
// opening quote). Inside a JSON string every '"' is escaped, so key cannot
// match there.
func scanString(msg []byte, key string) ([]byte, bool) {
	i := bytes.Index(msg, []byte(key))
	if i < 0 {
		return nil, false
	}
	rest := msg[i+len(key):]
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return nil, false
	}
	return rest[:end], true
}

// scanInt returns the integer that follows key (which ends with ':').
func scanInt(msg []byte, key string) (int64, bool) {
	i := bytes.Index(msg, []byte(key))
	if i < 0 {
		return 0, false
	}
	v, n := leadingInt(msg[i+len(key):])
	return v, n > 0
}

// leadingInt parses the decimal integer at the start of b (at most 18
// digits); n is the number of bytes it took, 0 when there is none.
func leadingInt(b []byte) (v int64, n int) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		n = 1
	}
	start := n
	for n < len(b) && n-start < 18 && b[n] >= '0' && b[n] <= '9' {
		v = v*10 + int64(b[n]-'0')
		n++
	}
	if n == start {
		return 0, 0
	}
	if neg {
		v = -v
	}
	return v, n
}

func clip(msg []byte) string {
	if len(msg) > 200 {
		return string(msg[:200]) + "..."
	}
	return string(msg)
}
