import Foundation
import Protocol
import XCTest

@testable import Realtime

/// Who may connect, and to what, through the real server: `--allowed-origins`, tokens with a
/// `kid`, an issuer and an audience, and read-only (`"scope":"read"`) sessions.
final class AccessControlServerTests: ServerTestCase {
    private let now = Int64(Date().timeIntervalSince1970)

    /// Upgrades to the party endpoint with `token` and `headers`, and reads `session.ready`.
    private func openSession(_ server: TestServer, token: String, headers: [String: String?] = [:]) throws -> RawWebSocketClient {
        let client = try connect(server)
        try client.upgrade(path: server.partyPath(token: token), headers: headers)
        XCTAssertEqual(try client.readJSON()["ev"] as? String, "session.ready")
        return client
    }

    // MARK: - Origins

    func testABrowserFromAnotherOriginIsRefusedWith403AndNativeClientsPass() throws {
        let server = try startServer { $0.allowedOrigins = ["https://game.example.com"] }
        let token = server.token(for: "alice")
        let foreign = try refusedUpgrade(server, path: server.partyPath(token: token), headers: ["Origin": "https://evil.example.net"])
        XCTAssertEqual(foreign.status, 403)
        XCTAssertEqual(try server.metric("partyhub_handshake_failures_total{reason=\"origin\"}"), 1)
        // The listed origin (in any case, RFC 6454 §6.1), and a native client without Origin.
        _ = try openSession(server, token: token, headers: ["Origin": "https://GAME.example.com"])
        _ = try openSession(server, token: server.token(for: "bob"))
        // The event stream is a WebSocket too.
        let stream = try refusedUpgrade(
            server, path: Router.eventStreamPath + "?token=" + server.serviceToken(for: "combat"),
            headers: ["Origin": "https://evil.example.net"])
        XCTAssertEqual(stream.status, 403)
    }

    func testAStarAllowsEveryOrigin() throws {
        let server = try startServer { $0.allowedOrigins = ["*"] }
        _ = try openSession(server, token: server.token(for: "alice"), headers: ["Origin": "https://anywhere.example"])
    }

    // MARK: - Tokens

    func testTokensAreCheckedAgainstTheKeyTheirKidNames() throws {
        let new = JWTKey(id: "new", secret: Array("the-new-secret".utf8))
        let old = JWTKey(id: "old", secret: Array("the-old-secret".utf8))
        let server = try startServer { $0.jwtKeys = [new, old] }
        _ = try openSession(server, token: JWTCodec(keys: [old]).sign(subject: "alice", expiresAt: now + 60))
        _ = try openSession(server, token: JWTCodec(keys: [new]).sign(subject: "bob", expiresAt: now + 60))
        let unknown = JWTCodec(keys: [JWTKey(id: "gone", secret: old.secret)]).sign(subject: "carol", expiresAt: now + 60)
        let refusal = try refusedUpgrade(server, path: server.partyPath(token: unknown))
        XCTAssertEqual(refusal.status, 401)
        XCTAssertTrue(refusal.bodyText.contains("kid"), refusal.bodyText)
    }

    func testAlgNoneIsRefusedWith401() throws {
        let server = try startServer()
        let header = Base64.encodeURL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let payload = Base64.encodeURL(Array(#"{"sub":"admin","exp":9999999999}"#.utf8))
        XCTAssertEqual(try refusedUpgrade(server, path: server.partyPath(token: "\(header).\(payload).")).status, 401)
    }

    func testIssuerAndAudienceAreRequiredWhenConfigured() throws {
        let server = try startServer {
            $0.jwtIssuer = "https://login.example.com"
            $0.jwtAudience = "partyhub"
        }
        let codec = JWTCodec(secret: Array(TestServer.secret.utf8))
        _ = try openSession(
            server, token: codec.sign(subject: "alice", expiresAt: now + 60, issuer: "https://login.example.com", audience: "partyhub"))
        for token in [
            codec.sign(subject: "bob", expiresAt: now + 60, audience: "partyhub"),
            codec.sign(subject: "bob", expiresAt: now + 60, issuer: "https://login.example.com", audience: "chat"),
        ] {
            XCTAssertEqual(try refusedUpgrade(server, path: server.partyPath(token: token)).status, 401)
        }
    }

    // MARK: - Read-only sessions

    func testAReadOnlySessionSeesThePartyAndItsChatButChangesNothing() throws {
        let server = try startServer()
        let (alice, bob, _, code, partyID) = try partyOfThree(server)
        let overlay = try connect(server)
        let readToken = JWTCodec(secret: Array(TestServer.secret.utf8)).sign(subject: "bob", expiresAt: now + 3600, scope: "read")
        try overlay.upgrade(path: server.partyPath(token: readToken))
        let ready = try overlay.readJSON()
        XCTAssertEqual(ready["ev"] as? String, "session.ready")
        XCTAssertEqual((ready["party"] as? JSONObject)?["id"] as? String, partyID, "the overlay shows Bob's party")
        XCTAssertTrue(try alice.call("party.chat", rid: 30, ["text": "gg"]).isOK)
        XCTAssertEqual(try overlay.event("party.chat")["text"] as? String, "gg")
        XCTAssertTrue(try overlay.call("party.get", rid: 31).isOK)
        XCTAssertTrue(try overlay.call("party.history", rid: 32).isOK)
        XCTAssertEqual(try overlay.call("party.chat", rid: 33, ["text": "spam"]).errorCode, "forbidden")
        XCTAssertEqual(try overlay.call("party.leave", rid: 34).errorCode, "forbidden")
        XCTAssertEqual(try overlay.call("party.join", rid: 35, ["invite_code": code]).errorCode, "forbidden")
        // Bob is still in the party and his own full session still works.
        XCTAssertEqual(try bob.call("party.get", rid: 36).party?["members"] as? [String], ["alice", "bob", "carol"])
        XCTAssertTrue(try bob.call("party.chat", rid: 37, ["text": "still here"]).isOK)
        XCTAssertEqual(try overlay.event("party.chat")["text"] as? String, "still here")
        XCTAssertEqual(
            try server.metric("partyhub_commands_total{op=\"party.chat\",result=\"forbidden\"}"), 1,
            "the refusal is counted")
    }

    func testAnOverlayDoesNotKeepItsPlayerOnline() throws {
        let server = try startServer { $0.hub.reconnectGraceMilliseconds = 30_000 }
        let (alice, bob, _, _, _) = try partyOfThree(server)
        let overlay = try connect(server)
        let readToken = JWTCodec(secret: Array(TestServer.secret.utf8)).sign(subject: "bob", expiresAt: now + 3600, scope: "read")
        try overlay.upgrade(path: server.partyPath(token: readToken))
        XCTAssertEqual(try overlay.readJSON()["ev"] as? String, "session.ready")
        bob.close()
        // Bob's game client was his last presence: the party, his overlay included, hears it.
        for client in [alice, overlay] { XCTAssertEqual(try client.event("party.member_offline")["player"] as? String, "bob") }
        let roster = try XCTUnwrap(try overlay.call("party.get", rid: 40).party?["roster"] as? [JSONObject])
        XCTAssertEqual(roster.map { $0["online"] as? Bool }, [true, false, true])
    }

    func testAReadOnlyTokenMayNotChangeAnythingOverHTTPEither() throws {
        let server = try startServer()
        let codec = JWTCodec(secret: Array(TestServer.secret.utf8))
        let readOnly = codec.sign(subject: "alice", expiresAt: now + 60, scope: "read")
        let client = try connect(server)
        let refused = try client.request("POST", "/api/v1/organizations", json: #"{"name":"Knights"}"#, token: readOnly)
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.errorCode, "forbidden")
        let created = try client.request("POST", "/api/v1/organizations", json: #"{"name":"Knights"}"#, token: server.token(for: "alice"))
        XCTAssertEqual(created.status, 201)
        let organizationID = try XCTUnwrap((created.object["organization"] as? [String: Any])?["id"] as? String)
        XCTAssertEqual(try client.request("GET", "/api/v1/organizations/\(organizationID)", token: readOnly).status, 200, "reading is allowed")
        let readOnlyService = codec.sign(subject: "combat", expiresAt: now + 60, role: "service", scope: "read")
        let events = try client.request("POST", Router.eventsPath, json: #"{"events":[]}"#, token: readOnlyService)
        XCTAssertEqual(events.status, 403)
    }
}
