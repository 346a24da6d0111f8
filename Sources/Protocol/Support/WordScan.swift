/// Word-at-a-time byte tests (SWAR): whether any of eight bytes is special for a JSON string.
enum WordScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// True when some byte of `word` is a quote, a backslash, or a control character (< 0x20):
    /// the bytes a JSON string must escape and a JSON reader must stop at. Exact (no false
    /// positives): bytes >= 0x80 are never flagged.
    @inline(__always)
    static func hasQuoteBackslashOrControl(_ word: UInt64) -> Bool {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        let belowSpace = (word &- ones &* 0x20) & ~word
        return (zeroInQuote | zeroInBackslash | belowSpace) & highBits != 0
    }
}
