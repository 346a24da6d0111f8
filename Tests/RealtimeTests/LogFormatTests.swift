import XCTest

@testable import Realtime

/// The names and the header encoding both the writer and the reader rely on.
final class LogFormatTests: XCTestCase {
    func testNamesCarryTheLSNAsTwentyDigits() {
        XCTAssertEqual(LogFormat.segmentName(firstLSN: 1), "wal-00000000000000000001.log")
        XCTAssertEqual(LogFormat.snapshotName(lsn: 42), "snapshot-00000000000000000042.snap")
        XCTAssertEqual(LogFormat.segmentName(firstLSN: .max), "wal-18446744073709551615.log")
        XCTAssertEqual(LogFormat.segmentLSN(fromName: "wal-00000000000000000001.log"), 1)
        XCTAssertEqual(LogFormat.snapshotLSN(fromName: "snapshot-18446744073709551615.snap"), .max)
    }

    func testNamesSortAsTheirLSNs() {
        let lsns: [UInt64] = [1, 9, 10, 99, 100, 12345, 1 << 40, .max]
        let names = lsns.map { LogFormat.segmentName(firstLSN: $0) }
        XCTAssertEqual(names, names.sorted())
    }

    func testOtherNamesAreNotOurs() {
        for name in [
            "wal-1.log", "wal-0000000000000000001.log", "wal-000000000000000000001.log", "wal-0000000000000000000x.log",
            "wal-00000000000000000001.log.tmp", "WAL-00000000000000000001.log", "wal-00000000000000000001.snap",
            "wal-99999999999999999999.log", "LOCK", "jwt-secret", "",
        ] {
            XCTAssertNil(LogFormat.segmentLSN(fromName: name), name)
            XCTAssertNil(LogFormat.snapshotLSN(fromName: name), name)
        }
    }

    func testTemporariesAreOursWithTmpAppended() {
        XCTAssertTrue(LogFormat.isTemporary("snapshot-00000000000000000042.snap.tmp"))
        XCTAssertTrue(LogFormat.isTemporary("wal-00000000000000000001.log.tmp"))
        XCTAssertFalse(LogFormat.isTemporary("snapshot-00000000000000000042.snap"))
        XCTAssertFalse(LogFormat.isTemporary("editor.swp.tmp"))
        XCTAssertFalse(LogFormat.isTemporary("jwt-secret.tmp"))
    }

    func testSegmentHeaderRoundTripsAndItsSizeIsAsDocumented() {
        let header = LogSegmentHeader(firstLSN: 77, createdAt: 1_700_000_000_123, pinned: Array("config".utf8))
        let bytes = header.encoded()
        XCTAssertEqual(bytes.count, 28 + 6 + 4)
        XCTAssertEqual(bytes.count, header.byteCount)
        XCTAssertEqual(Array(bytes[0..<6]), Array("PHWAL".utf8) + [LogFormat.segmentVersion])
        XCTAssertEqual(bytes.withUnsafeBytes { LogSegmentHeader.decode($0) }, .header(header, byteCount: bytes.count))
    }

    func testSegmentHeaderDecodingSaysWhatIsWrong() {
        let bytes = LogSegmentHeader(firstLSN: 1, createdAt: 0, pinned: [1, 2, 3]).encoded()
        XCTAssertEqual(
            Array(bytes.prefix(27)).withUnsafeBytes { LogSegmentHeader.decode($0) }, .incomplete(byteCount: nil))
        XCTAssertEqual(
            Array(bytes.prefix(30)).withUnsafeBytes { LogSegmentHeader.decode($0) }, .incomplete(byteCount: 35))
        var wrong = bytes
        wrong[0] = UInt8(ascii: "X")
        XCTAssertEqual(
            wrong.withUnsafeBytes { LogSegmentHeader.decode($0) }, .invalid("no PHWAL magic", byteCount: nil))
        wrong = bytes
        wrong[5] = 1
        XCTAssertEqual(
            wrong.withUnsafeBytes { LogSegmentHeader.decode($0) },
            .invalid("segment format version 1, this build reads 2", byteCount: nil))
        wrong = bytes
        wrong[30] ^= 1
        XCTAssertEqual(
            wrong.withUnsafeBytes { LogSegmentHeader.decode($0) },
            .invalid("segment header checksum mismatch", byteCount: 35))
        wrong = bytes
        wrong[27] = 0xFF
        guard case .invalid = wrong.withUnsafeBytes({ LogSegmentHeader.decode($0) }) else {
            return XCTFail("a pinned length over the maximum is refused")
        }
    }

    func testRecordFramingIsAsDocumented() {
        var builder = LogBatchBuilder()
        ([0xAA, 0xBB] as [UInt8]).withUnsafeBytes { builder.append(lsn: 7, type: .hubInput, payload: $0) }
        let bytes = builder.batch.bytes
        XCTAssertEqual(bytes.count, 8 + 9 + 2)
        XCTAssertEqual(Array(bytes[0..<4]), [11, 0, 0, 0], "length counts the bytes after the checksum")
        XCTAssertEqual(Array(bytes[8..<16]), [7, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(bytes[16], 1)
        XCTAssertEqual(Array(bytes[17...]), [0xAA, 0xBB])
        let stored = bytes.withUnsafeBytes { LittleEndian.load(UInt32.self, from: $0, at: 4) }
        let computed = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[8...])) }
        XCTAssertEqual(stored, CRC32C.mask(computed))
    }

    func testBuilderIsReusableAndTracksItsLSNs() {
        var builder = LogBatchBuilder(capacity: 16)
        XCTAssertTrue(builder.isEmpty)
        for lsn: UInt64 in 5...9 {
            [UInt8]().withUnsafeBytes { builder.append(lsn: lsn, type: .hubInput, payload: $0) }
        }
        XCTAssertEqual(builder.recordCount, 5)
        XCTAssertEqual(builder.batch.firstLSN, 5)
        XCTAssertEqual(builder.batch.lastLSN, 9)
        XCTAssertEqual(builder.byteCount, 5 * 17)
        builder.removeAll()
        XCTAssertTrue(builder.isEmpty)
        XCTAssertTrue(builder.batch.isEmpty)
        ([1] as [UInt8]).withUnsafeBytes { builder.append(lsn: 100, type: .processStarted, payload: $0) }
        XCTAssertEqual(builder.batch.firstLSN, 100)
    }
}
