import Foundation
import Protocol
import XCTest

@testable import Realtime

/// Every op, tried by four kinds of caller who may not do most of them: a player in no party,
/// a member who does not lead, the member of another party (aiming at the first party's
/// members, rolls and quests), and a read-only session of a member. Each op's answer is
/// checked (what the caller may do answers ok), and afterwards the first party has lost only
/// the member whose own `party.leave` was allowed.
final class RefusalMatrixServerTests: ServerTestCase {
    /// Every op with well-formed fields that aim at Alice's party (`code` and `party` filled in).
    private func everyOp(code: String, party: String) -> [(op: String, fields: [String: Any])] {
        [
            ("party.create", [:]),
            ("party.join", ["invite_code": code]),
            ("party.get", [:]),
            ("party.kick", ["player": "carol"]),
            ("party.promote", ["player": "carol"]),
            ("party.disband", [:]),
            ("party.chat", ["text": "hello"]),
            ("party.signal", ["kind": "ping", "data": ["x": 1]]),
            ("party.set_role", ["role": "healer"]),
            ("party.set_loot", ["loot_mode": "FREE_FOR_ALL"]),
            ("party.invite", ["player": "zoe"]),
            ("party.invite_accept", ["invite": "no-such-invite"]),
            ("party.invite_decline", ["invite": "no-such-invite"]),
            ("party.regenerate_code", [:]),
            ("party.set_open", ["open": false]),
            ("party.set_invite_policy", ["policy": "leader"]),
            ("party.set_composition", ["composition": NSNull()]),
            ("party.request_accept", ["player": "zoe"]),
            ("party.request_reject", ["player": "zoe"]),
            ("party.ready_check", [:]),
            ("party.ready", ["ready": true]),
            ("party.history", [:]),
            ("loot.choose", ["roll": "no-such-roll", "choice": "need"]),
            ("loot.assign", ["roll": "no-such-roll", "player": "bob"]),
            ("loot.claim", ["roll": "no-such-roll"]),
            ("quest.share", ["quest_id": "q-wolves", "objectives": [["objective_id": "wolves", "required": 5]]]),
            ("quest.abandon", ["quest_id": "q-alice"]),
            ("session.resume", ["party": party, "after_seq": 0]),
            ("party.leave", [:]),
        ]
    }

    /// The answer to each op: an error code, or "ok". `last` ops are sent after the others
    /// (a `party.create` that succeeds would make the caller a member for the rest).
    private func answers(
        of client: RawWebSocketClient, code: String, party: String, firstRid: Int, last: Set<String> = []
    ) throws -> [String: String] {
        var answers: [String: String] = [:]
        let ops = everyOp(code: code, party: party)
        let ordered = ops.filter { !last.contains($0.op) } + ops.filter { last.contains($0.op) }
        for (offset, (op, fields)) in ordered.enumerated() {
            let reply = try client.call(op, rid: firstRid + offset, fields)
            answers[op] = reply.isOK ? "ok" : reply.errorCode ?? "no code"
        }
        return answers
    }

    private func check(
        _ answers: [String: String], _ expected: [String: String], _ who: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(Set(answers.keys), Set(expected.keys), "every op was tried", file: file, line: line)
        for (op, answer) in answers.sorted(by: { $0.key < $1.key }) {
            XCTAssertEqual(answer, expected[op], "\(who): \(op)", file: file, line: line)
        }
    }

    func testEveryOpIsRefusedToThoseWhoMayNotDoIt() throws {
        let server = try startServer()
        // A full party of three, so that a stranger's `party.join` with its code is refused too.
        let alice = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        let carol = try signIn("carol", to: server)
        let created = try XCTUnwrap(try alice.call("party.create", rid: 1, ["max_members": 3]).party)
        let code = try XCTUnwrap(created["invite_code"] as? String)
        let partyID = try XCTUnwrap(created["id"] as? String)
        XCTAssertTrue(try bob.call("party.join", rid: 1, ["invite_code": code]).isOK)
        XCTAssertTrue(try carol.call("party.join", rid: 1, ["invite_code": code]).isOK)
        XCTAssertTrue(try alice.call("quest.share", rid: 2, ["quest_id": "q-alice", "objectives": [["objective_id": "boars", "required": 3]]]).isOK)
        let before = try XCTUnwrap(try alice.call("party.get", rid: 3).party)

        // A read-only session of Bob, a member: every op that changes anything is forbidden,
        // whatever Bob himself could do; the three reads answer as for Bob.
        let readToken = JWTCodec(secret: Array(TestServer.secret.utf8)).sign(
            subject: "bob", expiresAt: Int64(Date().timeIntervalSince1970) + 3600, scope: "read")
        let overlay = try connect(server)
        try overlay.upgrade(path: server.partyPath(token: readToken))
        _ = try overlay.event("session.ready")
        var readOnlyExpected: [String: String] = [:]
        for (op, _) in everyOp(code: code, party: partyID) { readOnlyExpected[op] = "forbidden" }
        readOnlyExpected["party.get"] = "ok"
        readOnlyExpected["party.history"] = "ok"
        readOnlyExpected["session.resume"] = "ok"
        check(try answers(of: overlay, code: code, party: partyID, firstRid: 100), readOnlyExpected, "read-only")

        // Erin leads a party of her own and Frank is in it: Frank aims at Alice's party.
        let erin = try signIn("erin", to: server)
        let frank = try signIn("frank", to: server)
        let erinsCode = try XCTUnwrap(try erin.call("party.create", rid: 1).party?["invite_code"] as? String)
        XCTAssertTrue(try frank.call("party.join", rid: 1, ["invite_code": erinsCode]).isOK)
        let otherPartyExpected: [String: String] = [
            "party.create": "already_in_party", "party.join": "already_in_party", "party.get": "ok",
            "party.kick": "not_leader", "party.promote": "not_leader", "party.disband": "not_leader", "party.chat": "ok",
            "party.signal": "ok", "party.set_role": "ok", "party.set_loot": "not_leader", "party.invite": "ok",
            "party.invite_accept": "not_found", "party.invite_decline": "not_found", "party.regenerate_code": "not_leader",
            "party.set_open": "not_leader", "party.set_invite_policy": "not_leader", "party.set_composition": "not_leader",
            "party.request_accept": "not_leader", "party.request_reject": "not_leader", "party.ready_check": "not_leader",
            "party.ready": "no_ready_check", "party.history": "ok", "loot.choose": "not_found", "loot.assign": "not_found",
            "loot.claim": "not_found", "quest.share": "ok", "quest.abandon": "not_found", "session.resume": "resync_required",
            "party.leave": "ok",
        ]
        check(try answers(of: frank, code: code, party: partyID, firstRid: 200), otherPartyExpected, "another party's member")

        // Dave is in no party.
        let dave = try signIn("dave", to: server)
        var nonMemberExpected: [String: String] = [:]
        for (op, _) in everyOp(code: code, party: partyID) { nonMemberExpected[op] = "not_in_party" }
        nonMemberExpected["party.join"] = "party_full"
        nonMemberExpected["party.invite_accept"] = "not_found"
        nonMemberExpected["party.invite_decline"] = "not_found"
        nonMemberExpected["session.resume"] = "resync_required"
        nonMemberExpected["party.create"] = "ok"  // sent last: a party of his own
        check(
            try answers(of: dave, code: code, party: partyID, firstRid: 300, last: ["party.create"]), nonMemberExpected, "non-member")

        // Carol is a member of Alice's party who does not lead it: the leader's ops are refused,
        // a member's own ops answer ok, and her `party.leave` comes last.
        var nonLeaderExpected = otherPartyExpected
        nonLeaderExpected["quest.abandon"] = "not_leader"
        nonLeaderExpected["party.invite"] = "party_full"  // any member may invite, but no seat is free
        check(try answers(of: carol, code: code, party: partyID, firstRid: 400), nonLeaderExpected, "non-leader")

        // Alice's party lost only Carol: the same leader, code and settings.
        let after = try XCTUnwrap(try alice.call("party.get", rid: 4).party)
        XCTAssertEqual(after["members"] as? [String], ["alice", "bob"])
        for field in ["leader", "invite_code", "open", "invite_policy", "loot_mode", "master_looter", "max_members", "composition"] {
            XCTAssertEqual(String(describing: after[field]), String(describing: before[field]), field)
        }
    }
}
