/// A token bucket rate limiter, fed the time by its caller. Rate 0 turns it off.
public struct TokenBucket: Sendable {
    /// Tokens added per second.
    public let ratePerSecond: Double
    /// The most tokens it holds (the burst).
    public let capacity: Double
    private var tokens: Double
    private var updatedAt: Int64

    public init(ratePerSecond: Double, burst: Double, now: Int64) {
        self.ratePerSecond = ratePerSecond
        self.capacity = max(burst, 1)
        self.tokens = max(burst, 1)
        self.updatedAt = now
    }

    /// Takes one token if there is one; otherwise returns the milliseconds until there will be.
    public mutating func take(now: Int64) -> Int64? {
        if ratePerSecond <= 0 { return nil }
        if now > updatedAt {
            tokens = min(capacity, tokens + Double(now - updatedAt) * ratePerSecond / 1000)
            updatedAt = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return Int64(min(((1 - tokens) * 1000 / ratePerSecond).rounded(.up), 86_400_000))
    }
}
