/// A token bucket rate limiter, fed the time by its caller. Rate 0 turns it off.
public struct TokenBucket: Equatable, Sendable {
    /// Tokens added per second.
    public private(set) var ratePerSecond: Double
    /// The most tokens it holds (the burst).
    public private(set) var capacity: Double
    /// The tokens held at `updatedAt`.
    private(set) var tokens: Double
    /// When the tokens were last counted (Unix ms).
    private(set) var updatedAt: Int64

    public init(ratePerSecond: Double, burst: Double, now: Int64) {
        self.ratePerSecond = ratePerSecond
        self.capacity = max(burst, 1)
        self.tokens = max(burst, 1)
        self.updatedAt = now
    }

    /// A bucket in exactly this state, as a snapshot restores it.
    init(ratePerSecond: Double, capacity: Double, tokens: Double, updatedAt: Int64) {
        self.ratePerSecond = ratePerSecond
        self.capacity = capacity
        self.tokens = tokens
        self.updatedAt = updatedAt
    }

    /// Takes one token if there is one; otherwise returns the milliseconds until there will be.
    public mutating func take(now: Int64) -> Int64? {
        if ratePerSecond <= 0 { return nil }
        refill(now: now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return Int64(min(((1 - tokens) * 1000 / ratePerSecond).rounded(.up), 86_400_000))
    }

    /// Applies a new rate and burst from `now` on: the tokens earned until now are counted at
    /// the old rate and kept, up to the new burst (a bucket that was off counts as full).
    public mutating func rerate(ratePerSecond newRate: Double, burst: Double, now: Int64) {
        let wasOff = ratePerSecond <= 0
        if !wasOff { refill(now: now) }
        updatedAt = max(updatedAt, now)
        ratePerSecond = newRate
        capacity = max(burst, 1)
        tokens = wasOff ? capacity : min(tokens, capacity)
    }

    /// Whether the bucket would hold its whole burst at `now` (an off bucket always does).
    public func isFull(now: Int64) -> Bool {
        if ratePerSecond <= 0 { return true }
        let elapsed = Double(max(0, now - updatedAt))
        return tokens + elapsed * ratePerSecond / 1000 >= capacity
    }

    /// The whole tokens the bucket would hold at `now`, without taking any (the admin API);
    /// nil for an off bucket (no limit).
    public func available(now: Int64) -> Int64? {
        if ratePerSecond <= 0 { return nil }
        let elapsed = Double(max(0, now - updatedAt))
        return Self.wholeTokens(min(capacity, tokens + elapsed * ratePerSecond / 1000))
    }

    /// `value` rounded down to a whole number, clamped to Int64 (0 for NaN): never a trap.
    static func wholeTokens(_ value: Double) -> Int64 {
        guard !value.isNaN else { return 0 }
        if value >= 9.2e18 { return .max }
        if value <= -9.2e18 { return .min }
        return Int64(value.rounded(.down))
    }

    private mutating func refill(now: Int64) {
        if now > updatedAt {
            tokens = min(capacity, tokens + Double(now - updatedAt) * ratePerSecond / 1000)
            updatedAt = now
        }
    }
}
