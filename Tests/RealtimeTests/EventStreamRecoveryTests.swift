import Protocol
import XCTest

@testable import Realtime

/// A start's work on the event segments (docs/PERSISTENCE.md, "Event segments"): the files are
/// durable through the snapshot's offset and the replay publishes everything after it again,
/// so whatever a crash did to the files after that offset is cut and regenerated, identically
/// and at the same offsets; events lost at or before it refuse the start unless
/// `--recover=truncate`. Crashes are simulated by the fault-injecting file system: what was not
/// synced is gone.
final class EventStreamRecoveryTests: XCTestCase {
    /// 1...written appended and published, durable through `synced` (the snapshot's offset),
    /// then a crash.
    private func crashedStream(
        _ fixture: EventStreamFixture, written: UInt64, synced: UInt64, batch: Int = 10
    ) throws {
        let (stream, _) = try fixture.open()
        fixture.append(1...synced, to: stream, batch: batch)
        stream.durability.makeDurable(through: synced)
        if written > synced { fixture.append((synced + 1)...written, to: stream, batch: batch) }
        fixture.fileSystem.simulateCrash()
    }

    func testEventsAfterTheSnapshotAreRegeneratedAtTheSameOffsets() throws {
        let fixture = EventStreamFixture(memoryTail: 0)
        try crashedStream(fixture, written: 80, synced: 50)
        let (stream, recovery) = try fixture.open(durableOffset: 50, replaying: 1...80)
        XCTAssertEqual(recovery.regenerated, 30)
        XCTAssertEqual(stream.lastOffset, 80)
        fixture.assertRead(stream, after: 0, are: 1...80)
        // The stream goes on from there, and a second crash loses nothing of what was synced.
        fixture.append(81...90, to: stream)
        fixture.fileSystem.simulateCrash()
        let (again, _) = try fixture.open(durableOffset: 80, replaying: 1...95)
        fixture.assertRead(again, after: 0, are: 1...95)
    }

    func testATornLastRecordIsCutAndRegenerated() throws {
        let fixture = EventStreamFixture(memoryTail: 0)
        let (stream, _) = try fixture.open()
        fixture.append(1...40, to: stream, batch: 40)
        stream.durability.makeDurable(through: 40)
        fixture.append(41...41, to: stream)
        let written = try XCTUnwrap(fixture.fileSystem.lastWriteCount)
        fixture.fileSystem.tearLastWrite(keeping: written / 2)
        fixture.fileSystem.simulateCrash()
        let (recovered, recovery) = try fixture.open(durableOffset: 40, replaying: 1...45)
        XCTAssertEqual(recovery.regenerated, 5)
        XCTAssertTrue(recovery.cuts.contains { $0.contains("cut the event segments at offset 41") }, "\(recovery.cuts)")
        fixture.assertRead(recovered, after: 0, are: 1...45)
    }

    func testFilesHoldingMoreThanTheReplayPublishesAreCutBackToIt() throws {
        // A log that is not synced per batch (everysec, none) can lose records to a power cut
        // that the files, written on release, still have: the files must follow the log.
        let fixture = EventStreamFixture()
        try crashedStream(fixture, written: 60, synced: 60)
        let (stream, recovery) = try fixture.open(durableOffset: 30, replaying: 1...45)
        XCTAssertEqual(recovery.verified, 15)
        XCTAssertEqual(stream.lastOffset, 45)
        fixture.assertRead(stream, after: 0, are: 1...45)
        fixture.append(46...50, to: stream)
        fixture.assertRead(stream, after: 40, are: 41...50)
    }

    func testAnEventThatDiffersFromTheReplayIsCutAndTheReplayWins() throws {
        let fixture = EventStreamFixture(segmentBytes: 1024)
        try crashedStream(fixture, written: 60, synced: 60)
        let (stream, recovery) = try fixture.open(durableOffset: 30, replaying: 1...70, variant: { $0 >= 52 ? "-b" : "" })
        XCTAssertEqual(recovery.verified, 21, "31...51 agree")
        XCTAssertEqual(recovery.regenerated, 19, "52...70 are written again")
        guard case .success(let events) = fixture.read(stream, after: 50) else { return XCTFail("the read failed") }
        XCTAssertEqual(events.map(\.0), Array(51...70))
        XCTAssertEqual(events[0].1, EventStreamFixture.json(51))
        XCTAssertEqual(events[1].1, EventStreamFixture.json(52, variant: "-b"))
    }

    func testAStartThatWroteNothingLeavesASegmentTheNextStartReplaces() throws {
        let fixture = EventStreamFixture()
        try crashedStream(fixture, written: 20, synced: 20)
        _ = try fixture.open(durableOffset: 20, replaying: 1...20)
        fixture.fileSystem.simulateCrash()
        XCTAssertEqual(fixture.segmentNames, ["events-00000000000000000001.log", "events-00000000000000000021.log"])
        let (stream, _) = try fixture.open(durableOffset: 20, replaying: 1...20)
        XCTAssertEqual(fixture.segmentNames, ["events-00000000000000000001.log", "events-00000000000000000021.log"])
        fixture.append(21...25, to: stream)
        fixture.assertRead(stream, after: 0, are: 1...25)
    }

    func testEventsLostAtOrBeforeTheSnapshotsOffsetRefuseTheStart() throws {
        let fixture = EventStreamFixture()
        try crashedStream(fixture, written: 20, synced: 20)
        XCTAssertThrowsError(try fixture.open(durableOffset: 30, replaying: 1...35)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("hold offsets only through 20"), text)
            XCTAssertTrue(text.contains("--recover=truncate"), text)
        }
        XCTAssertEqual(fixture.segmentNames.count, 1, "a refused start changes nothing")
    }

    func testDamageBeforeTheSnapshotsOffsetRefusesTheStartAndNamesTheFile() throws {
        let fixture = EventStreamFixture()
        try crashedStream(fixture, written: 40, synced: 40)
        let path = fixture.path(1)
        var bytes = try XCTUnwrap(fixture.fileSystem.contents(of: path))
        bytes[bytes.count / 2] ^= 0x40
        fixture.fileSystem.setContents(bytes, of: path)
        XCTAssertThrowsError(try fixture.open(durableOffset: 40, replaying: 1...40)) { error in
            XCTAssertEqual((error as? StorageError)?.path, path)
            XCTAssertTrue("\(error)".contains("checksum"), "\(error)")
        }
    }

    func testTruncateDeletesTheSegmentsAndTheStreamGoesOnAfterTheSnapshot() throws {
        let fixture = EventStreamFixture()
        try crashedStream(fixture, written: 20, synced: 20)
        let (stream, recovery) = try fixture.open(durableOffset: 30, replaying: 1...35, truncateDamage: true)
        XCTAssertEqual(recovery.regenerated, 5)
        XCTAssertEqual(stream.oldestOffset, 31)
        XCTAssertEqual(fixture.read(stream, after: 0).map(\.count), .failure(.offsetExpired(oldest: 31)))
        fixture.assertRead(stream, after: 30, are: 31...35)
        XCTAssertEqual(fixture.segmentNames, ["events-00000000000000000031.log"])
    }

    func testAGapBetweenSegmentsAfterTheSnapshotIsCut() throws {
        let fixture = EventStreamFixture(segmentBytes: 512, memoryTail: 0)
        try crashedStream(fixture, written: 80, synced: 80, batch: 5)
        let names = fixture.segmentNames
        XCTAssertGreaterThan(names.count, 4)
        // A middle segment vanished (its directory entry was never synced, say).
        let missing = names[names.count - 3]
        try fixture.fileSystem.remove("/data/\(missing)")
        let firstMissing = try XCTUnwrap(LogFormat.eventSegmentOffset(fromName: missing))
        let (stream, recovery) = try fixture.open(durableOffset: firstMissing - 1, replaying: 1...80)
        XCTAssertTrue(recovery.cuts.contains { $0.contains("offset gap") }, "\(recovery.cuts)")
        fixture.assertRead(stream, after: 0, are: 1...80)
    }

    func testRetentionsDeletionsAreKeptAcrossARestart() throws {
        let fixture = EventStreamFixture(segmentBytes: 1024, retention: 30, memoryTail: 0)
        let (stream, _) = try fixture.open()
        fixture.append(1...150, to: stream, batch: 5)
        let oldest = stream.oldestOffset
        stream.durability.makeDurable(through: 150)
        fixture.fileSystem.simulateCrash()
        let (recovered, _) = try fixture.open(durableOffset: 150, replaying: 1...150)
        XCTAssertEqual(recovered.oldestOffset, oldest)
        fixture.assertRead(recovered, after: oldest - 1, are: oldest...150)
    }

    func testFilesWhollyBeyondTheReplayAreDeletedEvenWhenRetentionLeftNothingBefore() throws {
        // Retention kept only the newest segments, and the log (not synced per batch) lost the
        // records of all of them: the replay publishes less than the oldest offset kept.
        let fixture = EventStreamFixture(segmentBytes: 512, retention: 10)
        try crashedStream(fixture, written: 60, synced: 60)
        let oldestKept = try XCTUnwrap(fixture.segmentNames.first.flatMap(LogFormat.eventSegmentOffset(fromName:)))
        XCTAssertGreaterThan(oldestKept, 46)
        let (stream, recovery) = try fixture.open(durableOffset: 5, replaying: 1...45)
        XCTAssertEqual(recovery.regenerated, 0, "what retention deleted is not written again")
        XCTAssertEqual(stream.lastOffset, 45)
        XCTAssertEqual(stream.oldestOffset, 46)
        XCTAssertEqual(fixture.read(stream, after: 0).map(\.count), .failure(.offsetExpired(oldest: 46)))
        XCTAssertEqual(fixture.segmentNames, ["events-00000000000000000046.log"])
    }
}
