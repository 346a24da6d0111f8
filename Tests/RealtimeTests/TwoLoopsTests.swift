import Foundation
import Protocol
import Realtime
import XCTest

/// A server with two event loops: the hub lives on loop 0, connections are dealt to both, and
/// every event crosses between them in order.
final class TwoLoopsTests: ServerTestCase {
    private let chatsPerMember = 50

    func testEveryMemberOnEitherLoopReceivesEveryEventInSeqOrder() throws {
        let server = try startServer {
            $0.threads = 2
            $0.hub.chatRatePerSecond = 0
        }
        XCTAssertEqual(server.server.loopCount, 2)
        let names = (0..<5).map { "member\($0)" }
        // Dealt round-robin: loops 0, 1, 0, 1, 0.
        let members = try names.map { try signIn($0, to: server) }
        let metrics = try server.metrics()
        let onLoop0 = TestServer.metric(#"partyhub_loop_connections{loop="0"}"#, in: metrics) ?? 0
        let onLoop1 = TestServer.metric(#"partyhub_loop_connections{loop="1"}"#, in: metrics) ?? 0
        XCTAssertGreaterThan(onLoop0, 0, "no connection on loop 0")
        XCTAssertGreaterThan(onLoop1, 0, "no connection on loop 1")
        XCTAssertEqual(TestServer.metric("partyhub_websocket_sessions", in: metrics), 5)

        let created = try members[0].call("party.create", rid: 1)
        guard let party = created.party, let code = party["invite_code"] as? String,
            let partyID = party["id"] as? String
        else {
            return XCTFail("no party in \(created)")
        }
        for index in 1..<members.count {
            let reply = try members[index].call("party.join", rid: 1, ["invite_code": code])
            XCTAssertTrue(reply.isOK, "\(reply)")
            XCTAssertEqual(reply.party?["members"] as? [String], Array(names[0...index]))
        }

        for round in 0..<chatsPerMember {
            for (index, member) in members.enumerated() {
                try member.sendCommand("party.chat", ["text": "\(names[index]) #\(round)"])
            }
        }

        let joins = members.count - 1
        let lastSeq = joins + members.count * chatsPerMember
        for (index, member) in members.enumerated() {
            // A member sees the joins from its own on (the creator: every join), then every chat.
            let firstSeq = max(index, 1)
            var expectedSeq = firstSeq
            var joined: [String] = []
            var roundsBySender: [String: [Int]] = [:]
            while expectedSeq <= lastSeq {
                let event = try member.nextMessage()
                guard event.seq == expectedSeq else {
                    return XCTFail("\(names[index]) expected seq \(expectedSeq), got \(event)")
                }
                XCTAssertEqual(event["party"] as? String, partyID)
                switch event.eventName {
                case "party.member_joined":
                    joined.append(event["player"] as? String ?? "?")
                case "party.chat":
                    let from = event["from"] as? String ?? "?"
                    let text = event["text"] as? String ?? ""
                    XCTAssertTrue(text.hasPrefix(from + " #"), "chat text \(text) from \(from)")
                    roundsBySender[from, default: []].append(Int(text.split(separator: "#").last ?? "") ?? -1)
                default:
                    XCTFail("\(names[index]) got an unexpected event \(event)")
                }
                expectedSeq += 1
            }
            XCTAssertEqual(joined, Array(names[firstSeq...]), "\(names[index]) saw the joins from its own on")
            XCTAssertEqual(roundsBySender.keys.sorted(), names)
            for name in names {
                XCTAssertEqual(
                    roundsBySender[name], Array(0..<chatsPerMember), "\(names[index]) got \(name)'s chats in order")
            }
        }

        // Nothing more is in flight: a last command is answered next on each connection.
        for (index, member) in members.enumerated() {
            try member.sendCommand("party.create", rid: 2)
            let reply = try member.nextMessage()
            XCTAssertEqual(reply["rid"] as? Int, 2, "\(names[index]): \(reply)")
            XCTAssertEqual(reply.errorCode, "already_in_party")
        }
    }

    func testAStalledMemberOnTheOtherLoopIsDroppedAndLeavesTheParty() throws {
        let server = try startServer {
            Self.slowConsumerConfiguration(&$0)
            $0.threads = 2
        }
        // Alice lands on loop 0, with the hub; the stalled member on loop 1.
        let (alice, stalled) = try partyWithASlowMember("alice", "stalled", on: server)
        XCTAssertEqual(try server.metric(#"partyhub_loop_connections{loop="1"}"#), 1)
        var lastSeq = 1
        guard try chat(alice, untilLeft: "stalled", lastSeq: &lastSeq) else { return }
        XCTAssertEqual(try server.metric("partyhub_slow_consumer_drops_total"), 1)
        XCTAssertEqual(try alice.call("party.create", rid: 3).errorCode, "already_in_party")
        XCTAssertEqual(try server.metric("partyhub_players"), 1, "the hub forgot the dropped player")
        try expectWholeEventsUntilTheEnd(of: stalled)
    }
}
