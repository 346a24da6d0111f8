import XCTest

@testable import Realtime

/// The per-connection stage of backpressure: a connection is held once `limit` of its requests
/// wait at the hub's loop, and read again once the hub's handled count leaves half of them.
final class ConnectionHubBacklogTests: XCTestCase {
    func testAConnectionIsHeldAtTheLimitAndReadAgainAtHalf() {
        var backlog = ConnectionHubBacklog()
        for sequence in 1...7 {
            XCTAssertFalse(backlog.submitted(Int64(sequence), limit: 8, handled: { 0 }))
        }
        XCTAssertTrue(backlog.submitted(8, limit: 8, handled: { 0 }), "the eighth waiting request holds it")
        XCTAssertTrue(backlog.isPaused)
        XCTAssertFalse(backlog.submitted(9, limit: 8, handled: { 0 }), "held once")
        XCTAssertFalse(backlog.checked(limit: 8, handled: 4), "5 still wait: more than half")
        XCTAssertEqual(backlog.waiting, 5)
        XCTAssertTrue(backlog.checked(limit: 8, handled: 5), "4 wait: half")
        XCTAssertFalse(backlog.isPaused)
        XCTAssertFalse(backlog.checked(limit: 8, handled: 9), "read again once")
    }

    func testRequestsTheHubHasCarriedOutDoNotCount() {
        var backlog = ConnectionHubBacklog()
        // Other connections' requests take the numbers between: only this one's count.
        for sequence in stride(from: 10, through: 1000, by: 10) {
            XCTAssertFalse(backlog.submitted(Int64(sequence), limit: 8, handled: { Int64(sequence) - 15 }))
        }
        XCTAssertLessThanOrEqual(backlog.waiting, 4, "the hub keeps up: only the last few are kept")
    }

    func testALimitBelowTheTrimThresholdHoldsAtTheLimit() {
        var backlog = ConnectionHubBacklog()
        XCTAssertTrue(backlog.submitted(1, limit: 1, handled: { 0 }), "one waiting request is the limit")
        var two = ConnectionHubBacklog()
        XCTAssertFalse(two.submitted(1, limit: 2, handled: { 0 }))
        XCTAssertTrue(two.submitted(2, limit: 2, handled: { 0 }))
    }

    func testZeroTurnsTheLimitOffAndKeepsNothing() {
        var backlog = ConnectionHubBacklog()
        for sequence in 1...1000 {
            XCTAssertFalse(backlog.submitted(Int64(sequence), limit: 0, handled: { 0 }))
        }
        XCTAssertEqual(backlog.waiting, 0)
        XCTAssertFalse(backlog.isPaused)
    }
}
