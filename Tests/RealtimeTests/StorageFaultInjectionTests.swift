import TestSupport
import XCTest

@testable import Realtime

/// The log and the snapshots under failing calls and crashes (`FaultInjectingFileSystem`):
/// nothing `sync()` returned for is ever lost, every error surfaces and stops the writer, and
/// a crash at any step leaves a directory that recovers to a consistent prefix.
final class StorageFaultInjectionTests: XCTestCase {
    // MARK: Crashes and the log

    func testUnsyncedRecordsAreLostAtACrashAndSyncedOnesAreNot() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        try log.write(1...20, to: writer)
        try log.write(21...30, to: writer, sync: false)
        XCTAssertEqual(writer.syncedLSN, 20)
        XCTAssertEqual(writer.nextLSN, 31)
        log.fileSystem.simulateCrash()
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...20)
        XCTAssertNil(scanned.report.damage, "the unsynced bytes never reached the disk: a clean end")
    }

    func testRandomCrashesNeverLoseARecordThatSyncReturnedFor() throws {
        for seed in UInt64(0)..<300 {
            var random = SplitMix64(seed: seed)
            let log = LogFixture()
            let writer = try log.makeWriter(segmentBytes: 200 + random.next(below: 3000))
            var nextLSN: UInt64 = 1
            var lastBatchSynced = true
            for _ in 0..<(1 + random.next(below: 30)) {
                let count = UInt64(1 + random.next(below: 8))
                try log.write(nextLSN...(nextLSN + count - 1), to: writer, batchSize: 8, sync: false)
                nextLSN += count
                lastBatchSynced = random.next(below: 3) == 0
                if lastBatchSynced { try writer.sync() }
            }
            let synced = writer.syncedLSN
            if !lastBatchSynced && random.next(below: 2) == 0 {
                let batchBytes = try XCTUnwrap(log.fileSystem.lastWriteCount)
                log.fileSystem.tearLastWrite(keeping: random.next(below: batchBytes + 1))
            }
            log.fileSystem.simulateCrash()

            let scanned = try log.scan()
            XCTAssertGreaterThanOrEqual(scanned.report.lastLSN, synced, "seed \(seed)")
            XCTAssertEqual(scanned.lsns, Array(1..<(scanned.report.lastLSN + 1)), "seed \(seed): a prefix, in order")
            XCTAssertTrue(scanned.records.allSatisfy { $0.payload == LogFixture.payload($0.lsn) }, "seed \(seed)")
            XCTAssertNotEqual(scanned.report.damage?.kind, .corruption, "seed \(seed): a crash is never corruption")

            // The log goes on from there, and reads back whole.
            let next = scanned.report.nextLSN
            let resumed = try log.makeWriter(firstLSN: next, segmentBytes: 500)
            try log.write(next...(next + 9), to: resumed)
            log.assertRecords(try log.scan(), are: 1...(next + 9))
        }
    }

    func testTornWriteAtEveryByteOfABatchKeepsTheWholeRecordsBeforeTheTear() throws {
        let reference = LogFixture()
        let referenceWriter = try reference.makeWriter()
        try reference.write(1...10, to: referenceWriter)
        let syncedSize = reference.fileSystem.contents(of: referenceWriter.segmentPath)!.count
        try reference.write(11...14, to: referenceWriter, sync: false)
        let segment = referenceWriter.segmentPath
        let offsets = reference.recordOffsets(segment)
        let fullSize = reference.fileSystem.contents(of: segment)!.count
        for keeping in 0...(fullSize - syncedSize) {
            let log = LogFixture()
            let writer = try log.makeWriter()
            try log.write(1...10, to: writer)
            try log.write(11...14, to: writer, batchSize: 4, sync: false)
            log.fileSystem.tearLastWrite(keeping: keeping)
            log.fileSystem.simulateCrash()
            let scanned = try log.scan()
            let wholeRecords = offsets.filter { $0 >= syncedSize }.enumerated().filter { index, _ in
                let end = index + 1 < 4 ? offsets[10 + index + 1] : fullSize
                return end <= syncedSize + keeping
            }.count
            log.assertRecords(scanned, are: 1...(10 + UInt64(wholeRecords)))
            let partial = syncedSize + keeping > (wholeRecords < 4 ? offsets[10 + wholeRecords] : fullSize)
            XCTAssertEqual(scanned.report.damage?.kind, partial ? .tornTail : nil, "keeping \(keeping)")
        }
    }

    // MARK: Errors and the log writer

    func testWriteErrorsSurfaceAndPoisonTheWriter() throws {
        for code in [EIO, ENOSPC] {
            for afterWriting in [0, 10] {
                let log = LogFixture()
                let writer = try log.makeWriter()
                try log.write(1...8, to: writer)
                log.fileSystem.failNext(.write, with: code, afterWriting: afterWriting)
                XCTAssertThrowsError(try log.write(9...12, to: writer, sync: false)) { error in
                    XCTAssertEqual((error as? StorageError)?.errno, code)
                    XCTAssertEqual((error as? StorageError)?.path, writer.segmentPath)
                    if code == ENOSPC {
                        XCTAssertTrue((error as? StorageError)?.isNoSpace ?? false)
                        XCTAssertTrue("\(error)".contains("no space left on device (ENOSPC)"), "\(error)")
                    }
                }
                let writes = log.fileSystem.calls[.write]
                let syncs = log.fileSystem.calls[.sync]
                XCTAssertThrowsError(try log.write(9...12, to: writer, sync: false)) { error in
                    XCTAssertTrue((error as? StorageError)?.isWriterFailedEarlier ?? false)
                    XCTAssertTrue(
                        "\(error)".hasPrefix("the log writer failed earlier and accepts no more writes"), "\(error)")
                }
                XCTAssertThrowsError(try writer.sync())
                XCTAssertEqual(log.fileSystem.calls[.write], writes, "a poisoned writer makes no call")
                XCTAssertEqual(log.fileSystem.calls[.sync], syncs, "a poisoned writer makes no call")
                XCTAssertEqual(writer.syncedLSN, 8)

                // Without a crash the short write is on disk as a torn tail; recovery cuts it.
                let scanned = try log.scan()
                log.assertRecords(scanned, are: 1...8)
                XCTAssertEqual(scanned.report.damage?.kind, afterWriting > 0 ? .tornTail : nil)
            }
        }
    }

    func testSyncErrorsPoisonTheWriterAndAreNotRetried() throws {
        for code in [EIO, ENOSPC] {
            let log = LogFixture()
            let writer = try log.makeWriter()
            try log.write(1...8, to: writer)
            try log.write(9...12, to: writer, sync: false)
            log.fileSystem.failNext(.sync, with: code)
            XCTAssertThrowsError(try writer.sync()) { error in
                XCTAssertEqual((error as? StorageError)?.errno, code)
            }
            let syncs = log.fileSystem.calls[.sync]
            XCTAssertThrowsError(try writer.sync()) { error in
                XCTAssertTrue((error as? StorageError)?.isWriterFailedEarlier ?? false)
                XCTAssertTrue("\(error)".contains(code == EIO ? "EIO" : "ENOSPC"), "the cause is named: \(error)")
            }
            XCTAssertEqual(log.fileSystem.calls[.sync], syncs, "a failed sync is never retried")
            XCTAssertEqual(writer.syncedLSN, 8)
            log.fileSystem.simulateCrash()
            log.assertRecords(try log.scan(), are: 1...8)
        }
    }

    func testEveryFailureDuringRotationSurfacesAndPoisonsTheWriter() throws {
        // At a rotation: sync the old segment, create the new, preallocate, write and sync its
        // header, sync the directory.
        let steps: [(FaultInjectingFileSystem.Operation, skipping: Int)] = [
            (.sync, 0), (.create, 0), (.preallocate, 0), (.write, 0), (.sync, 1), (.syncDirectory, 0),
        ]
        for (operation, skipping) in steps {
            for code in [EIO, ENOSPC] {
                let log = LogFixture()
                let writer = try log.makeWriter(segmentBytes: 300, preallocate: true)
                try log.write(1...10, to: writer, batchSize: 10, size: 30)
                let first = writer.segmentPath
                log.fileSystem.failNext(operation, with: code, skipping: skipping)
                XCTAssertThrowsError(try log.write(11...12, to: writer, size: 30), "\(operation)") { error in
                    XCTAssertEqual((error as? StorageError)?.errno, code, "\(operation)")
                }
                XCTAssertThrowsError(try log.write(11...12, to: writer, size: 30), "\(operation)") { error in
                    XCTAssertTrue((error as? StorageError)?.isWriterFailedEarlier ?? false, "\(operation)")
                }
                XCTAssertEqual(try log.segmentPaths, [first], "\(operation): the new segment is removed again")
                log.fileSystem.simulateCrash()
                let scanned = try log.scan()
                log.assertRecords(scanned, are: 1...10, size: 30)
                XCTAssertNotEqual(scanned.report.damage?.kind, .corruption)
            }
        }
    }

    func testCrashAtEveryStepOfSegmentRotationRecoversAConsistentPrefix() throws {
        var step = 0
        while true {
            let log = LogFixture()
            // The first segment: a 52-byte header, then 10 + 2 records of 47 bytes: full at 616.
            let writer = try log.makeWriter(segmentBytes: 600, preallocate: true)
            try log.write(1...10, to: writer, batchSize: 10, size: 30)
            try log.write(11...12, to: writer, batchSize: 2, sync: false, size: 30)  // unsynced: rotation syncs it
            XCTAssertEqual(try log.segmentPaths.count, 1)
            log.fileSystem.powerOff(afterOperations: step)
            var completed = false
            do {
                try log.write(13...14, to: writer, batchSize: 2, size: 30)  // rotates, writes, syncs
                completed = true
            } catch {
                XCTAssertTrue(log.fileSystem.poweredOff, "step \(step): \(error)")
            }
            log.fileSystem.simulateCrash()
            let scanned = try log.scan()
            let last = scanned.report.lastLSN
            XCTAssertTrue([10, 12, 14].contains(last), "step \(step): recovered through \(last)")
            XCTAssertGreaterThanOrEqual(last, writer.syncedLSN, "step \(step)")
            log.assertRecords(scanned, are: 1...last, size: 30)
            if completed {
                XCTAssertEqual(last, 14)
                break
            }
            step += 1
        }
        XCTAssertGreaterThan(step, 5, "the rotation took several steps")
    }

    func testCrashAtEveryStepOfStartingAWriterRecovers() throws {
        var step = 0
        while true {
            let log = LogFixture()
            try log.writeLog(10)
            log.fileSystem.powerOff(afterOperations: step)
            var completed = false
            do {
                _ = try log.makeWriter(firstLSN: 11, preallocate: true)
                completed = true
            } catch {}
            log.fileSystem.simulateCrash()
            let scanned = try log.scan()
            log.assertRecords(scanned, are: 1...10)
            XCTAssertNotEqual(scanned.report.damage?.kind, .corruption, "step \(step)")
            XCTAssertNoThrow(try log.makeWriter(firstLSN: 11), "step \(step): the name is free again")
            if completed { break }
            step += 1
        }
    }

    // MARK: Errors and crashes during recovery

    func testErrorsWhileCuttingATornTailSurface() throws {
        for operation: FaultInjectingFileSystem.Operation in [.open, .truncate, .sync] {
            let log = LogFixture()
            try log.writeLog(10)
            log.shrinkSize(try log.newestSegment, by: 3)
            log.fileSystem.failNext(operation, with: EIO, skipping: operation == .open ? 1 : 0)
            XCTAssertThrowsError(try log.scan(), "\(operation)") { error in
                XCTAssertEqual((error as? StorageError)?.errno, EIO, "\(operation)")
            }
            log.fileSystem.simulateCrash()
            log.assertRecords(try log.scan(), are: 1...9)
        }
    }

    func testCrashAtEveryStepOfRecoveryIsRecoveredByTheNextOne() throws {
        var step = 0
        while true {
            let log = LogFixture()
            try log.writeLog(60, segmentBytes: 500)
            let paths = try log.segmentPaths
            log.shrinkSize(paths[1], by: 7)
            log.fileSystem.powerOff(afterOperations: step)
            var completed = false
            do {
                _ = try log.scan(truncateDamage: true)
                completed = true
            } catch {}
            log.fileSystem.simulateCrash()
            let scanned = try log.scan(truncateDamage: true)
            let last = scanned.report.lastLSN
            log.assertRecords(scanned, are: 1...last)
            XCTAssertNil(try log.scan().report.damage, "step \(step): the second recovery finished the cut")
            if completed { break }
            step += 1
        }
    }

    // MARK: Snapshots

    private func writeSnapshot(_ store: SnapshotStore, lsn: UInt64) throws {
        try LogFixture.payload(lsn, size: 500).withUnsafeBytes {
            _ = try store.write(lsn: lsn, pinned: [7], payload: $0)
        }
    }

    func testSnapshotWriteErrorsKeepThePreviousSnapshotAndLeaveNoTemporary() throws {
        for operation: FaultInjectingFileSystem.Operation in [.create, .write, .sync, .rename] {
            for code in [EIO, ENOSPC] {
                let log = LogFixture()
                let store = log.makeSnapshotStore()
                try writeSnapshot(store, lsn: 10)
                log.fileSystem.failNext(operation, with: code, afterWriting: 100)
                XCTAssertThrowsError(try writeSnapshot(store, lsn: 20), "\(operation)") { error in
                    XCTAssertEqual((error as? StorageError)?.errno, code, "\(operation)")
                    XCTAssertEqual((error as? StorageError)?.isNoSpace, code == ENOSPC)
                }
                XCTAssertEqual(
                    log.fileSystem.names(in: "/data"), ["snapshot-00000000000000000010.snap"], "\(operation)")
                let loaded = try store.loadNewest()
                XCTAssertEqual(loaded.snapshot?.lsn, 10)
                XCTAssertEqual(loaded.snapshot?.payload, LogFixture.payload(10, size: 500))
                XCTAssertTrue(loaded.skipped.isEmpty)
            }
        }
    }

    func testSnapshotDirectorySyncErrorSurfacesWithTheSnapshotComplete() throws {
        let log = LogFixture()
        let store = log.makeSnapshotStore()
        try writeSnapshot(store, lsn: 10)
        log.fileSystem.failNext(.syncDirectory, with: EIO)
        XCTAssertThrowsError(try writeSnapshot(store, lsn: 20)) { error in
            XCTAssertEqual((error as? StorageError)?.operation, "syncDirectory")
        }
        XCTAssertFalse(log.fileSystem.names(in: "/data").contains { $0.hasSuffix(".tmp") })
        XCTAssertEqual(try store.loadNewest().snapshot?.lsn, 20, "complete, though maybe not durable")
        log.fileSystem.simulateCrash()
        let loaded = try store.loadNewest()
        XCTAssertTrue([10, 20].contains(loaded.snapshot?.lsn ?? 0))
        XCTAssertTrue(loaded.skipped.isEmpty)
    }

    func testCrashAtEveryStepOfSnapshotWritingLeavesTheOldOrTheNewSnapshot() throws {
        var step = 0
        while true {
            let log = LogFixture()
            let store = log.makeSnapshotStore()
            try writeSnapshot(store, lsn: 10)
            try log.fileSystem.syncDirectory("/data")
            log.fileSystem.powerOff(afterOperations: step)
            var completed = false
            do {
                try writeSnapshot(store, lsn: 20)
                completed = true
            } catch {}
            log.fileSystem.simulateCrash()
            let directory = try DataDirectory(path: log.directory, fileSystem: log.fileSystem)
            XCTAssertTrue(try directory.listing().temporaries.isEmpty)
            let loaded = try store.loadNewest()
            XCTAssertTrue(loaded.skipped.isEmpty, "step \(step): \(loaded.skipped)")
            if completed {
                XCTAssertEqual(loaded.snapshot?.lsn, 20, "step \(step): a write that returned is durable")
                break
            }
            XCTAssertTrue([10, 20].contains(loaded.snapshot?.lsn ?? 0), "step \(step)")
            step += 1
        }
        XCTAssertGreaterThanOrEqual(step, 6)
    }

    func testCrashAtEveryStepOfPruneLeavesARecoverableDirectory() throws {
        var step = 0
        while true {
            let log = LogFixture()
            try log.writeLog(50, segmentBytes: 1, batchSize: 10)
            let store = log.makeSnapshotStore()
            for lsn: UInt64 in [5, 25, 35] { try writeSnapshot(store, lsn: lsn) }
            log.fileSystem.powerOff(afterOperations: step)
            var completed = false
            do {
                try store.prune()
                completed = true
            } catch {}
            log.fileSystem.simulateCrash()
            let snapshot = try XCTUnwrap(store.loadNewest().snapshot)
            XCTAssertEqual(snapshot.lsn, 35)
            log.assertRecords(try log.scan(fromLSN: 26), are: 26...50)
            if completed { break }
            step += 1
        }
    }
}
