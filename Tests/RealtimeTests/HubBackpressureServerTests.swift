import Foundation
import Protocol
import XCTest

@testable import Realtime

/// Two loops and a tiny hub backlog: a client on loop 1 that sends faster than the hub's loop
/// carries its commands out makes loop 1 stop reading, and every command is still answered, in
/// order, once loop 1 reads again. Nothing here is timed: the pause comes from one batch of
/// frames read at once, the resume from the hub catching up.
final class HubBackpressureServerTests: ServerTestCase {
    func testALoopWhoseRequestsPileUpAtTheHubPausesReadingAndLosesNothing() throws {
        let server = try startServer {
            $0.threads = 2
            $0.maxHubBacklog = 1
            $0.hub.chatRatePerSecond = 0
            $0.hub.commandRatePerSecond = 0
        }
        _ = try signIn("alice", to: server)  // dealt to loop 0
        let bob = try signIn("bob", to: server)  // dealt to loop 1
        XCTAssertEqual(try server.metric(#"partyhub_loop_connections{loop="1"}"#), 1)
        try bob.send(pipelinedPartyGets(300))  // one write: loop 1 reads many frames in one turn
        try expectRepliesInOrder(300, on: bob)
        XCTAssertGreaterThanOrEqual(try server.metric("partyhub_hub_backlog_read_pauses_total") ?? 0, 1)
    }
}

/// The per-connection stage: a client on loop 1 that pipelines commands is held back once a few
/// of its own wait at the hub, without the loop's gate (turned off here) and without losing or
/// reordering anything; another client of the same loop is answered meanwhile.
final class ConnectionBackpressureServerTests: ServerTestCase {
    func testAConnectionWhoseRequestsPileUpAtTheHubIsHeldAndLosesNothing() throws {
        let server = try startServer {
            $0.threads = 2
            $0.maxHubBacklog = 0
            $0.maxConnectionBacklog = 4
            $0.inboundMessageRatePerSecond = 0
            $0.hub.chatRatePerSecond = 0
            $0.hub.commandRatePerSecond = 0
        }
        _ = try signIn("alice", to: server)  // dealt to loop 0
        let bob = try signIn("bob", to: server)  // dealt to loop 1
        _ = try signIn("carol", to: server)  // loop 0
        let dave = try signIn("dave", to: server)  // loop 1, beside bob
        XCTAssertEqual(try server.metric(#"partyhub_loop_connections{loop="1"}"#), 2)
        try bob.send(pipelinedPartyGets(2000))  // one write: loop 1 reads many frames in one turn
        try dave.sendText(#"{"op":"party.get","rid":1}"#)
        XCTAssertEqual(try dave.nextMessage()["rid"] as? Int, 1, "bob's neighbour is answered")
        try expectRepliesInOrder(2000, on: bob)
        XCTAssertGreaterThanOrEqual(try server.metric("partyhub_connection_backlog_read_pauses_total") ?? 0, 1)
        XCTAssertEqual(try server.metric("partyhub_hub_backlog_read_pauses_total"), 0)
    }
}

/// `count` masked `party.get` frames with rids 1...count, to send in one write.
private func pipelinedPartyGets(_ count: Int) -> [UInt8] {
    var frames: [UInt8] = []
    for rid in 1...count {
        let payload = Array(#"{"op":"party.get","rid":\#(rid)}"#.utf8)
        frames += WebSocketFrameEncoder.maskedFrame(opcode: .text, fin: true, payload: payload, maskKey: (1, 2, 3, 4), rsv: 0)
    }
    return frames
}

/// The replies to `pipelinedPartyGets(count)`, every one, in order.
private func expectRepliesInOrder(_ count: Int, on client: RawWebSocketClient, file: StaticString = #filePath, line: UInt = #line) throws {
    for rid in 1...count {
        XCTAssertEqual(try client.nextMessage()["rid"] as? Int, rid, file: file, line: line)
    }
}
