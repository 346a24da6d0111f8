import CPartyHubSystem

/// The write-ahead log's and the snapshots' counters. Each counter has one writer (the log
/// thread, the snapshot thread, or start-up); `/metrics` reads them from any loop.
final class PersistenceMetrics: @unchecked Sendable {
    enum Counter: Int, CaseIterable {
        /// Records, bytes and batches written to the log.
        case records, bytes, batches
        case writeErrors, syncErrors
        case syncCount, syncTimeSumNanoseconds
        /// The LSN through which the log is durable.
        case durableLSN
        case snapshots, snapshotFailures
        /// The last snapshot: its LSN, size, and how long it took (encode and write).
        case snapshotLSN, snapshotBytes, snapshotNanoseconds
        /// Bytes of log segments and snapshots in the data directory, after the last prune.
        case diskBytes
        /// Start-up: records replayed and how long recovery took.
        case recoveredRecords, recoveryNanoseconds
    }

    /// Upper bounds of the sync-latency histogram, in microseconds.
    static let syncBucketsMicroseconds: [Int64] = [100, 250, 500, 1000, 2500, 5000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000]

    private static let bucketBase = Counter.allCases.count
    private static let size = bucketBase + syncBucketsMicroseconds.count + 1
    private let counters = CounterBlock(count: size)

    func add(_ counter: Counter, _ delta: Int64 = 1) { counters.add(counter.rawValue, delta) }

    func set(_ counter: Counter, _ value: Int64) { counters.store(counter.rawValue, value) }

    func value(_ counter: Counter) -> Int64 { counters.load(counter.rawValue) }

    func syncTook(nanoseconds: Int64) {
        counters.count(nanoseconds / 1000, inHistogramAt: Self.bucketBase, bounds: Self.syncBucketsMicroseconds)
        add(.syncCount)
        add(.syncTimeSumNanoseconds, nanoseconds)
    }

    /// Syncs in a histogram bucket (the last is +Inf).
    func syncs(bucket: Int) -> Int64 { counters.load(Self.bucketBase + bucket) }
}
