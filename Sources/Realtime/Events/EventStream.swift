import Protocol

/// Why a read of the stream gave no events.
enum EventReadFailure: Error, Equatable {
    /// The events after the offset asked for are no longer kept; `oldest` is the oldest that is.
    case offsetExpired(oldest: UInt64)
    /// The files could not be read (a failed read, damage found): the text says what.
    case unreadable(String)
}

/// The published event stream (docs/PROTOCOL.md, "Events out"): the last `retention` events,
/// in `events-<offset>.log` segments of the data directory in the log's record format (the
/// event's JSON as payload, its offset as LSN), and the newest of them framed in memory.
///
/// One owner: the hub's loop. `HubHost` appends each event when the log batch that produced it
/// is durable (the same release as the frames of that batch), so an event is visible to
/// readers, and to the sinks told of it, only once a crash can no longer take it back. The
/// files are not synced here: a start regenerates every event after the snapshot's offset from
/// the log, and the snapshot thread syncs them before a snapshot (`EventFileDurability`).
/// Whole old segments are deleted once the later ones hold `retention` events.
final class EventStream {
    /// The offset of the last event appended (0 before the first).
    private(set) var lastOffset: UInt64
    /// The oldest offset kept; `lastOffset + 1` when none is.
    private(set) var oldestOffset: UInt64
    /// The thread-safe half that syncs the files for the snapshot thread.
    let durability: EventFileDurability

    private let fileSystem: any StorageFileSystem
    private let directory: String
    private let configuration: EventStreamConfiguration
    private let logger: Logger
    private let writer: LogWriter
    private var index: EventSegmentIndex
    private var tail: EventTail
    private var builder = LogBatchBuilder(capacity: 64 << 10)
    /// This batch's events: their frames, and where their records start in the batch.
    private var pending: [(frame: OutboundBytes, batchPosition: Int)] = []
    private var sinks: [EventSink] = []
    private var failed: (StorageError) -> Never = { error in
        preconditionFailure("the event stream failed before its hooks were set: \(error)")
    }

    /// The stream over the kept segments `index` (the start's recovery verified them), the
    /// next event being `lastOffset + 1`: a new segment is begun for it, synced with the
    /// directory so the stream's position survives even a start that writes nothing.
    init(
        fileSystem: any StorageFileSystem, directory: String, configuration: EventStreamConfiguration, index: EventSegmentIndex,
        lastOffset: UInt64, oldestOffset: UInt64, logger: Logger
    ) throws(StorageError) {
        precondition(configuration.retention >= 1, "the stream keeps at least one event")
        precondition((index.lastOffset ?? lastOffset) == lastOffset, "the kept segments end at the last offset")
        self.fileSystem = fileSystem
        self.directory = directory
        self.configuration = configuration
        self.logger = logger
        self.lastOffset = lastOffset
        self.oldestOffset = oldestOffset
        self.index = index
        tail = EventTail(capacity: configuration.memoryTail, nextOffset: lastOffset + 1)
        writer = try LogWriter(
            fileSystem: fileSystem, directory: directory, segmentBytes: configuration.segmentBytes, pinned: [],
            firstLSN: lastOffset + 1, segmentName: { LogFormat.eventSegmentName(firstOffset: $0) }, durability: .deferred)
        try writer.sync()
        try fileSystem.syncDirectory(directory)
        self.index.startSegment(path: writer.segmentPath, firstOffset: lastOffset + 1)
        durability = EventFileDurability(
            fileSystem: fileSystem, directory: directory, syncedOffset: lastOffset, currentSegment: writer.segmentPath)
    }

    /// Sets what a failed write calls (the server logs and exits, as for the log).
    func setFailureHook(_ hook: @escaping @Sendable (StorageError) -> Never) {
        failed = hook
        durability.setFailureHook(hook)
    }

    /// Tells `sink` of every advance from now on.
    func addSink(_ sink: EventSink) {
        sinks.append(sink)
    }

    /// The segments' paths and offset ranges, oldest first (tests, metrics).
    var segments: [EventSegmentIndex.Segment] { index.segments }

    // MARK: Appending

    /// Adds the next event (its frame from `PublishedEventEncoder`); it becomes visible at
    /// `publishAppended`.
    func append(offset: UInt64, frame: OutboundBytes) {
        let next = lastOffset + 1 + UInt64(pending.count)
        precondition(offset == next, "the stream takes offset \(next), not \(offset)")
        pending.append((frame, builder.byteCount))
        builder.append(lsn: offset, type: .publishedEvent, payload: frame.framePayload)
    }

    /// Writes the appended events with one write, makes them visible (tail, index, last
    /// offset), applies retention and tells the sinks. A failed write ends the process through
    /// the failure hook: nothing after it becomes visible.
    func publishAppended() {
        do {
            try writeAppended()
        } catch {
            failed(error)
        }
    }

    /// `publishAppended`, throwing a failed write (the start's recovery, before the hooks).
    func writeAppended() throws(StorageError) {
        guard !builder.isEmpty else { return }
        let batch = builder.batch
        try writer.write(batch)
        var started: [String] = []
        if let newest = index.segments.last, writer.segmentFirstLSN != newest.firstOffset {
            index.startSegment(path: writer.segmentPath, firstOffset: writer.segmentFirstLSN)
            started.append(writer.segmentPath)
        }
        let batchStart = writer.segmentByteCount - batch.bytes.count
        var offset = batch.firstLSN
        for event in pending {
            index.recorded(offset: offset, position: batchStart + event.batchPosition)
            tail.append(event.frame, offset: offset)
            offset += 1
        }
        lastOffset = batch.lastLSN
        pending.removeAll(keepingCapacity: true)
        builder.removeAll()
        let removed = applyRetention()
        durability.noteWritten(through: lastOffset, started: started, removedSegments: removed)
        for sink in sinks { sink.eventStreamAdvanced(self) }
    }

    /// Deletes the oldest segments while the segments after them hold `retention` events.
    /// Returns whether any was deleted. The deletions become durable with the next sync.
    private func applyRetention() -> Bool {
        var removed = false
        while index.segments.count > 1, lastOffset + 1 - index.segments[1].firstOffset >= UInt64(configuration.retention) {
            let oldest = index.segments[0]
            do {
                try fileSystem.remove(oldest.path)
            } catch {
                // Not a loss: the events stay readable and the next append tries again.
                logger.warning("could not delete an expired event segment", ["path": oldest.path, "error": error.description])
                break
            }
            index.removeOldest()
            oldestOffset = max(oldestOffset, index.segments[0].firstOffset)
            removed = true
        }
        return removed
    }

    // MARK: Reading

    /// Up to `limit` events after offset `after`, oldest first: from memory when the tail holds
    /// them, else from the files. `after` older than the oldest kept event (its predecessor
    /// included) fails with `offsetExpired`; `after` at or past the last offset gives none.
    func read(after: UInt64, limit: Int) -> Result<[StreamedEvent], EventReadFailure> {
        precondition(limit > 0, "a read asks for at least one event")
        if after < oldestOffset - 1 { return .failure(.offsetExpired(oldest: oldestOffset)) }
        guard after < lastOffset else { return .success([]) }
        let last = after + min(UInt64(limit), lastOffset - after)
        var events: [StreamedEvent] = []
        events.reserveCapacity(Int(last - after))
        var next = after + 1
        if next < tail.firstOffset {
            let fromFiles = min(last, tail.firstOffset - 1)
            do {
                guard let reader = try EventFileReader(fileSystem: fileSystem, index: index, from: next) else {
                    return .failure(.unreadable("no event segment holds offset \(next)"))
                }
                defer { reader.close() }
                while next <= fromFiles, let (offset, json) = try reader.next() {
                    events.append(StreamedEvent(offset: offset, frame: .textFrame(payload: json)))
                    next += 1
                }
            } catch {
                return .failure(.unreadable(error.description))
            }
            if next <= fromFiles { return .failure(.unreadable("the event segments end before offset \(next)")) }
        }
        while next <= last, let frame = tail.frame(at: next) {
            events.append(StreamedEvent(offset: next, frame: frame))
            next += 1
        }
        return .success(events)
    }

    /// Closes the current segment (a clean stop, after the final sync).
    func close() {
        writer.close()
    }
}
