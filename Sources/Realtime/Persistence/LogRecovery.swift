/// Recovery's pass over the write-ahead log: every segment from the one holding `fromLSN`,
/// in order, each record verified and handed over, and the end classified (see
/// `docs/PERSISTENCE.md`, "Recovery"):
///
/// - clean: the last segment ends right after a good record;
/// - torn tail: the NEWEST segment ends in a partial record, zeros, or a record that does not
///   verify, with nothing readable after it: what a writer crashing mid-write leaves. The file
///   is truncated to its last good record and synced, and the report says what was dropped;
/// - corruption: damage anywhere else (a bad record followed by readable ones, damage in an
///   older segment, a bad segment header, an LSN gap, an impossible length). Refused with an
///   error naming the file, the offset and what is wrong, unless `truncateDamage`
///   (`--recover=truncate`): then everything from the damage on is dropped (the segment cut,
///   later segments deleted) and reported.
///
/// `verifyLog` is the same pass changing nothing, for `partyhub data check` beside a live
/// server: what `scanLog` would cut or refuse is reported instead.
public enum LogRecovery {
    /// Reads the log in `directory`, calling `onSegment` with each segment's header as the
    /// segment starts (the pinned hub configuration can change between segments) and `body`
    /// with every record from `fromLSN` on (earlier ones are verified and skipped).
    ///
    /// A newest segment left with no record is removed, so that the next `LogWriter` can start
    /// at `LogScanReport.nextLSN` under the same name. Errors from `onSegment` and `body` are
    /// rethrown as they are; the storage layer's are `StorageError`.
    public static func scanLog(
        fileSystem: any StorageFileSystem, directory: String, fromLSN: UInt64 = 1, truncateDamage: Bool = false,
        onSegment: (LogSegmentHeader) throws -> Void = { _ in }, _ body: (LogRecord) throws -> Void
    ) throws -> LogScanReport {
        try scan(
            fileSystem: fileSystem, directory: directory, fromLSN: fromLSN, truncateDamage: truncateDamage,
            readOnly: false, onSegment: onSegment, body)
    }

    /// Reads and verifies the whole log in `directory` as `scanLog` would for a start at
    /// `fromLSN`, and changes nothing: no truncation, no removal, no sync, no lock, so it may
    /// run beside a live server. Every segment is read, from the oldest, and `body` gets every
    /// record (those before `fromLSN` too; `recordsRead` counts the ones a start would replay).
    ///
    /// Nothing is thrown for damage: the report's `damage` says what a start would cut (a torn
    /// tail of the newest segment, with the bytes it would drop) or refuse (corruption, with what
    /// `--recover=truncate` would drop and the segments it would remove; a log that does not
    /// hold `fromLSN`), and `removedEmptySegment` names an empty newest segment a start would
    /// remove. Reading stops at the first damage. Failed system calls are thrown.
    public static func verifyLog(
        fileSystem: any StorageFileSystem, directory: String, fromLSN: UInt64 = 1,
        onSegment: (LogSegmentHeader) throws -> Void = { _ in }, _ body: (LogRecord) throws -> Void
    ) throws -> LogScanReport {
        try scan(
            fileSystem: fileSystem, directory: directory, fromLSN: fromLSN, truncateDamage: false, readOnly: true,
            onSegment: onSegment, body)
    }

    private static func scan(
        fileSystem: any StorageFileSystem, directory: String, fromLSN: UInt64, truncateDamage: Bool, readOnly: Bool,
        onSegment: (LogSegmentHeader) throws -> Void, _ body: (LogRecord) throws -> Void
    ) throws -> LogScanReport {
        precondition(fromLSN > 0, "LSNs start at 1")
        let segments = try DataDirectoryListing(fileSystem: fileSystem, directory: directory).segments
        var report = LogScanReport()
        report.nextLSN = fromLSN
        guard let first = segments.first else { return report }
        guard let startSegment = segments.lastIndex(where: { $0.lsn <= fromLSN }) else {
            let what =
                "the log starts at LSN \(first.lsn) but recovery needs it from LSN \(fromLSN) (a segment is missing)"
            guard readOnly else {
                throw StorageError.damaged(first.path, offset: nil, "\(what); --recover=truncate cannot repair this")
            }
            report.damage = LogScanReport.Damage(
                kind: .corruption, path: first.path, offset: 0, what: what, droppedBytes: 0, droppedRecords: 0,
                removedSegments: [])
            return report
        }
        // Verifying reads the segments a start would pass over too (kept for an older snapshot).
        let start = readOnly ? 0 : startSegment
        let scan = Scan(
            fileSystem: fileSystem, directory: directory, segments: segments, truncateDamage: truncateDamage,
            readOnly: readOnly)
        // The log's position: the last LSN it holds (the start segment's first LSN minus 1 before
        // anything is read; what comes before it is in a snapshot).
        var position = segments[start].lsn - 1
        segmentLoop: for index in start..<segments.count {
            let entry = segments[index]
            let isNewest = index == segments.count - 1
            let reader = try LogReader(fileSystem: fileSystem, path: entry.path)
            defer { reader.close() }

            let header: LogSegmentHeader
            switch try reader.readHeader() {
            case .header(let found):
                header = found
            case .damaged(let damage):
                let kind: LogScanReport.DamageKind = isNewest && damage.couldBeTornWrite ? .tornTail : .corruption
                report.damage = try scan.drop(from: index, reader: reader, offset: 0, kind: kind, what: damage.what)
                break segmentLoop
            }
            if header.firstLSN != entry.lsn {
                let what = "the header's first LSN \(header.firstLSN) is not the \(entry.lsn) of the file name"
                report.damage = try scan.drop(from: index, reader: reader, offset: 0, kind: .corruption, what: what)
                break segmentLoop
            }
            if index > start && header.firstLSN != position + 1 {
                let what =
                    "LSN gap: the previous segment ends at LSN \(position), this one starts at \(header.firstLSN)"
                report.damage = try scan.drop(from: index, reader: reader, offset: 0, kind: .corruption, what: what)
                break segmentLoop
            }
            try onSegment(header)
            position = header.firstLSN - 1

            var segmentDamage: LogReader.Damage?
            recordLoop: while true {
                switch try reader.next() {
                case .record(let record):
                    position = record.lsn
                    if record.lsn >= fromLSN {
                        report.recordsRead += 1
                    } else {
                        report.recordsSkipped += 1
                    }
                    if record.lsn >= fromLSN || readOnly { try body(record) }
                case .end:
                    break recordLoop
                case .damaged(let damage):
                    segmentDamage = damage
                    break recordLoop
                }
            }
            report.segments.append(
                LogScanReport.Segment(
                    path: entry.path, header: header, lastLSN: position, recordCount: reader.recordCount,
                    byteCount: reader.fileSize))
            if let damage = segmentDamage {
                let readable = try reader.readableRecords(after: damage.offset)
                let torn = isNewest && damage.couldBeTornWrite && readable.count == 0
                var what = damage.what
                if readable.count > 0 {
                    what += "; \(readable.count) readable records follow at offset \(readable.firstOffset!)"
                }
                report.damage = try scan.drop(
                    from: index, reader: reader, offset: damage.offset, kind: torn ? .tornTail : .corruption,
                    what: what,
                    droppedRecords: torn ? (damage.isZeroed ? 0 : 1) : readable.count)
                break segmentLoop
            }
            if isNewest && reader.recordCount == 0 {
                reader.close()
                if !readOnly {
                    try fileSystem.remove(entry.path)
                    try fileSystem.syncDirectory(directory)
                }
                report.removedEmptySegment = entry.path
            }
        }
        report.lastLSN = position
        report.nextLSN = position + 1
        if position + 1 < fromLSN {
            let what =
                "the log ends at LSN \(position), before LSN \(fromLSN) where recovery starts"
                + " (records the snapshot holds were never synced to the log)"
            guard truncateDamage || readOnly else {
                throw StorageError.damaged(
                    directory, offset: nil, "\(what); --recover=truncate starts the log after the snapshot anyway")
            }
            report.damage =
                report.damage
                ?? LogScanReport.Damage(
                    kind: .corruption, path: directory, offset: 0, what: what, droppedBytes: 0, droppedRecords: 0,
                    removedSegments: [])
            report.nextLSN = fromLSN
        }
        return report
    }

    /// Cuts the log at damage: the damaged segment is truncated to `offset` and synced, or
    /// removed when no good record is left in it; every later segment is removed. A read-only
    /// scan measures the same and cuts nothing.
    private struct Scan {
        let fileSystem: any StorageFileSystem
        let directory: String
        let segments: [DataDirectoryListing.Entry]
        let truncateDamage: Bool
        let readOnly: Bool

        func drop(
            from index: Int, reader: LogReader, offset: Int, kind: LogScanReport.DamageKind, what: String,
            droppedRecords: Int = 0
        ) throws(StorageError) -> LogScanReport.Damage {
            let path = segments[index].path
            if kind == .corruption && !truncateDamage && !readOnly {
                throw .damaged(path, offset: offset, "\(what) (--recover=truncate drops it and everything after it)")
            }
            // What is dropped.
            var droppedBytes = reader.fileSize - offset
            var droppedRecords = droppedRecords
            var removed: [String] = []
            let keepsRecords = reader.recordCount > 0
            // Dropped at its header (a gap, a name that disagrees): its records are lost too.
            if offset == 0 { droppedRecords += try Self.goodRecords(in: reader) }
            reader.close()
            if !keepsRecords {
                droppedBytes = reader.fileSize
                removed.append(path)
            }
            for later in segments[(index + 1)...] {
                let laterReader = try LogReader(fileSystem: fileSystem, path: later.path)
                droppedBytes += laterReader.fileSize
                droppedRecords += try Self.goodRecords(in: laterReader)
                laterReader.close()
                removed.append(later.path)
            }
            let damage = LogScanReport.Damage(
                kind: kind, path: path, offset: offset, what: what, droppedBytes: droppedBytes,
                droppedRecords: droppedRecords,
                removedSegments: removed)
            if readOnly { return damage }

            // The cut.
            if keepsRecords {
                let file = try fileSystem.openFile(path, writable: true)
                defer { fileSystem.close(file) }
                try fileSystem.truncate(file, to: offset)
                try fileSystem.sync(file)
            }
            for path in removed { try fileSystem.remove(path) }
            if !removed.isEmpty { try fileSystem.syncDirectory(directory) }
            return damage
        }

        /// How many good records a segment holds before its first damage.
        private static func goodRecords(in reader: LogReader) throws(StorageError) -> Int {
            guard case .header = try reader.readHeader() else { return 0 }
            while case .record = try reader.next() {}
            return reader.recordCount
        }
    }
}
