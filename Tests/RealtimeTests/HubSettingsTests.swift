import Protocol
import XCTest

@testable import Realtime

/// The leader's settings: a new invite code, open or closed, who may invite, and the role
/// composition.
final class HubSettingsTests: XCTestCase {
    private var hub = HubDriver()

    // MARK: Invite code

    func testRegenerateCodeReplacesTheCodeAndTheOldOneStopsWorking() {
        let party = hub.partyOfAlice(joiners: 1)
        let outputs = hub.run(.regenerateCode, from: 1, rid: 3)
        let code = HubDriver.inviteCode(ofSeed: 2)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(1), rid: 3, .success(.inviteCode(code))),
                .event(PartyEvent(partyID: party.id, seq: 2, body: .codeChanged(inviteCode: code)), recipients: [session(1), session(2)]),
            ])
        XCTAssertEqual(hub.party(of: "bob")?.inviteCode, code)
        XCTAssertFalse(hub.isInviteCodeInUse(party.inviteCode))
        XCTAssertTrue(hub.isInviteCodeInUse(code))
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 3)), .notFound)
        XCTAssertEqual(bodies(hub.run(.join(inviteCode: code), from: 3)), [.memberJoined(player: "carol")])
    }

    func testRegenerateCodeIsTheLeadersAndNeedsAFreeCodeFromTheDriver() {
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(hub.run(.regenerateCode, from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.regenerateCode, from: 3)), .notInParty)
        XCTAssertEqual(errorCode(hub.run(.regenerateCode, from: 1, drawingSeed: false)), .internalError, "no seed")
        // A seed whose code a live party holds (the party's own included) is refused.
        let own = PartySeed(id: "unused", inviteCode: party.inviteCode)
        let outputs = hub.apply(.command(session(1), ClientRequest(rid: 1, command: .regenerateCode), now: hub.now, seed: own))
        XCTAssertEqual(errorCode(outputs), .internalError)
        XCTAssertEqual(hub.party(of: "alice")?.inviteCode, party.inviteCode)
        XCTAssertEqual(hub.seq(ofParty: party.id), 1)
    }

    // MARK: Open and closed

    func testSetOpenIsTheLeadersAndAnnouncedOnlyWhenItChangesSomething() {
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(hub.run(.setOpen(false), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.setOpen(false), from: 3)), .notInParty)
        let closed = PartySettings(open: false)
        XCTAssertEqual(
            hub.run(.setOpen(false), from: 1, rid: 4),
            [
                .reply(session(1), rid: 4, .success(.empty)),
                .event(PartyEvent(partyID: party.id, seq: 2, body: .settingsChanged(closed)), recipients: [session(1), session(2)]),
            ])
        XCTAssertEqual(hub.party(of: "alice")?.settings, closed)
        XCTAssertEqual(hub.run(.setOpen(false), from: 1, rid: 5), [.reply(session(1), rid: 5, .success(.empty))], "no change, no event")
        XCTAssertEqual(bodies(hub.run(.setOpen(true), from: 1)), [.settingsChanged(PartySettings())])
        XCTAssertEqual(bodies(hub.join(party, from: 3)), [.memberJoined(player: "carol")], "open again: joins at once")
    }

    // MARK: Invite policy

    func testWithTheLeaderPolicyOnlyTheLeaderInvites() {
        _ = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(hub.run(.setInvitePolicy(.leader), from: 2)), .notLeader)
        XCTAssertEqual(
            bodies(hub.run(.setInvitePolicy(.leader), from: 1)), [.settingsChanged(PartySettings(invitePolicy: .leader))])
        XCTAssertEqual(errorCode(hub.run(.invite(player: "carol"), from: 2)), .notLeader)
        XCTAssertNotNil(hub.invite("carol", from: 1))
        // Back to members: anyone invites.
        hub.run(.setInvitePolicy(.members), from: 1)
        XCTAssertNotNil(hub.invite("dave", from: 2))
        XCTAssertEqual(hub.party(of: "alice")?.settings.invitePolicy, .members)
    }

    // MARK: Composition

    func testSetCompositionIsAnnouncedAndLimitsRoles() {
        _ = hub.partyOfAlice(joiners: 1)
        let composition = Composition(tank: 1, healer: 1, dps: 2)
        XCTAssertEqual(errorCode(hub.run(.setComposition(composition), from: 2)), .notLeader)
        XCTAssertEqual(
            bodies(hub.run(.setComposition(composition), from: 1)),
            [.settingsChanged(PartySettings(composition: composition))])
        XCTAssertEqual(hub.party(of: "bob")?.settings.composition, composition)
        hub.run(.setRole(.tank), from: 2)
        XCTAssertEqual(errorCode(hub.run(.setRole(.tank), from: 1)), .compositionFull)
        XCTAssertEqual(bodies(hub.run(.setRole(.tank), from: 2)), [.roleChanged(player: "bob", role: .tank)], "own slot")
        XCTAssertEqual(bodies(hub.run(.setRole(nil), from: 2)), [.roleChanged(player: "bob", role: nil)])
        XCTAssertEqual(bodies(hub.run(.setRole(.tank), from: 1)), [.roleChanged(player: "alice", role: .tank)], "freed")
        // Cleared, any role goes.
        XCTAssertEqual(bodies(hub.run(.setComposition(nil), from: 1)), [.settingsChanged(PartySettings())])
        XCTAssertEqual(bodies(hub.run(.setRole(.tank), from: 2)), [.roleChanged(player: "bob", role: .tank)])
    }

    func testACompositionNeedsOneToMaxMembersSlots() {
        let party = hub.partyOfAlice(joiners: 0)  // 5 seats
        XCTAssertEqual(errorCode(hub.run(.setComposition(Composition(tank: 0, healer: 0, dps: 0)), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.setComposition(Composition(tank: 2, healer: 2, dps: 2)), from: 1)), .invalidMessage)
        XCTAssertEqual(bodies(hub.run(.setComposition(Composition(tank: 1, healer: 1, dps: 3)), from: 1)).count, 1)
        XCTAssertEqual(bodies(hub.run(.setComposition(Composition(tank: 0, healer: 0, dps: 1)), from: 1)).count, 1)
        XCTAssertEqual(hub.seq(ofParty: party.id), 2)
    }

    func testACompositionTheCurrentRolesBreakIsCompositionFull() {
        _ = hub.partyOfAlice(joiners: 2)
        hub.run(.setRole(.healer), from: 2)
        hub.run(.setRole(.healer), from: 3)
        XCTAssertEqual(errorCode(hub.run(.setComposition(Composition(tank: 1, healer: 1, dps: 3)), from: 1)), .compositionFull)
        XCTAssertNil(hub.party(of: "alice")?.settings.composition)
        XCTAssertEqual(bodies(hub.run(.setComposition(Composition(tank: 1, healer: 2, dps: 0)), from: 1)).count, 1)
    }

    func testJoiningWithATakenRoleIsCompositionFull() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.setComposition(Composition(tank: 1, healer: 1, dps: 1)), from: 1)
        hub.run(.setRole(.tank), from: 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode, role: .tank), from: 3)), .compositionFull)
        XCTAssertNil(hub.party(of: "carol"))
        XCTAssertEqual(
            bodies(hub.join(party, from: 3, role: .healer)), [.memberJoined(player: "carol"), .roleChanged(player: "carol", role: .healer)])
        XCTAssertEqual(bodies(hub.join(party, from: 4)), [.memberJoined(player: "dave")], "no role always fits")
    }

    func testAcceptingAnInviteWithATakenRoleIsCompositionFull() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.run(.setComposition(Composition(tank: 1, healer: 1, dps: 1)), from: 1)
        hub.run(.setRole(.dps), from: 2)
        guard let invite = hub.invite("carol", from: 1) else { return }
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: invite.id, role: .dps), from: 3)), .compositionFull)
        XCTAssertEqual(hub.invites(of: "carol").map(\.id), [invite.id], "still pending")
        XCTAssertNotNil(replyData(hub.run(.inviteAccept(invite: invite.id, role: .tank), from: 3)))
    }

    func testARequestWithATakenRoleIsCompositionFullWhenFiledAndWhenAccepted() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.setComposition(Composition(tank: 1, healer: 1, dps: 1)), from: 1)
        hub.run(.setOpen(false), from: 1)
        hub.run(.setRole(.tank), from: 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode, role: .tank), from: 3)), .compositionFull)
        guard case .joinRequest? = replyData(hub.run(.join(inviteCode: party.inviteCode, role: .healer), from: 3)) else {
            return XCTFail("the healer may ask")
        }
        hub.run(.setRole(.healer), from: 2)
        XCTAssertEqual(errorCode(hub.run(.requestAccept(player: "carol"), from: 1)), .compositionFull)
        XCTAssertEqual(hub.party(of: "alice")?.requests.map(\.player), ["carol"], "the request waits")
    }
}
