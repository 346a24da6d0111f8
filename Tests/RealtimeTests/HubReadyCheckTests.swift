import Protocol
import XCTest

@testable import Realtime

/// Ready checks: the leader asks (and counts as ready), members answer, and the result goes
/// out when everyone asked has answered or on the first tick after the deadline.
final class HubReadyCheckTests: XCTestCase {
    private var hub = HubDriver()
    private var duration: Int64 { hub.configuration.readyCheckMilliseconds }
    private let nobodyWithARole = CompositionReport(slots: nil, filled: Composition(tank: 0, healer: 0, dps: 0), unassigned: 3)

    /// The result that ends `outputs`, if they end a check.
    private func result(of outputs: [HubOutput]) -> ReadyCheckResult? {
        guard case .readyCheckResult(let result)? = bodies(outputs).last else { return nil }
        return result
    }

    func testTheLeaderStartsACheckAndCountsAsReady() {
        let party = hub.partyOfAlice(joiners: 2)
        let outputs = hub.run(.readyCheck, from: 1, rid: 2)
        let expiresAt = hub.now + duration
        XCTAssertEqual(
            outputs,
            [
                .reply(session(1), rid: 2, .success(.empty)),
                .event(
                    PartyEvent(
                        partyID: party.id, seq: 3, body: .readyCheckStarted(by: "alice", expiresAt: expiresAt, composition: nobodyWithARole)),
                    recipients: [session(1), session(2), session(3)]),
            ])
        XCTAssertEqual(
            hub.party(of: "bob")?.readyCheck,
            ReadyCheckSnapshot(
                by: "alice", expiresAt: expiresAt,
                answers: [
                    ReadyAnswer(player: "alice", ready: true), ReadyAnswer(player: "bob", ready: nil),
                    ReadyAnswer(player: "carol", ready: nil),
                ]))
    }

    func testOnlyTheLeaderStartsACheckAndOnlyOneAtATime() {
        _ = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(hub.run(.readyCheck, from: 2)), .notLeader)
        XCTAssertEqual(errorCode(hub.run(.readyCheck, from: 3)), .notInParty)
        hub.run(.readyCheck, from: 1)
        XCTAssertEqual(errorCode(hub.run(.readyCheck, from: 1)), .readyCheckActive)
    }

    func testAnsweringWithoutACheckIsNoReadyCheck() {
        _ = hub.partyOfAlice(joiners: 1)
        XCTAssertEqual(errorCode(hub.run(.ready(true), from: 2)), .noReadyCheck)
        XCTAssertEqual(errorCode(hub.run(.ready(true), from: 3)), .notInParty)
    }

    func testAMemberWhoJoinedAfterTheStartIsNotAsked() {
        let party = hub.partyOfAlice(joiners: 1)
        hub.run(.readyCheck, from: 1)
        hub.join(party, from: 3)
        XCTAssertEqual(errorCode(hub.run(.ready(true), from: 3)), .noReadyCheck)
        XCTAssertEqual(hub.party(of: "carol")?.readyCheck?.answers.map(\.player), ["alice", "bob"])
    }

    func testTheResultComesWhenEveryoneAskedHasAnswered() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.run(.setRole(.tank), from: 2)
        hub.run(.readyCheck, from: 1)  // seq 4
        XCTAssertEqual(bodies(hub.run(.ready(true), from: 2)), [.readyAnswered(player: "bob", ready: true)])
        let outputs = hub.run(.ready(false), from: 3)
        let result = ReadyCheckResult(
            answers: [
                ReadyAnswer(player: "alice", ready: true), ReadyAnswer(player: "bob", ready: true),
                ReadyAnswer(player: "carol", ready: false),
            ], allReady: false, reason: .answered,
            composition: CompositionReport(slots: nil, filled: Composition(tank: 1, healer: 0, dps: 0), unassigned: 2))
        XCTAssertEqual(
            events(outputs).map(\.event),
            [
                PartyEvent(partyID: party.id, seq: 6, body: .readyAnswered(player: "carol", ready: false)),
                PartyEvent(partyID: party.id, seq: 7, body: .readyCheckResult(result)),
            ])
        XCTAssertNil(hub.party(of: "alice")?.readyCheck)
        XCTAssertEqual(hub.tick(after: duration), [], "the deadline of a finished check says nothing")
        XCTAssertEqual(errorCode(hub.run(.ready(true), from: 2)), .noReadyCheck)
        XCTAssertEqual(bodies(hub.run(.readyCheck, from: 1)).count, 1, "a new check may start")
    }

    func testEveryoneReadyIsAllReady() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.run(.readyCheck, from: 1)
        guard let result = result(of: hub.run(.ready(true), from: 2)) else { return XCTFail("no result") }
        XCTAssertTrue(result.allReady)
        XCTAssertEqual(result.reason, .answered)
    }

    func testAMemberMayChangeTheirAnswerWhileTheCheckRuns() {
        _ = hub.partyOfAlice(joiners: 2)
        hub.run(.readyCheck, from: 1)
        hub.run(.ready(false), from: 2)
        hub.run(.ready(true), from: 2)
        guard let result = result(of: hub.run(.ready(true), from: 3)) else { return XCTFail("no result") }
        XCTAssertTrue(result.allReady)
    }

    func testALeaderAloneGetsTheResultAtOnce() {
        let party = hub.partyOfAlice(joiners: 0)
        let outputs = hub.run(.readyCheck, from: 1)
        XCTAssertEqual(events(outputs).map(\.event.seq), [1, 2])
        guard let result = result(of: outputs) else { return XCTFail("no result: \(outputs)") }
        XCTAssertEqual(result.answers, [ReadyAnswer(player: "alice", ready: true)])
        XCTAssertTrue(result.allReady)
        XCTAssertEqual(hub.seq(ofParty: party.id), 2)
    }

    func testACheckTimesOutOnTheFirstTickAfterItsDeadline() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.run(.readyCheck, from: 1)
        hub.run(.ready(true), from: 3)
        XCTAssertEqual(hub.tick(after: duration - 1), [])
        let outputs = hub.tick(after: 1)
        let result = ReadyCheckResult(
            answers: [
                ReadyAnswer(player: "alice", ready: true), ReadyAnswer(player: "bob", ready: nil),
                ReadyAnswer(player: "carol", ready: true),
            ], allReady: false, reason: .timeout, composition: nobodyWithARole)
        XCTAssertEqual(
            outputs,
            [
                .event(
                    PartyEvent(partyID: party.id, seq: 5, body: .readyCheckResult(result)),
                    recipients: [session(1), session(2), session(3)])
            ])
        XCTAssertEqual(errorCode(hub.run(.ready(true), from: 2)), .noReadyCheck)
    }

    func testTheDeadlineOfAnEarlierCheckDoesNotEndALaterOne() {
        _ = hub.partyOfAlice(joiners: 1)
        hub.run(.readyCheck, from: 1)
        hub.run(.ready(true), from: 2)  // the first check ends
        hub.now += duration / 2
        hub.run(.readyCheck, from: 1)
        XCTAssertEqual(hub.tick(after: duration / 2), [], "the first check's deadline")
        XCTAssertNotNil(hub.party(of: "alice")?.readyCheck)
        guard let result = result(of: hub.tick(after: duration / 2)) else { return XCTFail("no result") }
        XCTAssertEqual(result.reason, .timeout)
    }

    func testAMemberLeavingMidCheckIsNoLongerWaitedFor() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.run(.readyCheck, from: 1)
        hub.run(.ready(true), from: 2)
        let outputs = hub.run(.leave, from: 3)
        XCTAssertEqual(events(outputs).map(\.event.seq), [5, 6])
        guard let result = result(of: outputs) else { return XCTFail("no result: \(outputs)") }
        XCTAssertEqual(result.answers, [ReadyAnswer(player: "alice", ready: true), ReadyAnswer(player: "bob", ready: true)])
        XCTAssertTrue(result.allReady)
        XCTAssertEqual(result.reason, .answered)
        XCTAssertEqual(events(outputs).last?.recipients, [session(1), session(2)], "the leaver hears no more")
        XCTAssertEqual(hub.seq(ofParty: party.id), 6)
    }

    func testTheLeaderLeavingMidCheckLeavesTheCheckRunning() {
        _ = hub.partyOfAlice(joiners: 2)
        hub.run(.readyCheck, from: 1)
        XCTAssertEqual(
            bodies(hub.run(.leave, from: 1)), [.memberLeft(player: "alice", reason: .left), .leaderChanged(leader: "bob")])
        XCTAssertEqual(hub.party(of: "bob")?.readyCheck?.answers.map(\.player), ["bob", "carol"])
        XCTAssertEqual(errorCode(hub.run(.readyCheck, from: 2)), .readyCheckActive)
        hub.run(.ready(true), from: 2)
        guard let result = result(of: hub.run(.ready(true), from: 3)) else { return XCTFail("no result") }
        XCTAssertTrue(result.allReady)
    }

    func testTheResultReportsTheComposition() {
        _ = hub.partyOfAlice(joiners: 1)
        let slots = Composition(tank: 1, healer: 1, dps: 0)
        hub.run(.setComposition(slots), from: 1)
        hub.run(.setRole(.tank), from: 1)
        hub.run(.readyCheck, from: 1)
        hub.run(.setRole(.healer), from: 2)
        guard let result = result(of: hub.run(.ready(true), from: 2)) else { return XCTFail("no result") }
        XCTAssertEqual(result.composition, CompositionReport(slots: slots, filled: Composition(tank: 1, healer: 1, dps: 0), unassigned: 0))
        XCTAssertTrue(result.composition.isComplete)
    }

    func testACheckWhoseAskedMembersAllLeaveIsNotAllReady() {
        let party = hub.partyOfAlice(joiners: 2)
        hub.run(.readyCheck, from: 1)
        hub.join(party, from: 4)  // not asked: Dave joined after the start
        hub.run(.leave, from: 1)
        hub.run(.leave, from: 2)
        guard let result = result(of: hub.run(.leave, from: 3)) else { return XCTFail("no result when the last asked left") }
        XCTAssertEqual(result.answers, [])
        XCTAssertFalse(result.allReady, "nobody asked is left to be ready")
        XCTAssertNil(hub.party(of: "dave")?.readyCheck)
    }
}
