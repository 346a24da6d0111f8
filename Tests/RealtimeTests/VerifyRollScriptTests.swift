import Foundation
import Protocol
import XCTest

/// `loadtest/verify-roll.py`, the script a player runs to check a roll, accepts the
/// `party.loot_rolled` the server sends for the worked example and refuses it tampered with.
/// Skipped where python3 is not on PATH (CI has it).
final class VerifyRollScriptTests: XCTestCase {
    private static let script = ChildProcess.packageRoot.appendingPathComponent("loadtest/verify-roll.py").path
    private static let seed = "265c52a09c9a0141e04eea869810ab4d7ae14be86f3d7ae8deca5a03da86d241"

    private func verify(_ json: String) throws -> ChildProcess.Result {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-roll-\(UUID().uuidString).json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try ChildProcess.run(["sh", "-c", "python3 \"$0\" < \"$1\"", Self.script, file.path], timeout: 30)
    }

    private func lootRolled(winner: String?, reason: LootRollReason, rolls: [ContenderRolls], seed: String = seed) -> String {
        let outcome = LootRollOutcome(
            roll: "roll_7", item: DroppedItem(itemID: "crown", name: "Crown", quality: .epic), mode: .needGreed, winner: winner,
            reason: reason,
            choices: [
                PlayerLootChoice(player: "alice", choice: .need), PlayerLootChoice(player: "bob", choice: .need),
                PlayerLootChoice(player: "carol", choice: .greed),
            ], rolls: rolls, seed: seed, commitment: LootFairness.commitment(ofSeed: Self.seed))
        return ServerMessageEncoder.json(.event(PartyEvent(partyID: "p", seq: 9, body: .lootRolled(outcome))))
    }

    func testTheScriptAcceptsAFairRollAndRefusesATamperedOne() throws {
        guard (try? ChildProcess.run(["python3", "--version"], timeout: 30))?.exitedWith(0) == true else {
            throw XCTSkip("python3 is not on PATH")
        }
        let fair = [ContenderRolls(player: "alice", values: [59, 89]), ContenderRolls(player: "bob", values: [59, 4])]
        let accepted = try verify(lootRolled(winner: "alice", reason: .need, rolls: fair))
        XCTAssertTrue(accepted.exitedWith(0), accepted.output)
        XCTAssertEqual(accepted.output, "ok\n")
        let refusals = [
            lootRolled(winner: "bob", reason: .need, rolls: fair),
            lootRolled(winner: "alice", reason: .need, rolls: [fair[0], ContenderRolls(player: "bob", values: [60, 4])]),
            lootRolled(winner: "alice", reason: .need, rolls: [ContenderRolls(player: "alice", values: [59])]),
            lootRolled(winner: "alice", reason: .need, rolls: fair, seed: String(repeating: "0", count: 64)),
        ]
        for json in refusals {
            let refused = try verify(json)
            XCTAssertTrue(refused.exitedWith(1), "\(json): \(refused.output)")
        }
        // An item decided without rolls has only its commitment to check.
        let assigned = try verify(lootRolled(winner: "carol", reason: .assigned, rolls: []))
        XCTAssertTrue(assigned.exitedWith(0), assigned.output)
    }
}
