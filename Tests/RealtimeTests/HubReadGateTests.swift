import XCTest

@testable import Realtime

/// Backpressure between the loops: a loop stops reading its sockets while its requests pile up
/// at the hub's loop, and reads again once the hub has worked them down to half the limit.
final class HubReadGateTests: XCTestCase {
    func testALoopPausesPastTheLimitAndResumesAtHalf() {
        var gate = HubReadGate(limit: 100)
        XCTAssertEqual(gate.posted(backlog: 100), .none, "at the limit it still reads")
        XCTAssertEqual(gate.posted(backlog: 101), .pauseReading)
        XCTAssertEqual(gate.posted(backlog: 500), .none, "paused once")
        XCTAssertEqual(gate.checked(backlog: 51), .none, "not yet down to half")
        XCTAssertEqual(gate.checked(backlog: 50), .resumeReading)
        XCTAssertFalse(gate.isPaused)
        XCTAssertEqual(gate.checked(backlog: 0), .none, "resumed once")
    }

    func testZeroTurnsTheLimitOff() {
        var gate = HubReadGate(limit: 0)
        XCTAssertEqual(gate.posted(backlog: .max), .none)
        XCTAssertFalse(gate.isPaused)
    }

    func testTheBacklogIsWhatEachLoopPostedLessWhatTheHubHandled() {
        let backlog = HubBacklog(loopCount: 3)
        backlog.notePosted(10, by: 1)
        backlog.notePosted(4, by: 2)
        backlog.noteHandled(7, from: 1)
        XCTAssertEqual(backlog.backlog(of: 1), 3)
        XCTAssertEqual(backlog.backlog(of: 2), 4)
        XCTAssertEqual(backlog.backlog(of: 0), 0)
    }
}
