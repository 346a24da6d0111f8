import Realtime

/// Parsers for the value forms flags take: durations ("500ms", "10s", "2m", "1h"), byte sizes
/// ("65536", "64KiB", "1MiB"), counts and booleans.
enum OptionValues {
    /// Seconds from "10", "10s", "500ms", "2m", "1h".
    static func duration(_ text: String) throws -> Double {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var seconds: Double?
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value.isFinite, value >= 0 {
                seconds = value * scale
                break
            }
        }
        if seconds == nil, let value = Double(text), value.isFinite, value >= 0 { seconds = value }
        guard let seconds else { throw ConfigurationError("'\(text)' is not a duration (e.g. 500ms, 10s, 2m, 1h)") }
        guard seconds <= maxDurationSeconds else { throw ConfigurationError("'\(text)' is longer than a year") }
        return seconds
    }

    /// Durations are capped at a year, which keeps every millisecond count far from overflow.
    static let maxDurationSeconds: Double = 365 * 24 * 3600

    /// Bytes from "65536", "64KiB", "1MiB", "1GiB" (also K, M, G as binary multiples).
    static func size(_ text: String) throws -> Int {
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            // An overflowing product is still a size, only one every range check refuses.
            if let value = Int(text.dropLast(suffix.count)), value >= 0 {
                let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
                return overflow ? Int.max : bytes
            }
        }
        if let value = Int(text), value >= 0 { return value }
        throw ConfigurationError("'\(text)' is not a size (e.g. 65536, 64KiB, 1MiB)")
    }

    /// An integer within `range`.
    static func integer(_ text: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text), range.contains(value) else {
            throw ConfigurationError("'\(text)' is not an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A non-negative number.
    static func number(_ text: String) throws -> Double {
        guard let value = Double(text), value.isFinite, value >= 0 else {
            throw ConfigurationError("'\(text)' is not a non-negative number")
        }
        return value
    }
}
