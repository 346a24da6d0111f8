/// Whether a loop reads its sockets, given its backlog at the hub's loop: a loop whose
/// requests pile up faster than the hub carries them out stops reading (every connection's
/// EPOLLIN off, so the clients' own TCP windows push back), and reads again once the hub has
/// worked the backlog down to half the limit. The gap keeps it from flapping at the limit.
struct HubReadGate: Equatable, Sendable {
    /// What the loop does with its connections' read interest.
    enum Action: Equatable, Sendable {
        case none, pauseReading, resumeReading
    }

    /// Requests a loop may have waiting at the hub's loop before it stops reading (0: no limit).
    let limit: Int
    private(set) var isPaused = false

    init(limit: Int) { self.limit = limit }

    /// The loop posted requests; its backlog is now `backlog`.
    mutating func posted(backlog: Int64) -> Action {
        guard limit > 0, !isPaused, backlog > Int64(limit) else { return .none }
        isPaused = true
        return .pauseReading
    }

    /// A turn of a paused loop: is the backlog down to half the limit?
    mutating func checked(backlog: Int64) -> Action {
        guard isPaused, backlog <= Int64(limit / 2) else { return .none }
        isPaused = false
        return .resumeReading
    }
}
