import Protocol
import XCTest

@testable import Realtime

/// The hub as the pure state machine it is: inputs in, outputs out, time a parameter. No
/// sockets, no threads, no sleeping.
final class HubTests: XCTestCase {
    private var hub = Hub()
    /// PROTOCOL-CORE's own rule: no reconnect grace, a disconnect leaves at once.
    static let leavesOnDisconnect: HubConfiguration = {
        var configuration = HubConfiguration()
        configuration.reconnectGraceMilliseconds = 0
        return configuration
    }()
    private var now: Int64 = 1_700_000_000_000
    private var seedsDrawn = 0

    // MARK: Driving the hub

    private func session(_ number: UInt64) -> SessionID { SessionID(rawValue: number) }

    /// A deterministic seed per party: id "party-N" and an invite code built from N.
    private func nextSeed() -> PartySeed {
        seedsDrawn += 1
        return PartySeed(id: "party-\(seedsDrawn)", inviteCode: inviteCode(ofSeed: seedsDrawn))
    }

    /// The invite code of the `number`th seed: `number` written in base 31 with the alphabet.
    private func inviteCode(ofSeed number: Int) -> String {
        var digits: [Int] = []
        var rest = number
        for _ in 0..<InviteCode.length {
            digits.append(rest % InviteCode.alphabet.count)
            rest /= InviteCode.alphabet.count
        }
        return InviteCode.make(indexes: digits)
    }

    @discardableResult
    private func apply(_ input: HubInput) -> [HubOutput] {
        var outputs: [HubOutput] = []
        hub.apply(input, into: &outputs)
        return outputs
    }

    private func open(_ player: String, session number: UInt64) {
        let outputs = apply(.sessionOpened(session(number), player: player, now: now))
        guard outputs.count == 1, case .notice(.sessionReady(let ready, _, _), let recipients) = outputs[0] else {
            return XCTFail("opening a session says session.ready and nothing else: \(outputs)")
        }
        XCTAssertEqual(ready, player)
        XCTAssertEqual(recipients, [session(number)])
    }

    @discardableResult
    private func close(session number: UInt64) -> [HubOutput] {
        apply(.sessionClosed(session(number), now: now))
    }

    /// Runs a command from a session (`party.create` gets a fresh seed).
    @discardableResult
    private func run(_ command: PartyCommand, from number: UInt64, rid: Int64? = 1) -> [HubOutput] {
        var seed: PartySeed?
        if case .create = command { seed = nextSeed() }
        return apply(.command(session(number), ClientRequest(rid: rid, command: command), now: now, seed: seed))
    }

    /// Creates a party from a session and returns it (asserting the success reply).
    private func createParty(from number: UInt64, file: StaticString = #filePath, line: UInt = #line) -> PartySnapshot {
        let outputs = run(.create(), from: number)
        guard outputs.count == 1, case .reply(_, _, .success(.party(let party))) = outputs[0] else {
            XCTFail("party.create did not succeed: \(outputs)", file: file, line: line)
            return PartySnapshot(id: "", inviteCode: "", leader: "", members: [], maxMembers: 0)
        }
        return party
    }

    /// Joins a party from a session (asserting success) and returns the outputs.
    @discardableResult
    private func join(_ party: PartySnapshot, from number: UInt64, file: StaticString = #filePath, line: UInt = #line)
        -> [HubOutput]
    {
        let outputs = run(.join(inviteCode: party.inviteCode), from: number)
        guard case .reply(_, _, .success)? = outputs.first else {
            XCTFail("party.join did not succeed: \(outputs)", file: file, line: line)
            return outputs
        }
        return outputs
    }

    private func events(_ outputs: [HubOutput]) -> [(event: PartyEvent, recipients: [SessionID])] {
        outputs.compactMap { output in
            if case .event(let event, let recipients) = output { return (event, recipients) }
            return nil
        }
    }

    private func replies(_ outputs: [HubOutput]) -> [(
        session: SessionID, rid: Int64, result: Result<ReplyData, PartyError>
    )] {
        outputs.compactMap { output in
            if case .reply(let session, let rid, let result) = output { return (session, rid, result) }
            return nil
        }
    }

    /// The error code of the single reply in `outputs`, which must be all there is.
    private func errorCode(_ outputs: [HubOutput], file: StaticString = #filePath, line: UInt = #line)
        -> PartyErrorCode?
    {
        XCTAssertEqual(
            outputs.count, 1, "a failed command has its reply and nothing else: \(outputs)", file: file, line: line)
        guard case .reply(_, _, .failure(let error))? = outputs.first else { return nil }
        return error.code
    }

    /// Alice (session 1) creates a party; Bob (2), Carol (3), Dave (4) and Erin (5) are signed
    /// in, and the first `joiners` of them join in that order.
    private func partyOfAlice(joiners: Int) -> PartySnapshot {
        let names = ["alice", "bob", "carol", "dave", "erin"]
        for (index, name) in names.enumerated() { open(name, session: UInt64(index + 1)) }
        let party = createParty(from: 1)
        for index in 0..<joiners { join(party, from: UInt64(index + 2)) }
        return party
    }

    // MARK: Create, join, leave, chat

    func testCreateRepliesWithANewPartyLedByItsCreator() {
        open("alice", session: 1)
        let outputs = run(.create(), from: 1, rid: 7)
        XCTAssertEqual(
            outputs,
            [
                .reply(
                    session(1), rid: 7,
                    .success(
                        .party(
                            PartySnapshot(
                                id: "party-1", inviteCode: inviteCode(ofSeed: 1), leader: "alice", members: ["alice"],
                                maxMembers: 5, seq: 0, createdAt: now, updatedAt: now,
                                roster: [PartyMemberSnapshot(player: "alice", role: nil, online: true, joinedAt: now)]))))
            ])
        XCTAssertEqual(hub.partyCount, 1)
        XCTAssertEqual(hub.seq(ofParty: "party-1"), 0, "creating a party is no event")
        XCTAssertEqual(hub.party(of: "alice")?.id, "party-1")
        XCTAssertTrue(hub.isInviteCodeInUse(inviteCode(ofSeed: 1)))
    }

    func testJoinRepliesWithThePartyAndAnnouncesTheJoinerToEveryMember() {
        open("alice", session: 1)
        open("bob", session: 2)
        let party = createParty(from: 1)
        let outputs = run(.join(inviteCode: party.inviteCode), from: 2, rid: 11)
        let joined = PartySnapshot(
            id: party.id, inviteCode: party.inviteCode, leader: "alice", members: ["alice", "bob"], maxMembers: 5, seq: 1,
            createdAt: now, updatedAt: now,
            roster: [
                PartyMemberSnapshot(player: "alice", role: nil, online: true, joinedAt: now),
                PartyMemberSnapshot(player: "bob", role: nil, online: true, joinedAt: now),
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
        let party = partyOfAlice(joiners: 2)
        let outputs = run(.leave, from: 3, rid: 5)
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
        let chat = run(.chat(text: "still there?"), from: 1, rid: nil)
        XCTAssertEqual(events(chat).map(\.recipients), [[session(1), session(2)]])
    }

    func testChatGoesToEveryMemberWithSenderTextAndTime() {
        let party = partyOfAlice(joiners: 1)
        now += 1234
        let outputs = run(.chat(text: "héllo ✓"), from: 2, rid: 3)
        XCTAssertEqual(
            outputs,
            [
                .reply(session(2), rid: 3, .success(.empty)),
                .event(
                    PartyEvent(partyID: party.id, seq: 2, body: .chat(from: "bob", text: "héllo ✓", timestampMs: now)),
                    recipients: [session(1), session(2)]),
            ])
    }

    // MARK: Every error code

    func testCreateWhileInAPartyIsAlreadyInParty() {
        let party = partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(run(.create(), from: 1)), .alreadyInParty)
        XCTAssertEqual(errorCode(run(.create(), from: 2)), .alreadyInParty)
        XCTAssertEqual(hub.partyCount, 1)
        XCTAssertEqual(hub.seq(ofParty: party.id), 1)
    }

    func testJoinWhileInAPartyIsAlreadyInParty() {
        let party = partyOfAlice(joiners: 1)
        open("zoe", session: 9)
        let other = createParty(from: 9)
        XCTAssertEqual(errorCode(run(.join(inviteCode: party.inviteCode), from: 2)), .alreadyInParty, "own party")
        XCTAssertEqual(errorCode(run(.join(inviteCode: other.inviteCode), from: 2)), .alreadyInParty, "another party")
        XCTAssertEqual(hub.party(of: "bob")?.id, party.id)
        XCTAssertEqual(hub.party(of: "zoe")?.members, ["zoe"])
    }

    func testJoinWithAnUnknownCodeIsNotFound() {
        open("alice", session: 1)
        open("bob", session: 2)
        _ = createParty(from: 1)
        XCTAssertEqual(errorCode(run(.join(inviteCode: "ZZZZZZZZ"), from: 2)), .notFound)
        XCTAssertEqual(errorCode(run(.join(inviteCode: ""), from: 2)), .notFound)
        XCTAssertNil(hub.party(of: "bob"))
    }

    func testTheSixthJoinerIsTurnedAwayWithPartyFull() {
        let party = partyOfAlice(joiners: 4)
        XCTAssertEqual(hub.party(of: "alice")?.members.count, 5)
        open("frank", session: 6)
        XCTAssertEqual(errorCode(run(.join(inviteCode: party.inviteCode), from: 6)), .partyFull)
        XCTAssertNil(hub.party(of: "frank"))
        XCTAssertEqual(hub.seq(ofParty: party.id), 4, "a refused join is no event")
        // A seat that frees up can be taken.
        run(.leave, from: 5, rid: nil)
        XCTAssertEqual(replies(run(.join(inviteCode: party.inviteCode), from: 6)).count, 1)
        XCTAssertEqual(hub.party(of: "frank")?.members, ["alice", "bob", "carol", "dave", "frank"])
    }

    func testTheSeatLimitComesFromTheConfiguration() {
        var configuration = HubConfiguration()
        configuration.maxMembers = 2
        hub = Hub(configuration: configuration)
        let party = partyOfAlice(joiners: 1)
        XCTAssertEqual(party.maxMembers, 2)
        XCTAssertEqual(errorCode(run(.join(inviteCode: party.inviteCode), from: 3)), .partyFull)
    }

    func testLeaveAndChatOutsideAPartyAreNotInParty() {
        open("alice", session: 1)
        XCTAssertEqual(errorCode(run(.leave, from: 1)), .notInParty)
        XCTAssertEqual(errorCode(run(.chat(text: "hi"), from: 1)), .notInParty)
    }

    func testEmptyChatIsInvalidMessage() {
        let party = partyOfAlice(joiners: 0)
        XCTAssertEqual(errorCode(run(.chat(text: ""), from: 1)), .invalidMessage)
        XCTAssertEqual(hub.seq(ofParty: party.id), 0)
    }

    func testChatOf1025ScalarsIsInvalidMessageAnd1024IsAccepted() {
        let party = partyOfAlice(joiners: 0)
        XCTAssertEqual(errorCode(run(.chat(text: String(repeating: "a", count: 1025)), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(run(.chat(text: String(repeating: "😀", count: 1025)), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(run(.chat(text: String(repeating: "é", count: 1025)), from: 1)), .invalidMessage)
        XCTAssertEqual(hub.seq(ofParty: party.id), 0)
        for text in [
            String(repeating: "a", count: 1024), String(repeating: "😀", count: 1024),
            String(repeating: "é", count: 1024),
        ] {
            let outputs = run(.chat(text: text), from: 1)
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
        hub = Hub(configuration: configuration)
        let party = partyOfAlice(joiners: 1)
        for index in 0..<3 { XCTAssertEqual(events(run(.chat(text: "burst \(index)"), from: 1)).count, 1) }
        XCTAssertEqual(errorCode(run(.chat(text: "too fast"), from: 1)), .rateLimited)
        XCTAssertEqual(hub.seq(ofParty: party.id), 4, "a refused chat is no event")
        // The limit is per player: Bob still has his burst.
        XCTAssertEqual(events(run(.chat(text: "bob here"), from: 2)).count, 1)
        // At 2 per second a token takes 500 ms.
        now += 499
        XCTAssertEqual(errorCode(run(.chat(text: "still too fast"), from: 1)), .rateLimited)
        now += 1
        XCTAssertEqual(events(run(.chat(text: "refilled"), from: 1)).count, 1)
        XCTAssertEqual(errorCode(run(.chat(text: "again too fast"), from: 1)), .rateLimited)
        // Waiting long refills no more than the burst.
        now += 60_000
        for index in 0..<3 { XCTAssertEqual(events(run(.chat(text: "burst again \(index)"), from: 1)).count, 1) }
        XCTAssertEqual(errorCode(run(.chat(text: "over the burst"), from: 1)), .rateLimited)
    }

    // MARK: Sequence numbers

    func testSeqGrowsByExactlyOneWithEveryEventOfTheParty() {
        hub = Hub(configuration: Self.leavesOnDisconnect)
        let party = partyOfAlice(joiners: 0)
        var all: [PartyEvent] = []
        func record(_ outputs: [HubOutput]) { all += events(outputs).map(\.event).filter { $0.partyID == party.id } }
        record(join(party, from: 2))
        record(join(party, from: 3))
        record(run(.chat(text: "one"), from: 1, rid: nil))
        record(run(.chat(text: "two"), from: 2, rid: 9))
        record(run(.leave, from: 1))  // member_left and leader_changed
        record(run(.chat(text: "bad"), from: 1))  // not in party: no event
        record(join(party, from: 4))
        record(close(session: 2))  // the new leader's last session: member_left and leader_changed
        record(run(.chat(text: "three"), from: 3))
        XCTAssertEqual(all.map(\.seq), Array(1...10))
        XCTAssertEqual(hub.seq(ofParty: party.id), 10)
        // Another party counts on its own.
        open("zoe", session: 9)
        open("yann", session: 10)
        let other = createParty(from: 9)
        XCTAssertEqual(events(join(other, from: 10)).map(\.event.seq), [1])
        XCTAssertEqual(hub.seq(ofParty: party.id), 10)
    }

    // MARK: Leaders and the end of a party

    func testWhenTheLeaderLeavesTheEarliestJoinerLeads() {
        let party = partyOfAlice(joiners: 3)  // alice, bob, carol, dave
        let outputs = run(.leave, from: 1)
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
        XCTAssertEqual(events(run(.leave, from: 3)).map(\.event.body), [.memberLeft(player: "carol")])
        XCTAssertEqual(hub.party(of: "bob")?.leader, "bob")
        XCTAssertEqual(
            events(run(.leave, from: 2)).map(\.event.body),
            [.memberLeft(player: "bob"), .leaderChanged(leader: "dave")])
        XCTAssertEqual(hub.party(of: "dave")?.leader, "dave")
    }

    func testARejoinerCountsFromTheirNewJoinForTheHandOver() {
        let party = partyOfAlice(joiners: 2)  // alice, bob, carol
        run(.leave, from: 2)
        join(party, from: 2)  // bob is now the latest joiner
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "carol", "bob"])
        XCTAssertEqual(
            events(run(.leave, from: 1)).map(\.event.body),
            [.memberLeft(player: "alice"), .leaderChanged(leader: "carol")])
    }

    func testTheLastLeaverEndsThePartyAndItsCodeIsThenNotFound() {
        let party = partyOfAlice(joiners: 1)
        run(.leave, from: 1)
        let outputs = run(.leave, from: 2, rid: 4)
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
        XCTAssertEqual(errorCode(run(.join(inviteCode: party.inviteCode), from: 3)), .notFound)
        XCTAssertEqual(errorCode(run(.join(inviteCode: party.inviteCode), from: 1)), .notFound)
    }

    // MARK: Several sessions of one player

    func testAPlayerWithTwoSessionsIsOneMemberAndBothSessionsReceiveEvents() {
        open("alice", session: 1)
        open("alice", session: 11)
        open("bob", session: 2)
        XCTAssertEqual(hub.playerCount, 2)
        let party = createParty(from: 1)
        let joined = join(party, from: 2)
        XCTAssertEqual(events(joined).map(\.recipients), [[session(1), session(11), session(2)]])
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
        // The second session speaks for the same player.
        XCTAssertEqual(errorCode(run(.create(), from: 11)), .alreadyInParty)
        let chat = run(.chat(text: "from my phone"), from: 11, rid: 8)
        XCTAssertEqual(replies(chat).map(\.session), [session(11)], "the reply goes to the session that asked")
        guard case .chat(let from, _, _)? = events(chat).first?.event.body else { return XCTFail("no chat event") }
        XCTAssertEqual(from, "alice")
        // A session opened while in the party receives the party's events too.
        open("bob", session: 12)
        XCTAssertEqual(
            events(run(.chat(text: "hi"), from: 1, rid: nil)).map(\.recipients),
            [[session(1), session(11), session(2), session(12)]])
        XCTAssertEqual(hub.party(of: "bob")?.members, ["alice", "bob"])
    }

    func testClosingOneOfTwoSessionsKeepsTheMemberAndClosingTheLastLeavesWithoutGrace() {
        hub = Hub(configuration: Self.leavesOnDisconnect)
        open("alice", session: 1)
        open("alice", session: 11)
        open("bob", session: 2)
        let party = createParty(from: 1)
        join(party, from: 2)
        XCTAssertEqual(close(session: 1), [], "the player still has a session")
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
        XCTAssertEqual(hub.party(of: "alice")?.leader, "alice")
        XCTAssertEqual(events(run(.chat(text: "x"), from: 2, rid: nil)).map(\.recipients), [[session(11), session(2)]])
        // The last session closes: the player leaves, and leadership moves on.
        let outputs = close(session: 11)
        XCTAssertEqual(
            events(outputs).map(\.event.body), [.memberLeft(player: "alice", reason: .timeout), .leaderChanged(leader: "bob")])
        XCTAssertEqual(events(outputs).map(\.event.seq), [3, 4])
        XCTAssertEqual(replies(outputs).count, 0)
        XCTAssertEqual(events(outputs).last?.recipients, [session(2)])
        XCTAssertEqual(hub.party(of: "bob")?.members, ["bob"])
        XCTAssertEqual(hub.playerCount, 1)
        // Alone and disconnecting: the party ends.
        close(session: 2)
        XCTAssertEqual(hub.partyCount, 0)
        XCTAssertEqual(hub.playerCount, 0)
    }

    // MARK: Replies

    func testRepliesOnlyWhenTheCommandCarriesARid() {
        open("alice", session: 1)
        open("bob", session: 2)
        XCTAssertEqual(run(.create(), from: 1, rid: nil), [], "a create without rid says nothing")
        guard let party = hub.party(of: "alice") else { return XCTFail("the party was not created") }
        XCTAssertEqual(run(.join(inviteCode: "NOPE2345"), from: 2, rid: nil), [], "a failure without rid says nothing")
        let joined = run(.join(inviteCode: party.inviteCode), from: 2, rid: nil)
        XCTAssertEqual(joined.count, 1)
        XCTAssertEqual(replies(joined).count, 0)
        XCTAssertEqual(replies(run(.chat(text: "a"), from: 1, rid: nil)).count, 0)
        XCTAssertEqual(replies(run(.chat(text: "b"), from: 1, rid: 0)).map(\.rid), [0], "rid 0 is a rid")
        XCTAssertEqual(replies(run(.chat(text: "c"), from: 1, rid: -3)).map(\.rid), [-3])
    }

    func testTheReplyComesBeforeTheEventsOfItsCommand() {
        open("alice", session: 1)
        open("bob", session: 2)
        let party = createParty(from: 1)
        for outputs in [
            run(.join(inviteCode: party.inviteCode), from: 2, rid: 21),
            run(.chat(text: "hi"), from: 1, rid: 22),
            run(.leave, from: 1, rid: 23),  // member_left and leader_changed
        ] {
            XCTAssertGreaterThanOrEqual(outputs.count, 2)
            guard case .reply = outputs.first else { return XCTFail("the reply is not first: \(outputs)") }
            XCTAssertEqual(replies(outputs).count, 1)
            XCTAssertEqual(events(outputs).count, outputs.count - 1)
        }
    }

    func testAPlayerWhoseLastSessionClosedIsForgotten() {
        open("alice", session: 1)
        XCTAssertEqual(hub.playerCount, 1)
        XCTAssertEqual(close(session: 1), [])
        XCTAssertEqual(hub.playerCount, 0)
        XCTAssertEqual(close(session: 1), [], "a second close of the same session is ignored")
        open("alice", session: 3)
        XCTAssertEqual(createParty(from: 3).members, ["alice"])
    }

    // MARK: Get, kick, promote, disband

    func testGetRepliesWithTheCallersPartyOrNotInParty() {
        let party = partyOfAlice(joiners: 1)
        guard case .reply(_, _, .success(.party(let got)))? = run(.get, from: 2).first else {
            return XCTFail("party.get should reply with the party")
        }
        XCTAssertEqual(got.id, party.id)
        XCTAssertEqual(got.members, ["alice", "bob"])
        XCTAssertEqual(errorCode(run(.get, from: 3)), .notInParty)
    }

    func testKickRemovesTheMemberWithReasonKickedAndTellsThemToo() {
        let party = partyOfAlice(joiners: 2)
        let outputs = run(.kick(player: "bob"), from: 1)
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
        _ = partyOfAlice(joiners: 2)
        XCTAssertEqual(errorCode(run(.kick(player: "carol"), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(run(.promote(player: "carol"), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(run(.kick(player: "alice"), from: 1)), .invalidTarget)
        XCTAssertEqual(errorCode(run(.promote(player: "alice"), from: 1)), .invalidTarget)
        XCTAssertEqual(errorCode(run(.kick(player: "dave"), from: 1)), .notMember)
        XCTAssertEqual(errorCode(run(.promote(player: "nobody"), from: 1)), .notMember)
        XCTAssertEqual(errorCode(run(.kick(player: "bob"), from: 4)), .notInParty)
        XCTAssertEqual(errorCode(run(.disband, from: 3)), .notLeader)
        XCTAssertEqual(errorCode(run(.disband, from: 4)), .notInParty)
    }

    func testPromoteHandsTheLeadToAnotherMember() {
        _ = partyOfAlice(joiners: 2)
        let outputs = run(.promote(player: "carol"), from: 1)
        XCTAssertEqual(events(outputs).map(\.event.body), [.leaderChanged(leader: "carol")])
        XCTAssertEqual(hub.party(of: "bob")?.leader, "carol")
        XCTAssertEqual(errorCode(run(.kick(player: "bob"), from: 1)), .notLeader, "alice no longer leads")
        XCTAssertEqual(events(run(.kick(player: "alice"), from: 3)).map(\.event.body), [.memberLeft(player: "alice", reason: .kicked)])
    }

    func testDisbandTellsEveryMemberAndEndsTheParty() {
        let party = partyOfAlice(joiners: 2)
        let outputs = run(.disband, from: 1)
        guard case .reply(_, _, .success(.empty))? = outputs.first else { return XCTFail("the reply comes first: \(outputs)") }
        let disbanded = events(outputs)
        XCTAssertEqual(disbanded.map(\.event.body), [.disbanded(by: "alice")])
        XCTAssertEqual(Set(disbanded.first?.recipients ?? []), [session(1), session(2), session(3)])
        XCTAssertNil(hub.party(of: "alice"))
        XCTAssertNil(hub.party(of: "carol"))
        XCTAssertEqual(hub.partyCount, 0)
        XCTAssertEqual(errorCode(run(.join(inviteCode: party.inviteCode), from: 4)), .notFound, "the code is gone")
        XCTAssertNotNil(replies(run(.create(), from: 2)).first, "a former member may start a new party")
    }

    // MARK: Roles

    func testSetRoleAnnouncesTheRoleAndShowsItInTheRoster() {
        _ = partyOfAlice(joiners: 1)
        now += 1000
        let outputs = run(.setRole(.healer), from: 2)
        XCTAssertEqual(events(outputs).map(\.event.body), [.roleChanged(player: "bob", role: .healer)])
        XCTAssertEqual(Set(events(outputs).first?.recipients ?? []), [session(1), session(2)])
        let party = hub.party(of: "alice")
        XCTAssertEqual(party?.roster.map(\.role), [nil, .healer])
        XCTAssertEqual(party?.updatedAt, now)
        XCTAssertEqual(events(run(.setRole(nil), from: 2)).map(\.event.body), [.roleChanged(player: "bob", role: nil)])
        XCTAssertEqual(errorCode(run(.setRole(.tank), from: 3)), .notInParty)
    }

    func testARoleDoesNotFollowThePlayerIntoTheNextParty() {
        let party = partyOfAlice(joiners: 1)
        run(.setRole(.tank), from: 2)
        run(.leave, from: 2)
        join(party, from: 2)
        XCTAssertEqual(hub.party(of: "bob")?.roster.last?.role, nil)
    }

    // MARK: Seats and loot

    func testCreateTakesSeatsWithinTheServerLimitAndALootMode() {
        open("alice", session: 1)
        XCTAssertEqual(errorCode(run(.create(maxMembers: 1), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(run(.create(maxMembers: 41), from: 1)), .invalidMessage)
        guard case .reply(_, _, .success(.party(let party)))? = run(.create(maxMembers: 40, lootMode: .masterLooter), from: 1).first
        else { return XCTFail("a raid of 40 may be created") }
        XCTAssertEqual(party.maxMembers, 40)
        XCTAssertEqual(party.lootMode, .masterLooter)
        XCTAssertEqual(party.masterLooter, "alice", "the creator loots until the leader says otherwise")
    }

    func testAPartyOfTwoSeatsIsFullAtTwo() {
        open("alice", session: 1)
        open("bob", session: 2)
        open("carol", session: 3)
        guard case .reply(_, _, .success(.party(let party)))? = run(.create(maxMembers: 2), from: 1).first else {
            return XCTFail("create failed")
        }
        join(party, from: 2)
        XCTAssertEqual(errorCode(run(.join(inviteCode: party.inviteCode), from: 3)), .partyFull)
    }

    func testSetLootIsTheLeadersAndTheMasterLooterIsAMember() {
        _ = partyOfAlice(joiners: 2)
        XCTAssertEqual(errorCode(run(.setLoot(.personal, masterLooter: nil), from: 2)), .notLeader)
        XCTAssertEqual(errorCode(run(.setLoot(.masterLooter, masterLooter: nil), from: 1)), .invalidMessage)
        XCTAssertEqual(errorCode(run(.setLoot(.masterLooter, masterLooter: "dave"), from: 1)), .notMember)
        XCTAssertEqual(errorCode(run(.setLoot(.personal, masterLooter: "bob"), from: 1)), .invalidMessage)
        let outputs = run(.setLoot(.masterLooter, masterLooter: "bob"), from: 1)
        XCTAssertEqual(events(outputs).map(\.event.body), [.lootChanged(mode: .masterLooter, masterLooter: "bob")])
        XCTAssertEqual(hub.party(of: "carol")?.masterLooter, "bob")
        // The master looter leaves: the leader takes over, announced.
        XCTAssertEqual(
            events(run(.leave, from: 2)).map(\.event.body),
            [.memberLeft(player: "bob", reason: .left), .lootChanged(mode: .masterLooter, masterLooter: "alice")])
        XCTAssertEqual(events(run(.setLoot(.freeForAll, masterLooter: nil), from: 1)).map(\.event.body), [.lootChanged(mode: .freeForAll, masterLooter: nil)])
        XCTAssertNil(hub.party(of: "alice")?.masterLooter)
    }

    func testWhenTheLeaderWhoLootsLeavesTheNewLeaderLoots() {
        _ = partyOfAlice(joiners: 2)
        run(.setLoot(.masterLooter, masterLooter: "alice"), from: 1)
        XCTAssertEqual(
            events(run(.leave, from: 1)).map(\.event.body),
            [
                .memberLeft(player: "alice", reason: .left), .leaderChanged(leader: "bob"),
                .lootChanged(mode: .masterLooter, masterLooter: "bob"),
            ])
    }
}
