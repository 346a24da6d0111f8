import Protocol
import XCTest

@testable import Realtime

/// A member whose connection drops and comes back within `offlineNoticeDelayMilliseconds`
/// (2 s) makes no `member_offline`/`member_online` pair: a flapping member must not fill the
/// party's history (and push the others' `session.resume` into `resync_required`), nor the
/// deadline queue.
final class HubPresenceCoalescingTests: XCTestCase {
    private var hub = HubDriver()
    private var delay: Int64 { hub.configuration.offlineNoticeDelayMilliseconds }
    private var grace: Int64 { hub.configuration.reconnectGraceMilliseconds }

    func testTheDefaultDelayIsTwoSeconds() {
        XCTAssertEqual(HubConfiguration().offlineNoticeDelayMilliseconds, 2_000)
    }

    func testAReconnectWithinTheDelayTellsThePartyNothing() {
        let party = hub.partyOfAlice(joiners: 1)
        let seq = hub.seq(ofParty: party.id)
        XCTAssertEqual(hub.close(session: 2), [])
        hub.now += delay - 1
        XCTAssertEqual(bodies(hub.open("bob", session: 12)), [])
        XCTAssertEqual(hub.tick(after: grace), [], "nothing is told later either, and bob keeps his seat")
        XCTAssertEqual(hub.seq(ofParty: party.id), seq)
        XCTAssertEqual(hub.party(of: "alice")?.members, ["alice", "bob"])
    }

    func testStayingAwayPastTheDelayIsToldThenTheGraceEndsAsBefore() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.close(session: 2)
        XCTAssertEqual(hub.tick(after: delay - 1), [])
        XCTAssertEqual(
            hub.tick(after: 1),
            [.event(PartyEvent(partyID: party.id, seq: 2, body: .memberOffline(player: "bob")), recipients: [session(1)])])
        XCTAssertEqual(bodies(hub.tick(after: grace - delay)), [.memberLeft(player: "bob", reason: .timeout)])
    }

    func testAReturnAfterTheNoticeIsToldAsOnline() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.close(session: 2)
        hub.tick(after: delay)
        XCTAssertEqual(bodies(hub.open("bob", session: 12)), [.memberOnline(player: "bob")])
    }

    func testAFlappingMemberAddsNoHistoryAndAtMostOneDeadline() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.chat(text: "pull"), from: 1)
        let seq = hub.seq(ofParty: party.id) ?? 0
        let deadlinesBefore = hub.hub.deadlines.heap.count
        var session: UInt64 = 2
        for _ in 0..<1_000 {
            hub.close(session: session)
            hub.now += 1
            session += 100
            hub.open("bob", session: session)
            hub.now += 1
        }
        XCTAssertEqual(hub.seq(ofParty: party.id), seq, "no presence event went into the history")
        XCTAssertLessThanOrEqual(hub.hub.deadlines.heap.count, deadlinesBefore + 1, "one pending notice at most")
        // Alice, who saw the chat, resumes from it without a resync.
        guard case .resumed? = replyData(hub.run(.resume(party: party.id, afterSeq: seq), from: 1)) else {
            return XCTFail("session.resume needed a resync")
        }
    }

    func testZeroTellsAtOnceAsBefore() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.offlineNoticeDelayMilliseconds = 0 })
        let party = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(
            hub.close(session: 2),
            [.event(PartyEvent(partyID: party.id, seq: 2, body: .memberOffline(player: "bob")), recipients: [session(1)])])
        XCTAssertEqual(bodies(hub.open("bob", session: 12)), [.memberOnline(player: "bob")])
    }

    func testAGraceShorterThanTheDelayRemovesTheMemberWithoutANotice() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.reconnectGraceMilliseconds = 500 })
        _ = hub.partyOfAlice(joiners: 1)
        hub.close(session: 2)
        XCTAssertEqual(bodies(hub.tick(after: 500)), [.memberLeft(player: "bob", reason: .timeout)])
    }
}
