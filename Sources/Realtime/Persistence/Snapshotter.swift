import CPartyHubSystem
import Glibc

/// Writes snapshots of the hub off the hub's loop. The hub is a value type: the loop hands over
/// a copy taken at a turn boundary (copy-on-write makes the copy itself cheap; the loop pays
/// for each container the first time it writes it afterwards), and this thread encodes it,
/// waits until the log is durable through the snapshot's LSN (so a snapshot never covers a
/// record a crash could take from the log) and the event stream's files through the snapshot's
/// last published offset (after the snapshot, the log that could regenerate them may be
/// pruned), writes it (temporary file, fsync, rename,
/// directory fsync) and prunes: the last two snapshots are kept, and log segments wholly older
/// than the older one are deleted, so the data directory stays bounded.
final class Snapshotter: @unchecked Sendable {
    private let store: SnapshotStore
    private let fileSystem: any StorageFileSystem
    private let committer: LogCommitter
    private let events: EventFileDurability
    private let metrics: PersistenceMetrics
    private let logger: Logger
    private let pinned: [UInt8]
    private let lock = ConditionLock()
    private let thread = WorkerThread()
    // Guarded by `lock`:
    private var job: (hub: Hub, lsn: UInt64)?
    private var busy = false
    private var stopping = false
    /// The LSN of the last snapshot written (by this process or found at start).
    private var writtenLSN: UInt64
    /// The payload size of the last snapshot written or found (its thread's only).
    private var lastPayloadBytes: Int

    init(
        store: SnapshotStore, fileSystem: any StorageFileSystem, committer: LogCommitter, events: EventFileDurability,
        pinned: [UInt8], snapshotLSN: UInt64, snapshotBytes: Int, metrics: PersistenceMetrics, logger: Logger
    ) {
        self.events = events
        self.fileSystem = fileSystem
        self.writtenLSN = snapshotLSN
        self.lastPayloadBytes = snapshotBytes
        self.store = store
        self.committer = committer
        self.pinned = pinned
        self.metrics = metrics
        self.logger = logger
    }

    /// The LSN the newest snapshot covers.
    var lastSnapshotLSN: UInt64 { lock.withLock { writtenLSN } }

    func start() throws {
        // In the background (SCHED_IDLE): encoding a large hub takes seconds of CPU, and on a
        // core shared with an event loop it must never stand between the loop and its sockets
        // (at nice 19 the loop still waited behind it often enough to double its p99).
        try thread.start(name: "partyhub-snap", background: true) { [self] in run() }
    }

    /// Hands a copy of the hub over, unless a snapshot is still being written (then the loop
    /// asks again at a later turn). Returns whether it was taken.
    func begin(_ hub: Hub, lsn: UInt64) -> Bool {
        lock.withLock {
            guard !busy, !stopping else { return false }
            busy = true
            job = (hub, lsn)
            lock.broadcast()
            return true
        }
    }

    /// Waits for a snapshot in progress and stops the thread.
    func stop() {
        lock.withLock {
            stopping = true
            lock.broadcast()
        }
        thread.join()
    }

    /// Writes a snapshot now, on the calling thread (shutdown, after the loops stopped and the
    /// log's last sync).
    func writeNow(_ hub: Hub, lsn: UInt64) throws(StorageError) {
        events.makeDurable(through: hub.lastPublishedOffset)
        try write(hub, lsn: lsn)
    }

    private func run() {
        while true {
            var next: (hub: Hub, lsn: UInt64)?
            lock.withLock {
                while job == nil && !stopping { lock.wait() }
                next = job
                job = nil
            }
            guard let next else { return }
            committer.waitUntilSynced(next.lsn)
            events.makeDurable(through: next.hub.lastPublishedOffset)
            do {
                try write(next.hub, lsn: next.lsn)
            } catch {
                metrics.add(.snapshotFailures)
                logger.error("snapshot failed; the log still holds every change", ["lsn": String(next.lsn), "error": error.description])
            }
            lock.withLock { busy = false }
        }
    }

    private func write(_ hub: Hub, lsn: UInt64) throws(StorageError) {
        let started = partyhub_monotonic_ns()
        // Sized from the last snapshot, an eighth larger. Grown by doubling from a small buffer,
        // a 116 MB encoding copied and freed seven buffers of up to 64 MB, and while it did the
        // log's syncs took 5-10 ms (30-120 of them a snapshot) and fanout p99 went to 12-15 ms
        // (2.2-2.5 ms in the same runs with the buffer sized).
        var writer = BinaryWriter(reservingCapacity: max(1 << 20, lastPayloadBytes + lastPayloadBytes / 8))
        hub.encodeState(into: &writer)
        lastPayloadBytes = writer.bytes.count
        try writer.bytes.withStorageBytes { (bytes) throws(StorageError) in
            _ = try store.write(lsn: lsn, pinned: pinned, payload: bytes)
        }
        lock.withLock { writtenLSN = max(writtenLSN, lsn) }
        let finished = partyhub_monotonic_ns()
        metrics.add(.snapshots)
        metrics.set(.snapshotLSN, Int64(lsn))
        metrics.set(.snapshotBytes, Int64(writer.bytes.count))
        metrics.set(.snapshotNanoseconds, finished - started)
        logger.info(
            "snapshot written",
            ["lsn": String(lsn), "bytes": String(writer.bytes.count), "ms": String((finished - started) / 1_000_000)])
        do {
            let pruned = try store.prune()
            for path in pruned.removedSnapshots + pruned.removedSegments { logger.debug("pruned", ["path": path]) }
            let listing = try DataDirectoryListing(fileSystem: fileSystem, directory: store.directory)
            metrics.set(.diskBytes, Int64(try listing.byteCount(fileSystem: fileSystem)))
        } catch {
            logger.warning("pruning the data directory failed", ["error": error.description])
        }
    }
}
