import Protocol
import XCTest

@testable import Realtime

/// Connections coming and going: the reconnect grace, what `session.ready` holds, and
/// catching up through `session.resume` and `party.history`.
final class HubPresenceTests: XCTestCase {
    // The party is told of an absence at once here: these tests follow the grace; the notice
    // delay has HubPresenceCoalescingTests.
    private var hub = HubDriver(configuration: HubDriver.configuration { $0.offlineNoticeDelayMilliseconds = 0 })
    private var grace: Int64 { hub.configuration.reconnectGraceMilliseconds }

    // MARK: Reconnect grace

    func testTheLastConnectionClosingMakesTheMemberOfflineButKeepsTheSeat() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.open("bob", session: 12)
        XCTAssertEqual(hub.close(session: 2), [], "bob still has a connection")
        let outputs = hub.close(session: 12)
        XCTAssertEqual(
            outputs,
            [.event(PartyEvent(partyID: party.id, seq: 3, body: .memberOffline(player: "bob")), recipients: [session(1), session(3)])])
        let seen = hub.party(of: "alice")
        XCTAssertEqual(seen?.members, ["alice", "bob", "carol"])
        XCTAssertEqual(seen?.roster.map(\.online), [true, false, true])
        XCTAssertEqual(hub.nextDeadline, hub.now + grace)
    }

    func testReconnectingWithinTheGraceIsAnnouncedAndSessionReadyComesFirst() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.close(session: 2)
        hub.now += grace - 1
        let outputs = hub.open("bob", session: 12)
        guard let seen = sessionReady(outputs)?.party else { return XCTFail("session.ready has the party: \(outputs)") }
        XCTAssertEqual(seen.roster.map(\.online), [true, true])
        XCTAssertEqual(events(outputs).map(\.event), [PartyEvent(partyID: party.id, seq: 3, body: .memberOnline(player: "bob"))])
        XCTAssertEqual(seen.seq, 3, "the snapshot is the state after member_online")
        XCTAssertEqual(events(outputs).first?.recipients, [session(1)], "the new connection learns it from session.ready")
        XCTAssertEqual(hub.tick(after: 1), [], "the grace ended with the return")
        XCTAssertEqual(hub.party(of: "bob")?.members, ["alice", "bob"])
    }

    func testTheGraceRunningOutOnATickRemovesTheMemberWithReasonTimeout() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.close(session: 3)
        XCTAssertEqual(hub.tick(after: grace - 1), [])
        XCTAssertEqual(
            hub.tick(after: 1),
            [
                .event(
                    PartyEvent(partyID: party.id, seq: 4, body: .memberLeft(player: "carol", reason: .timeout)),
                    recipients: [session(1), session(2)])
            ])
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
        XCTAssertNil(hub.party(of: "carol"))
        XCTAssertEqual(hub.playerCount, 4, "carol is forgotten")
    }

    func testAnOfflineLeaderTimingOutHandsOverToTheEarliestJoinedOnlineMember() {
        let party = hub.partyOfAlice(joiners: 3)  // alice, bob, carol, dave
        hub.close(session: 1)
        hub.now += 10
        hub.close(session: 2)  // bob, the earliest joiner, is offline too
        let outputs = hub.tick(after: grace - 10)
        XCTAssertEqual(
            events(outputs).map(\.event),
            [
                PartyEvent(partyID: party.id, seq: 6, body: .memberLeft(player: "alice", reason: .timeout)),
                PartyEvent(partyID: party.id, seq: 7, body: .leaderChanged(leader: "carol")),
            ])
        XCTAssertEqual(hub.party(of: "dave")?.leader, "carol")
        XCTAssertEqual(
            bodies(hub.tick(after: 10)), [.memberLeft(player: "bob", reason: .timeout)], "bob's grace ends later")
    }

    func testWhenEveryoneIsOfflineTheEarliestJoinerLeads() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.close(session: 3)
        hub.close(session: 2)
        hub.run(.leave, from: 1)
        XCTAssertEqual(hub.party(of: "bob")?.leader, "bob")
        hub.tick(after: grace)
        XCTAssertEqual(hub.partyCount, 0, "the last offline member timing out ends the party")
        XCTAssertNil(hub.seq(ofParty: party.id))
    }

    func testWithoutGraceTheLastConnectionClosingLeavesAtOnceWithReasonTimeout() {
        hub = HubDriver(configuration: HubDriver.leavesOnDisconnect)
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(
            hub.close(session: 1),
            [
                .event(PartyEvent(partyID: party.id, seq: 2, body: .memberLeft(player: "alice", reason: .timeout)), recipients: [session(2)]),
                .event(PartyEvent(partyID: party.id, seq: 3, body: .leaderChanged(leader: "bob")), recipients: [session(2)]),
            ])
        XCTAssertNil(hub.nextDeadline)
    }

    func testAReturnAndASecondDropStartANewGrace() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.close(session: 2)
        hub.now += grace / 2
        hub.open("bob", session: 12)
        hub.close(session: 12)
        XCTAssertEqual(hub.tick(after: grace / 2), [], "the first grace no longer counts")
        XCTAssertEqual(bodies(hub.tick(after: grace / 2)), [.memberLeft(player: "bob", reason: .timeout)])
    }

    func testAnOfflineMemberWhoIsKickedIsForgottenAndTheGraceSaysNothing() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.close(session: 2)
        hub.run(.kick(player: "bob"), from: 1)
        XCTAssertEqual(hub.playerCount, 4)
        XCTAssertEqual(hub.tick(after: grace), [])
    }

    // MARK: session.ready

    func testSessionReadyHoldsThePartyAndThePendingInvites() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.open("zoe", session: 9)
        _ = hub.createParty(from: 9)
        guard let fromZoe = hub.invite("carol", from: 9), let fromAlice = hub.invite("carol", from: 1) else { return }
        guard let (_, none, invites) = sessionReady(hub.open("carol", session: 13)) else { return XCTFail("no session.ready") }
        XCTAssertNil(none)
        XCTAssertEqual(invites.map(\.id), [fromZoe.id, fromAlice.id], "oldest first")
        XCTAssertEqual(invites.last?.party.members, ["alice", "bob"])
        XCTAssertEqual(invites.last?.party.invites, [], "the outsider view: not the party's pending invites")
        guard let (_, seen, none) = sessionReady(hub.open("bob", session: 12)) else { return XCTFail("no session.ready") }
        XCTAssertEqual(none, [])
        XCTAssertEqual(seen, hub.party(of: "bob"))
        XCTAssertEqual(seen?.id, party.id)
    }

    // MARK: session.resume

    /// Alice's party with bob, then `chats` chats from alice (seq 2 onwards).
    private func partyWithChats(_ chats: Int) -> PartySnapshot {
        let party = hub.partyOfAlice(joiners: 1)
        for index in 0..<chats { hub.run(.chat(text: "chat \(index)"), from: 1, rid: nil) }
        return party
    }

    func testResumeReplaysTheMissedEventsToThatConnectionAfterTheReply() {
        let party = partyWithChats(3)  // seq 4
        hub.open("bob", session: 12)
        let outputs = hub.run(.resume(party: party.id, afterSeq: 2), from: 12, rid: 7)
        guard case .reply(session(12), 7, .success(.resumed(replayed: 2, seq: 4)))? = outputs.first else {
            return XCTFail("the reply comes first: \(outputs)")
        }
        XCTAssertEqual(events(outputs).map(\.event.seq), [3, 4])
        XCTAssertEqual(events(outputs).map(\.recipients), [[session(12)], [session(12)]])
        XCTAssertEqual(replyData(hub.run(.resume(party: party.id, afterSeq: 4), from: 2)), .resumed(replayed: 0, seq: 4))
        XCTAssertEqual(hub.seq(ofParty: party.id), 4, "a replay is no event")
    }

    func testResumePastTheCurrentSeqIsResyncRequiredWithTheParty() {
        let party = partyWithChats(1)
        let error = replyError(hub.run(.resume(party: party.id, afterSeq: 3), from: 2))
        XCTAssertEqual(error?.code, .resyncRequired)
        XCTAssertEqual(error?.detail, .resync(party: hub.party(of: "bob")))
    }

    func testResumeBeyondTheHistoryIsResyncRequired() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.historySize = 3 })
        let party = partyWithChats(4)  // seq 5; seq 3 to 5 held
        XCTAssertEqual(replyData(hub.run(.resume(party: party.id, afterSeq: 2), from: 2)), .resumed(replayed: 3, seq: 5))
        let error = replyError(hub.run(.resume(party: party.id, afterSeq: 1), from: 2))
        XCTAssertEqual(error?.code, .resyncRequired)
        XCTAssertEqual(error?.detail, .resync(party: hub.party(of: "bob")))
    }

    func testResumeOfAPartyThePlayerIsNotInIsResyncRequiredWithTheirPartyOrNull() {
        let party = partyWithChats(0)
        let error = replyError(hub.run(.resume(party: party.id, afterSeq: 0), from: 3))
        XCTAssertEqual(error?.code, .resyncRequired)
        XCTAssertEqual(error?.detail, .resync(party: nil), "carol is in no party")
        let own = hub.createParty(from: 3)
        let other = replyError(hub.run(.resume(party: party.id, afterSeq: 0), from: 3))
        XCTAssertEqual(other?.code, .resyncRequired)
        XCTAssertEqual(other?.detail, .resync(party: hub.party(of: "carol")))
        XCTAssertEqual(hub.party(of: "carol")?.id, own.id)
        XCTAssertEqual(hub.run(.resume(party: party.id, afterSeq: 0), from: 3).count, 1, "the reply and nothing else")
    }

    // MARK: party.history

    func testHistoryReturnsTheLastEventsBeforeASeq() {
        let party = partyWithChats(5)  // seq 6
        guard case .events(let all)? = replyData(hub.run(.history(beforeSeq: nil, limit: nil), from: 2)) else {
            return XCTFail("no events")
        }
        XCTAssertEqual(all.map(\.seq), Array(1...6))
        XCTAssertEqual(all.first, PartyEvent(partyID: party.id, seq: 1, body: .memberJoined(player: "bob")))
        XCTAssertEqual(historySeqs(hub.run(.history(beforeSeq: 5, limit: 2), from: 2)), [3, 4])
        XCTAssertEqual(historySeqs(hub.run(.history(beforeSeq: nil, limit: 1), from: 2)), [6])
        XCTAssertEqual(historySeqs(hub.run(.history(beforeSeq: 1, limit: nil), from: 2)), [])
        XCTAssertEqual(errorCode(hub.run(.history(beforeSeq: nil, limit: nil), from: 3)), .notInParty)
    }

    func testHistoryIsBoundedByTheConfiguredSizeAndTheDefaultLimit() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.historySize = 60; $0.chatBurst = 100 })
        _ = partyWithChats(70)  // seq 71
        XCTAssertEqual(historySeqs(hub.run(.history(beforeSeq: nil, limit: nil), from: 2)), Array(22...71), "50 by default")
        XCTAssertEqual(historySeqs(hub.run(.history(beforeSeq: nil, limit: 1000), from: 2)), Array(12...71), "all held")
    }
}
