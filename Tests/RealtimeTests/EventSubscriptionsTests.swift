import Protocol
import XCTest

@testable import Realtime

/// The stream subscribers' state machine, against a stream on the fault-injecting file system
/// and an output that records what it was asked to send: catching up one chunk at a time, each
/// only after the last was written, then live; a burst larger than a chunk flow-controlled
/// again; live subscribers at one position sharing each frame; an expired offset closed with
/// 4410. No sockets, no threads.
final class EventSubscriptionsTests: XCTestCase {
    private final class RecordingOutput: EventSubscriberOutput {
        enum Sent: Equatable {
            case live([UInt64], to: [ConnectionID])
            case chunk([UInt64], to: ConnectionID)
            case close(ConnectionID, code: UInt16, reason: String)
        }

        var sent: [Sent] = []
        /// The bytes of every chunk sent.
        var chunkSizes: [Int] = []

        func deliver(_ frames: [OutboundBytes], to subscribers: [ConnectionID]) {
            sent.append(.live(frames.map(Self.offset), to: subscribers.sorted { $0.rawValue < $1.rawValue }))
        }

        func deliverChunk(_ frames: [OutboundBytes], to subscriber: ConnectionID) {
            sent.append(.chunk(frames.map(Self.offset), to: subscriber))
            chunkSizes.append(frames.reduce(0) { $0 + $1.count })
        }

        func close(_ subscriber: ConnectionID, code: WebSocketCloseCode, reason: String) {
            sent.append(.close(subscriber, code: code.rawValue, reason: reason))
        }

        /// The offset a frame's JSON starts with.
        static func offset(_ frame: OutboundBytes) -> UInt64 {
            let text = String(decoding: frame.framePayload, as: UTF8.self)
            let digits = text.dropFirst(#"{"offset":"#.count).prefix { $0.isNumber }
            return UInt64(digits) ?? 0
        }

        func takeSent() -> [Sent] {
            defer { sent = [] }
            return sent
        }
    }

    private let fixture = EventStreamFixture(segmentBytes: 4096, memoryTail: 20)
    private let output = RecordingOutput()
    private let alice = ConnectionID(loop: 0, epoch: 1, slot: 1, generation: 1)
    private let bob = ConnectionID(loop: 1, epoch: 1, slot: 1, generation: 1)

    private func subscriptions(with events: ClosedRange<UInt64>, chunkBytes: Int = 1000) throws -> (EventStream, EventSubscriptions) {
        let (stream, _) = try fixture.open()
        fixture.append(events, to: stream)
        let subscriptions = EventSubscriptions(stream: stream, chunkBytes: chunkBytes, logger: fixture.logger)
        subscriptions.output = output
        stream.addSink(subscriptions)
        return (stream, subscriptions)
    }

    func testASubscriberCatchesUpOneChunkAtATimeThenGoesLive() throws {
        let (stream, subscriptions) = try subscriptions(with: 1...100)
        subscriptions.subscribed(alice, after: 0)
        var received: [UInt64] = []
        var chunks = 0
        while true {
            let sent = output.takeSent()
            guard case .chunk(let offsets, let to)? = sent.first else {
                XCTAssertEqual(sent, [], "nothing but chunks while catching up")
                break
            }
            XCTAssertEqual(sent.count, 1, "one chunk at a time")
            XCTAssertEqual(to, alice)
            received += offsets
            chunks += 1
            subscriptions.drained(alice)
        }
        XCTAssertEqual(received, Array(1...100), "from memory and from the files alike")
        XCTAssertGreaterThan(chunks, 5)
        XCTAssertTrue(output.chunkSizes.allSatisfy { $0 <= 1000 }, "no chunk over chunkBytes: \(output.chunkSizes)")
        fixture.append(101...103, to: stream)
        XCTAssertEqual(output.takeSent(), [.live([101, 102, 103], to: [alice])])
    }

    func testNothingMoreIsSentUntilTheChunkIsWritten() throws {
        let (stream, subscriptions) = try subscriptions(with: 1...100)
        subscriptions.subscribed(alice, after: 50)
        XCTAssertEqual(output.takeSent().count, 1)
        fixture.append(101...110, to: stream)
        subscriptions.drained(bob)  // another connection's report changes nothing
        XCTAssertEqual(output.takeSent(), [], "a subscriber awaiting its drain gets no live events")
    }

    func testABurstLargerThanAChunkIsFlowControlledAgain() throws {
        let (stream, subscriptions) = try subscriptions(with: 1...5)
        subscriptions.subscribed(alice, after: 5)
        XCTAssertEqual(output.takeSent(), [], "caught up already: live")
        fixture.append(6...60, to: stream, batch: 55)
        guard case .chunk(let first, alice)? = output.takeSent().first else { return XCTFail("the burst was pushed whole") }
        XCTAssertEqual(first.first, 6)
        var received = first
        while received.last != 60 {
            subscriptions.drained(alice)
            guard case .chunk(let offsets, alice)? = output.takeSent().first else { return XCTFail("no next chunk") }
            received += offsets
        }
        XCTAssertEqual(received, Array(6...60))
        subscriptions.drained(alice)
        fixture.append(61...61, to: stream)
        XCTAssertEqual(output.takeSent(), [.live([61], to: [alice])], "live again once caught up")
    }

    func testLiveSubscribersAtOnePositionShareEachFrame() throws {
        let (stream, subscriptions) = try subscriptions(with: 1...3)
        subscriptions.subscribed(alice, after: 3)
        subscriptions.subscribed(bob, after: 3)
        fixture.append(4...5, to: stream)
        XCTAssertEqual(output.takeSent(), [.live([4, 5], to: [alice, bob])])
        subscriptions.closed(bob)
        fixture.append(6...6, to: stream)
        XCTAssertEqual(output.takeSent(), [.live([6], to: [alice])], "a closed subscriber gets nothing")
        XCTAssertEqual(subscriptions.count, 1)
    }

    func testAnOffsetBeyondTheLastWaitsForTheEventsAfterIt() throws {
        let (stream, subscriptions) = try subscriptions(with: 1...3)
        subscriptions.subscribed(alice, after: 10)
        fixture.append(4...10, to: stream)
        XCTAssertEqual(output.takeSent(), [])
        fixture.append(11...12, to: stream)
        XCTAssertEqual(output.takeSent(), [.live([11, 12], to: [alice])])
    }

    func testAnExpiredOffsetIsClosedWith4410NamingTheOldest() throws {
        let fixture = EventStreamFixture(segmentBytes: 1024, retention: 20)
        let (stream, _) = try fixture.open()
        fixture.append(1...100, to: stream)
        let subscriptions = EventSubscriptions(stream: stream, chunkBytes: 1000, logger: fixture.logger)
        subscriptions.output = output
        subscriptions.subscribed(alice, after: 0)
        XCTAssertEqual(output.takeSent(), [.close(alice, code: 4410, reason: "offset_expired oldest=\(stream.oldestOffset)")])
        XCTAssertEqual(subscriptions.count, 0)
        subscriptions.subscribed(alice, after: stream.oldestOffset - 1)
        guard case .chunk(let offsets, alice)? = output.takeSent().first else { return XCTFail("no chunk") }
        XCTAssertEqual(offsets.first, stream.oldestOffset)
    }
}
