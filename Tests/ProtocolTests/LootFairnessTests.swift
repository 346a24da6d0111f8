import Protocol
import XCTest

/// Provably fair rolls: SHA-256 itself against FIPS 180-2's vectors, and docs/PROTOCOL.md's
/// worked example recomputed number by number from its revealed seed.
final class LootFairnessTests: XCTestCase {
    /// docs/PROTOCOL.md, "Provably fair rolls": alice and bob both chose need on roll_7.
    static let exampleSeed = "265c52a09c9a0141e04eea869810ab4d7ae14be86f3d7ae8deca5a03da86d241"
    static let exampleCommitment = "80e728ea2d008573d5cfa5ecbd1bfd67c9a65e03fb23d83da5ab304c6fa0e041"

    func testSHA256OfTheFIPS180Vectors() {
        XCTAssertEqual(Digest.hex(Digest.sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(Digest.hex(Digest.sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(
            Digest.hex(Digest.sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(
            Digest.hex(Digest.sha256([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        XCTAssertEqual(Digest.hex([0x00, 0x0f, 0xa0, 0xff]), "000fa0ff")
    }

    func testTheWorkedExampleOfTheProtocol() throws {
        let seed = Self.exampleSeed
        XCTAssertTrue(LootFairness.isWellFormedSeed(seed))
        XCTAssertEqual(LootFairness.commitment(ofSeed: seed), Self.exampleCommitment)
        // The first 8 bytes of SHA-256("<seed>:roll_7:alice:0"), big-endian, and the value.
        let digest = Digest.sha256("\(seed):roll_7:alice:0")
        XCTAssertEqual(Digest.hex(Array(digest.prefix(8))), "291f5265b2ffa65e")
        let u64 = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        XCTAssertEqual(u64, 2_963_177_676_581_348_958)
        XCTAssertEqual(1 + Int(u64 % 100), 59)
        XCTAssertEqual(LootFairness.value(seed: seed, roll: "roll_7", player: "alice", round: 0), 59)
        XCTAssertEqual(LootFairness.value(seed: seed, roll: "roll_7", player: "bob", round: 0), 59)
        XCTAssertEqual(LootFairness.value(seed: seed, roll: "roll_7", player: "alice", round: 1), 89)
        XCTAssertEqual(LootFairness.value(seed: seed, roll: "roll_7", player: "bob", round: 1), 4)
        let contest = try XCTUnwrap(LootFairness.contest(seed: seed, roll: "roll_7", contenders: ["alice", "bob"]))
        XCTAssertEqual(contest.winner, "alice")
        XCTAssertEqual(contest.rolls, [ContenderRolls(player: "alice", values: [59, 89]), ContenderRolls(player: "bob", values: [59, 4])])
    }

    func testALoneContenderRollsOnceAndNoContenderIsNobody() throws {
        let contest = try XCTUnwrap(LootFairness.contest(seed: Self.exampleSeed, roll: "roll_1", contenders: ["carol"]))
        XCTAssertEqual(contest.winner, "carol")
        XCTAssertEqual(contest.rolls.map(\.values.count), [1])
        XCTAssertNil(LootFairness.contest(seed: Self.exampleSeed, roll: "roll_1", contenders: []))
    }

    /// Only those tied at the top roll again; the others keep the rounds they rolled.
    func testOnlyTheTiedRollAgain() throws {
        let seed = Self.exampleSeed
        let players = (0..<60).map { "p\($0)" }
        let contest = try XCTUnwrap(LootFairness.contest(seed: seed, roll: "roll_2", contenders: players))
        let firstRound = players.map { LootFairness.value(seed: seed, roll: "roll_2", player: $0, round: 0) }
        let top = try XCTUnwrap(firstRound.max())
        for (player, rolls) in zip(players, contest.rolls) {
            XCTAssertEqual(rolls.player, player)
            XCTAssertEqual(rolls.values.first, LootFairness.value(seed: seed, roll: "roll_2", player: player, round: 0))
            if rolls.values.first != top { XCTAssertEqual(rolls.values.count, 1, player) }
        }
        XCTAssertTrue(contest.rolls.allSatisfy { (1...100).contains($0.values.min() ?? 0) && ($0.values.max() ?? 0) <= 100 })
    }

    func testValuesSpreadOverOneToAHundred() {
        var seen = Set<Int>()
        for round in 0..<3000 { seen.insert(LootFairness.value(seed: Self.exampleSeed, roll: "roll_9", player: "dave", round: round)) }
        XCTAssertEqual(seen, Set(1...100))
    }

    func testOnlyLowercaseHexOf64CharactersIsASeed() {
        XCTAssertTrue(LootFairness.isWellFormedSeed(String(repeating: "0123456789abcdef", count: 4)))
        XCTAssertFalse(LootFairness.isWellFormedSeed(String(repeating: "0123456789ABCDEF", count: 4)))
        XCTAssertFalse(LootFairness.isWellFormedSeed(String(repeating: "a", count: 63)))
        XCTAssertFalse(LootFairness.isWellFormedSeed(String(repeating: "a", count: 65)))
        XCTAssertFalse(LootFairness.isWellFormedSeed(String(repeating: "g", count: 64)))
        XCTAssertFalse(LootFairness.isWellFormedSeed(""))
    }
}
