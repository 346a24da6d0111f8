import Synchronization

/// The per-address limits on WebSocket upgrades, shared by every loop: how many sessions one
/// client address holds (`--max-connections-per-ip`) and how fast it may start new ones
/// (`--ip-handshake-rate`/`--ip-handshake-burst`). Loopback is not exempt: a proxy on the same
/// host is the common case, and its clients are told apart by `X-Forwarded-For` from
/// `--trusted-proxies` instead.
///
/// Upgrades and closes are rare next to messages, so one lock is cheap here; nothing on the
/// message path touches it.
final class AddressAdmission: Sendable {
    /// One address's state: its open sessions and its handshake bucket.
    fileprivate struct Entry {
        var sessions = 0
        var bucket: TokenBucket
    }

    fileprivate struct State {
        var entries: [String: Entry] = [:]
        /// The table size past which idle entries (no session, a full bucket) are swept.
        var sweepThreshold = AddressAdmission.minimumSweepThreshold
    }

    fileprivate static let minimumSweepThreshold = 4096

    private let maxSessionsPerAddress: Int
    private let handshakeRatePerSecond: Double
    private let handshakeBurst: Double
    private let state = Mutex(State())

    init(maxSessionsPerAddress: Int, handshakeRatePerSecond: Double, handshakeBurst: Double) {
        self.maxSessionsPerAddress = maxSessionsPerAddress
        self.handshakeRatePerSecond = handshakeRatePerSecond
        self.handshakeBurst = handshakeBurst
    }

    /// An upgrade attempt from `address` at `now` (monotonic ms) takes a handshake token: nil
    /// when there was one, else the milliseconds until there will be. Every attempt takes a
    /// token, refused ones too, so guessing tokens costs as much as signing in.
    func tookHandshake(from address: String, now: Int64) -> Int64? {
        if handshakeRatePerSecond <= 0 { return nil }
        return state.withLock { state in
            if state.entries[address] == nil {
                state.sweepIfLarge(now: now)
                state.entries[address] = Entry(bucket: TokenBucket(ratePerSecond: handshakeRatePerSecond, burst: handshakeBurst, now: now))
            }
            return state.entries[address]?.bucket.take(now: now)
        }
    }

    /// Counts a session for `address` unless it holds `--max-connections-per-ip` already;
    /// `released` gives it back. False: refused.
    func reservedSession(for address: String, now: Int64) -> Bool {
        if maxSessionsPerAddress <= 0 { return true }
        return state.withLock { state in
            if state.entries[address] == nil {
                state.sweepIfLarge(now: now)
                state.entries[address] = Entry(bucket: TokenBucket(ratePerSecond: handshakeRatePerSecond, burst: handshakeBurst, now: now))
            }
            guard let sessions = state.entries[address]?.sessions, sessions < maxSessionsPerAddress else { return false }
            state.entries[address]?.sessions = sessions + 1
            return true
        }
    }

    /// A session `reservedSession` counted for `address` ended.
    func released(_ address: String) {
        if maxSessionsPerAddress <= 0 { return }
        state.withLock { state in
            guard let entry = state.entries[address], entry.sessions > 0 else { return }
            state.entries[address]!.sessions = entry.sessions - 1
        }
    }

    /// Sessions counted for `address` now (tests and diagnostics).
    func sessions(of address: String) -> Int {
        state.withLock { $0.entries[address]?.sessions ?? 0 }
    }
}

extension AddressAdmission.State {
    /// Drops the entries of addresses with no session whose bucket has refilled (forgetting them
    /// loses nothing), so a scan from many addresses cannot grow the table for ever. The
    /// threshold doubles past what is left, keeping the sweep's cost amortised per insert.
    fileprivate mutating func sweepIfLarge(now: Int64) {
        guard entries.count >= sweepThreshold else { return }
        entries = entries.filter { _, entry in entry.sessions > 0 || !entry.bucket.isFull(now: now) }
        sweepThreshold = max(AddressAdmission.minimumSweepThreshold, entries.count * 2)
    }
}
