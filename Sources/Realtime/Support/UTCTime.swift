import Glibc

/// Times as ISO-8601 UTC text with milliseconds, read by gmtime_r (no Foundation): the logger's
/// timestamps and the times `partyhub data` prints.
enum UTCTime {
    /// `2025-12-01T15:00:34.567Z` for 1764601234567 ms since the Unix epoch; `out of range` for
    /// a year gmtime cannot give.
    static func iso8601(milliseconds: Int64) -> String {
        // Floor division, so that a time before 1970 still has its milliseconds in 0...999.
        let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        var seconds = time_t(remainder < 0 ? quotient - 1 : quotient)
        let fraction = Int(remainder < 0 ? remainder + 1000 : remainder)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "out of range" }
        let date =
            "\(padded(Int(parts.tm_year) + 1900, 4))-\(padded(Int(parts.tm_mon) + 1, 2))-\(padded(Int(parts.tm_mday), 2))"
        let clock = "\(padded(Int(parts.tm_hour), 2)):\(padded(Int(parts.tm_min), 2)):\(padded(Int(parts.tm_sec), 2))"
        return "\(date)T\(clock).\(padded(fraction, 3))Z"
    }

    private static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
