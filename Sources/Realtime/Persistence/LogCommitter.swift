import CPartyHubSystem
import Glibc

/// Writes the hub's log batches and makes them durable, then tells the hub's loop through
/// which LSN it may release outputs.
///
/// Under `always` and `everysec` a thread of its own does the writing, pipelined with the hub:
/// while it syncs batch N, the hub's loop goes on applying and hands over N+1, and every batch
/// handed over during one sync is written and covered by the next single `fdatasync` (group
/// commit). Durability reaches the hub's loop as a `.logDurable(lsn)` message through its inbox
/// (an eventfd), so one slow sync never stalls reading, pings or other loops' sockets. Under
/// `none` the hub's loop writes each batch itself (one `write`) and releases it at once.
///
/// A failed write or sync is never retried and nothing after it is released (a retried fsync
/// can report success after the kernel dropped the data: PostgreSQL's rule since 2018): the
/// failure hook logs and ends the process, and recovery reads what is truly on disk.
final class LogCommitter: @unchecked Sendable {
    /// What the committer tells its owner.
    struct Hooks: Sendable {
        /// Outputs may be released through this LSN (synced under `always`, written otherwise).
        let durable: @Sendable (UInt64) -> Void
        /// A write or sync failed: never returns (the server logs and exits non-zero).
        let failed: @Sendable (StorageError) -> Never
    }

    let policy: FsyncPolicy
    private let writer: LogWriter
    private let metrics: PersistenceMetrics
    private var hooks = Hooks(durable: { _ in }, failed: { error in preconditionFailure("the log failed before it started: \(error)") })
    private let lock = ConditionLock()
    private let thread = WorkerThread()
    // Guarded by `lock`:
    private var pending: [LogBatch] = []
    private var stopping = false
    /// Written to the file (released through here under `everysec` and `none`).
    private var writtenLSN: UInt64
    /// Synced: safe from a power cut (released through here under `always`).
    private var syncedLSN: UInt64
    /// Under `none`, a snapshot asks the hub's loop to sync through this LSN.
    private var syncRequestedLSN: UInt64 = 0
    // The log thread's own:
    private var lastSyncAt: Int64 = 0

    init(writer: LogWriter, policy: FsyncPolicy, lastLSN: UInt64, metrics: PersistenceMetrics) {
        self.writer = writer
        self.policy = policy
        self.metrics = metrics
        self.writtenLSN = lastLSN
        self.syncedLSN = lastLSN
    }

    /// Starts the log thread (not under `none`), reporting through `hooks`.
    func start(hooks: Hooks) throws {
        self.hooks = hooks
        guard policy != .none else { return }
        try thread.start(name: "partyhub-wal") { [self] in run() }
    }

    /// Hands a batch over (on the hub's loop). Returns the LSN releasable at once when the
    /// batch was written inline (`none`), or nil when the log thread will report it.
    func submit(_ batch: LogBatch) -> UInt64? {
        // An empty batch's lastLSN is 0: written, it would take writtenLSN back.
        precondition(!batch.isEmpty, "an empty batch is never handed over")
        if policy == .none {
            write([batch])
            metrics.set(.durableLSN, Int64(batch.lastLSN))
            return batch.lastLSN
        }
        lock.withLock {
            pending.append(batch)
            if pending.count == 1 { lock.broadcast() }
        }
        return nil
    }

    /// Under `none`, syncs on the hub's loop when a snapshot waits for it (once per snapshot);
    /// called each turn.
    func syncIfRequested() {
        guard policy == .none else { return }
        let wanted = lock.withLock { syncRequestedLSN > syncedLSN && writtenLSN >= syncRequestedLSN }
        if wanted { syncNow() }
    }

    /// Blocks until the log is synced through `lsn` (the snapshot thread: a snapshot must never
    /// cover records a power cut could take from the log, or the log after it would start past
    /// a gap).
    func waitUntilSynced(_ lsn: UInt64) {
        lock.withLock {
            syncRequestedLSN = max(syncRequestedLSN, lsn)
            lock.broadcast()
            while syncedLSN < lsn { lock.wait() }
        }
    }

    /// Writes and syncs everything handed over, stops the thread, and syncs once more (every
    /// policy): the clean stop, after the hub's loop has stopped. A snapshot waiting for the
    /// sync goes on after it.
    func stop() {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
        thread.join()
        let unsynced = lock.withLock { writtenLSN > syncedLSN }
        if unsynced { syncNow() }
        writer.close()
    }

    // MARK: The log thread

    private func run() {
        while true {
            var batches: [LogBatch] = []
            var shouldStop = false
            lock.withLock {
                while pending.isEmpty && !stopping {
                    // everysec: wake within the second to sync what was written.
                    if policy == .everysec && writtenLSN > syncedLSN {
                        lock.wait(milliseconds: 1000)
                        break
                    }
                    lock.wait()
                }
                swap(&batches, &pending)
                shouldStop = stopping
            }
            if !batches.isEmpty { write(batches) }
            switch policy {
            case .always:
                if !batches.isEmpty { syncNow() }
            case .everysec:
                // Written is enough to release under everysec: a process crash loses nothing.
                if let last = batches.last?.lastLSN {
                    metrics.set(.durableLSN, Int64(last))
                    hooks.durable(last)
                }
                let now = partyhub_monotonic_ns() / 1_000_000
                let behind = lock.withLock { writtenLSN > syncedLSN && (now - lastSyncAt >= 1000 || syncRequestedLSN > syncedLSN) }
                if behind { syncNow() }
            case .none:
                break
            }
            if shouldStop && batches.isEmpty { return }
        }
    }

    private func write(_ batches: [LogBatch]) {
        var records = 0
        var bytes = 0
        for batch in batches {
            do {
                try writer.write(batch)
            } catch {
                metrics.add(.writeErrors)
                hooks.failed(error)
            }
            records += Int(batch.lastLSN - batch.firstLSN + 1)
            bytes += batch.bytes.count
        }
        metrics.add(.records, Int64(records))
        metrics.add(.bytes, Int64(bytes))
        metrics.add(.batches, Int64(batches.count))
        let last = batches[batches.count - 1].lastLSN
        lock.withLock { writtenLSN = last }
    }

    private func syncNow() {
        let target = lock.withLock { writtenLSN }
        let started = partyhub_monotonic_ns()
        do {
            try writer.sync()
        } catch {
            metrics.add(.syncErrors)
            hooks.failed(error)
        }
        let finished = partyhub_monotonic_ns()
        lastSyncAt = finished / 1_000_000
        metrics.syncTook(nanoseconds: finished - started)
        lock.withLock {
            syncedLSN = max(syncedLSN, target)
            lock.broadcast()
        }
        if policy == .always {
            metrics.set(.durableLSN, Int64(target))
            hooks.durable(target)
        }
    }
}
