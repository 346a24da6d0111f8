import Protocol
import XCTest

@testable import Realtime

/// Parties created per player per minute: a budget the hub keeps by player name, so that it
/// holds across reconnects, is in the snapshot, and refuses the same creations on replay.
final class HubPartyCreationLimitTests: XCTestCase {
    /// Two at once, then one a minute.
    private var hub = HubDriver(
        configuration: HubDriver.configuration {
            $0.partyCreationsPerMinute = 1
            $0.partyCreationBurst = 2
            $0.reconnectGraceMilliseconds = 0
        })

    private func createAndLeave(_ number: UInt64, file: StaticString = #filePath, line: UInt = #line) {
        _ = hub.createParty(from: number, file: file, line: line)
        XCTAssertNil(replyError(hub.run(.leave, from: number)), file: file, line: line)
    }

    func testCreationsPastTheBudgetAreRateLimitedAndOtherPlayersCreateOn() throws {
        hub.open("alice", session: 1)
        hub.open("bob", session: 2)
        createAndLeave(1)
        createAndLeave(1)
        let refusal = try XCTUnwrap(replyError(hub.run(.create(), from: 1)))
        XCTAssertEqual(refusal.code, .rateLimited)
        XCTAssertEqual(refusal.detail, .retryAfter(milliseconds: 60_000))
        XCTAssertNil(hub.party(of: "alice"), "a refused creation makes no party")
        // Bob has a budget of his own.
        _ = hub.createParty(from: 2)
        // A minute later one more creation is allowed.
        hub.tick(after: 60_000)
        _ = hub.createParty(from: 1)
    }

    func testReconnectingDoesNotRefillTheBudget() {
        hub.open("alice", session: 1)
        createAndLeave(1)
        createAndLeave(1)
        // Her last session closes (her record goes: she is in no party) and a new one opens.
        hub.close(session: 1)
        hub.open("alice", session: 3)
        XCTAssertEqual(errorCode(hub.run(.create(), from: 3)), .rateLimited)
    }

    func testTheBudgetsAreInTheSnapshotAndAZeroRateTurnsTheLimitOff() throws {
        hub.open("alice", session: 1)
        createAndLeave(1)
        createAndLeave(1)
        let bytes = encoded { hub.hub.encodeState(into: &$0) }
        let restored = HubDriver(configuration: hub.hub.configuration)
        restored.hub = try decoded(bytes) { try Hub(decodingState: &$0) }
        restored.now = hub.now
        XCTAssertEqual(restored.hub, hub.hub)
        XCTAssertEqual(errorCode(restored.run(.create(), from: 1)), .rateLimited, "the restored hub remembers the budget")
        // A restart with the limit off lets her create at once.
        var unlimited = hub.hub.configuration
        unlimited.partyCreationsPerMinute = 0
        restored.hub.reconfigure(unlimited)
        _ = restored.createParty(from: 1)
    }

    func testFullBudgetsAreForgottenOnceThereAreManyOfThem() {
        hub = HubDriver(configuration: HubDriver.configuration { $0.reconnectGraceMilliseconds = 0 })
        let players = Hub.minimumPartyCreationSweepThreshold
        for number in 1...UInt64(players) {
            hub.open("p\(number)", session: number)
            createAndLeave(number)
            hub.close(session: number)
        }
        XCTAssertEqual(hub.hub.partyCreationBuckets.count, players, "none refilled yet: nothing to forget")
        // Long enough for every budget to refill: the next new one sweeps all the others.
        hub.tick(after: 3_600_000)
        hub.open("late", session: 9_999)
        createAndLeave(9_999)
        XCTAssertEqual(Array(hub.hub.partyCreationBuckets.keys), ["late"])
    }
}
