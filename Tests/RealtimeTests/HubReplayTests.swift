import Protocol
import TestSupport
import XCTest

@testable import Realtime

/// The write-ahead log's promise: the random walk of `HubInvariantTests`, run live with every
/// applied input the log records kept as its bytes (the organizations API's reads are not), is
/// rebuilt exactly by decoding the records and applying them to a fresh hub (the same hub,
/// `==`, and the same outputs input by input), and equally from a snapshot of the state taken
/// at a random point plus the records after it. A decoded state encodes to the same bytes.
final class HubReplayTests: XCTestCase {
    private static let seeds: [UInt64] = [0xC0FFEE_2026, 1, 0xDEAD_BEEF, 42]
    private static let steps = 2_000

    /// A live walk: each applied input's record, outputs and result, and the hub at the end;
    /// also the hub and its encoded state after step `snapshotStep`.
    private struct Recording {
        var records: [[UInt8]] = []
        var outputs: [[HubOutput]] = []
        var results: [Result<ReplyData, PartyError>?] = []
        var snapshotStep = 0
        /// The number of records taken by the snapshot's step (the first to replay after it).
        var snapshotRecord = 0
        /// Inputs the log would not record (reads), which the replay goes without.
        var readsLeftOut = 0
        var snapshotHub = Hub()
        var snapshot: [UInt8] = []
        var hub = Hub()
    }

    private func record(seed: UInt64) -> Recording {
        var recording = Recording()
        var pick = SplitMix64(seed: seed ^ 0x5A5A)
        recording.snapshotStep = 1 + pick.next(below: Self.steps - 2)
        let walk = HubRandomWalk(seed: seed)
        var writer = BinaryWriter()
        walk.run(steps: Self.steps) { input, outputs, result in
            // What the log leaves out (the organizations API's reads) is left out here too:
            // the hub must be rebuilt without it.
            if input.isReadOnly {
                XCTAssertFalse(HubInputLog.isRecorded(input))
                recording.readsLeftOut += 1
            } else {
                writer.reset()
                input.encode(into: &writer)
                recording.records.append(writer.bytes)
                recording.outputs.append(outputs)
                recording.results.append(result)
            }
            if walk.step == recording.snapshotStep {
                recording.snapshotHub = walk.hub
                recording.snapshot = encoded { walk.hub.encodeState(into: &$0) }
                recording.snapshotRecord = recording.records.count
            }
            return true
        }
        recording.hub = walk.hub
        return recording
    }

    /// Applies the records from `first` on to `hub`, checking each input's outputs and result
    /// against the live ones; false at the first difference.
    private func replay(_ recording: Recording, from first: Int, into hub: inout Hub, seed: UInt64) throws -> Bool {
        for index in first..<recording.records.count {
            let input = try decoded(recording.records[index]) { try HubInput(decoding: &$0) }
            var outputs: [HubOutput] = []
            let result = hub.apply(input, into: &outputs)
            guard outputs == recording.outputs[index], result == recording.results[index] else {
                XCTFail(
                    "seed \(seed), step \(index): replaying \(input) gave \(outputs), live \(recording.outputs[index])")
                return false
            }
        }
        return true
    }

    func testReplayingEveryRecordRebuildsTheLiveHubAndItsOutputs() throws {
        for seed in Self.seeds {
            let recording = record(seed: seed)
            var hub = Hub(configuration: HubRandomWalk.configuration)
            guard try replay(recording, from: 0, into: &hub, seed: seed) else { continue }
            XCTAssert(
                hub == recording.hub, "seed \(seed): replayed vs live: \(firstDifference(hub, recording.hub) ?? "?")")
            XCTAssertGreaterThan(recording.hub.partyCount, 0, "seed \(seed): the walk ends with parties")
            XCTAssertGreaterThan(recording.hub.groupCount, 0, "seed \(seed): and with groups")
            XCTAssertGreaterThan(recording.readsLeftOut, 0, "seed \(seed): reads were left out")
            // The end state round-trips too, to the same bytes.
            let bytes = encoded { recording.hub.encodeState(into: &$0) }
            XCTAssertEqual(bytes.first, Hub.stateFormatVersion)
            let restored = try decoded(bytes) { try Hub(decodingState: &$0) }
            XCTAssert(
                restored == recording.hub,
                "seed \(seed): restored vs live: \(firstDifference(restored, recording.hub) ?? "?")")
            assertSameBytes(encoded { restored.encodeState(into: &$0) }, bytes, "seed \(seed): the restored end state")
        }
    }

    func testReplayingFromASnapshotAtARandomPointRebuildsTheLiveHub() throws {
        for seed in Self.seeds {
            let recording = record(seed: seed)
            var hub = try decoded(recording.snapshot) { try Hub(decodingState: &$0) }
            XCTAssert(
                hub == recording.snapshotHub,
                "seed \(seed), step \(recording.snapshotStep): restored vs live: \(firstDifference(hub, recording.snapshotHub) ?? "?")"
            )
            assertSameBytes(
                encoded { hub.encodeState(into: &$0) }, recording.snapshot, "seed \(seed): the restored snapshot")
            guard try replay(recording, from: recording.snapshotRecord, into: &hub, seed: seed) else { continue }
            XCTAssert(
                hub == recording.hub,
                "seed \(seed): snapshot + records vs live: \(firstDifference(hub, recording.hub) ?? "?")")
        }
    }

    private func assertSameBytes(_ bytes: [UInt8], _ expected: [UInt8], _ what: String, line: UInt = #line) {
        guard bytes != expected else { return }
        let index =
            zip(bytes, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? min(bytes.count, expected.count)
        XCTFail(
            "\(what) encodes differently from byte \(index) (\(bytes.count) vs \(expected.count) bytes)", line: line)
    }
}
