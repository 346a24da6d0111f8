import CPartyHubSystem

/// The write-ahead log's and the snapshots' counters. Each counter has one writer (the log
/// thread, the snapshot thread, or start-up), a plain relaxed store; `/metrics` reads them
/// from any loop with relaxed loads.
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
    private let counters: UnsafeMutablePointer<Int64>

    init() {
        counters = .allocate(capacity: Self.size)
        counters.initialize(repeating: 0, count: Self.size)
    }

    deinit { counters.deallocate() }

    func add(_ counter: Counter, _ delta: Int64 = 1) { partyhub_counter_add(counters + counter.rawValue, delta) }

    func set(_ counter: Counter, _ value: Int64) { partyhub_counter_store(counters + counter.rawValue, value) }

    func value(_ counter: Counter) -> Int64 { partyhub_counter_load(counters + counter.rawValue) }

    func syncTook(nanoseconds: Int64) {
        let micros = nanoseconds / 1000
        let bucket = Self.syncBucketsMicroseconds.firstIndex(where: { micros <= $0 }) ?? Self.syncBucketsMicroseconds.count
        partyhub_counter_add(counters + Self.bucketBase + bucket, 1)
        add(.syncCount)
        add(.syncTimeSumNanoseconds, nanoseconds)
    }

    /// Syncs in a histogram bucket (the last is +Inf).
    func syncs(bucket: Int) -> Int64 { partyhub_counter_load(counters + Self.bucketBase + bucket) }
}
