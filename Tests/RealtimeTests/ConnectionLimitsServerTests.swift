import Foundation
import Protocol
import XCTest

@testable import Realtime

/// The connection limits through the real server, each hit while another client goes on
/// unharmed. Clients are told apart by `X-Forwarded-For` from a trusted 127.0.0.1 (every test
/// client connects from loopback), which tests `--trusted-proxies` on the way.
final class ConnectionLimitsServerTests: ServerTestCase {
    private static let attacker = "203.0.113.66"
    private static let player = "198.51.100.7"

    /// Upgrades `player`'s session as if forwarded for `address`; the response (101 or a refusal).
    private func upgrade(_ server: TestServer, _ player: String, from address: String?) throws -> (RawWebSocketClient, RawHTTPResponse) {
        let client = try connect(server)
        try client.send(
            RawWebSocketClient.upgradeRequest(
                path: server.partyPath(token: server.token(for: player)), port: server.port, key: RawWebSocketClient.randomKey(),
                headers: address.map { ["X-Forwarded-For": $0] } ?? [:]))
        return (client, try client.readHTTPResponse())
    }

    /// A signed-in session forwarded for `address`, its `session.ready` read.
    private func session(_ server: TestServer, _ player: String, from address: String?) throws -> RawWebSocketClient {
        let (client, response) = try upgrade(server, player, from: address)
        XCTAssertEqual(response.status, 101, response.bodyText)
        XCTAssertEqual(try client.readJSON()["ev"] as? String, "session.ready")
        return client
    }

    private func assertChatStillWorks(_ client: RawWebSocketClient, rid: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertTrue(try client.call("party.create", rid: rid).isOK, file: file, line: line)
        XCTAssertTrue(try client.call("party.chat", rid: rid + 1, ["text": "still fine"]).isOK, file: file, line: line)
    }

    func testOneAddressPastItsConnectionLimitGets429AndOthersStillConnect() throws {
        let server = try startServer {
            $0.maxConnectionsPerAddress = 3
            $0.trustedProxies = ["127.0.0.1"]
        }
        let held = try (0..<3).map { try session(server, "bot\($0)", from: Self.attacker) }
        let (_, refused) = try upgrade(server, "bot3", from: Self.attacker)
        XCTAssertEqual(refused.status, 429)
        XCTAssertEqual(try server.metric("partyhub_handshake_failures_total{reason=\"ip_connections\"}"), 1)
        // Another address is not affected, and neither are the sessions already open.
        try assertChatStillWorks(try session(server, "alice", from: Self.player), rid: 1)
        try assertChatStillWorks(held[0], rid: 10)
        // A closed session gives its place back.
        held[1].close()
        var reopened: RawHTTPResponse?
        for _ in 0..<100 {
            let (_, response) = try upgrade(server, "bot4", from: Self.attacker)
            if response.status == 101 {
                reopened = response
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(reopened?.status, 101, "a session's end frees its place")
    }

    func testHandshakesPastTheAddressRateGet429WithRetryAfterAndOthersStillConnect() throws {
        let server = try startServer {
            // Two at once, then one every 1000 s: the third is refused whatever the timing.
            $0.handshakeRatePerAddress = 0.001
            $0.handshakeBurstPerAddress = 2
            $0.trustedProxies = ["127.0.0.1"]
        }
        _ = try session(server, "bot0", from: Self.attacker)
        // A failed sign-in takes a handshake too.
        let bad = try connect(server)
        try bad.send(RawWebSocketClient.upgradeRequest(path: server.partyPath(token: server.forgedToken(for: "x")), port: server.port, key: RawWebSocketClient.randomKey(), headers: ["X-Forwarded-For": Self.attacker]))
        XCTAssertEqual(try bad.readHTTPResponse().status, 401)
        let (_, refused) = try upgrade(server, "bot2", from: Self.attacker)
        XCTAssertEqual(refused.status, 429)
        let retryAfter = try XCTUnwrap(Int(refused.header("retry-after") ?? ""), "429 says when to come back")
        XCTAssertGreaterThanOrEqual(retryAfter, 1)
        XCTAssertEqual(try server.metric("partyhub_handshake_failures_total{reason=\"ip_handshake_rate\"}"), 1)
        try assertChatStillWorks(try session(server, "alice", from: Self.player), rid: 1)
    }

    func testForwardedForIsIgnoredFromAnUntrustedPeer() throws {
        // 127.0.0.1 is not trusted here: each client's header is ignored and all count as one.
        let server = try startServer {
            $0.maxConnectionsPerAddress = 2
            $0.trustedProxies = ["192.0.2.1"]
        }
        _ = try session(server, "a", from: "198.51.100.1")
        _ = try session(server, "b", from: "198.51.100.2")
        XCTAssertEqual(try upgrade(server, "c", from: "198.51.100.3").1.status, 429, "loopback is not exempt")
        XCTAssertEqual(server.server.addressSessions("127.0.0.1"), 2)
    }

    func testTheRightmostUntrustedForwardedAddressIsTheClient() {
        var request = HTTPRequest(method: "GET", target: "/", minorVersion: 1, headers: [("X-Forwarded-For", "1.1.1.1, 203.0.113.9 , 10.0.0.2")])
        XCTAssertEqual(ClientAddress.of(request, peer: "10.0.0.1", trustedProxies: ["10.0.0.1", "10.0.0.2"]), "203.0.113.9")
        XCTAssertEqual(ClientAddress.of(request, peer: "198.51.100.1", trustedProxies: ["10.0.0.1"]), "198.51.100.1")
        request = HTTPRequest(method: "GET", target: "/", minorVersion: 1, headers: [])
        XCTAssertEqual(ClientAddress.of(request, peer: "10.0.0.1", trustedProxies: ["10.0.0.1"]), "10.0.0.1")
    }

    func testPastMaxConnectionsAnUpgradeGets503AndOpenSessionsGoOn() throws {
        let server = try startServer { $0.maxConnections = 2 }
        let alice = try session(server, "alice", from: nil)
        _ = try session(server, "bob", from: nil)
        let (_, refused) = try upgrade(server, "carol", from: nil)
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(try server.metric("partyhub_handshake_failures_total{reason=\"max_connections\"}"), 1)
        try assertChatStillWorks(alice, rid: 1)
    }

    func testPartiesCreatedPastThePlayersBudgetAreRateLimitedAndOthersCreateOn() throws {
        let server = try startServer {
            $0.hub.partyCreationsPerMinute = 1
            $0.hub.partyCreationBurst = 1
        }
        let alice = try session(server, "alice", from: nil)
        let bob = try session(server, "bob", from: nil)
        XCTAssertTrue(try alice.call("party.create", rid: 1).isOK)
        XCTAssertTrue(try alice.call("party.leave", rid: 2).isOK)
        let refusal = try alice.call("party.create", rid: 3)
        XCTAssertEqual(refusal.errorCode, "rate_limited")
        let retryAfter = try XCTUnwrap((refusal["error"] as? JSONObject)?["retry_after_ms"] as? Int)
        XCTAssertGreaterThan(retryAfter, 50_000, "about a minute")
        XCTAssertEqual(try server.metric("partyhub_commands_total{op=\"party.create\",result=\"rate_limited\"}"), 1)
        try assertChatStillWorks(bob, rid: 1)
    }

    func testAConnectionSendingTooFastIsWarnedThenClosedWith1008AndOthersGoOn() throws {
        let server = try startServer {
            // Three at once, then one every 1000 s.
            $0.inboundMessageRatePerSecond = 0.001
            $0.inboundMessageBurst = 3
        }
        let alice = try session(server, "alice", from: nil)
        let flooder = try session(server, "bot", from: nil)
        for rid in 1...3 { XCTAssertEqual(try flooder.call("party.get", rid: rid).errorCode, "not_in_party") }
        try flooder.sendCommand("party.get", rid: 4)
        let warning = try flooder.readJSON()
        XCTAssertEqual(warning.errorCode, "rate_limited")
        XCTAssertTrue(warning["rid"] is NSNull, "the warning answers the connection, not the dropped command")
        XCTAssertNotNil((warning["error"] as? JSONObject)?["retry_after_ms"])
        try flooder.sendCommand("party.get", rid: 5)
        XCTAssertEqual(try flooder.readUntilConnectionEnds(), .closeFrame(code: 1008))
        XCTAssertEqual(try server.metric("partyhub_inbound_rate_warnings_total"), 1)
        XCTAssertEqual(try server.metric("partyhub_inbound_rate_closes_total"), 1)
        // Alice has a bucket of her own.
        try assertChatStillWorks(alice, rid: 1)
    }
}
