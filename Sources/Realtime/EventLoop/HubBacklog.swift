/// How many hub requests each loop has handed the hub's loop, and how many of them that loop
/// has carried out: their difference is the loop's backlog at the hub. Each count has one
/// writer (the posting loop, the hub's loop), so both are relaxed atomic stores and loads,
/// with no lock and no read-modify-write on the hot path.
final class HubBacklog: @unchecked Sendable {
    private let loopCount: Int
    /// Per loop: requests posted (written by that loop), then requests handled (written by the
    /// hub's loop), each a running total.
    private let counts: CounterBlock

    init(loopCount: Int) {
        self.loopCount = loopCount
        counts = CounterBlock(count: 2 * loopCount)
    }

    /// `loop` posts `count` requests to the hub's loop (called by `loop`, before it posts).
    func notePosted(_ count: Int, by loop: Int) { counts.add(loop, Int64(count)) }

    /// The hub's loop has carried out `count` requests from `loop` (called by the hub's loop).
    func noteHandled(_ count: Int, from loop: Int) { counts.add(loopCount + loop, Int64(count)) }

    /// The requests of `loop` the hub's loop has not carried out yet (read by any thread; a
    /// stale read only delays a pause or a resume by a turn).
    func backlog(of loop: Int) -> Int64 { counts.load(loop) - counts.load(loopCount + loop) }

    /// The requests of `loop` the hub's loop has carried out so far: the hub takes each loop's
    /// requests in the order they were posted, so this is also the sequence number of the last
    /// one done (`ConnectionHubBacklog`).
    func handled(of loop: Int) -> Int64 { counts.load(loopCount + loop) }
}
