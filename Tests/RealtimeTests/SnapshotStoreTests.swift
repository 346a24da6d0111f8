import XCTest

@testable import Realtime

/// Snapshots: written whole or not at all, loaded newest-first past damaged ones, pruned to
/// the last two with the log the older one needs.
final class SnapshotStoreTests: XCTestCase {
    private func payload(_ lsn: UInt64, size: Int = 1000) -> [UInt8] { LogFixture.payload(lsn, size: size) }

    @discardableResult
    private func write(_ store: SnapshotStore, lsn: UInt64, pinned: [UInt8] = Array("config".utf8)) throws -> String {
        try payload(lsn).withUnsafeBytes { try store.write(lsn: lsn, pinned: pinned, payload: $0) }
    }

    func testSnapshotRoundTrips() throws {
        let log = LogFixture()
        let store = log.makeSnapshotStore()
        let path = try write(store, lsn: 42)
        XCTAssertEqual(path, "/data/snapshot-00000000000000000042.snap")
        XCTAssertEqual(log.fileSystem.names(in: "/data"), ["snapshot-00000000000000000042.snap"])
        let loaded = try store.loadNewest()
        let snapshot = try XCTUnwrap(loaded.snapshot)
        XCTAssertEqual(snapshot.lsn, 42)
        XCTAssertEqual(snapshot.createdAt, 1001)
        XCTAssertEqual(snapshot.pinned, Array("config".utf8))
        XCTAssertEqual(snapshot.payload, payload(42))
        XCTAssertEqual(snapshot.path, path)
        XCTAssertTrue(loaded.skipped.isEmpty)
        XCTAssertEqual(log.fileSystem.contents(of: path)?.count, 36 + 6 + 1000 + 4, "the documented layout")
    }

    func testEmptyPinnedAndPayloadRoundTrip() throws {
        let log = LogFixture()
        let store = log.makeSnapshotStore()
        try [UInt8]().withUnsafeBytes { _ = try store.write(lsn: 1, pinned: [], payload: $0) }
        let snapshot = try XCTUnwrap(store.loadNewest().snapshot)
        XCTAssertEqual(snapshot.payload, [])
        XCTAssertEqual(snapshot.pinned, [])
    }

    func testWriteIsDurableWhenItReturns() throws {
        let log = LogFixture()
        let store = log.makeSnapshotStore()
        try write(store, lsn: 7)
        log.fileSystem.simulateCrash()
        XCTAssertEqual(try store.loadNewest().snapshot?.lsn, 7)
        XCTAssertEqual(log.fileSystem.calls[.sync], 1)
        XCTAssertEqual(log.fileSystem.calls[.rename], 1)
        XCTAssertEqual(log.fileSystem.calls[.syncDirectory], 1)
    }

    func testNoSnapshotLoadsNothing() throws {
        let loaded = try LogFixture().makeSnapshotStore().loadNewest()
        XCTAssertNil(loaded.snapshot)
        XCTAssertTrue(loaded.skipped.isEmpty)
    }

    func testLoadNewestFallsBackPastDamagedSnapshots() throws {
        let damages: [(String, (LogFixture, String) -> Void, String)] = [
            ("flipped payload bit", { $0.flipBit($1, at: 100) }, "snapshot checksum mismatch"),
            ("flipped LSN bit", { $0.flipBit($1, at: LogFormat.snapshotLSNOffset) }, "snapshot checksum mismatch"),
            ("flipped checksum bit", { $0.flipBit($1, at: 36 + 6 + 1000) }, "snapshot checksum mismatch"),
            (
                "cut short", { $0.shrinkSize($1, by: 1) },
                "the header says 6 pinned and 1000 payload bytes, the file has 1045"
            ),
            ("cut to nothing", { $0.shrinkSize($1, by: 1046) }, "0 bytes is shorter than a snapshot header"),
            (
                "bytes appended", { $0.appendBytes($1, [0]) },
                "the header says 6 pinned and 1000 payload bytes, the file has 1047"
            ),
            ("wrong magic", { $0.setByte($1, at: 0, to: 0) }, "no PHSNP magic"),
            (
                "newer version", { $0.setByte($1, at: LogFormat.snapshotVersionOffset, to: 9) },
                "snapshot format version 9, this build reads 1"
            ),
            (
                "huge payload length", { $0.setByte($1, at: LogFormat.snapshotPayloadLengthOffset + 7, to: 0xFF) },
                "the header says"
            ),
        ]
        for (name, damage, reason) in damages {
            let log = LogFixture()
            let store = log.makeSnapshotStore()
            try write(store, lsn: 10)
            let newest = try write(store, lsn: 20)
            damage(log, newest)
            let loaded = try store.loadNewest()
            XCTAssertEqual(loaded.snapshot?.lsn, 10, name)
            XCTAssertEqual(loaded.snapshot?.payload, payload(10), name)
            XCTAssertEqual(loaded.skipped.map(\.path), [newest], name)
            XCTAssertTrue(loaded.skipped.first?.reason.contains(reason) ?? false, "\(name): \(loaded.skipped)")
        }
    }

    func testSnapshotWhoseNameAndHeaderDisagreeIsSkipped() throws {
        let log = LogFixture()
        let store = log.makeSnapshotStore()
        let path = try write(store, lsn: 10)
        try log.fileSystem.rename(path, to: "/data/" + LogFormat.snapshotName(lsn: 11))
        let loaded = try store.loadNewest()
        XCTAssertNil(loaded.snapshot)
        XCTAssertTrue(
            loaded.skipped.first?.reason.contains("the header's LSN 10 is not the 11 of the file name") ?? false)
    }

    func testPruneKeepsTheLastTwoSnapshotsAndTheLogTheOlderNeeds() throws {
        let log = LogFixture()
        // Ten records per segment: segments start at 1, 11, 21, 31, 41.
        try log.writeLog(50, segmentBytes: 1, batchSize: 10)
        XCTAssertEqual(try log.segmentPaths.count, 5)
        let store = log.makeSnapshotStore()
        for lsn: UInt64 in [5, 15, 20] { try write(store, lsn: lsn) }
        let pruned = try store.prune()
        XCTAssertEqual(pruned.removedSnapshots, ["/data/snapshot-00000000000000000005.snap"])
        // The older kept snapshot is at 15: replay from 16 needs the segment from 11 on.
        XCTAssertEqual(pruned.removedSegments, ["/data/wal-00000000000000000001.log"])
        XCTAssertEqual(try log.segmentPaths.first, "/data/wal-00000000000000000011.log")
        log.assertRecords(try log.scan(fromLSN: 16), are: 16...50)
        log.assertRecords(try log.scan(fromLSN: 21), are: 21...50)

        try write(store, lsn: 30)
        let again = try store.prune()
        XCTAssertEqual(again.removedSnapshots, ["/data/snapshot-00000000000000000015.snap"])
        // The older kept snapshot is at 20: a segment starting at 21 = 20 + 1 holds what replay needs.
        XCTAssertEqual(again.removedSegments, ["/data/wal-00000000000000000011.log"])
        log.assertRecords(try log.scan(fromLSN: 21), are: 21...50)
        XCTAssertEqual(try store.loadNewest().snapshot?.lsn, 30)
    }

    func testPruneWithOneSnapshotKeepsTheWholeLog() throws {
        let log = LogFixture()
        try log.writeLog(50, segmentBytes: 1, batchSize: 10)
        let store = log.makeSnapshotStore()
        try write(store, lsn: 45)
        let pruned = try store.prune()
        XCTAssertTrue(pruned.removedSegments.isEmpty)
        XCTAssertTrue(pruned.removedSnapshots.isEmpty)
        XCTAssertEqual(log.fileSystem.calls[.syncDirectory], 5 + 1, "nothing removed, no directory sync")
    }

    func testPruneNeverRemovesTheNewestSegment() throws {
        let log = LogFixture()
        try log.writeLog(50, segmentBytes: 1, batchSize: 10)
        let store = log.makeSnapshotStore()
        for lsn: UInt64 in [49, 50] { try write(store, lsn: lsn) }
        let pruned = try store.prune()
        XCTAssertEqual(pruned.removedSegments.count, 4)
        XCTAssertEqual(try log.segmentPaths, ["/data/wal-00000000000000000041.log"])
        XCTAssertEqual(try log.scan(fromLSN: 51).report.nextLSN, 51)
    }

    func testPruneIsDurable() throws {
        let log = LogFixture()
        try log.writeLog(50, segmentBytes: 1, batchSize: 10)
        let store = log.makeSnapshotStore()
        for lsn: UInt64 in [5, 25, 35] { try write(store, lsn: lsn) }
        let pruned = try store.prune()
        log.fileSystem.simulateCrash()
        let names = log.fileSystem.names(in: "/data")
        for path in pruned.removedSnapshots + pruned.removedSegments {
            XCTAssertFalse(names.contains(String(path.dropFirst("/data/".count))), path)
        }
    }
}
