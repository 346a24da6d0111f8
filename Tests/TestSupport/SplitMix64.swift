/// A seeded random number generator (SplitMix64), so that the randomised tests draw the same
/// inputs on every run and a failure can be reproduced.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

extension SplitMix64 {
    /// A number in `0..<bound`, computed here rather than by the standard library so the
    /// sequence cannot change with the toolchain.
    public mutating func next(below bound: Int) -> Int {
        precondition(bound > 0, "the bound must be positive")
        return Int(next() % UInt64(bound))
    }

    /// A random byte.
    public mutating func nextByte() -> UInt8 { UInt8(truncatingIfNeeded: next()) }
}
