import Foundation
import XCTest

@testable import Realtime

/// The server's state across clean restarts on one data directory (in process): the parties
/// come back, members return within a fresh reconnect grace, session ids never repeat, and a
/// restart with other rules applies them from then on without re-reading the past with them.
final class ServerRestartTests: ServerTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        directory = NSTemporaryDirectory() + "partyhub-restart-\(UUID().uuidString)"
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }

    private func start(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        try startServer { configuration in
            configuration.dataDirectory = directory
            configuration.hub.reconnectGraceMilliseconds = 3_600_000
            configure(&configuration)
        }
    }

    func testPartiesChatsAndIdemKeysSurviveARestart() throws {
        let first = try start()
        let alice = try signIn("alice", to: first)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1, ["idem": "create-1"]).party)
        let code = try XCTUnwrap(party["invite_code"] as? String)
        let bob = try signIn("bob", to: first)
        XCTAssertTrue(try bob.call("party.join", rid: 2, ["invite_code": code]).isOK)
        XCTAssertTrue(try alice.call("party.chat", rid: 3, ["text": "héllo ✓"]).isOK)
        XCTAssertTrue(first.stop())

        let second = try start()
        let (aliceAgain, ready) = try signInGreeted("alice", to: second)
        let restored = try XCTUnwrap(ready["party"] as? JSONObject, "session.ready carries the restored party")
        XCTAssertEqual(restored["id"] as? String, party["id"] as? String)
        XCTAssertEqual(restored["members"] as? [String], ["alice", "bob"])
        let roster = restored["roster"] as? [JSONObject] ?? []
        XCTAssertEqual(roster.first { $0["player"] as? String == "bob" }?["online"] as? Bool, false, "bob is offline within the grace")
        // The same idem key gets the first answer: the party of the first create, not a second party.
        let repeated = try aliceAgain.call("party.create", rid: 4, ["idem": "create-1"])
        XCTAssertEqual(repeated.party?["id"] as? String, party["id"] as? String)
        let history = try aliceAgain.call("party.history", rid: 5)
        let texts = ((history["data"] as? JSONObject)?["events"] as? [JSONObject] ?? []).compactMap { $0["text"] as? String }
        XCTAssertEqual(texts, ["héllo ✓"])
        XCTAssertTrue(second.stop())
    }

    func testAnOpenLootRollSurvivesARestartAndEndsAtItsOriginalDeadline() throws {
        let timeout: Int64 = 3_000
        let first = try start { $0.hub.lootRollTimeoutMilliseconds = timeout }
        let alice = try signIn("alice", to: first)
        let party = try XCTUnwrap(try alice.call("party.create", rid: 1).party)
        let bob = try signIn("bob", to: first)
        XCTAssertTrue(try bob.call("party.join", rid: 2, ["invite_code": party["invite_code"] as? String ?? ""]).isOK)
        let drop = """
            {"event_id":"drop-1","type":"combat:loot-dropped","party":"\(party["id"] as? String ?? "")","source":"boss",
             "items":[{"item_id":"helm","name":"Helm","quality":"rare"}]}
            """
        let answer = try connect(first).post("/api/v1/social/party/events", json: drop, token: first.serviceToken(for: "combat"))
        XCTAssertEqual(answer.status, 200, answer.bodyText)
        let started = try alice.event("party.loot_roll_started")
        let roll = try XCTUnwrap(started["roll"] as? String)
        let expiresAt = try XCTUnwrap((started["expires_at"] as? NSNumber)?.int64Value)
        XCTAssertTrue(try alice.call("loot.choose", rid: 3, ["roll": roll, "choice": "need"]).isOK)
        XCTAssertTrue(first.stop())

        // Bob never chooses: after the restart the roll is still open, with alice's choice,
        // and it ends at the deadline it was given before (bob's silence a pass).
        let second = try start { $0.hub.lootRollTimeoutMilliseconds = 60_000 }
        let (aliceAgain, ready) = try signInGreeted("alice", to: second)
        let open = try XCTUnwrap((ready["party"] as? JSONObject)?["loot_rolls"] as? [JSONObject])
        XCTAssertEqual(open.map { $0["roll"] as? String }, [roll])
        XCTAssertEqual((open.first?["expires_at"] as? NSNumber)?.int64Value, expiresAt, "the original deadline, not the new flag's")
        let rolled = try aliceAgain.event("party.loot_rolled", timeout: Double(timeout) / 1000 + 10)
        XCTAssertEqual(rolled["roll"] as? String, roll)
        XCTAssertEqual(rolled["winner"] as? String, "alice")
        XCTAssertEqual(rolled["reason"] as? String, "need")
        XCTAssertGreaterThanOrEqual(Int64(Date().timeIntervalSince1970 * 1000), expiresAt)
        XCTAssertTrue(second.stop())
    }

    func testEachStartHasANewEpochInItsSessionIDs() throws {
        var epochs: [UInt16] = []
        for _ in 0..<3 {
            let server = try start()
            _ = try signIn("alice", to: server)
            epochs.append(server.server.epoch)
            XCTAssertTrue(server.stop())
        }
        XCTAssertEqual(Set(epochs).count, 3, "epochs \(epochs) repeat")
        XCTAssertEqual(epochs, epochs.sorted(), "epochs \(epochs) go forward")
        XCTAssertEqual(ConnectionID(loop: 3, epoch: 65535, slot: ConnectionID.slotLimit - 1, generation: ConnectionID.generationMask).epoch, 65535)
        XCTAssertEqual(ConnectionID.generation(after: ConnectionID.generationMask), 1, "a generation wraps past 0")
    }

    func testARestartWithOtherRulesAppliesThemFromThenOn() throws {
        let first = try start()
        let alice = try signIn("alice", to: first)
        let old = try XCTUnwrap(try alice.call("party.create", rid: 1).party)
        XCTAssertEqual(old["max_members"] as? Int, 5)
        XCTAssertTrue(first.stop())

        // Fewer default seats now: the old party keeps its five, a new one gets three.
        let second = try start { $0.hub.maxMembers = 3 }
        let (_, ready) = try signInGreeted("alice", to: second)
        XCTAssertEqual((ready["party"] as? JSONObject)?["max_members"] as? Int, 5)
        let carol = try signIn("carol", to: second)
        let new = try XCTUnwrap(try carol.call("party.create", rid: 1).party)
        XCTAssertEqual(new["max_members"] as? Int, 3)
        XCTAssertTrue(second.stop())

        // And again under the first rules, without the newest snapshot: recovery falls back to
        // the first stop's, and replays the second process's segment under its own rules.
        let snapshots = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".snap") }.sorted()
        XCTAssertEqual(snapshots.count, 2, "a snapshot at each clean stop: \(snapshots)")
        try FileManager.default.removeItem(atPath: directory + "/" + snapshots.last!)
        let third = try start()
        let (_, carolReady) = try signInGreeted("carol", to: third)
        XCTAssertEqual((carolReady["party"] as? JSONObject)?["max_members"] as? Int, 3)
        XCTAssertTrue(third.stop())
    }
}
