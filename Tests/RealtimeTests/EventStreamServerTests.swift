import Foundation
import Protocol
import XCTest

@testable import Realtime

/// The published event stream on a live server (docs/PROTOCOL.md, "Events out"): who may read
/// it, `GET …/events` pages (`after`, `limit`, `next`, 400, 410), the WebSocket stream from an
/// offset on, catching up and then live, on either loop, flow-controlled under a small outbound
/// limit, an expired offset closing with 4410, and the same offsets after a restart.
final class EventStreamServerTests: ServerTestCase {
    private let path = "/api/v1/social/party/events"
    private let streamPath = "/api/v1/social/party/events/stream"

    // MARK: Sign-in

    func testNoTokenIs401AndAPlayerTokenIs403ForThePagesAndTheStream() throws {
        let server = try startEventServer()
        let anonymous = try page(server, bearer: .none)
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(try errorObject(anonymous)["code"] as? String, "unauthorized")
        let player = try page(server, bearer: .token(server.token(for: "alice")))
        XCTAssertEqual(player.status, 403)
        XCTAssertEqual(try errorObject(player)["code"] as? String, "forbidden")
        XCTAssertEqual(try page(server, bearer: .token(server.forgedToken(for: "matchmaking"))).status, 401)

        XCTAssertEqual(try refusedUpgrade(server, path: streamPath).status, 401)
        XCTAssertEqual(try refusedUpgrade(server, path: streamPath + "?token=" + server.token(for: "alice")).status, 403)
        let forbidden = try refusedUpgrade(
            server, path: streamPath, headers: ["Authorization": "Bearer " + server.token(for: "alice")])
        XCTAssertEqual(try errorObject(forbidden)["code"] as? String, "forbidden")
    }

    // MARK: Pages

    func testBadParametersAre400InvalidMessageAndTheConnectionIsKept() throws {
        let server = try startEventServer()
        let client = try connect(server)
        for query in [
            "after=-1", "after=abc", "after=", "after=+5", "after=%201", "after=18446744073709551616", "limit=0", "limit=1001",
            "limit=-5", "limit=ten", "limit=",
        ] {
            let response = try page(client, server, query: query)
            XCTAssertEqual(response.status, 400, query)
            XCTAssertEqual(try errorObject(response)["code"] as? String, "invalid_message", query)
            XCTAssertFalse((try errorObject(response)["message"] as? String ?? "").isEmpty, query)
        }
        XCTAssertEqual(try page(client, server, query: "after=18446744073709551615&limit=1000").status, 200)
    }

    func testAPageHoldsTheEventsAfterTheOffsetAndNextIsTheLastOneReturned() throws {
        let server = try startEventServer()
        try publishRounds(server, rounds: 40)  // 120 events: created, member-left, disbanded
        let first = try events(of: try page(server, query: ""))
        XCTAssertEqual(first.events.map(\.offset), Array(1...100), "after=0 and limit=100 by default")
        XCTAssertEqual(first.next, 100)
        XCTAssertEqual(first.events[0].object["type"] as? String, "party:created")
        XCTAssertEqual(first.events[0].object["leader"] as? String, "maker")
        XCTAssertEqual(first.events[1].object["type"] as? String, "party:member-left")
        XCTAssertEqual(first.events[1].object["reason"] as? String, "left")
        XCTAssertEqual(first.events[2].object["type"] as? String, "party:disbanded")
        XCTAssertEqual(first.events[2].object["reason"] as? String, "empty")
        XCTAssertNotNil(first.events[0].object["ts"] as? Int)

        let second = try events(of: try page(server, query: "after=\(first.next)&limit=1000"))
        XCTAssertEqual(second.events.map(\.offset), Array(101...120))
        XCTAssertEqual(second.next, 120)
        let small = try events(of: try page(server, query: "after=7&limit=2"))
        XCTAssertEqual(small.events.map(\.offset), [8, 9])
        XCTAssertEqual(small.next, 9)
        for after in [120, 5000] {
            let empty = try events(of: try page(server, query: "after=\(after)"))
            XCTAssertTrue(empty.events.isEmpty)
            XCTAssertEqual(empty.next, UInt64(after), "next stays at after when nothing is returned")
        }
    }

    func testAnOffsetOlderThanTheOldestKeptIs410WithTheOldest() throws {
        let server = try startEventServer {
            $0.persistence.events.segmentBytes = 2048
            $0.persistence.events.retention = 30
            $0.persistence.events.memoryTail = 0
        }
        try publishRounds(server, rounds: 100)
        let oldest = try XCTUnwrap(server.metric("partyhub_event_stream_oldest_offset"))
        XCTAssertGreaterThan(oldest, 1)
        let expired = try page(server, query: "after=0")
        XCTAssertEqual(expired.status, 410)
        XCTAssertEqual(expired.header("content-type"), "application/json")
        let error = try errorObject(expired)
        XCTAssertEqual(error["code"] as? String, "offset_expired")
        XCTAssertEqual((error["oldest"] as? NSNumber)?.int64Value, oldest)
        let kept = try events(of: try page(server, query: "after=\(oldest - 1)&limit=1000"))
        XCTAssertEqual(kept.events.map(\.offset), Array(UInt64(oldest)...300))
    }

    // MARK: The WebSocket stream

    func testTheStreamSendsEveryEventAfterTheOffsetThenLiveOnesOnEitherLoop() throws {
        let server = try startEventServer { $0.threads = 2 }
        try publishRounds(server, rounds: 10)
        // Two subscribers, on loop 0 and loop 1 (connections alternate; the maker was the first).
        let subscribers = try (0..<2).map { _ in try subscribe(server, after: 4) }
        for subscriber in subscribers {
            XCTAssertEqual(try readOffsets(subscriber, count: 26), Array(5...30))
        }
        try publishRounds(server, rounds: 2, player: "later")
        for subscriber in subscribers {
            let live = try (0..<6).map { _ in try subscriber.readJSON() }
            XCTAssertEqual(live.map { ($0["offset"] as? NSNumber)?.uint64Value }, Array(31...36))
            XCTAssertEqual(live[0]["leader"] as? String, "later")
        }
        XCTAssertEqual(try server.metric("partyhub_event_stream_subscribers"), 2)
        XCTAssertEqual(try server.metric("partyhub_event_stream_last_offset"), 36)
    }

    func testCatchingUpIsFlowControlledUnderASmallOutboundLimit() throws {
        // 64 KiB is the least a connection may queue (one largest message); a catch-up of
        // about 700 KB queued at once would close the subscriber as a slow consumer.
        let server = try startEventServer {
            $0.maxOutboundBytes = 16 << 10
            $0.hub.commandRatePerSecond = 0
            $0.threads = 2
        }
        try publishRounds(server, rounds: 1500)
        let subscriber = try subscribe(server, after: 0, receiveBufferSize: 4096)
        usleep(300_000)  // the subscriber reads nothing for a while
        XCTAssertEqual(try readOffsets(subscriber, count: 4500, timeout: 30), Array(1...4500))
        XCTAssertEqual(try server.metric("partyhub_slow_consumer_drops_total"), 0)
    }

    func testALiveConsumerThatStopsReadingIsClosedAsASlowConsumerAndResumesFromItsOffset() throws {
        // Chunks of 128 KiB: each release of `publishRounds` (about 11 KB) is pushed live at once.
        let server = try startEventServer {
            $0.maxOutboundBytes = 256 << 10
            $0.threads = 2
        }
        try publishRounds(server, rounds: 2)
        let subscriber = try subscribe(server, after: 0, receiveBufferSize: 2048)
        XCTAssertEqual(try readOffsets(subscriber, count: 6), Array(1...6))
        // Live now; it stops reading while the events pour in, until the socket's buffers and
        // then its queue are full.
        var rounds = 2
        while try server.metric("partyhub_slow_consumer_drops_total") == 0 && rounds < 20_000 {
            try publishRounds(server, rounds: 1000, player: "maker\(rounds)")
            rounds += 1000
        }
        XCTAssertEqual(try server.metric("partyhub_slow_consumer_drops_total"), 1, "dropped after \(rounds) rounds")
        // The close frame reaches it only if the socket had room for it; either way it is gone.
        let end = try subscriber.readUntilConnectionEnds(timeout: 20)
        XCTAssertTrue([.closeFrame(code: 1008), .endOfStream, .endOfStreamInsideFrame, .reset].contains(end), "\(end)")
        let resumed = try subscribe(server, after: 6)
        let total = rounds * 3
        XCTAssertEqual(try readOffsets(resumed, count: total - 6, timeout: 30), Array(7...UInt64(total)), "nothing missed, nothing twice")
    }

    func testAnExpiredOffsetClosesTheStreamWith4410AndTheOldest() throws {
        let server = try startEventServer {
            $0.persistence.events.segmentBytes = 2048
            $0.persistence.events.retention = 30
        }
        try publishRounds(server, rounds: 100)
        let oldest = try XCTUnwrap(server.metric("partyhub_event_stream_oldest_offset"))
        let subscriber = try subscribe(server, after: 0)
        let frame = try subscriber.readFrame()
        XCTAssertEqual(frame.opcode, WebSocketOpcode.close.rawValue)
        XCTAssertEqual(frame.closeCode, 4410)
        XCTAssertEqual(String(decoding: frame.payload.dropFirst(2), as: UTF8.self), "offset_expired oldest=\(oldest)")
        let resumed = try subscribe(server, after: UInt64(oldest - 1))
        XCTAssertEqual(try readOffsets(resumed, count: 2), [UInt64(oldest), UInt64(oldest) + 1])
    }

    func testAnOffsetBeyondTheLastWaitsForTheEventsAfterIt() throws {
        let server = try startEventServer()
        try publishRounds(server, rounds: 1)
        let subscriber = try subscribe(server, after: 4)
        try publishRounds(server, rounds: 1)
        XCTAssertEqual(try readOffsets(subscriber, count: 2), [5, 6])
    }

    // MARK: Restarts

    func testOffsetsAreTheSameAfterARestartAndGoOnWithoutAGap() throws {
        let directory = NSTemporaryDirectory() + "partyhub-events-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try startEventServer { $0.dataDirectory = directory }
        try publishRounds(first, rounds: 20)
        let before = try events(of: try page(first, query: "limit=1000"))
        XCTAssertTrue(first.stop())
        let second = try startEventServer { $0.dataDirectory = directory }
        let after = try events(of: try page(second, query: "limit=1000"))
        XCTAssertEqual(after.events.map(\.object), before.events.map(\.object), "the same events at the same offsets")
        try publishRounds(second, rounds: 1)
        XCTAssertEqual(try events(of: try page(second, query: "after=60")).events.map(\.offset), [61, 62, 63])
        XCTAssertTrue(second.stop(), "stopped before its directory is removed")
    }

    // MARK: Helpers

    /// A server without a command budget (the tests publish many events from one player).
    private func startEventServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> TestServer {
        try startServer {
            $0.hub.commandRatePerSecond = 0
            configure(&$0)
        }
    }

    /// Which token a request carries.
    private enum Bearer {
        case service
        case none
        case token(String)
    }

    /// `rounds` times `party.create` then `party.leave` by `player`: three events each
    /// (`party:created`, `party:member-left`, `party:disbanded`), visible once the replies are in.
    private func publishRounds(_ server: TestServer, rounds: Int, player: String = "maker") throws {
        let client = try signIn(player, to: server)
        var rid = 0
        var done = 0
        while done < rounds {
            let batch = min(20, rounds - done)
            for _ in 0..<batch {
                try client.sendCommand("party.create", rid: rid + 1)
                try client.sendCommand("party.leave", rid: rid + 2)
                rid += 2
            }
            XCTAssertEqual(try client.reply(rid: rid)["ok"] as? Bool, true)
            done += batch
        }
        client.close()
    }

    private func page(_ server: TestServer, query: String = "", bearer: Bearer = .service) throws -> RawHTTPResponse {
        try page(try connect(server), server, query: query, bearer: bearer)
    }

    private func page(_ client: RawWebSocketClient, _ server: TestServer, query: String, bearer: Bearer = .service)
        throws -> RawHTTPResponse
    {
        var request = "GET \(path)\(query.isEmpty ? "" : "?" + query) HTTP/1.1\r\nHost: 127.0.0.1:\(client.port)\r\n"
        switch bearer {
        case .service: request += "Authorization: Bearer \(server.serviceToken(for: "matchmaking"))\r\n"
        case .token(let token): request += "Authorization: Bearer \(token)\r\n"
        case .none: break
        }
        try client.send(request + "\r\n")
        return try client.readHTTPResponse()
    }

    private struct Page {
        let events: [(offset: UInt64, object: NSDictionary)]
        let next: UInt64
    }

    private func events(of response: RawHTTPResponse, file: StaticString = #filePath, line: UInt = #line) throws -> Page {
        XCTAssertEqual(response.status, 200, response.bodyText, file: file, line: line)
        XCTAssertEqual(response.header("content-type"), "application/json", file: file, line: line)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let list = try XCTUnwrap(object["events"] as? [[String: Any]], response.bodyText)
        return Page(
            events: list.map { (($0["offset"] as? NSNumber)?.uint64Value ?? 0, NSDictionary(dictionary: $0)) },
            next: (object["next"] as? NSNumber)?.uint64Value ?? .max)
    }

    private func errorObject(_ response: RawHTTPResponse) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try XCTUnwrap(object?["error"] as? [String: Any], response.bodyText)
    }

    private func subscribe(_ server: TestServer, after: UInt64, receiveBufferSize: Int32? = nil) throws -> RawWebSocketClient {
        let client = try connect(server, receiveBufferSize: receiveBufferSize)
        try client.upgrade(
            path: streamPath + "?after=\(after)", headers: ["Authorization": "Bearer " + server.serviceToken(for: "analytics")])
        return client
    }

    private func readOffsets(_ client: RawWebSocketClient, count: Int, timeout: TimeInterval = 10) throws -> [UInt64] {
        try (0..<count).map { _ in
            let object = try client.readJSON(timeout: timeout)
            return (object["offset"] as? NSNumber)?.uint64Value ?? 0
        }
    }
}
