import Foundation
import Protocol
import Realtime
import XCTest

/// An in-process server on 127.0.0.1 and a free port, with a known JWT secret, quiet logs and
/// a short shutdown grace, so stopping it never takes long.
final class TestServer {
    /// The secret the server checks tokens with.
    static let secret = "partyhub-test-secret-0123456789"

    let server: Server
    var port: Int { server.port }
    var configuration: ServerConfiguration { server.configuration }
    private let codec = JWTCodec(secret: Array(TestServer.secret.utf8))
    private var stopped = false
    private let removesDataDirectory: Bool

    /// Starts a server; `configure` adjusts the test defaults (one loop, quiet logs).
    init(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.threads = 1
        configuration.jwtSecret = Array(Self.secret.utf8)
        configuration.shutdownGrace = 1
        // A directory of its own: the server locks it and recovers what it holds.
        let ownDirectory = NSTemporaryDirectory() + "partyhub-test-\(UUID().uuidString)"
        configuration.dataDirectory = ownDirectory
        configuration.logger = Logger(minimumLevel: .error)
        // PROTOCOL-CORE's rule (a disconnect leaves); tests of the grace turn it back on.
        configuration.hub.reconnectGraceMilliseconds = 0
        // Every test connects from 127.0.0.1, many of them quickly: the per-address and
        // per-connection limits are off unless a test of them turns them on.
        configuration.maxConnectionsPerAddress = 0
        configuration.handshakeRatePerAddress = 0
        configuration.inboundMessageRatePerSecond = 0
        // Many tests create parties in quick succession with one player.
        configuration.hub.partyCreationsPerMinute = 0
        configure(&configuration)
        // A directory the test named is the test's to remove (it may start another server on it).
        removesDataDirectory = configuration.dataDirectory == ownDirectory
        server = try Server(configuration: configuration)
        try server.start()
    }

    /// A token for `player`, valid for an hour.
    func token(for player: String, expiresIn seconds: Int64 = 3600) -> String {
        codec.sign(subject: player, expiresAt: Int64(Date().timeIntervalSince1970) + seconds)
    }

    /// A service token (`"role":"service"`) for `service`, valid for an hour.
    func serviceToken(for service: String) -> String {
        codec.sign(subject: service, expiresAt: Int64(Date().timeIntervalSince1970) + 3600, role: "service")
    }

    /// A token signed with another secret.
    func forgedToken(for player: String) -> String {
        JWTCodec(secret: Array("not-the-server-secret".utf8)).sign(
            subject: player, expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
    }

    /// The party endpoint's path with `?token=`.
    func partyPath(token: String) -> String { configuration.partyPath + "?token=" + token }

    /// Shuts down and waits for the loops to stop. Returns false if they did not stop in
    /// `timeout` (the waiting thread is then left behind rather than hanging the suite).
    @discardableResult
    func stop(timeout: TimeInterval = 10) -> Bool {
        if stopped { return true }
        stopped = true
        server.shutdown()
        let done = DispatchSemaphore(value: 0)
        let server = self.server
        let thread = Thread {
            server.wait()
            done.signal()
        }
        thread.start()
        guard done.wait(timeout: .now() + timeout) == .success else { return false }
        if removesDataDirectory { try? FileManager.default.removeItem(atPath: configuration.dataDirectory) }
        return true
    }

    /// One `GET` on a connection of its own (closed after the response).
    func get(_ path: String) throws -> RawHTTPResponse {
        let client = try RawWebSocketClient(port: port)
        defer { client.close() }
        return try client.get(path, close: true)
    }

    /// The `/metrics` text.
    func metrics() throws -> String {
        let response = try get("/metrics")
        guard response.status == 200 else { throw ClientError("/metrics answered \(response.statusLine)") }
        return response.bodyText
    }

    /// The value of one sample in a metrics text, e.g. `partyhub_loop_connections{loop="0"}`.
    static func metric(_ sample: String, in text: String) -> Int64? {
        for line in text.split(separator: "\n") where line.hasPrefix(sample + " ") {
            return Int64(line.dropFirst(sample.count + 1))
        }
        return nil
    }

    /// One sample's value, read now.
    func metric(_ sample: String) throws -> Int64? {
        Self.metric(sample, in: try metrics())
    }
}

/// A test case that starts servers and clients and always stops them in `tearDown`: clients
/// first (so the server sees them go), then each server (shutdown and wait).
class ServerTestCase: XCTestCase {
    private var servers: [TestServer] = []
    private var clients: [RawWebSocketClient] = []

    override func tearDown() {
        for client in clients { client.close() }
        clients = []
        for server in servers {
            XCTAssertTrue(server.stop(), "the server's loops did not stop after shutdown")
        }
        servers = []
        super.tearDown()
    }

    /// Starts a server stopped in `tearDown`.
    func startServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        let server = try TestServer(configure)
        servers.append(server)
        return server
    }

    /// A raw connection to `server`, closed in `tearDown`.
    func connect(_ server: TestServer, receiveBufferSize: Int32? = nil) throws -> RawWebSocketClient {
        let client = try RawWebSocketClient(port: server.port, receiveBufferSize: receiveBufferSize)
        clients.append(client)
        return client
    }

    /// A signed-in party session for `player`: upgrade, then the `session.ready` greeting.
    func signIn(
        _ player: String, to server: TestServer, receiveBufferSize: Int32? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> RawWebSocketClient {
        try signInGreeted(player, to: server, receiveBufferSize: receiveBufferSize, file: file, line: line).client
    }

    /// Alice's party that Bob and Carol joined, in that order, with every join event consumed:
    /// their connections, the invite code and the party id.
    func partyOfThree(_ server: TestServer) throws -> (
        RawWebSocketClient, RawWebSocketClient, RawWebSocketClient, code: String, id: String
    ) {
        let alice = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        let carol = try signIn("carol", to: server)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1).party)
        let code = party["invite_code"] as? String ?? ""
        for (rid, member) in [bob, carol].enumerated() {
            XCTAssertTrue(try member.call("party.join", rid: 10 + rid, ["invite_code": code]).isOK)
        }
        // Alice and Bob see two joins (Bob's and Carol's), Carol sees her own.
        for (client, joins) in [(alice, 2), (bob, 2), (carol, 1)] {
            for _ in 0..<joins { _ = try client.event("party.member_joined") }
        }
        return (alice, bob, carol, code, party["id"] as? String ?? "")
    }

    /// `signIn`, also returning the `session.ready` greeting (with the party and invites).
    func signInGreeted(
        _ player: String, to server: TestServer, receiveBufferSize: Int32? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (client: RawWebSocketClient, ready: JSONObject) {
        let client = try connect(server, receiveBufferSize: receiveBufferSize)
        try client.upgrade(path: server.partyPath(token: server.token(for: player)))
        let ready = try client.readJSON()
        XCTAssertEqual(ready["ev"] as? String, "session.ready", file: file, line: line)
        XCTAssertEqual(ready["player"] as? String, player, file: file, line: line)
        return (client, ready)
    }

    /// Sends an upgrade request and returns the refusal, checking the connection then closes
    /// when `closes`.
    func refusedUpgrade(
        _ server: TestServer, path: String, headers: [String: String?] = [:], closes: Bool = true,
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> RawHTTPResponse {
        let client = try connect(server)
        try client.send(
            RawWebSocketClient.upgradeRequest(
                path: path, port: server.port, key: RawWebSocketClient.randomKey(), headers: headers))
        let response = try client.readHTTPResponse()
        if closes {
            XCTAssertEqual(response.header("connection")?.lowercased(), "close", file: file, line: line)
            XCTAssertEqual(try client.readUntilEndOfStream(), 0, "nothing follows the refusal", file: file, line: line)
        }
        return response
    }

    /// An upgraded connection to the echo endpoint.
    func openEcho(_ server: TestServer) throws -> RawWebSocketClient {
        let client = try connect(server)
        try client.upgrade(path: server.configuration.echoPath!)
        return client
    }
}
