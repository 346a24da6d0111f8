import Protocol
import XCTest

@testable import Realtime

/// A data directory as the server leaves it, on `LogFixture`'s fault-injecting file system:
/// each process's segment pinning its `PinnedState`, hub inputs as records (applied to a hub
/// as they are written), snapshots of that hub. For the tests of `partyhub data check` and
/// `data dump`, whose payloads must decode.
final class ServerDataFixture {
    let log = LogFixture()
    var directory: String { log.directory }
    var fileSystem: FaultInjectingFileSystem { log.fileSystem }
    private(set) var hub = Hub()
    private(set) var lastLSN: UInt64 = 0
    /// The time of the next input: 2025-12-01T15:00:34.567Z, one ms more for each input.
    var now: Int64 = 1_764_601_234_567
    private var writer: LogWriter?
    private var pinned: [UInt8] = []
    /// The published events, written as the server writes them (one stream for every process).
    private(set) var events: EventStream?
    private let frameWriter = ByteWriter()

    static let alice = SessionID(rawValue: 0x0001_0000_0010_0001)
    static let bob = SessionID(rawValue: 0x0001_0000_0020_0001)
    static let seed = PartySeed(id: "7d2c51c8-1e0b-4d8e-9a44-5d2b8a1f6c03", inviteCode: "ABCDEFGH")

    /// A process starting: a new segment pinning `epoch` and `configuration`.
    func startProcess(epoch: UInt16, configuration: HubConfiguration = HubConfiguration()) throws {
        writer?.close()
        if hub.configuration != configuration { hub.reconfigure(configuration) }
        pinned = PinnedState(epoch: epoch, configuration: configuration).bytes
        writer = try log.makeWriter(firstLSN: lastLSN + 1, pinned: pinned)
        if events == nil {
            events = try EventStreamRecovery(
                fileSystem: fileSystem, directory: directory, configuration: EventStreamConfiguration(),
                durableOffset: hub.lastPublishedOffset, truncateDamage: false, logger: Logger(minimumLevel: .error)
            ).finish(lastPublishedOffset: hub.lastPublishedOffset)
        }
    }

    /// Applies `inputs` and writes them as one synced batch.
    func record(_ inputs: [HubInput]) throws {
        var payloads: [[UInt8]] = []
        var outputs: [HubOutput] = []
        for input in inputs {
            hub.apply(input, into: &outputs)
            var payload = BinaryWriter()
            input.encode(into: &payload)
            payloads.append(payload.bytes)
        }
        try recordPayloads(payloads)
        // Released once the batch is durable, as the server appends them.
        let events = try XCTUnwrap(events, "start a process first")
        for case .published(let event) in outputs {
            events.append(offset: event.offset, frame: .copy(PublishedEventEncoder.encodeFrame(event, into: frameWriter)))
        }
        try events.writeAppended()
    }

    /// Writes raw payloads as hub input records (which need not decode).
    func recordPayloads(_ payloads: [[UInt8]]) throws {
        var builder = LogBatchBuilder()
        for payload in payloads {
            lastLSN += 1
            payload.withUnsafeBytes { builder.append(lsn: lastLSN, type: .hubInput, payload: $0) }
        }
        let writer = try XCTUnwrap(writer, "start a process first")
        try writer.write(builder.batch)
        try writer.sync()
    }

    /// A snapshot of the hub at the last LSN; `payload` replaces its state when given.
    @discardableResult
    func snapshot(payload: [UInt8]? = nil) throws -> String {
        var state = BinaryWriter()
        hub.encodeState(into: &state)
        // The snapshot thread's rule: the event segments are durable through its offset first.
        try events?.durability.syncWritten(through: hub.lastPublishedOffset)
        let store = log.makeSnapshotStore()
        return try (payload ?? state.bytes).withUnsafeBytes {
            try store.write(lsn: lastLSN, pinned: pinned, payload: $0)
        }
    }

    /// The next input's time.
    func tick() -> Int64 {
        now += 1
        return now - 1
    }

    /// Alice and bob sign in, alice creates a party, bob joins, and each chat in `chats` is sent
    /// by alice with an `idem` key.
    func playParty(chats: [String]) throws {
        try record([
            .sessionOpened(Self.alice, player: "alice", now: tick()),
            .sessionOpened(Self.bob, player: "bob", now: tick()),
            .command(Self.alice, ClientRequest(rid: 1, command: .create()), now: tick(), seed: Self.seed),
            .command(
                Self.bob, ClientRequest(rid: 1, command: .join(inviteCode: Self.seed.inviteCode)), now: tick(),
                seed: nil),
        ])
        try chat(chats)
    }

    /// Alice's chats, keyed `k1`, `k2`, ... from `firstKey`.
    func chat(_ texts: [String], firstKey: Int = 1) throws {
        try record(
            texts.enumerated().map { index, text in
                .command(
                    Self.alice,
                    ClientRequest(rid: Int64(index + 2), command: .chat(text: text), idem: "k\(index + firstKey)"),
                    now: tick(), seed: nil)
            })
    }

    func check() throws -> DataCheck { try DataCheck.run(directory: directory, fileSystem: fileSystem) }

    /// The dump's lines and outcome.
    func dump(fromLSN: UInt64 = 1) throws -> (lines: [String], outcome: DataDump.Outcome) {
        var lines: [String] = []
        let outcome = try DataDump.run(directory: directory, fromLSN: fromLSN, fileSystem: fileSystem) {
            lines.append($0)
        }
        return (lines, outcome)
    }

    var segmentPaths: [String] { get throws { try log.segmentPaths } }
}
