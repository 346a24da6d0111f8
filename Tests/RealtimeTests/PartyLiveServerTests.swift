import Foundation
import XCTest

@testable import Realtime

/// Ready checks, signals, safe retries, presence with the reconnect grace, history and
/// `session.resume`, through the real server.
final class PartyLiveServerTests: ServerTestCase {
    func testAReadyCheckEndsWhenEveryoneAnswered() throws {
        let server = try startServer()
        let (alice, bob, carol, _, _) = try partyOfThree(server)
        XCTAssertEqual(try bob.call("party.ready_check", rid: 20).errorCode, "not_leader")
        XCTAssertEqual(try bob.call("party.ready", rid: 21, ["ready": true]).errorCode, "no_ready_check")
        XCTAssertTrue(try alice.call("party.ready_check", rid: 22).isOK)
        for client in [alice, bob, carol] { XCTAssertEqual(try client.event("party.ready_check_started")["by"] as? String, "alice") }
        XCTAssertEqual(try alice.call("party.ready_check", rid: 23).errorCode, "ready_check_active")
        XCTAssertTrue(try bob.call("party.ready", rid: 24, ["ready": true]).isOK)
        XCTAssertTrue(try carol.call("party.ready", rid: 25, ["ready": false]).isOK)
        for client in [alice, bob, carol] {
            let result = try client.event("party.ready_check_result")
            XCTAssertEqual(result["reason"] as? String, "answered")
            XCTAssertEqual(result["all_ready"] as? Bool, false)
            let answers = try XCTUnwrap(result["answers"] as? [JSONObject])
            XCTAssertEqual(answers.map { $0["ready"] as? Bool }, [true, true, false])
            XCTAssertNotNil(result["composition"] as? JSONObject)
        }
    }

    func testAReadyCheckTimesOutWithTheMissingAnswers() throws {
        let server = try startServer { $0.hub.readyCheckMilliseconds = 300 }
        let (alice, bob, _, _, _) = try partyOfThree(server)
        XCTAssertTrue(try alice.call("party.ready_check", rid: 20).isOK)
        XCTAssertTrue(try bob.call("party.ready", rid: 21, ["ready": true]).isOK)
        let result = try alice.event("party.ready_check_result", timeout: 5)
        XCTAssertEqual(result["reason"] as? String, "timeout")
        let answers = try XCTUnwrap(result["answers"] as? [JSONObject])
        XCTAssertTrue(answers[2]["ready"] is NSNull, "carol never answered")
    }

    func testASignalGoesToTheOtherMembersOnly() throws {
        let server = try startServer()
        let (alice, bob, carol, _, _) = try partyOfThree(server)
        XCTAssertTrue(try bob.call("party.signal", rid: 30, ["kind": "ping", "data": ["x": 12, "y": [1, 2]]]).isOK)
        for client in [alice, carol] {
            let signal = try client.event("party.signal")
            XCTAssertEqual(signal["from"] as? String, "bob")
            XCTAssertEqual(signal["kind"] as? String, "ping")
            XCTAssertEqual((signal["data"] as? JSONObject)?["x"] as? Int, 12)
            XCTAssertEqual(signal["seq"] as? Int, 2, "a signal carries the last seq without taking one")
        }
        // Bob's own next message is the reply to his next command: no echo of his signal.
        try bob.sendCommand("party.get", rid: 31)
        XCTAssertEqual(try bob.nextMessage()["rid"] as? Int, 31)
        let big = String(repeating: "z", count: 2100)
        XCTAssertEqual(try bob.call("party.signal", rid: 32, ["kind": "ping", "data": big]).errorCode, "invalid_message")
    }

    func testARepeatedIdemKeyGetsTheFirstAnswerAndActsOnce() throws {
        let server = try startServer()
        let alice = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1, ["idem": "make-1"]).party)
        let again = try XCTUnwrap(try alice.call("party.create", rid: 2, ["idem": "make-1"]).party)
        XCTAssertEqual(again["id"] as? String, party["id"] as? String, "the same party, not already_in_party")
        let code = party["invite_code"] as? String ?? ""
        XCTAssertTrue(try bob.call("party.join", rid: 3, ["invite_code": code, "idem": "j"]).isOK)
        XCTAssertTrue(try bob.call("party.join", rid: 4, ["invite_code": code, "idem": "j"]).isOK)
        XCTAssertTrue(try bob.call("party.chat", rid: 5, ["text": "once", "idem": "c"]).isOK)
        XCTAssertTrue(try bob.call("party.chat", rid: 6, ["text": "once", "idem": "c"]).isOK)
        XCTAssertEqual(try bob.call("party.leave", rid: 7, ["idem": "c"]).errorCode, "invalid_message", "a key names one op")
        XCTAssertTrue(try alice.call("party.chat", rid: 8, ["text": "end"]).isOK)
        // Alice saw one join and one chat from Bob, then her own chat, with no seq gap.
        XCTAssertEqual(try alice.event("party.member_joined").seq, 1)
        XCTAssertEqual(try alice.event("party.chat")["text"] as? String, "once")
        let last = try alice.event("party.chat")
        XCTAssertEqual(last["text"] as? String, "end")
        XCTAssertEqual(last.seq, 3)
    }

    func testAMemberWhoReconnectsInTheGraceKeepsTheSeat() throws {
        let server = try startServer { $0.hub.reconnectGraceMilliseconds = 30_000 }
        let (alice, bob, carol, _, partyID) = try partyOfThree(server)
        bob.close()
        for client in [alice, carol] { XCTAssertEqual(try client.event("party.member_offline")["player"] as? String, "bob") }
        let roster = try XCTUnwrap(try alice.call("party.get", rid: 40).party?["roster"] as? [JSONObject])
        XCTAssertEqual(roster[1]["online"] as? Bool, false)
        XCTAssertTrue(try alice.call("party.chat", rid: 41, ["text": "while you were away"]).isOK)
        let (back, ready) = try signInGreeted("bob", to: server)
        XCTAssertEqual((ready["party"] as? JSONObject)?["id"] as? String, partyID)
        XCTAssertEqual(try carol.event("party.member_online")["player"] as? String, "bob")
        // Bob last saw seq 2 (Carol's join); he resumes from there.
        let resumed = try back.call("session.resume", rid: 42, ["party": partyID, "after_seq": 2])
        XCTAssertEqual((resumed["data"] as? JSONObject)?["replayed"] as? Int, 3, "offline, chat, online")
        XCTAssertEqual(try back.event("party.member_offline").seq, 3)
        XCTAssertEqual(try back.event("party.chat")["text"] as? String, "while you were away")
    }

    func testAMemberWhoStaysAwayTimesOutAndTheEarliestOnlineMemberLeads() throws {
        // The party is told of an absence at once (a grace shorter than the notice delay would
        // end in member_left alone).
        let server = try startServer {
            $0.hub.reconnectGraceMilliseconds = 300
            $0.hub.offlineNoticeDelayMilliseconds = 0
        }
        let (alice, bob, carol, _, _) = try partyOfThree(server)
        bob.close()
        _ = try carol.event("party.member_offline")
        alice.close()
        // Alice (the leader) and Bob time out; Carol, the one online, leads.
        var left: [String: String] = [:]
        for _ in 0..<2 {
            let event = try carol.event("party.member_left", timeout: 5)
            left[event["player"] as? String ?? ""] = event["reason"] as? String
        }
        XCTAssertEqual(left, ["alice": "timeout", "bob": "timeout"])
        XCTAssertEqual(try carol.call("party.get", rid: 50).party?["leader"] as? String, "carol")
    }

    func testHistoryShowsAMemberOnlyWhatHappenedSinceTheirJoin() throws {
        let server = try startServer()
        let alice = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1).party)
        XCTAssertTrue(try alice.call("party.chat", rid: 2, ["text": "before bob"]).isOK)
        XCTAssertTrue(try bob.call("party.join", rid: 3, ["invite_code": party["invite_code"] as? String ?? ""]).isOK)
        XCTAssertTrue(try alice.call("party.chat", rid: 4, ["text": "after bob"]).isOK)
        let seen = try bob.call("party.history", rid: 5)
        let events = try XCTUnwrap((seen["data"] as? JSONObject)?["events"] as? [JSONObject])
        XCTAssertEqual(events.map { $0["ev"] as? String }, ["party.member_joined", "party.chat"])
        XCTAssertEqual(events.last?["text"] as? String, "after bob")
        let all = try alice.call("party.history", rid: 6)
        XCTAssertEqual(((all["data"] as? JSONObject)?["events"] as? [JSONObject])?.count, 3)
        XCTAssertEqual(
            try bob.call("session.resume", rid: 7, ["party": party["id"] as? String ?? "", "after_seq": 0]).errorCode,
            "resync_required", "before his join is not his to replay")
    }

    func testHistoryAndAResumeTooFarBackAsksForAResync() throws {
        let server = try startServer { $0.hub.historySize = 4 }
        let (alice, bob, _, _, partyID) = try partyOfThree(server)
        for index in 0..<5 { XCTAssertTrue(try alice.call("party.chat", rid: 60 + index, ["text": "m\(index)"]).isOK) }
        let history = try bob.call("party.history", rid: 70, ["limit": 2])
        let events = try XCTUnwrap((history["data"] as? JSONObject)?["events"] as? [JSONObject])
        XCTAssertEqual(events.map { $0["text"] as? String }, ["m3", "m4"])
        let older = try bob.call("party.history", rid: 71, ["before_seq": 6])
        XCTAssertEqual(((older["data"] as? JSONObject)?["events"] as? [JSONObject])?.map(\.seq), [4, 5])
        let stale = try bob.call("session.resume", rid: 72, ["party": partyID, "after_seq": 1])
        XCTAssertEqual(stale.errorCode, "resync_required")
        XCTAssertEqual(((stale["error"] as? JSONObject)?["party"] as? JSONObject)?["seq"] as? Int, 7)
        let elsewhere = try bob.call("session.resume", rid: 73, ["party": "not-this-one", "after_seq": 0])
        XCTAssertEqual(elsewhere.errorCode, "resync_required")
        XCTAssertEqual((try bob.call("session.resume", rid: 74, ["party": partyID, "after_seq": 7])["data"] as? JSONObject)?["replayed"] as? Int, 0)
    }
}
