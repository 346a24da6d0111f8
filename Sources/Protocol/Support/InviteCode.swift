/// Invite codes, of parties and of groups: 8 characters of an alphabet without look-alikes
/// (no 0, O, I, L, 1), so that a code read aloud or typed by hand comes through.
public enum InviteCode {
    /// The alphabet codes are drawn from.
    public static let alphabet: [Character] = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    /// The length of every code.
    public static let length = 8

    /// Builds a code from random indexes (each below `alphabet.count`).
    public static func make(indexes: [Int]) -> String {
        precondition(
            indexes.count == length && indexes.allSatisfy { $0 >= 0 && $0 < alphabet.count }, "invalid invite code draw"
        )
        return String(indexes.map { alphabet[$0] })
    }

    /// Whether `code` has the form of an invite code.
    public static func isWellFormed(_ code: String) -> Bool {
        code.count == length && code.allSatisfy { alphabet.contains($0) }
    }

    /// A code as typed by hand, in the form codes are stored in: ASCII letters upper-cased
    /// (the alphabet has no lower case, so `abcd2345` is `ABCD2345`); nil when the result is
    /// not a well-formed code.
    public static func normalized(_ typed: some StringProtocol) -> String? {
        // Bounded before any work: the text may come from a URL.
        guard typed.utf8.count == length else { return nil }
        let upper = String(
            decoding: typed.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 },
            as: UTF8.self)
        return isWellFormed(upper) ? upper : nil
    }
}
