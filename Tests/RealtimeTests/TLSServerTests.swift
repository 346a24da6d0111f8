import COpenSSL
import Foundation
import Glibc
import Protocol
import XCTest

@testable import Realtime

/// The TLS listener on loopback, in process: certificates made with the `openssl` command line
/// (a root, an intermediate and a server chain), clients built on OpenSSL that trust only the root.
final class TLSServerTests: ServerTestCase {
    private var certificates: TestCertificates!

    override func setUpWithError() throws {
        try super.setUpWithError()
        certificates = try TestCertificates()
    }

    override func tearDown() {
        super.tearDown()
        certificates = nil
    }

    private func startTLSServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> (
        TestServer, tlsPort: Int
    ) {
        let certificates = self.certificates!
        let server = try startServer {
            $0.tls = TLSConfiguration(
                certificatePath: certificates.chainPath, privateKeyPath: certificates.keyPath, port: 0)
            configure(&$0)
        }
        return (server, try XCTUnwrap(server.server.tlsPort))
    }

    private func connectTLS(
        _ port: Int, configure: (inout TLSClientSession.Options) -> Void = { _ in }
    ) throws -> RawWebSocketClient {
        var options = TLSClientSession.Options(trustedRoot: certificates.rootPath)
        configure(&options)
        return try RawWebSocketClient(tlsPort: port, options: options)
    }

    func testHealthCheckOverTLS13NegotiatesHTTP11AndVerifiesTheChain() throws {
        let (server, tlsPort) = try startTLSServer()
        let client = try connectTLS(tlsPort)
        XCTAssertEqual(client.tls?.protocolVersion, "TLSv1.3")
        XCTAssertEqual(client.tls?.negotiatedApplicationProtocol, "http/1.1")
        XCTAssertEqual(client.tls?.peerCommonName, "partyhub-test-first")
        let response = try client.get("/healthz")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.bodyText, "ok\n")
        // Kept alive: a second request on the same TLS connection.
        XCTAssertEqual(try client.get("/healthz").status, 200)
        // Plain text is still served beside TLS.
        XCTAssertEqual(try server.get("/healthz").status, 200)
        XCTAssertEqual(try server.metric("partyhub_tls_handshakes_total"), 1)
    }

    func testTLSOnlyServerHasNoPlainTextListener() throws {
        let (server, tlsPort) = try startTLSServer { $0.servesPlainText = false }
        XCTAssertEqual(server.port, tlsPort, "with plain text off, the server's port is the TLS one")
        let client = try connectTLS(tlsPort)
        XCTAssertEqual(try client.get("/healthz").status, 200)
    }

    func testAServerWithNeitherPlainTextNorTLSRefusesToStart() throws {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.servesPlainText = false
        configuration.jwtSecret = Array("secret".utf8)
        configuration.dataDirectory = NSTemporaryDirectory() + "partyhub-test-\(UUID().uuidString)"
        configuration.logger = Logger(minimumLevel: .error)
        defer { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        XCTAssertThrowsError(try Server(configuration: configuration)) { error in
            XCTAssertTrue(error is ConfigurationError, "\(error)")
        }
    }

    func testAKeyThatDoesNotMatchTheCertificateIsAConfigurationError() throws {
        try certificates.writeMismatchedKey()
        XCTAssertThrowsError(try startTLSServer()) { error in
            XCTAssertTrue("\(error)".contains(self.certificates.keyPath), "the error names the key file: \(error)")
        }
    }

    func testPartySessionsOverTLSCreateJoinAndChat() throws {
        let (server, tlsPort) = try startTLSServer()
        let alice = try connectTLS(tlsPort)
        try alice.upgrade(path: server.partyPath(token: server.token(for: "alice")))
        XCTAssertEqual(try alice.readJSON()["ev"] as? String, "session.ready")
        // Bob on plain text: both listeners reach the same hub.
        let bob = try signIn("bob", to: server)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1).party)
        XCTAssertTrue(try bob.call("party.join", rid: 1, ["invite_code": party["invite_code"] as? String ?? ""]).isOK)
        _ = try alice.event("party.member_joined")
        try bob.sendText(#"{"op":"party.chat","rid":2,"text":"over tls? ✓"}"#)
        XCTAssertEqual(try alice.event("party.chat")["text"] as? String, "over tls? ✓")
        try alice.sendClose(code: 1000)
        XCTAssertEqual(try alice.readUntilConnectionEnds(inspect: { _ in }), .closeFrame(code: 1000))
    }

    /// Large messages make the server's writes block mid-record (the client is not reading
    /// while it sends) and its reads stop with records still in OpenSSL's buffer; many small
    /// frames in one burst share records. Every byte must come back in order.
    func testLargeAndPipelinedEchoesOverTLSArriveWhole() throws {
        let (_, tlsPort) = try startTLSServer {
            $0.echoPath = "/echo"
            $0.maxMessageBytes = 16 << 20
        }
        let client = try connectTLS(tlsPort)
        try client.upgrade(path: "/echo")
        for size in [0, 1, 125, 126, 16_383, 16_384, 16_385, 65_535, 65_536, 1 << 20, 6 << 20] {
            let payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ size) }
            try client.sendFrame(.binary, payload: payload)
            let echo = try client.readFrame(timeout: 30)
            XCTAssertEqual(echo.payload.count, size)
            XCTAssertTrue(echo.payload == payload, "the \(size)-byte echo differs")
        }
        var burst: [UInt8] = []
        var random = SystemRandomNumberGenerator()
        for index in 0..<2000 {
            let key = (UInt8.random(in: 0...255, using: &random), UInt8(1), UInt8(2), UInt8(3))
            burst += WebSocketFrameEncoder.maskedFrame(
                opcode: .text, fin: true, payload: Array("m\(index)".utf8), maskKey: key)
        }
        try client.send(burst)
        for index in 0..<2000 {
            XCTAssertEqual(try client.readFrame().text, "m\(index)")
        }
    }

    /// Bursts of frames of many sizes, each larger than the loop's 64 KiB read, then silence
    /// until every echo is back: reads stop for room at varying points inside records.
    /// (`TLSProcessTests` stops the process to make the stranded-record case certain.)
    func testBurstsLargerThanOneReadAreEchoedInOrder() throws {
        let (_, tlsPort) = try startTLSServer { $0.echoPath = "/echo" }
        let client = try connectTLS(tlsPort)
        try client.upgrade(path: "/echo")
        var random = SystemRandomNumberGenerator()
        for burst in 0..<24 {
            let frames = 300 + burst * 37
            var bytes: [UInt8] = []
            var sent: [String] = []
            for index in 0..<frames {
                let text = "burst \(burst) frame \(index) " + String(repeating: "x", count: (index * 7 + burst) % 400)
                sent.append(text)
                let key = (UInt8.random(in: 0...255, using: &random), UInt8(7), UInt8(8), UInt8(9))
                bytes += WebSocketFrameEncoder.maskedFrame(
                    opcode: .text, fin: true, payload: Array(text.utf8), maskKey: key)
            }
            try client.send(bytes)
            for text in sent {
                let echo = try client.readFrame(timeout: 5)
                guard echo.text == text else {
                    return XCTFail("burst \(burst): got \(echo), expected \(text.prefix(30))")
                }
            }
        }
    }

    /// A member on TLS stops reading: the server's records back up behind a full socket (one is
    /// held for SSL_write's retry) and its queue passes the limit; it is dropped with 1008 and
    /// the whole frames before the cut are all it gets (the stream may end inside a record, as a
    /// plain one may end inside a frame), while the chatter goes on unharmed.
    func testASlowConsumerOverTLSIsDroppedAndTheOthersKeepReceiving() throws {
        let (server, tlsPort) = try startTLSServer(Self.slowConsumerConfiguration)
        let alice = try signIn("alice", to: server)
        let stalled = try RawWebSocketClient(
            tlsPort: tlsPort, options: TLSClientSession.Options(trustedRoot: certificates.rootPath),
            receiveBufferSize: 2048)
        try stalled.upgrade(path: server.partyPath(token: server.token(for: "stalled")))
        XCTAssertEqual(try stalled.readJSON()["ev"] as? String, "session.ready")
        let code = try alice.call("party.create", rid: 1).party?["invite_code"] as? String ?? "none"
        XCTAssertTrue(try stalled.call("party.join", rid: 1, ["invite_code": code]).isOK)
        XCTAssertEqual(try alice.event("party.member_joined")["player"] as? String, "stalled")
        var lastSeq = 1
        guard try chat(alice, untilLeft: "stalled", lastSeq: &lastSeq) else { return }
        XCTAssertEqual(try server.metric(#"partyhub_websocket_closes_total{code="1008"}"#), 1)
        let reply = try alice.call("party.chat", rid: 99, ["text": "still here"])
        XCTAssertTrue(reply.isOK, "\(reply)")
        try expectWholeEventsUntilTheEnd(of: stalled)
        XCTAssertEqual(try connectTLS(tlsPort).get("/healthz").status, 200)
    }

    /// Requests the hub answers pause reading until their answer (HTTP/1.1 answers in order);
    /// pipelined past one 64 KiB read, the rest waits in the connection's buffer, in OpenSSL's
    /// or on the socket, and every one is answered in order. (`TLSProcessTests` makes the case
    /// where the rest is in OpenSSL's buffer alone certain.)
    /// A TLS connection held back for the hub (`--max-connection-backlog`) may have records
    /// already decrypted in OpenSSL's buffer, which no readiness event announces: it must be
    /// read again once the hub catches up, with nothing lost or reordered.
    func testAPipeliningTLSConnectionHeldForTheHubIsReadAgainWithNothingLost() throws {
        let (server, tlsPort) = try startTLSServer {
            $0.threads = 2
            $0.maxHubBacklog = 0
            $0.maxConnectionBacklog = 2
            $0.inboundMessageRatePerSecond = 0
            $0.hub.commandRatePerSecond = 0
        }
        _ = try signIn("alice", to: server)  // dealt to loop 0
        let bob = try connectTLS(tlsPort)  // loop 1
        try bob.upgrade(path: server.partyPath(token: server.token(for: "bob")))
        XCTAssertEqual(try bob.readJSON()["ev"] as? String, "session.ready")
        XCTAssertEqual(try server.metric(#"partyhub_loop_connections{loop="1"}"#), 1)
        let count = 3000
        var frames: [UInt8] = []
        for rid in 1...count {
            let payload = Array(#"{"op":"party.get","rid":\#(rid)}"#.utf8)
            frames += WebSocketFrameEncoder.maskedFrame(opcode: .text, fin: true, payload: payload, maskKey: (9, 8, 7, 6), rsv: 0)
        }
        XCTAssertGreaterThan(frames.count, 65_536, "the burst spans several TLS records and reads")
        try bob.send(frames)
        for rid in 1...count {
            let reply = try bob.readJSON()
            guard reply["rid"] as? Int == rid else { return XCTFail("reply \(rid): \(reply)") }
        }
        XCTAssertGreaterThanOrEqual(try server.metric("partyhub_connection_backlog_read_pauses_total") ?? 0, 1)
    }

    func testPipelinedRequestsTheHubAnswersAreAllAnsweredInOrderOverTLS() throws {
        let (server, tlsPort) = try startTLSServer()
        let client = try connectTLS(tlsPort)
        let token = server.token(for: "alice")
        let created = try client.request("POST", "/api/v1/organizations", json: #"{"name":"Knights"}"#, token: token)
        XCTAssertEqual(created.status, 201, created.bodyText)
        let organization = try XCTUnwrap(
            (created.object["organization"] as? [String: Any])?["id"] as? String, created.bodyText)
        let count = 400
        var burst = ""
        for index in 0..<count {
            // A query the server ignores makes each request a different size.
            let path = "/api/v1/organizations/\(organization)?n=\(index)&pad=" + String(repeating: "p", count: index % 97)
            burst += RawWebSocketClient.apiRequest("GET", path, json: nil, token: token, port: tlsPort)
        }
        XCTAssertGreaterThan(burst.utf8.count, 65_536, "the burst spans more than one read")
        try client.send(burst)
        for index in 0..<count {
            let response = try client.readHTTPResponse()
            let id = (response.object["organization"] as? [String: Any])?["id"] as? String
            guard response.status == 200, id == organization else {
                return XCTFail("answer \(index): \(response.statusLine) \(response.bodyText)")
            }
        }
    }

    func testTLS12ResumesASessionByID() throws {
        let (server, tlsPort) = try startTLSServer()
        let first = try connectTLS(tlsPort) { $0.maximumVersion = Int32(TLS1_2_VERSION) }
        XCTAssertEqual(first.tls?.protocolVersion, "TLSv1.2")
        XCTAssertEqual(try first.get("/healthz").status, 200)
        let saved = try XCTUnwrap(first.tls?.savedSession())
        let second = try connectTLS(tlsPort) {
            $0.maximumVersion = Int32(TLS1_2_VERSION)
            $0.resuming = saved
        }
        XCTAssertEqual(second.tls?.resumedSession, true)
        XCTAssertEqual(try second.get("/healthz").status, 200)
        XCTAssertEqual(try server.metric("partyhub_tls_resumed_handshakes_total"), 1)
    }

    func testTLS13ResumesASessionByTicket() throws {
        let (server, tlsPort) = try startTLSServer()
        let first = try connectTLS(tlsPort)
        // TLS 1.3 tickets come after the handshake: a read takes them in.
        XCTAssertEqual(try first.get("/healthz").status, 200)
        let saved = try XCTUnwrap(first.tls?.savedSession())
        let second = try connectTLS(tlsPort) { $0.resuming = saved }
        XCTAssertEqual(second.tls?.resumedSession, true)
        XCTAssertEqual(try second.get("/healthz").status, 200)
        XCTAssertEqual(try server.metric("partyhub_tls_resumed_handshakes_total"), 1)
    }

    func testTLS11IsRefusedAndCounted() throws {
        let (server, tlsPort) = try startTLSServer()
        XCTAssertThrowsError(
            try connectTLS(tlsPort) {
                $0.minimumVersion = Int32(TLS1_1_VERSION)
                $0.maximumVersion = Int32(TLS1_1_VERSION)
            }
        ) { error in
            XCTAssertTrue("\(error)".contains("protocol version"), "the server's alert names the version: \(error)")
        }
        XCTAssertEqual(try waitForMetric(server, "partyhub_tls_handshake_failures_total", toReach: 1), 1)
        XCTAssertEqual(try connectTLS(tlsPort).get("/healthz").status, 200)
    }

    func testBytesThatAreNotTLSCloseQuietlyAndTheServerKeepsServing() throws {
        let (server, tlsPort) = try startTLSServer()
        // An HTTP request sent in the clear to the TLS port, then random bytes to another.
        let confused = try RawWebSocketClient(port: tlsPort)
        try confused.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        XCTAssertTrue(
            try confused.isClosedByServer(within: 5), "the server closes a connection that does not speak TLS")
        let garbage = try RawWebSocketClient(port: tlsPort)
        var random = SystemRandomNumberGenerator()
        try garbage.send((0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) })
        XCTAssertTrue(try garbage.isClosedByServer(within: 5))
        XCTAssertEqual(try waitForMetric(server, "partyhub_tls_handshake_failures_total", toReach: 2), 2)
        XCTAssertEqual(try connectTLS(tlsPort).get("/healthz").status, 200)
        XCTAssertEqual(
            try server.metric("partyhub_open_connections"), 1, "the failed connections are gone (1: the one asking)")
    }

    /// A TLS handshake costs the server far more than refusing an HTTP request does, so the
    /// per-address handshake rate charges a TLS connection as it is accepted, once: its
    /// WebSocket upgrade does not pay again, and a connection past the rate is closed before
    /// any handshake work.
    func testTheHandshakeRateChargesATLSConnectionOnceAtAccept() throws {
        let (server, tlsPort) = try startTLSServer {
            $0.handshakeRatePerAddress = 0.001
            $0.handshakeBurstPerAddress = 2
        }
        for player in ["alice", "bob"] {
            let client = try connectTLS(tlsPort)
            try client.upgrade(path: server.partyPath(token: server.token(for: player)))
            XCTAssertEqual(try client.readJSON()["ev"] as? String, "session.ready", "\(player)'s upgrade is not charged again")
        }
        XCTAssertThrowsError(try connectTLS(tlsPort), "the third connection in the burst is closed before its handshake")
        XCTAssertEqual(try waitForMetric(server, #"partyhub_handshake_failures_total{reason="ip_handshake_rate"}"#, toReach: 1), 1)
        XCTAssertEqual(try server.metric("partyhub_tls_handshakes_total"), 2, "no handshake work for the refused one")
        XCTAssertEqual(try server.get("/healthz").status, 200, "plain text requests that are not upgrades are not charged")
    }

    func testASocketThatNeverSpeaksIsNotAFailedHandshake() throws {
        let (server, tlsPort) = try startTLSServer()
        let silent = try RawWebSocketClient(port: tlsPort)
        silent.close()
        XCTAssertEqual(try connectTLS(tlsPort).get("/healthz").status, 200)
        XCTAssertEqual(try server.metric("partyhub_tls_handshake_failures_total"), 0)
    }

    func testReloadGivesNewConnectionsTheNewCertificateWhileAnOpenOneKeepsWorking() throws {
        let (server, tlsPort) = try startTLSServer { $0.echoPath = "/echo" }
        let before = try connectTLS(tlsPort)
        try before.upgrade(path: "/echo")
        try before.sendText("before the reload")
        XCTAssertEqual(try before.readFrame().text, "before the reload")
        // A TLS 1.3 ticket from before the reload (taken in by the echo's read).
        let ticket = try XCTUnwrap(before.tls?.savedSession())

        try certificates.issueServerCertificate(commonName: "partyhub-test-renewed")
        try server.server.reloadTLSCertificate()
        // The listening loop takes the new context from its inbox: poll for it.
        let deadline = Date().addingTimeInterval(5)
        var seen = ""
        while Date() < deadline {
            seen = try connectTLS(tlsPort).tls?.peerCommonName ?? ""
            if seen == "partyhub-test-renewed" { break }
            usleep(20_000)
        }
        XCTAssertEqual(seen, "partyhub-test-renewed", "new connections get the renewed certificate")
        let resumed = try connectTLS(tlsPort) { $0.resuming = ticket }
        XCTAssertEqual(resumed.tls?.resumedSession, true, "the ticket keys carried over the reload")
        XCTAssertEqual(try server.metric("partyhub_tls_certificate_reloads_total"), 1)

        try before.sendText("after the reload")
        XCTAssertEqual(try before.readFrame().text, "after the reload", "the open connection keeps its session")

        // A renewal gone wrong (a key of another certificate) is refused; the last good one stays.
        try certificates.writeMismatchedKey()
        XCTAssertThrowsError(try server.server.reloadTLSCertificate())
        XCTAssertEqual(try connectTLS(tlsPort).tls?.peerCommonName, "partyhub-test-renewed")
    }

    private func waitForMetric(_ server: TestServer, _ name: String, toReach value: Int64) throws -> Int64? {
        let deadline = Date().addingTimeInterval(5)
        var current = try server.metric(name)
        while (current ?? 0) < value && Date() < deadline {
            usleep(10_000)
            current = try server.metric(name)
        }
        return current
    }
}
