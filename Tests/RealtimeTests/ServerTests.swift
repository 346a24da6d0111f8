import Foundation
import Protocol
import Realtime
import XCTest

/// The real server on loopback, driven byte for byte by a raw client.
final class ServerTests: ServerTestCase {
    private static let ping = WebSocketOpcode.ping.rawValue
    private static let pong = WebSocketOpcode.pong.rawValue
    private static let close = WebSocketOpcode.close.rawValue

    // MARK: Handshake

    func testUpgradeSwitchesProtocolsAndGreetsWithSessionReady() throws {
        let server = try startServer()
        let client = try connect(server)
        let response = try client.upgrade(path: server.partyPath(token: server.token(for: "alice")))
        XCTAssertEqual(response.statusLine, "HTTP/1.1 101 Switching Protocols")
        XCTAssertNil(response.header("content-length"), "a 101 has no body")
        let ready = try client.readFrame()
        XCTAssertEqual(ready.opcode, WebSocketOpcode.text.rawValue)
        XCTAssertTrue(ready.fin)
        XCTAssertEqual(ready.text, #"{"ev":"session.ready","player":"alice","party":null,"invites":[]}"#)
    }

    func testAcceptKeyOfTheRFCExample() throws {
        let server = try startServer()
        let client = try connect(server)
        // RFC 6455 §1.3: this key is answered with s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
        let response = try client.upgrade(
            path: server.partyPath(token: server.token(for: "alice")), key: "dGhlIHNhbXBsZSBub25jZQ==")
        XCTAssertEqual(response.header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    }

    func testBearerAuthorizationHeaderSignsIn() throws {
        let server = try startServer()
        let client = try connect(server)
        try client.upgrade(
            path: server.configuration.partyPath,
            headers: ["Authorization": "Bearer \(server.token(for: "bearer.user"))"])
        let ready = try client.readJSON()
        XCTAssertEqual(ready["ev"] as? String, "session.ready")
        XCTAssertEqual(ready["player"] as? String, "bearer.user")
    }


    func testMissingTokenIs401() throws {
        let server = try startServer()
        let response = try refusedUpgrade(server, path: server.configuration.partyPath)
        XCTAssertEqual(response.status, 401)
        XCTAssertEqual(response.header("www-authenticate"), "Bearer")
        XCTAssertEqual(try refusedUpgrade(server, path: server.configuration.partyPath + "?token=").status, 401)
    }

    func testBadTokensAre401() throws {
        let server = try startServer()
        let partyPath = server.configuration.partyPath
        for (what, token) in [
            ("another secret", server.forgedToken(for: "mallory")),
            ("expired", server.token(for: "alice", expiresIn: -3600)),
            ("not a JWT", "not-a-token"),
            ("bad subject", server.token(for: "white space")),
        ] {
            let query = try refusedUpgrade(
                server,
                path: partyPath + "?token=" + token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            XCTAssertEqual(query.status, 401, what)
            let header = try refusedUpgrade(server, path: partyPath, headers: ["Authorization": "Bearer \(token)"])
            XCTAssertEqual(header.status, 401, what)
        }
    }

    func testUpgradeWithoutKeyOrUpgradeHeaderIs400() throws {
        let server = try startServer()
        let path = server.partyPath(token: server.token(for: "alice"))
        let noKey = try refusedUpgrade(server, path: path, headers: ["Sec-WebSocket-Key": nil])
        XCTAssertEqual(noKey.status, 400)
        let badKey = try refusedUpgrade(server, path: path, headers: ["Sec-WebSocket-Key": "dG9vIHNob3J0"])
        XCTAssertEqual(badKey.status, 400)
        let noUpgrade = try refusedUpgrade(server, path: path, headers: ["Upgrade": nil])
        XCTAssertEqual(noUpgrade.status, 400)
        XCTAssertNil(noUpgrade.header("sec-websocket-accept"))
    }

    func testUnsupportedVersionIs426WithTheVersionSpoken() throws {
        let server = try startServer()
        let response = try refusedUpgrade(
            server, path: server.partyPath(token: server.token(for: "alice")), headers: ["Sec-WebSocket-Version": "8"])
        XCTAssertEqual(response.status, 426)
        XCTAssertEqual(response.header("sec-websocket-version"), "13")
    }

    func testUnknownPathIs404AndTheConnectionStaysUsable() throws {
        let server = try startServer()
        let client = try connect(server)
        let notFound = try client.get("/nowhere")
        XCTAssertEqual(notFound.status, 404)
        XCTAssertEqual(try client.get("/healthz").status, 200, "keep-alive after a 404")
    }

    func testPostOnTheWebSocketPathIs405() throws {
        let server = try startServer()
        let client = try connect(server)
        try client.send(
            "POST \(server.configuration.partyPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}")
        let response = try client.readHTTPResponse()
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("allow"), "GET")
    }

    func testRequestHeadOver8KiBIs431() throws {
        let server = try startServer()
        let client = try connect(server)
        try client.send(
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: \(String(repeating: "f", count: 9000))\r\n\r\n")
        let response = try client.readHTTPResponse()
        XCTAssertEqual(response.status, 431)
    }

    func testHealthAndMetricsOnOneKeptAliveConnection() throws {
        let server = try startServer()
        let client = try connect(server)
        let health = try client.get("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.bodyText, "ok\n")
        XCTAssertNotEqual(health.header("connection")?.lowercased(), "close")
        let metrics = try client.get("/metrics")
        XCTAssertEqual(metrics.status, 200)
        XCTAssertEqual(metrics.header("content-type"), "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertNotNil(TestServer.metric("partyhub_open_connections", in: metrics.bodyText))
        XCTAssertGreaterThanOrEqual(TestServer.metric("partyhub_open_connections", in: metrics.bodyText) ?? 0, 1)
        XCTAssertEqual(TestServer.metric("partyhub_connections_accepted_total", in: metrics.bodyText), 1)
        // Connection: close is honoured.
        let last = try client.get("/healthz", close: true)
        XCTAssertEqual(last.status, 200)
        XCTAssertEqual(last.header("connection")?.lowercased(), "close")
        XCTAssertEqual(try client.readUntilEndOfStream(), 0)
    }

    // MARK: Control frames and closing

    func testPingIsAnsweredWithAPongCarryingTheSamePayload() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        let payload: [UInt8] = Array("are you there?".utf8) + [0, 0xFF, 0x80]
        try client.sendFrame(.ping, payload: payload)
        let pong = try client.readFrame()
        XCTAssertEqual(pong.opcode, Self.pong)
        XCTAssertEqual(pong.payload, payload)
        try client.sendFrame(.ping, payload: [])
        let empty = try client.readFrame()
        XCTAssertEqual(empty.opcode, Self.pong)
        XCTAssertEqual(empty.payload, [])
    }

    func testCloseHandshakeEchoesTheCodeThenEnds() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        try client.sendClose(code: 1000, reason: "bye")
        let close = try client.readFrame()
        XCTAssertEqual(close.opcode, Self.close)
        XCTAssertEqual(close.closeCode, 1000)
        XCTAssertEqual(try client.readUntilEndOfStream(), 0, "end of stream right after the close echo")
        XCTAssertEqual(try server.metric(#"partyhub_websocket_closes_total{code="1000"}"#), 1)
        XCTAssertEqual(try server.metric("partyhub_websocket_sessions"), 0)
    }

    func testFragmentedTextWithAPingBetweenIsEchoedWhole() throws {
        let server = try startServer { $0.echoPath = "/echo" }
        let client = try openEcho(server)
        let whole = Array("Hello, wörld".utf8)
        let cut = whole.firstIndex(of: 0xC3)! + 1  // inside the two bytes of "ö"
        try client.sendFrame(.text, fin: false, payload: Array(whole[0..<3]))
        try client.sendFrame(.ping, payload: Array("between".utf8))
        try client.sendFrame(.continuation, fin: false, payload: Array(whole[3..<cut]))
        try client.sendFrame(.continuation, fin: true, payload: Array(whole[cut...]))
        let pong = try client.readFrame()
        XCTAssertEqual(pong.opcode, Self.pong)
        XCTAssertEqual(pong.payload, Array("between".utf8))
        let echo = try client.readFrame()
        XCTAssertEqual(echo.opcode, WebSocketOpcode.text.rawValue)
        XCTAssertTrue(echo.fin)
        XCTAssertEqual(echo.text, "Hello, wörld")
        // The next message starts afresh.
        try client.sendFrame(.binary, payload: [1, 2, 3])
        let binary = try client.readFrame()
        XCTAssertEqual(binary.opcode, WebSocketOpcode.binary.rawValue)
        XCTAssertEqual(binary.payload, [1, 2, 3])
    }

    /// Reads the server's close frame, expecting `code`, then end of stream after replying.
    private func expectClose(
        _ client: RawWebSocketClient, code: UInt16, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let end = try client.readUntilConnectionEnds(inspect: { frame in
            XCTFail("unexpected frame before the close: \(frame)", file: file, line: line)
        })
        XCTAssertEqual(end, .closeFrame(code: code), file: file, line: line)
        try? client.sendClose(code: 1000)
        XCTAssertEqual(try client.readUntilEndOfStream(), 0, file: file, line: line)
    }

    func testBinaryMessageOnThePartyEndpointCloses1003() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        try client.sendFrame(.binary, payload: Array(#"{"op":"party.create","rid":1}"#.utf8))
        try expectClose(client, code: 1003)
    }

    func testMessageAnnouncedOverTheLimitCloses1009BeforeItsPayload() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        // A masked text header announcing 1 MiB (64-bit length), and no mask key or payload.
        try client.send([0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0x10, 0, 0])
        try expectClose(client, code: 1009)
    }

    func testFragmentsAddingUpOverTheLimitClose1009() throws {
        let server = try startServer { $0.maxMessageBytes = 1000 }
        let client = try signIn("alice", to: server)
        try client.sendFrame(.text, fin: false, payload: Array(repeating: UInt8(ascii: "a"), count: 600))
        // The second header alone (16-bit length 600) takes the message over 1000 bytes.
        try client.send([0x80, 0x80 | 126, 0x02, 0x58])
        try expectClose(client, code: 1009)
    }

    func testInvalidUTF8TextCloses1007() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        try client.sendFrame(.text, payload: [UInt8(ascii: "{"), 0xC3, 0x28, UInt8(ascii: "}")])
        try expectClose(client, code: 1007)
    }

    func testUnmaskedFrameCloses1002() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        try client.sendUnmaskedFrame(.text, payload: Array(#"{"op":"party.create"}"#.utf8))
        try expectClose(client, code: 1002)
    }

    func testFramingViolationsClose1002() throws {
        let server = try startServer { $0.echoPath = "/echo" }
        let mask: [UInt8] = [0x11, 0x22, 0x33, 0x44]
        let cases: [(String, (RawWebSocketClient) throws -> Void)] = [
            ("a reserved bit", { try $0.sendFrame(.text, rsv: 0b100, payload: Array("x".utf8)) }),
            ("reserved opcode 3", { try $0.send([0x83, 0x80] + mask) }),
            ("reserved opcode 11", { try $0.send([0x8B, 0x80] + mask) }),
            ("a fragmented ping", { try $0.sendFrame(.ping, fin: false, payload: []) }),
            ("a ping over 125 bytes", { try $0.sendFrame(.ping, payload: Array(repeating: 0x61, count: 126)) }),
            ("a continuation without a message", { try $0.sendFrame(.continuation, payload: Array("x".utf8)) }),
            (
                "a new message inside a fragmented one",
                {
                    try $0.sendFrame(.text, fin: false, payload: Array("a".utf8))
                    try $0.sendFrame(.text, payload: Array("b".utf8))
                }
            ),
            ("a close payload of one byte", { try $0.sendFrame(.close, payload: [0x03]) }),
            ("close code 1005", { try $0.sendClose(code: 1005) }),
            ("close code 999", { try $0.sendClose(code: 999) }),
        ]
        for (what, send) in cases {
            let client = try openEcho(server)
            try send(client)
            let end = try client.readUntilConnectionEnds(inspect: { XCTFail("\(what): unexpected \($0)") })
            XCTAssertEqual(end, .closeFrame(code: 1002), what)
            XCTAssertEqual(try client.readUntilEndOfStream(), 0, what)
        }
    }

    func testRequestsAndFramesAreReadAlikeSplitOrCoalesced() throws {
        let server = try startServer()
        let client = try connect(server)
        // The upgrade and the first command in one write.
        let key = RawWebSocketClient.randomKey()
        var bytes = Array(
            RawWebSocketClient.upgradeRequest(
                path: server.partyPath(token: server.token(for: "alice")), port: server.port, key: key
            ).utf8)
        bytes += WebSocketFrameEncoder.maskedFrame(
            opcode: .text, payload: Array(#"{"op":"party.leave","rid":1}"#.utf8), maskKey: (1, 2, 3, 4))
        try client.send(bytes)
        let response = try client.readHTTPResponse()
        XCTAssertEqual(response.status, 101)
        XCTAssertEqual(response.header("sec-websocket-accept"), RawWebSocketClient.expectedAccept(for: key))
        XCTAssertEqual(try client.nextMessage()["ev"] as? String, "session.ready")
        XCTAssertEqual(try client.nextMessage().errorCode, "not_in_party")
        // A command one byte at a time (a longer payload, with a 16-bit length).
        let text = String(repeating: "é", count: 100)
        let frame = WebSocketFrameEncoder.maskedFrame(
            opcode: .text, payload: Array(#"{"op":"party.chat","rid":2,"text":"\#(text)"}"#.utf8), maskKey: (9, 8, 7, 6)
        )
        XCTAssertEqual(frame[1], 0x80 | 126)
        for byte in frame {
            try client.send([byte])
            usleep(200)
        }
        XCTAssertEqual(try client.nextMessage().errorCode, "not_in_party")
        // Three commands in one write are answered in order.
        var three: [UInt8] = []
        for rid in 3...5 {
            three += WebSocketFrameEncoder.maskedFrame(
                opcode: .text, payload: Array(#"{"op":"party.leave","rid":\#(rid)}"#.utf8),
                maskKey: (UInt8(rid), 0, 0xFF, 7))
        }
        try client.send(three)
        XCTAssertEqual(try (3...5).map { _ in try client.nextMessage()["rid"] as? Int }, [3, 4, 5])
    }

    // MARK: Party messages

    func testMalformedJSONGetsInvalidMessageWithNullRidAndTheConnectionStaysOpen() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        try client.sendText(#"{"op":"party.create","rid":1"#)
        let reply = try client.readJSON()
        XCTAssertTrue(reply["rid"] is NSNull, "rid is null: \(reply)")
        XCTAssertEqual(reply["ok"] as? Bool, false)
        XCTAssertEqual(reply.errorCode, "invalid_message")
        XCTAssertNotNil((reply["error"] as? JSONObject)?["message"] as? String)
        let created = try client.call("party.create", rid: 2)
        XCTAssertTrue(created.isOK, "\(created)")
        XCTAssertEqual(created.party?["leader"] as? String, "alice")
    }

    func testUnknownOpWithRidGetsUnknownOp() throws {
        let server = try startServer()
        let client = try signIn("alice", to: server)
        let reply = try client.call("party.dance", rid: 5)
        XCTAssertEqual(reply["rid"] as? Int, 5)
        XCTAssertEqual(reply["ok"] as? Bool, false)
        XCTAssertEqual(reply.errorCode, "unknown_op")
    }

    func testPartyRoundTripOverTheWire() throws {
        let server = try startServer()
        let alice = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        let created = try alice.call("party.create", rid: 1)
        guard let party = created.party, let code = party["invite_code"] as? String, let id = party["id"] as? String
        else {
            return XCTFail("no party in \(created)")
        }
        XCTAssertEqual(code.count, 8)
        XCTAssertTrue(code.allSatisfy { "ABCDEFGHJKMNPQRSTUVWXYZ23456789".contains($0) }, code)
        XCTAssertEqual(party["members"] as? [String], ["alice"])
        XCTAssertEqual(party["max_members"] as? Int, 5)
        // The reply comes before the joiner's own member_joined.
        try bob.sendCommand("party.join", rid: 2, ["invite_code": code])
        let joinReply = try bob.nextMessage()
        XCTAssertEqual(joinReply["rid"] as? Int, 2)
        XCTAssertEqual(joinReply.party?["members"] as? [String], ["alice", "bob"])
        let bobJoined = try bob.nextMessage()
        XCTAssertEqual(bobJoined.eventName, "party.member_joined")
        XCTAssertEqual(bobJoined["player"] as? String, "bob")
        XCTAssertEqual(bobJoined["party"] as? String, id)
        XCTAssertEqual(bobJoined.seq, 1)
        XCTAssertEqual(try alice.event("party.member_joined").seq, 1)
        try alice.sendCommand("party.chat", ["text": "hi bob"])
        for client in [alice, bob] {
            let chat = try client.nextMessage()
            XCTAssertEqual(chat.eventName, "party.chat")
            XCTAssertEqual(chat["from"] as? String, "alice")
            XCTAssertEqual(chat["text"] as? String, "hi bob")
            XCTAssertEqual(chat.seq, 2)
            XCTAssertNotNil(chat["ts"] as? Int)
        }
        XCTAssertEqual(try bob.call("party.join", rid: 3, ["invite_code": code]).errorCode, "already_in_party")
        // Bob disconnects: he leaves the party, and Alice hears it.
        bob.close()
        let left = try alice.event("party.member_left")
        XCTAssertEqual(left["player"] as? String, "bob")
        XCTAssertEqual(left.seq, 3)
    }

    func testTwoConnectionsOfOnePlayerAreOneMemberAndBothReceiveEvents() throws {
        let server = try startServer()
        let desktop = try signIn("alice", to: server)
        let phone = try signIn("alice", to: server)
        let bob = try signIn("bob", to: server)
        guard let code = try desktop.call("party.create", rid: 1).party?["invite_code"] as? String else {
            return XCTFail("no party")
        }
        XCTAssertEqual(try phone.call("party.create", rid: 1).errorCode, "already_in_party", "the phone is alice too")
        XCTAssertEqual(
            try bob.call("party.join", rid: 1, ["invite_code": code]).party?["members"] as? [String], ["alice", "bob"])
        try bob.sendCommand("party.chat", ["text": "hello alice"])
        for client in [desktop, phone] {
            XCTAssertEqual(try client.event("party.member_joined")["player"] as? String, "bob")
            let chat = try client.event("party.chat")
            XCTAssertEqual(chat["text"] as? String, "hello alice")
            XCTAssertEqual(chat.seq, 2)
        }
        // One connection closes: alice stays.
        desktop.close()
        try bob.sendCommand("party.chat", ["text": "still there?"])
        let chat = try phone.event("party.chat")
        XCTAssertEqual(chat["text"] as? String, "still there?")
        XCTAssertEqual(chat.seq, 3, "no member_left came between")
        // The last one closes: alice leaves, and bob leads.
        phone.close()
        XCTAssertEqual(try bob.event("party.member_left")["player"] as? String, "alice")
        let leader = try bob.event("party.leader_changed")
        XCTAssertEqual(leader["leader"] as? String, "bob")
        XCTAssertEqual(leader.seq, 5)
    }

    // MARK: Slow consumers and timers

    func testASlowConsumerIsDroppedAndTheOthersKeepReceiving() throws {
        let server = try startServer(Self.slowConsumerConfiguration)
        let (alice, stalled) = try partyWithASlowMember("alice", "stalled", on: server)
        // From here on the stalled member reads nothing.
        var lastSeq = 1
        guard try chat(alice, untilLeft: "stalled", lastSeq: &lastSeq) else { return }
        XCTAssertGreaterThanOrEqual(try server.metric("partyhub_slow_consumer_drops_total") ?? 0, 1)
        XCTAssertEqual(try server.metric(#"partyhub_websocket_closes_total{code="1008"}"#), 1)
        // Alice is still served.
        let reply = try alice.call("party.chat", rid: 99, ["text": "still here"])
        XCTAssertTrue(reply.isOK, "\(reply)")
        XCTAssertEqual(try alice.event("party.chat").seq, lastSeq + 1)
        try expectWholeEventsUntilTheEnd(of: stalled)
    }

    func testASlowlyReadingConsumerGetsWholeFramesUntilItIsDropped() throws {
        let server = try startServer(Self.slowConsumerConfiguration)
        let (alice, slow) = try partyWithASlowMember("alice", "slow", on: server)
        // The slow member takes a little after each of Alice's chats, far less than she sends,
        // so the server often has room in the socket when the backlog passes the limit.
        var lastSeq = 1
        guard
            try chat(
                alice, untilLeft: "slow", lastSeq: &lastSeq,
                afterEachChat: {
                    try slow.receiveSome(upTo: 3000, timeout: 0.001)
                })
        else { return }
        try expectWholeEventsUntilTheEnd(of: slow)
    }

    func testAnIdleClientIsPingedThenClosedWith1001() throws {
        let server = try startServer {
            $0.idleTimeout = 1
            $0.pingInterval = 0.3
        }
        let client = try signIn("sleepy", to: server)
        var pings = 0
        let end = try client.readUntilConnectionEnds(inspect: { frame in
            XCTAssertEqual(frame.opcode, Self.ping, "\(frame)")
            pings += 1
        })
        XCTAssertGreaterThanOrEqual(pings, 1, "pinged before being closed")
        XCTAssertTrue([.closeFrame(code: 1001), .endOfStream].contains(end), "\(end)")
    }

    func testAClientThatAnswersPingsStaysOpenPastTheIdleTimeout() throws {
        let server = try startServer {
            $0.idleTimeout = 1
            $0.pingInterval = 0.3
        }
        let client = try signIn("awake", to: server)
        let until = Date(timeIntervalSinceNow: 1.6)
        var pings = 0
        while Date() < until {
            let frame = try client.readFrame(timeout: 2)
            XCTAssertEqual(frame.opcode, Self.ping, "\(frame)")
            if frame.opcode != Self.ping { return }
            pings += 1
            try client.sendFrame(.pong, payload: frame.payload)
        }
        XCTAssertGreaterThanOrEqual(pings, 2)
        let reply = try client.call("party.create", rid: 1)
        XCTAssertTrue(reply.isOK, "\(reply)")
    }

    func testAHalfSentRequestIsDroppedAfterTheHandshakeTimeout() throws {
        let server = try startServer { $0.handshakeTimeout = 0.5 }
        let client = try connect(server)
        try client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        XCTAssertEqual(try client.readUntilEndOfStream(timeout: 3), 0, "dropped without a response")
    }

    func testShutdownClosesOpenWebSocketsWith1001() throws {
        let server = try startServer { $0.echoPath = "/echo" }
        let party = try signIn("alice", to: server)
        let echo = try openEcho(server)
        let http = try connect(server)
        XCTAssertEqual(try http.get("/healthz").status, 200)
        server.server.shutdown()
        for client in [party, echo] {
            let close = try client.readFrame()
            XCTAssertEqual(close.opcode, Self.close)
            XCTAssertEqual(close.closeCode, 1001)
            try client.sendClose(code: 1001)
            XCTAssertEqual(try client.readUntilEndOfStream(), 0)
        }
        XCTAssertEqual(try http.readUntilEndOfStream(), 0, "an idle HTTP connection is closed")
        XCTAssertTrue(server.stop())
        XCTAssertThrowsError(try RawWebSocketClient(port: server.port), "the listener is closed")
    }

    /// While a WebSocket takes its time to close, the port stays open: a probe gets `/healthz`
    /// 503 and an upgrade 503 (each connection then closed), not a refused connection; the
    /// listener closes once the last connection is gone, well before the grace is over.
    func testWhileDrainingHealthzAndUpgradesAnswer503ThenTheListenerCloses() throws {
        let server = try startServer { $0.shutdownGrace = 30 }
        let alice = try signIn("alice", to: server)
        XCTAssertEqual(try server.get("/healthz").status, 200)
        let started = Date()
        server.server.shutdown()
        let close = try alice.readFrame()
        XCTAssertEqual(close.closeCode, 1001)
        // alice does not answer the close yet: the server is draining.
        for _ in 0..<2 {
            let probe = try connect(server)
            let health = try probe.get("/healthz")
            XCTAssertEqual(health.status, 503)
            XCTAssertEqual(health.bodyText, "shutting down\n")
            XCTAssertEqual(health.header("connection")?.lowercased(), "close")
            XCTAssertEqual(try probe.readUntilEndOfStream(), 0, "the probe's connection is closed after the answer")
        }
        let refusal = try refusedUpgrade(server, path: server.partyPath(token: server.token(for: "bob")))
        XCTAssertEqual(refusal.status, 503)
        try alice.sendClose(code: 1001)
        XCTAssertEqual(try alice.readUntilEndOfStream(), 0)
        XCTAssertTrue(server.stop(timeout: 10))
        XCTAssertLessThan(Date().timeIntervalSince(started), 15, "drained: the loops stop without waiting out the 30 s grace")
        XCTAssertThrowsError(try RawWebSocketClient(port: server.port), "the listener is closed once drained")
    }
}
