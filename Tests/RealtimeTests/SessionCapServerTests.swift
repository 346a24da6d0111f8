import Protocol
import XCTest

@testable import Realtime

/// `--max-sessions-per-player` over real sockets: the oldest connection gets close code 4008.
final class SessionCapServerTests: ServerTestCase {
    func testAConnectionPastTheCapClosesThePlayersOldestWith4008() throws {
        let server = try startServer { $0.hub.maxSessionsPerPlayer = 2 }
        let oldest = try signIn("alice", to: server)
        let second = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        _ = try signIn("alice", to: server)
        XCTAssertEqual(try oldest.readUntilConnectionEnds(), .closeFrame(code: 4008))
        // The close is counted when the connection ends: after the client's close frame.
        try oldest.sendClose(code: 1000)
        _ = try oldest.readUntilEndOfStream()
        XCTAssertEqual(try second.call("party.get", rid: 1)["ok"] as? Bool, false, "the second still answers (not_in_party)")
        XCTAssertEqual(try bob.call("party.get", rid: 1)["ok"] as? Bool, false, "and another player goes on unharmed")
        XCTAssertEqual(try server.metric(#"partyhub_websocket_closes_total{code="4008"}"#), 1)
    }
}
