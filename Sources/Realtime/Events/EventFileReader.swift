/// Reads the stream's files from an offset on, record by record, across segments: the
/// stream's reads older than its memory tail, and the start's comparison of the files with
/// what the replay publishes. It starts at the index's checkpoint before the offset, and reads
/// no further than the index says the files hold (what was written when it was made).
///
/// Every record is verified as `LogReader` verifies the log's (length, checksum, offset, type);
/// anything else where the index promised a record is thrown as damage.
final class EventFileReader {
    private let fileSystem: any StorageFileSystem
    private let index: EventSegmentIndex
    private var segment: Int
    private var reader: LogReader?
    /// The offset the next record must have.
    private(set) var nextOffset: UInt64

    /// A reader whose first record is `offset`; nil when the index holds no such offset.
    init?(fileSystem: any StorageFileSystem, index: EventSegmentIndex, from offset: UInt64) throws(StorageError) {
        guard let (segment, checkpoint) = index.location(of: offset) else { return nil }
        self.fileSystem = fileSystem
        self.index = index
        self.segment = segment
        self.nextOffset = offset
        let reader = try Self.open(index.segments[segment], fileSystem: fileSystem)
        reader.seek(to: checkpoint.position, lsn: checkpoint.offset)
        self.reader = reader
        // From the checkpoint to the offset asked for.
        while reader.nextLSN < offset { _ = try record(from: reader) }
    }

    deinit { close() }

    /// The path of the file the last record came from, and where in it that record starts.
    private(set) var lastRecordLocation: (path: String, position: Int)?

    /// The next event: its offset and its JSON (valid until the next call); nil past the last
    /// offset the index holds.
    func next() throws(StorageError) -> (offset: UInt64, json: UnsafeRawBufferPointer)? {
        while true {
            let segments = index.segments
            guard segment < segments.count else { return nil }
            if nextOffset > segments[segment].lastOffset {
                segment += 1
                reader?.close()
                reader = nil
                continue
            }
            let reader: LogReader
            if let open = self.reader {
                reader = open
            } else {
                reader = try Self.open(segments[segment], fileSystem: fileSystem)
                self.reader = reader
            }
            let position = reader.offset
            let record = try record(from: reader)
            lastRecordLocation = (segments[segment].path, position)
            nextOffset += 1
            return (record.lsn, record.payload)
        }
    }

    /// Closes the open file.
    func close() {
        reader?.close()
        reader = nil
    }

    private func record(from reader: LogReader) throws(StorageError) -> LogRecord {
        switch try reader.next() {
        case .record(let record) where record.type == .publishedEvent:
            return record
        case .record(let record):
            throw .damaged(reader.path, offset: reader.offset, "record LSN \(record.lsn) is not a published event")
        case .end:
            throw .damaged(reader.path, offset: reader.offset, "the segment ends before offset \(reader.nextLSN)")
        case .damaged(let damage):
            throw .damaged(reader.path, offset: damage.offset, damage.what)
        }
    }

    private static func open(_ segment: EventSegmentIndex.Segment, fileSystem: any StorageFileSystem) throws(StorageError)
        -> LogReader
    {
        let reader = try LogReader(fileSystem: fileSystem, path: segment.path, chunkBytes: 64 << 10)
        guard case .header(let header) = try reader.readHeader(), header.firstLSN == segment.firstOffset else {
            throw .damaged(segment.path, offset: 0, "the segment header does not verify")
        }
        return reader
    }
}
