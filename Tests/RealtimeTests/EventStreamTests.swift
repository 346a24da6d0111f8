import Protocol
import XCTest

@testable import Realtime

/// The event stream's store on the fault-injecting file system: appends become visible only
/// when published, reads come back identical from memory and from the files (any offset, any
/// limit), offsets below the oldest kept expire, retention deletes whole old segments, and the
/// snapshot's sync makes every segment written since the last one durable.
final class EventStreamTests: XCTestCase {
    func testAFreshStreamIsEmptyAndStartsAtOffsetOne() throws {
        let fixture = EventStreamFixture()
        let (stream, _) = try fixture.open()
        XCTAssertEqual(stream.lastOffset, 0)
        XCTAssertEqual(stream.oldestOffset, 1)
        fixture.assertRead(stream, after: 0, are: nil)
        XCTAssertEqual(fixture.segmentNames, ["events-00000000000000000001.log"])
    }

    func testAppendedEventsAreInvisibleUntilPublished() throws {
        let fixture = EventStreamFixture()
        let (stream, _) = try fixture.open()
        let writer = ByteWriter()
        stream.append(offset: 1, frame: .copy(PublishedEventEncoder.encodeFrame(EventStreamFixture.event(1), into: writer)))
        XCTAssertEqual(stream.lastOffset, 0)
        fixture.assertRead(stream, after: 0, are: nil)
        stream.publishAppended()
        XCTAssertEqual(stream.lastOffset, 1)
        fixture.assertRead(stream, after: 0, are: 1...1)
    }

    func testReadsComeBackIdenticalFromMemoryAndFromTheFiles() throws {
        for memoryTail in [0, 5, 1000] {
            let fixture = EventStreamFixture(memoryTail: memoryTail)
            let (stream, _) = try fixture.open()
            fixture.append(1...300, to: stream, batch: 7)
            fixture.assertRead(stream, after: 0, are: 1...300)
            fixture.assertRead(stream, after: 0, limit: 1, are: 1...1)
            fixture.assertRead(stream, after: 127, limit: 3, are: 128...130)
            fixture.assertRead(stream, after: 128, limit: 1, are: 129...129)
            fixture.assertRead(stream, after: 293, limit: 100, are: 294...300)
            fixture.assertRead(stream, after: 299, are: 300...300)
            fixture.assertRead(stream, after: 300, are: nil)
            fixture.assertRead(stream, after: 5000, are: nil)
        }
    }

    func testReadsCrossSegments() throws {
        let fixture = EventStreamFixture(segmentBytes: 1024, memoryTail: 0)
        let (stream, _) = try fixture.open()
        fixture.append(1...200, to: stream, batch: 3)
        XCTAssertGreaterThan(fixture.segmentNames.count, 10)
        XCTAssertEqual(stream.segments.map(\.path), fixture.segmentNames.map { "/data/\($0)" })
        for after: UInt64 in [0, 1, 5, 17, 99, 150, 198] {
            fixture.assertRead(stream, after: after, limit: 40, are: (after + 1)...min(after + 40, 200))
        }
    }

    func testAReadOlderThanTheOldestKeptEventIsExpiredWithTheOldest() throws {
        let fixture = EventStreamFixture(segmentBytes: 1024, retention: 50, memoryTail: 0)
        let (stream, _) = try fixture.open()
        fixture.append(1...200, to: stream, batch: 4)
        let oldest = stream.oldestOffset
        XCTAssertGreaterThan(oldest, 1)
        XCTAssertEqual(fixture.read(stream, after: 0).map(\.count), .failure(.offsetExpired(oldest: oldest)))
        XCTAssertEqual(fixture.read(stream, after: oldest - 2).map(\.count), .failure(.offsetExpired(oldest: oldest)))
        fixture.assertRead(stream, after: oldest - 1, are: oldest...200)
    }

    func testRetentionDeletesWholeSegmentsOnceTheLaterOnesHoldTheRetention() throws {
        let fixture = EventStreamFixture(segmentBytes: 1024, retention: 50, memoryTail: 1000)
        let (stream, _) = try fixture.open()
        fixture.append(1...200, to: stream, batch: 4)
        let segments = stream.segments
        // The oldest kept segment is needed: without it fewer than 50 events would be kept.
        XCTAssertLessThan(200 - segments[1].firstOffset + 1, 50)
        XCTAssertGreaterThanOrEqual(200 - segments[0].firstOffset + 1, 50)
        XCTAssertEqual(stream.oldestOffset, segments[0].firstOffset)
        XCTAssertEqual(fixture.segmentNames.count, segments.count, "the files of the deleted segments are gone")
        // The memory tail still holds older frames; they are expired all the same.
        XCTAssertEqual(fixture.read(stream, after: 10).map(\.count), .failure(.offsetExpired(oldest: stream.oldestOffset)))
    }

    func testASegmentIsNeverDeletedWhileTheRetentionNeedsIt() throws {
        let fixture = EventStreamFixture(segmentBytes: 1 << 20, retention: 1)
        let (stream, _) = try fixture.open()
        fixture.append(1...100, to: stream)
        XCTAssertEqual(stream.segments.count, 1, "one segment holds everything: nothing to delete")
        fixture.assertRead(stream, after: 0, are: 1...100)
    }

    func testTheSnapshotsSyncMakesEverySegmentWrittenSinceDurable() throws {
        let fixture = EventStreamFixture(segmentBytes: 1024, memoryTail: 0)
        let (stream, _) = try fixture.open()
        fixture.append(1...120, to: stream, batch: 5)
        stream.durability.makeDurable(through: 100)
        XCTAssertEqual(stream.durability.durableOffset, 120, "everything written when the sync ran is durable")
        fixture.append(121...150, to: stream, batch: 5)
        fixture.fileSystem.simulateCrash()
        let (recovered, recovery) = try fixture.open(durableOffset: 120, replaying: 1...150)
        XCTAssertEqual(recovery.verified, 0)
        XCTAssertEqual(recovery.regenerated, 30)
        fixture.assertRead(recovered, after: 0, are: 1...150)
    }

    func testTheSyncWaitsForTheLoopToHaveWrittenTheOffset() throws {
        let fixture = EventStreamFixture()
        let (stream, _) = try fixture.open()
        fixture.append(1...10, to: stream)
        let durability = stream.durability
        XCTAssertEqual(durability.durableOffset, 0, "nothing was synced since the start")
        let synced = expectation(description: "synced")
        // The snapshot thread: it touches the file system only once the loop has written
        // offset 15 and is done with it (the fault-injecting file system is not thread-safe).
        let snapshotThread = WorkerThread()
        try snapshotThread.start(name: "test-snapshot") {
            durability.makeDurable(through: 15)
            synced.fulfill()
        }
        usleep(50_000)
        XCTAssertEqual(durability.durableOffset, 0, "the sync waits for offset 15 to be written")
        fixture.append(11...15, to: stream)
        wait(for: [synced], timeout: 10)
        snapshotThread.join()
        XCTAssertEqual(durability.durableOffset, 15)
    }
}
