import Foundation
import Protocol
import XCTest

@testable import Realtime

/// Loot end to end on a live server: combat posts a drop over HTTP, the party rolls over the
/// WebSocket, and the revealed seed proves the outcome; a retried delivery counts once.
final class LootOverHTTPServerTests: ServerTestCase {
    private let path = "/api/v1/social/party/events"

    func testADropPostedOverHTTPIsRolledForByThePartyAndTheSeedProvesTheOutcome() throws {
        let server = try startServer { $0.threads = 2 }
        let (alice, bob, carol, _, partyID) = try partyOfThree(server)
        let drop = """
            {"event_id":"drop-1","type":"combat:loot-dropped","party":"\(partyID)","source":"boss",
             "items":[{"item_id":"sword-1","name":"Sword of Dawn","quality":"epic"}]}
            """
        let http = try connect(server)
        let answer = try http.post(path, json: drop, token: server.serviceToken(for: "combat"))
        XCTAssertEqual(answer.status, 200, answer.bodyText)
        let result = try XCTUnwrap(try results(answer).first)
        XCTAssertEqual(result["status"] as? String, "applied")
        let roll = try XCTUnwrap((result["rolls"] as? [String])?.first)

        var commitment = ""
        for client in [alice, bob, carol] {
            let started = try client.event("party.loot_roll_started")
            XCTAssertEqual(started["roll"] as? String, roll)
            XCTAssertEqual(started["mode"] as? String, "NEED_GREED")
            XCTAssertEqual(Set(started["eligible"] as? [String] ?? []), ["alice", "bob", "carol"])
            commitment = started["commitment"] as? String ?? ""
        }
        XCTAssertTrue(try alice.call("loot.choose", rid: 100, ["roll": roll, "choice": "need"]).isOK)
        XCTAssertTrue(try bob.call("loot.choose", rid: 100, ["roll": roll, "choice": "greed"]).isOK)
        XCTAssertTrue(try carol.call("loot.choose", rid: 100, ["roll": roll, "choice": "pass"]).isOK)
        let rolled = try bob.event("party.loot_rolled")
        XCTAssertEqual(rolled["winner"] as? String, "alice", "the lone need beats greed")
        XCTAssertEqual(rolled["reason"] as? String, "need")
        let seed = try XCTUnwrap(rolled["seed"] as? String)
        XCTAssertEqual(rolled["commitment"] as? String, commitment)
        XCTAssertEqual(Digest.hex(Digest.sha256(seed)), commitment, "the seed is the one committed to before anyone chose")
        // A lone contender still rolls once: recompute it from the seed as a player would.
        let digest = Digest.sha256("\(seed):\(roll):alice:0")
        let value = 1 + Int(digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 100)
        XCTAssertEqual((rolled["rolls"] as? [String: [Int]])?["alice"], [value])

        // combat retries the same delivery: the hub takes it once.
        let retried = try http.post(path, json: drop, token: server.serviceToken(for: "combat"))
        XCTAssertEqual(try results(retried).first?["status"] as? String, "duplicate")
        XCTAssertEqual(try server.metric("partyhub_service_events_total{status=\"duplicate\"}"), 1)
    }

    func testADropForAnUnknownPartyIsRejectedAndQuestProgressForAPlayerInNoPartyIsIgnored() throws {
        let server = try startServer()
        let body = """
            {"events":[
              {"event_id":"d","type":"combat:loot-dropped","party":"no-such-party","source":"x","items":[{"item_id":"i","name":"n","quality":"rare"}]},
              {"event_id":"q","type":"quest:objective-completed","player":"dave","quest_id":"wolves","objective_id":"pelts"}
            ]}
            """
        let answer = try connect(server).post(path, json: body, token: server.serviceToken(for: "gameplay"))
        let list = try results(answer)
        XCTAssertEqual(list.map { $0["status"] as? String }, ["rejected", "ignored"])
        XCTAssertEqual(list[0]["code"] as? String, "not_found")
        XCTAssertFalse((list[1]["reason"] as? String ?? "").isEmpty)
    }

    private func results(_ response: RawHTTPResponse) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try XCTUnwrap(object?["results"] as? [[String: Any]], response.bodyText)
    }
}
