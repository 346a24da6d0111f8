import Protocol
import XCTest

@testable import Realtime

/// The hub as the pure state machine it is: inputs in, outputs out, time a parameter. No
/// sockets, no threads, no sleeping.
final class HubTests: XCTestCase {
    private var hub = HubDriver()

    // MARK: Create, join, leave, chat

    func testCreateRepliesWithANewPartyLedByItsCreator() {
        hub.open("alice", session: 1)
        let outputs = hub.run(.create(), from: 1, rid: 7)
        XCTAssertEqual(
            outputs,
            [
                .reply(
                    session(1), rid: 7,
                    .success(
                        .party(
                            PartySnapshot(
                                id: "party-1", inviteCode: HubDriver.inviteCode(ofSeed: 1), leader: "alice", members: ["alice"],
                                maxMembers: 5, seq: 0, createdAt: hub.now, updatedAt: hub.now,
                                roster: [PartyMemberSnapshot(player: "alice", role: nil, online: true, joinedAt: hub.now)]))))
            ])
        XCTAssertEqual(hub.partyCount, 1)
        XCTAssertEqual(hub.seq(ofParty: "party-1"), 0, "creating a party is no event")
        XCTAssertEqual(hub.party(of: "alice")?.id, "party-1")
        XCTAssertTrue(hub.isInviteCodeInUse(HubDriver.inviteCode(ofSeed: 1)))
    }

    func testJoinRepliesWithThePartyAndAnnouncesTheJoinerToEveryMember() {
        hub.open("alice", session: 1)
        hub.open("bob", session: 2)
        let party = hub.createParty(from: 1)
        let outputs = hub.run(.join(inviteCode: party.inviteCode), from: 2, rid: 11)
        let joined = PartySnapshot(
            id: party.id, inviteCode: party.inviteCode, leader: "alice", members: ["alice", "bob"], maxMembers: 5, seq: 1,
            createdAt: hub.now, updatedAt: hub.now,
            roster: [
                PartyMemberSnapshot(player: "alice", role: nil, online: true, joinedAt: hub.now),
                PartyMemberSnapshot(player: "bob", role: nil, online: true, joinedAt: hub.now),
            ])
        XCTAssertEqual(
            outputs,
            [
                .reply(session(2), rid: 11, .success(.party(joined))),
                .event(
                    PartyEvent(partyID: party.id, seq: 1, body: .memberJoined(player: "bob")),
                    recipients: [session(1), session(2)]),
            ])
        XCTAssertEqual(hub.party(of: "bob"), joined)
        XCTAssertEqual(hub.party(of: "alice"), joined)
    }

    func testLeaveRepliesAndAnnouncesTheLeaverToEveryoneIncludingTheLeaver() {
        let party = hub.partyOfAlice(joiners: 2)
        let outputs = hub.run(.leave, from: 3, rid: 5)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(3), rid: 5, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 3, body: .memberLeft(player: "carol")),
                    recipients: [session(1), session(2), session(3)]),
            ])
        XCTAssertNil(hub.party(of: "carol"))
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
        // The leaver hears nothing more of the party.
        let chat = hub.run(.chat(text: "still there?"), from: 1, rid: nil)
        XCTAssertEqual(events(chat).map(\.recipients), [[session(1), session(2)]])
    }

    func testChatGoesToEveryMemberWithSenderTextAndTime() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.now += 1234
        let outputs = hub.run(.chat(text: "héllo ✓"), from: 2, rid: 3)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(2), rid: 3, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 2, body: .chat(from: "bob", text: "héllo ✓", timestampMs: hub.now)),
                    recipients: [session(1), session(2)]),
            ])
    }

    // MARK: Every error code

    func testCreateWhileInAPartyIsAlreadyInParty() {
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(hub.run(.create(), from: 1)), .alreadyInParty)
        XCTAssertEqual(errorCode(hub.run(.create(), from: 2)), .alreadyInParty)
        XCTAssertEqual(hub.partyCount, 1)
        XCTAssertEqual(hub.seq(ofParty: party.id), 1)
    }

    func testJoinWhileInAPartyIsAlreadyInParty() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.open("zoe", session: 9)
        let other = hub.createParty(from: 9)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 2)), .alreadyInParty, "own party")
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: other.inviteCode), from: 2)), .alreadyInParty, "another party")
        XCTAssertEqual(hub.party(of: "bob")?.id, party.id)
        XCTAssertEqual(hub.party(of: "zoe")?.members, ["zoe"])
    }

    func testJoinWithAnUnknownCodeIsNotFound() {
        hub.open("alice", session: 1)
        hub.open("bob", session: 2)
        _ = hub.createParty(from: 1)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: "ZZZZZZZZ"), from: 2)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: ""), from: 2)), .notFound)
        XCTAssertNil(hub.party(of: "bob"))
    }

    func testTheSixthJoinerIsTurnedAwayWithPartyFull() {
        let party = hub.partyOfAlice(joiners: 4)
        XCTAssertEqual(hub.party(of: "alice")?.members.count, 5)
        hub.open("frank", session: 6)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 6)), .partyFull)
        XCTAssertNil(hub.party(of: "frank"))
        XCTAssertEqual(hub.seq(ofParty: party.id), 4, "a refused join is no event")
        // A seat that frees up can be taken.
        hub.run(.leave, from: 5, rid: nil)
        XCTAssertEqual(replies(hub.run(.join(inviteCode: party.inviteCode), from: 6)).count, 1)
        XCTAssertEqual(hub.party(of: "frank")?.members, ["alice", "bob", "carol", "dave", "frank"])
    }

    func testTheSeatLimitComesFromTheConfiguration() {
        var configuration = HubConfiguration()
        configuration.maxMembers = 2
        hub = HubDriver(configuration: configuration)
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(party.maxMembers, 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 3)), .partyFull)
    }

    func testLeaveAndChatOutsideAPartyAreNotInParty() {
        hub.open("alice", session: 1)
        XCTAssertEqual(errorCode(hub.run(.leave, from: 1)), .notInParty)
        XCTAssertEqual(errorCode(hub.run(.chat(text: "hi"), from: 1)), .notInParty)
    }

    func testEmptyChatIsInvalidMessage() {
        let party = hub.partyOfAlice(joiners: 0)
        XCTAssertEqual(errorCode(hub.run(.chat(text: ""), from: 1)), .invalidMessage)
        XCTAssertEqual(hub.seq(ofParty: party.id), 0)
    }

    func testChatOf1025ScalarsIsInvalidMessageAnd1024IsAccepted() {
        let party = hub.partyOfAlice(joiners: 0)
        XCTAssertEqual(errorCode(hub.run(.chat(text: String(repeating: "a", count: 1025)), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.chat(text: String(repeating: "😀", count: 1025)), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.chat(text: String(repeating: "é", count: 1025)), from: 1)), .invalidMessage)
        XCTAssertEqual(hub.seq(ofParty: party.id), 0)
        for text in [
            String(repeating: "a", count: 1024), String(repeating: "😀", count: 1024),
            String(repeating: "é", count: 1024),
        ] {
            let outputs = hub.run(.chat(text: text), from: 1)
            XCTAssertEqual(replies(outputs).first.map { (try? $0.result.get()) == .empty }, true)
            guard case .chat(_, let sent, _)? = events(outputs).first?.event.body else {
                return XCTFail("no chat event")
            }
            XCTAssertEqual(sent, text)
        }
        XCTAssertEqual(hub.seq(ofParty: party.id), 3)
    }

    func testChatFasterThanTheRateIsRateLimitedUntilTokensRefill() {
        var configuration = HubConfiguration()
        configuration.chatRatePerSecond = 2
        configuration.chatBurst = 3
        hub = HubDriver(configuration: configuration)
        let party = hub.partyOfAlice(joiners: 1)
        for index in 0..<3 { XCTAssertEqual(events(hub.run(.chat(text: "burst \(index)"), from: 1)).count, 1) }
        XCTAssertEqual(errorCode(hub.run(.chat(text: "too fast"), from: 1)), .rateLimited)
        XCTAssertEqual(hub.seq(ofParty: party.id), 4, "a refused chat is no event")
        // The limit is per player: Bob still has his burst.
        XCTAssertEqual(events(hub.run(.chat(text: "bob here"), from: 2)).count, 1)
        // At 2 per second a token takes 500 ms.
        hub.now += 499
        XCTAssertEqual(errorCode(hub.run(.chat(text: "still too fast"), from: 1)), .rateLimited)
        hub.now += 1
        XCTAssertEqual(events(hub.run(.chat(text: "refilled"), from: 1)).count, 1)
        XCTAssertEqual(errorCode(hub.run(.chat(text: "again too fast"), from: 1)), .rateLimited)
        // Waiting long refills no more than the burst.
        hub.now += 60_000
        for index in 0..<3 { XCTAssertEqual(events(hub.run(.chat(text: "burst again \(index)"), from: 1)).count, 1) }
        XCTAssertEqual(errorCode(hub.run(.chat(text: "over the burst"), from: 1)), .rateLimited)
    }

    // MARK: Sequence numbers

    func testSeqGrowsByExactlyOneWithEveryEventOfTheParty() {
        hub = HubDriver(configuration: HubDriver.leavesOnDisconnect)
        let party = hub.partyOfAlice(joiners: 0)
        var all: [PartyEvent] = []
        func record(_ outputs: [HubOutput]) { all += events(outputs).map(\.event).filter { $0.partyID == party.id } }
        record(hub.join(party, from: 2))
        record(hub.join(party, from: 3))
        record(hub.run(.chat(text: "one"), from: 1, rid: nil))
        record(hub.run(.chat(text: "two"), from: 2, rid: 9))
        record(hub.run(.leave, from: 1))  // member_left and leader_changed
        record(hub.run(.chat(text: "bad"), from: 1))  // not in party: no event
        record(hub.join(party, from: 4))
        record(hub.close(session: 2))  // the new leader's last session: member_left and leader_changed
        record(hub.run(.chat(text: "three"), from: 3))
        XCTAssertEqual(all.map(\.seq), Array(1...10))
        XCTAssertEqual(hub.seq(ofParty: party.id), 10)
        // Another party counts on its own.
        hub.open("zoe", session: 9)
        hub.open("yann", session: 10)
        let other = hub.createParty(from: 9)
        XCTAssertEqual(events(hub.join(other, from: 10)).map(\.event.seq), [1])
        XCTAssertEqual(hub.seq(ofParty: party.id), 10)
    }

    // MARK: Leaders and the end of a party

    func testWhenTheLeaderLeavesTheEarliestJoinerLeads() {
        let party = hub.partyOfAlice(joiners: 3)  // alice, bob, carol, dave
        let outputs = hub.run(.leave, from: 1)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(1), rid: 1, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 4, body: .memberLeft(player: "alice")),
                    recipients: [session(1), session(2), session(3), session(4)]),
                .event(
                    PartyEvent(partyID: party.id, seq: 5, body: .leaderChanged(leader: "bob")),
                    recipients: [session(2), session(3), session(4)]),
            ])
        XCTAssertEqual(hub.party(of: "bob")?.leader, "bob")
        // A member who is not the leader leaves: no hand-over.
        XCTAssertEqual(events(hub.run(.leave, from: 3)).map(\.event.body), [.memberLeft(player: "carol")])
        XCTAssertEqual(hub.party(of: "bob")?.leader, "bob")
        XCTAssertEqual(
            events(hub.run(.leave, from: 2)).map(\.event.body),
            [.memberLeft(player: "bob"), .leaderChanged(leader: "dave")])
        XCTAssertEqual(hub.party(of: "dave")?.leader, "dave")
    }

    func testARejoinerCountsFromTheirNewJoinForTheHandOver() {
        let party = hub.partyOfAlice(joiners: 2)  // alice, bob, carol
        hub.run(.leave, from: 2)
        hub.join(party, from: 2)  // bob is hub.now the latest joiner
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "carol", "bob"])
        XCTAssertEqual(
            events(hub.run(.leave, from: 1)).map(\.event.body),
            [.memberLeft(player: "alice"), .leaderChanged(leader: "carol")])
    }

    func testTheLastLeaverEndsThePartyAndItsCodeIsThenNotFound() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.leave, from: 1)
        let outputs = hub.run(.leave, from: 2, rid: 4)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(2), rid: 4, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 4, body: .memberLeft(player: "bob")), recipients: [session(2)]),
            ])
        XCTAssertEqual(hub.partyCount, 0)
        XCTAssertEqual(hub.allParties, [])
        XCTAssertNil(hub.seq(ofParty: party.id))
        XCTAssertFalse(hub.isInviteCodeInUse(party.inviteCode))
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 3)), .notFound)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 1)), .notFound)
    }

    // MARK: Several sessions of one player

    func testAPlayerWithTwoSessionsIsOneMemberAndBothSessionsReceiveEvents() {
        hub.open("alice", session: 1)
        hub.open("alice", session: 11)
        hub.open("bob", session: 2)
        XCTAssertEqual(hub.playerCount, 2)
        let party = hub.createParty(from: 1)
        let joined = hub.join(party, from: 2)
        XCTAssertEqual(events(joined).map(\.recipients), [[session(1), session(11), session(2)]])
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
        // The second session speaks for the same player.
        XCTAssertEqual(errorCode(hub.run(.create(), from: 11)), .alreadyInParty)
        let chat = hub.run(.chat(text: "from my phone"), from: 11, rid: 8)
        XCTAssertEqual(replies(chat).map(\.session), [session(11)], "the reply goes to the session that asked")
        guard case .chat(let from, _, _)? = events(chat).first?.event.body else { return XCTFail("no chat event") }
        XCTAssertEqual(from, "alice")
        // A session opened while in the party receives the party's events too.
        hub.open("bob", session: 12)
        XCTAssertEqual(
            events(hub.run(.chat(text: "hi"), from: 1, rid: nil)).map(\.recipients),
            [[session(1), session(11), session(2), session(12)]])
        XCTAssertEqual(hub.party(of: "bob")?.members, ["alice", "bob"])
    }

    func testClosingOneOfTwoSessionsKeepsTheMemberAndClosingTheLastLeavesWithoutGrace() {
        hub = HubDriver(configuration: HubDriver.leavesOnDisconnect)
        hub.open("alice", session: 1)
        hub.open("alice", session: 11)
        hub.open("bob", session: 2)
        let party = hub.createParty(from: 1)
        hub.join(party, from: 2)
        XCTAssertEqual(hub.close(session: 1), [], "the player still has a session")
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
        XCTAssertEqual(hub.party(of: "alice")?.leader, "alice")
        XCTAssertEqual(events(hub.run(.chat(text: "x"), from: 2, rid: nil)).map(\.recipients), [[session(11), session(2)]])
        // The last session closes: the player leaves, and leadership moves on.
        let outputs = hub.close(session: 11)
        XCTAssertEqual(
            events(outputs).map(\.event.body), [.memberLeft(player: "alice", reason: .timeout), .leaderChanged(leader: "bob")])
        XCTAssertEqual(events(outputs).map(\.event.seq), [3, 4])
        XCTAssertEqual(replies(outputs).count, 0)
        XCTAssertEqual(events(outputs).last?.recipients, [session(2)])
        XCTAssertEqual(hub.party(of: "bob")?.members, ["bob"])
        XCTAssertEqual(hub.playerCount, 1)
        // Alone and disconnecting: the party ends.
        hub.close(session: 2)
        XCTAssertEqual(hub.partyCount, 0)
        XCTAssertEqual(hub.playerCount, 0)
    }

    // MARK: Replies

    func testRepliesOnlyWhenTheCommandCarriesARid() {
        hub.open("alice", session: 1)
        hub.open("bob", session: 2)
        XCTAssertEqual(hub.run(.create(), from: 1, rid: nil), [], "a create without rid says nothing")
        guard let party = hub.party(of: "alice") else { return XCTFail("the party was not created") }
        XCTAssertEqual(hub.run(.join(inviteCode: "NOPE2345"), from: 2, rid: nil), [], "a failure without rid says nothing")
        let joined = hub.run(.join(inviteCode: party.inviteCode), from: 2, rid: nil)
        XCTAssertEqual(joined.count, 1)
        XCTAssertEqual(replies(joined).count, 0)
        XCTAssertEqual(replies(hub.run(.chat(text: "a"), from: 1, rid: nil)).count, 0)
        XCTAssertEqual(replies(hub.run(.chat(text: "b"), from: 1, rid: 0)).map(\.rid), [0], "rid 0 is a rid")
        XCTAssertEqual(replies(hub.run(.chat(text: "c"), from: 1, rid: -3)).map(\.rid), [-3])
    }

    func testTheReplyComesBeforeTheEventsOfItsCommand() {
        hub.open("alice", session: 1)
        hub.open("bob", session: 2)
        let party = hub.createParty(from: 1)
        for outputs in [
            hub.run(.join(inviteCode: party.inviteCode), from: 2, rid: 21),
            hub.run(.chat(text: "hi"), from: 1, rid: 22),
            hub.run(.leave, from: 1, rid: 23),  // member_left and leader_changed
        ] {
            XCTAssertGreaterThanOrEqual(outputs.count, 2)
            guard case .reply = outputs.first else { return XCTFail("the reply is not first: \(outputs)") }
            XCTAssertEqual(replies(outputs).count, 1)
            XCTAssertEqual(events(outputs).count, outputs.count - 1)
        }
    }

    func testAPlayerWhoseLastSessionClosedIsForgotten() {
        hub.open("alice", session: 1)
        XCTAssertEqual(hub.playerCount, 1)
        XCTAssertEqual(hub.close(session: 1), [])
        XCTAssertEqual(hub.playerCount, 0)
        XCTAssertEqual(hub.close(session: 1), [], "a second close of the same session is ignored")
        hub.open("alice", session: 3)
        XCTAssertEqual(hub.createParty(from: 3).members, ["alice"])
    }

    // MARK: Get, kick, promote, disband

    func testGetRepliesWithTheCallersPartyOrNotInParty() {
        let party = hub.partyOfAlice(joiners: 1)
        guard case .reply(_, _, .success(.party(let got)))? = hub.run(.get, from: 2).first else {
            return XCTFail("party.get should reply with the party")
        }
        XCTAssertEqual(got.id, party.id)
        XCTAssertEqual(got.members, ["alice", "bob"])
        XCTAssertEqual(errorCode(hub.run(.get, from: 3)), .notInParty)
    }

    func testKickRemovesTheMemberWithReasonKickedAndTellsThemToo() {
        let party = hub.partyOfAlice(joiners: 2)
        let outputs = hub.run(.kick(player: "bob"), from: 1)
        XCTAssertEqual(replies(outputs).count, 1)
        let kicked = events(outputs)
        XCTAssertEqual(kicked.map(\.event.body), [.memberLeft(player: "bob", reason: .kicked)])
        XCTAssertEqual(kicked.first?.event.seq, 3)
        XCTAssertEqual(Set(kicked.first?.recipients ?? []), [session(1), session(2), session(3)])
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "carol"])
        XCTAssertNil(hub.party(of: "bob"))
        XCTAssertEqual(hub.party(of: "carol")?.id, party.id)
    }

    func testKickAndPromoteAreForTheLeaderAndAnotherMember() {
        _ = hub.partyOfAlice(joiners: 2)
        XCTAssertEqual(errorCode(hub.run(.kick(player: "carol"), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.promote(player: "carol"), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.kick(player: "alice"), from: 1)), .invalidTarget)
        XCTAssertEqual(errorCode(hub.run(.promote(player: "alice"), from: 1)), .invalidTarget)
        XCTAssertEqual(errorCode(hub.run(.kick(player: "dave"), from: 1)), .notMember)
        XCTAssertEqual(errorCode(hub.run(.promote(player: "nobody"), from: 1)), .notMember)
        XCTAssertEqual(errorCode(hub.run(.kick(player: "bob"), from: 4)), .notInParty)
        XCTAssertEqual(errorCode(hub.run(.disband, from: 3)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.disband, from: 4)), .notInParty)
    }

    func testPromoteHandsTheLeadToAnotherMember() {
        _ = hub.partyOfAlice(joiners: 2)
        let outputs = hub.run(.promote(player: "carol"), from: 1)
        XCTAssertEqual(events(outputs).map(\.event.body), [.leaderChanged(leader: "carol")])
        XCTAssertEqual(hub.party(of: "bob")?.leader, "carol")
        XCTAssertEqual(errorCode(hub.run(.kick(player: "bob"), from: 1)), .notLeader, "alice no longer leads")
        XCTAssertEqual(events(hub.run(.kick(player: "alice"), from: 3)).map(\.event.body), [.memberLeft(player: "alice", reason: .kicked)])
    }

    func testDisbandTellsEveryMemberAndEndsTheParty() {
        let party = hub.partyOfAlice(joiners: 2)
        let outputs = hub.run(.disband, from: 1)
        guard case .reply(_, _, .success(.empty))? = outputs.first else { return XCTFail("the reply comes first: \(outputs)") }
        let disbanded = events(outputs)
        XCTAssertEqual(disbanded.map(\.event.body), [.disbanded(by: "alice")])
        XCTAssertEqual(Set(disbanded.first?.recipients ?? []), [session(1), session(2), session(3)])
        XCTAssertNil(hub.party(of: "alice"))
        XCTAssertNil(hub.party(of: "carol"))
        XCTAssertEqual(hub.partyCount, 0)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 4)), .notFound, "the code is gone")
        XCTAssertNotNil(replies(hub.run(.create(), from: 2)).first, "a former member may start a new party")
    }

    // MARK: Roles

    func testSetRoleAnnouncesTheRoleAndShowsItInTheRoster() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.now += 1000
        let outputs = hub.run(.setRole(.healer), from: 2)
        XCTAssertEqual(events(outputs).map(\.event.body), [.roleChanged(player: "bob", role: .healer)])
        XCTAssertEqual(Set(events(outputs).first?.recipients ?? []), [session(1), session(2)])
        let party = hub.party(of: "alice")
        XCTAssertEqual(party?.roster.map(\.role), [nil, .healer])
        XCTAssertEqual(party?.updatedAt, hub.now)
        XCTAssertEqual(events(hub.run(.setRole(nil), from: 2)).map(\.event.body), [.roleChanged(player: "bob", role: nil)])
        XCTAssertEqual(errorCode(hub.run(.setRole(.tank), from: 3)), .notInParty)
    }

    func testARoleDoesNotFollowThePlayerIntoTheNextParty() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.setRole(.tank), from: 2)
        hub.run(.leave, from: 2)
        hub.join(party, from: 2)
        XCTAssertEqual(hub.party(of: "bob")?.roster.last?.role, nil)
    }

    // MARK: Seats and loot

    func testCreateTakesSeatsWithinTheServerLimitAndALootMode() {
        hub.open("alice", session: 1)
        XCTAssertEqual(errorCode(hub.run(.create(maxMembers: 1), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.create(maxMembers: 41), from: 1)), .invalidMessage)
        guard case .reply(_, _, .success(.party(let party)))? = hub.run(.create(maxMembers: 40, lootMode: .masterLooter), from: 1).first
        else { return XCTFail("a raid of 40 may be created") }
        XCTAssertEqual(party.maxMembers, 40)
        XCTAssertEqual(party.lootMode, .masterLooter)
        XCTAssertEqual(party.masterLooter, "alice", "the creator loots until the leader says otherwise")
    }

    func testAPartyOfTwoSeatsIsFullAtTwo() {
        hub.open("alice", session: 1)
        hub.open("bob", session: 2)
        hub.open("carol", session: 3)
        guard case .reply(_, _, .success(.party(let party)))? = hub.run(.create(maxMembers: 2), from: 1).first else {
            return XCTFail("create failed")
        }
        hub.join(party, from: 2)
        XCTAssertEqual(errorCode(hub.run(.join(inviteCode: party.inviteCode), from: 3)), .partyFull)
    }

    func testSetLootIsTheLeadersAndTheMasterLooterIsAMember() {
        _ = hub.partyOfAlice(joiners: 2)
        XCTAssertEqual(errorCode(hub.run(.setLoot(.personal, masterLooter: nil), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.setLoot(.masterLooter, masterLooter: nil), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(hub.run(.setLoot(.masterLooter, masterLooter: "dave"), from: 1)), .notMember)
        XCTAssertEqual(errorCode(hub.run(.setLoot(.personal, masterLooter: "bob"), from: 1)), .invalidMessage)
        let outputs = hub.run(.setLoot(.masterLooter, masterLooter: "bob"), from: 1)
        XCTAssertEqual(events(outputs).map(\.event.body), [.lootChanged(mode: .masterLooter, masterLooter: "bob")])
        XCTAssertEqual(hub.party(of: "carol")?.masterLooter, "bob")
        // The master looter leaves: the leader takes over, announced.
        XCTAssertEqual(
            events(hub.run(.leave, from: 2)).map(\.event.body),
            [.memberLeft(player: "bob", reason: .left), .lootChanged(mode: .masterLooter, masterLooter: "alice")])
        XCTAssertEqual(events(hub.run(.setLoot(.freeForAll, masterLooter: nil), from: 1)).map(\.event.body), [.lootChanged(mode: .freeForAll, masterLooter: nil)])
        XCTAssertNil(hub.party(of: "alice")?.masterLooter)
    }

    func testWhenTheLeaderWhoLootsLeavesTheNewLeaderLoots() {
        _ = hub.partyOfAlice(joiners: 2)
        hub.run(.setLoot(.masterLooter, masterLooter: "alice"), from: 1)
        XCTAssertEqual(
            events(hub.run(.leave, from: 1)).map(\.event.body),
            [
                .memberLeft(player: "alice", reason: .left), .leaderChanged(leader: "bob"),
                .lootChanged(mode: .masterLooter, masterLooter: "bob"),
            ])
    }
}
