/// Provably fair loot rolls (docs/PROTOCOL.md, "Provably fair rolls"): when a roll opens the
/// hub commits to a secret seed by publishing its SHA-256, and every value rolled is a hash of
/// that seed, the roll id, the contender and the round. Once the seed is revealed anyone can
/// check that the outcome was fixed before anyone chose and that the hub did not pick the
/// winner (`loadtest/verify-roll.py` does it in a few lines).
public enum LootFairness {
    /// A seed is this many lowercase hexadecimal characters (32 bytes from the CSPRNG).
    public static let seedLength = 64
    /// Rounds of a tie-break before the earliest-joined of those still tied wins. Each round
    /// of a tie between two has a 1-in-100 chance of tying again: reaching this is never
    /// expected, but it bounds the work whatever the seed.
    public static let maxRounds = 64

    /// Whether `seed` is 64 lowercase hexadecimal characters.
    public static func isWellFormedSeed(_ seed: String) -> Bool {
        seed.utf8.count == seedLength
            && seed.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    /// The published commitment: lowercase hex SHA-256 of the seed's ASCII characters.
    public static func commitment(ofSeed seed: String) -> String { Digest.hex(Digest.sha256(seed)) }

    /// Round `round` (from 0) of `player` in `roll`: `1 + (u64 mod 100)`, u64 being the first
    /// 8 bytes, big-endian, of SHA-256 of `seed:roll:player:round`.
    public static func value(seed: String, roll: String, player: String, round: Int) -> Int {
        let digest = Digest.sha256("\(seed):\(roll):\(player):\(round)")
        var u64: UInt64 = 0
        for byte in digest.prefix(8) { u64 = u64 << 8 | UInt64(byte) }
        return 1 + Int(u64 % 100)
    }

    /// Every contender rolls; those tied at the top roll again, round after round, until one
    /// is ahead (a lone contender still rolls once). Nil without contenders. After
    /// `maxRounds` the earliest in `contenders` of those still tied wins.
    public static func contest(seed: String, roll: String, contenders: [String]) -> (winner: String, rolls: [ContenderRolls])? {
        guard !contenders.isEmpty else { return nil }
        var values = [[Int]](repeating: [], count: contenders.count)
        var standing = Array(contenders.indices)
        for round in 0..<maxRounds {
            for index in standing {
                values[index].append(value(seed: seed, roll: roll, player: contenders[index], round: round))
            }
            let top = standing.map { values[$0][round] }.max() ?? 0
            standing = standing.filter { values[$0][round] == top }
            if standing.count == 1 { break }
        }
        let rolls = zip(contenders, values).map { ContenderRolls(player: $0, values: $1) }
        return (contenders[standing[0]], rolls)
    }
}
