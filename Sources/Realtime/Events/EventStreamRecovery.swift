import Protocol

/// The start's work on the stream's files, beside the log's replay (docs/PERSISTENCE.md,
/// "Event segments"). The rule it relies on: before a snapshot covering offset `p` was
/// written, the files were made durable through `p`; what comes after `p` the replay of the
/// log after that snapshot publishes again, identically (offsets are hub state, and the hub is
/// deterministic).
///
/// 1. `init` reads the files (`EventFilesScan`). If they do not hold every event through `p`
///    (damage or a gap at or before `p`, or files missing), the durable stream lost events:
///    the start is refused, or with `--recover=truncate` every event segment is deleted and
///    the stream goes on after `p` (older offsets answer `offset_expired`). Otherwise the files
///    are cut at their first break, which lies after `p` (what a crash leaves in files written
///    since the last sync), and empty segments are removed.
/// 2. `replayed` takes each event the replay (and the closing of the last process's sessions)
///    publishes, in order: one the files hold is compared with its record; at the first that
///    differs the files are cut there. An event past what they hold is appended.
/// 3. `finish` cuts what the files hold beyond the last event the replay reproduced (records
///    a power cut took from a log that is not synced per batch), writes the rest, syncs every
///    segment after `p` and returns the stream, durable through its last offset.
///
/// Every cut is a truncate and fdatasync, or an unlink followed by a directory fsync.
final class EventStreamRecovery {
    private let fileSystem: any StorageFileSystem
    private let directory: String
    private let configuration: EventStreamConfiguration
    private let logger: Logger
    /// The snapshot's last published offset: the files hold everything through it.
    private let durableOffset: UInt64
    /// The kept segments, as the cuts leave them.
    private var index: EventSegmentIndex
    /// The last offset the kept files hold in order.
    private var heldThrough: UInt64
    /// The oldest offset kept (retention deleted what came before).
    private var oldestOffset: UInt64 = 1
    private var verifier: EventFileReader?
    private var stream: EventStream?
    private let scratch = ByteWriter(capacity: 1024)

    /// Events the replay published that the files already held, identical.
    private(set) var verified = 0
    /// Events the replay published that were written to the files again.
    private(set) var regenerated = 0
    /// What was cut or dropped, one sentence each, for the start's log.
    private(set) var cuts: [String] = []

    /// Reads the files, refuses or repairs lost durable events, and cuts a torn end.
    init(
        fileSystem: any StorageFileSystem, directory: String, configuration: EventStreamConfiguration, durableOffset: UInt64,
        truncateDamage: Bool, logger: Logger
    ) throws(StorageError) {
        self.fileSystem = fileSystem
        self.directory = directory
        self.configuration = configuration
        self.logger = logger
        self.durableOffset = durableOffset
        let entries = try DataDirectoryListing(fileSystem: fileSystem, directory: directory).eventSegments
        let scan = try EventFilesScan.run(fileSystem: fileSystem, entries: entries)
        if let lost = scan.lostDurableEvents(through: durableOffset, directory: directory) {
            guard truncateDamage else {
                throw .damaged(
                    lost.path, offset: lost.position,
                    "\(lost.what) (--recover=truncate deletes the event segments; the stream goes on after offset \(durableOffset))")
            }
            for entry in entries { try fileSystem.remove(entry.path) }
            if !entries.isEmpty { try fileSystem.syncDirectory(directory) }
            cuts.append("deleted every event segment: \(lost.what); the stream goes on after offset \(durableOffset)")
            index = EventSegmentIndex()
            heldThrough = durableOffset
            oldestOffset = durableOffset + 1
            return
        }
        index = scan.index
        heldThrough = scan.heldThrough ?? durableOffset
        if let broken = scan.firstBreak {
            try cutAtBreak(broken, scan: scan)
        }
        let empty = index.removeEmptySegments()
        for path in empty { try fileSystem.remove(path) }
        if !empty.isEmpty { try fileSystem.syncDirectory(directory) }
        oldestOffset = scan.firstHeldOffset.map { min($0, heldThrough + 1) } ?? heldThrough + 1
    }

    /// Cuts the files at the scan's break (after the durable offset): the broken segment is
    /// truncated to its good records, or deleted when it has none; later segments are deleted.
    private func cutAtBreak(_ broken: EventFilesScan.Break, scan: EventFilesScan) throws(StorageError) {
        let brokenIndex = scan.files.firstIndex { $0.entry.path == broken.path } ?? scan.files.count
        var removed = scan.files[(brokenIndex + 1)...].map(\.entry.path)
        let keepsRecords = broken.position != nil && index.segments.last.map { $0.path == broken.path && !$0.isEmpty } == true
        if keepsRecords, let position = broken.position {
            let file = try fileSystem.openFile(broken.path, writable: true)
            defer { fileSystem.close(file) }
            try fileSystem.truncate(file, to: position)
            try fileSystem.sync(file)
        } else {
            removed.insert(broken.path, at: 0)
            if index.segments.last?.path == broken.path { index.trim(from: index.segments[index.segments.count - 1].firstOffset) }
        }
        for path in removed { try fileSystem.remove(path) }
        if !removed.isEmpty { try fileSystem.syncDirectory(directory) }
        heldThrough = index.segments.last?.lastOffset ?? durableOffset
        cuts.append(
            "cut the event segments at offset \(broken.offset) (\(broken.what) in \(InspectionText.fileName(broken.path)));"
                + " the log regenerates what followed")
    }

    // MARK: The replay

    /// An event the replay published, in offset order.
    func replayed(_ event: PublishedEvent) throws(StorageError) {
        let offset = event.offset
        if offset < oldestOffset { return }  // retention had deleted it
        if offset <= heldThrough {
            if try matchesFile(event) {
                verified += 1
                return
            }
            try cutFiles(from: offset, reason: "offset \(offset) differs from what the log publishes")
        }
        let stream = try existingOrNewStream(after: offset - 1)
        stream.append(offset: offset, frame: .copy(PublishedEventEncoder.encodeFrame(event, into: scratch)))
        regenerated += 1
        if regenerated % 1024 == 0 { try stream.writeAppended() }
    }

    /// Whether the files' record of `event.offset` holds exactly the event's JSON.
    private func matchesFile(_ event: PublishedEvent) throws(StorageError) -> Bool {
        if verifier == nil {
            verifier = try EventFileReader(fileSystem: fileSystem, index: index, from: event.offset)
        }
        guard let verifier, let record = try verifier.next(), record.offset == event.offset else { return false }
        scratch.reset()
        PublishedEventEncoder.encodeJSON(event, into: scratch)
        return record.json.elementsEqual(scratch.bytes)
    }

    /// Cuts the files from `offset` on: the segment holding it is truncated at its record, or
    /// deleted when the offset is its first; later segments are deleted.
    private func cutFiles(from offset: UInt64, reason: String) throws(StorageError) {
        verifier?.close()
        verifier = nil
        if let first = index.segments.first, offset <= first.firstOffset {
            // Everything the files hold is past the cut (retention had deleted what came before).
            for segment in index.segments { try fileSystem.remove(segment.path) }
            try fileSystem.syncDirectory(directory)
            index = EventSegmentIndex()
            heldThrough = offset - 1
            oldestOffset = offset
            cuts.append("deleted every event segment from offset \(first.firstOffset): \(reason)")
            return
        }
        guard let (segmentIndex, _) = index.location(of: offset) else { return }
        let segment = index.segments[segmentIndex]
        var removed = index.segments[(segmentIndex + 1)...].map(\.path)
        if offset == segment.firstOffset {
            removed.insert(segment.path, at: 0)
        } else {
            guard let reader = try EventFileReader(fileSystem: fileSystem, index: index, from: offset), try reader.next() != nil,
                let location = reader.lastRecordLocation
            else { throw .damaged(segment.path, offset: nil, "offset \(offset) could not be read back to cut there") }
            reader.close()
            let file = try fileSystem.openFile(location.path, writable: true)
            defer { fileSystem.close(file) }
            try fileSystem.truncate(file, to: location.position)
            try fileSystem.sync(file)
        }
        for path in removed { try fileSystem.remove(path) }
        if !removed.isEmpty { try fileSystem.syncDirectory(directory) }
        index.trim(from: offset)
        heldThrough = offset - 1
        cuts.append("cut the event segments at offset \(offset): \(reason)")
    }

    /// The stream the regenerated events go to, begun after `lastOffset` when there is none.
    private func existingOrNewStream(after lastOffset: UInt64) throws(StorageError) -> EventStream {
        if let stream { return stream }
        precondition(lastOffset == heldThrough, "the stream goes on right after what the files hold")
        let stream = try EventStream(
            fileSystem: fileSystem, directory: directory, configuration: configuration, index: index, lastOffset: lastOffset,
            oldestOffset: oldestOffset, logger: logger)
        self.stream = stream
        return stream
    }

    // MARK: The end

    /// After the replay and the closing of the last process's sessions: `lastPublishedOffset`
    /// is the hub's. Cuts what the files hold beyond it, writes what is pending, makes every
    /// segment after the snapshot's offset durable and returns the stream.
    func finish(lastPublishedOffset: UInt64) throws(StorageError) -> EventStream {
        verifier?.close()
        verifier = nil
        if stream == nil && heldThrough > lastPublishedOffset {
            try cutFiles(from: lastPublishedOffset + 1, reason: "the log publishes no event after offset \(lastPublishedOffset)")
        }
        // Segments written by an earlier process after the snapshot's offset may never have
        // been synced; from now on nothing can regenerate them once the next snapshot exists.
        for segment in index.segments where segment.lastOffset > durableOffset {
            let file = try fileSystem.openFile(segment.path, writable: true)
            defer { fileSystem.close(file) }
            try fileSystem.sync(file)
        }
        let stream = try existingOrNewStream(after: heldThrough)
        try stream.writeAppended()
        try stream.durability.syncWritten(through: stream.lastOffset)
        precondition(
            stream.lastOffset == lastPublishedOffset,
            "the stream ends at \(stream.lastOffset), the hub has published through \(lastPublishedOffset)")
        return stream
    }
}
