import XCTest

@testable import Realtime

/// The writer on an in-memory file system: what it writes reads back, segments rotate at
/// batch boundaries, and a new segment is durable before it is used.
final class LogWriterTests: XCTestCase {
    func testRecordsRoundTripInOrderWithTheirTypesAndPayloads() throws {
        let log = LogFixture()
        try log.writeLog(100, batchSize: 7)
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...100)
        XCTAssertEqual(scanned.records.first?.type, .processStarted)
        XCTAssertTrue(scanned.records.dropFirst().allSatisfy { $0.type == .hubInput })
        XCTAssertNil(scanned.report.damage)
        XCTAssertEqual(scanned.report.recordsRead, 100)
        XCTAssertEqual(scanned.report.lastLSN, 100)
        XCTAssertEqual(scanned.report.nextLSN, 101)
        XCTAssertEqual(scanned.headers, [LogSegmentHeader(firstLSN: 1, createdAt: 1001, pinned: log.pinned)])
    }

    func testPayloadsOfBoundarySizesRoundTrip() throws {
        let sizes = [0, 1, 2, 7, 8, 9, 255, 256, 4095, 4096, 65535, 65536, 1 << 20]
        let log = LogFixture()
        let writer = try log.makeWriter(segmentBytes: 64 << 20)
        for (index, size) in sizes.enumerated() {
            try log.write(UInt64(index + 1)...UInt64(index + 1), to: writer, size: size)
        }
        var sizesRead: [Int] = []
        _ = try LogRecovery.scanLog(fileSystem: log.fileSystem, directory: log.directory) { record in
            XCTAssertEqual(Array(record.payload), LogFixture.payload(record.lsn, size: record.payload.count))
            sizesRead.append(record.payload.count)
        }
        XCTAssertEqual(sizesRead, sizes)
    }

    func testTheLargestPayloadRoundTrips() throws {
        let log = LogFixture()
        let writer = try log.makeWriter(segmentBytes: 64 << 20)
        let payload = [UInt8](repeating: 0x5A, count: LogFormat.maxPayloadBytes)
        var builder = LogBatchBuilder()
        payload.withUnsafeBytes { builder.append(lsn: 1, type: .hubInput, payload: $0) }
        try writer.write(builder.batch)
        try writer.sync()
        var checksums: [UInt32] = []
        let report = try LogRecovery.scanLog(fileSystem: log.fileSystem, directory: log.directory) { record in
            XCTAssertEqual(record.payload.count, LogFormat.maxPayloadBytes)
            checksums.append(CRC32C.checksum(record.payload))
        }
        XCTAssertEqual(checksums, [payload.withUnsafeBytes { CRC32C.checksum($0) }])
        XCTAssertEqual(report.lastLSN, 1)
    }

    func testNewSegmentIsDurableBeforeUse() throws {
        let log = LogFixture()
        let writer = try log.makeWriter(firstLSN: 1)
        XCTAssertEqual(log.fileSystem.calls[.sync], 1, "the header is synced")
        XCTAssertEqual(log.fileSystem.calls[.syncDirectory], 1, "and the directory entry")
        log.fileSystem.simulateCrash()
        let bytes = try XCTUnwrap(log.fileSystem.contents(of: "/data/wal-00000000000000000001.log"))
        XCTAssertEqual(bytes, LogSegmentHeader(firstLSN: 1, createdAt: 1001, pinned: log.pinned).encoded())
        _ = writer
    }

    func testSegmentsRotateAtBatchBoundariesAndReadBackInOrder() throws {
        let log = LogFixture()
        let writer = try log.makeWriter(segmentBytes: 2000)
        try log.write(1...300, to: writer, batchSize: 5)
        writer.close()
        let paths = try log.segmentPaths
        XCTAssertGreaterThan(paths.count, 5)
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...300)
        XCTAssertEqual(scanned.report.segments.map(\.path), paths)
        var expectedFirst: UInt64 = 1
        for (index, segment) in scanned.report.segments.enumerated() {
            XCTAssertEqual(segment.header.firstLSN, expectedFirst)
            XCTAssertEqual(segment.path, "/data/" + LogFormat.segmentName(firstLSN: expectedFirst))
            XCTAssertEqual(segment.recordCount % 5, 0, "segments end at batch boundaries")
            if index < paths.count - 1 {
                XCTAssertGreaterThanOrEqual(log.fileSystem.contents(of: segment.path)!.count, 2000)
            }
            expectedFirst = segment.lastLSN + 1
        }
        XCTAssertEqual(expectedFirst, 301)
    }

    func testABatchLargerThanASegmentIsNotSplit() throws {
        let log = LogFixture()
        let writer = try log.makeWriter(segmentBytes: 100)
        try log.write(1...50, to: writer, batchSize: 25, size: 40)
        writer.close()
        XCTAssertEqual(
            try log.segmentPaths, ["/data/wal-00000000000000000001.log", "/data/wal-00000000000000000026.log"])
        log.assertRecords(try log.scan(), are: 1...50, size: 40)
    }

    func testTinySegmentsHoldOneBatchEach() throws {
        let log = LogFixture()
        try log.writeLog(30, segmentBytes: 1, batchSize: 10)
        XCTAssertEqual(
            try log.segmentPaths,
            [1, 11, 21].map { "/data/" + LogFormat.segmentName(firstLSN: $0) }, "a new segment is never started empty")
        log.assertRecords(try log.scan(), are: 1...30)
    }

    func testRotationSyncsTheSegmentItLeaves() throws {
        let log = LogFixture()
        let writer = try log.makeWriter(segmentBytes: 200)
        try log.write(1...10, to: writer, batchSize: 10, sync: false, size: 20)
        try log.write(11...12, to: writer, batchSize: 2, sync: false, size: 20)
        XCTAssertEqual(writer.syncedLSN, 10, "the first segment was synced before the second was made")
        log.fileSystem.simulateCrash()
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...10, size: 20)
        XCTAssertEqual(scanned.report.removedEmptySegment, "/data/wal-00000000000000000011.log")
    }

    func testADeferredWriterNeverSyncsAndNamesSegmentsItsOwnWay() throws {
        // The event stream's segments: derived data, synced only by their owner.
        let log = LogFixture()
        let writer = try LogWriter(
            fileSystem: log.fileSystem, directory: log.directory, segmentBytes: 200, pinned: [], firstLSN: 1,
            segmentName: { LogFormat.eventSegmentName(firstOffset: $0) }, durability: .deferred)
        try log.write(1...10, to: writer, batchSize: 10, sync: false, size: 20)
        try log.write(11...12, to: writer, batchSize: 2, sync: false, size: 20)
        XCTAssertNil(log.fileSystem.calls[.sync], "neither a new segment nor the one left is synced")
        XCTAssertNil(log.fileSystem.calls[.syncDirectory])
        XCTAssertEqual(writer.syncedLSN, 0)
        XCTAssertEqual(writer.segmentFirstLSN, 11)
        XCTAssertEqual(log.fileSystem.names(in: log.directory).filter { $0.hasPrefix("events-") }.count, 2)
        XCTAssertEqual(writer.segmentPath, "/data/events-00000000000000000011.log")
        log.fileSystem.simulateCrash()
        XCTAssertEqual(log.fileSystem.names(in: log.directory).filter { $0.hasPrefix("events-") }, [], "nothing was durable")
    }

    func testWriterContinuesWhereRecoveryLeftOffWithANewPinnedBlob() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let first = try log.scan()
        XCTAssertEqual(first.report.nextLSN, 11)
        let writer = try log.makeWriter(firstLSN: first.report.nextLSN, pinned: Array("hub configuration v2".utf8))
        try log.write(11...20, to: writer)
        writer.close()
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...20)
        XCTAssertEqual(scanned.headers.map(\.pinned), [log.pinned, Array("hub configuration v2".utf8)])
        XCTAssertEqual(scanned.headers.map(\.firstLSN), [1, 11])
    }

    func testAnEmptyNewestSegmentIsRemovedSoTheNextWriterCanTakeItsName() throws {
        let log = LogFixture()
        try log.makeWriter(firstLSN: 1).close()
        XCTAssertThrowsError(try log.makeWriter(firstLSN: 1)) { error in
            XCTAssertEqual((error as? StorageError)?.errno, EEXIST, "a segment is never reopened or overwritten")
        }
        let scanned = try log.scan()
        XCTAssertEqual(scanned.report.removedEmptySegment, "/data/wal-00000000000000000001.log")
        XCTAssertEqual(scanned.report.nextLSN, 1)
        XCTAssertEqual(scanned.report.lastLSN, 0)
        XCTAssertNoThrow(try log.makeWriter(firstLSN: 1))
    }

    func testEachSegmentIsPreallocatedWhenAsked() throws {
        let log = LogFixture()
        let writer = try log.makeWriter(segmentBytes: 500, preallocate: true)
        try log.write(1...40, to: writer, size: 50)
        writer.close()
        XCTAssertEqual(log.fileSystem.calls[.preallocate], try log.segmentPaths.count)
        log.assertRecords(try log.scan(), are: 1...40, size: 50)
    }

    func testAnEmptyBatchWritesNothing() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        let writes = log.fileSystem.calls[.write]
        try writer.write(LogBatchBuilder().batch)
        XCTAssertEqual(log.fileSystem.calls[.write], writes)
        XCTAssertEqual(writer.nextLSN, 1)
    }

    func testEachBatchIsOneWrite() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        let writes = log.fileSystem.calls[.write]!
        try log.write(1...100, to: writer, batchSize: 10)
        XCTAssertEqual(log.fileSystem.calls[.write]! - writes, 10)
        XCTAssertEqual(writer.nextLSN, 101)
        XCTAssertEqual(writer.syncedLSN, 100)
    }
}
