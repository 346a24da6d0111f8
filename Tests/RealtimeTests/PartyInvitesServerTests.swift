import Foundation
import Protocol
import XCTest

@testable import Realtime

/// Invites, closed parties with join requests, invite codes and party settings, through the
/// real server.
final class PartyInvitesServerTests: ServerTestCase {
    /// Alice's new party (alice signed in), with its invite code.
    private func aliceParty(_ server: TestServer, _ fields: [String: Any] = [:]) throws -> (RawWebSocketClient, JSONObject) {
        let alice = try signIn("alice", to: server)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1, fields).party)
        return (alice, party)
    }

    private func code(_ party: JSONObject) -> String { party["invite_code"] as? String ?? "" }

    func testAnInviteIsAcceptedOrDeclinedAndTheInviterHearsOfIt() throws {
        let server = try startServer()
        let (alice, party) = try aliceParty(server)
        let bob = try signIn("bob", to: server)
        let carol = try signIn("carol", to: server)
        let sent = try alice.call("party.invite", rid: 2, ["player": "bob"])
        let invite = try XCTUnwrap((sent["data"] as? JSONObject)?["invite"] as? JSONObject)
        let inviteID = try XCTUnwrap(invite["id"] as? String)
        XCTAssertEqual(invite["by"] as? String, "alice")
        XCTAssertEqual(try alice.event("party.invite_sent")["player"] as? String, "bob")
        let invited = try XCTUnwrap(try bob.event("party.invited")["invite"] as? JSONObject)
        XCTAssertEqual(invited["id"] as? String, inviteID)
        XCTAssertEqual((invited["party"] as? JSONObject)?["id"] as? String, party["id"] as? String)
        XCTAssertGreaterThan(invited["expires_at"] as? Int ?? 0, 0)

        XCTAssertEqual(try alice.call("party.invite", rid: 3, ["player": "bob"]).errorCode, "already_invited")
        XCTAssertEqual(try alice.call("party.invite", rid: 4, ["player": "alice"]).errorCode, "invalid_target")
        XCTAssertEqual(try carol.call("party.invite_accept", rid: 5, ["invite": inviteID]).errorCode, "not_found")
        let accepted = try bob.call("party.invite_accept", rid: 6, ["invite": inviteID])
        XCTAssertEqual(accepted.party?["members"] as? [String], ["alice", "bob"])
        XCTAssertEqual(try alice.event("party.member_joined")["player"] as? String, "bob")
        XCTAssertEqual(try alice.call("party.invite", rid: 7, ["player": "bob"]).errorCode, "already_in_party")

        // Bob (any member) invites Carol, who declines.
        let second = try bob.call("party.invite", rid: 8, ["player": "carol"])
        let secondID = try XCTUnwrap(((second["data"] as? JSONObject)?["invite"] as? JSONObject)?["id"] as? String)
        _ = try carol.event("party.invited")
        XCTAssertTrue(try carol.call("party.invite_decline", rid: 9, ["invite": secondID]).isOK)
        for client in [alice, bob] {
            let declined = try client.event("party.invite_declined")
            XCTAssertEqual(declined["player"] as? String, "carol")
            XCTAssertEqual(declined["by"] as? String, "bob")
        }
        XCTAssertEqual(try carol.call("party.invite_accept", rid: 10, ["invite": secondID]).errorCode, "not_found")
    }

    func testAnInviteReachesEveryConnectionAndWaitsInSessionReadyUntilItExpires() throws {
        let server = try startServer { $0.hub.inviteTTLMilliseconds = 1500 }
        let (alice, _) = try aliceParty(server)
        // Erin is offline when invited: the invite waits for her session.ready.
        XCTAssertTrue(try alice.call("party.invite", rid: 2, ["player": "erin"]).isOK)
        let (first, ready) = try signInGreeted("erin", to: server)
        let pending = try XCTUnwrap(ready["invites"] as? [JSONObject])
        XCTAssertEqual(pending.count, 1)
        XCTAssertEqual(pending.first?["by"] as? String, "alice")
        XCTAssertTrue(ready["party"] is NSNull)
        // Frank is online on two connections: both hear the invite.
        let frank1 = try signIn("frank", to: server)
        let frank2 = try signIn("frank", to: server)
        XCTAssertTrue(try alice.call("party.invite", rid: 3, ["player": "frank"]).isOK)
        for connection in [frank1, frank2] { _ = try connection.event("party.invited") }
        // Unanswered, both expire; the members hear it, and session.ready no longer lists them.
        var expired: [String] = []
        for _ in 0..<2 { expired.append(try alice.event("party.invite_expired", timeout: 5)["player"] as? String ?? "") }
        XCTAssertEqual(expired.sorted(), ["erin", "frank"])
        let (_, later) = try signInGreeted("erin", to: server)
        XCTAssertEqual((later["invites"] as? [JSONObject])?.count, 0)
        XCTAssertEqual(
            try first.call("party.invite_accept", rid: 4, ["invite": pending.first?["id"] as? String ?? ""]).errorCode, "not_found")
    }

    func testTheLeaderMayKeepInvitesToThemselves() throws {
        let server = try startServer()
        let (alice, party) = try aliceParty(server)
        let bob = try signIn("bob", to: server)
        XCTAssertTrue(try bob.call("party.join", rid: 2, ["invite_code": code(party)]).isOK)
        XCTAssertEqual(try bob.call("party.set_invite_policy", rid: 3, ["policy": "leader"]).errorCode, "not_leader")
        XCTAssertTrue(try alice.call("party.set_invite_policy", rid: 4, ["policy": "leader"]).isOK)
        let changed = try bob.event("party.settings_changed")
        XCTAssertEqual(changed["invite_policy"] as? String, "leader")
        XCTAssertEqual(try bob.call("party.invite", rid: 5, ["player": "carol"]).errorCode, "not_leader")
        XCTAssertTrue(try alice.call("party.invite", rid: 6, ["player": "carol"]).isOK)
    }

    func testAClosedPartyTakesJoinRequestsUpToItsFreeSeats() throws {
        let server = try startServer()
        let (alice, party) = try aliceParty(server, ["max_members": 3])
        let bob = try signIn("bob", to: server)
        let carol = try signIn("carol", to: server)
        let dave = try signIn("dave", to: server)
        XCTAssertTrue(try alice.call("party.set_open", rid: 2, ["open": false]).isOK)
        XCTAssertEqual(try alice.event("party.settings_changed")["open"] as? Bool, false)
        let asked = try bob.call("party.join", rid: 3, ["invite_code": code(party), "role": "healer"])
        let request = try XCTUnwrap((asked["data"] as? JSONObject)?["request"] as? JSONObject)
        XCTAssertEqual(request["player"] as? String, "bob")
        XCTAssertEqual(request["role"] as? String, "healer")
        XCTAssertEqual(try alice.event("party.join_requested")["player"] as? String, "bob")
        XCTAssertEqual(try bob.call("party.join", rid: 4, ["invite_code": code(party)]).errorCode, "already_requested")
        XCTAssertTrue(try carol.call("party.join", rid: 5, ["invite_code": code(party)]).isOK)
        // Two free seats, two requests: a third waits for none.
        XCTAssertEqual(try dave.call("party.join", rid: 6, ["invite_code": code(party)]).errorCode, "party_full")
        XCTAssertEqual(try bob.call("party.request_accept", rid: 7, ["player": "carol"]).errorCode, "not_in_party")
        XCTAssertTrue(try alice.call("party.request_accept", rid: 8, ["player": "bob"]).isOK)
        let joined = try bob.event("party.member_joined")
        XCTAssertEqual(joined["player"] as? String, "bob")
        XCTAssertEqual(try bob.event("party.role_changed")["role"] as? String, "healer")
        let accepted = try bob.event("party.join_accepted")
        XCTAssertEqual((accepted["party"] as? JSONObject)?["members"] as? [String], ["alice", "bob"])
        XCTAssertTrue(try alice.call("party.request_reject", rid: 9, ["player": "carol"]).isOK)
        let rejected = try carol.event("party.join_rejected")
        XCTAssertEqual(rejected["reason"] as? String, "rejected")
        XCTAssertEqual(try alice.event("party.join_rejected")["player"] as? String, "carol")
        XCTAssertEqual(try alice.call("party.request_accept", rid: 10, ["player": "carol"]).errorCode, "not_found")
        XCTAssertEqual(try alice.call("party.get", rid: 11).party?["members"] as? [String], ["alice", "bob"])
    }

    func testARegeneratedCodeReplacesTheOldOne() throws {
        let server = try startServer()
        let (alice, party) = try aliceParty(server)
        let bob = try signIn("bob", to: server)
        XCTAssertTrue(try bob.call("party.join", rid: 2, ["invite_code": code(party)]).isOK)
        XCTAssertEqual(try bob.call("party.regenerate_code", rid: 3).errorCode, "not_leader")
        let reply = try alice.call("party.regenerate_code", rid: 4)
        let fresh = try XCTUnwrap((reply["data"] as? JSONObject)?["invite_code"] as? String)
        XCTAssertNotEqual(fresh, code(party))
        XCTAssertTrue(InviteCode.isWellFormed(fresh))
        XCTAssertEqual(try bob.event("party.code_changed")["invite_code"] as? String, fresh)
        let carol = try signIn("carol", to: server)
        XCTAssertEqual(try carol.call("party.join", rid: 5, ["invite_code": code(party)]).errorCode, "not_found")
        XCTAssertTrue(try carol.call("party.join", rid: 6, ["invite_code": fresh]).isOK)
    }

    func testACompositionCapsEachRole() throws {
        let server = try startServer()
        let (alice, party) = try aliceParty(server)
        let bob = try signIn("bob", to: server)
        let carol = try signIn("carol", to: server)
        XCTAssertTrue(try bob.call("party.join", rid: 2, ["invite_code": code(party)]).isOK)
        XCTAssertEqual(
            try alice.call("party.set_composition", rid: 3, ["composition": ["tank": 9, "healer": 0, "dps": 0]]).errorCode,
            "invalid_message", "more slots than seats")
        XCTAssertTrue(
            try alice.call("party.set_composition", rid: 4, ["composition": ["tank": 1, "healer": 1, "dps": 3]]).isOK)
        let settings = try bob.event("party.settings_changed")
        XCTAssertEqual((settings["composition"] as? JSONObject)?["dps"] as? Int, 3)
        XCTAssertTrue(try bob.call("party.set_role", rid: 5, ["role": "tank"]).isOK)
        XCTAssertEqual(try alice.call("party.set_role", rid: 6, ["role": "tank"]).errorCode, "composition_full")
        XCTAssertEqual(
            try carol.call("party.join", rid: 7, ["invite_code": code(party), "role": "tank"]).errorCode, "composition_full")
        XCTAssertTrue(try carol.call("party.join", rid: 8, ["invite_code": code(party), "role": "dps"]).isOK)
        XCTAssertTrue(try alice.call("party.set_composition", rid: 9, ["composition": NSNull()]).isOK)
        XCTAssertTrue(try alice.call("party.set_role", rid: 10, ["role": "tank"]).isOK)
    }
}
