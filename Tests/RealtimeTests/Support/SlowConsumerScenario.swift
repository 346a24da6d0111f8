import Protocol
import Realtime
import XCTest

/// The steps the slow-consumer tests share: a chatting member and a member with a tiny
/// receive buffer in one party, chats until the server drops the second, and the check of
/// what reached the dropped member.
extension ServerTestCase {
    /// The chat text of these tests: 1024 four-byte scalars, the longest allowed, so that
    /// writes are big enough for the kernel to take them in part.
    static let longestChat = String(repeating: "😀", count: 1024)

    /// Chats per batch: about 34 KB of events, under the 64 KiB outbound limit the chatting
    /// member has too.
    static let chatBatch = 8

    /// The server configuration of these tests: a 64 KiB outbound limit, no chat rate limit.
    static func slowConsumerConfiguration(_ configuration: inout ServerConfiguration) {
        configuration.maxOutboundBytes = 64 << 10
        configuration.hub.chatRatePerSecond = 0
    }

    /// Signs in `chatter` (who creates a party) and `slow` (SO_RCVBUF 2048, who joins it).
    func partyWithASlowMember(
        _ chatter: String, _ slow: String, on server: TestServer, file: StaticString = #filePath, line: UInt = #line
    ) throws -> (chatter: RawWebSocketClient, slow: RawWebSocketClient) {
        let chatterClient = try signIn(chatter, to: server)
        let slowClient = try signIn(slow, to: server, receiveBufferSize: 2048)
        let code = try chatterClient.call("party.create", rid: 1).party?["invite_code"] as? String ?? "none"
        XCTAssertTrue(try slowClient.call("party.join", rid: 1, ["invite_code": code]).isOK, file: file, line: line)
        XCTAssertEqual(
            try chatterClient.event("party.member_joined")["player"] as? String, slow, file: file, line: line)
        return (chatterClient, slowClient)
    }

    /// `chatter` sends `longestChat` in batches and reads its own events back (so that it is
    /// no slow consumer itself), checking that each `seq` is one more than `lastSeq`, until
    /// `leaver`'s `member_left` arrives. `afterEachChat` runs after every chat sent. Returns
    /// whether the member left within `maxChats`.
    func chat(
        _ chatter: RawWebSocketClient, untilLeft leaver: String, lastSeq: inout Int, maxChats: Int = 2000,
        afterEachChat: () throws -> Void = {}, file: StaticString = #filePath, line: UInt = #line
    ) throws -> Bool {
        var sent = 0
        var left = false
        while !left && sent < maxChats {
            for _ in 0..<Self.chatBatch {
                try chatter.sendCommand("party.chat", ["text": Self.longestChat])
                try afterEachChat()
            }
            sent += Self.chatBatch
            var chats = 0
            while chats < Self.chatBatch {
                let event = try chatter.nextMessage()
                XCTAssertEqual(
                    event.seq, lastSeq + 1, "events without gaps: \(event.eventName ?? "?")", file: file, line: line)
                lastSeq = event.seq ?? lastSeq
                switch event.eventName {
                case "party.chat":
                    chats += 1
                case "party.member_left":
                    XCTAssertEqual(event["player"] as? String, leaver, file: file, line: line)
                    left = true
                default:
                    XCTFail("unexpected \(event)", file: file, line: line)
                }
            }
        }
        XCTAssertTrue(left, "\(leaver) was not dropped after \(sent) chats", file: file, line: line)
        return left
    }

    /// Reads what reaches a dropped member until its connection ends: whole JSON events, then
    /// a close 1008 or the end of the stream (possibly inside a frame the server could not
    /// finish); never a frame with foreign bytes spliced into it.
    func expectWholeEventsUntilTheEnd(
        of client: RawWebSocketClient, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let end = try client.readUntilConnectionEnds(
            inspect: { frame in
                let event = try RawWebSocketClient.decodeJSON(frame)
                XCTAssertNotNil(event.eventName, "\(frame)", file: file, line: line)
            },
            inspectCutOffFrame: { bytes in
                XCTAssertTrue(
                    Self.isCutOffChatFrame(Array(bytes)),
                    "foreign bytes in a cut-off frame: \(Array(bytes.suffix(24)))",
                    file: file, line: line)
            })
        XCTAssertTrue(
            [.closeFrame(code: 1008), .endOfStream, .endOfStreamInsideFrame].contains(end), "\(end)", file: file,
            line: line)
    }

    /// Whether `bytes` are the start of a text frame whose payload so far is an event of these
    /// tests: ASCII JSON and 😀, possibly ending inside a 😀.
    static func isCutOffChatFrame(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2, bytes[0] == 0x81 else { return false }
        let headerLength = bytes[1] == 126 ? 4 : (bytes[1] == 127 ? 10 : 2)
        guard bytes.count >= headerLength else { return true }
        var payload = Array(bytes[headerLength...])
        let emoji = Array("😀".utf8)
        for length in stride(from: 3, through: 1, by: -1)
        where payload.count >= length && Array(payload.suffix(length)) == Array(emoji.prefix(length)) {
            payload.removeLast(length)
            break
        }
        guard let text = String(validating: payload, as: UTF8.self) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "😀" || ($0.value >= 0x20 && $0.value < 0x7F) }
    }
}
