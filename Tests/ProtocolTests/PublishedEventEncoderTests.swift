import Protocol
import XCTest

/// The JSON of the events published for other services (docs/PROTOCOL.md, "Events out"): the
/// field names and order of the contract, strings escaped, `winner` null when nobody won, and
/// the frame the stream sends: one text frame whose payload is exactly that JSON.
final class PublishedEventEncoderTests: XCTestCase {
    private func json(_ kind: PublishedEvent.Kind, offset: UInt64 = 7, ts: Int64 = 1_764_601_234_567) -> String {
        PublishedEventEncoder.json(PublishedEvent(offset: offset, ts: ts, kind: kind))
    }

    func testPartyCreated() {
        XCTAssertEqual(
            json(.partyCreated(party: "p1", leader: "alice", maxMembers: 5, lootMode: .needGreed)),
            #"{"offset":7,"type":"party:created","ts":1764601234567,"party":"p1","leader":"alice","max_members":5,"loot_mode":"NEED_GREED"}"#
        )
    }

    func testMembershipChanges() {
        XCTAssertEqual(
            json(.memberJoined(party: "p1", player: "bob")),
            #"{"offset":7,"type":"party:member-joined","ts":1764601234567,"party":"p1","player":"bob"}"#)
        XCTAssertEqual(
            json(.memberLeft(party: "p1", player: "bob", reason: "kicked")),
            #"{"offset":7,"type":"party:member-left","ts":1764601234567,"party":"p1","player":"bob","reason":"kicked"}"#)
        XCTAssertEqual(
            json(.leaderChanged(party: "p1", leader: "carol")),
            #"{"offset":7,"type":"party:leader-changed","ts":1764601234567,"party":"p1","leader":"carol"}"#)
        XCTAssertEqual(
            json(.disbanded(party: "p1", reason: PublishedEvent.DisbandReason.empty)),
            #"{"offset":7,"type":"party:disbanded","ts":1764601234567,"party":"p1","reason":"empty"}"#)
    }

    func testLootRolledWithAWinnerAndWithNone() {
        let item = DroppedItem(itemID: "sword_1", name: "Sword \"of\" Dawn", quality: .epic)
        XCTAssertEqual(
            json(.lootRolled(party: "p1", roll: "roll_3", item: item, winner: "bob", reason: "need")),
            #"{"offset":7,"type":"party:loot-rolled","ts":1764601234567,"party":"p1","roll":"roll_3","#
                + #""item":{"item_id":"sword_1","name":"Sword \"of\" Dawn","quality":"epic"},"winner":"bob","reason":"need"}"#)
        XCTAssertEqual(
            json(.lootRolled(party: "p1", roll: "roll_4", item: item, winner: nil, reason: "nobody")),
            #"{"offset":7,"type":"party:loot-rolled","ts":1764601234567,"party":"p1","roll":"roll_4","#
                + #""item":{"item_id":"sword_1","name":"Sword \"of\" Dawn","quality":"epic"},"winner":null,"reason":"nobody"}"#)
    }

    func testQuestCompletedListsTheMembers() {
        XCTAssertEqual(
            json(.questCompleted(party: "p1", questID: "q_9", members: ["alice", "bob"])),
            #"{"offset":7,"type":"party:quest-completed","ts":1764601234567,"party":"p1","quest_id":"q_9","members":["alice","bob"]}"#
        )
        XCTAssertEqual(
            json(.questCompleted(party: "p1", questID: "q_9", members: [])),
            #"{"offset":7,"type":"party:quest-completed","ts":1764601234567,"party":"p1","quest_id":"q_9","members":[]}"#)
    }

    func testGroupEventsCarryTheContractsFields() {
        XCTAssertEqual(
            json(.groupCreated(group: "g1", organization: "o1", name: "Raid \"A\"", by: "alice")),
            #"{"offset":7,"type":"group.created","ts":1764601234567,"group":"g1","organization":"o1","name":"Raid \"A\"","by":"alice"}"#)
        XCTAssertEqual(
            json(.groupMemberAdded(group: "g1", organization: "o1", user: "bob", invitedBy: "alice")),
            #"{"offset":7,"type":"group.member.added","ts":1764601234567,"group":"g1","organization":"o1","user":"bob","invited_by":"alice"}"#)
        XCTAssertEqual(
            json(.groupMemberRemoved(group: "g1", organization: "o1", user: "bob", by: "bob", reason: .orgLeft)),
            #"{"offset":7,"type":"group.member.removed","ts":1764601234567,"group":"g1","organization":"o1","user":"bob","by":"bob","reason":"org_left"}"#)
        XCTAssertEqual(
            json(.groupDeleted(group: "g1", organization: "o1", by: "alice")),
            #"{"offset":7,"type":"group.deleted","ts":1764601234567,"group":"g1","organization":"o1","by":"alice"}"#)
    }

    func testOffsetsUseAllSixtyFourBits() {
        XCTAssertTrue(json(.memberJoined(party: "p", player: "a"), offset: .max).hasPrefix(#"{"offset":18446744073709551615,"#))
        XCTAssertTrue(json(.memberJoined(party: "p", player: "a"), offset: 1, ts: 0).hasPrefix(#"{"offset":1,"type":"party:member-joined","ts":0,"#))
    }

    func testControlCharactersAndQuotesAreEscapedAndTheResultParses() throws {
        let text = json(.memberJoined(party: "p\u{1}", player: "a\"b\\c\nd"))
        let value = try JSONParser.parse(Array(text.utf8))
        XCTAssertEqual(value["party"]?.stringValue, "p\u{1}")
        XCTAssertEqual(value["player"]?.stringValue, "a\"b\\c\nd")
        XCTAssertEqual(value["offset"]?.int64Value, 7)
    }

    func testTheFrameIsOneTextFrameCarryingTheJSON() {
        // Payload lengths across the 7-bit / 16-bit header boundary (125, 126).
        for nameLength in [1, 40, 60, 61, 62, 70, 200, 70_000] {
            let event = PublishedEvent(offset: 1, ts: 2, kind: .memberJoined(party: "p", player: String(repeating: "x", count: nameLength)))
            let writer = ByteWriter(capacity: 64)
            let frame = Array(PublishedEventEncoder.encodeFrame(event, into: writer))
            let payload = Array(PublishedEventEncoder.json(event).utf8)
            let header = WebSocketFrameEncoder.headerLength(payloadCount: payload.count)
            XCTAssertEqual(frame.count, header + payload.count)
            XCTAssertEqual(frame[0], 0x81, "FIN and the text opcode")
            XCTAssertEqual(Array(frame[header...]), payload)
        }
    }
}
