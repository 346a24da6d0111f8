import Foundation
import Protocol
import XCTest

/// `GET /api/v1/admin/stats` over a real connection: service tokens only, and the numbers
/// follow what happens (a party, its log records).
final class AdminStatsServerTests: ServerTestCase {
    func testStatsNeedAServiceToken() throws {
        let server = try startServer()
        // A 401 closes its connection: one each.
        XCTAssertEqual(try connect(server).request("GET", "/api/v1/admin/stats", token: nil).status, 401)
        XCTAssertEqual(try connect(server).request("GET", "/api/v1/admin/stats", token: server.forgedToken(for: "ops")).status, 401)
        let client = try connect(server)
        let player = try client.request("GET", "/api/v1/admin/stats", token: server.token(for: "alice"))
        XCTAssertEqual(player.status, 403)
        XCTAssertEqual((player.object["error"] as? [String: Any])?["code"] as? String, "forbidden")
        let post = try client.request("POST", "/api/v1/admin/stats", json: "{}", token: server.serviceToken(for: "ops"))
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.header("allow"), "GET")
    }

    func testStatsCountThePartiesAndTheLog() throws {
        let server = try startServer()
        let client = try connect(server)
        let service = server.serviceToken(for: "ops")
        let before = try client.request("GET", "/api/v1/admin/stats", token: service)
        XCTAssertEqual(before.status, 200)
        XCTAssertEqual(before.header("content-type"), "application/json")
        XCTAssertEqual(before.object["parties"] as? Int, 0, before.bodyText)
        let keys = [
            "parties", "players", "organizations", "open_connections", "websocket_sessions", "wal_durable_lsn", "wal_records",
            "wal_bytes", "data_disk_bytes", "snapshot_lsn", "snapshots", "event_stream_last_offset",
            "event_stream_oldest_offset", "event_stream_subscribers",
        ]
        XCTAssertEqual(Set(before.object.keys), Set(keys), before.bodyText)
        let alice = try signIn("alice", to: server)
        XCTAssertTrue(try alice.call("party.create", rid: 1).isOK)
        let after = try client.request("GET", "/api/v1/admin/stats", token: service)
        XCTAssertEqual(after.object["parties"] as? Int, 1, after.bodyText)
        XCTAssertEqual(after.object["players"] as? Int, 1, after.bodyText)
        XCTAssertEqual(after.object["websocket_sessions"] as? Int, 1, after.bodyText)
        let lsnBefore = try XCTUnwrap(before.object["wal_durable_lsn"] as? Int)
        let lsnAfter = try XCTUnwrap(after.object["wal_durable_lsn"] as? Int)
        XCTAssertGreaterThan(lsnAfter, lsnBefore, "the party's creation was logged: \(after.bodyText)")
        XCTAssertGreaterThan(
            try XCTUnwrap(after.object["event_stream_last_offset"] as? Int),
            try XCTUnwrap(before.object["event_stream_last_offset"] as? Int), "party:created was published")
    }
}

/// `partyhub admin stats` against a live server: flags, the environment, refusals.
final class AdminCommandTests: ServerTestCase {
    private func partyhub(_ arguments: [String], environment: [String] = []) throws -> ChildProcess.Result {
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        return try ChildProcess.run(["/usr/bin/env"] + environment + [binary.path] + arguments, timeout: 60, separateErrors: true)
    }

    func testStatsFromFlagsAndFromTheEnvironment() throws {
        let server = try startServer()
        let alice = try signIn("alice", to: server)
        XCTAssertTrue(try alice.call("party.create", rid: 1).isOK)
        let url = "http://127.0.0.1:\(server.port)"
        let byFlags = try partyhub(["admin", "stats", "--url", url, "--token", server.serviceToken(for: "ops")])
        XCTAssertTrue(byFlags.exitedWith(0), "\(byFlags.description): \(byFlags.errors)")
        let stats = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(byFlags.output.utf8)) as? [String: Any], byFlags.output)
        XCTAssertEqual(stats["parties"] as? Int, 1, byFlags.output)
        let byEnvironment = try partyhub(
            ["admin", "stats"], environment: ["PARTYHUB_ADMIN_URL=\(url)/", "PARTYHUB_ADMIN_TOKEN=\(server.serviceToken(for: "ops"))"])
        XCTAssertTrue(byEnvironment.exitedWith(0), "\(byEnvironment.description): \(byEnvironment.errors)")
        XCTAssertTrue(byEnvironment.output.contains("\"parties\":1"), byEnvironment.output)
    }

    func testRefusalsAndUsageErrors() throws {
        let server = try startServer()
        let url = "http://127.0.0.1:\(server.port)"
        let player = try partyhub(["admin", "stats", "--url", url, "--token", server.token(for: "alice")])
        XCTAssertTrue(player.exitedWith(1), player.description)
        XCTAssertTrue(player.errors.contains("answered 403"), player.errors)
        let noToken = try partyhub(["admin", "stats", "--url", url], environment: ["PARTYHUB_ADMIN_TOKEN="])
        XCTAssertTrue(noToken.exitedWith(2), noToken.description)
        XCTAssertTrue(noToken.errors.contains("a service token is needed"), noToken.errors)
        let ftp = try partyhub(["admin", "stats", "--url", "ftp://127.0.0.1:1", "--token", "x"])
        XCTAssertTrue(ftp.exitedWith(2), ftp.description)
        let caForPlainHTTP = try partyhub(["admin", "stats", "--url", url, "--token", "x", "--ca", "/nonexistent.pem"])
        XCTAssertTrue(caForPlainHTTP.exitedWith(2), caForPlainHTTP.description)
        let httpsRefused = try partyhub(["admin", "stats", "--url", "https://127.0.0.1:1", "--token", "x"])
        XCTAssertTrue(httpsRefused.exitedWith(1), httpsRefused.description)
        XCTAssertTrue(httpsRefused.errors.contains("Connection refused"), httpsRefused.errors)
        let unknown = try partyhub(["admin", "dance"])
        XCTAssertTrue(unknown.exitedWith(2), unknown.description)
        // Nothing listens on port 1 of loopback: a network error, exit 1 with the reason.
        let refused = try partyhub(["admin", "stats", "--url", "http://127.0.0.1:1", "--token", "x"])
        XCTAssertTrue(refused.exitedWith(1), refused.description)
        XCTAssertTrue(refused.errors.contains("Connection refused"), refused.errors)
    }
}

/// `partyhub admin disband` against a live server.
final class AdminDisbandCommandTests: ServerTestCase {
    func testDisbandFromTheCommandLine() throws {
        let server = try startServer()
        let alice = try signIn("alice", to: server)
        let id = try XCTUnwrap(try alice.call("party.create", rid: 1).party?["id"] as? String)
        let binary = try XCTUnwrap(ChildProcess.partyhubBinary, "no partyhub binary (swift build builds it)")
        let url = "http://127.0.0.1:\(server.port)"
        let token = server.serviceToken(for: "ops")
        let read = try ChildProcess.run(
            [binary.path, "admin", "parties", id, "--url", url, "--token", token], timeout: 60, separateErrors: true)
        XCTAssertTrue(read.exitedWith(0), "\(read.description): \(read.output) \(read.errors)")
        let state = (try? JSONSerialization.jsonObject(with: Data(read.output.utf8)) as? [String: Any])?["party"] as? [String: Any]
        XCTAssertEqual(state?["members"] as? [String], ["alice"], read.output)
        let player = try ChildProcess.run(
            [binary.path, "admin", "players", "alice", "--url", url, "--token", token], timeout: 60, separateErrors: true)
        XCTAssertTrue(player.exitedWith(0), "\(player.description): \(player.output) \(player.errors)")
        XCTAssertTrue(player.output.contains("\"party\":\"\(id)\""), player.output)
        let run = try ChildProcess.run(
            [binary.path, "admin", "disband", id, "--reason", "spam \"x\"\n\u{1}", "--url", url, "--token", token], timeout: 60,
            separateErrors: true)
        XCTAssertTrue(run.exitedWith(0), "\(run.description): \(run.output) \(run.errors)")
        XCTAssertTrue(run.output.contains("\"disbanded\":\"\(id)\""), run.output)
        XCTAssertEqual(try alice.event("party.disbanded")["by"] as? String, "admin")
        let events = try connect(server).request("GET", "/api/v1/social/party/events?after=0", token: token).object["events"]
            as? [[String: Any]] ?? []
        XCTAssertEqual(events.last?["reason"] as? String, "admin:spam \"x\"\n\u{1}", "\(events)")
        let again = try ChildProcess.run(
            [binary.path, "admin", "disband", id, "--reason", "again", "--url", url, "--token", token], timeout: 60, separateErrors: true)
        XCTAssertTrue(again.exitedWith(1), again.description)
        XCTAssertTrue(again.errors.contains("answered 404"), again.errors)
        let noReason = try ChildProcess.run([binary.path, "admin", "disband", id, "--url", url, "--token", token], timeout: 60, separateErrors: true)
        XCTAssertTrue(noReason.exitedWith(2), noReason.description)
        let badID = try ChildProcess.run(
            [binary.path, "admin", "disband", "a/b", "--reason", "r", "--url", url, "--token", token], timeout: 60, separateErrors: true)
        XCTAssertTrue(badID.exitedWith(2), badID.description)
        let gone = try ChildProcess.run(
            [binary.path, "admin", "parties", id, "--url", url, "--token", token], timeout: 60, separateErrors: true)
        XCTAssertTrue(gone.exitedWith(1) && gone.errors.contains("answered 404"), "\(gone.description): \(gone.errors)")
    }
}
