import Foundation
import Protocol
import XCTest

@testable import Realtime

/// The per-address and per-player limits under a flood through the real server: thousands of
/// upgrade attempts from one address and 2,000 sessions of one player (each from an
/// address of its own, so only the player's cap applies to them), both on threads of their own,
/// while a party forwarded for another address chats. Clients are told apart by
/// `X-Forwarded-For` from the trusted 127.0.0.1.
///
/// Only what the limits promise is asserted: counts of sessions and refusals, and that every
/// chat of the party arrives in order. How fast the party is served under the flood is a
/// benchmark's question (loadtest/flood.sh), not a test's.
final class FloodLimitsServerTests: ServerTestCase {
    private static let attacker = "203.0.113.66"
    private static let partyAddress = "198.51.100.7"
    private static let connectionsPerAddress = 256
    private static let handshakeRate = 50.0
    private static let handshakeBurst = 100.0
    private static let sessionsPerPlayer = 8
    private static let playerSessions = 2000

    /// What a flood thread saw, handed back to the test's thread.
    private final class FloodReport: @unchecked Sendable {
        private let lock = NSLock()
        private var _errors: [String] = []
        var attempts = 0
        var accepted = 0
        var refusedForRate = 0
        var refusedForConnections = 0
        var refusedForConnectionsBeforeTheLimit = 0
        var mostHeld = 0
        var seconds = 0.0
        var evicted = 0
        var open = 0
        var answering = 0

        func failed(_ error: String) { lock.withLock { _errors.append(error) } }
        var errors: [String] { lock.withLock { _errors } }
    }

    private static func upgrade(
        port: Int, partyPath: String, player: String, from address: String, codec: JWTCodec
    ) throws -> (RawWebSocketClient, RawHTTPResponse) {
        let client = try RawWebSocketClient(port: port)
        let token = codec.sign(subject: player, expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
        try client.send(
            RawWebSocketClient.upgradeRequest(
                path: partyPath + "?token=" + token, port: port, key: RawWebSocketClient.randomKey(),
                headers: ["X-Forwarded-For": address]))
        return (client, try client.readHTTPResponse())
    }

    /// Upgrade attempts from one address, every accepted session held open, until at least
    /// 2,000 attempts were made and one was refused for the address's connections (the
    /// handshake rate refuses most before that: 429 says which limit in its body).
    private static func floodFromOneAddress(port: Int, partyPath: String, report: FloodReport) {
        let codec = JWTCodec(secret: Array(TestServer.secret.utf8))
        var held: [RawWebSocketClient] = []
        defer { for client in held { client.close() } }
        let start = Date()
        let deadline = start.addingTimeInterval(120)
        do {
            while !(report.attempts >= 2000 && report.refusedForConnections > 0) {
                guard Date() < deadline else { return report.failed("the address flood never reached its limit") }
                report.attempts += 1
                let (client, response) = try upgrade(
                    port: port, partyPath: partyPath, player: "bot\(report.attempts)", from: attacker, codec: codec)
                switch response.status {
                case 101:
                    held.append(client)
                    report.accepted += 1
                    report.mostHeld = max(report.mostHeld, held.count)
                    guard held.count <= connectionsPerAddress else {
                        return report.failed("the address holds \(held.count) sessions, past its limit")
                    }
                case 429 where response.bodyText.contains("too many handshakes"):
                    report.refusedForRate += 1
                    client.close()
                case 429 where response.bodyText.contains("too many connections"):
                    report.refusedForConnections += 1
                    if held.count < connectionsPerAddress { report.refusedForConnectionsBeforeTheLimit += 1 }
                    client.close()
                default:
                    return report.failed("attempt \(report.attempts) was answered \(response.status) \(response.bodyText)")
                }
            }
            report.seconds = Date().timeIntervalSince(start)
        } catch {
            report.failed("address flood: \(error)")
        }
    }

    /// `playerSessions` sessions of one player; after each past the cap, the oldest still open
    /// must be closed with 4008, so that no more than the cap is ever open.
    private static func floodOnePlayer(port: Int, partyPath: String, report: FloodReport) {
        let codec = JWTCodec(secret: Array(TestServer.secret.utf8))
        var open: [RawWebSocketClient] = []
        defer { for client in open { client.close() } }
        do {
            for index in 0..<playerSessions {
                let address = "10.0.\(index / 200).\(index % 200 + 1)"
                let (client, response) = try upgrade(
                    port: port, partyPath: partyPath, player: "mallory", from: address, codec: codec)
                guard response.status == 101 else {
                    return report.failed("mallory's session \(index) was answered \(response.status)")
                }
                guard try client.readJSON()["ev"] as? String == "session.ready" else {
                    return report.failed("mallory's session \(index) was not greeted")
                }
                open.append(client)
                if open.count > sessionsPerPlayer {
                    let oldest = open.removeFirst()
                    let end = try oldest.readUntilConnectionEnds()
                    guard end == .closeFrame(code: 4008) else {
                        return report.failed("mallory's oldest session ended with \(end), not 4008")
                    }
                    // The close is counted when the connection ends.
                    try oldest.sendClose(code: 1000)
                    _ = try oldest.readUntilEndOfStream()
                    oldest.close()
                    report.evicted += 1
                }
            }
            report.open = open.count
            for (rid, client) in open.enumerated() {
                let reply = try client.call("party.get", rid: rid + 1)
                if reply["ok"] != nil { report.answering += 1 }
            }
        } catch {
            report.failed("player flood: \(error)")
        }
    }

    /// A session forwarded for the party's address.
    private func partySession(_ server: TestServer, _ player: String) throws -> RawWebSocketClient {
        let client = try connect(server)
        let response = try client.upgrade(
            path: server.partyPath(token: server.token(for: player)), headers: ["X-Forwarded-For": Self.partyAddress])
        XCTAssertEqual(response.status, 101, response.bodyText)
        XCTAssertEqual(try client.readJSON()["ev"] as? String, "session.ready")
        return client
    }

    func testTheLimitsHoldUnderAFloodAndAPartyElsewhereGetsEveryChatInOrder() throws {
        let server = try startServer {
            $0.maxConnectionsPerAddress = Self.connectionsPerAddress
            $0.handshakeRatePerAddress = Self.handshakeRate
            $0.handshakeBurstPerAddress = Self.handshakeBurst
            $0.hub.maxSessionsPerPlayer = Self.sessionsPerPlayer
            $0.trustedProxies = ["127.0.0.1"]
            // The party chats as fast as replies come back: the chat rate limit is not under test.
            $0.hub.chatRatePerSecond = 1_000_000
            $0.hub.chatBurst = 1_000_000
        }
        let alice = try partySession(server, "alice")
        let bob = try partySession(server, "bob")
        let carol = try partySession(server, "carol")
        let code = try XCTUnwrap(try alice.call("party.create", rid: 1).party?["invite_code"] as? String)
        XCTAssertTrue(try bob.call("party.join", rid: 2, ["invite_code": code]).isOK)
        XCTAssertTrue(try carol.call("party.join", rid: 3, ["invite_code": code]).isOK)

        let port = server.port
        let partyPath = server.configuration.partyPath
        let addressReport = FloodReport()
        let playerReport = FloodReport()
        let done = DispatchGroup()
        for flood in [
            { Self.floodFromOneAddress(port: port, partyPath: partyPath, report: addressReport) },
            { Self.floodOnePlayer(port: port, partyPath: partyPath, report: playerReport) },
        ] as [@Sendable () -> Void] {
            done.enter()
            Thread {
                flood()
                done.leave()
            }.start()
        }

        // Alice chats until both floods are over (at least 100 times); Bob and Carol must see
        // every chat, in the order sent, with rising sequence numbers.
        var sent = 0
        var lastSeq = [0, 0]
        while (done.wait(timeout: .now()) == .timedOut || sent < 100) && sent < 20_000 {
            let text = "chat \(sent)"
            let reply = try alice.call("party.chat", rid: 1000 + sent, ["text": text])
            XCTAssertTrue(reply.isOK, "chat \(sent): \(reply)")
            for (index, member) in [bob, carol].enumerated() {
                let event = try member.event("party.chat")
                XCTAssertEqual(event["text"] as? String, text, "member \(index) got chats out of order")
                let seq = try XCTUnwrap(event.seq)
                XCTAssertGreaterThan(seq, lastSeq[index])
                lastSeq[index] = seq
            }
            sent += 1
        }
        XCTAssertEqual(done.wait(timeout: .now() + 180), .success, "the floods finished")
        XCTAssertEqual(addressReport.errors + playerReport.errors, [])

        // One address: never more than its limit at once, the limit reached, both refusals
        // counted, and no more handshakes accepted than the bucket allowed.
        XCTAssertGreaterThanOrEqual(addressReport.attempts, 2000)
        XCTAssertEqual(addressReport.mostHeld, Self.connectionsPerAddress)
        XCTAssertEqual(
            addressReport.accepted + addressReport.refusedForRate + addressReport.refusedForConnections,
            addressReport.attempts)
        XCTAssertEqual(addressReport.refusedForConnectionsBeforeTheLimit, 0)
        XCTAssertLessThanOrEqual(
            Double(addressReport.accepted), Self.handshakeBurst + Self.handshakeRate * addressReport.seconds + 1,
            "accepted handshakes stay within the burst plus the rate over \(addressReport.seconds) s")
        let refusedForConnections = try XCTUnwrap(
            try server.metric(#"partyhub_handshake_failures_total{reason="ip_connections"}"#))
        let refusedForRate = try XCTUnwrap(
            try server.metric(#"partyhub_handshake_failures_total{reason="ip_handshake_rate"}"#))
        XCTAssertGreaterThan(addressReport.refusedForRate, 0)
        XCTAssertEqual(Int(refusedForConnections), addressReport.refusedForConnections, "every refusal counted once")
        XCTAssertEqual(Int(refusedForRate), addressReport.refusedForRate, "every refusal counted once")

        // One player: the cap held after every session, and each one past it closed the oldest.
        XCTAssertEqual(playerReport.evicted, Self.playerSessions - Self.sessionsPerPlayer)
        XCTAssertEqual(playerReport.open, Self.sessionsPerPlayer)
        XCTAssertEqual(playerReport.answering, Self.sessionsPerPlayer)
        XCTAssertEqual(try server.metric(#"partyhub_websocket_closes_total{code="4008"}"#), Int64(playerReport.evicted))
        XCTAssertGreaterThanOrEqual(sent, 100)
    }
}
