/// Reads one log segment record by record: the header first (`readHeader`), then `next()`
/// until the end or damage. Every record's length is checked against the bytes left in the
/// file and against `LogFormat.maxRecordLength` before anything is read for it; then its
/// checksum, its LSN (consecutive from the header's first LSN) and its type.
///
/// The reader only describes what it finds; `LogRecovery` decides what a damage means (a torn
/// tail to cut, or corruption to refuse). Reads go through a window buffer that grows only
/// for a record that is larger and verified to fit in the file.
public final class LogReader {
    /// Damage found where a header or record should be.
    public struct Damage: Equatable, Sendable {
        /// Where the damaged header or record starts: everything before it is good.
        public let offset: Int
        /// What is wrong, for the operator.
        public let what: String
        /// Whether a crashing writer could have left this: a short header or record, zeros, a
        /// record that does not verify. False for what our writer can never produce, torn or not
        /// (an impossible length, a valid record with the wrong LSN or an unknown type): that is
        /// corruption wherever it is.
        public let couldBeTornWrite: Bool
        /// Whether every byte from `offset` to the end is zero (a zeroed tail).
        public let isZeroed: Bool
    }

    /// What `readHeader` found.
    public enum HeaderResult: Sendable {
        case header(LogSegmentHeader)
        case damaged(Damage)
    }

    /// What `next` found.
    public enum Step {
        /// A record that verifies; its payload is valid until the next call.
        case record(LogRecord)
        /// The end of the file, right after a good record (or the header).
        case end
        /// Damage at `Damage.offset`; reading stops here.
        case damaged(Damage)
    }

    /// The segment's path.
    public let path: String
    /// The file's size when it was opened.
    public let fileSize: Int
    /// The header, once `readHeader` found one.
    public private(set) var header: LogSegmentHeader?
    /// The end of the last good record (or of the header): where the next record starts.
    public private(set) var offset = 0
    /// The LSN the next record must have.
    public private(set) var nextLSN: UInt64 = 0
    /// How many records `next` returned.
    public private(set) var recordCount = 0

    private let fileSystem: any StorageFileSystem
    private var file: StorageFile?
    private let chunkBytes: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var bufferStart = 0
    private var bufferCount = 0

    /// The window buffer's size (for tests: it grows only for a record that verified to fit).
    var bufferCapacity: Int { buffer.count }

    /// Opens the segment at `path`. Reads go `chunkBytes` at a time.
    public init(fileSystem: any StorageFileSystem, path: String, chunkBytes: Int = 256 << 10) throws(StorageError) {
        precondition(
            chunkBytes >= LogFormat.recordHeaderBytes + LogFormat.minRecordLength, "chunks hold a record header")
        self.fileSystem = fileSystem
        self.path = path
        self.chunkBytes = chunkBytes
        let file = try fileSystem.openFile(path, writable: false)
        do {
            fileSize = try fileSystem.size(file)
        } catch {
            fileSystem.close(file)
            throw error
        }
        self.file = file
        buffer = .allocate(byteCount: min(chunkBytes, max(fileSize, 1)), alignment: 16)
    }

    deinit {
        close()
        buffer.deallocate()
    }

    /// Closes the file; the reader can read no more.
    public func close() {
        if let file { fileSystem.close(file) }
        file = nil
    }

    /// Reads and verifies the segment header.
    public func readHeader() throws(StorageError) -> HeaderResult {
        let available = min(fileSize, LogFormat.segmentHeaderFixedBytes)
        var decoded = LogSegmentHeader.decode(try bytes(at: 0, count: available))
        if case .incomplete(let needed?) = decoded, needed <= fileSize {
            decoded = LogSegmentHeader.decode(try bytes(at: 0, count: needed))
        }
        switch decoded {
        case .header(let header, let byteCount):
            self.header = header
            offset = byteCount
            nextLSN = header.firstLSN
            return .header(header)
        case .incomplete:
            let zeroed = try isZero(from: 0)
            var what = "the segment header is cut short at \(fileSize) bytes"
            if fileSize == 0 {
                what = "the segment is empty"
            } else if zeroed {
                what = "the segment header is \(fileSize) zero bytes"
            }
            return .damaged(Damage(offset: 0, what: what, couldBeTornWrite: true, isZeroed: zeroed))
        case .invalid(let what, let byteCount):
            let zeroed = try isZero(from: 0)
            // A header that does not verify with nothing after it: the header write itself may
            // have been torn (the writer syncs the header before any record).
            let headerOnly = byteCount.map { fileSize <= $0 } ?? false
            return .damaged(
                Damage(
                    offset: 0, what: zeroed ? "the segment header is zero bytes" : what,
                    couldBeTornWrite: zeroed || headerOnly,
                    isZeroed: zeroed))
        }
    }

    /// The next record, the end, or damage. Call after `readHeader` found a header; after
    /// `.end` or `.damaged` it returns the same again.
    public func next() throws(StorageError) -> Step {
        precondition(header != nil, "read the segment header first")
        if offset == fileSize { return .end }
        switch try examine(at: offset, lsn: nextLSN) {
        case .record(let record, let size):
            offset += size
            nextLSN += 1
            recordCount += 1
            return .record(record)
        case .damaged(let what, let couldBeTornWrite):
            return .damaged(try damage(what, couldBeTornWrite: couldBeTornWrite))
        }
    }

    /// Goes on reading at `position`, where the record with `lsn` should start: a place an
    /// index of this file's own records gave (the event stream's checkpoints), to read from
    /// the middle of a segment. That record is verified like any other when `next` reads it; a
    /// position past the end reads as damage, never a trap. `recordCount` counts from here.
    public func seek(to position: Int, lsn: UInt64) {
        precondition(header != nil, "read the segment header first")
        precondition(position >= 0, "a position in the file")
        offset = min(position, fileSize + 1)
        nextLSN = lsn
        recordCount = 0
    }

    /// Looks past damage at `damageOffset` for records that still verify: the first position
    /// after it holding a record with a plausible length that fits, an LSN from `nextLSN` on
    /// (each later record takes at least 17 bytes, which bounds how far), and a good checksum;
    /// then counts the consecutive good records from there. Returns that count (0 when nothing
    /// readable follows, as after a torn write) and where the first starts.
    public func readableRecords(after damageOffset: Int) throws(StorageError) -> (count: Int, firstOffset: Int?) {
        let smallest = LogFormat.recordHeaderBytes + LogFormat.minRecordLength
        let highestLSN = nextLSN &+ UInt64((fileSize - damageOffset) / smallest) &+ 1
        var candidate = damageOffset + 1
        while candidate + smallest <= fileSize {
            defer { candidate += 1 }
            let head = try bytes(at: candidate, count: smallest)
            let length = Int(LittleEndian.load(UInt32.self, from: head, at: LogFormat.recordLengthOffset))
            let lsn = LittleEndian.load(UInt64.self, from: head, at: LogFormat.recordLSNOffset)
            guard length >= LogFormat.minRecordLength, length <= LogFormat.maxRecordLength,
                candidate + LogFormat.recordHeaderBytes + length <= fileSize, lsn >= nextLSN, lsn <= highestLSN
            else { continue }
            var position = candidate
            var expectedLSN = lsn
            var count = 0
            while case .record(_, let size) = try examine(at: position, lsn: expectedLSN) {
                count += 1
                position += size
                expectedLSN += 1
            }
            if count > 0 { return (count, candidate) }
        }
        return (0, nil)
    }

    /// What `examine` found at a position.
    private enum Examined {
        case record(LogRecord, size: Int)
        case damaged(String, couldBeTornWrite: Bool)
    }

    /// Checks the record at `position`, which should have `expectedLSN`: room for its header,
    /// a possible length that fits in the file (before anything is read for it), its checksum,
    /// its LSN, its type.
    private func examine(at position: Int, lsn expectedLSN: UInt64) throws(StorageError) -> Examined {
        let remaining = fileSize - position
        guard remaining >= LogFormat.recordHeaderBytes else {
            return .damaged("a record header cut short at \(remaining) bytes", couldBeTornWrite: true)
        }
        let head = try bytes(at: position, count: LogFormat.recordHeaderBytes)
        let length = Int(LittleEndian.load(UInt32.self, from: head, at: LogFormat.recordLengthOffset))
        let storedChecksum = LittleEndian.load(UInt32.self, from: head, at: LogFormat.recordChecksumOffset)
        if length == 0 { return .damaged("a record of length 0", couldBeTornWrite: true) }
        guard length >= LogFormat.minRecordLength, length <= LogFormat.maxRecordLength else {
            let range = "\(LogFormat.minRecordLength)...\(LogFormat.maxRecordLength)"
            return .damaged("record length \(length) is impossible (\(range))", couldBeTornWrite: false)
        }
        let size = LogFormat.recordHeaderBytes + length
        guard size <= remaining else {
            return .damaged("a record of \(size) bytes cut short at \(remaining)", couldBeTornWrite: true)
        }
        let record = try bytes(at: position, count: size)
        let covered = UnsafeRawBufferPointer(rebasing: record[LogFormat.recordLSNOffset...])
        guard CRC32C.unmask(storedChecksum) == CRC32C.checksum(covered) else {
            return .damaged("record checksum mismatch", couldBeTornWrite: true)
        }
        let lsn = LittleEndian.load(UInt64.self, from: record, at: LogFormat.recordLSNOffset)
        guard lsn == expectedLSN else {
            return .damaged("record LSN \(lsn) where LSN \(expectedLSN) was due", couldBeTornWrite: false)
        }
        let rawType = record[LogFormat.recordTypeOffset]
        guard let type = LogRecordType(rawValue: rawType) else {
            return .damaged("unknown record type \(rawType)", couldBeTornWrite: false)
        }
        let payload = UnsafeRawBufferPointer(rebasing: record[LogFormat.recordPayloadOffset...])
        return .record(LogRecord(lsn: lsn, type: type, payload: payload), size: size)
    }

    private func damage(_ what: String, couldBeTornWrite: Bool) throws(StorageError) -> Damage {
        let zeroed = try isZero(from: offset)
        return Damage(
            offset: offset, what: zeroed ? "\(fileSize - offset) zero bytes" : what,
            couldBeTornWrite: couldBeTornWrite || zeroed,
            isZeroed: zeroed)
    }

    /// Whether every byte from `start` to the end of the file is zero.
    private func isZero(from start: Int) throws(StorageError) -> Bool {
        var position = start
        while position < fileSize {
            let count = min(chunkBytes, fileSize - position)
            guard try bytes(at: position, count: count).allSatisfy({ $0 == 0 }) else { return false }
            position += count
        }
        return true
    }

    /// `count` bytes of the file at `start`, through the window buffer; valid until the next
    /// call. The caller has checked that they lie inside the file.
    private func bytes(at start: Int, count: Int) throws(StorageError) -> UnsafeRawBufferPointer {
        precondition(start >= 0 && count >= 0 && start + count <= fileSize, "reads stay inside the file")
        if start >= bufferStart && start + count <= bufferStart + bufferCount {
            return UnsafeRawBufferPointer(rebasing: buffer[(start - bufferStart)..<(start - bufferStart + count)])
        }
        guard let file else { preconditionFailure("the reader is closed") }
        let wanted = min(max(count, chunkBytes), fileSize - start)
        if buffer.count < wanted {
            buffer.deallocate()
            buffer = .allocate(byteCount: wanted, alignment: 16)
        }
        bufferStart = start
        bufferCount = 0
        while bufferCount < wanted {
            let got = try fileSystem.read(
                file, at: start + bufferCount,
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[bufferCount..<wanted]))
            guard got > 0 else { throw .damaged(path, offset: start + bufferCount, "the file ended while it was read") }
            bufferCount += got
        }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }
}
