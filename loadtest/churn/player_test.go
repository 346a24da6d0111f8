package main

import (
	"testing"
	"time"
)

func TestScanning(t *testing.T) {
	msg := []byte(`{"ev":"party.chat","party":"0b4e7c1e","seq":42,"from":"bob","text":"\"party\":\"x\",\"seq\":7","ts":1}`)
	if id, ok := scanString(msg, `"party":"`); !ok || string(id) != "0b4e7c1e" {
		t.Fatalf("party %q %v", id, ok)
	}
	if seq, ok := scanInt(msg, `"seq":`); !ok || seq != 42 {
		t.Fatalf("seq %d %v", seq, ok)
	}
	for _, c := range []struct {
		in string
		v  int64
		n  int
	}{{"123,", 123, 3}, {"-7}", -7, 2}, {"x", 0, 0}, {"-", 0, 0}, {"", 0, 0}} {
		if v, n := leadingInt([]byte(c.in)); v != c.v || n != c.n {
			t.Errorf("leadingInt(%q) = %d, %d", c.in, v, n)
		}
	}
}

func TestOnMessage(t *testing.T) {
	s := newStats()
	s.winStart.Store(1)
	s.winEnd.Store(int64(time.Hour))
	p := newPlayer("alice", "", "", s)
	l := &link{ready: make(chan wireMsg, 1), dead: make(chan struct{})}
	now := time.Now()
	feed := func(m string) { p.onMessage(l, []byte(m), now) }

	feed(`{"ev":"session.ready","player":"alice","party":null,"invites":[]}`)
	if m := <-l.ready; m.Player != "alice" || string(m.Party) != "null" {
		t.Fatalf("ready %+v", m)
	}
	feed(`{"rid":7,"ok":true}`)
	feed(`{"rid":8,"ok":true,"data":{"party":{"id":"P","invite_code":"ABCDEFGH","leader":"alice","members":["alice"],"max_members":5}}}`)
	feed(`{"rid":9,"ok":false,"error":{"code":"not_in_party","message":"not in a party"}}`)
	feed(`{ "ok" : true, "rid" : 10 }`)
	r := <-p.replies
	if r.rid != 7 || !r.ok {
		t.Fatalf("%+v", r)
	}
	r = <-p.replies
	if r.rid != 8 || !r.ok || r.party == nil || r.party.InviteCode != "ABCDEFGH" {
		t.Fatalf("%+v", r)
	}
	r = <-p.replies
	if r.rid != 9 || r.ok || r.code != "not_in_party" {
		t.Fatalf("%+v", r)
	}
	if r = <-p.replies; r.rid != 10 || !r.ok {
		t.Fatalf("%+v", r)
	}

	feed(`{"ev":"party.invited","invite":{"id":"inv_12","party":{"id":"P","invite_code":"ABCDEFGH","leader":"bob","members":["bob"],"max_members":5,"seq":0},"player":"alice","by":"bob","expires_at":1}}`)
	if inv := <-p.invites; inv.id != "inv_12" || inv.partyID != "P" {
		t.Fatalf("%+v", inv)
	}

	// seq: 1, 2, then 4 is a gap; a new party starts over.
	feed(`{"ev":"party.member_joined","party":"P","seq":1,"player":"alice"}`)
	feed(`{"ev":"party.chat","party":"P","seq":2,"from":"alice","text":"hi","ts":1}`)
	if s.seqErrors.Load() != 0 {
		t.Fatal("seq error on a good sequence")
	}
	feed(`{"ev":"party.member_left","party":"P","seq":4,"player":"alice","reason":"left"}`)
	if s.seqErrors.Load() != 1 {
		t.Fatal("gap not seen")
	}
	feed(`{"ev":"party.member_joined","party":"Q","seq":17,"player":"alice"}`)
	feed(`{"ev":"party.signal","party":"Q","seq":17,"from":"bob","kind":"ping","data":"x"}`)
	feed(`{"ev":"party.invite_cancelled","party":"Z","invite":"inv_3","reason":"party_gone"}`)
	feed(`{"seq":18,"party":"Q","ev":"party.some_new_event"}`)
	if s.seqErrors.Load() != 1 {
		t.Fatal("seq error on a new party")
	}
	if s.events[evKind([]byte("party.chat"))].Load() != 1 || s.events[evOther].Load() != 3 || s.events[evReady].Load() != 1 {
		t.Fatal("event counts")
	}

	feed(`not json`)
	feed(`{"rid":null,"ok":false,"error":{"code":"invalid_message","message":"bad"}}`)
	if len(s.errWindow) != 2 || s.errWindow["reply invalid_message"] != 1 || s.errWindow["message bad_json"] != 1 {
		t.Fatalf("errors %v", s.errWindow)
	}
}
