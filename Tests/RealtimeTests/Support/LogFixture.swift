import XCTest

@testable import Realtime

/// A data directory on a `FaultInjectingFileSystem`, with the helpers the log and snapshot
/// tests share: writing numbered records, reading them back, and LevelDB's byte-editing
/// helpers (`incrementByte`, `setByte`, `shrinkSize`, `fixChecksum`) on a segment's bytes.
final class LogFixture {
    let fileSystem = FaultInjectingFileSystem()
    let directory = "/data"
    let pinned: [UInt8] = Array("hub configuration v1".utf8)
    /// Creation times handed to writers and snapshots: 1000, 1001, ...
    private var tick: Int64 = 1000

    init() {
        _ = try! fileSystem.createDirectory(directory)
    }

    /// A writer on the fixture's directory; no preallocation unless asked.
    func makeWriter(
        firstLSN: UInt64 = 1, segmentBytes: Int = 1 << 20, pinned: [UInt8]? = nil, preallocate: Bool = false
    ) throws -> LogWriter {
        try LogWriter(
            fileSystem: fileSystem, directory: directory, segmentBytes: segmentBytes, pinned: pinned ?? self.pinned,
            firstLSN: firstLSN, preallocate: preallocate, clock: { [unowned self] in self.nextTime() })
    }

    func makeSnapshotStore() -> SnapshotStore {
        SnapshotStore(fileSystem: fileSystem, directory: directory, clock: { [unowned self] in self.nextTime() })
    }

    private func nextTime() -> Int64 {
        tick += 1
        return tick
    }

    /// The payload of record `lsn`: its size varies with the LSN (0 to 299 bytes, unless
    /// `size` says) and its bytes spell the LSN, so a swapped or shifted record shows.
    static func payload(_ lsn: UInt64, size: Int? = nil) -> [UInt8] {
        let count = size ?? Int((lsn &* 37) % 300)
        return (0..<count).map { UInt8(truncatingIfNeeded: lsn &* 131 &+ UInt64($0)) }
    }

    /// Writes records `lsns` in batches of `batchSize`, syncing after each batch when `sync`.
    func write(
        _ lsns: ClosedRange<UInt64>, to writer: LogWriter, batchSize: Int = 4, sync: Bool = true, size: Int? = nil
    ) throws {
        var builder = LogBatchBuilder()
        for lsn in lsns {
            let type: LogRecordType = lsn == 1 ? .processStarted : .hubInput
            Self.payload(lsn, size: size).withUnsafeBytes { builder.append(lsn: lsn, type: type, payload: $0) }
            if builder.recordCount == batchSize || lsn == lsns.upperBound {
                try writer.write(builder.batch)
                if sync { try writer.sync() }
                builder.removeAll()
            }
        }
    }

    /// A log of records 1...`count` in one segment (or more, with a small `segmentBytes`).
    func writeLog(_ count: UInt64, segmentBytes: Int = 1 << 20, batchSize: Int = 4, size: Int? = nil) throws {
        let writer = try makeWriter(segmentBytes: segmentBytes)
        try write(1...count, to: writer, batchSize: batchSize, size: size)
        writer.close()
    }

    /// What a scan handed over.
    struct Scanned {
        var records: [(lsn: UInt64, type: LogRecordType, payload: [UInt8])] = []
        var headers: [LogSegmentHeader] = []
        var report: LogScanReport

        var lsns: [UInt64] { records.map(\.lsn) }
    }

    /// Scans the log, collecting every record and segment header.
    func scan(fromLSN: UInt64 = 1, truncateDamage: Bool = false) throws -> Scanned {
        try collect { onSegment, body in
            try LogRecovery.scanLog(
                fileSystem: fileSystem, directory: directory, fromLSN: fromLSN, truncateDamage: truncateDamage,
                onSegment: onSegment, body)
        }
    }

    /// Verifies the log read-only (`LogRecovery.verifyLog`), collecting every record and header.
    func verify(fromLSN: UInt64 = 1) throws -> Scanned {
        try collect { onSegment, body in
            try LogRecovery.verifyLog(
                fileSystem: fileSystem, directory: directory, fromLSN: fromLSN, onSegment: onSegment, body)
        }
    }

    private func collect(
        _ run: ((LogSegmentHeader) throws -> Void, (LogRecord) throws -> Void) throws -> LogScanReport
    ) throws -> Scanned {
        var records: [(lsn: UInt64, type: LogRecordType, payload: [UInt8])] = []
        var headers: [LogSegmentHeader] = []
        let report = try run({ headers.append($0) }, { records.append(($0.lsn, $0.type, Array($0.payload))) })
        return Scanned(records: records, headers: headers, report: report)
    }

    /// Every file of the directory and its bytes: what a read-only pass must leave as it was.
    var files: [String: [UInt8]] {
        Dictionary(
            uniqueKeysWithValues: fileSystem.names(in: directory).map {
                ($0, fileSystem.contents(of: FileSystem.join(directory, $0))!)
            })
    }

    /// How many calls that change something (create, write, truncate, sync, rename, remove,
    /// lock, ...) the file system has had.
    var changingCalls: Int {
        let changing: [FaultInjectingFileSystem.Operation] = [
            .createDirectory, .create, .write, .truncate, .sync, .preallocate, .syncDirectory, .rename, .remove, .lock,
        ]
        return changing.reduce(0) { $0 + (fileSystem.calls[$1] ?? 0) }
    }

    /// Checks that records `lsns` came back whole, in order.
    func assertRecords(
        _ scanned: Scanned, are lsns: ClosedRange<UInt64>?, size: Int? = nil, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertEqual(scanned.lsns, lsns.map(Array.init) ?? [], file: file, line: line)
        for record in scanned.records where record.payload != Self.payload(record.lsn, size: size) {
            XCTFail("record \(record.lsn) has the wrong payload", file: file, line: line)
        }
    }

    /// The segment paths, oldest first.
    var segmentPaths: [String] {
        get throws { try DataDirectoryListing(fileSystem: fileSystem, directory: directory).segments.map(\.path) }
    }

    /// The only or newest segment.
    var newestSegment: String {
        get throws { try XCTUnwrap(segmentPaths.last) }
    }

    /// Where each record of a segment starts, read from the lengths (the segment is intact).
    func recordOffsets(_ path: String) -> [Int] {
        let bytes = fileSystem.contents(of: path)!
        let headerBytes = headerSize(bytes)
        var offsets: [Int] = []
        var offset = headerBytes
        while offset + LogFormat.recordHeaderBytes <= bytes.count {
            offsets.append(offset)
            offset += LogFormat.recordHeaderBytes + Int(length(bytes, at: offset))
        }
        return offsets
    }

    func headerSize(_ bytes: [UInt8]) -> Int {
        let pinnedCount = bytes.withUnsafeBytes {
            LittleEndian.load(UInt32.self, from: $0, at: LogFormat.segmentPinnedLengthOffset)
        }
        return LogFormat.segmentHeaderBytes(pinnedCount: Int(pinnedCount))
    }

    private func length(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes.withUnsafeBytes { LittleEndian.load(UInt32.self, from: $0, at: offset) }
    }

    // MARK: Byte editing (LevelDB's log_test.cc)

    func incrementByte(_ path: String, at offset: Int, by delta: UInt8 = 1) {
        var bytes = fileSystem.contents(of: path)!
        bytes[offset] &+= delta
        fileSystem.setContents(bytes, of: path)
    }

    func setByte(_ path: String, at offset: Int, to value: UInt8) {
        var bytes = fileSystem.contents(of: path)!
        bytes[offset] = value
        fileSystem.setContents(bytes, of: path)
    }

    func flipBit(_ path: String, at offset: Int, bit: Int = 0) {
        var bytes = fileSystem.contents(of: path)!
        bytes[offset] ^= 1 << UInt8(bit)
        fileSystem.setContents(bytes, of: path)
    }

    func setUInt32(_ path: String, at offset: Int, to value: UInt32) {
        var bytes = fileSystem.contents(of: path)!
        bytes.withUnsafeMutableBytes { LittleEndian.store(value, into: $0, at: offset) }
        fileSystem.setContents(bytes, of: path)
    }

    func shrinkSize(_ path: String, by count: Int) {
        let bytes = fileSystem.contents(of: path)!
        fileSystem.setContents(Array(bytes.dropLast(count)), of: path)
    }

    func appendBytes(_ path: String, _ extra: [UInt8]) {
        fileSystem.setContents(fileSystem.contents(of: path)! + extra, of: path)
    }

    /// Recomputes the checksum of the record at `offset` over what its length now covers.
    func fixChecksum(_ path: String, recordAt offset: Int) {
        var bytes = fileSystem.contents(of: path)!
        let end = offset + LogFormat.recordHeaderBytes + Int(length(bytes, at: offset))
        bytes.withUnsafeMutableBytes { buffer in
            let crc = CRC32C.checksum(
                UnsafeRawBufferPointer(rebasing: buffer[(offset + LogFormat.recordLSNOffset)..<end]))
            LittleEndian.store(CRC32C.mask(crc), into: buffer, at: offset + LogFormat.recordChecksumOffset)
        }
        fileSystem.setContents(bytes, of: path)
    }

    /// Recomputes a segment header's checksum.
    func fixHeaderChecksum(_ path: String) {
        var bytes = fileSystem.contents(of: path)!
        let size = headerSize(bytes)
        bytes.withUnsafeMutableBytes { buffer in
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[..<(size - LogFormat.checksumBytes)]))
            LittleEndian.store(CRC32C.mask(crc), into: buffer, at: size - LogFormat.checksumBytes)
        }
        fileSystem.setContents(bytes, of: path)
    }
}
