/// Invite codes: 8 characters of an alphabet without look-alikes (no 0, O, I, L, 1).
public enum InviteCode {
    /// The alphabet codes are drawn from.
    public static let alphabet: [Character] = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    /// The length of every code.
    public static let length = 8

    /// Builds a code from random indexes (each below `alphabet.count`).
    public static func make(indexes: [Int]) -> String {
        precondition(indexes.count == length && indexes.allSatisfy { $0 >= 0 && $0 < alphabet.count }, "invalid invite code draw")
        return String(indexes.map { alphabet[$0] })
    }

    /// Whether `code` has the form of an invite code.
    public static func isWellFormed(_ code: String) -> Bool {
        code.count == length && code.allSatisfy { alphabet.contains($0) }
    }
}
