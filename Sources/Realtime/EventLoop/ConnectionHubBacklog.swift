/// The requests one connection has waiting at the hub's loop: the second stage of backpressure
/// after `HubReadGate`. A client that pipelines commands faster than the hub carries them out
/// stops being read once it has `limit` of them waiting, while the other connections of its
/// loop go on; it is read again once the hub has worked it down to half.
///
/// Each request a loop posts has a sequence number (the loop's running count of posted
/// requests), and the hub's loop carries a loop's requests out in the order they were posted,
/// so a request is done once the loop's handled count reaches its number. The connection keeps
/// the numbers of its requests not yet known done, oldest first, trimming them as the hub's
/// count passes them; only a connection with several in flight keeps more than a few.
struct ConnectionHubBacklog: Sendable {
    private var pending: [Int64] = []
    private(set) var isPaused = false

    /// Trimmed lazily: below this many (or the limit, when lower), an append costs no load of
    /// the hub's count.
    private static let trimThreshold = 4

    /// The connection posted request `sequence`; `handled` is the loop's count of requests the
    /// hub has carried out. Returns true when this pauses the connection (once per pause).
    mutating func submitted(_ sequence: Int64, limit: Int, handled: () -> Int64) -> Bool {
        guard limit > 0 else { return false }
        pending.append(sequence)
        guard pending.count >= min(Self.trimThreshold, limit) else { return false }
        trim(handled: handled())
        guard !isPaused, pending.count >= limit else { return false }
        isPaused = true
        return true
    }

    /// A turn of a paused connection: is it down to half the limit? Returns true when this
    /// resumes it.
    mutating func checked(limit: Int, handled: Int64) -> Bool {
        guard isPaused else { return false }
        trim(handled: handled)
        guard pending.count <= limit / 2 else { return false }
        isPaused = false
        return true
    }

    /// The connection's requests the hub has not carried out yet, as last trimmed.
    var waiting: Int { pending.count }

    private mutating func trim(handled: Int64) {
        let done = pending.prefix(while: { $0 <= handled }).count
        if done > 0 { pending.removeFirst(done) }
    }
}
