import Protocol
import XCTest

@testable import Realtime

/// Invites: a member asks a player in; the invitee accepts or declines, or the invite expires
/// on a tick after the invite TTL, or ends with its party.
final class HubInviteTests: XCTestCase {
    private var hub = HubDriver()
    private var ttl: Int64 { hub.configuration.inviteTTLMilliseconds }

    // MARK: Sending

    func testAnyMemberMayInviteAndTheInviteeHearsOnEveryConnection() {
        let party = hub.partyOfAlice(joiners: 1)  // alice, bob; carol signed in on session 3
        hub.open("carol", session: 13)
        let outputs = hub.run(.invite(player: "carol"), from: 2, rid: 4)
        let expiresAt = hub.now + ttl
        guard case .invite(let invite)? = replyData(outputs) else { return XCTFail("no invite in the reply: \(outputs)") }
        XCTAssertEqual(invite.player, "carol")
        XCTAssertEqual(invite.by, "bob")
        XCTAssertEqual(invite.expiresAt, expiresAt)
        XCTAssertEqual(invite.party.id, party.id)
        XCTAssertEqual(invite.party.invites, [], "an INVITE carries the outsider view of its party")
        XCTAssertEqual(
            hub.party(of: "bob")?.invites, [PendingInvite(id: invite.id, player: "carol", by: "bob", expiresAt: expiresAt)],
            "the members' party shows its pending invite")
        XCTAssertEqual(
            outputs,
            [
                .reply(session(2), rid: 4, .success(.invite(invite))),
                .event(
                    PartyEvent(
                        partyID: party.id, seq: 2,
                        body: .inviteSent(invite: invite.id, player: "carol", by: "bob", expiresAt: expiresAt)),
                    recipients: [session(1), session(2)]),
                .notice(.notice(.invited(invite)), recipients: [session(3), session(13)]),
            ])
        XCTAssertEqual(hub.invites(of: "carol"), [invite])
        XCTAssertEqual(hub.inviteCount, 1)
    }

    func testAnInviteeWhoIsNotConnectedFindsTheInviteInSessionReadyWhileItLives() {
        _ = hub.partyOfAlice(joiners: 0)
        let outputs = hub.run(.invite(player: "zoe"), from: 1)
        XCTAssertEqual(notices(outputs).count, 0, "zoe has no connection to tell")
        guard case .invite(let invite)? = replyData(outputs) else { return XCTFail("invite failed: \(outputs)") }
        hub.now += ttl - 1
        guard let (_, party, invites) = sessionReady(hub.open("zoe", session: 9)) else { return XCTFail("no session.ready") }
        XCTAssertNil(party)
        XCTAssertEqual(invites.map(\.id), [invite.id])
        XCTAssertEqual(invites.first?.party.members, ["alice"])
        hub.close(session: 9)
        hub.tick(after: 1)
        XCTAssertEqual(sessionReady(hub.open("zoe", session: 10))?.invites, [], "an expired invite is gone")
    }

    func testInvitingYourselfIsInvalidTarget() {
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "bob"), from: 2)), .invalidTarget)
        XCTAssertEqual(hub.seq(ofParty: party.id), 1)
    }

    func testInvitingAPlayerWhoIsInAPartyIsAlreadyInParty() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.open("zoe", session: 9)
        _ = hub.createParty(from: 9)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "bob"), from: 1)), .alreadyInParty, "a member of the same party")
        XCTAssertEqual(errorCode(hub.run(.invite(player: "zoe"), from: 1)), .alreadyInParty, "a member of another party")
        // A member whose connection dropped keeps the seat through the grace, so is still in a party.
        hub.close(session: 9)
        XCTAssertNotNil(hub.party(of: "zoe"))
        XCTAssertEqual(errorCode(hub.run(.invite(player: "zoe"), from: 1)), .alreadyInParty, "an offline member")
        XCTAssertEqual(hub.inviteCount, 0)
    }

    func testASecondInviteToTheSamePlayerIsAlreadyInvited() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.invite("carol", from: 1)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "carol"), from: 1)), .alreadyInvited)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "carol"), from: 2)), .alreadyInvited, "from another member")
        XCTAssertEqual(hub.invites(of: "carol").count, 1)
        // Another party may invite the same player.
        hub.open("zoe", session: 9)
        _ = hub.createParty(from: 9)
        hub.invite("carol", from: 9)
        XCTAssertEqual(hub.invites(of: "carol").map(\.by), ["alice", "zoe"])
    }

    func testInvitingOutsideAPartyIsNotInPartyAndABadNameIsInvalidMessage() {
        _ = hub.partyOfAlice(joiners: 0)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "carol"), from: 2)), .notInParty)
        XCTAssertEqual(errorCode(hub.run(.invite(player: ""), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "no spaces"), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.invite(player: String(repeating: "x", count: 65)), from: 1)), .invalidMessage)
    }

    func testAFullPartyCannotInviteAndPendingInvitesAreBoundedBySeats() {
        _ = hub.partyOfAlice(joiners: 1, maxMembers: 2)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "carol"), from: 1)), .partyFull)
        hub.run(.leave, from: 2)
        // One seat free, but invites may pile up to max_members pending.
        hub.invite("carol", from: 1)
        hub.invite("dave", from: 1)
        XCTAssertEqual(errorCode(hub.run(.invite(player: "erin"), from: 1)), .partyFull)
        XCTAssertEqual(hub.party(of: "alice")?.invites.map(\.player), ["carol", "dave"])
    }

    // MARK: Answering

    func testAcceptSeatsTheInviteeAndConsumesTheInvite() {
        let party = hub.partyOfAlice(joiners: 1)
        guard let invite = hub.invite("carol", from: 2) else { return }
        let outputs = hub.run(.inviteAccept(invite: invite.id), from: 3, rid: 8)
        guard case .party(let joined)? = replyData(outputs) else { return XCTFail("accept failed: \(outputs)") }
        XCTAssertEqual(joined.members, ["alice", "bob", "carol"])
        XCTAssertEqual(joined.invites, [])
        XCTAssertEqual(events(outputs).map(\.event.body), [.memberJoined(player: "carol")])
        XCTAssertEqual(events(outputs).map(\.event.seq), [3])
        XCTAssertEqual(events(outputs).first?.recipients, [session(1), session(2), session(3)])
        XCTAssertEqual(hub.invites(of: "carol"), [])
        XCTAssertEqual(hub.inviteCount, 0)
        XCTAssertEqual(hub.party(of: "carol")?.id, party.id)
        // The invite is spent.
        hub.run(.leave, from: 3)
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: invite.id), from: 3)), .notFound)
        // Its deadline passing later says nothing.
        XCTAssertEqual(hub.tick(after: ttl), [])
    }

    func testAcceptWithARoleAnnouncesTheRole() {
        _ = hub.partyOfAlice(joiners: 0)
        guard let invite = hub.invite("bob", from: 1) else { return }
        XCTAssertEqual(
            bodies(hub.run(.inviteAccept(invite: invite.id, role: .healer), from: 2)),
            [.memberJoined(player: "bob"), .roleChanged(player: "bob", role: .healer)])
        XCTAssertEqual(hub.party(of: "bob")?.roster.last?.role, .healer)
    }

    func testOnlyTheInviteeMayAnswerAndUnknownInvitesAreNotFound() {
        _ = hub.partyOfAlice(joiners: 0)
        guard let invite = hub.invite("bob", from: 1) else { return }
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: invite.id), from: 3)), .notFound, "carol's is not hers")
        XCTAssertEqual(errorCode(hub.run(.inviteDecline(invite: invite.id), from: 3)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: "inv_999"), from: 2)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.inviteDecline(invite: ""), from: 2)), .notFound)
        XCTAssertEqual(hub.invites(of: "bob").map(\.id), [invite.id], "still pending")
    }

    func testAcceptWhileInAPartyIsAlreadyInParty() {
        _ = hub.partyOfAlice(joiners: 0)
        guard let invite = hub.invite("bob", from: 1) else { return }
        _ = hub.createParty(from: 2)
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: invite.id), from: 2)), .alreadyInParty)
    }

    func testAcceptIntoAPartyThatFilledUpIsPartyFull() {
        let party = hub.partyOfAlice(joiners: 0, maxMembers: 2)
        guard let invite = hub.invite("bob", from: 1) else { return }
        hub.join(party, from: 3)
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: invite.id), from: 2)), .partyFull)
        hub.run(.leave, from: 3)
        XCTAssertNotNil(replyData(hub.run(.inviteAccept(invite: invite.id), from: 2)), "the invite outlived the refusal")
    }

    func testDeclineTellsTheMembersButNotTheInvitee() {
        let party = hub.partyOfAlice(joiners: 1)
        guard let invite = hub.invite("carol", from: 2) else { return }
        let outputs = hub.run(.inviteDecline(invite: invite.id), from: 3, rid: 6)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(3), rid: 6, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 3, body: .inviteDeclined(invite: invite.id, player: "carol", by: "bob")),
                    recipients: [session(1), session(2)]),
            ])
        XCTAssertEqual(hub.invites(of: "carol"), [])
        XCTAssertEqual(hub.party(of: "alice")?.invites, [])
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: invite.id), from: 3)), .notFound)
        // Declined, the player may be invited again.
        XCTAssertNotNil(hub.invite("carol", from: 1))
    }

    // MARK: Ending

    func testAnInviteExpiresOnTheFirstTickAfterItsTTL() {
        let party = hub.partyOfAlice(joiners: 1)
        guard let invite = hub.invite("carol", from: 2) else { return }
        XCTAssertEqual(hub.nextDeadline, invite.expiresAt)
        XCTAssertEqual(hub.tick(after: ttl - 1), [], "not yet")
        let outputs = hub.tick(after: 1)
        XCTAssertEqual(
            outputs,
            [
                .event(
                    PartyEvent(partyID: party.id, seq: 3, body: .inviteExpired(invite: invite.id, player: "carol", by: "bob")),
                    recipients: [session(1), session(2)]),
                // The invitee, online, is told too.
                .notice(
                    .notice(.inviteCancelled(invite: invite.id, party: party.id, reason: .expired)), recipients: [session(3)]),
            ])
        XCTAssertEqual(hub.invites(of: "carol"), [])
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: invite.id), from: 3)), .notFound)
        XCTAssertEqual(hub.tick(after: ttl), [], "an invite expires once")
    }

    func testInvitesEndWithTheirPartyAndTheInviteeIsTold() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.open("carol", session: 13)
        guard let toCarol = hub.invite("carol", from: 1), hub.invite("zoe", from: 1) != nil else { return }
        let outputs = hub.run(.disband, from: 1)
        XCTAssertEqual(
            notices(outputs).map(\.message),
            [.notice(.inviteCancelled(invite: toCarol.id, party: toCarol.party.id, reason: .partyGone))],
            "zoe has no connection to tell")
        XCTAssertEqual(notices(outputs).first?.recipients, [session(3), session(13)])
        XCTAssertEqual(hub.inviteCount, 0)
        XCTAssertEqual(hub.invites(of: "carol"), [])
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: toCarol.id), from: 3)), .notFound)
        XCTAssertEqual(hub.tick(after: ttl), [], "the expiry of a cancelled invite says nothing")
    }

    func testTheLastMemberLeavingCancelsThePartysInvites() {
        _ = hub.partyOfAlice(joiners: 0)
        guard let invite = hub.invite("bob", from: 1) else { return }
        let outputs = hub.run(.leave, from: 1)
        XCTAssertEqual(
            notices(outputs).map(\.message), [.notice(.inviteCancelled(invite: invite.id, party: invite.party.id, reason: .partyGone))])
        XCTAssertEqual(hub.inviteCount, 0)
    }

    func testJoiningByCodeSpendsAPendingInvite() {
        let party = hub.partyOfAlice(joiners: 0)
        guard let invite = hub.invite("bob", from: 1) else { return }
        XCTAssertEqual(bodies(hub.join(party, from: 2)), [.memberJoined(player: "bob")])
        XCTAssertEqual(hub.invites(of: "bob"), [])
        XCTAssertEqual(hub.party(of: "alice")?.invites, [])
        XCTAssertEqual(errorCode(hub.run(.inviteDecline(invite: invite.id), from: 2)), .notFound)
    }

    func testTheInviteeHearsNothingOfThePartyButItsInvite() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.invite("carol", from: 1)
        for outputs in [hub.run(.chat(text: "is she coming?"), from: 2), hub.run(.setRole(.tank), from: 1)] {
            for (_, recipients) in events(outputs) { XCTAssertFalse(recipients.contains(session(3))) }
        }
    }

    // MARK: Caps

    /// Hundreds of parties inviting one player must not make the invitee's `session.ready`
    /// too large to send: past the cap, the oldest invite is cancelled.
    func testAnInviteePastTheCapLosesTheirOldestInvite() {
        let cap = hub.configuration.maxPendingInvitesPerPlayer
        XCTAssertEqual(cap, 20, "the default")
        hub.open("zed", session: 99)
        var invites: [InviteSnapshot] = []
        for number in 0..<cap {
            hub.open("leader\(number)", session: UInt64(100 + number))
            _ = hub.createParty(from: UInt64(100 + number))
            guard let invite = hub.invite("zed", from: UInt64(100 + number)) else { return }
            invites.append(invite)
        }
        hub.open("latecomer", session: 200)
        _ = hub.createParty(from: 200)
        let outputs = hub.run(.invite(player: "zed"), from: 200)
        guard case .invite(let newest)? = replyData(outputs) else { return XCTFail("the invite past the cap is refused: \(outputs)") }
        let oldest = invites[0]
        XCTAssertEqual(hub.invites(of: "zed").map(\.id), invites.dropFirst().map(\.id) + [newest.id])
        XCTAssertTrue(
            notices(outputs).contains {
                $0.message == .notice(.inviteCancelled(invite: oldest.id, party: oldest.party.id, reason: .superseded))
                    && $0.recipients == [session(99)]
            }, "zed is told the oldest invite ended: \(outputs)")
        XCTAssertTrue(
            events(outputs).contains {
                $0.event.partyID == oldest.party.id
                    && $0.event.body == .inviteExpired(invite: oldest.id, player: "zed", by: "leader0")
                    && $0.recipients == [session(100)]
            }, "its party hears it ended unanswered")
        XCTAssertEqual(hub.party(of: "leader0")?.invites, [])
        XCTAssertEqual(errorCode(hub.run(.inviteAccept(invite: oldest.id), from: 99)), .notFound)
    }

    func testAnInviteShowsTheInviteeTheOutsiderViewOfTheParty() {
        _ = hub.partyOfAlice(joiners: 1)
        XCTAssertNotNil(replyData(hub.run(.setOpen(false), from: 1)))
        XCTAssertNotNil(replyData(hub.run(.join(inviteCode: hub.party(of: "alice")!.inviteCode), from: 4)))  // dave asks
        hub.invite("erin", from: 1)
        hub.run(.readyCheck, from: 1)
        guard let invite = hub.invite("carol", from: 1) else { return }
        XCTAssertEqual(invite.party.members, ["alice", "bob"])
        XCTAssertEqual(invite.party.invites, [], "not the invites of a party carol is not in")
        XCTAssertEqual(invite.party.requests, [], "nor its join requests")
        XCTAssertNil(invite.party.readyCheck)
        XCTAssertEqual(hub.party(of: "alice")?.invites.count, 2, "the members still see them")
        XCTAssertEqual(hub.party(of: "alice")?.requests.count, 1)
    }

    /// The review's attack: many parties, each with as many invites pending as it has seats,
    /// all inviting one player. Their `session.ready` holds at most 20 invites, each without
    /// its party's own pending invites: a few KiB, far below --max-outbound-bytes.
    func testTheInviteesSessionReadyStaysSmallWhateverTheInvitingPartiesHold() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.commandRatePerSecond = 0 })
        for number in 0..<100 {
            let leader = UInt64(1_000 + number)
            hub.open("leader\(number)", session: leader)
            _ = hub.createParty(from: leader, maxMembers: 40)
            hub.invite("zed", from: leader)
            for other in 0..<39 { hub.invite("guest\(number)-\(other)", from: leader) }
        }
        guard let ready = sessionReady(hub.open("zed", session: 1)) else { return XCTFail("no session.ready") }
        XCTAssertEqual(ready.invites.count, 20)
        let bytes = ServerMessageEncoder.json(.sessionReady(player: "zed", party: ready.party, invites: ready.invites)).utf8.count
        XCTAssertLessThan(bytes, 16 * 1024, "session.ready is \(bytes) bytes")
    }
}
