import Foundation
import Glibc
import Protocol
import TestSupport
import XCTest

/// The stream's promise against the real binary: a consumer follows
/// `/api/v1/social/party/events/stream` while players change parties under load, the server
/// is SIGKILLed at random moments (snapshots in between, so the files' own sync is exercised
/// too), and after every restart the consumer resumes from the last offset it saw. In the end
/// it has seen every offset from 1 exactly once, in order, each event as the restarted server
/// serves it (nothing a crash took back was ever shown), and it has caught up to the last.
final class EventStreamCrashTests: XCTestCase {
    func testAConsumerResumingFromItsOffsetAcrossKillsMissesNothingAndSeesNothingTwice() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["PARTYHUB_CRASH_SEED"] ?? "") ?? UInt64.random(in: 1...UInt64.max)
        var random = SplitMix64(seed: seed)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("partyhub-events-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let consumer = StreamConsumer()
        for round in 0..<6 {
            let server = try PartyhubProcess.start(
                dataDirectory: directory.path,
                arguments: ["--threads", round % 2 == 0 ? "1" : "2", "--snapshot-every", "40"])
            let producers = (0..<2).map { EventProducer(player: "maker\($0)-\(round)") }
            let done = DispatchGroup()
            let port = server.port
            let workers: [@Sendable () -> Void] = [{ consumer.follow(port: port) }] + producers.map { producer in { producer.run(port: port) } }
            for worker in workers {
                done.enter()
                Thread {
                    worker()
                    done.leave()
                }.start()
            }
            usleep(useconds_t(200_000 + random.next(below: 500_000)))
            server.kill()
            done.wait()
            if let failure = consumer.failure {
                return XCTFail("round \(round) (seed \(seed)): \(failure); server log:\n\(server.log)")
            }
        }
        let server = try PartyhubProcess.start(dataDirectory: directory.path, arguments: [])
        defer { try? server.terminate() }
        let served = try StreamConsumer.everyEvent(port: server.port)
        XCTAssertGreaterThan(served.count, 100, "the load should have published many events (seed \(seed))")
        // Catch up on what the last kill left unseen, then stop following.
        try consumer.catchUp(port: server.port, through: UInt64(served.count))
        let seen = consumer.seen
        XCTAssertEqual(seen.map(\.offset), Array(1...UInt64(served.count)), "every offset once, in order (seed \(seed))")
        for (index, event) in seen.enumerated() where event.json != served[index] {
            XCTFail("offset \(event.offset) was \(event.json), the restarted server serves \(served[index]) (seed \(seed))")
            break
        }
        XCTAssertGreaterThan(consumer.resumes, 5, "the consumer resumed after every kill")
    }
}

/// A service following the stream: it remembers every event it received and resumes after
/// the last one each time it connects.
private final class StreamConsumer: @unchecked Sendable {
    private(set) var seen: [(offset: UInt64, json: String)] = []
    private(set) var failure: String?
    private(set) var resumes = 0

    private var lastOffset: UInt64 { seen.last?.offset ?? 0 }

    static func token() -> String {
        JWTCodec(secret: Array(PartyhubProcess.secret.utf8)).sign(
            subject: "analytics", expiresAt: Int64(Date().timeIntervalSince1970) + 3600, role: "service")
    }

    /// Follows the stream from the last offset seen until the connection dies.
    func follow(port: Int) {
        do {
            let client = try connect(port: port)
            defer { client.close() }
            while true {
                guard let event = try next(client, timeout: 30) else { return }
                try take(event)
            }
        } catch {
            // The kill ends the connection (reset, end of stream): that is the point.
            if case let error as ClientError = error, !Self.isConnectionEnd(error) { failure = "\(error)" }
        }
    }

    /// Follows until offset `last` is in.
    func catchUp(port: Int, through last: UInt64) throws {
        let client = try connect(port: port)
        defer { client.close() }
        while lastOffset < last {
            guard let event = try next(client, timeout: 10) else { throw ClientError("the stream ended at \(lastOffset)") }
            try take(event)
        }
    }

    /// Every event the server serves now, through `GET …/events` pages.
    static func everyEvent(port: Int) throws -> [String] {
        var events: [String] = []
        let client = try RawWebSocketClient(port: port)
        defer { client.close() }
        while true {
            try client.send(
                "GET /api/v1/social/party/events?after=\(events.count)&limit=1000 HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
                    + "Authorization: Bearer \(token())\r\n\r\n")
            let response = try client.readHTTPResponse()
            guard response.status == 200 else { throw ClientError("a page answered \(response.statusLine): \(response.bodyText)") }
            let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            let page = try XCTUnwrap(object?["events"] as? [[String: Any]])
            if page.isEmpty { return events }
            for event in page {
                let data = try JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])
                events.append(String(decoding: data, as: UTF8.self))
            }
        }
    }

    private func connect(port: Int) throws -> RawWebSocketClient {
        let client = try RawWebSocketClient(port: port)
        let response = try client.upgrade(
            path: "/api/v1/social/party/events/stream?after=\(lastOffset)", headers: ["Authorization": "Bearer " + Self.token()])
        guard response.status == 101 else { throw ClientError("the stream answered \(response.statusLine)") }
        resumes += 1
        return client
    }

    /// The next event's offset and JSON (keys sorted, to compare with the pages), nil at a close.
    private func next(_ client: RawWebSocketClient, timeout: TimeInterval) throws -> (UInt64, String)? {
        while true {
            let frame = try client.readFrame(timeout: timeout)
            switch frame.opcode {
            case WebSocketOpcode.ping.rawValue, WebSocketOpcode.pong.rawValue: continue
            case WebSocketOpcode.close.rawValue: return nil
            default:
                let object = try RawWebSocketClient.decodeJSON(frame)
                let offset = (object["offset"] as? NSNumber)?.uint64Value ?? 0
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                return (offset, String(decoding: data, as: UTF8.self))
            }
        }
    }

    private func take(_ event: (UInt64, String)) throws {
        guard event.0 == lastOffset + 1 else {
            throw ClientError("offset \(event.0) came after \(lastOffset): \(event.0 <= lastOffset ? "seen twice" : "a gap")")
        }
        seen.append(event)
    }

    private static func isConnectionEnd(_ error: ClientError) -> Bool {
        let text = error.description
        return text.contains("end of stream") || text.contains("reset") || text.contains("timed out")
            || error.description == ClientError.reset.description
    }
}

/// A player creating and leaving parties as fast as the server answers, until the connection
/// dies: three events a round (created, member-left, disbanded).
private final class EventProducer: @unchecked Sendable {
    let player: String

    init(player: String) { self.player = player }

    func run(port: Int) {
        do {
            let client = try RawWebSocketClient(port: port)
            defer { client.close() }
            let token = JWTCodec(secret: Array(PartyhubProcess.secret.utf8)).sign(
                subject: player, expiresAt: Int64(Date().timeIntervalSince1970) + 3600)
            try client.upgrade(path: "/api/v1/social/party/ws?token=" + token)
            _ = try client.readJSON()
            var rid = 0
            while true {
                for _ in 0..<5 {
                    try client.sendCommand("party.create", rid: rid + 1)
                    try client.sendCommand("party.leave", rid: rid + 2)
                    rid += 2
                }
                _ = try client.reply(rid: rid)
            }
        } catch {
            return  // the kill
        }
    }
}
