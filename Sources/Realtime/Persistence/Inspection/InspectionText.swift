/// The text forms `partyhub data check` and `data dump` print: times as Unix ms and ISO-8601
/// UTC, names bare when plain and quoted otherwise (`QuotedText`: nothing a player typed
/// reaches the operator's terminal as a control sequence), session ids in hex.
enum InspectionText {
    /// `1764601234567 (2025-12-01T15:00:34.567Z)`.
    static func time(_ milliseconds: Int64) -> String {
        "\(milliseconds) (\(UTCTime.iso8601(milliseconds: milliseconds)))"
    }

    /// A session id as 16 hex digits (its loop, epoch, slot and generation show in them).
    static func session(_ session: SessionID) -> String {
        let digits = String(session.rawValue, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// A name, code or key as it is when it is plain (ASCII letters, digits and `_.:-`, as
    /// player names are), else quoted: a value read from a file may hold anything.
    static func word(_ text: String) -> String {
        let isPlain =
            !text.isEmpty
            && text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"),
                    UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
        return isPlain ? text : QuotedText.json(text)
    }

    /// A rate or count: whole numbers without a fraction (`5`, not `5.0`).
    static func number(_ value: Double) -> String {
        if value.isFinite && value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// The last component of a path: the file names the reports list.
    static func fileName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
