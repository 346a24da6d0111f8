import XCTest

@testable import Realtime

/// Recovery's reading of damaged logs, LevelDB style (`db/log_test.cc`): a log is written,
/// its bytes edited, and the scan must keep every good record, cut a torn tail of the newest
/// segment, and refuse (or, with `truncateDamage`, drop and report) anything else.
final class LogRecoveryTests: XCTestCase {
    // MARK: Empty and missing

    func testEmptyDirectoryHasNothingToRecover() throws {
        let log = LogFixture()
        let scanned = try log.scan()
        XCTAssertTrue(scanned.records.isEmpty)
        XCTAssertTrue(scanned.report.segments.isEmpty)
        XCTAssertEqual(scanned.report.nextLSN, 1)
        XCTAssertEqual(scanned.report.lastLSN, 0)
        XCTAssertNil(scanned.report.damage)
        XCTAssertEqual(
            try log.scan(fromLSN: 51).report.nextLSN, 51, "after a snapshot at 50 with no log, the log goes on at 51")
    }

    func testMissingDirectoryIsAClearError() {
        let log = LogFixture()
        XCTAssertThrowsError(try LogRecovery.scanLog(fileSystem: log.fileSystem, directory: "/missing") { _ in }) {
            error in
            XCTAssertEqual((error as? StorageError)?.errno, ENOENT)
            XCTAssertEqual("\(error)", "opendir /missing: no such file or directory (ENOENT)")
        }
    }

    // MARK: Torn tails

    func testTruncatedTrailingRecordIsIgnored() throws {
        let reference = LogFixture()
        try reference.writeLog(10)
        let segment = try reference.newestSegment
        let offsets = reference.recordOffsets(segment)
        let fileSize = reference.fileSystem.contents(of: segment)!.count
        let lastRecordStart = offsets.last!
        // Cut the last record after each of its bytes: every cut is a torn tail.
        for kept in 0..<(fileSize - lastRecordStart) {
            let log = LogFixture()
            try log.writeLog(10)
            log.shrinkSize(segment, by: fileSize - lastRecordStart - kept)
            let scanned = try log.scan()
            log.assertRecords(scanned, are: 1...9)
            if kept == 0 {
                XCTAssertNil(scanned.report.damage, "a cut between records is a clean end")
                continue
            }
            let damage = try XCTUnwrap(scanned.report.damage, "cut after \(kept) bytes")
            XCTAssertEqual(damage.kind, .tornTail)
            XCTAssertEqual(damage.path, segment)
            XCTAssertEqual(damage.offset, lastRecordStart)
            XCTAssertEqual(damage.droppedBytes, kept)
            XCTAssertEqual(damage.droppedRecords, 1)
            XCTAssertEqual(log.fileSystem.contents(of: segment)!.count, lastRecordStart, "the file is truncated")
            XCTAssertEqual(scanned.report.nextLSN, 10)
            let again = try log.scan()
            log.assertRecords(again, are: 1...9)
            XCTAssertNil(again.report.damage, "the cut is made once")
        }
    }

    func testTruncatedTrailingRecordIsSyncedAfterTheCut() throws {
        let log = LogFixture()
        try log.writeLog(10)
        log.shrinkSize(try log.newestSegment, by: 3)
        let syncs = log.fileSystem.calls[.sync] ?? 0
        _ = try log.scan()
        XCTAssertEqual(log.fileSystem.calls[.sync], syncs + 1)
        log.fileSystem.simulateCrash()
        XCTAssertNil(try log.scan().report.damage, "the truncation survived the crash")
    }

    func testTornOnlyRecordRemovesTheSegment() throws {
        let log = LogFixture()
        try log.writeLog(1, size: 100)
        let segment = try log.newestSegment
        log.shrinkSize(segment, by: 50)
        let scanned = try log.scan()
        XCTAssertTrue(scanned.records.isEmpty)
        XCTAssertEqual(scanned.report.damage?.kind, .tornTail)
        XCTAssertEqual(scanned.report.damage?.removedSegments, [segment])
        XCTAssertNil(log.fileSystem.contents(of: segment))
        XCTAssertEqual(scanned.report.nextLSN, 1)
    }

    func testZeroedTailIsIgnored() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        let size = log.fileSystem.contents(of: segment)!.count
        log.appendBytes(segment, [UInt8](repeating: 0, count: 4096))
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...10)
        XCTAssertEqual(scanned.report.damage?.kind, .tornTail)
        XCTAssertEqual(scanned.report.damage?.droppedBytes, 4096)
        XCTAssertEqual(scanned.report.damage?.droppedRecords, 0)
        XCTAssertEqual(scanned.report.damage?.what, "4096 zero bytes")
        XCTAssertEqual(log.fileSystem.contents(of: segment)!.count, size)
    }

    func testZeroedLastRecordIsATornTail() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        let last = log.recordOffsets(segment).last!
        var bytes = log.fileSystem.contents(of: segment)!
        for index in last..<bytes.count { bytes[index] = 0 }
        log.fileSystem.setContents(bytes, of: segment)
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...9)
        XCTAssertEqual(scanned.report.damage?.kind, .tornTail)
    }

    func testFlippedBitInTheLastRecordIsATornTail() throws {
        let reference = LogFixture()
        try reference.writeLog(10)
        let segment = try reference.newestSegment
        let last = reference.recordOffsets(segment).last!
        let size = reference.fileSystem.contents(of: segment)!.count
        // Checksum, LSN, type and payload: the record no longer verifies and nothing follows.
        for offset in (last + LogFormat.recordChecksumOffset)..<size {
            for bit in [0, 7] {
                let log = LogFixture()
                try log.writeLog(10)
                log.flipBit(segment, at: offset, bit: bit)
                let scanned = try log.scan()
                log.assertRecords(scanned, are: 1...9)
                XCTAssertEqual(scanned.report.damage?.kind, .tornTail, "bit \(bit) of byte \(offset - last)")
                XCTAssertEqual(scanned.report.damage?.what, "record checksum mismatch")
            }
        }
    }

    func testLastRecordLengthTooLongForTheFileIsATornTail() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        let last = log.recordOffsets(segment).last!
        log.setUInt32(segment, at: last, to: 1 << 20)
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...9)
        XCTAssertEqual(scanned.report.damage?.kind, .tornTail)
    }

    // MARK: Corruption

    func testFlippedBitInAMiddleRecordIsCorruption() throws {
        let reference = LogFixture()
        try reference.writeLog(10)
        let segment = try reference.newestSegment
        let offsets = reference.recordOffsets(segment)
        let fifth = offsets[4]
        let fields: [(String, Int)] = [
            ("length", LogFormat.recordLengthOffset), ("checksum", LogFormat.recordChecksumOffset + 2),
            ("lsn", LogFormat.recordLSNOffset), ("type", LogFormat.recordTypeOffset),
            ("payload", LogFormat.recordPayloadOffset + 3),
        ]
        for (field, position) in fields {
            let log = LogFixture()
            try log.writeLog(10)
            log.flipBit(segment, at: fifth + position)
            XCTAssertThrowsError(try log.scan(), field) { error in
                XCTAssertTrue((error as? StorageError)?.isDamage ?? false)
                XCTAssertEqual((error as? StorageError)?.path, segment)
                XCTAssertTrue("\(error)".contains("is damaged at offset \(fifth)"), "\(error)")
                XCTAssertTrue("\(error)".contains("--recover=truncate"), "\(error)")
            }
            XCTAssertEqual(
                log.fileSystem.contents(of: segment)!.count, reference.fileSystem.contents(of: segment)!.count,
                "a refused scan changes nothing")

            let scanned = try log.scan(truncateDamage: true)
            log.assertRecords(scanned, are: 1...4)
            let damage = try XCTUnwrap(scanned.report.damage)
            XCTAssertEqual(damage.kind, .corruption, field)
            XCTAssertEqual(damage.offset, fifth, field)
            XCTAssertEqual(damage.droppedRecords, 5, "\(field): records 6...10 were readable")
            XCTAssertEqual(damage.droppedBytes, reference.fileSystem.contents(of: segment)!.count - fifth)
            XCTAssertEqual(log.fileSystem.contents(of: segment)!.count, fifth)
            XCTAssertEqual(scanned.report.nextLSN, 5)
            XCTAssertNil(try log.scan().report.damage)
        }
    }

    func testBadRecordFollowedByGoodOnesIsCorruption() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        let offsets = log.recordOffsets(segment)
        var bytes = log.fileSystem.contents(of: segment)!
        for index in offsets[2]..<offsets[4] { bytes[index] = 0 }
        log.fileSystem.setContents(bytes, of: segment)
        XCTAssertThrowsError(try log.scan()) { error in
            XCTAssertTrue("\(error)".contains("6 readable records follow at offset \(offsets[4])"), "\(error)")
        }
        let scanned = try log.scan(truncateDamage: true)
        log.assertRecords(scanned, are: 1...2)
        XCTAssertEqual(scanned.report.damage?.droppedRecords, 6)
    }

    func testGarbageLengthIsRefusedWithoutAllocating() throws {
        for recordIndex in [4, 9] {
            let log = LogFixture()
            try log.writeLog(10)
            let segment = try log.newestSegment
            let offsets = log.recordOffsets(segment)
            let offset = offsets[recordIndex]
            log.setUInt32(segment, at: offset, to: .max)
            XCTAssertThrowsError(try log.scan(), "record \(recordIndex + 1)") { error in
                XCTAssertEqual(
                    "\(error)",
                    "\(segment) is damaged at offset \(offset): record length 4294967295 is impossible (9...16777216)"
                        + (recordIndex == 4 ? "; 5 readable records follow at offset \(offsets[5])" : "")
                        + " (--recover=truncate drops it and everything after it)")
            }
            let reader = try LogReader(fileSystem: log.fileSystem, path: segment, chunkBytes: 64)
            guard case .header = try reader.readHeader() else { return XCTFail("header") }
            while case .record = try reader.next() {}
            guard case .damaged(let damage) = try reader.next() else { return XCTFail("damage") }
            XCTAssertFalse(damage.couldBeTornWrite)
            XCTAssertLessThanOrEqual(reader.bufferCapacity, 400, "no buffer was sized from the length")
        }
    }

    func testLengthPastTheEndIsNotAllocatedEither() throws {
        let log = LogFixture()
        try log.writeLog(3, size: 10)
        let segment = try log.newestSegment
        log.setUInt32(segment, at: log.recordOffsets(segment)[2], to: UInt32(LogFormat.maxRecordLength))
        let reader = try LogReader(fileSystem: log.fileSystem, path: segment, chunkBytes: 64)
        _ = try reader.readHeader()
        while case .record = try reader.next() {}
        guard case .damaged(let damage) = try reader.next() else { return XCTFail("damage") }
        XCTAssertTrue(damage.couldBeTornWrite)
        XCTAssertLessThanOrEqual(reader.bufferCapacity, 64)
    }

    func testLengthBelowTheMinimumIsCorruptionEvenAtTheEnd() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        log.setUInt32(segment, at: log.recordOffsets(segment)[9], to: 5)
        XCTAssertThrowsError(try log.scan()) { error in
            XCTAssertTrue("\(error)".contains("record length 5 is impossible"), "\(error)")
        }
    }

    func testLSNGapWithinASegmentIsCorruption() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        let last = log.recordOffsets(segment)[9]
        log.setByte(segment, at: last + LogFormat.recordLSNOffset, to: 60)
        log.fixChecksum(segment, recordAt: last)
        XCTAssertThrowsError(try log.scan()) { error in
            XCTAssertTrue("\(error)".contains("record LSN 60 where LSN 10 was due"), "\(error)")
        }
        log.assertRecords(try log.scan(truncateDamage: true), are: 1...9)
    }

    func testUnknownRecordTypeIsCorruption() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        let last = log.recordOffsets(segment)[9]
        log.setByte(segment, at: last + LogFormat.recordTypeOffset, to: 200)
        log.fixChecksum(segment, recordAt: last)
        XCTAssertThrowsError(try log.scan()) { error in
            XCTAssertTrue("\(error)".contains("unknown record type 200"), "\(error)")
        }
    }

    // MARK: Segments

    func testSegmentRotationAcrossSeveralSegmentsReadsBackInOrder() throws {
        let log = LogFixture()
        try log.writeLog(200, segmentBytes: 1500, batchSize: 3)
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...200)
        XCTAssertEqual(scanned.report.segments.count, try log.segmentPaths.count)
        XCTAssertGreaterThan(scanned.report.segments.count, 5)
        XCTAssertEqual(scanned.headers.count, scanned.report.segments.count)
    }

    func testLSNGapBetweenSegmentsIsCorruption() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let writer = try log.makeWriter(firstLSN: 15)
        try log.write(15...20, to: writer)
        writer.close()
        XCTAssertThrowsError(try log.scan()) { error in
            XCTAssertTrue(
                "\(error)".contains("LSN gap: the previous segment ends at LSN 10, this one starts at 15"), "\(error)")
            XCTAssertEqual((error as? StorageError)?.path, "/data/wal-00000000000000000015.log")
        }
        let scanned = try log.scan(truncateDamage: true)
        log.assertRecords(scanned, are: 1...10)
        XCTAssertEqual(scanned.report.damage?.removedSegments, ["/data/wal-00000000000000000015.log"])
        XCTAssertEqual(scanned.report.damage?.droppedRecords, 6)
        XCTAssertEqual(scanned.report.nextLSN, 11)
    }

    func testSegmentWhoseNameAndHeaderDisagreeIsCorruption() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let second = "/data/" + LogFormat.segmentName(firstLSN: 11)
        log.fileSystem.install(LogSegmentHeader(firstLSN: 12, createdAt: 0, pinned: []).encoded(), at: second)
        XCTAssertThrowsError(try log.scan()) { error in
            XCTAssertTrue("\(error)".contains("the header's first LSN 12 is not the 11 of the file name"), "\(error)")
        }
    }

    func testDamageInAnOlderSegmentIsCorruptionEvenAtItsEnd() throws {
        let log = LogFixture()
        try log.writeLog(100, segmentBytes: 1500)
        let paths = try log.segmentPaths
        XCTAssertGreaterThan(paths.count, 3)
        log.shrinkSize(paths[1], by: 5)
        XCTAssertThrowsError(try log.scan()) { error in
            XCTAssertEqual((error as? StorageError)?.path, paths[1])
        }
        let scanned = try log.scan(truncateDamage: true)
        let damage = try XCTUnwrap(scanned.report.damage)
        XCTAssertEqual(damage.kind, .corruption)
        XCTAssertEqual(damage.removedSegments, Array(paths[2...]))
        XCTAssertEqual(try log.segmentPaths, Array(paths[...1]))
        let kept = scanned.report.segments[1].lastLSN
        log.assertRecords(scanned, are: 1...kept)
        XCTAssertEqual(damage.droppedRecords, Int(100 - kept) - 1, "the torn record is not counted, the rest are")
        // The log goes on from the cut.
        let writer = try log.makeWriter(firstLSN: scanned.report.nextLSN)
        try log.write((kept + 1)...(kept + 5), to: writer)
        log.assertRecords(try log.scan(), are: 1...(kept + 5))
    }

    func testFlippedBitInASegmentHeaderIsCorruption() throws {
        for newest in [false, true] {
            let log = LogFixture()
            try log.writeLog(60, segmentBytes: 1500)
            let paths = try log.segmentPaths
            XCTAssertGreaterThan(paths.count, 2)
            let segmentIndex = newest ? paths.count - 1 : 0
            log.flipBit(paths[segmentIndex], at: LogFormat.segmentFirstLSNOffset + 1)
            XCTAssertThrowsError(try log.scan(), "segment \(segmentIndex)") { error in
                XCTAssertEqual(
                    "\(error)",
                    "\(paths[segmentIndex]) is damaged at offset 0: segment header checksum mismatch (--recover=truncate drops it and everything after it)"
                )
            }
        }
    }

    func testFlippedBitInTheHeaderOfAnEmptyNewestSegmentIsATornHeader() throws {
        let log = LogFixture()
        try log.writeLog(10)
        try log.makeWriter(firstLSN: 11).close()
        let newest = try log.newestSegment
        log.flipBit(newest, at: 30)
        let scanned = try log.scan()
        log.assertRecords(scanned, are: 1...10)
        XCTAssertEqual(scanned.report.damage?.kind, .tornTail)
        XCTAssertEqual(scanned.report.damage?.removedSegments, [newest])
    }

    func testTornHeaderOfTheNewestSegmentIsRemoved() throws {
        for kept in [0, 1, 27, 28, 40] {
            let log = LogFixture()
            try log.writeLog(10)
            try log.makeWriter(firstLSN: 11).close()
            let newest = try log.newestSegment
            let size = log.fileSystem.contents(of: newest)!.count
            log.shrinkSize(newest, by: size - kept)
            let scanned = try log.scan()
            log.assertRecords(scanned, are: 1...10)
            XCTAssertEqual(scanned.report.damage?.kind, .tornTail, "kept \(kept)")
            XCTAssertEqual(scanned.report.damage?.droppedBytes, kept)
            XCTAssertEqual(try log.segmentPaths.count, 1)
            XCTAssertEqual(scanned.report.nextLSN, 11)
        }
    }

    // MARK: Starting from a snapshot

    func testScanFromLSNSkipsEarlierRecordsAndSegments() throws {
        let log = LogFixture()
        try log.writeLog(200, segmentBytes: 1500)
        let all = try log.scan().report.segments
        let holding = try XCTUnwrap(all.first { $0.header.firstLSN <= 120 && $0.lastLSN >= 120 })
        let scanned = try log.scan(fromLSN: 120)
        log.assertRecords(scanned, are: 120...200)
        XCTAssertEqual(scanned.report.segments.first?.path, holding.path)
        XCTAssertEqual(scanned.report.recordsSkipped, Int(120 - holding.header.firstLSN))
        XCTAssertEqual(scanned.report.recordsRead, 81)
        XCTAssertEqual(try log.scan(fromLSN: 201).records.count, 0)
        XCTAssertEqual(try log.scan(fromLSN: 201).report.nextLSN, 201)
    }

    func testScanFromBeforeTheOldestSegmentIsRefused() throws {
        let log = LogFixture()
        try log.writeLog(100, segmentBytes: 1500)
        let first = try log.segmentPaths[0]
        try log.fileSystem.remove(first)
        XCTAssertThrowsError(try log.scan(truncateDamage: true)) { error in
            XCTAssertTrue("\(error)".contains("but recovery needs it from LSN 1 (a segment is missing)"), "\(error)")
        }
    }

    func testLogEndingBeforeTheSnapshotIsRefusedUnlessTruncating() throws {
        let log = LogFixture()
        try log.writeLog(10)
        XCTAssertThrowsError(try log.scan(fromLSN: 20)) { error in
            XCTAssertTrue("\(error)".contains("the log ends at LSN 10, before LSN 20"), "\(error)")
        }
        let scanned = try log.scan(fromLSN: 20, truncateDamage: true)
        XCTAssertEqual(scanned.report.nextLSN, 20)
        XCTAssertEqual(scanned.report.damage?.kind, .corruption)
    }

    // MARK: Verifying, read-only

    func testVerifyingATornTailReportsWhatAStartWouldCutAndChangesNothing() throws {
        let log = LogFixture()
        try log.writeLog(10)
        let segment = try log.newestSegment
        let lastRecord = log.recordOffsets(segment).last!
        log.shrinkSize(segment, by: 3)
        let before = log.files
        let changing = log.changingCalls
        let verified = try log.verify()
        log.assertRecords(verified, are: 1...9)
        let damage = try XCTUnwrap(verified.report.damage)
        XCTAssertEqual(damage.kind, .tornTail)
        XCTAssertEqual(damage.path, segment)
        XCTAssertEqual(damage.offset, lastRecord)
        XCTAssertEqual(damage.droppedBytes, log.fileSystem.contents(of: segment)!.count - lastRecord)
        XCTAssertEqual(damage.droppedRecords, 1)
        XCTAssertEqual(log.files, before, "verifying changes no file")
        XCTAssertEqual(log.changingCalls, changing, "verifying makes no call that changes anything")
        let scanned = try log.scan()
        XCTAssertEqual(scanned.report.damage?.droppedBytes, damage.droppedBytes, "the start cuts what verifying said")
    }

    func testVerifyingCorruptionReportsWhatTruncateWouldDropInsteadOfThrowing() throws {
        let log = LogFixture()
        try log.writeLog(100, segmentBytes: 1500)
        let paths = try log.segmentPaths
        let offsets = log.recordOffsets(paths[1])
        log.flipBit(paths[1], at: offsets[2] + LogFormat.recordPayloadOffset)
        let before = log.files
        let changing = log.changingCalls
        let verified = try log.verify()
        let damage = try XCTUnwrap(verified.report.damage)
        XCTAssertEqual(log.files, before)
        XCTAssertEqual(log.changingCalls, changing)
        XCTAssertEqual(damage.kind, .corruption)
        XCTAssertEqual(damage.path, paths[1])
        XCTAssertEqual(damage.offset, offsets[2])
        XCTAssertTrue(damage.what.hasPrefix("record checksum mismatch; "), damage.what)
        XCTAssertEqual(damage.removedSegments, Array(paths[2...]), "the segments truncate would remove")
        XCTAssertEqual(verified.report.segments.map(\.path), Array(paths[...1]), "reading stops at the damage")
        XCTAssertEqual(verified.report.segments[1].recordCount, 2)

        XCTAssertThrowsError(try log.scan(), "a strict start refuses it")
        let truncated = try log.scan(truncateDamage: true).report.damage
        XCTAssertEqual(truncated?.droppedBytes, damage.droppedBytes)
        XCTAssertEqual(truncated?.droppedRecords, damage.droppedRecords)
        XCTAssertEqual(truncated?.removedSegments, damage.removedSegments)
    }

    func testVerifyingReadsEverySegmentAndHandsOverEveryRecord() throws {
        let log = LogFixture()
        try log.writeLog(200, segmentBytes: 1500)
        let paths = try log.segmentPaths
        let verified = try log.verify(fromLSN: 120)
        log.assertRecords(verified, are: 1...200)
        XCTAssertEqual(verified.report.segments.map(\.path), paths, "segments before the start's are read too")
        XCTAssertEqual(verified.headers.count, paths.count)
        XCTAssertEqual(verified.report.recordsRead, 81, "what a start from LSN 120 replays")
        XCTAssertEqual(verified.report.recordsSkipped, 119)
        XCTAssertEqual(verified.report.nextLSN, 201)
        XCTAssertNil(verified.report.damage)
        XCTAssertEqual(
            verified.report.segments.map(\.byteCount), paths.map { log.fileSystem.contents(of: $0)!.count })
    }

    func testVerifyingALogThatDoesNotHoldTheStartReportsIt() throws {
        let log = LogFixture()
        try log.writeLog(100, segmentBytes: 1500)
        let ending = try log.verify(fromLSN: 150).report
        XCTAssertEqual(ending.damage?.kind, .corruption)
        XCTAssertTrue(ending.damage?.what.contains("the log ends at LSN 100, before LSN 150") ?? false)
        XCTAssertEqual(ending.recordsSkipped, 100, "every segment was still read")

        let first = try log.segmentPaths[0]
        try log.fileSystem.remove(first)
        let changing = log.changingCalls
        let missing = try log.verify().report
        XCTAssertEqual(missing.damage?.kind, .corruption)
        XCTAssertEqual(missing.damage?.path, try log.segmentPaths[0])
        XCTAssertTrue(missing.damage?.what.contains("but recovery needs it from LSN 1") ?? false)
        XCTAssertEqual(log.changingCalls, changing)
    }

    func testVerifyingNamesAnEmptyNewestSegmentAndKeepsIt() throws {
        let log = LogFixture()
        try log.writeLog(10)
        try log.makeWriter(firstLSN: 11).close()
        let newest = try log.newestSegment
        let verified = try log.verify()
        XCTAssertNil(verified.report.damage)
        XCTAssertEqual(verified.report.removedEmptySegment, newest)
        XCTAssertNotNil(log.fileSystem.contents(of: newest), "still there")
        XCTAssertEqual(verified.report.segments.last?.recordCount, 0)
    }

    func testVerifyingAnEmptyOrMissingDirectory() throws {
        let log = LogFixture()
        let verified = try log.verify()
        XCTAssertTrue(verified.report.segments.isEmpty)
        XCTAssertNil(verified.report.damage)
        XCTAssertThrowsError(try LogRecovery.verifyLog(fileSystem: log.fileSystem, directory: "/missing") { _ in }) {
            XCTAssertEqual(($0 as? StorageError)?.errno, ENOENT)
        }
    }

    // MARK: The reader on its own

    func testReaderWithSmallChunksReadsRecordsLargerThanItsChunk() throws {
        let log = LogFixture()
        let writer = try log.makeWriter()
        for lsn: UInt64 in 1...30 { try log.write(lsn...lsn, to: writer, size: Int(lsn * 13 % 200)) }
        for chunk in [17, 18, 31, 64, 100] {
            let reader = try LogReader(fileSystem: log.fileSystem, path: try log.newestSegment, chunkBytes: chunk)
            guard case .header(let header) = try reader.readHeader() else { return XCTFail("header") }
            XCTAssertEqual(header.firstLSN, 1)
            var lsns: [UInt64] = []
            while case .record(let record) = try reader.next() {
                XCTAssertEqual(Array(record.payload), LogFixture.payload(record.lsn, size: Int(record.lsn * 13 % 200)))
                lsns.append(record.lsn)
            }
            XCTAssertEqual(lsns, Array(1...30), "chunk \(chunk)")
            guard case .end = try reader.next() else { return XCTFail("end") }
        }
    }
}
