import Protocol
import XCTest

@testable import Realtime

/// A measurement, printed and not asserted: the size of a large hub's state and the CPU time
/// to encode and decode it, and the same for the log records that built it. Skipped unless
/// PARTYHUB_CODEC_BENCH=1; meant for a release build:
///
///     PARTYHUB_CODEC_BENCH=1 swift test -c release -Xswiftc -enable-testing \
///         --filter HubCodecBenchmarkTests
final class HubCodecBenchmarkTests: XCTestCase {
    /// 100,000, or PARTYHUB_CODEC_BENCH_PARTIES.
    private static let partyCount =
        Int(ProcessInfo.processInfo.environment["PARTYHUB_CODEC_BENCH_PARTIES"] ?? "") ?? 100_000
    private static let membersPerParty = 3
    private static let chatsPerMember = 2

    func testEncodeAndDecodeAHubOfAHundredThousandParties() throws {
        try XCTSkipUnless(
            ProcessInfo.processInfo.environment["PARTYHUB_CODEC_BENCH"] == "1", "set PARTYHUB_CODEC_BENCH=1 to measure")
        let clock = ThreadCPUClock()
        let (hub, inputs) = Self.buildHub()
        print("codec bench: \(hub.partyCount) parties, \(hub.playerCount) players, \(inputs.count) inputs")

        // The state: encoded into a writer kept across runs (as a snapshotter would keep one),
        // then decoded; the best of three each.
        var writer = BinaryWriter(reservingCapacity: 1 << 20)
        var encodeTimes: [Duration] = []
        for _ in 0..<3 {
            writer.reset()
            encodeTimes.append(clock.measure { hub.encodeState(into: &writer) })
        }
        let state = writer.bytes
        var decodeTimes: [Duration] = []
        var restored = Hub()
        for _ in 0..<3 {
            decodeTimes.append(try clock.measure { restored = try decoded(state) { try Hub(decodingState: &$0) } })
        }
        XCTAssert(restored == hub, "the decoded hub equals the live one")
        print(
            "codec bench: state \(state.count) bytes (\(state.count / hub.partyCount) per party),"
                + " encode \(Self.milliseconds(encodeTimes.min()!)), decode \(Self.milliseconds(decodeTimes.min()!))")

        // The log: each input encoded into one reused writer and appended to a log buffer, as
        // a log writer would; then every record decoded from that buffer.
        var log: [UInt8] = []
        var recordEnds: [Int] = []
        recordEnds.reserveCapacity(inputs.count)
        let recordEncode = clock.measure {
            for input in inputs {
                writer.reset()
                input.encode(into: &writer)
                log.append(contentsOf: writer.bytes)
                recordEnds.append(log.count)
            }
        }
        let recordDecode = try clock.measure {
            try log.withUnsafeBytes { raw in
                var start = 0
                for end in recordEnds {
                    var reader = BinaryReader(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    _ = try HubInput(decoding: &reader)
                    try reader.expectEnd()
                    start = end
                }
            }
        }
        let perRecord = String(format: "%.1f", Double(log.count) / Double(inputs.count))
        print(
            "codec bench: \(inputs.count) records, \(log.count) bytes (\(perRecord) per record),"
                + " encode \(Self.nanoseconds(recordEncode, per: inputs.count)) per record,"
                + " decode \(Self.nanoseconds(recordDecode, per: inputs.count)) per record")
    }

    /// 100,000 parties of 3 members; each member says a couple of chat lines. Party ids are
    /// UUID-sized, as the server draws them.
    private static func buildHub() -> (Hub, [HubInput]) {
        var hub = Hub()
        var inputs: [HubInput] = []
        var outputs: [HubOutput] = []
        var now: Int64 = 1_800_000_000_000
        func apply(_ input: HubInput) {
            outputs.removeAll(keepingCapacity: true)
            hub.apply(input, into: &outputs)
            inputs.append(input)
        }
        for party in 0..<partyCount {
            now += 1
            let first = UInt64(party * membersPerParty)
            for member in 0..<UInt64(membersPerParty) {
                apply(.sessionOpened(SessionID(rawValue: first + member), player: "player-\(first + member)", now: now))
            }
            let id = String(format: "%08x-0000-4000-8000-%012x", party, party)
            let seed = PartySeed(id: id, inviteCode: HubDriver.inviteCode(ofSeed: party + 1))
            apply(.command(SessionID(rawValue: first), ClientRequest(rid: 1, command: .create()), now: now, seed: seed))
            for member in 1..<UInt64(membersPerParty) {
                let join = ClientRequest(rid: 2, command: .join(inviteCode: seed.inviteCode), idem: "join-\(party)")
                apply(.command(SessionID(rawValue: first + member), join, now: now, seed: nil))
            }
            for line in 0..<chatsPerMember {
                for member in 0..<UInt64(membersPerParty) {
                    let chat = ClientRequest(
                        rid: Int64(3 + line), command: .chat(text: "gg, ready for the next pull? \(line)"))
                    apply(.command(SessionID(rawValue: first + member), chat, now: now, seed: nil))
                }
            }
        }
        return (hub, inputs)
    }

    private static func milliseconds(_ duration: Duration) -> String {
        String(
            format: "%.1f ms",
            Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1e3)
    }

    private static func nanoseconds(_ duration: Duration, per count: Int) -> String {
        let nanoseconds = Double(duration.components.attoseconds) / 1e9 + Double(duration.components.seconds) * 1e9
        return String(format: "%.0f ns", nanoseconds / Double(count))
    }
}

/// The calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID): on a machine shared with other
/// builds, the time waiting for a core is not counted.
private struct ThreadCPUClock {
    func measure(_ body: () throws -> Void) rethrows -> Duration {
        let start = Self.now()
        try body()
        return Self.now() - start
    }

    private static func now() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
