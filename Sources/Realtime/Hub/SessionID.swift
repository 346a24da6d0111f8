/// One live connection of a signed-in player, as the hub knows it: an opaque number. The
/// connection layer packs its event loop, table slot and generation into it (`ConnectionID`),
/// but the hub only compares and stores it.
public struct SessionID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: SessionID, rhs: SessionID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "s\(rawValue)" }
}
