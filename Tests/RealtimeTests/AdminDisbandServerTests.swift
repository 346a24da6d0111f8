import Foundation
import Protocol
import Realtime
import XCTest

/// `POST /api/v1/admin/parties/{id}/disband`: refusals, the members' `party.disbanded`, the
/// published `party:disbanded` with `admin:<reason>`, and the disband replayed after a restart.
final class AdminDisbandServerTests: ServerTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = NSTemporaryDirectory() + "partyhub-admin-\(UUID().uuidString)"
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }

    private func start() throws -> TestServer {
        try startServer { configuration in
            configuration.dataDirectory = directory
            configuration.hub.reconnectGraceMilliseconds = 3_600_000
        }
    }

    private func disband(_ server: TestServer, _ party: String, body: String = #"{"reason":"cheating"}"#, token: String?)
        throws -> RawHTTPResponse
    {
        try connect(server).request("POST", "/api/v1/admin/parties/\(party)/disband", json: body, token: token)
    }

    func testRefusals() throws {
        let server = try start()
        let service = server.serviceToken(for: "ops")
        XCTAssertEqual(try disband(server, "p1", token: nil).status, 401)
        XCTAssertEqual(try disband(server, "p1", token: server.forgedToken(for: "ops")).status, 401)
        XCTAssertEqual(try disband(server, "p1", token: server.token(for: "alice")).status, 403)
        let missing = try disband(server, "no-such-party", token: service)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual((missing.object["error"] as? [String: Any])?["code"] as? String, "not_found", missing.bodyText)
        XCTAssertEqual(try disband(server, "p1", body: #"{"reason":""}"#, token: service).status, 400)
        XCTAssertEqual(try disband(server, "p1", body: #"{"reason":7}"#, token: service).status, 400)
        XCTAssertEqual(try disband(server, "p1", body: "not json", token: service).status, 400)
        XCTAssertEqual(try disband(server, "p1", body: #"{"reason":"\#(String(repeating: "x", count: 129))"}"#, token: service).status, 400)
        XCTAssertEqual(try connect(server).request("GET", "/api/v1/admin/parties/p1/disband", token: service).status, 405)
        XCTAssertEqual(try connect(server).request("POST", "/api/v1/admin/parties/p1/other", json: "{}", token: service).status, 404)
        XCTAssertEqual(try connect(server).request("POST", "/api/v1/admin/parties//disband", json: "{}", token: service).status, 404)
        XCTAssertTrue(server.stop())
    }

    func testDisbandReachesTheMembersTheEventStreamAndSurvivesARestart() throws {
        let first = try start()
        let alice = try signIn("alice", to: first)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1).party)
        let id = try XCTUnwrap(party["id"] as? String)
        let bob = try signIn("bob", to: first)
        XCTAssertTrue(try bob.call("party.join", rid: 2, ["invite_code": party["invite_code"] as? String ?? ""]).isOK)
        _ = try alice.event("party.member_joined")
        // A party the disband leaves alone: after the restart it shows the log was replayed.
        let carol = try signIn("carol", to: first)
        XCTAssertTrue(try carol.call("party.create", rid: 1).isOK)

        let answer = try disband(first, id, body: #"{"reason":"cheating \"x\""}"#, token: first.serviceToken(for: "ops"))
        XCTAssertEqual(answer.status, 200, answer.bodyText)
        XCTAssertEqual(answer.object["disbanded"] as? String, id)
        XCTAssertEqual(answer.object["members"] as? [String], ["alice", "bob"])
        for member in [alice, bob] {
            let event = try member.event("party.disbanded")
            XCTAssertEqual(event["by"] as? String, "admin")
            XCTAssertEqual(event["party"] as? String, id)
        }
        XCTAssertEqual(try alice.call("party.get", rid: 3).errorCode, "not_in_party")
        let events = try connect(first).request(
            "GET", "/api/v1/social/party/events?after=0", token: first.serviceToken(for: "ops")).object["events"] as? [JSONObject] ?? []
        let published = events.last { $0["type"] as? String == "party:disbanded" }
        XCTAssertEqual(published?["party"] as? String, id, "\(events)")
        XCTAssertEqual(published?["reason"] as? String, #"admin:cheating "x""#, "\(events)")
        XCTAssertEqual(try disband(first, id, token: first.serviceToken(for: "ops")).status, 404, "gone")
        XCTAssertTrue(first.stop())

        // The disband is in the log (as `partyhub data dump` prints it) and is replayed: with
        // the snapshots removed, a start rebuilds the hub from the log alone.
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        let dump = try ChildProcess.run([binary.path, "data", "dump", directory], timeout: 60, separateErrors: true)
        XCTAssertTrue(
            dump.output.contains(#"admin.disband s="#) && dump.output.contains(#"service=ops party=\#(id) reason="cheating \"x\"""#),
            dump.output + dump.errors)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        XCTAssertTrue(files.contains { $0.hasPrefix("snapshot-") }, "the clean stop wrote a snapshot to remove: \(files)")
        for file in files where file.hasPrefix("snapshot-") { try FileManager.default.removeItem(atPath: directory + "/" + file) }
        let second = try start()
        let (_, ready) = try signInGreeted("alice", to: second)
        XCTAssertTrue(ready["party"] is NSNull, "alice has no party after the restart: \(ready)")
        let (_, carolReady) = try signInGreeted("carol", to: second)
        XCTAssertNotNil(carolReady["party"] as? JSONObject, "carol's party, rebuilt from the log: \(carolReady)")
        XCTAssertEqual(try disband(second, id, token: second.serviceToken(for: "ops")).status, 404)
        XCTAssertTrue(second.stop())
    }

    func testReadingAPartyTakesAServiceTokenAndIsNotLogged() throws {
        let server = try start()
        let service = server.serviceToken(for: "ops")
        let alice = try signIn("alice", to: server)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1).party)
        let id = try XCTUnwrap(party["id"] as? String)
        XCTAssertTrue(try alice.call("party.set_role", rid: 2, ["role": "tank"]).isOK)
        let path = "/api/v1/admin/parties/\(id)"
        XCTAssertEqual(try connect(server).request("GET", path, token: nil).status, 401)
        XCTAssertEqual(try connect(server).request("GET", path, token: server.token(for: "alice")).status, 403)
        XCTAssertEqual(try connect(server).request("DELETE", path, token: service).status, 405)
        let missing = try connect(server).request("GET", "/api/v1/admin/parties/nope", token: service)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorCode, "not_found")
        let client = try connect(server)
        let (before, _) = try logRecords()
        let read = try client.request("GET", path, token: service)
        XCTAssertEqual(read.status, 200, read.bodyText)
        let state = try XCTUnwrap(read.object["party"] as? [String: Any], read.bodyText)
        XCTAssertEqual(state["id"] as? String, id)
        XCTAssertEqual(state["leader"] as? String, "alice")
        XCTAssertEqual(state["members"] as? [String], ["alice"])
        let roster = state["roster"] as? [[String: Any]] ?? []
        XCTAssertEqual(roster.first?["role"] as? String, "tank", read.bodyText)
        XCTAssertNotNil(state["loot_rolls"], "the whole state, as a member sees it: \(read.bodyText)")
        XCTAssertEqual(try client.get("/healthz").status, 200, "kept alive")
        let (after, dump) = try logRecords()
        XCTAssertEqual(after, before, "a read is not logged: \(dump)")
        XCTAssertFalse(dump.contains("admin.read_party"), dump)
        XCTAssertTrue(server.stop())
    }

    func testReadingAPlayerShowsPartySessionsAndBudgets() throws {
        let server = try start()
        let service = server.serviceToken(for: "ops")
        let alice = try signIn("alice", to: server)
        let id = try XCTUnwrap(try alice.call("party.create", rid: 1).party?["id"] as? String)
        let path = "/api/v1/admin/players/alice"
        XCTAssertEqual(try connect(server).request("GET", path, token: nil).status, 401)
        XCTAssertEqual(try connect(server).request("GET", path, token: server.token(for: "alice")).status, 403)
        XCTAssertEqual(try connect(server).request("POST", path, json: "{}", token: service).status, 405)
        XCTAssertEqual(try connect(server).request("GET", "/api/v1/admin/players/nobody", token: service).status, 404)
        let first = try connect(server).request("GET", path, token: service)
        XCTAssertEqual(first.status, 200, first.bodyText)
        XCTAssertEqual(first.object["player"] as? String, "alice")
        XCTAssertEqual(first.object["party"] as? String, id)
        XCTAssertEqual(first.object["online"] as? Bool, true)
        XCTAssertEqual((first.object["sessions"] as? [String])?.count, 1, first.bodyText)
        let budgets = try XCTUnwrap(first.object["budgets"] as? [String: [String: Any]], first.bodyText)
        XCTAssertEqual(Set(budgets.keys), ["commands", "chat", "signals"])
        let chatBefore = try XCTUnwrap(budgets["chat"]?["available"] as? Int, first.bodyText)
        XCTAssertTrue(try alice.call("party.chat", rid: 2, ["text": "hi"]).isOK)
        let second = try connect(server).request("GET", path, token: service)
        let chatAfter = try XCTUnwrap((second.object["budgets"] as? [String: [String: Any]])?["chat"]?["available"] as? Int)
        XCTAssertEqual(chatAfter, chatBefore - 1, "a chat takes one token: \(first.bodyText) then \(second.bodyText)")
        XCTAssertTrue(server.stop())
    }

    /// The number of records `partyhub data dump` prints for the data directory, and its output.
    private func logRecords() throws -> (Int, String) {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        let dump = try ChildProcess.run([binary.path, "data", "dump", directory], timeout: 60, separateErrors: true)
        XCTAssertTrue(dump.exitedWith(0), dump.description + dump.errors)
        return (dump.output.split(separator: "\n").count, dump.output)
    }
}
