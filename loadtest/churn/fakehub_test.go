package main

// A small in-memory stand-in for the party hub, speaking the party protocol
// (create, invite, invite_accept, join, chat, kick, leave) over this
// package's own frame code, so that the whole scenario can be run in `go
// test` without the real server.

import (
	"bufio"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

type fakeHub struct {
	secret []byte
	ln     net.Listener

	// dropReply, when set, says whether to swallow the reply to this
	// command (to provoke the bot's timeouts).
	dropReply func(op string, n int) bool
	// failReply, when set, names an error code to answer this command with
	// (instead of carrying it out).
	failReply func(op string, n int) string
	// pingEvery: send a ping after every this many replies (0: never).
	pingEvery int

	mu      sync.Mutex
	conns   map[string]*fakeConn
	parties map[string]*fakeParty
	byCode  map[string]*fakeParty
	partyOf map[string]*fakeParty
	invites map[string]fakeInvite
	nextID  int
	opCount map[string]int
	pongs   int
	bad     []string // protocol problems the fake saw from the bot
}

type fakeConn struct {
	player string
	c      net.Conn
	wmu    sync.Mutex
}

type fakeParty struct {
	id, code, leader string
	members          []string
	max              int
	seq              int
}

type fakeInvite struct {
	id, party, player, by string
}

func startFakeHub(t *testing.T, secret string) *fakeHub {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &fakeHub{
		secret: []byte(secret), ln: ln,
		conns: map[string]*fakeConn{}, parties: map[string]*fakeParty{}, byCode: map[string]*fakeParty{},
		partyOf: map[string]*fakeParty{}, invites: map[string]fakeInvite{}, opCount: map[string]int{},
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go h.serve(c)
		}
	}()
	return h
}

func (h *fakeHub) url() string { return "ws://" + h.ln.Addr().String() + "/api/v1/social/party/ws" }

func (h *fakeHub) problem(s string) {
	h.mu.Lock()
	h.bad = append(h.bad, s)
	h.mu.Unlock()
}

// verify checks an HS256 token and returns its sub.
func (h *fakeHub) verify(tok string) (string, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", false
	}
	mac := hmac.New(sha256.New, h.secret)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", false
	}
	var claims struct {
		Sub string `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil || !validPlayerID(claims.Sub) {
		return "", false
	}
	return claims.Sub, true
}

func (h *fakeHub) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	reqLine, err := readLine(br)
	if err != nil {
		return
	}
	var key string
	for {
		line, err := readLine(br)
		if err != nil {
			return
		}
		if line == "" {
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(k, "Sec-WebSocket-Key") {
			key = strings.TrimSpace(v)
		}
	}
	f := strings.Fields(reqLine)
	if len(f) != 3 || f[0] != "GET" {
		c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
		return
	}
	u, err := url.ParseRequestURI(f[1])
	if err != nil || u.Path != "/api/v1/social/party/ws" {
		c.Write([]byte("HTTP/1.1 404 Not Found\r\n\r\n"))
		return
	}
	player, ok := h.verify(u.Query().Get("token"))
	if !ok {
		c.Write([]byte("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"))
		return
	}
	c.Write([]byte("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + acceptKey(key) + "\r\n\r\n"))
	fc := &fakeConn{player: player, c: c}
	h.mu.Lock()
	h.conns[player] = fc
	h.mu.Unlock()
	fc.send(`{"ev":"session.ready","player":"` + player + `","party":null,"invites":[]}`)
	defer h.drop(fc)

	var buf []byte
	for {
		fr, err := readFrame(br, &buf, true, 1<<16)
		if err != nil {
			return
		}
		if !fr.masked {
			h.problem("unmasked client frame")
			return
		}
		switch fr.opcode {
		case opText:
			if !fr.fin {
				h.problem("fragmented client message")
				return
			}
			h.command(fc, fr.payload)
		case opPong:
			h.mu.Lock()
			h.pongs++
			h.mu.Unlock()
		case opClose:
			fc.sendFrame(opClose, fr.payload)
			return
		default:
			h.problem(fmt.Sprintf("client opcode %d", fr.opcode))
			return
		}
	}
}

func (fc *fakeConn) sendFrame(op byte, payload []byte) {
	fc.wmu.Lock()
	fc.c.Write(appendFrame(nil, op, payload, false, [4]byte{}))
	fc.wmu.Unlock()
}

func (fc *fakeConn) send(msg string) { fc.sendFrame(opText, []byte(msg)) }

// drop removes a closed connection; its player leaves their party.
func (h *fakeHub) drop(fc *fakeConn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conns[fc.player] != fc {
		return
	}
	delete(h.conns, fc.player)
	if p := h.partyOf[fc.player]; p != nil {
		h.remove(p, fc.player, "left")
	}
}

func (p *fakeParty) json() string {
	members, _ := json.Marshal(p.members)
	return fmt.Sprintf(`{"id":%q,"invite_code":%q,"leader":%q,"members":%s,"max_members":%d,"seq":%d}`,
		p.id, p.code, p.leader, members, p.max, p.seq)
}

// event sends an event to every member (under h.mu).
func (h *fakeHub) event(p *fakeParty, ev, fields string, extra ...string) {
	p.seq++
	msg := fmt.Sprintf(`{"ev":%q,"party":%q,"seq":%d%s}`, ev, p.id, p.seq, fields)
	for _, m := range append(append([]string{}, p.members...), extra...) {
		if c := h.conns[m]; c != nil {
			c.send(msg)
		}
	}
}

// remove takes player out of p (under h.mu), with the events.
func (h *fakeHub) remove(p *fakeParty, player, reason string) {
	for i, m := range p.members {
		if m == player {
			p.members = append(p.members[:i], p.members[i+1:]...)
			break
		}
	}
	delete(h.partyOf, player)
	h.event(p, "party.member_left", fmt.Sprintf(`,"player":%q,"reason":%q`, player, reason), player)
	if len(p.members) == 0 {
		delete(h.parties, p.id)
		delete(h.byCode, p.code)
		return
	}
	if p.leader == player {
		p.leader = p.members[0]
		h.event(p, "party.leader_changed", fmt.Sprintf(`,"leader":%q`, p.leader))
	}
}

func (h *fakeHub) command(fc *fakeConn, msg []byte) {
	var cmd struct {
		Op         string `json:"op"`
		Rid        *int64 `json:"rid"`
		Player     string `json:"player"`
		Invite     string `json:"invite"`
		InviteCode string `json:"invite_code"`
		Text       string `json:"text"`
		MaxMembers int    `json:"max_members"`
	}
	if err := json.Unmarshal(msg, &cmd); err != nil || cmd.Rid == nil {
		h.problem("bad command: " + string(msg))
		fc.send(`{"rid":null,"ok":false,"error":{"code":"invalid_message","message":"bad"}}`)
		return
	}
	rid := strconv.FormatInt(*cmd.Rid, 10)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opCount[cmd.Op]++
	n := h.opCount[cmd.Op]
	dropped := h.dropReply != nil && h.dropReply(cmd.Op, n)
	reply := func(data string) {
		if dropped {
			return
		}
		if data == "" {
			fc.send(`{"rid":` + rid + `,"ok":true}`)
		} else {
			fc.send(`{"rid":` + rid + `,"ok":true,"data":` + data + `}`)
		}
		if h.pingEvery > 0 && n%h.pingEvery == 0 {
			fc.sendFrame(opPing, []byte("ka"))
		}
	}
	fail := func(code string) {
		if !dropped {
			fc.send(`{"rid":` + rid + `,"ok":false,"error":{"code":"` + code + `","message":"` + code + `"}}`)
		}
	}
	if h.failReply != nil {
		if code := h.failReply(cmd.Op, n); code != "" {
			fail(code)
			return
		}
	}
	me := fc.player
	p := h.partyOf[me]
	switch cmd.Op {
	case "party.create":
		if p != nil {
			fail("already_in_party")
			return
		}
		h.nextID++
		max := 5
		if cmd.MaxMembers > 0 {
			max = cmd.MaxMembers
		}
		p = &fakeParty{id: fmt.Sprintf("party-%d", h.nextID), code: fmt.Sprintf("C%07d", h.nextID), leader: me, members: []string{me}, max: max}
		h.parties[p.id], h.byCode[p.code], h.partyOf[me] = p, p, p
		reply(`{"party":` + p.json() + `}`)
	case "party.invite":
		if p == nil {
			fail("not_in_party")
			return
		}
		h.nextID++
		inv := fakeInvite{id: fmt.Sprintf("inv_%d", h.nextID), party: p.id, player: cmd.Player, by: me}
		h.invites[inv.id] = inv
		invJSON := fmt.Sprintf(`{"id":%q,"party":%s,"player":%q,"by":%q,"expires_at":1}`, inv.id, p.json(), inv.player, me)
		reply(`{"invite":` + invJSON + `}`)
		if c := h.conns[cmd.Player]; c != nil {
			c.send(`{"ev":"party.invited","invite":` + invJSON + `}`)
		}
		h.event(p, "party.invite_sent", fmt.Sprintf(`,"player":%q,"by":%q`, inv.player, me))
	case "party.invite_accept", "party.join":
		var target *fakeParty
		if cmd.Op == "party.join" {
			target = h.byCode[cmd.InviteCode]
		} else if inv, ok := h.invites[cmd.Invite]; ok && inv.player == me {
			delete(h.invites, cmd.Invite)
			target = h.parties[inv.party]
		}
		switch {
		case target == nil:
			fail("not_found")
		case p != nil:
			fail("already_in_party")
		case len(target.members) >= target.max:
			fail("party_full")
		default:
			target.members = append(target.members, me)
			h.partyOf[me] = target
			reply(`{"party":` + target.json() + `}`)
			h.event(target, "party.member_joined", fmt.Sprintf(`,"player":%q`, me))
		}
	case "party.chat":
		if p == nil {
			fail("not_in_party")
			return
		}
		reply("")
		h.event(p, "party.chat", fmt.Sprintf(`,"from":%q,"text":%q,"ts":1`, me, cmd.Text))
	case "party.kick":
		switch {
		case p == nil:
			fail("not_in_party")
		case p.leader != me:
			fail("not_leader")
		case cmd.Player == me:
			fail("invalid_target")
		case h.partyOf[cmd.Player] != p:
			fail("not_member")
		default:
			reply("")
			h.remove(p, cmd.Player, "kicked")
		}
	case "party.leave":
		if p == nil {
			fail("not_in_party")
			return
		}
		reply("")
		h.remove(p, me, "left")
	default:
		fail("unknown_op")
	}
}

func (h *fakeHub) stats() (pongs int, bad []string, live int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.pongs, append([]string{}, h.bad...), len(h.parties)
}
