import Protocol
import XCTest

@testable import Realtime

/// `partyhub data check` on directories made as the server makes them, then damaged as
/// crashes and disks damage them: it must say what a start would do, pass exactly when a
/// start loses nothing, and change nothing.
final class DataCheckTests: XCTestCase {
    // MARK: Passing

    func testCleanDirectoryPassesAndSaysWhatAStartLoadsAndReplays() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["hi", "gg"])
        try data.snapshot()
        var relaxed = HubConfiguration()
        relaxed.chatRatePerSecond = 0
        try data.startProcess(epoch: 2, configuration: relaxed)
        try data.chat(["one more"], firstKey: 3)
        let before = data.log.files
        let changing = data.log.changingCalls

        let check = try data.check()
        XCTAssertTrue(check.passed, check.lines.joined(separator: "\n"))
        XCTAssertEqual(check.problems, [])
        XCTAssertEqual(check.warnings, [])
        let lines = check.lines
        XCTAssertEqual(lines[0], "data directory /data")
        XCTAssertEqual(lines[1], "snapshots: 1")
        let snapshotLine = lines[2]
        XCTAssertTrue(snapshotLine.hasPrefix("  snapshot-00000000000000000006.snap: LSN 6, "), snapshotLine)
        XCTAssertTrue(snapshotLine.hasSuffix(", epoch 1, 1 party, 2 players, events through offset 2: ok"), snapshotLine)
        XCTAssertEqual(lines[3], "log segments: 2")
        XCTAssertTrue(lines[4].hasPrefix("  wal-00000000000000000001.log: LSN 1 to 6, 6 records, "), lines[4])
        XCTAssertTrue(lines[4].hasSuffix(", epoch 1: ok"), lines[4])
        XCTAssertTrue(lines[5].hasPrefix("  wal-00000000000000000007.log: LSN 7 to 7, 1 record, "), lines[5])
        XCTAssertTrue(
            lines[5].hasSuffix(", epoch 2, rules changed from the previous segment (chat_rate 5 -> 0): ok"), lines[5])
        XCTAssertEqual(lines[6], "event segments: 1")
        XCTAssertTrue(lines[7].hasPrefix("  events-00000000000000000001.log: offsets 1 to 2, 2 events, "), lines[7])
        XCTAssertTrue(lines[7].hasSuffix(": ok"), lines[7])
        XCTAssertEqual(
            lines[8],
            "a start: loads snapshot-00000000000000000006.snap (LSN 6); replays 1 record (LSN 7 to 7);"
                + " logs on from LSN 8; keeps published events 1 to 2")
        XCTAssertEqual(lines[9], "result: ok, a start recovers everything")
        XCTAssertEqual(data.log.files, before, "the check changes no file")
        XCTAssertEqual(data.log.changingCalls, changing, "the check makes no call that changes anything")
    }

    func testTornTailIsAWarningWithTheBytesAStartDrops() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["hi", "gg"])
        let segment = try XCTUnwrap(data.segmentPaths.last)
        let lastRecord = try XCTUnwrap(data.log.recordOffsets(segment).last)
        let size = try XCTUnwrap(data.fileSystem.contents(of: segment)).count
        data.log.shrinkSize(segment, by: 5)
        let before = data.log.files

        let check = try data.check()
        XCTAssertTrue(check.passed, "a torn tail is what a crash leaves: \(check.lines)")
        XCTAssertEqual(check.warnings.count, 1)
        let warning = check.warnings[0]
        XCTAssertTrue(warning.hasPrefix("torn tail in wal-00000000000000000001.log at offset \(lastRecord): "), warning)
        XCTAssertTrue(warning.hasSuffix("a start cuts off \(size - 5 - lastRecord) bytes (1 record)"), warning)
        XCTAssertTrue(check.lines.contains { $0.hasPrefix("warning: torn tail in wal-") })
        XCTAssertTrue(check.lines.contains { $0.hasSuffix(": warning, torn tail at offset \(lastRecord)") })
        XCTAssertTrue(check.lines.contains { $0.contains("replays 5 records (LSN 1 to 5)") }, "\(check.lines)")
        XCTAssertEqual(data.log.files, before, "the torn tail is still there: the check cuts nothing")
    }

    func testEmptyDirectoryPasses() throws {
        let data = ServerDataFixture()
        let check = try data.check()
        XCTAssertTrue(check.passed)
        XCTAssertTrue(check.lines.contains("a start: nothing to recover, it begins with an empty hub"))
    }

    func testMissingDirectoryIsAnError() {
        let data = ServerDataFixture()
        XCTAssertThrowsError(try DataCheck.run(directory: "/missing", fileSystem: data.fileSystem)) { error in
            XCTAssertEqual((error as? StorageError)?.errno, ENOENT)
        }
    }

    // MARK: Failing

    func testFlippedBitMidLogFailsNamingTheFileAndOffset() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["a", "b", "c", "d"])
        let segment = try XCTUnwrap(data.segmentPaths.last)
        let third = data.log.recordOffsets(segment)[2]
        data.log.flipBit(segment, at: third + LogFormat.recordPayloadOffset + 1)
        let before = data.log.files

        let check = try data.check()
        XCTAssertFalse(check.passed)
        XCTAssertEqual(check.problems.count, 1, "\(check.problems)")
        let problem = check.problems[0]
        XCTAssertTrue(problem.hasPrefix("\(segment) is damaged at offset \(third): record checksum mismatch"), problem)
        XCTAssertTrue(problem.contains("a strict start refuses it"), problem)
        XCTAssertTrue(problem.contains("--recover=truncate would cut the log there, dropping"), problem)
        XCTAssertTrue(problem.hasSuffix("(5 records)"), problem)
        let fourth = data.log.recordOffsets(segment)[3]
        let status =
            "DAMAGED, damaged at offset \(third): record checksum mismatch; 5 readable records follow at offset"
        XCTAssertTrue(check.lines.contains { $0.hasSuffix(": \(status) \(fourth)") }, "\(check.lines)")
        XCTAssertTrue(
            check.lines.contains(
                "a start: loads no snapshot (the log from LSN 1); refuses the log unless --recover=truncate (the damage above)"
            ), "\(check.lines)")
        XCTAssertTrue(check.lines.last!.hasPrefix("result: DAMAGED"))
        XCTAssertEqual(data.log.files, before)
    }

    func testDamagedNewestSnapshotFailsEvenWithAGoodOlderOne() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["hi"])
        let older = try data.snapshot()
        try data.chat(["again"], firstKey: 2)
        let newer = try data.snapshot()
        data.log.flipBit(newer, at: 60)

        let check = try data.check()
        XCTAssertFalse(check.passed, "a snapshot that does not verify fails the check")
        XCTAssertEqual(
            check.problems, ["snapshot-00000000000000000006.snap: damaged at offset 0: snapshot checksum mismatch"])
        XCTAssertTrue(
            check.lines.contains {
                $0.hasPrefix("  snapshot-00000000000000000006.snap: LSN 6, ")
                    && $0.hasSuffix(": DAMAGED, damaged at offset 0: snapshot checksum mismatch")
            }, "\(check.lines)")
        XCTAssertTrue(
            check.lines.contains {
                $0.hasPrefix("  snapshot-00000000000000000005.snap: LSN 5, ") && $0.hasSuffix(": ok")
            })
        XCTAssertTrue(
            check.lines.contains(
                "a start: passes over snapshot-00000000000000000006.snap, which does not verify;"
                    + " loads snapshot-00000000000000000005.snap (LSN 5); replays 1 record (LSN 6 to 6);"
                    + " logs on from LSN 7; keeps published events 1 to 2"), "\(check.lines)")
        XCTAssertTrue(older.hasSuffix("snapshot-00000000000000000005.snap"))
    }

    func testSnapshotWhoseStateDoesNotDecodeFailsTheCheckAndTheStart() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: [])
        try data.snapshot(payload: [1, 2, 3])
        let check = try data.check()
        XCTAssertFalse(check.passed)
        XCTAssertEqual(check.problems.count, 1)
        XCTAssertTrue(check.problems[0].contains("does not decode as a hub state"), check.problems[0])
        XCTAssertTrue(
            check.lines.contains { $0.contains("fails: snapshot-00000000000000000004.snap") }, "\(check.lines)")
    }

    func testRecordThatDoesNotDecodeAsAHubInputFails() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["hi"])
        try data.recordPayloads([[200, 1, 2], [201]])
        let check = try data.check()
        XCTAssertFalse(check.passed)
        XCTAssertEqual(check.problems.count, 1)
        XCTAssertTrue(
            check.problems[0].hasPrefix("wal-00000000000000000001.log: record LSN 6 does not decode as a hub input ("),
            check.problems[0])
        XCTAssertTrue(check.problems[0].hasSuffix("; 1 more records do not decode"), check.problems[0])
    }

    func testLogMissingItsStartFailsAndIsNotRead() throws {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: ["hi"])
        try data.startProcess(epoch: 2)
        try data.chat(["again"], firstKey: 2)
        let first = try XCTUnwrap(data.segmentPaths.first)
        try data.fileSystem.remove(first)
        let check = try data.check()
        XCTAssertFalse(check.passed)
        XCTAssertEqual(
            check.problems,
            [
                "the log starts at LSN 6 but recovery needs it from LSN 1 (a segment is missing);"
                    + " --recover=truncate cannot repair a log missing its start"
            ])
        XCTAssertTrue(
            check.lines.contains("  wal-00000000000000000006.log: not read (reading stopped at the damage)"),
            "\(check.lines)")
    }

    func testSegmentWhosePinnedBlobDoesNotDecodeFails() throws {
        let data = ServerDataFixture()
        try data.log.makeWriter(pinned: [9, 9, 9]).close()
        let check = try data.check()
        XCTAssertFalse(check.passed)
        XCTAssertTrue(check.problems[0].contains("its pinned blob does not decode"), "\(check.problems)")
    }

    // MARK: The event segments

    /// Alice's party with Bob, a snapshot (events 1 and 2 in it), then Bob leaves (event 3).
    private func partyWhereBobLeftAfterTheSnapshot() throws -> (ServerDataFixture, path: String) {
        let data = ServerDataFixture()
        try data.startProcess(epoch: 1)
        try data.playParty(chats: [])
        try data.snapshot()
        try data.record([.command(ServerDataFixture.bob, ClientRequest(rid: 9, command: .leave), now: data.tick(), seed: nil)])
        return (data, "/data/events-00000000000000000001.log")
    }

    func testATornEventAfterTheSnapshotsOffsetIsAWarningAStartRegenerates() throws {
        let (data, path) = try partyWhereBobLeftAfterTheSnapshot()
        let bytes = try XCTUnwrap(data.fileSystem.contents(of: path))
        data.fileSystem.setContents(Array(bytes.dropLast(5)), of: path)
        let check = try data.check()
        XCTAssertTrue(check.passed, check.lines.joined(separator: "\n"))
        XCTAssertEqual(check.warnings.count, 1, "\(check.warnings)")
        XCTAssertTrue(check.warnings[0].contains("at offset 3, after the snapshot's offset 2"), check.warnings[0])
        XCTAssertTrue(
            check.lines.contains { $0.hasPrefix("  events-00000000000000000001.log: offsets 1 to 2, 2 events, ") && $0.contains(": warning, cut at offset ") },
            "\(check.lines)")
        XCTAssertTrue(
            check.lines.contains { $0.hasSuffix("; cuts the event segments at offset 3; keeps published events 1 to 2") },
            "\(check.lines)")
    }

    func testAnEventLostAtOrBeforeTheSnapshotsOffsetFailsTheCheck() throws {
        let (data, path) = try partyWhereBobLeftAfterTheSnapshot()
        let first = data.log.recordOffsets(path)[0]
        data.log.flipBit(path, at: first + LogFormat.recordPayloadOffset + 3)
        let check = try data.check()
        XCTAssertFalse(check.passed)
        XCTAssertEqual(check.problems.count, 1, "\(check.problems)")
        XCTAssertTrue(check.problems[0].hasPrefix("events-00000000000000000001.log: the event segments hold offsets only through 0"), check.problems[0])
        XCTAssertTrue(check.problems[0].contains("--recover=truncate deletes the event segments"), check.problems[0])
        XCTAssertTrue(
            check.lines.contains { $0.contains("events-00000000000000000001.log: ") && $0.contains("DAMAGED, damaged at offset \(first): record checksum mismatch") },
            "\(check.lines)")
        XCTAssertTrue(check.lines.contains { $0.hasSuffix("refuses the event segments unless --recover=truncate (the damage above)") })
    }
}
