import Foundation
import XCTest

@testable import Realtime

/// The party commands beyond the protocol core, through the real server: `party.get`,
/// `party.kick`, `party.promote`, `party.disband`, `party.set_role`, `party.set_loot`, and
/// `party.create` with its options.
final class PartyCommandsServerTests: ServerTestCase {
    func testGetReturnsTheCallersParty() throws {
        let server = try startServer()
        let (_, bob, _, code, _) = try partyOfThree(server)
        let party = try bob.call("party.get", rid: 5).party
        XCTAssertEqual(party?["invite_code"] as? String, code)
        XCTAssertEqual(party?["members"] as? [String], ["alice", "bob", "carol"])
        let loner = try signIn("dave", to: server)
        XCTAssertEqual(try loner.call("party.get", rid: 6).errorCode, "not_in_party")
    }

    func testKickTellsEveryoneIncludingTheKickedWithReasonKicked() throws {
        let server = try startServer()
        let (alice, bob, carol, _, _) = try partyOfThree(server)
        XCTAssertEqual(try bob.call("party.kick", rid: 7, ["player": "carol"]).errorCode, "not_leader")
        XCTAssertEqual(try alice.call("party.kick", rid: 8, ["player": "alice"]).errorCode, "invalid_target")
        XCTAssertEqual(try alice.call("party.kick", rid: 9, ["player": "zoe"]).errorCode, "not_member")
        XCTAssertEqual(try alice.call("party.kick", rid: 10, ["player": "bob"])["ok"] as? Bool, true)
        for client in [alice, bob, carol] {
            let left = try client.event("party.member_left")
            XCTAssertEqual(left["player"] as? String, "bob")
            XCTAssertEqual(left["reason"] as? String, "kicked")
        }
        XCTAssertEqual(try bob.call("party.get", rid: 11).errorCode, "not_in_party")
    }

    func testPromoteAndDisband() throws {
        let server = try startServer()
        let (alice, bob, carol, code, _) = try partyOfThree(server)
        XCTAssertEqual(try alice.call("party.promote", rid: 12, ["player": "carol"])["ok"] as? Bool, true)
        for client in [alice, bob, carol] {
            XCTAssertEqual(try client.event("party.leader_changed")["leader"] as? String, "carol")
        }
        XCTAssertEqual(try alice.call("party.disband", rid: 13).errorCode, "not_leader")
        XCTAssertEqual(try carol.call("party.disband", rid: 14)["ok"] as? Bool, true)
        for client in [alice, bob, carol] {
            XCTAssertEqual(try client.event("party.disbanded")["by"] as? String, "carol")
        }
        let dave = try signIn("dave", to: server)
        XCTAssertEqual(try dave.call("party.join", rid: 15, ["invite_code": code]).errorCode, "not_found")
    }

    func testSetRoleIsAnnouncedAndShownInTheRoster() throws {
        let server = try startServer()
        let (alice, bob, carol, _, _) = try partyOfThree(server)
        XCTAssertEqual(try bob.call("party.set_role", rid: 20, ["role": "healer"])["ok"] as? Bool, true)
        for client in [alice, bob, carol] {
            let changed = try client.event("party.role_changed")
            XCTAssertEqual(changed["player"] as? String, "bob")
            XCTAssertEqual(changed["role"] as? String, "healer")
        }
        let party = try XCTUnwrap(try alice.call("party.get", rid: 21).party)
        let roster = try XCTUnwrap(party["roster"] as? [[String: Any]])
        XCTAssertEqual(roster.map { $0["player"] as? String }, ["alice", "bob", "carol"])
        XCTAssertEqual(roster[1]["role"] as? String, "healer")
        XCTAssertEqual(roster[1]["online"] as? Bool, true)
        XCTAssertTrue(roster[0]["role"] is NSNull)
        XCTAssertEqual(party["seq"] as? Int, 3, "two joins and a role change")
        XCTAssertEqual(try carol.call("party.set_role", rid: 22, ["role": "wizard"]).errorCode, "invalid_message")
    }

    func testCreateWithOptionsAndSetLoot() throws {
        let server = try startServer()
        let alice = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        XCTAssertEqual(try alice.call("party.create", rid: 1, ["max_members": 41]).errorCode, "invalid_message")
        let party = try XCTUnwrap(try alice.call("party.create", rid: 2, ["max_members": 20, "loot_mode": "PERSONAL"]).party)
        XCTAssertEqual(party["max_members"] as? Int, 20)
        XCTAssertEqual(party["loot_mode"] as? String, "PERSONAL")
        XCTAssertTrue(party["master_looter"] is NSNull)
        XCTAssertEqual(try bob.call("party.join", rid: 3, ["invite_code": party["invite_code"] as? String ?? ""])["ok"] as? Bool, true)
        XCTAssertEqual(try bob.call("party.set_loot", rid: 4, ["loot_mode": "FREE_FOR_ALL"]).errorCode, "not_leader")
        XCTAssertEqual(
            try alice.call("party.set_loot", rid: 5, ["loot_mode": "MASTER_LOOTER", "master_looter": "bob"])["ok"] as? Bool, true)
        for client in [alice, bob] {
            let changed = try client.event("party.loot_changed")
            XCTAssertEqual(changed["loot_mode"] as? String, "MASTER_LOOTER")
            XCTAssertEqual(changed["master_looter"] as? String, "bob")
        }
    }
}
