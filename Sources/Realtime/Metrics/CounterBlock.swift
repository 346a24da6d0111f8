import CPartyHubSystem

/// A fixed block of 64-bit counters with one writing thread: an add is a relaxed load and
/// store (no lock prefix), and any thread reads with relaxed loads (`/metrics`).
final class CounterBlock: @unchecked Sendable {
    private let counters: UnsafeMutablePointer<Int64>

    init(count: Int) {
        counters = .allocate(capacity: count)
        counters.initialize(repeating: 0, count: count)
    }

    deinit { counters.deallocate() }

    @inline(__always)
    func add(_ index: Int, _ delta: Int64 = 1) { partyhub_counter_add(counters + index, delta) }

    @inline(__always)
    func store(_ index: Int, _ value: Int64) { partyhub_counter_store(counters + index, value) }

    @inline(__always)
    func load(_ index: Int) -> Int64 { partyhub_counter_load(counters + index) }

    /// Counts `value` in the histogram whose buckets start at `base` and have these upper
    /// `bounds` (one more bucket after them: +Inf).
    func count(_ value: Int64, inHistogramAt base: Int, bounds: [Int64]) {
        add(base + (bounds.firstIndex(where: { value <= $0 }) ?? bounds.count))
    }
}
