import CPartyHubSystem
import Foundation
import Protocol
import XCTest

@testable import Realtime

/// Writes data directories for the persistence benchmarks (loadtest/persistence/), through the
/// real log writer, snapshot store and codec: the hub is built by applying inputs, so what a
/// server recovers is exactly what a live server would have logged. Skipped unless
/// PARTYHUB_FIXTURE_DIR names an empty directory to fill; meant for a release build:
///
///     PARTYHUB_FIXTURE_DIR=/tmp/d PARTYHUB_FIXTURE_KIND=log swift test -c release \
///         -Xswiftc -enable-testing --filter PersistenceFixtureTests
///
/// - `log`: 1,000 parties of 3 online members, a snapshot, then PARTYHUB_FIXTURE_RECORDS
///   (1,000,000) chat records after it: what a start must replay.
/// - `parties`: PARTYHUB_FIXTURE_PARTIES (100,000) parties of 3 members, each with a few
///   chats, every member offline within a one-hour reconnect grace, in one snapshot: a hub
///   whose next snapshot is large.
final class PersistenceFixtureTests: XCTestCase {
    private let environment = ProcessInfo.processInfo.environment

    func testWriteFixture() throws {
        guard let directory = environment["PARTYHUB_FIXTURE_DIR"] else {
            throw XCTSkip("set PARTYHUB_FIXTURE_DIR (and PARTYHUB_FIXTURE_KIND=log|parties) to write a fixture")
        }
        var configuration = HubConfiguration()
        configuration.chatRatePerSecond = 0
        configuration.signalRatePerSecond = 0
        configuration.commandRatePerSecond = 0
        configuration.reconnectGraceMilliseconds = 3_600_000
        var fixture = try Fixture(directory: directory, configuration: configuration)
        switch environment["PARTYHUB_FIXTURE_KIND"] ?? "log" {
        case "log":
            let records = Int(environment["PARTYHUB_FIXTURE_RECORDS"] ?? "") ?? 1_000_000
            let members = try fixture.parties(1000, closeSessions: false)
            try fixture.snapshot()
            try fixture.chats(records, from: members)
        case "parties":
            let parties = Int(environment["PARTYHUB_FIXTURE_PARTIES"] ?? "") ?? 100_000
            _ = try fixture.parties(parties, closeSessions: true)
            try fixture.snapshot()
        default:
            XCTFail("PARTYHUB_FIXTURE_KIND is log or parties")
        }
        print("fixture: \(directory): \(fixture.hub.partyCount) parties, \(fixture.hub.playerCount) players, last LSN \(fixture.lsn)")
    }
}

/// A hub built input by input, each input applied and logged as the server would.
private struct Fixture {
    private static let epoch: UInt16 = 1
    let directory: String
    private(set) var hub: Hub
    private(set) var lsn: UInt64 = 0
    private let writer: LogWriter
    private let store: SnapshotStore
    private let pinned: [UInt8]
    private var builder = LogBatchBuilder(capacity: 1 << 20)
    private var payload = BinaryWriter(reservingCapacity: 256)
    private var outputs: [HubOutput] = []
    private var nextSlot = 0
    private let now = partyhub_wall_ms()

    init(directory: String, configuration: HubConfiguration) throws {
        self.directory = directory
        let fileSystem = PosixFileSystem()
        _ = try fileSystem.createDirectory(directory)
        hub = Hub(configuration: configuration)
        pinned = PinnedState(epoch: Self.epoch, configuration: configuration).bytes
        writer = try LogWriter(fileSystem: fileSystem, directory: directory, pinned: pinned, firstLSN: 1)
        store = SnapshotStore(fileSystem: fileSystem, directory: directory)
    }

    /// Parties of three signed-in members; returns the members' sessions.
    mutating func parties(_ count: Int, closeSessions: Bool) throws -> [SessionID] {
        var sessions: [SessionID] = []
        for party in 0..<count {
            let members = (0..<3).map { _ in newSession() }
            for (index, session) in members.enumerated() {
                try apply(.sessionOpened(session, player: "p\(party)-\(index)", now: now))
            }
            let code = HubDriver.inviteCode(ofSeed: party + 1)
            let seed = PartySeed(id: String(format: "%08x-0000-4000-8000-%012x", party, party), inviteCode: code)
            try apply(.command(members[0], ClientRequest(rid: 1, command: .create()), now: now, seed: seed))
            for session in members.dropFirst() {
                try apply(.command(session, ClientRequest(rid: 2, command: .join(inviteCode: code), idem: "join"), now: now, seed: nil))
            }
            for session in members {
                try apply(.command(session, ClientRequest(rid: 3, command: .chat(text: "gg, ready for the next pull?")), now: now, seed: nil))
            }
            if closeSessions {
                for session in members { try apply(.sessionClosed(session, now: now)) }
            }
            sessions += members
        }
        try flush()
        return sessions
    }

    /// `count` chat records, round-robin over `members`.
    mutating func chats(_ count: Int, from members: [SessionID]) throws {
        for index in 0..<count {
            let text = "pull in \(index % 10), tank on the left"
            try apply(.command(members[index % members.count], ClientRequest(rid: Int64(index), command: .chat(text: text)), now: now, seed: nil))
        }
        try flush()
    }

    mutating func snapshot() throws {
        try flush()
        var state = BinaryWriter(reservingCapacity: 1 << 20)
        hub.encodeState(into: &state)
        let lsn = self.lsn
        try state.bytes.withStorageBytes { (bytes) throws(StorageError) in _ = try store.write(lsn: lsn, pinned: pinned, payload: bytes) }
    }

    private mutating func newSession() -> SessionID {
        defer { nextSlot += 1 }
        return ConnectionID(loop: 0, epoch: Self.epoch, slot: nextSlot % ConnectionID.slotLimit, generation: UInt32(nextSlot / ConnectionID.slotLimit + 1)).session
    }

    private mutating func apply(_ input: HubInput) throws {
        outputs.removeAll(keepingCapacity: true)
        hub.apply(input, into: &outputs)
        lsn += 1
        builder.append(input, lsn: lsn, scratch: &payload)
        if builder.byteCount > 1 << 20 { try flush() }
    }

    private mutating func flush() throws {
        guard !builder.isEmpty else { return }
        try writer.write(builder.batch)
        try writer.sync()
        builder.removeAll()
    }
}
