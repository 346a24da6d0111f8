import CPartyHubSystem
import Glibc

/// The data directory at work for one server: recovery at start (newest valid snapshot, then
/// the log after it, and the published event stream's files checked against what the replay
/// publishes), the log's writer and committer, the snapshot thread, and the final snapshot at a
/// clean stop. The directory is locked for the life of the process.
final class Persistence: @unchecked Sendable {
    let directory: DataDirectory
    let configuration: PersistenceConfiguration
    /// This process's epoch: the newest the log or snapshot names, plus one (never 0).
    let epoch: UInt16
    let committer: LogCommitter
    let snapshotter: Snapshotter
    /// The hub loop's side of the log.
    let inputLog: HubInputLog
    /// The published event stream, for the hub's loop.
    let eventStream: EventStream
    private let metrics: PersistenceMetrics
    private let logger: Logger
    /// The recovered hub, until the hub's loop takes it.
    private var recoveredHub: Hub?

    /// Locks the directory, recovers the hub, starts a new log segment pinning this process's
    /// rules and epoch, and logs a `sessionClosed` for every session the log left open (which
    /// starts their members' reconnect grace): all durable before this returns, so before the
    /// server listens.
    init(
        path: String, configuration: PersistenceConfiguration, hubConfiguration: HubConfiguration,
        metrics: PersistenceMetrics, logger: Logger, fileSystem: any StorageFileSystem = PosixFileSystem()
    ) throws {
        let started = partyhub_monotonic_ns()
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        directory = try DataDirectory(path: path, fileSystem: fileSystem)
        for removed in directory.removedTemporaries { logger.warning("removed a temporary file a crash left", ["path": removed]) }
        let store = SnapshotStore(fileSystem: fileSystem, directory: path)
        var recovered = try Self.recover(
            directory: path, store: store, fileSystem: fileSystem, hubConfiguration: hubConfiguration,
            eventConfiguration: configuration.events, truncateDamage: configuration.truncateDamage, logger: logger)
        epoch = recovered.epoch == UInt16.max ? 1 : recovered.epoch + 1
        if recovered.hub.configuration != hubConfiguration {
            logger.info("the hub's rules differ from those the log was written with; the new ones apply from now on")
            recovered.hub.reconfigure(hubConfiguration)
        }
        let pinned = PinnedState(epoch: epoch, configuration: hubConfiguration).bytes
        let writer = try LogWriter(
            fileSystem: fileSystem, directory: path, segmentBytes: configuration.segmentBytes, pinned: pinned,
            firstLSN: recovered.nextLSN)
        // Sessions of the previous process: their connections are gone.
        var lastLSN = recovered.nextLSN - 1
        let open = recovered.hub.openSessions
        if !open.isEmpty {
            var builder = LogBatchBuilder()
            var payload = BinaryWriter()
            var outputs: [HubOutput] = []
            let now = partyhub_wall_ms()
            for session in open {
                let input = HubInput.sessionClosed(session, now: now)
                recovered.hub.apply(input, into: &outputs)
                for case .published(let event) in outputs { try recovered.events.replayed(event) }
                outputs.removeAll(keepingCapacity: true)
                lastLSN += 1
                builder.append(input, lsn: lastLSN, scratch: &payload)
            }
            try writer.write(builder.batch)
            try writer.sync()
        }
        eventStream = try recovered.events.finish(lastPublishedOffset: recovered.hub.lastPublishedOffset)
        for cut in recovered.events.cuts { logger.warning("recovery cut the event segments", ["what": cut]) }
        recoveredHub = recovered.hub
        committer = LogCommitter(writer: writer, policy: configuration.fsync, lastLSN: lastLSN, metrics: metrics)
        snapshotter = Snapshotter(
            store: store, fileSystem: fileSystem, committer: committer, events: eventStream.durability, pinned: pinned,
            snapshotLSN: recovered.snapshotLSN, snapshotBytes: recovered.snapshotBytes, metrics: metrics, logger: logger)
        inputLog = HubInputLog(lastLSN: lastLSN, committer: committer)
        let elapsed = partyhub_monotonic_ns() - started
        metrics.set(.recoveredRecords, Int64(recovered.replayed))
        metrics.set(.recoveryNanoseconds, elapsed)
        metrics.set(.durableLSN, Int64(lastLSN))
        metrics.set(.snapshotLSN, Int64(recovered.snapshotLSN))
        if let listing = try? directory.listing(), let bytes = try? listing.byteCount(fileSystem: fileSystem) {
            metrics.set(.diskBytes, Int64(bytes))
        }
        logger.info(
            "recovered",
            [
                "snapshot_lsn": String(recovered.snapshotLSN), "replayed": String(recovered.replayed),
                "last_lsn": String(lastLSN), "closed_sessions": String(open.count), "epoch": String(epoch),
                "parties": String(recovered.hub.partyCount), "organizations": String(recovered.hub.organizationCount),
                "groups": String(recovered.hub.groupCount), "ms": String(elapsed / 1_000_000),
                "events": "\(eventStream.oldestOffset)-\(eventStream.lastOffset)",
                "events_verified": String(recovered.events.verified),
                "events_regenerated": String(recovered.events.regenerated),
            ])
    }

    /// Hands the recovered hub to its loop (once).
    func takeRecoveredHub() -> Hub {
        guard let hub = recoveredHub else { preconditionFailure("the recovered hub was taken already") }
        recoveredHub = nil
        return hub
    }

    /// Starts the log and snapshot threads; `durable` reaches the hub's loop.
    func start(durable: @escaping @Sendable (UInt64) -> Void) throws {
        let logger = self.logger
        eventStream.setFailureHook { error in
            // The events are derived from the log: nothing is lost, but nothing after a failed
            // write or sync may be shown or trusted. The next start regenerates them.
            logger.error("an event segment failed; stopping", ["error": error.description])
            _exit(3)
        }
        try committer.start(
            hooks: LogCommitter.Hooks(
                durable: durable,
                failed: { error in
                    // PostgreSQL's rule: never retry, never acknowledge; let the supervisor
                    // restart us and recovery read what is truly on disk.
                    logger.error(
                        error.isNoSpace
                            ? "the write-ahead log is out of disk space; stopping without acknowledging anything more"
                            : "the write-ahead log failed; stopping without acknowledging anything more",
                        ["error": error.description])
                    _exit(3)
                }))
        try snapshotter.start()
    }

    /// The clean stop, after the loops have stopped: the log is written and synced; then
    /// `releaseHeldEvents` appends to the stream the events the hub's loop still held for that
    /// sync (on this thread: the loop is gone); then a final snapshot at the log's last LSN,
    /// the stream synced through its offset first, so the next start replays nothing.
    func close(finalHub hub: Hub, releaseHeldEvents: () -> Void) {
        committer.stop()
        releaseHeldEvents()
        snapshotter.stop()
        let lsn = inputLog.lastRecordedLSN
        // A snapshot past the stream's files would promise events they do not hold; without
        // it, the next start replays the log and regenerates them.
        let streamIsWhole = eventStream.lastOffset == hub.lastPublishedOffset
        if !streamIsWhole {
            logger.error(
                "the event stream ends before the hub's last published event; no final snapshot, the next start replays the log",
                ["stream": String(eventStream.lastOffset), "hub": String(hub.lastPublishedOffset)])
        }
        if lsn > snapshotter.lastSnapshotLSN && streamIsWhole {
            do {
                try snapshotter.writeNow(hub, lsn: lsn)
            } catch {
                logger.error("the final snapshot failed; the next start replays the log", ["error": error.description])
            }
        }
        eventStream.close()
        directory.unlock()
    }

    // MARK: Recovery

    private struct Recovered {
        var hub: Hub
        /// The stream's files, checked so far against the replay.
        let events: EventStreamRecovery
        var snapshotLSN: UInt64
        /// The recovered snapshot's payload size (0 without one).
        var snapshotBytes: Int
        var nextLSN: UInt64
        var epoch: UInt16
        var replayed: Int
    }

    private static func recover(
        directory: String, store: SnapshotStore, fileSystem: any StorageFileSystem, hubConfiguration: HubConfiguration,
        eventConfiguration: EventStreamConfiguration, truncateDamage: Bool, logger: Logger
    ) throws -> Recovered {
        let loaded = try store.loadNewest()
        for skipped in loaded.skipped {
            logger.warning("skipped a damaged snapshot", ["path": skipped.path, "reason": skipped.reason])
        }
        var hub: Hub
        var epoch: UInt16 = 0
        var snapshotLSN: UInt64 = 0
        var snapshotBytes = 0
        if let snapshot = loaded.snapshot {
            // A BinaryDecodingError names no file: the operator is told which one.
            do {
                let pinned = try PinnedState(decoding: snapshot.pinned)
                hub = try snapshot.payload.decodeBinary { (reader) throws(BinaryDecodingError) in
                    try Hub(decodingState: &reader)
                }
                epoch = pinned.epoch
                snapshotLSN = snapshot.lsn
                snapshotBytes = snapshot.payload.count
            } catch {
                throw StorageError.damaged(
                    snapshot.path, offset: nil, "its checksum is right but it does not decode: \(error)")
            }
        } else {
            hub = Hub(configuration: hubConfiguration)
        }
        let events = try EventStreamRecovery(
            fileSystem: fileSystem, directory: directory, configuration: eventConfiguration,
            durableOffset: hub.lastPublishedOffset, truncateDamage: truncateDamage, logger: logger)
        var outputs: [HubOutput] = []
        var replayed = 0
        var segmentPath = directory
        let report = try LogRecovery.scanLog(
            fileSystem: fileSystem, directory: directory, fromLSN: snapshotLSN + 1, truncateDamage: truncateDamage,
            onSegment: { header in
                segmentPath = FileSystem.join(directory, LogFormat.segmentName(firstLSN: header.firstLSN))
                let pinned: PinnedState
                do {
                    pinned = try PinnedState(decoding: header.pinned)
                } catch {
                    throw StorageError.damaged(
                        segmentPath, offset: 0, "the header's pinned blob does not decode: \(error)")
                }
                epoch = pinned.epoch
                if hub.configuration != pinned.configuration { hub.reconfigure(pinned.configuration) }
            },
            { record in
                guard record.type == .hubInput else { return }
                let input: HubInput
                do {
                    input = try HubInput(decodingPayload: record.payload)
                } catch {
                    throw StorageError.damaged(
                        segmentPath, offset: nil, "record LSN \(record.lsn) does not decode as a hub input: \(error)")
                }
                hub.apply(input, into: &outputs)
                for case .published(let event) in outputs { try events.replayed(event) }
                outputs.removeAll(keepingCapacity: true)
                replayed += 1
            })
        if let damage = report.damage {
            logger.warning("recovery cut the log", ["damage": damage.description])
        }
        return Recovered(
            hub: hub, events: events, snapshotLSN: snapshotLSN, snapshotBytes: snapshotBytes, nextLSN: report.nextLSN, epoch: epoch, replayed: replayed)
    }
}
