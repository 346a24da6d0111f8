import Protocol
import XCTest

@testable import Realtime

/// `--max-sessions-per-player`: one account cannot hold connections without limit (each is a
/// recipient of the party's every event); a connection past the cap ends the oldest.
final class HubSessionCapTests: XCTestCase {
    private var hub = HubDriver(configuration: HubDriver.configuration { $0.maxSessionsPerPlayer = 2 })

    func testTheDefaultCapIsEight() {
        XCTAssertEqual(HubConfiguration().maxSessionsPerPlayer, 8)
    }

    func testAConnectionPastTheCapEndsThePlayersOldestAndNobodyHearsOfIt() {
        _ = hub.partyOfAlice(joiners: 1)  // alice on session 1, bob on 2
        hub.open("alice", session: 11)
        let outputs = hub.open("alice", session: 12)
        XCTAssertEqual(outputs.filter(\.isSessionEnded), [.sessionEnded(session(1), reason: .tooManySessions)])
        XCTAssertEqual(bodies(outputs), [], "alice never went offline: no presence event")
        XCTAssertEqual(events(hub.run(.chat(text: "hi"), from: 2)).first?.recipients, [session(11), session(12), session(2)])
        XCTAssertEqual(hub.run(.get, from: 1), [], "the ended session is no longer the hub's: its commands are dropped")
        XCTAssertEqual(hub.close(session: 1), [], "its connection closing later changes nothing")
        XCTAssertEqual(hub.party(of: "alice")?.roster.first?.online, true)
    }

    func testTheCapHoldsForAPlayerInNoPartyAndZeroTurnsItOff() {
        for number in UInt64(1)...5 { hub.open("zed", session: number) }
        XCTAssertEqual(hub.hub.sessionCount(of: "zed"), 2)
        hub = HubDriver(configuration: HubDriver.configuration { $0.maxSessionsPerPlayer = 0 })
        for number in UInt64(1)...20 {
            XCTAssertFalse(hub.open("zed", session: number).contains(where: \.isSessionEnded))
        }
        XCTAssertEqual(hub.hub.sessionCount(of: "zed"), 20)
    }
}

extension HubOutput {
    var isSessionEnded: Bool {
        if case .sessionEnded = self { return true }
        return false
    }
}
