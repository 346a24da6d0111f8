import Protocol
import XCTest

@testable import Realtime

/// An event stream on the fault-injecting file system, for the store's tests: deterministic
/// events, a stream opened the way a start opens it (`EventStreamRecovery` over what the
/// directory holds, fed what a replay would publish), and helpers to read it back.
final class EventStreamFixture {
    let fileSystem = FaultInjectingFileSystem()
    let directory = "/data"
    var configuration = EventStreamConfiguration()
    let logger = Logger(minimumLevel: .error)
    private let writer = ByteWriter(capacity: 256)

    init(segmentBytes: Int = 16 << 20, retention: Int = 1_000_000, memoryTail: Int = 65_536) {
        configuration.segmentBytes = segmentBytes
        configuration.retention = retention
        configuration.memoryTail = memoryTail
        _ = try? fileSystem.createDirectory(directory)
    }

    /// The event at `offset`; `variant` changes its content (a replay that publishes another).
    static func event(_ offset: UInt64, variant: String = "") -> PublishedEvent {
        PublishedEvent(
            offset: offset, ts: 1_700_000_000_000 + Int64(offset),
            kind: .memberJoined(party: "party-\(offset % 7)", player: "player-\(offset)\(variant)"))
    }

    /// The JSON of `event(offset)`.
    static func json(_ offset: UInt64, variant: String = "") -> String {
        PublishedEventEncoder.json(event(offset, variant: variant))
    }

    /// Opens the stream as a start does: recovery over the directory with the snapshot's
    /// `durableOffset`, the replay's events `replayed`, then finished at the last of them.
    func open(
        durableOffset: UInt64 = 0, replaying replayed: ClosedRange<UInt64>? = nil, variant: (UInt64) -> String = { _ in "" },
        truncateDamage: Bool = false
    ) throws -> (stream: EventStream, recovery: EventStreamRecovery) {
        let recovery = try EventStreamRecovery(
            fileSystem: fileSystem, directory: directory, configuration: configuration, durableOffset: durableOffset,
            truncateDamage: truncateDamage, logger: logger)
        for offset in replayed.map(Array.init) ?? [] where offset > durableOffset {
            try recovery.replayed(Self.event(offset, variant: variant(offset)))
        }
        let stream = try recovery.finish(lastPublishedOffset: replayed.map { max($0.upperBound, durableOffset) } ?? durableOffset)
        return (stream, recovery)
    }

    /// Appends the events of `offsets` and publishes them, `batch` at a time.
    func append(_ offsets: ClosedRange<UInt64>, to stream: EventStream, batch: Int = 10) {
        var pending = 0
        for offset in offsets {
            let frame = OutboundBytes.copy(PublishedEventEncoder.encodeFrame(Self.event(offset), into: writer))
            stream.append(offset: offset, frame: frame)
            pending += 1
            if pending == batch {
                stream.publishAppended()
                pending = 0
            }
        }
        stream.publishAppended()
    }

    /// The offsets and JSON texts a read returns, or its failure.
    func read(_ stream: EventStream, after: UInt64, limit: Int = 1000) -> Result<[(UInt64, String)], EventReadFailure> {
        stream.read(after: after, limit: limit).map { events in
            events.map { ($0.offset, String(decoding: $0.json, as: UTF8.self)) }
        }
    }

    /// Asserts that a read after `after` returns exactly the events of `offsets`.
    func assertRead(
        _ stream: EventStream, after: UInt64, limit: Int = 1000, are offsets: ClosedRange<UInt64>?, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        switch read(stream, after: after, limit: limit) {
        case .success(let events):
            XCTAssertEqual(events.map(\.0), offsets.map(Array.init) ?? [], file: file, line: line)
            for (offset, json) in events where json != Self.json(offset) {
                XCTFail("offset \(offset) reads \(json)", file: file, line: line)
            }
        case .failure(let failure):
            XCTFail("the read failed: \(failure)", file: file, line: line)
        }
    }

    /// The event segment files now, by name.
    var segmentNames: [String] { fileSystem.names(in: directory).filter { $0.hasPrefix("events-") } }

    /// The path of an event segment.
    func path(_ firstOffset: UInt64) -> String { "\(directory)/\(LogFormat.eventSegmentName(firstOffset: firstOffset))" }
}
